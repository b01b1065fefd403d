//! Congestion control between two sans-IO peer connections on the simulated network: the
//! receiver answers with transport-wide feedback, the sender's estimate follows a capacity drop,
//! and feedback flows both ways when both sides send.

mod common;

use std::net::IpAddr;
use std::time::{Duration, Instant};

use common::{TestPeer, negotiate};
use rtcio_netsim::{Datagram, LinkConfig, Network, Peer};
use rtcio_proto::media::{RtpWrite, SenderTrack, TrackKind, TransceiverId};
use rtcio_proto::peer::{PeerConnectionState, StatsKind};
use rtcio_sdp::Attribute;

fn track(id: &str) -> SenderTrack {
    SenderTrack {
        track_id: id.into(),
        stream_ids: vec!["s".into()],
    }
}

fn link(bandwidth: Option<u64>) -> LinkConfig {
    LinkConfig {
        latency: Duration::from_millis(25),
        jitter: Duration::from_millis(1),
        bandwidth,
        queue_bytes: 60_000,
        ..LinkConfig::default()
    }
}

/// Two peers on a network driven in 1 ms steps (the test changes links mid-run).
struct Bed {
    net: Network,
    now: Instant,
    a: TestPeer,
    b: TestPeer,
}

impl Bed {
    fn new(seed: u64) -> Bed {
        let now = Instant::now();
        let mut net = Network::new(seed);
        net.set_default_link(link(None));
        let a = TestPeer::new("10.0.0.1:4000", seed, now);
        let b = TestPeer::new("10.0.0.2:4000", seed + 1, now);
        Bed { net, now, a, b }
    }

    fn ips(&self) -> (IpAddr, IpAddr) {
        (self.a.addr.ip(), self.b.addr.ip())
    }

    /// Advances 1 ms: timers, deliveries, transmissions.
    fn step(&mut self) {
        self.now += Duration::from_millis(1);
        let now = self.now;
        for p in [&mut self.a, &mut self.b] {
            if p.poll_timeout().is_some_and(|t| t <= now) {
                p.handle_timeout(now);
            }
        }
        while let Some(d) = self.net.poll_recv(now) {
            if self.a.accepts(d.to) {
                self.a.handle_datagram(now, d);
            } else if self.b.accepts(d.to) {
                self.b.handle_datagram(now, d);
            }
        }
        self.flush();
    }

    fn flush(&mut self) {
        for p in [&mut self.a, &mut self.b] {
            while let Some(d) = p.poll_transmit(self.now) {
                self.net
                    .send(self.now, Datagram::new(d.from, d.to, d.payload));
            }
        }
    }

    /// Connects with the offer's attributes filtered by `keep` (what the answer can take).
    fn connect_filtered(&mut self, keep: impl Fn(&Attribute) -> bool) -> Option<TransceiverId> {
        let ta = self.a.pc.add_track(TrackKind::Video, track("a")).unwrap();
        let now = self.now;
        self.a.pc.set_local_description(now, None).unwrap();
        let mut offer = self.a.pc.local_description().unwrap();
        for m in &mut offer.sdp.media {
            m.attributes.retain(&keep);
        }
        self.b.pc.set_remote_description(now, offer).unwrap();
        self.b.pc.set_local_description(now, None).unwrap();
        let answer = self.b.pc.local_description().unwrap();
        self.a.pc.set_remote_description(now, answer).unwrap();
        self.a.drain_events();
        self.b.drain_events();
        self.wait_connected();
        Some(ta)
    }

    fn wait_connected(&mut self) {
        self.flush();
        let limit = self.now + Duration::from_secs(10);
        while self.a.pc.connection_state() != PeerConnectionState::Connected
            || self.b.pc.connection_state() != PeerConnectionState::Connected
        {
            assert!(self.now < limit, "connects");
            self.step();
        }
    }

    fn connect(
        &mut self,
        a_video: bool,
        b_video: bool,
    ) -> (Option<TransceiverId>, Option<TransceiverId>) {
        let ta = a_video.then(|| self.a.pc.add_track(TrackKind::Video, track("a")).unwrap());
        let tb = b_video.then(|| self.b.pc.add_track(TrackKind::Video, track("b")).unwrap());
        negotiate(&mut self.a, &mut self.b, self.now);
        self.wait_connected();
        (ta, tb)
    }
}

fn is_transport_cc(a: &Attribute) -> bool {
    matches!(a, Attribute::Extmap(e) if e.uri.contains("transport-wide-cc"))
}

fn is_nack(a: &Attribute) -> bool {
    matches!(a, Attribute::RtcpFb(f) if f.feedback_type == "nack")
}

