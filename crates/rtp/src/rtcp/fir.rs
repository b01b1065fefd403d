//! Full intra request (RFC 5104 section 4.3.1).

use super::{PT_PSFB, begin_feedback, finish};
use crate::RtpError;
use crate::wire::Reader;

/// Most FIR entries kept from one packet; more is an error.
pub const MAX_FIR_ENTRIES: usize = 64;

/// One FCI entry: the source asked for a decoder refresh point, and a command sequence number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FirEntry {
    /// The media sender that should send an intra frame.
    pub ssrc: u32,
    /// The command sequence number (incremented per new request).
    pub seq_nr: u8,
}

/// A FIR: PSFB with FMT 4. Its media source field is 0 (RFC 5104); sources are in the entries.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Fir {
    /// The sender of the request.
    pub sender_ssrc: u32,
    /// The requests, at most [`MAX_FIR_ENTRIES`].
    pub entries: Vec<FirEntry>,
}

impl Fir {
    pub(crate) fn parse(sender_ssrc: u32, fci: &[u8]) -> Result<Self, RtpError> {
        if !fci.len().is_multiple_of(8) {
            return Err(RtpError::BadLength { what: "FIR" });
        }
        if fci.len() / 8 > MAX_FIR_ENTRIES {
            return Err(RtpError::TooMany {
                what: "FIR entries",
                limit: MAX_FIR_ENTRIES,
            });
        }
        let mut r = Reader::new(fci, "FIR entry");
        let mut entries = Vec::with_capacity(fci.len() / 8);
        while r.remaining() > 0 {
            let ssrc = r.u32()?;
            let seq_nr = r.u8()?;
            r.take(3)?;
            entries.push(FirEntry { ssrc, seq_nr });
        }
        Ok(Self {
            sender_ssrc,
            entries,
        })
    }

    /// Appends the packet to `out`.
    /// More than [`MAX_FIR_ENTRIES`] entries is an error (the parser would refuse them).
    pub fn write(&self, out: &mut Vec<u8>) -> Result<(), RtpError> {
        if self.entries.len() > MAX_FIR_ENTRIES {
            return Err(RtpError::Unencodable {
                what: "FIR entry count",
            });
        }
        let start = begin_feedback(out, 4, PT_PSFB, self.sender_ssrc, 0);
        for e in &self.entries {
            out.extend_from_slice(&e.ssrc.to_be_bytes());
            out.extend_from_slice(&[e.seq_nr, 0, 0, 0]);
        }
        finish(out, start)
    }
}
