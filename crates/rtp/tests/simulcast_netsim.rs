//! Simulcast layer switching on the simulated network: a synthetic 3-layer VP8 sender (the real
//! packetizer, distinct sizes, each layer on its own random SSRC with random sequence and
//! timestamp offsets, as browsers send) through loss, jitter and reordering to a receiver with a
//! stream engine per layer (NACK/RTX, PLI) and both selectors: the packet one fed with every
//! media packet as it arrives (RTX unwrapped, as an SFU that repairs its upstream forwards them)
//! and the frame one fed with each layer's assembled frames.
//!
//! The script switches down and up by explicit target, then by available bitrate, then stops
//! the top layer at the sender (fallback) and resumes it. The forwarded streams are checked:
//! output sequence numbers continue across every switch (holes only where the forwarded layer
//! itself lost a packet), each switch lands on a keyframe of the new layer, timestamps never go
//! back, assembled frames are byte-identical to what was sent and decodable in order, keyframe
//! requests go to the layer switched to. The switch table is printed
//! (`cargo nextest run -p rtcio-rtp -E 'binary(simulcast_netsim)' --no-capture`).

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use rtcio_netsim::{Datagram, LinkConfig, Network, Peer, Rng, Sim};
use rtcio_rtp::codec::{Codec, EncodedFrame, Packetizer};
use rtcio_rtp::rtcp::{RtcpPacket, parse_compound, write_compound};
use rtcio_rtp::simulcast::{
    FrameLayerSelector, KeyframeStart, LayerSelector, SelectorConfig, SelectorEvent, keyframe_start,
};
use rtcio_rtp::stream::{
    NtpClock, ReceiveConfig, ReceiveEvent, ReceiveStream, RtxConfig, SendConfig, SendEvent,
    SendStream,
};
use rtcio_rtp::{RtpHeader, RtpPacket, SeqUnwrapper};

const PT: u8 = 96;
const RTX_PT: u8 = 97;
const RECEIVER_SSRC: u32 = 0x3333;
const OUT_SSRC: u32 = 0x0ff0;
const FPS: u32 = 30;
const MTU: usize = 1200;
/// Keyframe and delta frame sizes per layer (about 0.4, 1.3 and 3.5 Mbit/s).
const KEY_BYTES: [usize; 3] = [6_000, 20_000, 50_000];
const DELTA_BYTES: [usize; 3] = [1_500, 5_000, 14_000];
/// Periodic keyframes are rare, so a switch served within a second was served by its request.
const KEYFRAME_PERIOD: u32 = 10 * FPS;

fn is_rtcp(d: &[u8]) -> bool {
    d.len() >= 2 && (192..=223).contains(&d[1])
}

/// A VP8 frame tag (key or delta), then the layer and frame index, then a pattern of both.
fn frame_bytes(layer: usize, index: u32, key: bool) -> Vec<u8> {
    let len = if key { KEY_BYTES } else { DELTA_BYTES }[layer] + (index as usize * 37) % 300;
    let mut f = Vec::with_capacity(len);
    if key {
        f.extend_from_slice(&[0x50, 0x2a, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01]);
    } else {
        f.extend_from_slice(&[0x51, 0x2a, 0x00]);
    }
    f.push(layer as u8);
    f.extend_from_slice(&index.to_be_bytes());
    while f.len() < len {
        f.push((f.len() as u8) ^ (index as u8) ^ (layer as u8 * 85));
    }
    f
}

/// (layer, index) from a frame made by [`frame_bytes`].
fn frame_id(data: &[u8]) -> (usize, u32) {
    let at = if data[0] & 1 == 0 { 10 } else { 3 };
    let index = u32::from_be_bytes(data[at + 1..at + 5].try_into().unwrap());
    (usize::from(data[at]), index)
}

