//! Receive-side estimator for peers without transport-cc: the same delay-based pipeline fed by
//! abs-send-time and local arrival times, reported to the sender as REMB.

use std::time::{Duration, Instant};

use rtcio_rtp::ext::AbsSendTime;
use rtcio_rtp::rtcp::Remb;

use crate::config::BweConfig;
use crate::delay_based::DelayBased;
use crate::inter_arrival::PacketTiming;
use crate::rate::RateWindow;

/// Time between two REMB messages when the estimate does not fall.
pub const REMB_INTERVAL: Duration = Duration::from_secs(1);
/// A fall below this share of the last sent estimate sends a REMB at once...
pub const REMB_DECREASE_SHARE: f64 = 0.97;
/// ...but no sooner than this after the previous one.
pub const REMB_MIN_INTERVAL: Duration = Duration::from_millis(100);
/// Media sources listed in a REMB at most (first come).
pub const MAX_REMB_SSRCS: usize = 16;
/// Window of the incoming-throughput measurement, in µs.
const INCOMING_WINDOW_US: i64 = 500_000;
/// abs-send-time units per second (6.18 fixed point).
const ABS_UNITS_PER_S: i64 = 1 << 18;

/// Counters of the receive-side estimator.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RembStats {
    /// Packets fed.
    pub packets: u64,
    /// REMB messages produced.
    pub rembs: u64,
    /// Sources not listed because [`MAX_REMB_SSRCS`] were already.
    pub ssrcs_over_limit: u64,
    /// Send-time jumps that reset the delay estimator.
    pub clock_resets: u64,
}

/// Receive-side bandwidth estimator producing REMB.
#[derive(Debug, Clone)]
pub struct RembEstimator {
    sender_ssrc: u32,
    epoch: Instant,
    delay: DelayBased,
    incoming: RateWindow,
    /// Last raw abs-send-time and its unwrapped value in 2^-18 s units.
    abs: Option<(u32, i64)>,
    ssrcs: Vec<u32>,
    first_packet: Option<Instant>,
    last_remb: Option<(Instant, u64)>,
    stats: RembStats,
}

impl RembEstimator {
    /// An estimator starting at `config.start_bitrate`, whose REMBs carry `sender_ssrc`.
    pub fn new(config: BweConfig, now: Instant, sender_ssrc: u32) -> Self {
        let c = config.normalized();
        Self {
            sender_ssrc,
            epoch: now,
            delay: DelayBased::new(c.start_bitrate, c.min_bitrate, c.max_bitrate),
            incoming: RateWindow::new(INCOMING_WINDOW_US),
            abs: None,
            ssrcs: Vec::new(),
            first_packet: None,
            last_remb: None,
            stats: RembStats::default(),
        }
    }

    /// Sets the round-trip time (it spaces decreases and sizes the additive increase).
    pub fn set_rtt(&mut self, rtt: Duration) {
        self.delay.aimd.rtt_us = i64::try_from(rtt.as_micros()).unwrap_or(i64::MAX);
    }

    /// Records a packet of `size` bytes from `ssrc` carrying `abs_send_time`, arrived at `now`.
    pub fn on_packet(&mut self, now: Instant, ssrc: u32, abs_send_time: AbsSendTime, size: usize) {
        self.stats.packets += 1;
        self.first_packet.get_or_insert(now);
        if !self.ssrcs.contains(&ssrc) {
            if self.ssrcs.len() < MAX_REMB_SSRCS {
                self.ssrcs.push(ssrc);
            } else {
                self.stats.ssrcs_over_limit += 1;
            }
        }
        let raw = abs_send_time.0 & 0xff_ffff;
        let units = match self.abs {
            None => i64::from(raw),
            Some((last_raw, last)) => {
                // Sign-extend the 24-bit difference: the clock wraps every 64 s.
                let d = (((raw.wrapping_sub(last_raw)) << 8) as i32 >> 8) as i64;
                last.saturating_add(d)
            }
        };
        self.abs = Some((raw, units));
        let now_us = i64::try_from(now.saturating_duration_since(self.epoch).as_micros())
            .unwrap_or(i64::MAX);
        self.incoming.add(now_us, size as u64);
        self.delay.on_packet(PacketTiming {
            send_us: units.saturating_mul(1_000_000) / ABS_UNITS_PER_S,
            arrival_us: now_us,
            size,
        });
        self.stats.clock_resets = self.delay.anomalies().0;
        let incoming = self.incoming.rate(now_us);
        self.delay.update(incoming, now_us);
    }

    /// The current estimate in bit/s.
    pub fn estimate(&self) -> u64 {
        self.delay.aimd.bitrate()
    }

    /// When [`RembEstimator::poll_remb`] next has a message.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let first = self.first_packet?;
        match self.last_remb {
            None => Some(first + REMB_INTERVAL),
            Some((at, sent)) if (self.estimate() as f64) < sent as f64 * REMB_DECREASE_SHARE => {
                Some(at + REMB_MIN_INTERVAL)
            }
            Some((at, _)) => Some(at + REMB_INTERVAL),
        }
    }

    /// A REMB message if one is due at `now`.
    pub fn poll_remb(&mut self, now: Instant) -> Option<Remb> {
        if self.poll_timeout()? > now {
            return None;
        }
        let bitrate = self.estimate();
        self.last_remb = Some((now, bitrate));
        self.stats.rembs += 1;
        Some(Remb {
            sender_ssrc: self.sender_ssrc,
            bitrate,
            ssrcs: self.ssrcs.clone(),
        })
    }

    /// Counters so far.
    pub fn stats(&self) -> RembStats {
        self.stats
    }
}
