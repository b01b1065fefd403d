//! The send-side estimator: transport-wide feedback (or REMB, or receiver reports) in, target
//! bitrate out.

use std::time::{Duration, Instant};

use rtcio_rtp::rtcp::TransportFeedback;

use crate::config::BweConfig;
use crate::delay_based::DelayBased;
use crate::inter_arrival::PacketTiming;
use crate::loss_based::{LOW_LOSS, LossBased};
use crate::overuse::BandwidthUsage;
use crate::probe::{ProbeCluster, Prober};
use crate::rate::RateWindow;
use crate::twcc_sender::{PacketResult, TwccSender, TwccSenderStats};

/// Without feedback for this long while sending, the target is cut by [`TIMEOUT_CUT`].
pub const FEEDBACK_TIMEOUT: Duration = Duration::from_secs(1);
/// Factor applied to the target on each feedback timeout.
pub const TIMEOUT_CUT: f64 = 0.8;
/// The path counts as calm (periodic probes allowed) this long after the last decrease.
const CALM_AFTER_DECREASE: Duration = Duration::from_secs(3);
/// A smoothed round trip this far above the minimum (µs) means a queue is standing somewhere:
/// no periodic probes then (they would measure the full bottleneck and keep the queue full).
const STANDING_QUEUE_US: i64 = 100_000;
/// The minimum round trip is taken over the last one to two of these.
const MIN_RTT_BUCKET: Duration = Duration::from_secs(10);
/// Window of the acknowledged-throughput measurement, in µs of receiver time.
const ACKED_WINDOW_US: i64 = 500_000;

/// A snapshot of the estimator, for stats and plots.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BweStats {
    /// The target bitrate (bit/s).
    pub target_bitrate: u64,
    /// The delay-based estimate (bit/s).
    pub delay_based_bitrate: u64,
    /// The loss-based cap, if one applies (bit/s).
    pub loss_based_limit: Option<u64>,
    /// The last REMB received (bit/s).
    pub remb_bitrate: Option<u64>,
    /// Throughput the receiver acknowledged over the last 500 ms (bit/s).
    pub acked_bitrate: Option<u64>,
    /// Loss fraction of the last loss measurement.
    pub loss_fraction: f64,
    /// Round-trip time in use.
    pub rtt: Duration,
    /// The delay detector's verdict.
    pub usage: BandwidthUsage,
    /// The detector's adaptive threshold (ms).
    pub threshold_ms: f64,
    /// Receiver clock jumps that reset the delay estimator.
    pub clock_resets: u64,
    /// Feedback timeouts that cut the target.
    pub feedback_timeouts: u64,
    /// Probe clusters that produced an estimate.
    pub probe_results: u64,
    /// Sequence numbers, history and feedback counters.
    pub twcc: TwccSenderStats,
}

/// Google-congestion-control-style send-side bandwidth estimator.
///
/// Wire it like this: take a sequence number from [`SendSideBwe::next_twcc_seq`] when a packet
/// leaves the pacer, write it into the transport-cc header extension, report the send with
/// [`SendSideBwe::on_packet_sent`]; give every [`TransportFeedback`] to
/// [`SendSideBwe::on_feedback`]; read [`SendSideBwe::target_bitrate`] for the encoder and
/// [`SendSideBwe::pacing_rate`] for the [`Pacer`](crate::Pacer). Peers without transport-cc
/// send REMB ([`SendSideBwe::on_remb`]) and receiver reports
/// ([`SendSideBwe::on_receiver_report`]) instead.
///
/// Probing: after sends and feedback, move [`SendSideBwe::poll_probe`]'s clusters to
/// [`Pacer::start_probe`](crate::Pacer::start_probe), and report the packets the pacer tags
/// with a probe cluster through [`SendSideBwe::on_probe_packet_sent`].
#[derive(Debug, Clone)]
pub struct SendSideBwe {
    config: BweConfig,
    epoch: Instant,
    twcc: TwccSender,
    delay: DelayBased,
    loss: LossBased,
    acked: RateWindow,
    acked_bps: Option<u64>,
    loss_limit: Option<u64>,
    remb: Option<u64>,
    rtt_fixed: Option<i64>,
    rtt_us: Option<i64>,
    /// Minimum round trip in the current and the previous [`MIN_RTT_BUCKET`].
    min_rtt_us: [Option<i64>; 2],
    min_rtt_since: Option<Instant>,
    twcc_active: bool,
    target: u64,
    last_feedback: Option<Instant>,
    last_cut: Option<Instant>,
    last_sent: Option<Instant>,
    feedback_timeouts: u64,
    prober: Prober,
    probing: bool,
    last_decrease: Option<Instant>,
    results: Vec<PacketResult>,
    timings: Vec<PacketTiming>,
}

fn micros(epoch: Instant, t: Instant) -> i64 {
    i64::try_from(t.saturating_duration_since(epoch).as_micros()).unwrap_or(i64::MAX)
}

