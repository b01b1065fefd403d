//! The NACK generator (RFC 4585 section 6.2.1): which missing packets to ask for, and when to
//! ask again.
//!
//! A NACK sent once is lost as easily as the packet it asks for; receivers that never repeat it
//! freeze until the next keyframe. Here every missing sequence number is asked for once the
//! reordering seen on the path makes a late arrival unlikely, then again every
//! [`nack_retry_interval`] until it arrives, falls out of the jitter buffer, or has been asked
//! for `max_retries` times.
//!
//! A packet that cannot be recovered any more (asked for `max_retries` times, or in a gap too
//! long to track: more than [`MAX_NACK_ENTRIES`], which is also about the sender's default
//! history) is reported through `take_unrecoverable`, so the receiver gives up on the gap and
//! asks for a keyframe at once instead of waiting out its whole latency.
//!
//! The wait before the first request covers the reordering seen on the path: every original
//! that fills a gap late adds its delay (from noticing the gap to its arrival) to a histogram
//! of 1 ms buckets, and the first NACK waits 5/4 of the delay that [`REORDER_QUANTILE`] of
//! those late arrivals stayed within, at most half an RTT and [`MAX_REORDER_WAIT`]. Bursty
//! video on a jittery path reorders a large share of its packets by a few milliseconds and a
//! few by much more; a running maximum that decays at each new gap forgets the long tail
//! between two of its samples and NACKs packets that are merely late (the original then
//! arrives and the retransmission is wasted). The counts halve every [`REORDER_HALF_LIFE`], so
//! a path that stops reordering gets immediate NACKs again within seconds.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// Most missing packets tracked at once. A larger gap keeps only the newest entries (the oldest
/// would be skipped by the jitter buffer before they could be recovered anyway).
pub const MAX_NACK_ENTRIES: usize = 1000;

/// Longest wait before the first request for a missing packet.
pub const MAX_REORDER_WAIT: Duration = Duration::from_millis(50);

/// Share of late originals (in thousandths) that the first-request wait covers.
pub const REORDER_QUANTILE: u32 = 995;

/// The reordering histogram's counts halve this often, so it follows the path's recent
/// behaviour.
pub const REORDER_HALF_LIFE: Duration = Duration::from_secs(2);

/// Width of a reordering histogram bucket.
const REORDER_BUCKET: Duration = Duration::from_millis(1);
/// Buckets up to [`MAX_REORDER_WAIT`]; longer delays count in the last one.
const REORDER_BUCKETS: usize = 51;

/// Lower bound on the retry interval, so a tiny measured RTT does not flood the sender.
const MIN_RETRY_INTERVAL: Duration = Duration::from_millis(20);

/// How long after a NACK the same packet is asked for again: the RTT plus a quarter of it as
/// margin for jitter and the sender's pacing, at least 20 ms. (With 1.5 RTT, a 75 ms path gets
/// only two requests into a 300 ms jitter buffer instead of three.)
pub fn nack_retry_interval(rtt: Duration) -> Duration {
    (rtt + rtt / 4).max(MIN_RETRY_INTERVAL)
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    sent: u32,
    next_send: Instant,
    detected: Instant,
}

/// Missing packets by extended sequence number.
#[derive(Debug)]
pub(crate) struct NackList {
    entries: BTreeMap<u64, Entry>,
    max_retries: u32,
    reorder: ReorderHistogram,
    /// No entry is due before this (a lower bound: removals do not raise it), so that polling
    /// between deadlines costs nothing.
    earliest: Option<Instant>,
    /// Entries dropped because the list was full.
    pub overflowed: u64,
    /// Entries dropped after `max_retries` requests.
    pub gave_up: u64,
    /// Everything below this extended sequence number was given up on since the last
    /// `take_unrecoverable`.
    unrecoverable: Option<u64>,
}

