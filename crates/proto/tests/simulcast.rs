//! Simulcast (RFC 8853, rids RFC 8851): answering the simulcast offers of Chromium 156 and
//! Firefox ESR 153 (captured with three `sendEncodings`, rids q/h/f) with the same rids to
//! receive and the rid header extensions; and rtcio to rtcio on the simulated network with
//! three encodings: each layer routed by rid with its own stream engine and stats, NACK/RTX per
//! layer under loss, a deactivated layer stopping, `maxBitrate` in the per-encoding targets.

mod common;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use common::{LIMIT, TestPeer, negotiate, run_until, sim};
use rtcio_netsim::LinkConfig;
use rtcio_proto::media::{FrameWrite, SendEncoding, SenderTrack, TrackKind, TransceiverId};
use rtcio_proto::peer::{
    Config, Error, Event, PeerConnection, PeerConnectionState, StatsKind, TransceiverInit,
};
use rtcio_rtp::codec::Codec;
use rtcio_rtp::stream::ReceiveEvent;
use rtcio_sdp::{
    Direction, JsepDescription, MediaDescription, MediaKind, SdpType, SessionDescription,
};

const RID_URI: &str = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";
const REPAIRED_RID_URI: &str = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id";

fn fixture(name: &str) -> SessionDescription {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    SessionDescription::parse(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Answers a browser's offer; returns the answer as written (parsed back) and the number of
/// `track` events.
fn answer(offer: &str) -> (SessionDescription, usize) {
    let now = Instant::now();
    let mut pc = PeerConnection::new(Config::default()).unwrap();
    let desc = JsepDescription {
        sdp_type: SdpType::Offer,
        sdp: fixture(offer),
    };
    pc.set_remote_description(now, desc).unwrap();
    let answer = pc.create_answer().unwrap();
    pc.set_local_description(now, Some(answer.clone())).unwrap();
    let tracks = std::iter::from_fn(|| pc.poll_event())
        .filter(|e| matches!(e, Event::Track(_)))
        .count();
    let text = answer.sdp.to_string();
    (SessionDescription::parse(&text).unwrap(), tracks)
}

fn video(sdp: &SessionDescription) -> &MediaDescription {
    sdp.media
        .iter()
        .find(|m| m.kind == MediaKind::Video)
        .unwrap()
}

fn extmap<'a>(m: &'a MediaDescription, uri: &str) -> Option<&'a rtcio_sdp::Extmap> {
    m.extmaps().find(|e| e.uri == uri)
}

#[test]
fn answers_chromium_simulcast_offer_with_the_same_rids() {
    let (a, tracks) = answer("chromium-simulcast-offer.sdp");
    assert_eq!(tracks, 1);
    let v = video(&a);
    assert_ne!(v.port, 0);
    assert_eq!(v.direction(), Some(Direction::RecvOnly));
    let rids: Vec<String> = v.rids().map(ToString::to_string).collect();
    assert_eq!(rids, ["q recv", "h recv", "f recv"]);
    assert_eq!(v.simulcast().unwrap().to_string(), "recv q;h;f");
    // The rid extensions with Chromium's ids (mid 9, rid 10, repaired-rid 11).
    assert_eq!(extmap(v, RID_URI).map(|e| e.id), Some(10));
    assert_eq!(extmap(v, REPAIRED_RID_URI).map(|e| e.id), Some(11));
    assert_eq!(
        extmap(v, "urn:ietf:params:rtp-hdrext:sdes:mid").map(|e| e.id),
        Some(9)
    );
}

#[test]
fn answers_firefox_simulcast_offer_with_the_same_rids() {
    let (a, tracks) = answer("firefox-simulcast-offer.sdp");
    assert_eq!(tracks, 1);
    let v = video(&a);
    assert_ne!(v.port, 0);
    assert_eq!(v.direction(), Some(Direction::RecvOnly));
    let rids: Vec<String> = v.rids().map(ToString::to_string).collect();
    assert_eq!(rids, ["q recv", "h recv", "f recv"]);
    assert_eq!(v.simulcast().unwrap().to_string(), "recv q;h;f");
    // Firefox offers the rid extensions sendonly: answered recvonly, with its ids.
    let rid = extmap(v, RID_URI).unwrap();
    assert_eq!((rid.id, rid.direction), (9, Some(Direction::RecvOnly)));
    let repaired = extmap(v, REPAIRED_RID_URI).unwrap();
    assert_eq!(
        (repaired.id, repaired.direction),
        (10, Some(Direction::RecvOnly))
    );
}

