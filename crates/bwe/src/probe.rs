//! Bandwidth probing: short bursts at a rate above the estimate, whose arrival spacing shows
//! what the path can carry. The initial probes (3× and 6× the start rate, then doubling while
//! they succeed) reach the capacity in a few round trips instead of the ~25 s the 8 %/s
//! increase needs; a periodic probe at 2× the target while the path is calm finds capacity that
//! came back after a drop.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use crate::twcc_sender::PacketResult;

/// Probe clusters remembered for their results; older ones are forgotten.
pub const MAX_PROBE_CLUSTERS: usize = 8;
/// Packets in one probe cluster at least.
pub const PROBE_MIN_PACKETS: usize = 5;
/// Shortest probe, as time at the probe rate.
pub const PROBE_DURATION: Duration = Duration::from_millis(15);
/// Time between periodic probes.
pub const PROBE_INTERVAL: Duration = Duration::from_secs(5);
/// A probe whose result reaches this share of its rate is followed by one at twice the result.
const CONTINUE_SHARE: f64 = 0.7;
/// Share of a cluster's packets that must arrive for a result.
const MIN_RECEIVED_SHARE: f64 = 0.8;

/// A burst for the pacer to send at `bitrate`: at least `min_packets` packets and `min_bytes`
/// bytes, media if queued, padding otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProbeCluster {
    /// Identifies the cluster in [`SendSideBwe::on_probe_packet_sent`](crate::SendSideBwe::on_probe_packet_sent).
    pub id: u32,
    /// Probe rate, bit/s.
    pub bitrate: u64,
    /// Packets to send at least.
    pub min_packets: usize,
    /// Bytes to send at least.
    pub min_bytes: usize,
}

impl ProbeCluster {
    fn new(id: u32, bitrate: u64) -> Self {
        let min_bytes = (bitrate as f64 / 8.0 * PROBE_DURATION.as_secs_f64()) as usize;
        Self {
            id,
            bitrate,
            min_packets: PROBE_MIN_PACKETS,
            min_bytes,
        }
    }
}

/// What arrived of one cluster so far.
#[derive(Debug, Clone)]
struct Accum {
    cluster: ProbeCluster,
    received: usize,
    first_send: Option<Instant>,
    last_send: Option<(Instant, usize)>,
    sent_bytes: usize,
    first_arrival: Option<(i64, usize)>,
    last_arrival: Option<i64>,
    received_bytes: usize,
    done: bool,
}

/// Probe requests and their results.
#[derive(Debug, Clone, Default)]
pub(crate) struct Prober {
    next_id: u32,
    pending: VecDeque<ProbeCluster>,
    clusters: VecDeque<Accum>,
    started: bool,
    last_probe: Option<Instant>,
    /// Probe results so far (valid estimates).
    pub results: u64,
}

impl Prober {
    fn request(&mut self, now: Instant, bitrate: u64) {
        let c = ProbeCluster::new(self.next_id, bitrate);
        self.next_id = self.next_id.wrapping_add(1);
        self.pending.push_back(c);
        self.clusters.push_back(Accum {
            cluster: c,
            received: 0,
            first_send: None,
            last_send: None,
            sent_bytes: 0,
            first_arrival: None,
            last_arrival: None,
            received_bytes: 0,
            done: false,
        });
        while self.clusters.len() > MAX_PROBE_CLUSTERS {
            self.clusters.pop_front();
        }
        while self.pending.len() > MAX_PROBE_CLUSTERS {
            self.pending.pop_front();
        }
        self.last_probe = Some(now);
    }

    /// Initial probes at 3× and 6× the start rate (capped at `max`), once.
    pub(crate) fn start(&mut self, now: Instant, start_bps: u64, max_bps: u64) {
        if self.started {
            return;
        }
        self.started = true;
        for k in [3, 6] {
            self.request(now, (start_bps * k).min(max_bps));
        }
    }

    /// A periodic probe at 2× `target` if the last probe is [`PROBE_INTERVAL`] old and the
    /// caller judged the path calm.
    pub(crate) fn maybe_periodic(&mut self, now: Instant, target: u64, max_bps: u64, calm: bool) {
        let due = self.last_probe.is_some_and(|t| now >= t + PROBE_INTERVAL);
        if self.started && calm && due && target < max_bps {
            self.request(now, (target * 2).min(max_bps));
        }
    }

    /// The next cluster for the pacer.
    pub(crate) fn poll(&mut self) -> Option<ProbeCluster> {
        self.pending.pop_front()
    }

    /// Records a probe packet sent; unknown clusters are ignored.
    pub(crate) fn on_sent(&mut self, cluster: u32, now: Instant, size: usize) {
        if let Some(a) = self.clusters.iter_mut().find(|a| a.cluster.id == cluster) {
            a.first_send.get_or_insert(now);
            a.last_send = Some((now, size));
            a.sent_bytes = a.sent_bytes.saturating_add(size);
        }
    }

    /// Adds feedback results; returns a probe estimate (bit/s) when one cluster has enough.
    /// Follows a successful probe with one at twice its result (below `max`).
    pub(crate) fn on_results(
        &mut self,
        now: Instant,
        results: &[PacketResult],
        max_bps: u64,
    ) -> Option<u64> {
        let mut estimate = None;
        for r in results {
            let (Some(id), Some(at)) = (r.probe, r.arrival_us) else {
                continue;
            };
            let Some(a) = self.clusters.iter_mut().find(|a| a.cluster.id == id) else {
                continue;
            };
            a.received += 1;
            a.received_bytes = a.received_bytes.saturating_add(r.size);
            if a.first_arrival.is_none_or(|(t, _)| at < t) {
                a.first_arrival = Some((at, r.size));
            }
            a.last_arrival = Some(a.last_arrival.map_or(at, |t| t.max(at)));
            let need = (a.cluster.min_packets as f64 * MIN_RECEIVED_SHARE).ceil() as usize;
            if a.done || a.received < need {
                continue;
            }
            if let Some(bps) = cluster_rate(a) {
                a.done = true;
                estimate = Some(estimate.map_or(bps, |e: u64| e.max(bps)));
                let follow = bps as f64 >= a.cluster.bitrate as f64 * CONTINUE_SHARE;
                let next = bps.saturating_mul(2);
                self.results += 1;
                if follow && next <= max_bps {
                    self.request(now, next);
                }
            }
        }
        estimate
    }
}

/// min(send rate, receive rate) of a cluster; a receive rate well below the send rate means
/// the probe hit the bottleneck, whose rate it then is.
fn cluster_rate(a: &Accum) -> Option<u64> {
    let send_s = a
        .last_send?
        .0
        .saturating_duration_since(a.first_send?)
        .as_secs_f64();
    let (first_at, first_size) = a.first_arrival?;
    let recv_s = a.last_arrival?.saturating_sub(first_at) as f64 / 1e6;
    if send_s <= 0.0 || recv_s <= 0.0 {
        return None;
    }
    let send = a.sent_bytes.saturating_sub(a.last_send?.1) as f64 * 8.0 / send_s;
    let recv = a.received_bytes.saturating_sub(first_size) as f64 * 8.0 / recv_s;
    if recv > 2.0 * send {
        // Arrivals compressed far beyond what was sent: not a measurement of the path.
        return None;
    }
    let rate = if recv < 0.9 * send {
        0.95 * recv
    } else {
        send.min(recv)
    };
    Some(rate as u64)
}