struct LayerTx {
    ssrc: u32,
    seq: u16,
    ts_offset: u32,
    tx: SendStream,
    packetizer: Box<dyn Packetizer + Send>,
    active: bool,
    force_key: bool,
    keyframe_requests: u64,
    keyframes_sent: u64,
}

struct Sender {
    addr: SocketAddr,
    peer: SocketAddr,
    layers: Vec<LayerTx>,
    index: u32,
    next_frame: Instant,
    out: VecDeque<Vec<u8>>,
}

impl Sender {
    fn send_frames(&mut self, now: Instant) {
        let index = self.index;
        for (l, layer) in self.layers.iter_mut().enumerate() {
            if !layer.active {
                continue;
            }
            let key = index.is_multiple_of(KEYFRAME_PERIOD) || layer.force_key;
            layer.force_key = false;
            layer.keyframes_sent += u64::from(key);
            let data = frame_bytes(l, index, key);
            let ts = layer.ts_offset.wrapping_add(90_000 / FPS * index);
            let payloads = layer.packetizer.packetize(&data, MTU).unwrap();
            for (i, p) in payloads.iter().enumerate() {
                let header = RtpHeader {
                    marker: i + 1 == payloads.len(),
                    payload_type: PT,
                    sequence_number: layer.seq,
                    timestamp: ts,
                    ssrc: layer.ssrc,
                    ..Default::default()
                };
                layer.seq = layer.seq.wrapping_add(1);
                let packet = RtpPacket {
                    header,
                    payload: p,
                    padding: 0,
                };
                assert!(layer.tx.handle_sent(now, &packet));
                self.out.push_back(packet.to_bytes().unwrap());
            }
        }
        self.index += 1;
        self.next_frame += Duration::from_micros(1_000_000 / u64::from(FPS));
    }
}

impl Peer for Sender {
    fn accepts(&self, addr: SocketAddr) -> bool {
        addr == self.addr
    }
    fn handle_datagram(&mut self, now: Instant, d: Datagram) {
        let compound = parse_compound(&d.payload).expect("receiver RTCP parses");
        for layer in &mut self.layers {
            for p in &compound.packets {
                layer.tx.handle_rtcp(now, p);
            }
            while let Some(SendEvent::KeyframeRequested { .. }) = layer.tx.poll_event() {
                layer.keyframe_requests += 1;
                layer.force_key = true;
            }
        }
    }
    fn handle_timeout(&mut self, now: Instant) {
        for layer in &mut self.layers {
            layer.tx.handle_timeout(now);
        }
        if now >= self.next_frame {
            self.send_frames(now);
        }
    }
    fn poll_transmit(&mut self, now: Instant) -> Option<Datagram> {
        let payload = self.out.pop_front().or_else(|| {
            self.layers.iter_mut().find_map(|l| {
                let p = l.tx.poll_retransmit(now).map(|p| p.to_bytes().unwrap());
                p.or_else(|| Some(write_compound(&l.tx.poll_rtcp(now)?).unwrap()))
            })
        })?;
        Some(Datagram::new(self.addr, self.peer, payload))
    }
    fn poll_timeout(&self) -> Option<Instant> {
        let engines = self.layers.iter().filter_map(|l| l.tx.poll_timeout());
        engines.chain([self.next_frame]).min()
    }
}

/// A packet the packet selector forwarded.
struct Forwarded {
    layer: usize,
    input_seq: u16,
    seq: u16,
    ts: u32,
    marker: bool,
    payload: Vec<u8>,
}

