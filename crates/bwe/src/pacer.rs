//! Leaky-bucket pacer: spreads packets at the pacing rate instead of sending a frame's packets
//! in one burst that would fill the bottleneck queue, and sends the most important first.
//!
//! The budget grows by rate × elapsed time, capped at [`PacerConfig::max_burst`] worth of
//! bytes, and each packet sent spends its size; a packet leaves while the budget is not
//! negative. Audio is not held back (it is small and late audio is useless) but its bytes are
//! spent from the budget. The rate in use is never below queued bytes /
//! [`PacerConfig::max_queue_time`], so a backlog (an encoder overshoot, a rate cut) drains
//! within a few multiples of that time instead of growing latency without bound.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// Sending priority, most important first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PacketKind {
    /// Audio: sent at once, never paced.
    Audio,
    /// Retransmissions (NACK answers, RTX).
    Retransmission,
    /// Video and other media.
    Video,
    /// Padding and probes: only when nothing else waits.
    Padding,
}

impl PacketKind {
    /// Every kind, most important first.
    pub const ALL: [PacketKind; 4] = [
        Self::Audio,
        Self::Retransmission,
        Self::Video,
        Self::Padding,
    ];

    fn index(self) -> usize {
        self as usize
    }
}

/// Pacer limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PacerConfig {
    /// Packets queued at most (all kinds together); see [`Pacer::enqueue`] for what is dropped.
    pub max_queue_packets: usize,
    /// The rate is raised to at least queued bytes / this, bounding the queueing delay.
    pub max_queue_time: Duration,
    /// Budget saved up while idle, as time at the pacing rate (bounds the burst after a pause).
    pub max_burst: Duration,
}

impl Default for PacerConfig {
    /// 2048 packets, 2 s, 5 ms.
    fn default() -> Self {
        Self {
            max_queue_packets: 2048,
            max_queue_time: Duration::from_secs(2),
            max_burst: Duration::from_millis(5),
        }
    }
}

/// Pacer counters, per [`PacketKind`] in [`PacketKind::ALL`] order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PacerStats {
    /// Packets enqueued.
    pub enqueued: [u64; 4],
    /// Packets sent.
    pub sent: [u64; 4],
    /// Packets dropped because the queue was full.
    pub dropped: [u64; 4],
    /// Bytes sent.
    pub bytes_sent: u64,
}

#[derive(Debug)]
struct Queued<T> {
    enqueued_at: Instant,
    size: usize,
    item: T,
}

/// A leaky-bucket pacer over items of any type (packets, or handles to them).
#[derive(Debug)]
pub struct Pacer<T> {
    config: PacerConfig,
    rate_bps: u64,
    /// Bits that may still be sent; negative while paying off the last packet.
    budget_bits: f64,
    last_refill: Option<Instant>,
    queues: [VecDeque<Queued<T>>; 4],
    queued_bytes: usize,
    stats: PacerStats,
}

impl<T> Pacer<T> {
    /// A pacer sending at `rate_bps`.
    pub fn new(config: PacerConfig, rate_bps: u64) -> Self {
        Self {
            config: PacerConfig {
                max_queue_packets: config.max_queue_packets.max(1),
                ..config
            },
            rate_bps: rate_bps.max(1),
            budget_bits: 0.0,
            last_refill: None,
            queues: Default::default(),
            queued_bytes: 0,
            stats: PacerStats::default(),
        }
    }

    /// Changes the pacing rate (bit/s), typically to [`SendSideBwe::pacing_rate`](crate::SendSideBwe::pacing_rate).
    pub fn set_pacing_rate(&mut self, now: Instant, rate_bps: u64) {
        self.refill(now);
        self.rate_bps = rate_bps.max(1);
    }

    /// The configured pacing rate (bit/s).
    pub fn pacing_rate(&self) -> u64 {
        self.rate_bps
    }

    /// The rate actually used: the pacing rate, or more when the queue is too long.
    fn effective_rate(&self) -> f64 {
        let drain =
            self.queued_bytes as f64 * 8.0 / self.config.max_queue_time.as_secs_f64().max(1e-3);
        (self.rate_bps as f64).max(drain)
    }