const RIDS: [&str; 3] = ["q", "h", "f"];

/// VP8 keyframe `i` of layer `k` (P=0 in the frame tag, start code 9d 01 2a), over one packet.
fn vp8_frame(k: usize, i: usize) -> Vec<u8> {
    let mut f = vec![0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a];
    f.extend((0..300 * (k + 1) + 900).map(|j| ((i * 7 + j + k) % 251) as u8 + 1));
    f
}

/// Sends frame `i` on each layer of `sender`, then runs the network for a frame interval;
/// collects what `b` gets per rid: frames and rids of packets.
struct Layers {
    frames: HashMap<String, Vec<(u32, Vec<u8>)>>,
    packets: HashMap<String, u64>,
    lost: u64,
}

fn drain(b: &mut TestPeer, receiver: TransceiverId, got: &mut Layers) {
    while let Some(p) = b.pc.poll_rtp() {
        assert_eq!(p.transceiver, receiver);
        *got.packets
            .entry(p.rid.expect("every packet has a layer"))
            .or_default() += 1;
    }
    while let Some(f) = b.pc.poll_frame() {
        let rid = f.rid.expect("every frame has a layer");
        match f.event {
            ReceiveEvent::Frame(f) => got
                .frames
                .entry(rid)
                .or_default()
                .push((f.frame.rtp_timestamp, f.frame.data)),
            ReceiveEvent::FrameLost { count, .. } => got.lost += count,
            ReceiveEvent::KeyframeNeeded => {}
        }
    }
}

