//! Reception report blocks (RFC 3550 section 6.4.1), carried by SR and RR.

use crate::RtpError;
use crate::wire::{Reader, put_u24, sign_extend_24};

/// One reception report block (24 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReportBlock {
    /// The source this block reports on.
    pub ssrc: u32,
    /// Fraction of packets lost since the last report, in 1/256 units.
    pub fraction_lost: u8,
    /// Cumulative number of packets lost (signed 24 bits).
    pub cumulative_lost: i32,
    /// Extended highest sequence number received.
    pub extended_highest_seq: u32,
    /// Interarrival jitter in timestamp units.
    pub jitter: u32,
    /// Last SR timestamp (middle 32 bits of its NTP time).
    pub last_sr: u32,
    /// Delay since last SR, in 1/65536 s.
    pub delay_since_last_sr: u32,
}

impl ReportBlock {
    /// The round-trip time to the reporter, given when this block arrived (RFC 3550 section
    /// 6.4.1: A - LSR - DLSR). `None` if no SR was echoed yet.
    pub fn round_trip_time(&self, arrival: super::NtpTime) -> Option<std::time::Duration> {
        super::sr::round_trip_time(self.last_sr, self.delay_since_last_sr, arrival)
    }

    /// Wire size of a block.
    pub const LEN: usize = 24;

    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self, RtpError> {
        Ok(Self {
            ssrc: r.u32()?,
            fraction_lost: r.u8()?,
            cumulative_lost: sign_extend_24(r.u24()?),
            extended_highest_seq: r.u32()?,
            jitter: r.u32()?,
            last_sr: r.u32()?,
            delay_since_last_sr: r.u32()?,
        })
    }

    pub(crate) fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.ssrc.to_be_bytes());
        out.push(self.fraction_lost);
        put_u24(
            out,
            self.cumulative_lost.clamp(-0x80_0000, 0x7f_ffff) as u32,
        );
        out.extend_from_slice(&self.extended_highest_seq.to_be_bytes());
        out.extend_from_slice(&self.jitter.to_be_bytes());
        out.extend_from_slice(&self.last_sr.to_be_bytes());
        out.extend_from_slice(&self.delay_since_last_sr.to_be_bytes());
    }

    /// Reads `count` blocks.
    pub(crate) fn read_n(r: &mut Reader<'_>, count: u8) -> Result<Vec<Self>, RtpError> {
        (0..count).map(|_| Self::read(r)).collect()
    }
}
