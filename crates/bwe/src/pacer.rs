//! Leaky-bucket pacer: spreads packets at the pacing rate instead of sending a frame's packets
//! in one burst that would fill the bottleneck queue, and sends the most important first.
//!
//! The budget grows by rate × elapsed time, capped at [`PacerConfig::max_burst`] worth of
//! bytes, and each packet sent spends its size; a packet leaves while the budget is not
//! negative. Audio is not held back (it is small and late audio is useless) but its bytes are
//! spent from the budget. The rate in use is never below queued bytes /
//! [`PacerConfig::max_queue_time`], so a backlog (an encoder overshoot, a rate cut) drains
//! within a few multiples of that time instead of growing latency without bound.
//!
//! A [`ProbeCluster`] started with [`Pacer::start_probe`] suspends normal pacing: packets go
//! at the probe rate, queued media first and padding requests ([`Paced::Padding`]) when none
//! waits, until the cluster has its packets and bytes.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use crate::probe::{MAX_PROBE_CLUSTERS, ProbeCluster};

/// Size of the padding packets requested while probing with nothing queued, in bytes.
pub const PROBE_PADDING_BYTES: usize = 1000;

/// Longest wait [`Pacer::poll_timeout`] asks for (an absurd packet size could ask for years).
const MAX_WAIT: Duration = Duration::from_secs(3600);

/// The wait for a budget deficit of `secs`, rounded up so the budget is paid off when the timer
/// fires.
fn wait(secs: f64) -> Duration {
    Duration::from_nanos(((secs * 1e9).ceil() as u64).saturating_add(1)).min(MAX_WAIT)
}

/// What [`Pacer::poll_send`] says to send now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Paced<T> {
    /// A queued packet; `probe` is its probe cluster if it is part of one.
    Packet {
        /// Its kind.
        kind: PacketKind,
        /// The item given to [`Pacer::enqueue`].
        item: T,
        /// The probe cluster it belongs to.
        probe: Option<u32>,
    },
    /// Make a padding packet of about `size` bytes and send it now, for probe cluster `probe`.
    Padding {
        /// Bytes to send.
        size: usize,
        /// The probe cluster.
        probe: u32,
    },
}

