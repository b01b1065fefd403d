//! Sans-IO SCTP association over DTLS (RFC 9260, 8261) and data channels (RFC 8831, 8832).
//!
//! The crate deals in SCTP packets: each packet is the payload of one DTLS record. Feed received
//! packets with `handle_receive`, drain `poll_transmit` and `poll_event`, and drive timers with
//! `poll_timeout`/`handle_timeout`. Time is always passed in; nothing here reads a clock.

pub mod chunk;
pub mod error;
pub mod packet;
pub mod tsn;
pub mod wire;

pub use error::{Error, ParseError};
pub use packet::{CommonHeader, Packet};
