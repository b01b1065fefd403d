//! Transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01
//! section 3.1): RTPFB FMT 15.
//!
//! The FCI is a base sequence number, a packet status count, a 24-bit reference time (64 ms
//! units), a feedback packet count, then packet status chunks (run-length or status vector with
//! 1- or 2-bit symbols) and one receive delta per received packet (1 byte unsigned for "small",
//! 2 bytes signed for "large or negative", in 250 µs units).
//!
//! [`TransportFeedback::from_arrival_instants`] builds one from received (sequence number,
//! arrival time) pairs; [`TransportFeedback::arrivals`] reads the times back.

use super::{PT_RTPFB, begin_feedback, finish};
use crate::RtpError;
use crate::wire::{Reader, put_u24, sign_extend_24};

/// Most packet statuses one feedback may describe; a larger packet status count is an error.
pub const MAX_TWCC_PACKETS: usize = 16384;

/// Receive delta tick, in microseconds.
pub const DELTA_TICK_US: i64 = 250;
/// Reference time tick, in microseconds.
pub const REFERENCE_TICK_US: i64 = 64_000;

/// The status of one packet and its receive delta (in 250 µs ticks).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PacketStatus {
    /// Symbol 00: not received.
    NotReceived,
    /// Symbol 01: received, delta 0..=63.75 ms.
    SmallDelta(u8),
    /// Symbol 10: received, large or negative delta.
    LargeDelta(i16),
}

impl PacketStatus {
    fn symbol(self) -> u8 {
        match self {
            Self::NotReceived => 0,
            Self::SmallDelta(_) => 1,
            Self::LargeDelta(_) => 2,
        }
    }

    /// The receive delta in 250 µs ticks, if received.
    pub fn delta_ticks(self) -> Option<i32> {
        match self {
            Self::NotReceived => None,
            Self::SmallDelta(d) => Some(i32::from(d)),
            Self::LargeDelta(d) => Some(i32::from(d)),
        }
    }
}

/// A transport-wide feedback message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TransportFeedback {
    /// The sender of the feedback.
    pub sender_ssrc: u32,
    /// The media source (informational: sequence numbers are transport-wide).
    pub media_ssrc: u32,
    /// The transport-wide sequence number of the first status.
    pub base_seq: u16,
    /// Reference time in 64 ms units, signed 24 bits (-2^23..2^23).
    pub reference_time: i32,
    /// Feedback packet count, incremented per feedback sent.
    pub fb_pkt_count: u8,
    /// One status per packet from `base_seq` on, at most [`MAX_TWCC_PACKETS`].
    pub statuses: Vec<PacketStatus>,
}

impl TransportFeedback {
    pub(crate) fn parse(sender_ssrc: u32, media_ssrc: u32, fci: &[u8]) -> Result<Self, RtpError> {
        let mut r = Reader::new(fci, "transport-wide feedback");
        let base_seq = r.u16()?;
        let count = usize::from(r.u16()?);
        let reference_time = sign_extend_24(r.u24()?);
        let fb_pkt_count = r.u8()?;
        if count > MAX_TWCC_PACKETS {
            return Err(RtpError::TooMany {
                what: "transport-wide feedback packets",
                limit: MAX_TWCC_PACKETS,
            });
        }
        // Every chunk takes 2 bytes and describes at least one packet (a zero-length run
        // describes none but still takes 2 bytes), so this loop is bounded by the input.
        let mut symbols: Vec<u8> = Vec::with_capacity(count);
        while symbols.len() < count {
            let chunk = r.u16()?;
            let left = count - symbols.len();
            if chunk & 0x8000 == 0 {
                let sym = ((chunk >> 13) & 3) as u8;
                let run = usize::from(chunk & 0x1fff).min(left);
                symbols.extend(std::iter::repeat_n(sym, run));
            } else if chunk & 0x4000 == 0 {
                symbols.extend((0..14).rev().map(|i| ((chunk >> i) & 1) as u8).take(left));
            } else {
                symbols.extend(
                    (0..7)
                        .rev()
                        .map(|i| ((chunk >> (2 * i)) & 3) as u8)
                        .take(left),
                );
            }
        }
        let mut statuses = Vec::with_capacity(count);
        for sym in symbols {
            statuses.push(match sym {
                0 => PacketStatus::NotReceived,
                1 => PacketStatus::SmallDelta(r.u8()?),
                2 => PacketStatus::LargeDelta(r.u16()? as i16),
                _ => {
                    return Err(RtpError::Invalid {
                        what: "transport-wide feedback symbol",
                    });
                }
            });
        }
        // Up to 3 bytes of zero padding may follow; anything else is ignored too.
        Ok(Self {
            sender_ssrc,
            media_ssrc,
            base_seq,
            reference_time,
            fb_pkt_count,
            statuses,
        })
    }

    /// Builds feedback from received packets: `(transport-wide sequence number, arrival time)`,
    /// times measured from `epoch` (times before it count as `epoch`), in ascending sequence
    /// order (wrap-around allowed). Gaps become "not received". The reference time is the first arrival rounded down to 64 ms, wrapped
    /// to 24 bits; each delta is rounded to 250 µs against the previous *reported* time so
    /// rounding never accumulates.
    ///
    /// Fails on an empty list, on a sequence number not after its predecessor, when the range
    /// covers more than [`MAX_TWCC_PACKETS`], or when a delta exceeds ±8.19 s.
    pub fn from_arrival_instants(
        sender_ssrc: u32,
        media_ssrc: u32,
        fb_pkt_count: u8,
        epoch: std::time::Instant,
        arrivals: &[(u16, std::time::Instant)],
    ) -> Result<Self, RtpError> {
        let us: Vec<(u16, u64)> = arrivals
            .iter()
            .map(|(s, t)| {
                let d = t.saturating_duration_since(epoch).as_micros();
                (*s, u64::try_from(d).unwrap_or(u64::MAX))
            })
            .collect();
        Self::from_arrivals(sender_ssrc, media_ssrc, fb_pkt_count, &us)
    }

