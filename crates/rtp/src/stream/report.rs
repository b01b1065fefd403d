//! Reception statistics of one source (RFC 3550 appendix A.3 and A.8): expected and lost
//! packets, fraction lost per report interval, interarrival jitter, and the report block built
//! from them.

use std::time::{Duration, Instant};

use super::to_ntp_short;
use crate::rtcp::ReportBlock;

/// The last SR of the source: its compact NTP time and when it arrived.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LastSr {
    pub middle_32: u32,
    pub arrival: Instant,
}

#[derive(Debug)]
pub(crate) struct Reception {
    clock_rate: u32,
    origin: Instant,
    base: Option<u64>,
    pub highest: u64,
    /// Unique packets received (retransmissions included, duplicates not).
    pub received: u64,
    expected_prior: u64,
    received_prior: u64,
    /// Interarrival jitter in timestamp units.
    pub jitter: f64,
    last_transit: Option<u32>,
    last_timestamp: Option<u32>,
}

impl Reception {
    pub fn new(clock_rate: u32, origin: Instant) -> Self {
        Self {
            clock_rate: clock_rate.max(1),
            origin,
            base: None,
            highest: 0,
            received: 0,
            expected_prior: 0,
            received_prior: 0,
            jitter: 0.0,
            last_transit: None,
            last_timestamp: None,
        }
    }

    /// A packet with extended sequence `ext` was accepted.
    pub fn on_packet(&mut self, ext: u64) {
        let base = *self.base.get_or_insert(ext);
        if ext < base {
            // Reordered before the first packet: extend the range backwards.
            self.base = Some(ext);
        }
        self.highest = self.highest.max(ext);
        self.received += 1;
    }

    /// After a sequence resync to `ext`: the jump is not loss, so the base moves with it.
    pub fn resync(&mut self, ext: u64) {
        if self.base.is_some() {
            let expected = self.expected();
            self.base = Some(ext.saturating_sub(expected));
            self.highest = ext.saturating_sub(1);
        }
        self.last_transit = None;
    }

    /// RFC 3550 A.8 interarrival jitter, updated for a packet first sent (not retransmitted)
    /// with RTP timestamp `ts` arriving at `now`. Only the first packet of each timestamp counts:
    /// the packets of one video frame leave together but are spread by pacing, which is not
    /// network jitter.
    pub fn on_timing(&mut self, now: Instant, ts: u32) {
        if self.last_timestamp == Some(ts) {
            return;
        }
        self.last_timestamp = Some(ts);
        let elapsed = now.saturating_duration_since(self.origin);
        let arrival = (elapsed.as_nanos() * u128::from(self.clock_rate) / 1_000_000_000) as u32;
        let transit = arrival.wrapping_sub(ts);
        if let Some(last) = self.last_transit {
            let d = f64::from((transit.wrapping_sub(last) as i32).unsigned_abs());
            self.jitter += (d - self.jitter) / 16.0;
        }
        self.last_transit = Some(transit);
    }

    pub fn expected(&self) -> u64 {
        self.base.map_or(0, |b| self.highest + 1 - b)
    }

    /// Cumulative lost: expected minus received (negative with duplicates counted by peers).
    pub fn lost(&self) -> i64 {
        self.expected() as i64 - self.received as i64
    }

    /// Jitter in seconds.
    pub fn jitter_seconds(&self) -> f64 {
        self.jitter / f64::from(self.clock_rate)
    }

    /// The report block for source `ssrc`; starts a new fraction-lost interval.
    pub fn report_block(
        &mut self,
        ssrc: u32,
        now: Instant,
        last_sr: Option<LastSr>,
    ) -> ReportBlock {
        let expected = self.expected();
        let expected_interval = expected - self.expected_prior;
        let received_interval = self.received - self.received_prior;
        self.expected_prior = expected;
        self.received_prior = self.received;
        let lost_interval = expected_interval.saturating_sub(received_interval);
        let fraction_lost = (lost_interval << 8)
            .checked_div(expected_interval)
            .map_or(0, |f| f.min(255) as u8);
        let (last_sr, delay) = last_sr.map_or((0, 0), |sr| {
            let delay: Duration = now.saturating_duration_since(sr.arrival);
            (sr.middle_32, to_ntp_short(delay))
        });
        ReportBlock {
            ssrc,
            fraction_lost,
            cumulative_lost: self.lost().clamp(-0x80_0000, 0x7f_ffff) as i32,
            extended_highest_seq: self.highest as u32,
            jitter: self.jitter as u32,
            last_sr,
            delay_since_last_sr: delay,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_follows_rfc3550() {
        let t0 = Instant::now();
        let mut r = Reception::new(90_000, t0);
        // Constant transit: no jitter.
        for i in 0..10u32 {
            r.on_timing(t0 + Duration::from_millis(33 * u64::from(i)), 2970 * i);
        }
        assert_eq!(r.jitter, 0.0);
        // Alternating 10 ms early/late (900 ticks each way, D = 1800 ticks after the first):
        // J converges to |D| = 1800.
        let mut r = Reception::new(90_000, t0);
        for i in 0..400u32 {
            let off = if i % 2 == 0 { 0 } else { 10 };
            r.on_timing(
                t0 + Duration::from_millis(40 * u64::from(i) + off),
                3600 * i,
            );
        }
        assert!((r.jitter - 900.0).abs() < 1.0, "jitter {}", r.jitter);
        assert!((r.jitter_seconds() - 0.01).abs() < 1e-4);
        // The first step is D/16.
        let mut r = Reception::new(8000, t0);
        r.on_timing(t0, 0);
        r.on_timing(t0 + Duration::from_millis(20 + 2), 160);
        assert_eq!(r.jitter, 16.0 / 16.0);
        // Packets of one timestamp count once.
        r.on_timing(t0 + Duration::from_millis(500), 160);
        assert_eq!(r.jitter, 1.0);
    }

    #[test]
    fn loss_and_fraction() {
        let t0 = Instant::now();
        let mut r = Reception::new(90_000, t0);
        for ext in [100u64, 101, 103, 104] {
            r.on_packet(ext);
        }
        let b = r.report_block(9, t0, None);
        assert_eq!(b.cumulative_lost, 1);
        assert_eq!(b.fraction_lost, 51); // 1/5 * 256
        assert_eq!(b.extended_highest_seq, 104);
        assert_eq!((b.last_sr, b.delay_since_last_sr), (0, 0));
        r.on_packet(102); // late arrival: lost goes back to 0
        r.on_packet(105);
        let sr = LastSr {
            middle_32: 0x1234_5678,
            arrival: t0,
        };
        let b = r.report_block(9, t0 + Duration::from_millis(1500), Some(sr));
        assert_eq!(b.cumulative_lost, 0);
        assert_eq!(b.fraction_lost, 0);
        assert_eq!(b.last_sr, 0x1234_5678);
        assert_eq!(b.delay_since_last_sr, 0x0001_8000);
    }
}