impl SendSideBwe {
    /// An estimator starting at `config.start_bitrate`.
    pub fn new(config: BweConfig, now: Instant) -> Self {
        let config = config.normalized();
        Self {
            config,
            epoch: now,
            twcc: TwccSender::new(),
            delay: DelayBased::new(config.start_bitrate, config.min_bitrate, config.max_bitrate),
            loss: LossBased::default(),
            acked: RateWindow::new(ACKED_WINDOW_US),
            acked_bps: None,
            loss_limit: None,
            remb: None,
            rtt_fixed: None,
            rtt_us: None,
            min_rtt_us: [None, None],
            min_rtt_since: None,
            twcc_active: false,
            target: config.start_bitrate,
            last_feedback: None,
            last_cut: None,
            last_sent: None,
            feedback_timeouts: 0,
            prober: Prober::default(),
            probing: true,
            last_decrease: None,
            results: Vec::new(),
            timings: Vec::new(),
        }
    }

    /// The transport-wide sequence number for the packet about to be sent.
    pub fn next_twcc_seq(&mut self) -> u16 {
        self.twcc.next_seq()
    }

    /// Records a packet with transport-wide sequence number `seq` and `size` bytes sent at `now`.
    pub fn on_packet_sent(&mut self, now: Instant, seq: u16, size: usize) {
        self.twcc.on_packet_sent(now, seq, size);
        self.last_sent = Some(now);
        if self.probing {
            self.prober
                .start(now, self.config.start_bitrate, self.config.max_bitrate);
        }
    }

    /// Like [`SendSideBwe::on_packet_sent`] for a packet (media or padding) the pacer sent as
    /// part of probe cluster `cluster`.
    pub fn on_probe_packet_sent(&mut self, now: Instant, seq: u16, size: usize, cluster: u32) {
        self.twcc.on_probe_packet_sent(now, seq, size, cluster);
        self.prober.on_sent(cluster, now, size);
        self.last_sent = Some(now);
    }

    /// Turns probing off (or back on); it is on by default.
    pub fn set_probing(&mut self, enabled: bool) {
        self.probing = enabled;
    }

    /// The next probe cluster for the pacer: the initial ones after the first packet, then one
    /// after each successful probe and a periodic one while the path is calm.
    pub fn poll_probe(&mut self) -> Option<ProbeCluster> {
        if !self.probing {
            return None;
        }
        self.prober.poll()
    }

    /// Reads transport feedback received at `now` and updates the target. Returns the results
    /// it held for packets not reported before (for stats), in sequence order.
    pub fn on_feedback(&mut self, now: Instant, fb: &TransportFeedback) -> &[PacketResult] {
        self.results.clear();
        self.twcc.on_feedback(fb, &mut self.results);
        if self.results.is_empty() {
            return &self.results;
        }
        self.twcc_active = true;
        self.last_feedback = Some(now);
        let now_us = micros(self.epoch, now);
        let received = self
            .results
            .iter()
            .filter(|r| r.arrival_us.is_some())
            .count() as u64;
        self.loss
            .on_packets(received, self.results.len() as u64 - received);
        // Round trip from the newest packet the feedback acknowledges (includes the receiver's
        // feedback delay, which the response time should include anyway).
        if let Some(r) = self.results.iter().rev().find(|r| r.arrival_us.is_some()) {
            self.on_rtt_sample(now, micros(r.send_time, now));
        }
        self.timings.clear();
        self.timings.extend(self.results.iter().filter_map(|r| {
            Some(PacketTiming {
                send_us: micros(self.epoch, r.send_time),
                arrival_us: r.arrival_us?,
                size: r.size,
            })
        }));
        self.timings.sort_by_key(|p| (p.arrival_us, p.send_us));
        let mut newest = None;
        for p in &self.timings {
            self.acked.add(p.arrival_us, p.size as u64);
            self.delay.on_packet(*p);
            newest = Some(p.arrival_us);
        }
        let before = self.delay.aimd.bitrate();
        if let Some(probe) = self
            .prober
            .on_results(now, &self.results, self.config.max_bitrate)
            && self.delay.usage() != BandwidthUsage::Overusing
            && probe > before
        {
            // The probe saw the path carry more than the estimate: jump there, and drop a
            // loss-based cap left from earlier loss if loss is low now. The throughput acked so
            // far was sent at the old rate: an over-use right after the jump would cut to β ×
            // that, far below what the probe showed, so it starts over.
            self.delay.aimd.set_bitrate(probe);
            self.acked.reset();
            if self.loss.last_loss < LOW_LOSS {
                self.loss.release();
            }
        }
        if let Some(t) = newest {
            self.acked_bps = self.acked.rate(t);
            let after = self.delay.update(self.acked_bps, now_us);
            if after < before {
                self.last_decrease = Some(now);
            }
        }
        let limit_before = self.loss_limit;
        self.update_target(now_us);
        if let Some(l) = self.loss_limit
            && limit_before.is_none_or(|b| l < b)
        {
            self.last_decrease = Some(now);
        }
        let calm = self.is_calm(now);
        if self.probing {
            self.prober
                .maybe_periodic(now, self.target, self.config.max_bitrate, calm);
        }
        &self.results
    }

