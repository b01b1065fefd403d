//! A media sender that adapts to the estimate and a receiver that reports back, as netsim peers
//! exchanging real RTP and RTCP packets.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use rtcio_bwe::{
    BweConfig, Paced, Pacer, PacerConfig, PacketKind, RembEstimator, SendSideBwe, TwccReceiver,
};
use rtcio_netsim::{Datagram, LinkConfig, Network, Peer, Sim};
use rtcio_rtp::ext::AbsSendTime;
use rtcio_rtp::packet::write_packet;
use rtcio_rtp::rtcp::{RtcpPacket, parse_compound, write_compound};
use rtcio_rtp::{ExtensionKind, ExtensionMap, ExtensionValues, RtpHeader, RtpPacket};

pub const SENDER: &str = "10.0.0.1:5000";
pub const RECEIVER: &str = "10.0.0.2:5000";
pub const LATENCY: Duration = Duration::from_millis(25);
pub const FRAME: Duration = Duration::from_micros(33_333);
pub const MAX_PAYLOAD: usize = 1200;

/// How the receiver reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Transport-wide feedback, send-side estimate.
    Twcc,
    /// abs-send-time at the receiver, REMB back.
    Remb,
}

fn extmap() -> ExtensionMap {
    let mut m = ExtensionMap::new();
    m.insert(1, ExtensionKind::TransportCc);
    m.insert(2, ExtensionKind::AbsSendTime);
    m
}

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

/// A video sender: 30 frames/s at the target bitrate, paced, RTP with transport-cc and
/// abs-send-time.
pub struct Sender {
    pub bwe: SendSideBwe,
    pub pacer: Pacer<usize>,
    start: Instant,
    next_frame: Instant,
    rtp_seq: u16,
    extmap: ExtensionMap,
    pub packets_sent: u64,
}

impl Sender {
    pub fn new(start: Instant, config: BweConfig) -> Self {
        let bwe = SendSideBwe::new(config, start);
        let pacer = Pacer::new(PacerConfig::default(), bwe.pacing_rate());
        Self {
            bwe,
            pacer,
            start,
            next_frame: start,
            rtp_seq: 0,
            extmap: extmap(),
            packets_sent: 0,
        }
    }

    fn start_probes(&mut self, now: Instant) {
        while let Some(c) = self.bwe.poll_probe() {
            self.pacer.start_probe(now, c);
        }
    }

    fn encode_frame(&mut self, now: Instant) {
        let mut bytes = (self.bwe.target_bitrate() / 8 / 30) as usize;
        while bytes > 0 {
            let size = bytes.min(MAX_PAYLOAD);
            self.pacer.enqueue(now, PacketKind::Video, size, size);
            bytes -= size;
        }
    }
}

impl Peer for Sender {
    fn accepts(&self, a: SocketAddr) -> bool {
        a == addr(SENDER)
    }

    fn handle_datagram(&mut self, now: Instant, d: Datagram) {
        let Ok(compound) = parse_compound(&d.payload) else {
            return;
        };
        for p in compound.packets {
            match p {
                RtcpPacket::TransportFeedback(fb) => {
                    self.bwe.on_feedback(now, &fb);
                }
                RtcpPacket::Remb(r) => self.bwe.on_remb(now, r.bitrate),
                _ => {}
            }
        }
        self.pacer.set_pacing_rate(now, self.bwe.pacing_rate());
        self.start_probes(now);
    }

    fn handle_timeout(&mut self, now: Instant) {
        if now >= self.next_frame {
            self.encode_frame(now);
            self.next_frame += FRAME;
        }
        self.bwe.handle_timeout(now);
        self.pacer.set_pacing_rate(now, self.bwe.pacing_rate());
    }

