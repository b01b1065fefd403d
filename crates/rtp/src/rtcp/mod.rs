//! RTCP (RFC 3550 section 6) compound packets and the WebRTC feedback messages.
//!
//! [`parse_compound`] splits a datagram into [`RtcpPacket`]s. Reduced-size RTCP (RFC 5506) is
//! accepted: a compound need not start with SR/RR and may hold a single feedback message.
//! Packet types and feedback formats this crate does not know are preserved as
//! [`RtcpPacket::Unknown`] (their bytes re-serialize unchanged); [`Compound::unknown_count`]
//! counts them. A compound holds at most [`MAX_COMPOUND_PACKETS`] packets.

mod app;
mod bye;
mod fir;
mod nack;
mod pli;
mod remb;
mod report_block;
mod rpsi;
mod rr;
mod sdes;
mod sli;
mod sr;
mod twcc;
mod xr;

pub use app::App;
pub use bye::Bye;
pub use fir::{Fir, FirEntry, MAX_FIR_ENTRIES};
pub use nack::{MAX_NACK_PAIRS, Nack, NackPair};
pub use pli::Pli;
pub use remb::Remb;
pub use report_block::ReportBlock;
pub use rpsi::Rpsi;
pub use rr::ReceiverReport;
pub use sdes::{MAX_SDES_ITEMS, Sdes, SdesChunk, SdesItem, SdesType};
pub use sli::Sli;
pub use sr::{NtpTime, SenderReport, round_trip_time};
pub use twcc::{MAX_TWCC_PACKETS, PacketStatus, TransportFeedback};
pub use xr::{DlrrItem, ExtendedReport, MAX_XR_BLOCKS, MAX_XR_DLRR_ITEMS, XrBlock};

use crate::RtpError;
use crate::wire::Reader;

/// Most packets parsed from one compound; more is an error.
pub const MAX_COMPOUND_PACKETS: usize = 64;

/// Packet type of a sender report.
pub const PT_SR: u8 = 200;
/// Packet type of a receiver report.
pub const PT_RR: u8 = 201;
/// Packet type of source description.
pub const PT_SDES: u8 = 202;
/// Packet type of goodbye.
pub const PT_BYE: u8 = 203;
/// Packet type of application-defined packets.
pub const PT_APP: u8 = 204;
/// Packet type of transport-layer feedback (RFC 4585).
pub const PT_RTPFB: u8 = 205;
/// Packet type of payload-specific feedback (RFC 4585).
pub const PT_PSFB: u8 = 206;
/// Packet type of extended reports (RFC 3611).
pub const PT_XR: u8 = 207;

/// One RTCP packet of a compound.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RtcpPacket {
    /// SR (PT 200).
    SenderReport(SenderReport),
    /// RR (PT 201).
    ReceiverReport(ReceiverReport),
    /// SDES (PT 202).
    Sdes(Sdes),
    /// BYE (PT 203).
    Bye(Bye),
    /// APP (PT 204).
    App(App),
    /// Generic NACK (RTPFB FMT 1, RFC 4585).
    Nack(Nack),
    /// Transport-wide congestion control feedback (RTPFB FMT 15).
    TransportFeedback(TransportFeedback),
    /// Picture loss indication (PSFB FMT 1).
    Pli(Pli),
    /// Slice loss indication (PSFB FMT 2), FCI kept opaque.
    Sli(Sli),
    /// Reference picture selection indication (PSFB FMT 3), FCI kept opaque.
    Rpsi(Rpsi),
    /// Full intra request (PSFB FMT 4, RFC 5104).
    Fir(Fir),
    /// Receiver estimated maximum bitrate (PSFB FMT 15, "REMB").
    Remb(Remb),
    /// Extended report (PT 207, RFC 3611).
    ExtendedReport(ExtendedReport),
    /// A packet type or feedback format this crate does not interpret.
    Unknown(Unknown),
}

/// A packet kept as bytes: its type, count/FMT field and body (after the 4-byte header, without
/// padding).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unknown {
    /// The packet type.
    pub packet_type: u8,
    /// The 5-bit count or FMT field.
    pub count: u8,
    /// The body; zero-padded to a multiple of 4 bytes when written.
    pub body: Vec<u8>,
}

/// A parsed compound packet.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Compound {
    /// The packets in wire order.
    pub packets: Vec<RtcpPacket>,
}

impl Compound {
    /// True if this is a reduced-size packet (RFC 5506): it does not start with SR or RR.
    pub fn is_reduced_size(&self) -> bool {
        !matches!(
            self.packets.first(),
            Some(RtcpPacket::SenderReport(_) | RtcpPacket::ReceiverReport(_))
        )
    }

    /// Number of packets kept as [`RtcpPacket::Unknown`].
    pub fn unknown_count(&self) -> usize {
        self.packets
            .iter()
            .filter(|p| matches!(p, RtcpPacket::Unknown(_)))
            .count()
    }
}

/// Parses a compound (or reduced-size) RTCP packet.
pub fn parse_compound(buf: &[u8]) -> Result<Compound, RtpError> {
    let mut r = Reader::new(buf, "RTCP header");
    let mut packets = Vec::new();
    if buf.is_empty() {
        return Err(RtpError::Truncated {
            what: "RTCP header",
        });
    }
    while r.remaining() > 0 {
        if packets.len() == MAX_COMPOUND_PACKETS {
            return Err(RtpError::TooMany {
                what: "packets in an RTCP compound",
                limit: MAX_COMPOUND_PACKETS,
            });
        }
        let b0 = r.u8()?;
        let version = b0 >> 6;
        if version != 2 {
            return Err(RtpError::BadVersion(version));
        }
        let padding = b0 & 0x20 != 0;
        let count = b0 & 0x1f;
        let pt = r.u8()?;
        let words = usize::from(r.u16()?);
        let mut body = r.take(words * 4).map_err(|_| RtpError::BadLength {
            what: "RTCP packet",
        })?;
        if padding {
            let n = usize::from(*body.last().ok_or(RtpError::BadPadding)?);
            if n == 0 || n > body.len() {
                return Err(RtpError::BadPadding);
            }
            body = &body[..body.len() - n];
        }
        packets.push(parse_one(pt, count, body)?);
    }
    Ok(Compound { packets })
}

