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
//! * [`stream`]: the per-SSRC stream engine: [`ReceiveStream`](stream::ReceiveStream) (jitter
//!   buffer, NACK with retries, RTX, PLI/FIR, receiver reports, lip-sync mapping) and
//!   [`SendStream`](stream::SendStream) (history, RTX answers, sender reports, RTT), with W3C
//!   stats.
//! * [`simulcast`]: layer selection for received simulcast: N layers in, one stream out,
//!   switching at keyframes ([`LayerSelector`](simulcast::LayerSelector) for packets,
//!   [`FrameLayerSelector`](simulcast::FrameLayerSelector) for frames).
//!
//! Nothing here does I/O or reads a clock. Hostile input never panics: every failure is an
//! [`RtpError`], and every list read from the wire is bounded (the bounds are documented as
//! `MAX_*` constants next to the types holding them).
//!
//! ```
//! use rtcio_rtp::codec::{Codec, FrameAssembler};
//! use rtcio_rtp::packet::write_packet;
//! use rtcio_rtp::rtcp::{Nack, RtcpPacket, parse_compound, write_compound};
//! use rtcio_rtp::{ExtensionKind, ExtensionMap, ExtensionValues, RtpHeader, RtpPacket};
//!
//! // Send: packetize a VP8 frame, tag packets with a mid, serialize.
//! let mut extmap = ExtensionMap::new();
//! extmap.insert(1, ExtensionKind::Mid);
//! let frame = [0x50, 0x2a, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01, 0xaa];
//! let payloads = Codec::Vp8.packetizer().packetize(&frame, 1200)?;
//! let mut header = RtpHeader { marker: true, payload_type: 96, ssrc: 7, ..Default::default() };
//! let values = ExtensionValues { mid: Some("0".into()), ..Default::default() };
//! extmap.write(&values, &mut header);
//! let datagram = write_packet(&header, &payloads[0], 0)?;
//!
//! // Receive: parse, read extensions, assemble frames.
//! let packet = RtpPacket::parse(&datagram)?;
//! assert_eq!(extmap.read(&packet.header).mid.as_deref(), Some("0"));
//! let mut assembler = FrameAssembler::new(Codec::Vp8);
//! assembler.handle_packet(&packet);
//! let decoded = assembler.poll_frame().expect("one whole frame");
//! assert!(decoded.keyframe);
//! assert_eq!(decoded.data, frame);
//!
//! // RTCP: ask for a retransmission, parse it back.
//! let nack = RtcpPacket::Nack(Nack::from_lost(1, 7, &[3, 5]));
//! let bytes = write_compound(&[nack.clone()])?;
//! assert_eq!(parse_compound(&bytes)?.packets, vec![nack]);
//! # Ok::<(), rtcio_rtp::RtpError>(())
//! ```

pub mod codec;
pub mod error;
pub mod ext;
pub mod packet;
pub mod red;
pub mod rtcp;
pub mod seq;
pub mod simulcast;
pub mod stream;
mod wire;

pub use error::RtpError;
pub use ext::{Extension, ExtensionKind, ExtensionMap, ExtensionProfile, ExtensionValues};
pub use packet::{RtpHeader, RtpPacket};
pub use seq::{SeqUnwrapper, TimestampUnwrapper};
