//! Receiver report (RFC 3550 section 6.4.2).

use super::{PT_RR, ReportBlock, begin, finish};
use crate::RtpError;
use crate::wire::Reader;

/// An RR packet.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReceiverReport {
    /// The reporter's SSRC.
    pub ssrc: u32,
    /// Reception report blocks, at most 31.
    pub reports: Vec<ReportBlock>,
    /// Profile-specific extension bytes after the blocks (zero-padded to a multiple of 4 bytes when written).
    pub profile_extension: Vec<u8>,
}

impl ReceiverReport {
    pub(crate) fn parse(count: u8, body: &[u8]) -> Result<Self, RtpError> {
        let mut r = Reader::new(body, "RTCP RR");
        let ssrc = r.u32()?;
        let reports = ReportBlock::read_n(&mut r, count)?;
        Ok(Self {
            ssrc,
            reports,
            profile_extension: r.rest().to_vec(),
        })
    }

    /// Appends the packet to `out`.
    pub fn write(&self, out: &mut Vec<u8>) -> Result<(), RtpError> {
        if self.reports.len() > 31 {
            return Err(RtpError::Unencodable {
                what: "RR report count",
            });
        }
        let start = begin(out, self.reports.len() as u8, PT_RR);
        out.extend_from_slice(&self.ssrc.to_be_bytes());
        for b in &self.reports {
            b.write(out);
        }
        out.extend_from_slice(&self.profile_extension);
        finish(out, start)
    }
}