    fn refill(&mut self, now: Instant) {
        let rate = self.effective_rate();
        if let Some(last) = self.last_refill {
            let dt = now.saturating_duration_since(last).as_secs_f64();
            let cap = rate * self.config.max_burst.as_secs_f64();
            self.budget_bits = (self.budget_bits + rate * dt).min(cap.max(0.0));
        }
        if self.last_refill.is_none_or(|l| now > l) {
            self.last_refill = Some(now);
        }
    }

    /// Queues `item` of `size` bytes. When the queue is full, the oldest packet of the least
    /// important kind no more important than `kind` is dropped to make room; if every queued
    /// packet is more important, `item` itself is dropped. Returns what was dropped, if
    /// anything (counted in [`PacerStats::dropped`]).
    pub fn enqueue(
        &mut self,
        now: Instant,
        kind: PacketKind,
        size: usize,
        item: T,
    ) -> Option<(PacketKind, T)> {
        self.refill(now);
        self.stats.enqueued[kind.index()] += 1;
        let mut dropped = None;
        if self.len() >= self.config.max_queue_packets {
            let victim = PacketKind::ALL
                .iter()
                .rev()
                .copied()
                .filter(|k| *k >= kind)
                .find(|k| !self.queues[k.index()].is_empty());
            match victim.and_then(|k| Some((k, self.queues[k.index()].pop_front()?))) {
                Some((k, q)) => {
                    self.queued_bytes -= q.size;
                    self.stats.dropped[k.index()] += 1;
                    dropped = Some((k, q.item));
                }
                None => {
                    self.stats.dropped[kind.index()] += 1;
                    return Some((kind, item));
                }
            }
        }
        self.queued_bytes += size;
        self.queues[kind.index()].push_back(Queued {
            enqueued_at: now,
            size,
            item,
        });
        dropped
    }

    /// The next packet to send at `now`, most important kind first, or `None` if the budget is
    /// spent or nothing waits. Call until `None`, then wait for [`Pacer::poll_timeout`].
    pub fn poll_send(&mut self, now: Instant) -> Option<(PacketKind, T)> {
        self.refill(now);
        let kind = if !self.queues[PacketKind::Audio.index()].is_empty() {
            PacketKind::Audio
        } else if self.budget_bits >= -f64::EPSILON {
            *PacketKind::ALL
                .iter()
                .find(|k| !self.queues[k.index()].is_empty())?
        } else {
            return None;
        };
        let q = self.queues[kind.index()].pop_front()?;
        self.queued_bytes -= q.size;
        self.budget_bits -= q.size as f64 * 8.0;
        self.stats.sent[kind.index()] += 1;
        self.stats.bytes_sent += q.size as u64;
        Some((kind, q.item))
    }

    /// When the next queued packet may leave (`None` when the queue is empty).
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.is_empty() {
            return None;
        }
        let last = self.last_refill?;
        if !self.queues[PacketKind::Audio.index()].is_empty() || self.budget_bits >= 0.0 {
            return Some(last);
        }
        let secs = -self.budget_bits / self.effective_rate();
        // Round up so the budget is paid off when the timer fires.
        Some(last + Duration::from_nanos((secs * 1e9).ceil() as u64 + 1))
    }

    /// Packets queued.
    pub fn len(&self) -> usize {
        self.queues.iter().map(VecDeque::len).sum()
    }

    /// Whether nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes queued.
    pub fn queued_bytes(&self) -> usize {
        self.queued_bytes
    }

    /// How long the oldest queued packet has waited.
    pub fn oldest_wait(&self, now: Instant) -> Duration {
        self.queues
            .iter()
            .filter_map(|q| q.front())
            .map(|q| now.saturating_duration_since(q.enqueued_at))
            .max()
            .unwrap_or_default()
    }

    /// Counters so far.
    pub fn stats(&self) -> PacerStats {
        self.stats
    }
}
