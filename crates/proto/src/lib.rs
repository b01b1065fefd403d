//! The sans-IO WebRTC core: packet demultiplexing (RFC 7983) and the protocol stack that ties ICE, DTLS, SRTP and SCTP together.

pub mod demux;
pub mod media;
pub mod peer;
pub mod transport;