/// One 30 fps video frame at `bitrate`, in 1100-byte RTP payloads.
fn send_frame(p: &mut TestPeer, now: Instant, id: TransceiverId, bitrate: u64, frame: u32) {
    let bytes = (bitrate / 8 / 30) as usize;
    let packets = bytes.div_ceil(1100).max(1);
    let payload = vec![0x5a; bytes.div_ceil(packets)];
    for i in 0..packets {
        let w = RtpWrite {
            payload_type: None,
            marker: i + 1 == packets,
            timestamp: frame * 3000,
            payload: &payload,
        };
        p.pc.write_rtp(now, id, w).unwrap();
    }
}

#[test]
fn target_bitrate_follows_a_capacity_drop() {
    let mut bed = Bed::new(7);
    let (ab, ba) = bed.ips();
    bed.net.set_link(ab, ba, link(Some(2_000_000)));
    let (Some(video), _) = bed.connect(true, false) else {
        unreachable!()
    };
    let mut frame = 0;
    let mut received_bytes = 0usize;
    let mut rows = Vec::new();
    println!("t(s)   capacity     target   goodput");
    for ms in 1..=20_000u64 {
        let capacity = if ms <= 10_000 { 2_000_000 } else { 300_000 };
        if ms == 10_001 {
            bed.net.set_link(ab, ba, link(Some(capacity)));
        }
        if ms % 33 == 0 {
            let target = bed.a.pc.target_bitrate().expect("transport-cc negotiated");
            send_frame(&mut bed.a, bed.now, video, target, frame);
            frame += 1;
            bed.flush();
        }
        bed.step();
        while let Some(p) = bed.b.pc.poll_rtp() {
            received_bytes += p.payload.len();
        }
        if ms % 1000 == 0 {
            let target = bed.a.pc.target_bitrate().unwrap();
            let goodput = received_bytes as u64 * 8;
            received_bytes = 0;
            println!(
                "{:4} {:10} {:10} {:9}",
                ms / 1000,
                capacity,
                target,
                goodput
            );
            rows.push((ms / 1000, target));
        }
    }
    let (_, counters) = bed.a.pc.bwe_stats();
    let (_, b_counters) = bed.b.pc.bwe_stats();
    let pacer = bed.a.pc.pacer_stats().unwrap();
    println!("sender {counters:?}\nreceiver {b_counters:?}\npacer {pacer:?}");
    // Video went through the pacer; its queue is bounded, and the encoder following the
    // target keeps it from overflowing.
    assert!(pacer.sent[2] > 900, "{pacer:?}");
    assert_eq!(pacer.dropped, [0; 4], "{pacer:?}");
    assert!(b_counters.feedback_sent > 100, "b answers every ~100 ms");
    assert!(counters.feedback_received > 100);
    assert!(counters.packets_stamped > 1000);
    // Up from the 300 kbit/s start before the drop (additive increase only: without the
    // pacer nothing sends the probes that would find 2 Mbit/s at once)…
    let before: Vec<u64> = rows
        .iter()
        .filter(|(t, _)| (7..=10).contains(t))
        .map(|r| r.1)
        .collect();
    assert!(before.iter().all(|&t| t > 450_000), "ramped up: {before:?}");
    // …and under the new capacity (with margin) within a few seconds after it.
    let after: Vec<u64> = rows.iter().filter(|(t, _)| *t >= 14).map(|r| r.1).collect();
    assert!(
        after.iter().all(|&t| t < 450_000),
        "followed the drop: {after:?}"
    );
    assert!(
        after.iter().all(|&t| t > 100_000),
        "not collapsed: {after:?}"
    );
}

