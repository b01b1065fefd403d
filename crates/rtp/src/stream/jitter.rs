//! The packet-level jitter buffer: reorders packets by extended sequence number and releases
//! them in order, waiting at most a configured latency for a missing one.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crate::RtpHeader;

/// Most packets held by a jitter buffer (about 1.5 s of 10 Mbit/s video). When a new packet
/// would exceed it, the buffer stops waiting for the oldest gap at once.
pub const MAX_JITTER_PACKETS: usize = 1500;

/// How long the first packets are held so that ones reordered before the first arrival still
/// make it (the first packet cannot show a gap before itself); capped by the latency.
pub const START_WAIT: Duration = Duration::from_millis(20);

/// A buffered packet.
#[derive(Debug, Clone)]
pub(crate) struct Stored {
    pub header: RtpHeader,
    pub payload: Vec<u8>,
    pub arrival: Instant,
}

/// What happened to an inserted packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Insert {
    Stored,
    Duplicate,
    /// Older than what was already released (or given up on).
    Late,
}

/// What leaves the buffer next.
#[derive(Debug)]
pub(crate) enum Pop {
    /// The next packet in sequence.
    Packet(Stored),
    /// The buffer gave up on `count` packets starting at extended sequence `first`.
    Skipped { first: u64, count: u64 },
}

/// Releases packets in extended sequence order.
///
/// A missing packet is waited for until `latency` after the earliest arrival among the packets
/// held behind it (the moment the gap became visible), then skipped. Nothing leaves during the
/// first [`START_WAIT`] after the first arrival.
#[derive(Debug)]
pub(crate) struct JitterBuffer {
    latency: Duration,
    packets: BTreeMap<u64, Stored>,
    next: Option<u64>,
    blocked_since: Option<Instant>,
    first_arrival: Option<Instant>,
    /// Gaps below this extended sequence number are skipped without waiting (the packets are
    /// known to be unrecoverable).
    give_up_before: u64,
}

impl JitterBuffer {
    pub fn new(latency: Duration) -> Self {
        Self {
            latency,
            packets: BTreeMap::new(),
            next: None,
            blocked_since: None,
            first_arrival: None,
            give_up_before: 0,
        }
    }

    /// Stops waiting for missing packets below `ext`: their gaps are skipped at the next
    /// [`pop`](Self::pop).
    pub fn give_up_before(&mut self, ext: u64) {
        self.give_up_before = self.give_up_before.max(ext);
    }

    pub fn set_latency(&mut self, latency: Duration) {
        self.latency = latency;
    }

    fn start_wait(&self) -> Duration {
        START_WAIT.min(self.latency)
    }

    /// The next extended sequence number to release, once the first packet arrived.
    #[cfg(test)]
    pub fn next(&self) -> Option<u64> {
        self.next
    }

    /// True once packets are being released (the start wait is over).
    pub fn started(&self) -> bool {
        self.next.is_some()
    }

    pub fn len(&self) -> usize {
        self.packets.len()
    }

    /// Classifies without storing (so the caller can count the packet before storing it).
    pub fn check(&self, ext: u64) -> Insert {
        if self.next.is_some_and(|n| ext < n) {
            Insert::Late
        } else if self.packets.contains_key(&ext) {
            Insert::Duplicate
        } else {
            Insert::Stored
        }
    }

    pub fn insert(&mut self, ext: u64, packet: Stored) -> Insert {
        let verdict = self.check(ext);
        if verdict == Insert::Stored {
            self.first_arrival.get_or_insert(packet.arrival);
            self.packets.insert(ext, packet);
        }
        verdict
    }

    /// Drops everything and restarts the sequence at `next` (after a sequence resync); returns
    /// how many packets were dropped.
    pub fn reset(&mut self, next: u64) -> usize {
        let n = self.packets.len();
        self.packets.clear();
        self.next = Some(next);
        self.blocked_since = None;
        n
    }