    fn on_rtt_sample(&mut self, now: Instant, sample: i64) {
        self.rtt_us = Some(match self.rtt_us {
            None => sample,
            Some(old) => old.saturating_mul(7).saturating_add(sample) / 8,
        });
        if self
            .min_rtt_since
            .is_none_or(|t| now.saturating_duration_since(t) >= MIN_RTT_BUCKET)
        {
            self.min_rtt_us = [None, self.min_rtt_us[0]];
            self.min_rtt_since = Some(now);
        }
        self.min_rtt_us[0] = Some(self.min_rtt_us[0].map_or(sample, |m| m.min(sample)));
        self.delay.aimd.rtt_us = self.rtt();
    }

    /// Whether a periodic probe makes sense: the delay is stable, no queue stands (the round
    /// trip is near its recent minimum), loss is low and nothing was cut lately.
    fn is_calm(&self, now: Instant) -> bool {
        let min_rtt = self.min_rtt_us.iter().flatten().min().copied();
        let no_standing_queue = self
            .rtt_us
            .zip(min_rtt)
            .is_none_or(|(rtt, min)| rtt <= min.saturating_add(STANDING_QUEUE_US));
        self.delay.usage() == BandwidthUsage::Normal
            && no_standing_queue
            && self.loss.last_loss < LOW_LOSS
            && self
                .last_decrease
                .is_none_or(|t| now.saturating_duration_since(t) >= CALM_AFTER_DECREASE)
    }

    /// A REMB received at `now` from a peer (the receiver's estimate for our streams).
    pub fn on_remb(&mut self, now: Instant, bitrate: u64) {
        self.remb = Some(bitrate);
        self.update_target(micros(self.epoch, now));
    }

    /// A receiver report's fraction lost (RTCP, 8 bits: lost/256) for `packets` packets. Used
    /// for the loss-based cap only while no transport feedback arrives (which counts losses
    /// itself).
    pub fn on_receiver_report(&mut self, now: Instant, fraction_lost: u8, packets: u64) {
        if self.twcc_active {
            return;
        }
        self.loss
            .on_fraction(f64::from(fraction_lost) / 256.0, packets);
        self.update_target(micros(self.epoch, now));
    }

    /// Sets the round-trip time (from RTCP sender/receiver reports); it then replaces the
    /// estimate taken from transport feedback.
    pub fn set_rtt(&mut self, rtt: Duration) {
        self.rtt_fixed = Some(i64::try_from(rtt.as_micros()).unwrap_or(i64::MAX));
        self.delay.aimd.rtt_us = self.rtt();
    }

    fn rtt(&self) -> i64 {
        self.rtt_fixed.or(self.rtt_us).unwrap_or(200_000)
    }

    fn update_target(&mut self, now_us: i64) {
        let delay_bps = if self.twcc_active {
            self.delay.aimd.bitrate()
        } else {
            self.remb.unwrap_or(self.config.start_bitrate)
        };
        self.loss_limit = self.loss.update(now_us, self.target, delay_bps, self.rtt());
        let mut target = delay_bps;
        for cap in [self.loss_limit, self.remb].into_iter().flatten() {
            target = target.min(cap);
        }
        self.target = target.clamp(self.config.min_bitrate, self.config.max_bitrate);
    }

    /// The bitrate the encoders should produce in total, in bit/s.
    pub fn target_bitrate(&self) -> u64 {
        self.target
    }

    /// The rate the pacer should send at: the target times the pacing factor, in bit/s.
    pub fn pacing_rate(&self) -> u64 {
        (self.target as f64 * self.config.pacing_factor) as u64
    }

    /// When [`SendSideBwe::handle_timeout`] should run next (a feedback timeout).
    pub fn poll_timeout(&self) -> Option<Instant> {
        let fb = self.last_feedback?;
        if self.last_sent? <= fb {
            return None;
        }
        Some(self.last_cut.map_or(fb, |c| c.max(fb)) + FEEDBACK_TIMEOUT)
    }

    /// Cuts the target when packets go out but no feedback has come back for
    /// [`FEEDBACK_TIMEOUT`] (the feedback path, or everything, is gone).
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.poll_timeout().is_some_and(|t| t <= now) {
            self.last_cut = Some(now);
            self.feedback_timeouts += 1;
            let cut = (self.target as f64 * TIMEOUT_CUT) as u64;
            self.delay.aimd.set_bitrate(cut);
            self.update_target(micros(self.epoch, now));
        }
    }

    /// A snapshot for stats and plots.
    pub fn stats(&self) -> BweStats {
        BweStats {
            target_bitrate: self.target,
            delay_based_bitrate: self.delay.aimd.bitrate(),
            loss_based_limit: self.loss_limit,
            remb_bitrate: self.remb,
            acked_bitrate: self.acked_bps,
            loss_fraction: self.loss.last_loss,
            rtt: Duration::from_micros(self.rtt().max(0) as u64),
            usage: self.delay.usage(),
            threshold_ms: self.delay.threshold_ms(),
            clock_resets: self.delay.anomalies().0,
            feedback_timeouts: self.feedback_timeouts,
            probe_results: self.prober.results,
            twcc: self.twcc.stats(),
        }
    }
}
