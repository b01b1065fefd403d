//! Delay-based estimate: groups → trendline → over-use detector → AIMD, shared by the send side
//! (arrival times from transport-wide feedback) and the receive side (REMB).

use crate::aimd::Aimd;
use crate::inter_arrival::{InterArrival, PacketTiming};
use crate::overuse::{BandwidthUsage, OveruseDetector};
use crate::trendline::Trendline;

/// The delay-based pipeline.
#[derive(Debug, Clone)]
pub(crate) struct DelayBased {
    inter: InterArrival,
    trend: Trendline,
    detector: OveruseDetector,
    pub aimd: Aimd,
    overuse_seen: bool,
    resets_seen: u64,
    last_modified_trend: f64,
}

/// A modified trend below minus this (ms) holds the rate even when the detector says normal.
const DRAIN_HOLD_MS: f64 = 6.0;

impl DelayBased {
    pub(crate) fn new(start_bps: u64, min_bps: u64, max_bps: u64) -> Self {
        Self {
            inter: InterArrival::default(),
            trend: Trendline::default(),
            detector: OveruseDetector::default(),
            aimd: Aimd::new(start_bps, min_bps, max_bps),
            overuse_seen: false,
            resets_seen: 0,
            last_modified_trend: 0.0,
        }
    }

    /// Feeds one received packet (in arrival order).
    pub(crate) fn on_packet(&mut self, p: PacketTiming) {
        let delta = self.inter.on_packet(p);
        if self.inter.resets != self.resets_seen {
            // The receiver clock jumped: delays measured before mean nothing now.
            self.resets_seen = self.inter.resets;
            self.trend.reset();
            self.detector = OveruseDetector::default();
        }
        let Some(d) = delta else { return };
        let m = self
            .trend
            .update(d.send_delta_us, d.arrival_delta_us, d.arrival_us);
        self.last_modified_trend = m;
        let usage = self
            .detector
            .detect(m, self.trend.trend, d.send_delta_us, d.arrival_us);
        if usage == BandwidthUsage::Overusing {
            self.overuse_seen = true;
        }
    }

    /// One rate-control step after a batch of packets; returns the delay-based estimate.
    ///
    /// Over-use seen anywhere in the batch (or still current) decreases the rate, at most once
    /// per round trip; otherwise the detector's current verdict drives the controller.
    pub(crate) fn update(&mut self, acked_bps: Option<u64>, now_us: i64) -> u64 {
        let overuse = std::mem::take(&mut self.overuse_seen)
            || self.detector.usage == BandwidthUsage::Overusing;
        if overuse {
            if self.aimd.time_to_reduce(now_us, acked_bps) {
                return self
                    .aimd
                    .update(BandwidthUsage::Overusing, acked_bps, now_us);
            }
            return self.aimd.bitrate();
        }
        // The adaptive threshold follows a long drain down: the detector then says "normal"
        // while the queue is still emptying. Increasing then would refill the queue before it
        // is gone, so a clearly falling delay holds the rate like under-use does.
        let usage = if self.detector.usage == BandwidthUsage::Normal
            && self.last_modified_trend < -DRAIN_HOLD_MS
        {
            BandwidthUsage::Underusing
        } else {
            self.detector.usage
        };
        self.aimd.update(usage, acked_bps, now_us)
    }

    /// Current detector verdict.
    pub(crate) fn usage(&self) -> BandwidthUsage {
        self.detector.usage
    }

    /// Current adaptive threshold in ms.
    pub(crate) fn threshold_ms(&self) -> f64 {
        self.detector.threshold_ms()
    }

    /// Clock-jump resets and reordered group pairs so far.
    pub(crate) fn anomalies(&self) -> (u64, u64) {
        (self.inter.resets, self.inter.reordered)
    }
}