    /// The next packet or skip, if one is due at `now`.
    pub fn pop(&mut self, now: Instant) -> Option<Pop> {
        let Some((&first, _)) = self.packets.first_key_value() else {
            self.blocked_since = None;
            return None;
        };
        let next = match self.next {
            Some(next) => next,
            None => {
                let start = self.first_arrival? + self.start_wait();
                if now < start && self.packets.len() <= MAX_JITTER_PACKETS {
                    return None;
                }
                *self.next.insert(first)
            }
        };
        if first == next {
            self.next = Some(next + 1);
            self.blocked_since = None;
            return self.packets.remove(&first).map(Pop::Packet);
        }
        let since = *self.blocked_since.get_or_insert_with(|| {
            self.packets
                .values()
                .map(|p| p.arrival)
                .min()
                .unwrap_or(now)
        });
        if self.packets.len() > MAX_JITTER_PACKETS
            || now >= since + self.latency
            || next < self.give_up_before
        {
            self.next = Some(first);
            self.blocked_since = None;
            return Some(Pop::Skipped {
                first: next,
                count: first - next,
            });
        }
        None
    }

    /// When the current gap will be given up on.
    pub fn deadline(&self) -> Option<Instant> {
        if self.next.is_none() {
            return self.first_arrival.map(|t| t + self.start_wait());
        }
        self.blocked_since.map(|s| s + self.latency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(seq: u16, arrival: Instant) -> Stored {
        Stored {
            header: RtpHeader {
                sequence_number: seq,
                ..Default::default()
            },
            payload: vec![1],
            arrival,
        }
    }

    fn seqs(jb: &mut JitterBuffer, now: Instant) -> Vec<i64> {
        let mut out = Vec::new();
        while let Some(p) = jb.pop(now) {
            out.push(match p {
                Pop::Packet(s) => i64::from(s.header.sequence_number),
                Pop::Skipped { count, .. } => -(count as i64),
            });
        }
        out
    }

    #[test]
    fn reorders_then_gives_up_after_latency() {
        let t0 = Instant::now();
        let lat = Duration::from_millis(100);
        let mut jb = JitterBuffer::new(lat);
        assert_eq!(jb.insert(10, stored(10, t0)), Insert::Stored);
        // The start wait lets a packet reordered before the first one in.
        assert_eq!(seqs(&mut jb, t0), Vec::<i64>::new());
        assert_eq!(jb.deadline(), Some(t0 + START_WAIT));
        jb.insert(9, stored(9, t0 + Duration::from_millis(3)));
        let t0 = t0 + START_WAIT;
        assert_eq!(seqs(&mut jb, t0), vec![9, 10]);
        jb.insert(13, stored(13, t0));
        jb.insert(12, stored(12, t0 + Duration::from_millis(5)));
        assert_eq!(seqs(&mut jb, t0), Vec::<i64>::new());
        assert_eq!(jb.deadline(), Some(t0 + lat));
        assert_eq!(jb.insert(12, stored(12, t0)), Insert::Duplicate);
        // 11 arrives in time: all three leave in order.
        jb.insert(11, stored(11, t0 + Duration::from_millis(50)));
        assert_eq!(
            seqs(&mut jb, t0 + Duration::from_millis(50)),
            vec![11, 12, 13]
        );
        assert_eq!(jb.insert(11, stored(11, t0)), Insert::Late);
        // 14 and 15 never come: skipped at the deadline, not before.
        jb.insert(16, stored(16, t0 + Duration::from_millis(60)));
        assert!(seqs(&mut jb, t0 + Duration::from_millis(159)).is_empty());
        assert_eq!(seqs(&mut jb, t0 + Duration::from_millis(160)), vec![-2, 16]);
        assert_eq!(jb.next(), Some(17));
    }

    #[test]
    fn overflow_skips_immediately() {
        let t0 = Instant::now();
        let mut jb = JitterBuffer::new(Duration::from_secs(10));
        jb.insert(0, stored(0, t0));
        seqs(&mut jb, t0 + START_WAIT);
        for i in 2..(MAX_JITTER_PACKETS as u64 + 3) {
            jb.insert(i, stored(i as u16, t0));
        }
        let out = seqs(&mut jb, t0);
        assert_eq!(out[0], -1);
        assert_eq!(out.len(), MAX_JITTER_PACKETS + 2);
        assert_eq!(jb.len(), 0);
    }
}
