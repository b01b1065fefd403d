//! Over-use detector with an adaptive threshold (draft-ietf-rmcat-gcc-02 sections 5.4, 5.5).
//!
//! The modified trend is compared with a threshold γ that follows it slowly upwards and quickly
//! downwards, so that a competing TCP flow's standing queue does not starve the stream while a
//! queue building from our own traffic is still caught.

/// What the path is doing, as judged from the delay trend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BandwidthUsage {
    /// Delay is stable.
    #[default]
    Normal,
    /// Delay grows: a queue is building.
    Overusing,
    /// Delay shrinks: a queue is draining.
    Underusing,
}

/// Initial threshold γ, in ms.
const INITIAL_THRESHOLD_MS: f64 = 12.5;
/// γ bounds, in ms.
const MIN_THRESHOLD_MS: f64 = 6.0;
const MAX_THRESHOLD_MS: f64 = 600.0;
/// Adaptation gains when the trend is above (`K_UP`) or below (`K_DOWN`) γ.
const K_UP: f64 = 0.0087;
const K_DOWN: f64 = 0.039;
/// Trends further than this beyond γ (ms) are outliers and do not move it.
const MAX_ADAPT_OFFSET_MS: f64 = 15.0;
/// Longest time step for one adaptation, in ms.
const MAX_TIME_DELTA_MS: f64 = 100.0;
/// Over-use must last this long (ms of send time) before it is signalled.
const OVERUSE_TIME_MS: f64 = 10.0;

/// Detector state.
#[derive(Debug, Clone)]
pub(crate) struct OveruseDetector {
    threshold_ms: f64,
    last_update_us: Option<i64>,
    time_over_using_ms: Option<f64>,
    overuse_count: u32,
    prev_trend: f64,
    pub usage: BandwidthUsage,
}

impl Default for OveruseDetector {
    fn default() -> Self {
        Self {
            threshold_ms: INITIAL_THRESHOLD_MS,
            last_update_us: None,
            time_over_using_ms: None,
            overuse_count: 0,
            prev_trend: 0.0,
            usage: BandwidthUsage::Normal,
        }
    }
}

impl OveruseDetector {
    /// Classifies one modified trend `m` (ms); `trend` is the raw slope, `send_delta_us` the
    /// group's send delta and `now_us` its arrival time.
    pub(crate) fn detect(
        &mut self,
        m: f64,
        trend: f64,
        send_delta_us: i64,
        now_us: i64,
    ) -> BandwidthUsage {
        if m > self.threshold_ms {
            let step = send_delta_us as f64 / 1000.0;
            let t = match self.time_over_using_ms {
                None => step / 2.0,
                Some(t) => t + step,
            };
            self.time_over_using_ms = Some(t);
            self.overuse_count += 1;
            if t > OVERUSE_TIME_MS && self.overuse_count > 1 && trend >= self.prev_trend {
                self.time_over_using_ms = Some(0.0);
                self.overuse_count = 0;
                self.usage = BandwidthUsage::Overusing;
            }
        } else if m < -self.threshold_ms {
            self.time_over_using_ms = None;
            self.overuse_count = 0;
            self.usage = BandwidthUsage::Underusing;
        } else {
            self.time_over_using_ms = None;
            self.overuse_count = 0;
            self.usage = BandwidthUsage::Normal;
        }
        self.prev_trend = trend;
        self.adapt_threshold(m, now_us);
        self.usage
    }

    fn adapt_threshold(&mut self, m: f64, now_us: i64) {
        let last = *self.last_update_us.get_or_insert(now_us);
        let abs = m.abs();
        if abs > self.threshold_ms + MAX_ADAPT_OFFSET_MS {
            self.last_update_us = Some(now_us);
            return;
        }
        let k = if abs < self.threshold_ms {
            K_DOWN
        } else {
            K_UP
        };
        let dt_ms = (now_us.saturating_sub(last) as f64 / 1000.0).clamp(0.0, MAX_TIME_DELTA_MS);
        self.threshold_ms += k * (abs - self.threshold_ms) * dt_ms;
        self.threshold_ms = self.threshold_ms.clamp(MIN_THRESHOLD_MS, MAX_THRESHOLD_MS);
        self.last_update_us = Some(now_us);
    }

    /// The current threshold γ in ms.
    pub(crate) fn threshold_ms(&self) -> f64 {
        self.threshold_ms
    }
}