struct Receiver {
    addr: SocketAddr,
    peer: SocketAddr,
    streams: Vec<ReceiveStream>,
    /// Media and RTX SSRC → (layer, is RTX).
    ssrcs: HashMap<u32, (usize, bool)>,
    packets: LayerSelector,
    frames: FrameLayerSelector,
    forwarded: Vec<Forwarded>,
    forwarded_frames: Vec<(usize, EncodedFrame)>,
    /// The receiver of the packet selector's output (no NACK: its PLIs reach the selector as
    /// `request_keyframe`, as an SFU passes a downstream PLI on).
    downstream: ReceiveStream,
    downstream_frames: Vec<EncodedFrame>,
    downstream_plis: u64,
    /// (time, selector, layer asked, the layer its switch was waiting for then, or without a
    /// switch pending the layer forwarded, for which a downstream PLI asks).
    requests: Vec<(Instant, &'static str, usize, Option<usize>)>,
    /// (time, selector, from, to, waited).
    switches: Vec<(Instant, &'static str, Option<usize>, usize, Duration)>,
}

impl Receiver {
    fn drain(&mut self, now: Instant) {
        while let Some(e) = self.downstream.poll_event() {
            if let ReceiveEvent::Frame(f) = e {
                self.downstream_frames.push(f.frame);
            }
        }
        while let Some(rtcp) = self.downstream.poll_rtcp(now) {
            if rtcp
                .iter()
                .any(|p| matches!(p, RtcpPacket::Pli(_) | RtcpPacket::Fir(_)))
            {
                self.downstream_plis += 1;
                self.packets.request_keyframe(now);
            }
        }
        for layer in 0..self.streams.len() {
            while let Some(e) = self.streams[layer].poll_event() {
                if let ReceiveEvent::Frame(f) = e
                    && let Some(out) = self.frames.handle_frame(now, layer, f.frame)
                {
                    self.forwarded_frames.push((layer, out));
                }
            }
        }
        while let Some(layer) = self.packets.poll_keyframe_request() {
            let wanted = self
                .packets
                .pending_layer()
                .or(self.packets.current_layer());
            self.requests.push((now, "packet", layer, wanted));
            self.streams[layer].request_keyframe(now);
        }
        while let Some(layer) = self.frames.poll_keyframe_request() {
            let wanted = self.frames.pending_layer().or(self.frames.current_layer());
            self.requests.push((now, "frame", layer, wanted));
            self.streams[layer].request_keyframe(now);
        }
        for (name, events) in [
            (
                "packet",
                std::iter::from_fn(|| self.packets.poll_event()).collect::<Vec<_>>(),
            ),
            (
                "frame",
                std::iter::from_fn(|| self.frames.poll_event()).collect(),
            ),
        ] {
            for e in events {
                if let SelectorEvent::LayerSwitched { from, to, waited } = e {
                    self.switches.push((now, name, from, to, waited));
                }
            }
        }
    }

    fn forward(&mut self, now: Instant, layer: usize, packet: &RtpPacket<'_>) {
        if let Some(out) = self.packets.handle_packet(now, layer, packet) {
            // What the SFU sends on: the downstream receiver's stream engine assembles it.
            self.downstream.handle_rtp(now, &out);
            self.forwarded.push(Forwarded {
                layer,
                input_seq: packet.header.sequence_number,
                seq: out.header.sequence_number,
                ts: out.header.timestamp,
                marker: out.header.marker,
                payload: out.payload.to_vec(),
            });
        }
    }
}

impl Peer for Receiver {
    fn accepts(&self, addr: SocketAddr) -> bool {
        addr == self.addr
    }
    fn handle_datagram(&mut self, now: Instant, d: Datagram) {
        if is_rtcp(&d.payload) {
            let compound = parse_compound(&d.payload).expect("sender RTCP parses");
            for s in &mut self.streams {
                for p in &compound.packets {
                    s.handle_rtcp(now, p);
                }
            }
        } else {
            let packet = RtpPacket::parse(&d.payload).expect("sender RTP parses");
            let (layer, rtx) = self.ssrcs[&packet.header.ssrc];
            self.streams[layer].handle_rtp(now, &packet);
            if !rtx {
                self.forward(now, layer, &packet);
            } else if let [a, b, rest @ ..] = packet.payload {
                // The retransmission as the original packet (RFC 4588 section 4).
                let mut header = packet.header.clone();
                header.ssrc = self.streams[layer].ssrc();
                header.payload_type = PT;
                header.sequence_number = u16::from_be_bytes([*a, *b]);
                let original = RtpPacket {
                    header,
                    payload: rest,
                    padding: 0,
                };
                self.forward(now, layer, &original);
            }
        }
        self.drain(now);
    }
    fn handle_timeout(&mut self, now: Instant) {
        for s in &mut self.streams {
            s.handle_timeout(now);
        }
        self.packets.handle_timeout(now);
        self.frames.handle_timeout(now);
        self.downstream.handle_timeout(now);
        self.drain(now);
    }
    fn poll_transmit(&mut self, now: Instant) -> Option<Datagram> {
        let compound = self.streams.iter_mut().find_map(|s| s.poll_rtcp(now))?;
        Some(Datagram::new(
            self.addr,
            self.peer,
            write_compound(&compound).unwrap(),
        ))
    }
    fn poll_timeout(&self) -> Option<Instant> {
        let streams = self.streams.iter().filter_map(|s| s.poll_timeout());
        streams
            .chain(self.packets.poll_timeout())
            .chain(self.frames.poll_timeout())
            .chain(self.downstream.poll_timeout())
            .min()
    }
}

fn build(seed: u64, start: Instant) -> (Sender, Receiver) {
    let clock = NtpClock::new(start, Duration::from_secs(3_900_000_000));
    let a: SocketAddr = "10.0.0.1:5000".parse().unwrap();
    let b: SocketAddr = "10.0.0.2:5000".parse().unwrap();
    let mut rng = Rng::new(seed ^ 0x5eed);
    let mut layers = Vec::new();
    let mut streams = Vec::new();
    let mut ssrcs = HashMap::new();
    for l in 0..3 {
        let ssrc = rng.next_u64() as u32 | 1;
        let rtx = RtxConfig {
            ssrc: ssrc ^ 0x8000_0000,
            payload_type: RTX_PT,
        };
        let mut send = SendConfig::new(ssrc, PT, 90_000, clock);
        send.rtx = Some(rtx);
        send.max_retransmit_bitrate = 4_000_000;
        layers.push(LayerTx {
            ssrc,
            // Near the wrap for one layer, so the unwrapping is exercised.
            seq: if l == 1 {
                65_300
            } else {
                rng.next_u64() as u16
            },
            ts_offset: rng.next_u64() as u32,
            tx: SendStream::new(send),
            packetizer: Codec::Vp8.packetizer(),
            active: true,
            force_key: false,
            keyframe_requests: 0,
            keyframes_sent: 0,
        });
        let mut recv = ReceiveConfig::new(ssrc, Codec::Vp8, PT, RECEIVER_SSRC, clock);
        recv.rtx = Some(rtx);
        streams.push(ReceiveStream::new(recv, start));
        ssrcs.insert(ssrc, (l, false));
        ssrcs.insert(rtx.ssrc, (l, true));
    }
    let mut down = ReceiveConfig::new(OUT_SSRC, Codec::Vp8, PT, 0x4444, clock);
    down.nack = false;
    let mut config = SelectorConfig::new(Codec::Vp8, OUT_SSRC, &["q", "h", "f"]).unwrap();
    config.initial_sequence = 65_000;
    let sender = Sender {
        addr: a,
        peer: b,
        layers,
        index: 0,
        next_frame: start,
        out: VecDeque::new(),
    };
    let receiver = Receiver {
        addr: b,
        peer: a,
        streams,
        ssrcs,
        packets: LayerSelector::new(config.clone(), start),
        frames: FrameLayerSelector::new(config, start),
        forwarded: Vec::new(),
        forwarded_frames: Vec::new(),
        downstream: ReceiveStream::new(down, start),
        downstream_frames: Vec::new(),
        downstream_plis: 0,
        requests: Vec::new(),
        switches: Vec::new(),
    };
    (sender, receiver)
}

/// What the script does at a second mark.
#[derive(Debug, Clone, Copy)]
enum Step {
    Layer(usize),
    Bitrate(u64),
    ResumeTop,
}

const SCRIPT: [(u64, Step, Option<usize>); 8] = [
    // (at second, step, layer both selectors forward one second before the next step)
    (0, Step::Layer(2), Some(2)),
    (4, Step::Layer(0), Some(0)),
    (7, Step::Layer(1), Some(1)),
    (10, Step::Bitrate(10_000_000), Some(2)),
    (13, Step::Bitrate(2_000_000), Some(1)),
    (16, Step::Bitrate(300_000), Some(0)),
    (19, Step::Bitrate(10_000_000), Some(1)), // the top layer stops at 19.5 s
    (23, Step::ResumeTop, Some(2)),
];
const END: u64 = 27;

fn run(seed: u64, link: LinkConfig) {
    let start = Instant::now();
    let (mut sender, mut receiver) = build(seed, start);
    let mut net = Network::new(seed);
    net.set_default_link(link.clone());
    let mut sim = Sim::new(net, start);
    let mut checks = Vec::new();
    for (i, &(at, step, expect)) in SCRIPT.iter().enumerate() {
        let now = sim.now();
        assert_eq!(now, start + Duration::from_secs(at));
        match step {
            Step::Layer(l) => {
                receiver.packets.set_target_layer(now, l);
                receiver.frames.set_target_layer(now, l);
            }
            Step::Bitrate(b) => {
                receiver.packets.set_available_bitrate(now, b);
                receiver.frames.set_available_bitrate(now, b);
            }
            Step::ResumeTop => {
                // As a browser re-enabling a layer: it starts again with a keyframe.
                sender.layers[2].active = true;
                sender.layers[2].force_key = true;
            }
        }
        receiver.drain(now);
        let next = SCRIPT.get(i + 1).map_or(END, |n| n.0);
        let segment = |sim: &mut Sim, s: &mut Sender, r: &mut Receiver, secs: f64| {
            let mut peers: [&mut dyn Peer; 2] = [s, r];
            sim.run_for(&mut peers, Duration::from_secs_f64(secs))
                .unwrap();
        };
        if at == 19 {
            segment(&mut sim, &mut sender, &mut receiver, 0.5);
            sender.layers[2].active = false;
            segment(
                &mut sim,
                &mut sender,
                &mut receiver,
                (next - at) as f64 - 1.5,
            );
        } else {
            segment(
                &mut sim,
                &mut sender,
                &mut receiver,
                (next - at) as f64 - 1.0,
            );
        }
        checks.push((
            at,
            step,
            expect,
            receiver.packets.current_layer(),
            receiver.frames.current_layer(),
        ));
        segment(&mut sim, &mut sender, &mut receiver, 1.0);
    }

    println!(
        "simulcast seed {seed}: loss {:.0}%, latency {:?} ± {:?}, reorder {:.0}%",
        link.loss * 100.0,
        link.latency,
        link.jitter,
        link.reorder * 100.0
    );
    println!(
        "  {:>5}  {:<18} {:>8} {:>8}",
        "t (s)", "step", "packets", "frames"
    );
    for (at, step, expect, p, f) in &checks {
        let show = |l: &Option<usize>| l.map_or("-".to_string(), |l| l.to_string());
        println!(
            "  {at:>5}  {:<18} {:>8} {:>8}",
            format!("{step:?}"),
            show(p),
            show(f)
        );
        assert_eq!(
            *p, *expect,
            "seed {seed}: packet selector after {step:?} at {at} s"
        );
        assert_eq!(
            *f, *expect,
            "seed {seed}: frame selector after {step:?} at {at} s"
        );
    }
    println!("  switches (t, selector, from -> to, waited for the keyframe):");
    for (t, name, from, to, waited) in &receiver.switches {
        println!(
            "    {:>6.2} s  {name:<6} {from:?} -> {to}  {:>4} ms",
            (*t - start).as_secs_f64(),
            waited.as_millis()
        );
    }
    let ps = receiver.packets.stats();
    let fs = receiver.frames.stats();
    println!(
        "  packets forwarded per layer {:?} (not selected {}, before switch {}, truncated frames {}), \
         frames forwarded per layer {:?}",
        &ps.forwarded_by_layer[..3],
        ps.not_selected,
        ps.before_switch,
        ps.truncated_frames,
        &fs.forwarded_by_layer[..3]
    );
    let pli: Vec<u64> = sender.layers.iter().map(|l| l.keyframe_requests).collect();
    let keys: Vec<u64> = sender.layers.iter().map(|l| l.keyframes_sent).collect();
    let asked: Vec<usize> = (0..3)
        .map(|l| receiver.requests.iter().filter(|r| r.2 == l).count())
        .collect();
    println!(
        "  selector keyframe requests per layer {asked:?}, PLI/FIR received per layer {pli:?}, \
         keyframes sent per layer {keys:?}, net {:?}",
        sim.net.stats()
    );

    // Every switch waited for a keyframe that its request brought (periodic ones are 10 s
    // apart), and the requests went to the layer being switched to.
    assert!(receiver.switches.len() >= 2 * SCRIPT.len());
    for (t, name, _, to, waited) in &receiver.switches {
        assert!(
            *waited < Duration::from_millis(1500),
            "seed {seed}: {name} switch to {to} at {t:?} waited {waited:?}"
        );
    }
    for (t, name, layer, pending) in &receiver.requests {
        assert_eq!(
            Some(*layer),
            *pending,
            "seed {seed}: {name} asked {layer} at {t:?}"
        );
    }
    for (l, n) in pli.iter().enumerate() {
        assert!(
            *n > 0,
            "seed {seed}: layer {l} never got a keyframe request"
        );
    }
    check_packets(seed, &receiver);
    check_frames(seed, &receiver);
}

/// The packet selector's output, in output sequence order: continuous across switches,
/// switches on keyframes, timestamps never back, frames whole and decodable in order.
fn check_packets(seed: u64, r: &Receiver) {
    let mut unwrap = SeqUnwrapper::new();
    let mut by_seq: Vec<(u64, &Forwarded)> = r
        .forwarded
        .iter()
        .map(|f| (unwrap.unwrap(f.seq), f))
        .collect();
    by_seq.sort_by_key(|(s, _)| *s);
    // Duplicates (the link duplicates, RTX races the original) are the same packet.
    by_seq.dedup_by(|b, a| {
        if a.0 == b.0 {
            assert_eq!(
                a.1.payload, b.1.payload,
                "seed {seed}: output seq {} reused",
                a.0
            );
            assert_eq!((a.1.layer, a.1.input_seq), (b.1.layer, b.1.input_seq));
        }
        a.0 == b.0
    });
    let mut segments = 1;
    let mut gaps_at_switch = 0;
    let mut holes = 0;
    for w in by_seq.windows(2) {
        let ((s1, a), (s2, b)) = (w[0], w[1]);
        assert!(
            b.ts == a.ts || b.ts.wrapping_sub(a.ts) < 0x8000_0000,
            "seed {seed}: timestamp goes back at output seq {s2}"
        );
        if a.layer == b.layer && b.input_seq.wrapping_sub(a.input_seq) < 0x8000 {
            // Within a layer the input's steps are kept: a hole is the layer's own loss.
            assert_eq!(
                s2 - s1,
                u64::from(b.input_seq.wrapping_sub(a.input_seq)),
                "seed {seed}: offset changed within layer {} at output seq {s2}",
                a.layer
            );
            holes += s2 - s1 - 1;
        } else {
            // A switch: the new layer starts right after, at a keyframe, after a whole frame
            // or (cut frame) one sequence number later.
            segments += 1;
            assert_eq!(
                keyframe_start(Codec::Vp8, &b.payload),
                KeyframeStart::Yes,
                "seed {seed}: switch to layer {} at output seq {s2} not on a keyframe",
                b.layer
            );
            match s2 - s1 {
                1 => assert!(a.marker, "seed {seed}: cut frame without a gap at {s2}"),
                2 => gaps_at_switch += 1,
                d => panic!("seed {seed}: switch at output seq {s2} leaves {d} numbers"),
            }
            assert!(b.ts != a.ts, "seed {seed}: new layer reuses a timestamp");
        }
    }
    let switches = r.switches.iter().filter(|s| s.1 == "packet").count();
    assert_eq!(segments, switches, "seed {seed}: one segment per switch");
    assert!(gaps_at_switch as u64 <= r.packets.stats().truncated_frames);

    // Decode: the downstream stream engine (jitter buffer and FrameAssembler) gives whole frames
    // only, and after a loss only from the next keyframe; each is one that was sent, of a layer
    // forwarded, byte for byte, in order and decodable (a keyframe or the next frame of the
    // layer the previous one was from).
    check_decodable(seed, "downstream", r.downstream_frames.iter());
    let ds = r.downstream.stats().inbound;
    println!(
        "  packet path: {} packets, {segments} segments, {holes} holes (the layer's own loss), \
         {gaps_at_switch} cut-frame gaps; downstream {} frames, {} packets lost, {} PLI passed on",
        by_seq.len(),
        r.downstream_frames.len(),
        ds.packets_lost,
        r.downstream_plis,
    );
    assert!(
        r.downstream_frames.len() > 600,
        "seed {seed}: only {} frames downstream",
        r.downstream_frames.len()
    );
}

/// Frames that were sent, byte for byte, with strictly increasing timestamps, each decodable:
/// a keyframe, or the next frame of the layer the previous one was from.
fn check_decodable<'a>(seed: u64, what: &str, frames: impl Iterator<Item = &'a EncodedFrame>) {
    let mut last: Option<(usize, u32, u32)> = None;
    for f in frames {
        let (layer, index) = frame_id(&f.data);
        assert_eq!(
            f.data,
            frame_bytes(layer, index, f.keyframe),
            "seed {seed}: {what}: frame {index} of layer {layer} corrupted"
        );
        let decodable = match last {
            None => f.keyframe,
            Some((pl, pi, pts)) => {
                assert!(
                    f.rtp_timestamp.wrapping_sub(pts).wrapping_sub(1) < 0x7fff_ffff,
                    "seed {seed}: {what}: timestamps not increasing at frame {index}"
                );
                f.keyframe || (pl == layer && pi.wrapping_add(1) == index)
            }
        };
        assert!(
            decodable,
            "seed {seed}: {what}: frame {index} of layer {layer} after {last:?}"
        );
        last = Some((layer, index, f.rtp_timestamp));
    }
}

/// The frame selector's output: the output SSRC, each frame from the layer it says, decodable.
fn check_frames(seed: u64, r: &Receiver) {
    for (layer, f) in &r.forwarded_frames {
        assert_eq!(frame_id(&f.data).0, *layer);
        assert_eq!(f.ssrc, OUT_SSRC);
    }
    check_decodable(seed, "frames", r.forwarded_frames.iter().map(|(_, f)| f));
    assert!(r.forwarded_frames.len() > 600);
}

fn lossy_link() -> LinkConfig {
    LinkConfig {
        latency: Duration::from_millis(30),
        loss: 0.02,
        reorder: 0.02,
        duplicate: 0.005,
        // A bottleneck spaces each frame's burst out, so the reordering is the `reorder` share.
        bandwidth: Some(30_000_000),
        queue_bytes: 256 * 1024,
        ..LinkConfig::default()
    }
}

#[test]
fn simulcast_switches_on_keyframes_with_continuous_output() {
    for seed in [1, 2] {
        run(seed, lossy_link());
    }
}
