//! AIMD rate controller (draft-ietf-rmcat-gcc-02 section 5.5): increase while the path is
//! normal, cut to β × measured throughput on over-use, hold on under-use.
//!
//! Far from the last known capacity the rate grows multiplicatively (8 %/s); near it (within
//! three standard deviations of the throughput measured at past over-uses) it grows by about one
//! packet per response time, so it probes gently where it already found the limit.

use crate::overuse::BandwidthUsage;

/// Multiplicative decrease factor β.
pub const BETA: f64 = 0.85;
/// Multiplicative increase per second far from the known capacity.
const INCREASE_PER_SECOND: f64 = 1.08;
/// Lowest additive increase, in bit/s per second.
const MIN_ADDITIVE_BPS_PER_S: f64 = 4_000.0;
/// Packet size assumed for the additive increase, in bytes.
const PACKET_BYTES: f64 = 1_200.0;
/// Frame rate assumed for the additive increase.
const FRAME_RATE: f64 = 30.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RateState {
    Hold,
    Increase,
    Decrease,
}

/// The throughput measured at over-uses: running mean and normalized variance, in kbit/s.
#[derive(Debug, Clone, Default)]
struct LinkCapacity {
    mean_kbps: Option<f64>,
    var: f64,
}

impl LinkCapacity {
    fn deviation(&self, mean: f64) -> f64 {
        (self.var * mean).sqrt()
    }
    fn upper_bps(&self) -> Option<f64> {
        self.mean_kbps
            .map(|m| (m + 3.0 * self.deviation(m)) * 1000.0)
    }
    fn lower_bps(&self) -> Option<f64> {
        self.mean_kbps
            .map(|m| (m - 3.0 * self.deviation(m)) * 1000.0)
    }
    fn on_overuse(&mut self, acked_bps: f64) {
        let sample = acked_bps / 1000.0;
        let alpha = 0.05;
        let mean = match self.mean_kbps {
            None => sample,
            Some(m) => (1.0 - alpha) * m + alpha * sample,
        };
        let norm = mean.max(1.0);
        let err = mean - sample;
        self.var = ((1.0 - alpha) * self.var + alpha * err * err / norm).clamp(0.4, 2.5);
        self.mean_kbps = Some(mean);
    }
}

/// Controller state.
#[derive(Debug, Clone)]
pub(crate) struct Aimd {
    min_bps: u64,
    max_bps: u64,
    current_bps: u64,
    state: RateState,
    last_change_us: Option<i64>,
    capacity: LinkCapacity,
    /// Round-trip time used for the response time and decrease spacing, in µs.
    pub rtt_us: i64,
}

impl Aimd {
    pub(crate) fn new(start_bps: u64, min_bps: u64, max_bps: u64) -> Self {
        Self {
            min_bps,
            max_bps,
            current_bps: start_bps.clamp(min_bps, max_bps),
            state: RateState::Hold,
            last_change_us: None,
            capacity: LinkCapacity::default(),
            rtt_us: 200_000,
        }
    }

    pub(crate) fn bitrate(&self) -> u64 {
        self.current_bps
    }

    /// Sets the rate from outside (REMB, loss-based cap) so the next increase starts there.
    pub(crate) fn set_bitrate(&mut self, bps: u64) {
        self.current_bps = bps.clamp(self.min_bps, self.max_bps);
    }

    /// Whether another decrease is allowed now: one per round trip (10–200 ms), or at once when
    /// the measured throughput is below half the current rate.
    pub(crate) fn time_to_reduce(&self, now_us: i64, acked_bps: Option<u64>) -> bool {
        let interval = self.rtt_us.clamp(10_000, 200_000);
        let Some(last) = self.last_change_us else {
            return true;
        };
        now_us.saturating_sub(last) >= interval
            || acked_bps.is_some_and(|a| a < self.current_bps / 2)
    }

    /// One controller step with the detector's verdict and the measured throughput.
    pub(crate) fn update(
        &mut self,
        usage: BandwidthUsage,
        acked_bps: Option<u64>,
        now_us: i64,
    ) -> u64 {
        if usage == BandwidthUsage::Normal && self.state == RateState::Hold {
            // Increases accrue from when increasing starts, not over the time spent holding.
            self.last_change_us = Some(now_us);
        }
        self.state = match (usage, self.state) {
            (BandwidthUsage::Overusing, _) => RateState::Decrease,
            (BandwidthUsage::Underusing, _) => RateState::Hold,
            (BandwidthUsage::Normal, RateState::Hold) => RateState::Increase,
            (BandwidthUsage::Normal, s) => s,
        };
        let current = self.current_bps as f64;
        let acked = acked_bps.map(|a| a as f64);
        let mut new = current;
        match self.state {
            RateState::Hold => {}
            RateState::Increase => {
                if let (Some(a), Some(upper)) = (acked, self.capacity.upper_bps())
                    && a > upper
                {
                    // Throughput far above what over-use used to happen at: the path changed.
                    self.capacity = LinkCapacity::default();
                }
                let dt_s = self.last_change_us.map_or(0.0, |t| {
                    (now_us.saturating_sub(t) as f64 / 1e6).clamp(0.0, 1.0)
                });
                let increase = if self.capacity.mean_kbps.is_some() {
                    self.additive_rate(current) * dt_s
                } else {
                    (current * (INCREASE_PER_SECOND.powf(dt_s) - 1.0)).max(1000.0 * dt_s)
                };
                new = current + increase;
                self.last_change_us = Some(now_us);
            }
            RateState::Decrease => {
                let mut decreased = BETA * acked.unwrap_or(current);
                if decreased > current
                    && let Some(m) = self.capacity.mean_kbps
                {
                    decreased = BETA * m * 1000.0;
                }
                if decreased < current {
                    new = decreased;
                }
                if let Some(a) = acked {
                    if self.capacity.lower_bps().is_some_and(|l| a < l) {
                        self.capacity = LinkCapacity::default();
                    }
                    self.capacity.on_overuse(a);
                }
                self.state = RateState::Hold;
                self.last_change_us = Some(now_us);
            }
        }
        if let Some(a) = acked {
            let cap = 1.5 * a + 10_000.0;
            if new > current && new > cap {
                new = current.max(cap);
            }
        }
        self.current_bps = (new as u64).clamp(self.min_bps, self.max_bps);
        self.current_bps
    }

    /// About one packet per response time (RTT + 100 ms), in bit/s per second.
    fn additive_rate(&self, current: f64) -> f64 {
        let response_s = (self.rtt_us.max(0) as f64 / 1e6) + 0.1;
        let bits_per_frame = current / FRAME_RATE;
        let packets_per_frame = (bits_per_frame / (PACKET_BYTES * 8.0)).ceil().max(1.0);
        let packet_bits = bits_per_frame / packets_per_frame;
        (packet_bits / response_s).max(MIN_ADDITIVE_BPS_PER_S)
    }
}
