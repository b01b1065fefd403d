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

    /// The NTP time of a duration since the NTP epoch (1900-01-01); the caller maps its clock
    /// (wallclock, or any `Instant` origin) to that epoch. Wraps in 2036 like NTP.
    pub fn from_duration(since_1900: std::time::Duration) -> Self {
        let secs = since_1900.as_secs() & 0xffff_ffff;
        let frac = (u64::from(since_1900.subsec_nanos()) << 32) / 1_000_000_000;
        Self((secs << 32) | frac)
    }
}

/// Round-trip time from an echoed compact NTP time (LSR or LRR), the delay the peer reported
/// (DLSR or DLRR, 1/65536 s) and the compact NTP time of arrival of the echo (RFC 3550 section
/// 6.4.1, RFC 3611 section 4.5). `None` if nothing was echoed (LSR 0) or the result is negative.
pub fn round_trip_time(last: u32, delay: u32, arrival: NtpTime) -> Option<std::time::Duration> {
    if last == 0 {
        return None;
    }
    let rtt = arrival.middle_32().wrapping_sub(last).wrapping_sub(delay);
    if rtt >= 0x8000_0000 {
        return None;
    }
    Some(std::time::Duration::from_nanos(
        (u64::from(rtt) * 1_000_000_000) >> 16,
    ))
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