#[test]
fn three_encodings_arrive_routed_by_rid_repaired_per_layer() {
    let start = Instant::now();
    let link = LinkConfig {
        loss: 0.03,
        jitter: Duration::from_millis(2),
        ..LinkConfig::with_latency(Duration::from_millis(10))
    };
    let mut sim = sim(link, 7, start);
    let mut a = TestPeer::new("10.0.0.1:4000", 71, start);
    let mut b = TestPeer::new("10.0.0.2:4000", 72, start);
    let init = TransceiverInit {
        direction: rtcio_sdp::Direction::SendOnly,
        track: Some(SenderTrack {
            track_id: "cam".into(),
            stream_ids: vec!["s".into()],
        }),
        send_encodings: RIDS.iter().map(|r| SendEncoding::with_rid(r)).collect(),
    };
    let sender = a.pc.add_transceiver(TrackKind::Video, init).unwrap();
    // W3C defaults: lowest resolution first.
    let scales: Vec<Option<f64>> =
        a.pc.transceiver(sender)
            .unwrap()
            .sender()
            .encodings()
            .iter()
            .map(|l| l.encoding.scale_resolution_down_by)
            .collect();
    assert_eq!(scales, [Some(4.0), Some(2.0), Some(1.0)]);
    negotiate(&mut a, &mut b, start);
    let offer = a.pc.current_local_description().unwrap().sdp;
    let answer = b.pc.current_local_description().unwrap().sdp;
    let (ov, av) = (video(&offer), video(&answer));
    let rids: Vec<String> = ov.rids().map(ToString::to_string).collect();
    assert_eq!(rids, ["q send", "h send", "f send"]);
    assert_eq!(ov.simulcast().unwrap().to_string(), "send q;h;f");
    let rids: Vec<String> = av.rids().map(ToString::to_string).collect();
    assert_eq!(rids, ["q recv", "h recv", "f recv"]);
    assert_eq!(av.simulcast().unwrap().to_string(), "recv q;h;f");
    assert!(extmap(av, RID_URI).is_some() && extmap(av, REPAIRED_RID_URI).is_some());
    let layers =
        a.pc.transceiver(sender)
            .unwrap()
            .sender()
            .encodings()
            .to_vec();
    assert!(layers.iter().all(|l| l.negotiated));
    let receiver = b
        .events
        .iter()
        .find_map(|e| match e {
            Event::Track(id) => Some(*id),
            _ => None,
        })
        .unwrap();
    run_until(&mut sim, &mut a, &mut b, LIMIT, |a, b| {
        a.pc.connection_state() == PeerConnectionState::Connected
            && b.pc.connection_state() == PeerConnectionState::Connected
    });

    let mut got = Layers {
        frames: HashMap::new(),
        packets: HashMap::new(),
        lost: 0,
    };
    let n = 60usize;
    let send = |sim: &mut rtcio_netsim::Sim,
                a: &mut TestPeer,
                b: &mut TestPeer,
                got: &mut Layers,
                frames: std::ops::Range<usize>| {
        for i in frames {
            for (k, rid) in RIDS.iter().enumerate() {
                let data = vp8_frame(k, i);
                let w = FrameWrite {
                    codec: Codec::Vp8,
                    timestamp: i as u32 * 3000,
                    data: &data,
                };
                a.pc.send_frame_layer(sim.now(), sender, Some(rid), w)
                    .unwrap();
            }
            sim.run_for(&mut [&mut *a, &mut *b], Duration::from_millis(33))
                .unwrap();
            drain(b, receiver, got);
        }
        sim.run_for(&mut [&mut *a, &mut *b], Duration::from_secs(3))
            .unwrap();
        drain(b, receiver, got);
    };
    send(&mut sim, &mut a, &mut b, &mut got, 0..n);

    // Every layer's frames arrived whole, in order, on its own rid (NACK/RTX repaired loss).
    for (k, rid) in RIDS.iter().enumerate() {
        let frames = &got.frames[*rid];
        assert!(
            frames.len() >= n - 2,
            "{rid}: {} of {n} frames",
            frames.len()
        );
        let mut next = 0;
        for (ts, data) in frames {
            let i = (*ts / 3000) as usize;
            assert!(i >= next, "{rid}: frame {i} after {next}");
            assert_eq!(*data, vp8_frame(k, i), "{rid}: frame {i} differs");
            next = i + 1;
        }
    }
    // One inbound-rtp per layer with its rid, each with retransmissions received.
    let stats = b.pc.stats();
    let inbound: Vec<(String, u64, u64)> = stats
        .iter()
        .filter_map(|s| match &s.kind {
            StatsKind::InboundRtp {
                rid: Some(rid),
                stats,
                ..
            } => Some((
                rid.clone(),
                stats.packets_received,
                stats.retransmitted_packets_received,
            )),
            _ => None,
        })
        .collect();
    assert_eq!(inbound.len(), 3, "{inbound:?}");
    assert!(
        inbound.iter().all(|(_, p, rtx)| *p > 0 && *rtx > 0),
        "every layer repaired: {inbound:?}"
    );
    // And one outbound-rtp per encoding on the sender, with its rid and SSRC.
    let stats = a.pc.stats();
    let outbound: Vec<(Option<String>, bool, u32, u64)> = stats
        .iter()
        .filter_map(|s| match &s.kind {
            StatsKind::OutboundRtp {
                rid, active, stats, ..
            } => Some((
                rid.clone(),
                *active,
                stats.ssrc,
                stats.retransmitted_packets_sent,
            )),
            _ => None,
        })
        .collect();
    assert_eq!(outbound.len(), 3);
    for (l, o) in layers.iter().zip(&outbound) {
        assert_eq!(o.0, l.encoding.rid);
        assert!(o.1);
        assert_eq!(o.2, l.ssrc);
        assert!(o.3 > 0, "{:?} retransmitted nothing", o.0);
    }

    // A keyframe request for one layer reaches the sender naming that layer.
    a.events.clear();
    b.pc.request_keyframe(sim.now(), receiver, Some("h"))
        .unwrap();
    sim.run_for(&mut [&mut a, &mut b], Duration::from_millis(50))
        .unwrap();
    let asked: Vec<Option<String>> = a
        .events
        .iter()
        .filter_map(|e| match e {
            Event::KeyframeRequested { rid, .. } => Some(rid.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(asked, [Some("h".to_string())]);

    // Renegotiation keeps the rids and each layer's SSRCs.
    negotiate(&mut a, &mut b, sim.now());
    let offer = a.pc.current_local_description().unwrap().sdp;
    assert_eq!(video(&offer).simulcast().unwrap().to_string(), "send q;h;f");
    let again =
        a.pc.transceiver(sender)
            .unwrap()
            .sender()
            .encodings()
            .to_vec();
    let ids = |ls: &[rtcio_proto::media::SendLayer]| -> Vec<(Option<String>, u32, u32, bool)> {
        ls.iter()
            .map(|l| (l.encoding.rid.clone(), l.ssrc, l.rtx_ssrc, l.negotiated))
            .collect()
    };
    assert_eq!(ids(&again), ids(&layers));

    // Deactivating h: its packets stop, q and f go on; reactivated, it resumes.
    let mut p = a.pc.get_parameters(sender).unwrap();
    p.encodings[1].active = false;
    a.pc.set_parameters(sender, p).unwrap();
    let before = got.packets.clone();
    send(&mut sim, &mut a, &mut b, &mut got, n..n + 20);
    assert_eq!(got.packets["h"], before["h"], "h kept sending");
    assert!(got.packets["q"] > before["q"] && got.packets["f"] > before["f"]);
    let stats = a.pc.stats();
    let inactive: Vec<Option<String>> = stats
        .iter()
        .filter_map(|s| match &s.kind {
            StatsKind::OutboundRtp {
                rid, active: false, ..
            } => Some(rid.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(inactive, [Some("h".to_string())]);
    let mut p = a.pc.get_parameters(sender).unwrap();
    p.encodings[1].active = true;
    a.pc.set_parameters(sender, p).unwrap();
    let paused = got.packets["h"];
    send(&mut sim, &mut a, &mut b, &mut got, n + 20..n + 30);
    assert!(got.packets["h"] > paused, "h did not resume");

    // maxBitrate caps the low layers' part of the target; the top layer takes the rest.
    let total = a.pc.target_bitrate().expect("a congestion-control target");
    let even = a.pc.encoding_target_bitrates(sender).unwrap();
    // Uncapped layers share evenly.
    assert!(even.iter().all(|b| b.abs_diff(total / 3) <= 1), "{even:?}");
    assert_eq!(even.iter().sum::<u64>(), total);
    let mut p = a.pc.get_parameters(sender).unwrap();
    p.encodings[0].max_bitrate = Some(total / 10);
    p.encodings[1].max_bitrate = Some(total / 5);
    a.pc.set_parameters(sender, p).unwrap();
    let targets = a.pc.encoding_target_bitrates(sender).unwrap();
    assert_eq!(targets[..2], [total / 10, total / 5]);
    assert_eq!(targets.iter().sum::<u64>(), total);
    // An inactive layer gets nothing; its part goes to the others.
    let mut p = a.pc.get_parameters(sender).unwrap();
    p.encodings[2].active = false;
    a.pc.set_parameters(sender, p).unwrap();
    let targets = a.pc.encoding_target_bitrates(sender).unwrap();
    assert_eq!(targets, [total / 10, total / 5, 0]);
    let stats = a.pc.stats();
    let per_encoding: Vec<Option<u64>> = stats
        .iter()
        .filter_map(|s| match &s.kind {
            StatsKind::OutboundRtp { target_bitrate, .. } => Some(*target_bitrate),
            _ => None,
        })
        .collect();
    assert_eq!(per_encoding, [Some(total / 10), Some(total / 5), Some(0)]);
    let (drops, _) = b.pc.media_drop_stats();
    assert_eq!(drops.routing.unroutable, 0);
}

#[test]
fn send_encodings_are_validated_and_parameters_guarded() {
    let now = Instant::now();
    let mut pc = PeerConnection::new(Config::default()).unwrap();
    let add = |pc: &mut PeerConnection, encodings: Vec<SendEncoding>| {
        let init = TransceiverInit {
            send_encodings: encodings,
            ..TransceiverInit::default()
        };
        pc.add_transceiver(TrackKind::Video, init)
    };
    let two = |a: &str, b: &str| vec![SendEncoding::with_rid(a), SendEncoding::with_rid(b)];
    assert!(matches!(add(&mut pc, two("a", "a")), Err(Error::Type(_))));
    assert!(matches!(add(&mut pc, two("a", "b c")), Err(Error::Type(_))));
    assert!(matches!(
        add(&mut pc, two("a", &"x".repeat(17))),
        Err(Error::Type(_))
    ));
    let mut unnamed = two("a", "b");
    unnamed[1].rid = None;
    assert!(matches!(add(&mut pc, unnamed), Err(Error::Type(_))));
    let mut small = two("a", "b");
    small[0].scale_resolution_down_by = Some(0.5);
    assert!(matches!(add(&mut pc, small), Err(Error::Type(_))));
    // More than MAX_ENCODINGS are cut to it.
    let many: Vec<SendEncoding> = (0..6)
        .map(|i| SendEncoding::with_rid(&format!("r{i}")))
        .collect();
    let id = add(&mut pc, many).unwrap();
    let layers = pc.transceiver(id).unwrap().sender().encodings().to_vec();
    assert_eq!(layers.len(), rtcio_proto::media::MAX_ENCODINGS);
    let mut ssrcs: Vec<u32> = layers.iter().flat_map(|l| [l.ssrc, l.rtx_ssrc]).collect();
    ssrcs.sort_unstable();
    ssrcs.dedup();
    assert_eq!(ssrcs.len(), 2 * layers.len(), "distinct SSRCs per encoding");

    // setParameters: stale transaction, changed rids or count.
    let first = pc.get_parameters(id).unwrap();
    let latest = pc.get_parameters(id).unwrap();
    assert!(matches!(
        pc.set_parameters(id, first),
        Err(Error::InvalidState(_))
    ));
    let mut renamed = latest.clone();
    renamed.encodings[0].rid = Some("zz".into());
    assert!(matches!(
        pc.set_parameters(id, renamed),
        Err(Error::InvalidModification(_))
    ));
    let mut fewer = pc.get_parameters(id).unwrap();
    fewer.encodings.pop();
    assert!(matches!(
        pc.set_parameters(id, fewer),
        Err(Error::InvalidModification(_))
    ));
    let mut ok = pc.get_parameters(id).unwrap();
    ok.encodings[2].active = false;
    ok.encodings[2].max_framerate = Some(15.0);
    pc.set_parameters(id, ok.clone()).unwrap();
    // A transaction id is spent once used.
    assert!(matches!(
        pc.set_parameters(id, ok),
        Err(Error::InvalidState(_))
    ));
    let now_params = pc.get_parameters(id).unwrap();
    assert!(!now_params.encodings[2].active);
    assert_eq!(now_params.encodings[2].max_framerate, Some(15.0));
    let _ = now;
}

#[test]
fn an_answer_without_simulcast_leaves_the_first_encoding() {
    let start = Instant::now();
    let mut a = TestPeer::new("10.0.0.1:4000", 81, start);
    let mut b = TestPeer::new("10.0.0.2:4000", 82, start);
    let init = TransceiverInit {
        direction: rtcio_sdp::Direction::SendOnly,
        send_encodings: RIDS.iter().map(|r| SendEncoding::with_rid(r)).collect(),
        ..TransceiverInit::default()
    };
    let sender = a.pc.add_transceiver(TrackKind::Video, init).unwrap();
    a.pc.set_local_description(start, None).unwrap();
    let offer = a.pc.local_description().unwrap();
    b.pc.set_remote_description(start, offer).unwrap();
    b.pc.set_local_description(start, None).unwrap();
    // A peer that does not do simulcast: the answer without its rid and simulcast lines.
    let mut answer = b.pc.local_description().unwrap();
    for m in &mut answer.sdp.media {
        m.attributes.retain(|a| {
            !matches!(
                a,
                rtcio_sdp::Attribute::Rid(_) | rtcio_sdp::Attribute::Simulcast(_)
            )
        });
    }
    a.pc.set_remote_description(start, answer).unwrap();
    let layers =
        a.pc.transceiver(sender)
            .unwrap()
            .sender()
            .encodings()
            .to_vec();
    assert_eq!(
        layers.len(),
        1,
        "JSEP §5.10: only the first encoding remains"
    );
    assert_eq!(layers[0].encoding.rid.as_deref(), Some("q"));
    assert!(layers[0].negotiated);
    // The next offer no longer lists rids.
    a.pc.set_local_description(start, None).unwrap();
    let again = a.pc.local_description().unwrap().sdp;
    assert!(video(&again).simulcast().is_none());
    assert_eq!(video(&again).rids().count(), 0);
}