impl<T> Paced<T> {
    /// The queued packet's kind and item, if this is one.
    pub fn into_packet(self) -> Option<(PacketKind, T)> {
        match self {
            Self::Packet { kind, item, .. } => Some((kind, item)),
            Self::Padding { .. } => None,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct ActiveProbe {
    cluster: ProbeCluster,
    packets: usize,
    bytes: usize,
    budget_bits: f64,
    last: Instant,
}

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
    probes: VecDeque<ProbeCluster>,
    active: Option<ActiveProbe>,
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
            probes: VecDeque::new(),
            active: None,
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
                    self.queued_bytes = self.queued_bytes.saturating_sub(q.size);
                    self.stats.dropped[k.index()] += 1;
                    dropped = Some((k, q.item));
                }
                None => {
                    self.stats.dropped[kind.index()] += 1;
                    return Some((kind, item));
                }
            }
        }
        self.queued_bytes = self.queued_bytes.saturating_add(size);
        self.queues[kind.index()].push_back(Queued {
            enqueued_at: now,
            size,
            item,
        });
        dropped
    }

    /// Queues a probe cluster (after any already queued; at most [`MAX_PROBE_CLUSTERS`], the
    /// oldest are forgotten).
    pub fn start_probe(&mut self, now: Instant, cluster: ProbeCluster) {
        self.refill(now);
        self.probes.push_back(cluster);
        while self.probes.len() > MAX_PROBE_CLUSTERS {
            self.probes.pop_front();
        }
    }

    /// Whether a probe cluster is being sent or waiting.
    pub fn is_probing(&self) -> bool {
        self.active.is_some() || !self.probes.is_empty()
    }

    fn pop(&mut self, kind: PacketKind) -> Option<(usize, T)> {
        let q = self.queues[kind.index()].pop_front()?;
        self.queued_bytes = self.queued_bytes.saturating_sub(q.size);
        self.stats.sent[kind.index()] += 1;
        self.stats.bytes_sent = self.stats.bytes_sent.saturating_add(q.size as u64);
        Some((q.size, q.item))
    }

    /// The next thing to send at `now`: audio at once, then a probe's packets at its rate, then
    /// queued packets at the pacing rate, most important kind first. `None` when the budget is
    /// spent or nothing waits. Call until `None`, then wait for [`Pacer::poll_timeout`].
    pub fn poll_send(&mut self, now: Instant) -> Option<Paced<T>> {
        self.refill(now);
        if let Some((size, item)) = self.pop(PacketKind::Audio) {
            self.budget_bits -= size as f64 * 8.0;
            return Some(Paced::Packet {
                kind: PacketKind::Audio,
                item,
                probe: None,
            });
        }
        if self.active.is_none()
            && let Some(cluster) = self.probes.pop_front()
        {
            self.active = Some(ActiveProbe {
                cluster,
                packets: 0,
                bytes: 0,
                budget_bits: 0.0,
                last: now,
            });
        }
        if let Some(p) = self.active {
            return self.poll_probe(now, p);
        }
        if self.budget_bits < -f64::EPSILON {
            return None;
        }
        let kind = PacketKind::ALL
            .into_iter()
            .find(|k| !self.queues[k.index()].is_empty())?;
        let (size, item) = self.pop(kind)?;
        self.budget_bits -= size as f64 * 8.0;
        Some(Paced::Packet {
            kind,
            item,
            probe: None,
        })
    }

    fn poll_probe(&mut self, now: Instant, mut p: ActiveProbe) -> Option<Paced<T>> {
        let rate = p.cluster.bitrate.max(1) as f64;
        let dt = now.saturating_duration_since(p.last).as_secs_f64();
        p.budget_bits = (p.budget_bits + rate * dt).min(PROBE_PADDING_BYTES as f64 * 8.0);
        p.last = p.last.max(now);
        self.active = Some(p);
        if p.budget_bits < -f64::EPSILON {
            return None;
        }
        let kind = PacketKind::ALL
            .into_iter()
            .find(|k| !self.queues[k.index()].is_empty());
        let (size, out) = match kind.and_then(|k| Some((k, self.pop(k)?))) {
            Some((kind, (size, item))) => {
                let probe = Some(p.cluster.id);
                (size, Paced::Packet { kind, item, probe })
            }
            None => {
                self.stats.sent[PacketKind::Padding.index()] += 1;
                self.stats.bytes_sent += PROBE_PADDING_BYTES as u64;
                let probe = p.cluster.id;
                let size = PROBE_PADDING_BYTES;
                (size, Paced::Padding { size, probe })
            }
        };
        p.budget_bits -= size as f64 * 8.0;
        p.packets += 1;
        p.bytes = p.bytes.saturating_add(size);
        let done = p.packets >= p.cluster.min_packets && p.bytes >= p.cluster.min_bytes;
        self.active = (!done).then_some(p);
        if done {
            // Normal pacing resumes from an empty budget.
            self.budget_bits = self.budget_bits.min(0.0);
            self.last_refill = Some(now);
        }
        Some(out)
    }

    /// When the next packet may leave (`None` when nothing is queued and no probe waits).
    pub fn poll_timeout(&self) -> Option<Instant> {
        if let Some(p) = self.active {
            if !self.queues[PacketKind::Audio.index()].is_empty() || p.budget_bits >= 0.0 {
                return Some(p.last);
            }
            let secs = -p.budget_bits / p.cluster.bitrate.max(1) as f64;
            return Some(p.last + wait(secs));
        }
        if !self.probes.is_empty() {
            return self.last_refill;
        }
        if self.is_empty() {
            return None;
        }
        let last = self.last_refill?;
        if !self.queues[PacketKind::Audio.index()].is_empty() || self.budget_bits >= 0.0 {
            return Some(last);
        }
        let secs = -self.budget_bits / self.effective_rate();
        Some(last + wait(secs))
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