impl NackList {
    pub fn new(max_retries: u32) -> Self {
        Self {
            entries: BTreeMap::new(),
            max_retries,
            reorder: ReorderHistogram::default(),
            earliest: None,
            overflowed: 0,
            gave_up: 0,
            unrecoverable: None,
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// The current reordering estimate: the delay [`REORDER_QUANTILE`] of late originals
    /// stayed within.
    #[cfg(test)]
    pub fn reorder(&self) -> Duration {
        self.reorder.quantile()
    }

    /// Packets `from..to` (extended) went missing at `now`.
    pub fn add_range(&mut self, now: Instant, from: u64, to: u64, rtt: Duration) {
        self.reorder.age(now);
        let reorder = self.reorder.quantile();
        let wait = (reorder + reorder / 4).min(rtt / 2).min(MAX_REORDER_WAIT);
        if to - from > MAX_NACK_ENTRIES as u64 {
            // Too long to track, and older than most senders keep: not worth a NACK.
            self.overflowed += to - from;
            self.give_up_before(to);
            return;
        }
        for seq in from..to {
            self.entries.insert(
                seq,
                Entry {
                    sent: 0,
                    next_send: now + wait,
                    detected: now,
                },
            );
        }
        let first = now + wait;
        self.earliest = Some(self.earliest.map_or(first, |e| e.min(first)));
        while self.entries.len() > MAX_NACK_ENTRIES {
            if let Some((seq, _)) = self.entries.pop_first() {
                self.give_up_before(seq + 1);
            }
            self.overflowed += 1;
        }
    }

    fn give_up_before(&mut self, seq: u64) {
        self.unrecoverable = Some(self.unrecoverable.map_or(seq, |u| u.max(seq)));
    }

    /// The extended sequence number below which packets were given up on (dropped from the
    /// list unrecovered) since the last call, if any were.
    pub fn take_unrecoverable(&mut self) -> Option<u64> {
        self.unrecoverable.take()
    }

    /// The packet arrived at `now` (as a retransmission if `retransmitted`); true if it was
    /// missing. An original arriving late measures reordering.
    pub fn remove(&mut self, now: Instant, seq: u64, retransmitted: bool) -> bool {
        let Some(e) = self.entries.remove(&seq) else {
            return false;
        };
        if !retransmitted {
            self.reorder.age(now);
            self.reorder
                .record(now.saturating_duration_since(e.detected));
        }
        true
    }

    /// Forgets everything older than `seq` (the jitter buffer moved past it).
    pub fn drop_before(&mut self, seq: u64) {
        self.entries = self.entries.split_off(&seq);
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// The sequence numbers to ask for at `now`, in order; schedules their next request.
    pub fn due(&mut self, now: Instant, rtt: Duration) -> Vec<u16> {
        if self.earliest.is_none_or(|e| now < e) {
            return Vec::new();
        }
        let interval = nack_retry_interval(rtt);
        let mut out = Vec::new();
        let max = self.max_retries;
        let mut exhausted = 0;
        let mut unrecoverable = None;
        self.entries.retain(|&seq, e| {
            if e.next_send > now {
                return true;
            }
            if e.sent >= max {
                exhausted += 1;
                unrecoverable = Some(seq + 1);
                return false;
            }
            e.sent += 1;
            e.next_send = now + interval;
            out.push(seq as u16);
            true
        });
        self.gave_up += exhausted;
        if let Some(seq) = unrecoverable {
            self.give_up_before(seq);
        }
        self.earliest = self.entries.values().map(|e| e.next_send).min();
        out
    }

    /// When the next entry is due.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.earliest.filter(|_| !self.entries.is_empty())
    }
}

/// Delays of late originals in 1 ms buckets, with counts halving every
/// [`REORDER_HALF_LIFE`].
#[derive(Debug)]
struct ReorderHistogram {
    counts: [u32; REORDER_BUCKETS],
    total: u64,
    halved_at: Option<Instant>,
}

impl Default for ReorderHistogram {
    fn default() -> Self {
        Self {
            counts: [0; REORDER_BUCKETS],
            total: 0,
            halved_at: None,
        }
    }
}

impl ReorderHistogram {
    fn record(&mut self, delay: Duration) {
        let bucket = (delay.as_micros() / REORDER_BUCKET.as_micros()) as usize;
        let bucket = bucket.min(REORDER_BUCKETS - 1);
        // Counts halve every couple of seconds, so they stay far below u32::MAX.
        self.counts[bucket] = self.counts[bucket].saturating_add(1);
        self.total += 1;
    }

    fn age(&mut self, now: Instant) {
        let since = *self.halved_at.get_or_insert(now);
        if now.saturating_duration_since(since) < REORDER_HALF_LIFE {
            return;
        }
        self.halved_at = Some(now);
        self.total = 0;
        for c in &mut self.counts {
            *c /= 2;
            self.total += u64::from(*c);
        }
    }

    /// The upper edge of the bucket where the [`REORDER_QUANTILE`] share of samples is
    /// reached; zero without samples.
    fn quantile(&self) -> Duration {
        if self.total == 0 {
            return Duration::ZERO;
        }
        let want = (self.total * u64::from(REORDER_QUANTILE)).div_ceil(1000);
        let mut seen = 0;
        for (i, c) in self.counts.iter().enumerate() {
            seen += u64::from(*c);
            if seen >= want {
                return REORDER_BUCKET * (i as u32 + 1);
            }
        }
        REORDER_BUCKET * REORDER_BUCKETS as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_at_rtt_intervals_until_max() {
        let t0 = Instant::now();
        let rtt = Duration::from_millis(40);
        let mut n = NackList::new(3);
        n.add_range(t0, 5, 7, rtt);
        assert_eq!(n.due(t0, rtt), vec![5, 6]);
        assert!(n.due(t0 + Duration::from_millis(49), rtt).is_empty());
        assert_eq!(n.next_deadline(), Some(t0 + Duration::from_millis(50)));
        let t1 = t0 + Duration::from_millis(50);
        // 6 arrived meanwhile: only 5 is asked again.
        assert!(n.remove(t1, 6, true));
        assert_eq!(n.due(t1, rtt), vec![5]);
        let t2 = t1 + Duration::from_millis(50);
        assert_eq!(n.due(t2, rtt), vec![5]);
        // Third request was the last: the fourth deadline drops it.
        assert_eq!(n.take_unrecoverable(), None);
        assert!(n.due(t2 + Duration::from_millis(50), rtt).is_empty());
        assert_eq!(n.len(), 0);
        assert_eq!(n.gave_up, 1);
        assert_eq!(n.take_unrecoverable(), Some(6), "5 is lost for good");
        assert_eq!(n.take_unrecoverable(), None);
    }

    const DEFAULT: Duration = Duration::from_millis(100);

    #[test]
    fn first_request_waits_for_observed_reordering() {
        let t0 = Instant::now();
        let mut n = NackList::new(10);
        n.add_range(t0, 1, 2, DEFAULT);
        // The original shows up 8 ms late: reordering, not loss.
        assert!(n.remove(t0 + Duration::from_millis(8), 1, false));
        assert_eq!(n.reorder(), Duration::from_millis(9), "the 8..9 ms bucket");
        // The next gap waits 5/4 of it before the first NACK.
        let t1 = t0 + Duration::from_millis(500);
        n.add_range(t1, 10, 11, DEFAULT);
        let wait = Duration::from_millis(9) * 5 / 4;
        assert!(
            n.due(t1 + wait - Duration::from_micros(1), DEFAULT)
                .is_empty()
        );
        assert_eq!(n.due(t1 + wait, DEFAULT), vec![10]);
        // Never longer than half an RTT.
        n.add_range(t1, 20, 21, Duration::from_millis(4));
        assert_eq!(n.due(t1 + Duration::from_millis(2), DEFAULT), vec![20]);
        // A retransmission filling the gap says nothing about reordering.
        n.add_range(t1, 30, 31, DEFAULT);
        assert!(n.remove(t1 + Duration::from_millis(40), 30, true));
        assert_eq!(n.reorder(), Duration::from_millis(9));
    }

    #[test]
    fn the_rare_long_reordering_is_remembered_among_many_short_ones() {
        let t0 = Instant::now();
        let mut n = NackList::new(10);
        let mut seq = 0;
        let mut at = t0;
        // Jitter reorders most gaps by 2 ms and one in a hundred by 18 ms; between two long
        // ones there are dozens of short ones (a decaying maximum forgets the long one).
        for i in 0..300 {
            let late = if i % 100 == 50 { 18 } else { 2 };
            n.add_range(at, seq, seq + 1, DEFAULT);
            assert!(n.remove(at + Duration::from_millis(late), seq, false));
            seq += 1;
            at += Duration::from_millis(5);
        }
        assert_eq!(n.reorder(), Duration::from_millis(19));
        // Once the path stops reordering, the counts halve away and NACKs are immediate again.
        let mut quiet = at;
        for _ in 0..12 {
            quiet += REORDER_HALF_LIFE;
            n.add_range(quiet, seq, seq + 1, DEFAULT);
            seq += 1;
        }
        assert_eq!(n.reorder(), Duration::ZERO);
    }

    #[test]
    fn bounded_and_trimmed() {
        let t0 = Instant::now();
        let mut n = NackList::new(10);
        // A gap too long to track is given up on whole.
        n.add_range(t0, 0, 50_000, DEFAULT);
        assert_eq!(n.len(), 0);
        assert_eq!(n.overflowed, 50_000);
        assert_eq!(n.take_unrecoverable(), Some(50_000));
        // Gaps that fill the list push the oldest entries out, unrecovered.
        for k in 0..MAX_NACK_ENTRIES as u64 / 10 + 1 {
            n.add_range(t0, 50_001 + k * 11, 50_011 + k * 11, DEFAULT);
        }
        assert_eq!(n.len(), MAX_NACK_ENTRIES);
        assert_eq!(n.take_unrecoverable(), Some(50_011));
        n.drop_before(50_011 + 99 * 11);
        assert_eq!(n.len(), 10);
        assert_eq!(nack_retry_interval(Duration::ZERO), MIN_RETRY_INTERVAL);
    }
}
