//! The sans-IO RTP/RTCP wire layer of rtcio (issue 10, "RTP/RTCP media transport").
//!
//! * [`packet`]: RTP packets (RFC 3550) with CSRCs, padding and header extensions;
//!   [`RtpPacket::parse`] borrows the payload from the datagram.
//! * [`ext`]: RFC 8285 one-byte/two-byte extension elements and typed values for mid, rid,
//!   repaired-rid, audio level, abs-send-time, transport-cc, toffset, video orientation and
//!   playout delay, bound to ids by an [`ExtensionMap`].
//! * [`seq`]: sequence number and timestamp unwrapping.
//! * [`rtcp`]: RTCP compound packets (RFC 3550, 4585, 5104, 3611, 5506, REMB, transport-wide
//!   congestion control feedback).
//! * [`codec`]: depacketizers and packetizers for Opus, G.711, G.722, VP8, VP9, H.264 and AV1, and
//!   a [`FrameAssembler`](codec::FrameAssembler) turning in-order packets into
//!   [`EncodedFrame`](codec::EncodedFrame)s.
//!
//! Nothing here does I/O or reads a clock. Hostile input never panics: every failure is an
//! [`RtpError`], and every list read from the wire is bounded (the bounds are documented as
//! `MAX_*` constants next to the types holding them).

pub mod codec;
pub mod error;
pub mod ext;
pub mod packet;
pub mod rtcp;
pub mod seq;
mod wire;

pub use error::RtpError;
pub use ext::{Extension, ExtensionKind, ExtensionMap, ExtensionProfile, ExtensionValues};
pub use packet::{RtpHeader, RtpPacket};
pub use seq::{SeqUnwrapper, TimestampUnwrapper};