#[test]
fn feedback_flows_both_ways_and_reaches_stats() {
    let mut bed = Bed::new(21);
    let (Some(va), Some(vb)) = bed.connect(true, true) else {
        unreachable!()
    };
    let mut frame = 0;
    for ms in 1..=3_000u64 {
        if ms % 33 == 0 {
            let now = bed.now;
            send_frame(&mut bed.a, now, va, 300_000, frame);
            send_frame(&mut bed.b, now, vb, 300_000, frame);
            frame += 1;
            bed.flush();
        }
        bed.step();
        while bed.a.pc.poll_rtp().is_some() {}
        while bed.b.pc.poll_rtp().is_some() {}
    }
    // The pacer spreads a burst: of 40 packets (44 kB) written at once, a few leave now (a 5 ms
    // budget at 2.5 × the target), the rest as the budget refills.
    let now = bed.now;
    let before = bed.a.pc.pacer_stats().unwrap().sent[2];
    for i in 0..40u32 {
        let w = RtpWrite {
            payload_type: None,
            marker: i == 39,
            timestamp: 1 << 20,
            payload: &[0x5a; 1100],
        };
        bed.a.pc.write_rtp(now, va, w).unwrap();
    }
    let at_once = bed.a.pc.pacer_stats().unwrap().sent[2] - before;
    assert!((1..10).contains(&at_once), "{at_once} left at once");
    for _ in 0..1000 {
        bed.step();
    }
    assert_eq!(bed.a.pc.pacer_stats().unwrap().sent[2] - before, 40);
    for p in [&bed.a, &bed.b] {
        let (stats, c) = p.pc.bwe_stats();
        assert!(c.feedback_sent > 20 && c.feedback_received > 20, "{c:?}");
        assert!(c.packets_stamped > 100 && c.arrivals > 100, "{c:?}");
        assert!(stats.unwrap().acked_bitrate.is_some());
        // getStats carries the estimate: the nominated pair's availableOutgoingBitrate and the
        // one sender's targetBitrate are both the target.
        let target = p.pc.target_bitrate();
        let all = p.pc.stats();
        let available: Vec<_> = all
            .iter()
            .filter_map(|s| match &s.kind {
                StatsKind::CandidatePair {
                    available_outgoing_bitrate: Some(b),
                    ..
                } => Some(*b),
                _ => None,
            })
            .collect();
        assert_eq!(available, vec![target.unwrap()]);
        let outbound: Vec<_> = all
            .iter()
            .filter_map(|s| match &s.kind {
                StatsKind::OutboundRtp { target_bitrate, .. } => Some(*target_bitrate),
                _ => None,
            })
            .collect();
        assert_eq!(outbound, vec![target]);
    }
}

#[test]
fn remb_without_transport_cc_follows_a_capacity_drop() {
    let mut bed = Bed::new(33);
    let (ab, ba) = bed.ips();
    bed.net.set_link(ab, ba, link(Some(2_000_000)));
    // A peer without transport-cc: abs-send-time and goog-remb only.
    let video = bed.connect_filtered(|a| !is_transport_cc(a)).unwrap();
    let mut frame = 0;
    let mut rows = Vec::new();
    println!("t(s)   capacity     target");
    for ms in 1..=16_000u64 {
        let capacity = if ms <= 8_000 { 2_000_000 } else { 300_000 };
        if ms == 8_001 {
            bed.net.set_link(ab, ba, link(Some(capacity)));
        }
        if ms % 33 == 0 {
            let target = bed.a.pc.target_bitrate().expect("REMB negotiated");
            send_frame(&mut bed.a, bed.now, video, target, frame);
            frame += 1;
            bed.flush();
        }
        bed.step();
        while bed.b.pc.poll_rtp().is_some() {}
        if ms % 1000 == 0 {
            let target = bed.a.pc.target_bitrate().unwrap();
            println!("{:4} {:10} {:10}", ms / 1000, capacity, target);
            rows.push((ms / 1000, target));
        }
    }
    let (_, a) = bed.a.pc.bwe_stats();
    let (_, b) = bed.b.pc.bwe_stats();
    println!("sender {a:?}\nreceiver {b:?}");
    assert_eq!(
        (a.packets_stamped, b.feedback_sent),
        (0, 0),
        "no transport-cc"
    );
    assert!(b.remb_sent >= 10 && a.remb_received >= 10, "{a:?} {b:?}");
    let after: Vec<u64> = rows.iter().filter(|(t, _)| *t >= 12).map(|r| r.1).collect();
    assert!(
        after.iter().all(|&t| t < 450_000),
        "followed the drop: {after:?}"
    );
    assert!(
        after.iter().all(|&t| t > 100_000),
        "not collapsed: {after:?}"
    );
}

#[test]
fn receiver_report_loss_caps_a_remb_only_sender() {
    let mut bed = Bed::new(45);
    let (ab, ba) = bed.ips();
    // No transport-cc and no NACK (retransmissions would hide the loss from the reports).
    let video = bed
        .connect_filtered(|a| !is_transport_cc(a) && !is_nack(a))
        .unwrap();
    // A link without a bottleneck (REMB keeps rising) that loses 20 % of what a sends.
    bed.net.set_link(
        ab,
        ba,
        LinkConfig {
            loss: 0.2,
            ..link(None)
        },
    );
    let mut frame = 0;
    for ms in 1..=10_000u64 {
        if ms % 33 == 0 {
            let target = bed.a.pc.target_bitrate().unwrap();
            send_frame(&mut bed.a, bed.now, video, target, frame);
            frame += 1;
            bed.flush();
        }
        bed.step();
        while bed.b.pc.poll_rtp().is_some() {}
    }
    let (stats, c) = bed.a.pc.bwe_stats();
    let stats = stats.unwrap();
    println!("{stats:?}\n{c:?}");
    assert!(c.remb_received > 5, "{c:?}");
    assert!(stats.loss_fraction > 0.1, "{stats:?}");
    assert!(stats.loss_based_limit.is_some(), "{stats:?}");
    assert!(stats.target_bitrate < 300_000, "{stats:?}");
}
