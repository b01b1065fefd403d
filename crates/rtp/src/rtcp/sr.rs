//! Sender report (RFC 3550 section 6.4.1).

use super::{PT_SR, ReportBlock, begin, finish};
use crate::RtpError;
use crate::wire::Reader;

/// A 64-bit NTP timestamp (seconds since 1900 in 32.32 fixed point).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, PartialOrd, Ord, Hash)]
pub struct NtpTime(pub u64);

impl NtpTime {
    /// The middle 32 bits, as echoed in a report block's LSR or an XR DLRR's LRR.
    pub fn middle_32(self) -> u32 {
        (self.0 >> 16) as u32
    }
}

/// An SR packet.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SenderReport {
    /// The sender's SSRC.
    pub ssrc: u32,
    /// Wallclock time when this report was sent.
    pub ntp_time: NtpTime,
    /// The RTP timestamp corresponding to `ntp_time`.
    pub rtp_time: u32,
    /// Packets sent.
    pub packet_count: u32,
    /// Payload octets sent.
    pub octet_count: u32,
    /// Reception report blocks, at most 31.
    pub reports: Vec<ReportBlock>,
    /// Profile-specific extension bytes after the blocks (zero-padded to a multiple of 4 bytes when written).
    pub profile_extension: Vec<u8>,
}

impl SenderReport {
    pub(crate) fn parse(count: u8, body: &[u8]) -> Result<Self, RtpError> {
        let mut r = Reader::new(body, "RTCP SR");
        let mut sr = Self {
            ssrc: r.u32()?,
            ntp_time: NtpTime(r.u64()?),
            rtp_time: r.u32()?,
            packet_count: r.u32()?,
            octet_count: r.u32()?,
            ..Default::default()
        };
        sr.reports = ReportBlock::read_n(&mut r, count)?;
        sr.profile_extension = r.rest().to_vec();
        Ok(sr)
    }

    /// Appends the packet to `out`.
    pub fn write(&self, out: &mut Vec<u8>) -> Result<(), RtpError> {
        if self.reports.len() > 31 {
            return Err(RtpError::Unencodable {
                what: "SR report count",
            });
        }
        let start = begin(out, self.reports.len() as u8, PT_SR);
        out.extend_from_slice(&self.ssrc.to_be_bytes());
        out.extend_from_slice(&self.ntp_time.0.to_be_bytes());
        out.extend_from_slice(&self.rtp_time.to_be_bytes());
        out.extend_from_slice(&self.packet_count.to_be_bytes());
        out.extend_from_slice(&self.octet_count.to_be_bytes());
        for b in &self.reports {
            b.write(out);
        }
        out.extend_from_slice(&self.profile_extension);
        finish(out, start)
    }
}
