//! Generic NACK (RFC 4585 section 6.2.1): RTPFB FMT 1.

use super::{PT_RTPFB, begin_feedback, finish};
use crate::RtpError;
use crate::wire::Reader;

/// Most PID/BLP pairs kept from one NACK (each names up to 17 packets); more is an error.
pub const MAX_NACK_PAIRS: usize = 256;

/// One FCI entry: a lost packet id and a bitmask of the 16 following lost packets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NackPair {
    /// PID: a lost sequence number.
    pub pid: u16,
    /// BLP: bit i set means `pid + i + 1` is lost too.
    pub blp: u16,
}

impl NackPair {
    /// The sequence numbers this pair reports lost, in order.
    pub fn lost(self) -> impl Iterator<Item = u16> {
        std::iter::once(self.pid).chain(
            (0..16u16)
                .filter(move |i| self.blp & (1 << i) != 0)
                .map(move |i| self.pid.wrapping_add(i + 1)),
        )
    }
}

/// A generic NACK.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Nack {
    /// The sender of the feedback.
    pub sender_ssrc: u32,
    /// The media source that lost packets.
    pub media_ssrc: u32,
    /// The FCI entries, at most [`MAX_NACK_PAIRS`].
    pub pairs: Vec<NackPair>,
}

impl Nack {
    pub(crate) fn parse(sender_ssrc: u32, media_ssrc: u32, fci: &[u8]) -> Result<Self, RtpError> {
        if fci.len() / 4 > MAX_NACK_PAIRS {
            return Err(RtpError::TooMany {
                what: "NACK pairs",
                limit: MAX_NACK_PAIRS,
            });
        }
        let mut r = Reader::new(fci, "NACK FCI");
        let mut pairs = Vec::with_capacity(fci.len() / 4);
        while r.remaining() > 0 {
            pairs.push(NackPair {
                pid: r.u16()?,
                blp: r.u16()?,
            });
        }
        Ok(Self {
            sender_ssrc,
            media_ssrc,
            pairs,
        })
    }

    /// Builds the pairs for a list of lost sequence numbers, given in ascending order
    /// (modulo wrap-around); numbers within 16 of a pair's PID share it.
    pub fn from_lost(sender_ssrc: u32, media_ssrc: u32, lost: &[u16]) -> Self {
        let mut pairs: Vec<NackPair> = Vec::new();
        for &seq in lost {
            if let Some(last) = pairs.last_mut() {
                let d = seq.wrapping_sub(last.pid);
                if d == 0 {
                    continue;
                }
                if (1..=16).contains(&d) {
                    last.blp |= 1 << (d - 1);
                    continue;
                }
            }
            pairs.push(NackPair { pid: seq, blp: 0 });
        }
        Self {
            sender_ssrc,
            media_ssrc,
            pairs,
        }
    }

    /// Every sequence number reported lost.
    pub fn lost(&self) -> impl Iterator<Item = u16> + '_ {
        self.pairs.iter().flat_map(|p| p.lost())
    }

    /// Appends the packet to `out`.
    /// More than [`MAX_NACK_PAIRS`] pairs is an error (the parser would refuse them): split
    /// longer loss lists over several NACKs.
    pub fn write(&self, out: &mut Vec<u8>) -> Result<(), RtpError> {
        if self.pairs.len() > MAX_NACK_PAIRS {
            return Err(RtpError::Unencodable {
                what: "NACK pair count",
            });
        }
        let start = begin_feedback(out, 1, PT_RTPFB, self.sender_ssrc, self.media_ssrc);
        for p in &self.pairs {
            out.extend_from_slice(&p.pid.to_be_bytes());
            out.extend_from_slice(&p.blp.to_be_bytes());
        }
        finish(out, start)
    }
}