    /// Like [`TransportFeedback::from_arrival_instants`], with arrival times in µs on any
    /// receiver clock.
    pub fn from_arrivals(
        sender_ssrc: u32,
        media_ssrc: u32,
        fb_pkt_count: u8,
        arrivals: &[(u16, u64)],
    ) -> Result<Self, RtpError> {
        let &(base_seq, first_us) = arrivals.first().ok_or(RtpError::Invalid {
            what: "empty arrival list",
        })?;
        let first_us = i64::try_from(first_us).map_err(|_| RtpError::Unencodable {
            what: "arrival time",
        })?;
        let ref_ticks = first_us / REFERENCE_TICK_US;
        let reference_time = sign_extend_24((ref_ticks & 0xff_ffff) as u32);
        let mut reported = ref_ticks * REFERENCE_TICK_US;
        let mut statuses = Vec::new();
        let mut next_seq = base_seq;
        for (i, &(seq, at)) in arrivals.iter().enumerate() {
            let gap = seq.wrapping_sub(next_seq);
            if i > 0 && gap >= 0x8000 {
                return Err(RtpError::Invalid {
                    what: "arrival order",
                });
            }
            if statuses.len() + usize::from(gap) + 1 > MAX_TWCC_PACKETS {
                return Err(RtpError::TooMany {
                    what: "transport-wide feedback packets",
                    limit: MAX_TWCC_PACKETS,
                });
            }
            statuses.extend(std::iter::repeat_n(
                PacketStatus::NotReceived,
                usize::from(gap),
            ));
            let at = i64::try_from(at).map_err(|_| RtpError::Unencodable {
                what: "arrival time",
            })?;
            let diff = at - reported;
            let ticks = (diff + diff.signum() * DELTA_TICK_US / 2) / DELTA_TICK_US;
            reported += ticks * DELTA_TICK_US;
            statuses.push(if (0..=255).contains(&ticks) {
                PacketStatus::SmallDelta(ticks as u8)
            } else {
                PacketStatus::LargeDelta(i16::try_from(ticks).map_err(|_| {
                    RtpError::Unencodable {
                        what: "receive delta",
                    }
                })?)
            });
            next_seq = seq.wrapping_add(1);
        }
        Ok(Self {
            sender_ssrc,
            media_ssrc,
            base_seq,
            reference_time,
            fb_pkt_count,
            statuses,
        })
    }

    /// Every packet's sequence number with its arrival time in µs (relative to the 24-bit
    /// reference time's epoch), or `None` if not received.
    pub fn arrivals(&self) -> impl Iterator<Item = (u16, Option<i64>)> + '_ {
        let mut t = i64::from(self.reference_time) * REFERENCE_TICK_US;
        self.statuses.iter().enumerate().map(move |(i, s)| {
            let seq = self.base_seq.wrapping_add(i as u16);
            match s.delta_ticks() {
                Some(d) => {
                    t += i64::from(d) * DELTA_TICK_US;
                    (seq, Some(t))
                }
                None => (seq, None),
            }
        })
    }

    /// Appends the packet to `out`, choosing chunk kinds greedily.
    pub fn write(&self, out: &mut Vec<u8>) -> Result<(), RtpError> {
        let n = self.statuses.len();
        if n > MAX_TWCC_PACKETS {
            return Err(RtpError::Unencodable {
                what: "transport-wide feedback packet count",
            });
        }
        let start = begin_feedback(out, 15, PT_RTPFB, self.sender_ssrc, self.media_ssrc);
        out.extend_from_slice(&self.base_seq.to_be_bytes());
        out.extend_from_slice(&(n as u16).to_be_bytes());
        put_u24(out, self.reference_time as u32);
        out.push(self.fb_pkt_count);
        let syms: Vec<u8> = self.statuses.iter().map(|s| s.symbol()).collect();
        let mut i = 0;
        while i < n {
            let sym = syms[i];
            let run = syms[i..]
                .iter()
                .take(0x1fff)
                .take_while(|s| **s == sym)
                .count();
            let window = &syms[i..n.min(i + 14)];
            let chunk: u16 = if run >= 14 || (run == n - i && run >= 7) {
                i += run;
                (u16::from(sym) << 13) | run as u16
            } else if window.iter().all(|s| *s <= 1) {
                i += window.len();
                let mut c = 0x8000u16;
                for (k, s) in window.iter().enumerate() {
                    c |= u16::from(*s) << (13 - k);
                }
                c
            } else if run >= 7 {
                i += run;
                (u16::from(sym) << 13) | run as u16
            } else {
                let window = &syms[i..n.min(i + 7)];
                i += window.len();
                let mut c = 0xc000u16;
                for (k, s) in window.iter().enumerate() {
                    c |= u16::from(*s) << (12 - 2 * k);
                }
                c
            };
            out.extend_from_slice(&chunk.to_be_bytes());
        }
        for s in &self.statuses {
            match s {
                PacketStatus::NotReceived => {}
                PacketStatus::SmallDelta(d) => out.push(*d),
                PacketStatus::LargeDelta(d) => out.extend_from_slice(&d.to_be_bytes()),
            }
        }
        finish(out, start)
    }
}
