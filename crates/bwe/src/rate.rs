//! Throughput over a sliding window of time (the "acknowledged bitrate" of the send side and the
//! incoming bitrate of the receive side).

use std::collections::VecDeque;

/// Most samples a rate window keeps; when more arrive inside one window the oldest are dropped,
/// so the estimate then covers a shorter span (it stays correct, only noisier).
pub const MAX_RATE_SAMPLES: usize = 4096;

/// Bytes seen per instant over the last `window_us` microseconds.
#[derive(Debug, Clone)]
pub(crate) struct RateWindow {
    window_us: i64,
    samples: VecDeque<(i64, u64)>,
    bytes: u64,
    first_us: Option<i64>,
}

impl RateWindow {
    pub(crate) fn new(window_us: i64) -> Self {
        Self {
            window_us: window_us.max(1),
            samples: VecDeque::new(),
            bytes: 0,
            first_us: None,
        }
    }

    /// Counts `bytes` at `at_us`. Samples older than the newest one are counted at the newest
    /// time, which keeps the window ordered (reordered arrivals are at most a few ms apart).
    pub(crate) fn add(&mut self, at_us: i64, bytes: u64) {
        if self
            .samples
            .back()
            .is_some_and(|(t, _)| at_us.saturating_add(self.window_us) < *t)
        {
            // Far older than the newest sample: the clock jumped back; start over.
            self.reset();
        }
        let at = self.samples.back().map_or(at_us, |(t, _)| (*t).max(at_us));
        self.first_us.get_or_insert(at);
        match self.samples.back_mut() {
            Some(back) if back.0 == at => back.1 = back.1.saturating_add(bytes),
            _ => self.samples.push_back((at, bytes)),
        }
        self.bytes = self.bytes.saturating_add(bytes);
        if self.samples.len() > MAX_RATE_SAMPLES
            && let Some((_, b)) = self.samples.pop_front()
        {
            self.bytes = self.bytes.saturating_sub(b);
        }
        self.expire(at);
    }

    fn expire(&mut self, now_us: i64) {
        let horizon = now_us.saturating_sub(self.window_us);
        while let Some(&(t, b)) = self.samples.front() {
            if t > horizon {
                break;
            }
            self.samples.pop_front();
            self.bytes = self.bytes.saturating_sub(b);
        }
    }

    /// Bits per second over the window ending at `now_us`, or `None` until samples cover at
    /// least half a window (a rate from a few packets says little).
    pub(crate) fn rate(&mut self, now_us: i64) -> Option<u64> {
        self.expire(now_us);
        let span = now_us.saturating_sub(self.first_us?);
        if span < self.window_us / 2 {
            return None;
        }
        let span = u128::try_from(span.min(self.window_us)).ok()?.max(1);
        let bps = u128::from(self.bytes) * 8 * 1_000_000 / span;
        Some(u64::try_from(bps).unwrap_or(u64::MAX))
    }

    /// Forgets every sample (after a long pause the old rate means nothing).
    pub(crate) fn reset(&mut self) {
        self.samples.clear();
        self.bytes = 0;
        self.first_us = None;
    }
}