    fn poll_transmit(&mut self, now: Instant) -> Option<Datagram> {
        let (size, probe) = match self.pacer.poll_send(now)? {
            Paced::Packet { item, probe, .. } => (item, probe),
            Paced::Padding { size, probe } => (size, Some(probe)),
        };
        let twcc = self.bwe.next_twcc_seq();
        let send_us = (now - self.start).as_micros() as u64;
        let values = ExtensionValues {
            transport_cc: Some(twcc),
            abs_send_time: Some(AbsSendTime::from_micros(send_us)),
            ..Default::default()
        };
        let mut header = RtpHeader {
            payload_type: 96,
            ssrc: 0x1234,
            sequence_number: self.rtp_seq,
            ..Default::default()
        };
        self.rtp_seq = self.rtp_seq.wrapping_add(1);
        self.extmap.write(&values, &mut header);
        let mut payload = send_us.to_be_bytes().to_vec();
        payload.resize(size.max(8), 0);
        let bytes = write_packet(&header, &payload, 0).unwrap();
        match probe {
            None => self.bwe.on_packet_sent(now, twcc, bytes.len()),
            Some(c) => self.bwe.on_probe_packet_sent(now, twcc, bytes.len(), c),
        }
        self.start_probes(now);
        self.packets_sent += 1;
        Some(Datagram::new(addr(SENDER), addr(RECEIVER), bytes))
    }

    fn poll_timeout(&self) -> Option<Instant> {
        [
            Some(self.next_frame),
            self.pacer.poll_timeout(),
            self.bwe.poll_timeout(),
        ]
        .into_iter()
        .flatten()
        .min()
    }
}

/// The receiving end: feedback or REMB back to the sender, one-way delay statistics.
pub struct Receiver {
    mode: Mode,
    start: Instant,
    pub twcc: TwccReceiver,
    pub remb: RembEstimator,
    extmap: ExtensionMap,
    /// One-way delays (µs) seen since the last [`Receiver::take_delays`].
    delays: Vec<u64>,
    pub bytes: u64,
}

impl Receiver {
    pub fn new(start: Instant, mode: Mode, config: BweConfig) -> Self {
        Self {
            mode,
            start,
            twcc: TwccReceiver::new(start, 0x5678, 0x1234),
            remb: RembEstimator::new(config, start, 0x5678),
            extmap: extmap(),
            delays: Vec::new(),
            bytes: 0,
        }
    }

    pub fn take_delays(&mut self) -> Vec<u64> {
        std::mem::take(&mut self.delays)
    }
}

impl Peer for Receiver {
    fn accepts(&self, a: SocketAddr) -> bool {
        a == addr(RECEIVER)
    }

    fn handle_datagram(&mut self, now: Instant, d: Datagram) {
        let Ok(p) = RtpPacket::parse(&d.payload) else {
            return;
        };
        let v = self.extmap.read(&p.header);
        self.bytes += d.payload.len() as u64;
        if let Some(sent) = p.payload.get(..8) {
            let sent_us = u64::from_be_bytes(sent.try_into().unwrap());
            self.delays
                .push(((now - self.start).as_micros() as u64).saturating_sub(sent_us));
        }
        match self.mode {
            Mode::Twcc => self.twcc.on_packet(now, v.transport_cc.unwrap()),
            Mode::Remb => self.remb.on_packet(
                now,
                p.header.ssrc,
                v.abs_send_time.unwrap(),
                d.payload.len(),
            ),
        }
    }

    fn handle_timeout(&mut self, _now: Instant) {}

    fn poll_transmit(&mut self, now: Instant) -> Option<Datagram> {
        let packet = match self.mode {
            Mode::Twcc => RtcpPacket::TransportFeedback(self.twcc.poll_feedback(now)?),
            Mode::Remb => RtcpPacket::Remb(self.remb.poll_remb(now)?),
        };
        let bytes = write_compound(&[packet]).unwrap();
        Some(Datagram::new(addr(RECEIVER), addr(SENDER), bytes))
    }

    fn poll_timeout(&self) -> Option<Instant> {
        match self.mode {
            Mode::Twcc => self.twcc.poll_timeout(),
            Mode::Remb => self.remb.poll_timeout(),
        }
    }
}

/// The bottleneck from sender to receiver.
pub fn bottleneck(bps: u64) -> LinkConfig {
    LinkConfig {
        latency: LATENCY,
        jitter: Duration::from_millis(1),
        bandwidth: Some(bps),
        queue_bytes: 60_000,
        ..LinkConfig::default()
    }
}