/// Parses one packet body (after the 4-byte header, padding removed).
fn parse_one(pt: u8, count: u8, body: &[u8]) -> Result<RtcpPacket, RtpError> {
    let unknown = || {
        RtcpPacket::Unknown(Unknown {
            packet_type: pt,
            count,
            body: body.to_vec(),
        })
    };
    Ok(match pt {
        PT_SR => RtcpPacket::SenderReport(SenderReport::parse(count, body)?),
        PT_RR => RtcpPacket::ReceiverReport(ReceiverReport::parse(count, body)?),
        PT_SDES => RtcpPacket::Sdes(Sdes::parse(count, body)?),
        PT_BYE => RtcpPacket::Bye(Bye::parse(count, body)?),
        PT_APP => RtcpPacket::App(App::parse(count, body)?),
        PT_XR => RtcpPacket::ExtendedReport(ExtendedReport::parse(body)?),
        PT_RTPFB | PT_PSFB => {
            let mut r = Reader::new(body, "RTCP feedback header");
            let sender_ssrc = r.u32()?;
            let media_ssrc = r.u32()?;
            let fci = r.rest();
            match (pt, count) {
                (PT_RTPFB, 1) => RtcpPacket::Nack(Nack::parse(sender_ssrc, media_ssrc, fci)?),
                (PT_RTPFB, 15) => RtcpPacket::TransportFeedback(TransportFeedback::parse(
                    sender_ssrc,
                    media_ssrc,
                    fci,
                )?),
                (PT_PSFB, 1) => RtcpPacket::Pli(Pli {
                    sender_ssrc,
                    media_ssrc,
                }),
                (PT_PSFB, 2) => RtcpPacket::Sli(Sli {
                    sender_ssrc,
                    media_ssrc,
                    fci: fci.to_vec(),
                }),
                (PT_PSFB, 3) => RtcpPacket::Rpsi(Rpsi {
                    sender_ssrc,
                    media_ssrc,
                    fci: fci.to_vec(),
                }),
                (PT_PSFB, 4) => RtcpPacket::Fir(Fir::parse(sender_ssrc, fci)?),
                (PT_PSFB, 15) if fci.starts_with(b"REMB") => {
                    RtcpPacket::Remb(Remb::parse(sender_ssrc, fci)?)
                }
                _ => unknown(),
            }
        }
        _ => unknown(),
    })
}

impl RtcpPacket {
    /// Appends this packet (header included, no padding) to `out`.
    pub fn write(&self, out: &mut Vec<u8>) -> Result<(), RtpError> {
        match self {
            Self::SenderReport(p) => p.write(out),
            Self::ReceiverReport(p) => p.write(out),
            Self::Sdes(p) => p.write(out),
            Self::Bye(p) => p.write(out),
            Self::App(p) => p.write(out),
            Self::Nack(p) => p.write(out),
            Self::TransportFeedback(p) => p.write(out),
            Self::Pli(p) => p.write(out),
            Self::Sli(p) => p.write(out),
            Self::Rpsi(p) => p.write(out),
            Self::Fir(p) => p.write(out),
            Self::Remb(p) => p.write(out),
            Self::ExtendedReport(p) => p.write(out),
            Self::Unknown(p) => {
                let start = begin(out, p.count, p.packet_type);
                out.extend_from_slice(&p.body);
                finish(out, start)
            }
        }
    }
}

/// Serializes packets into one compound.
pub fn write_compound(packets: &[RtcpPacket]) -> Result<Vec<u8>, RtpError> {
    let mut out = Vec::new();
    for p in packets {
        p.write(&mut out)?;
    }
    Ok(out)
}

/// Starts a packet: writes the header with a zero length, returns its offset.
pub(crate) fn begin(out: &mut Vec<u8>, count: u8, pt: u8) -> usize {
    let start = out.len();
    out.push(0x80 | (count & 0x1f));
    out.push(pt);
    out.extend_from_slice(&[0, 0]);
    start
}

/// Zero-pads the packet started at `start` to 4 bytes and fills in its length field.
pub(crate) fn finish(out: &mut Vec<u8>, start: usize) -> Result<(), RtpError> {
    while !(out.len() - start).is_multiple_of(4) {
        out.push(0);
    }
    let words = (out.len() - start) / 4 - 1;
    let words = u16::try_from(words).map_err(|_| RtpError::Unencodable {
        what: "RTCP length",
    })?;
    out[start + 2..start + 4].copy_from_slice(&words.to_be_bytes());
    Ok(())
}

/// Writes a feedback header (RFC 4585 section 6.1) for `fmt`/`pt`; returns the start offset.
pub(crate) fn begin_feedback(
    out: &mut Vec<u8>,
    fmt: u8,
    pt: u8,
    sender_ssrc: u32,
    media_ssrc: u32,
) -> usize {
    let start = begin(out, fmt, pt);
    out.extend_from_slice(&sender_ssrc.to_be_bytes());
    out.extend_from_slice(&media_ssrc.to_be_bytes());
    start
}
