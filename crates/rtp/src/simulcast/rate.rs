//! A layer's received bitrate over a sliding window, in fixed-size buckets.

use std::time::{Duration, Instant};

/// Width of one bucket.
const BUCKET: Duration = Duration::from_millis(100);
/// Buckets in the window (one second).
const BUCKETS: usize = 10;
/// The window the bitrate is averaged over.
pub(crate) const RATE_WINDOW: Duration = Duration::from_secs(1);

/// Bytes received per bucket over the last [`RATE_WINDOW`].
#[derive(Debug, Clone)]
pub(crate) struct RateWindow {
    epoch: Instant,
    buckets: [u64; BUCKETS],
    /// Index (since `epoch`) of the newest bucket written.
    newest: Option<u64>,
    first: Option<Instant>,
}

impl RateWindow {
    pub(crate) fn new(epoch: Instant) -> Self {
        Self {
            epoch,
            buckets: [0; BUCKETS],
            newest: None,
            first: None,
        }
    }

    fn index(&self, now: Instant) -> u64 {
        let since = now.saturating_duration_since(self.epoch);
        (since.as_nanos() / BUCKET.as_nanos()) as u64
    }

    /// Counts `bytes` received at `now` (a `now` earlier than a previous one counts in the
    /// newest bucket).
    pub(crate) fn add(&mut self, now: Instant, bytes: usize) {
        let idx = self.index(now);
        let idx = match self.newest {
            Some(n) if idx > n => {
                for i in (n + 1)..=idx.min(n + BUCKETS as u64) {
                    self.buckets[(i % BUCKETS as u64) as usize] = 0;
                }
                idx
            }
            Some(n) => n,
            None => {
                self.buckets = [0; BUCKETS];
                idx
            }
        };
        self.newest = Some(idx);
        self.first.get_or_insert(now);
        let b = &mut self.buckets[(idx % BUCKETS as u64) as usize];
        *b = b.saturating_add(bytes as u64);
    }

    /// Bits per second over the window ending at `now` (over the time since the first byte when
    /// that is shorter, so a layer that just started is not underestimated).
    pub(crate) fn bitrate(&self, now: Instant) -> u64 {
        let (Some(newest), Some(first)) = (self.newest, self.first) else {
            return 0;
        };
        let now_idx = self.index(now).max(newest);
        let stale = now_idx - newest;
        if stale >= BUCKETS as u64 {
            return 0;
        }
        let valid = BUCKETS as u64 - stale;
        let bytes: u64 = (0..valid.min(newest + 1))
            .map(|k| self.buckets[((newest - k) % BUCKETS as u64) as usize])
            .sum();
        let span = now
            .saturating_duration_since(first)
            .clamp(BUCKET, RATE_WINDOW);
        let bits = u128::from(bytes) * 8 * 1_000_000;
        u64::try_from(bits / span.as_micros().max(1)).unwrap_or(u64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steady_rate_is_measured_and_decays_when_silent() {
        let t0 = Instant::now();
        let mut w = RateWindow::new(t0);
        // 1250 bytes every 10 ms = 1 Mbit/s, for 3 s.
        for i in 0..300 {
            w.add(t0 + Duration::from_millis(10 * i), 1250);
        }
        let at = t0 + Duration::from_millis(2995);
        let r = w.bitrate(at);
        assert!((900_000..=1_100_000).contains(&r), "{r}");
        // Half a second of silence halves it; two seconds empty it.
        let r = w.bitrate(at + Duration::from_millis(500));
        assert!((400_000..=600_000).contains(&r), "{r}");
        assert_eq!(w.bitrate(at + Duration::from_secs(2)), 0);
        // Resumes from an empty window.
        w.add(at + Duration::from_secs(5), 1000);
        assert!(w.bitrate(at + Duration::from_secs(5)) > 0);
    }

    #[test]
    fn young_layer_is_not_underestimated() {
        let t0 = Instant::now();
        let mut w = RateWindow::new(t0);
        for i in 0..20 {
            w.add(t0 + Duration::from_millis(10 * i), 1250);
        }
        let r = w.bitrate(t0 + Duration::from_millis(195));
        assert!((800_000..=1_300_000).contains(&r), "{r}");
    }
}