/// One row of the per-second table.
#[derive(Debug, Clone, Copy)]
pub struct Row {
    pub t: u64,
    pub capacity: u64,
    pub target: u64,
    pub goodput: u64,
    pub loss: f64,
    pub queue_ms_avg: f64,
    pub queue_ms_max: f64,
}

/// A sender/receiver pair on a simulated bottleneck.
pub struct Scenario {
    pub sim: Sim,
    pub sender: Sender,
    pub receiver: Receiver,
    pub capacity: u64,
    pub rows: Vec<Row>,
    pub mode: Mode,
}

impl Scenario {
    pub fn new(seed: u64, mode: Mode, config: BweConfig, capacity: u64) -> Self {
        let start = Instant::now();
        let mut net = Network::new(seed);
        net.set_link(addr(SENDER).ip(), addr(RECEIVER).ip(), bottleneck(capacity));
        net.set_link(
            addr(RECEIVER).ip(),
            addr(SENDER).ip(),
            LinkConfig::with_latency(LATENCY),
        );
        Self {
            sim: Sim::new(net, start),
            sender: Sender::new(start, config),
            receiver: Receiver::new(start, mode, config),
            capacity,
            rows: Vec::new(),
            mode,
        }
    }

    pub fn set_capacity(&mut self, bps: u64) {
        self.capacity = bps;
        self.sim
            .net
            .set_link(addr(SENDER).ip(), addr(RECEIVER).ip(), bottleneck(bps));
    }

    /// Replaces the forward link (its `bandwidth` becomes the table's capacity).
    pub fn set_link(&mut self, link: LinkConfig) {
        self.capacity = link.bandwidth.unwrap_or(0);
        self.sim
            .net
            .set_link(addr(SENDER).ip(), addr(RECEIVER).ip(), link);
    }

    /// Runs `seconds` more seconds, one table row each.
    pub fn run(&mut self, seconds: u64) {
        for _ in 0..seconds {
            let before = self.sim.net.stats();
            let bytes_before = self.receiver.bytes;
            self.sim
                .run_for(
                    &mut [&mut self.sender, &mut self.receiver],
                    Duration::from_secs(1),
                )
                .unwrap();
            let after = self.sim.net.stats();
            let sent = after.sent - before.sent;
            let dropped = (after.lost + after.queue_dropped) - (before.lost + before.queue_dropped);
            let delays = self.receiver.take_delays();
            let base = LATENCY.as_micros() as f64;
            let q = |d: u64| (d as f64 - base).max(0.0) / 1000.0;
            let avg = delays.iter().map(|d| q(*d)).sum::<f64>() / delays.len().max(1) as f64;
            let max = delays.iter().map(|d| q(*d)).fold(0.0, f64::max);
            let target = match self.mode {
                Mode::Twcc | Mode::Remb => self.sender.bwe.target_bitrate(),
            };
            self.rows.push(Row {
                t: self.rows.len() as u64 + 1,
                capacity: self.capacity,
                target,
                goodput: (self.receiver.bytes - bytes_before) * 8,
                loss: dropped as f64 / sent.max(1) as f64,
                queue_ms_avg: avg,
                queue_ms_max: max,
            });
        }
    }

    pub fn print_table(&self, title: &str) {
        println!("{title}");
        println!(
            "{:>4} {:>10} {:>10} {:>10} {:>7} {:>9} {:>9}",
            "t(s)", "capacity", "estimate", "goodput", "loss%", "qdelay", "qdel.max"
        );
        for r in &self.rows {
            println!(
                "{:>4} {:>10} {:>10} {:>10} {:>7.2} {:>7.1}ms {:>7.1}ms",
                r.t,
                r.capacity,
                r.target,
                r.goodput,
                r.loss * 100.0,
                r.queue_ms_avg,
                r.queue_ms_max
            );
        }
        println!("{:?}", self.sender.bwe.stats());
    }

    /// Rows with `t` in `from..=to` (seconds).
    pub fn rows(&self, from: u64, to: u64) -> impl Iterator<Item = &Row> {
        self.rows.iter().filter(move |r| (from..=to).contains(&r.t))
    }
}
