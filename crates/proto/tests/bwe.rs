//! Congestion control between two sans-IO peer connections on the simulated network: the
//! receiver answers with transport-wide feedback, the sender's estimate follows a capacity drop,
//! and feedback flows both ways when both sides send.

mod common;

use std::net::IpAddr;
use std::time::{Duration, Instant};

use common::{TestPeer, negotiate};
use rtcio_netsim::{Datagram, LinkConfig, Network, Peer};
use rtcio_proto::media::{RtpWrite, SenderTrack, TrackKind, TransceiverId};
use rtcio_proto::peer::{Event, PeerConnectionState, StatsKind};
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
        // Each datagram at its own arrival time (not rounded to the step): the probes' and the
        // feedback's arrival spacing is measured in microseconds.
        while let Some(at) = self.net.poll_timeout().filter(|&at| at <= now) {
            while let Some(d) = self.net.poll_recv(at) {
                if self.a.accepts(d.to) {
                    self.a.handle_datagram(at, d);
                } else if self.b.accepts(d.to) {
                    self.b.handle_datagram(at, d);
                }
            }
            self.flush_at(at);
        }
        self.flush();
    }

    fn flush_at(&mut self, at: Instant) {
        for p in [&mut self.a, &mut self.b] {
            while let Some(d) = p.poll_transmit(at) {
                self.net.send(at, Datagram::new(d.from, d.to, d.payload));
            }
        }
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
    // Up from the 300 kbit/s start before the drop (the probes find the 2 Mbit/s; see
    // `probing_finds_the_capacity_and_follows_a_drop_and_a_rise` for how fast)…
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
    // A 1 Mbit/s bottleneck each way: the probes lift the target to about that, not further.
    let (ab, ba) = bed.ips();
    bed.net.set_link(ab, ba, link(Some(1_000_000)));
    bed.net.set_link(ba, ab, link(Some(1_000_000)));
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

/// The header of the tracking tables (one row per second).
fn one_second_rows_header() {
    println!(
        "{:>4} {:>9} {:>9} {:>6} {:>9} {:>9} {:>9}",
        "t(s)", "capacity", "target", "loss%", "media B", "probe B", "padding B"
    );
}

#[test]
fn probing_finds_the_capacity_and_follows_a_drop_and_a_rise() {
    let mut bed = Bed::new(11);
    let (ab, ba) = bed.ips();
    bed.net.set_link(ab, ba, link(Some(2_000_000)));
    let (Some(video), _) = bed.connect(true, false) else {
        unreachable!()
    };
    let capacity = |ms: u64| match ms {
        0..=10_000 => 2_000_000,
        10_001..=20_000 => 300_000,
        _ => 2_000_000,
    };
    let mut frame = 0;
    let mut rows = Vec::new();
    let (mut last, mut last_net, mut media) = (bed.a.pc.bwe_stats().1, bed.net.stats(), 0u64);
    one_second_rows_header();
    for ms in 1..=35_000u64 {
        if ms > 1 && capacity(ms) != capacity(ms - 1) {
            bed.net.set_link(ab, ba, link(Some(capacity(ms))));
        }
        if ms % 33 == 0 {
            let target = bed.a.pc.target_bitrate().unwrap();
            send_frame(&mut bed.a, bed.now, video, target, frame);
            media += target / 8 / 30;
            frame += 1;
            bed.flush();
        }
        bed.step();
        while bed.b.pc.poll_rtp().is_some() {}
        if ms % 1000 == 0 {
            let target = bed.a.pc.target_bitrate().unwrap();
            let (_, c) = bed.a.pc.bwe_stats();
            let net = bed.net.stats();
            let sent = (net.sent - last_net.sent).max(1);
            let loss = (net.queue_dropped - last_net.queue_dropped) as f64 / sent as f64;
            let probe = c.probe_bytes_sent - last.probe_bytes_sent;
            let padding = c.padding_bytes_sent - last.padding_bytes_sent;
            println!(
                "{:4} {:9} {:9} {:6.2} {:9} {:9} {:9}",
                ms / 1000,
                capacity(ms),
                target,
                loss * 100.0,
                media,
                probe,
                padding
            );
            rows.push((ms / 1000, target, loss, media, padding));
            (last, last_net, media) = (c, net, 0);
        }
    }
    let (_, c) = bed.a.pc.bwe_stats();
    let (drops, _) = bed.b.pc.media_drop_stats();
    println!("sender {c:?}\nreceiver drops {drops:?}");
    let rows_in =
        |r: std::ops::RangeInclusive<u64>| rows.iter().filter(move |row| r.contains(&row.0));
    // The probes find the 2 Mbit/s within two seconds (additive increase alone needs ~25 s).
    for &(t, target, ..) in rows_in(2..=10) {
        assert!(target >= 1_600_000, "t={t}: {target}");
    }
    // The drop is followed within a few seconds (the router's 60 kB buffer, 1.6 s at the new
    // rate, overflows while the first feedback about it travels), then no loss.
    for &(t, target, ..) in rows_in(14..=20) {
        assert!((100_000..450_000).contains(&target), "t={t}: {target}");
    }
    for &(t, _, loss, ..) in rows_in(15..=20) {
        assert!(loss < 0.01, "t={t}: loss {loss}");
    }
    // The periodic probe finds the capacity that came back.
    for &(t, target, ..) in rows_in(26..=35) {
        assert!(target >= 1_400_000, "t={t}: {target}");
    }
    // Padding only inside probes: never more than the target in any second, and a small share
    // of what the application sends once it sends at the target.
    for &(t, target, _, _, padding) in &rows {
        assert!(
            padding * 8 < target,
            "t={t}: {padding} B of padding, target {target}"
        );
    }
    let (m, p) = rows_in(3..=10).fold((0, 0), |(m, p), r| (m + r.3, p + r.4));
    assert!(p * 50 < m, "padding {p} B vs media {m} B");
    assert!(c.probe_clusters >= 4 && c.padding_packets_sent > 0, "{c:?}");
    assert_eq!(c.padding_requests_dropped, 0);
    // The application heard every move as an event: first the start rate, last the target now.
    let targets: Vec<u64> = bed
        .a
        .events
        .iter()
        .filter_map(|e| match e {
            Event::TargetBitrateChanged(b) => Some(*b),
            _ => None,
        })
        .collect();
    println!("{} target events", targets.len());
    assert_eq!(targets.first(), Some(&300_000));
    assert_eq!(targets.last().copied(), bed.a.pc.target_bitrate());
    assert!(targets.windows(2).all(|w| w[0] != w[1]), "only changes");
    assert!(targets.len() > 20);
}

fn is_rtx(a: &Attribute) -> bool {
    match a {
        Attribute::Rtpmap(m) => m.encoding_name.eq_ignore_ascii_case("rtx"),
        Attribute::Fmtp(f) => f.parameters.contains("apt="),
        _ => false,
    }
}

/// Probes through a sender with or without RTX: the padding (redundant RTX payloads, padding-only
/// RTX, or padding-only packets on the media SSRC) counts in the feedback and lifts the target,
/// and the receiving application never sees it: no empty or repeated packets, no NACK, no loss,
/// every frame.
fn probe_padding_is_invisible_to_the_receiver(rtx: bool) {
    let mut bed = Bed::new(if rtx { 51 } else { 52 });
    let (ab, ba) = bed.ips();
    bed.net.set_link(ab, ba, link(Some(2_000_000)));
    let video = bed.connect_filtered(|a| rtx || !is_rtx(a)).unwrap();
    // The application sends little (200 kbit/s, VP8 keyframe-marked one-packet frames), so the
    // probes are mostly padding.
    let mut sent_frames = 0u32;
    let (mut got_frames, mut got_packets) = (0, 0);
    for ms in 1..=3_000u64 {
        if ms % 33 == 0 {
            let mut payload = vec![0x10, 0x50, 0x2a, 0x00, 0x9d, 0x01, 0x2a];
            payload.resize(800, 0x5a);
            let w = RtpWrite {
                payload_type: None,
                marker: true,
                timestamp: sent_frames * 3000,
                payload: &payload,
            };
            bed.a.pc.write_rtp(bed.now, video, w).unwrap();
            sent_frames += 1;
            bed.flush();
        }
        bed.step();
        while let Some(p) = bed.b.pc.poll_rtp() {
            assert!(!p.payload.is_empty(), "padding reached the application");
            assert!(!p.retransmission, "nothing was lost: {p:?}");
            got_packets += 1;
        }
        while bed.b.pc.poll_frame().is_some() {
            got_frames += 1;
        }
    }
    let sender = bed.a.pc.sender_stats(video).unwrap().outbound;
    let (_, c) = bed.a.pc.bwe_stats();
    let (drops, _) = bed.b.pc.media_drop_stats();
    let tb = bed.b.pc.transceivers()[0].id();
    let inbound = &bed.b.pc.receiver_stats(tb)[0].1.inbound;
    println!("rtx {rtx}: sender {sender:?}\n{c:?}\nreceiver drops {drops:?}\n{inbound:?}");
    assert!(bed.a.pc.target_bitrate().unwrap() > 1_000_000, "{c:?}");
    assert!(c.padding_packets_sent > 5, "{c:?}");
    if rtx {
        assert!(sender.redundant_packets_sent > 0, "{sender:?}");
    } else {
        assert_eq!(sender.redundant_packets_sent, 0);
    }
    assert!(sender.padding_packets_sent > 0, "{sender:?}");
    assert!(drops.padding > 0, "{drops:?}");
    assert_eq!(got_packets, sent_frames, "each media packet once");
    assert!(
        got_frames + 15 >= sent_frames,
        "{got_frames} of {sent_frames} frames"
    );
    assert_eq!((inbound.nack_count, inbound.packets_lost), (0, 0));
    assert_eq!(inbound.frames_dropped, 0);
}

#[test]
fn probe_padding_with_rtx_is_invisible_to_the_receiver() {
    probe_padding_is_invisible_to_the_receiver(true);
}

#[test]
fn probe_padding_without_rtx_is_invisible_to_the_receiver() {
    probe_padding_is_invisible_to_the_receiver(false);
}
