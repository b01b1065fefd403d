use std::time::{Duration, Instant};

use super::*;
use crate::codec::EncodedFrame;
use crate::red::red_primary;
use crate::{RtpHeader, RtpPacket};

const KEY: [u8; 11] = [
    0x10, 0x50, 0x2a, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01,
];
const DELTA: [u8; 5] = [0x10, 0x51, 0x2a, 0x00, 0x77];
const MIDDLE: [u8; 3] = [0x00, 0x66, 0x66];

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn pkt(ssrc: u32, seq: u16, ts: u32, marker: bool, payload: &[u8]) -> RtpPacket<'_> {
    RtpPacket {
        header: RtpHeader {
            marker,
            payload_type: 96,
            sequence_number: seq,
            timestamp: ts,
            ssrc,
            ..Default::default()
        },
        payload,
        padding: 0,
    }
}

fn selector(now: Instant) -> LayerSelector {
    let mut c = SelectorConfig::new(Codec::Vp8, 0xabc, &["q", "h", "f"]).unwrap();
    c.initial_sequence = 100;
    LayerSelector::new(c, now)
}

/// Feeds a one-packet frame; returns (output seq, output ts) if forwarded.
fn feed(
    s: &mut LayerSelector,
    now: Instant,
    layer: usize,
    seq: u16,
    ts: u32,
    key: bool,
) -> Option<(u16, u32)> {
    let p = pkt(
        0x10 + layer as u32,
        seq,
        ts,
        true,
        if key { &KEY } else { &DELTA },
    );
    s.handle_packet(now, layer, &p).map(|o| {
        assert_eq!(o.header.ssrc, 0xabc);
        assert_eq!(o.payload, p.payload);
        (o.header.sequence_number, o.header.timestamp)
    })
}

#[test]
fn config_bounds_layers() {
    assert!(SelectorConfig::new(Codec::Vp8, 1, &[]).is_err());
    let many = ["a"; MAX_LAYERS + 1];
    assert!(SelectorConfig::new(Codec::Vp8, 1, &many).is_err());
    let c = SelectorConfig::new(Codec::Vp8, 1, &["q", "h", "f"]).unwrap();
    assert_eq!(c.layer_of("h"), Some(1));
    assert_eq!(c.layer_of("x"), None);
    assert_eq!(c.clock_rate, 90_000);
}

#[test]
fn starts_on_a_keyframe_of_the_target() {
    let t0 = Instant::now();
    let mut s = selector(t0);
    s.set_target_layer(t0, 1);
    assert_eq!(s.poll_keyframe_request(), None, "layer 1 not seen yet");
    assert_eq!(feed(&mut s, t0, 1, 500, 9000, false), None);
    assert_eq!(s.poll_keyframe_request(), Some(1));
    assert_eq!(feed(&mut s, t0, 0, 7, 100, true), None, "not the target");
    assert_eq!(
        feed(&mut s, t0 + ms(33), 1, 501, 12_000, true),
        Some((100, 12_000))
    );
    assert_eq!(
        feed(&mut s, t0 + ms(66), 1, 502, 15_000, false),
        Some((101, 15_000))
    );
    assert_eq!(s.current_layer(), Some(1));
    let st = s.stats();
    assert_eq!((st.forwarded, st.not_selected, st.switches), (2, 2, 1));
    assert_eq!(st.forwarded_by_layer[1], 2);
    assert!(matches!(
        s.poll_event(),
        Some(SelectorEvent::LayerActive { layer: 1 })
    ));
}

#[test]
fn switch_up_waits_for_keyframe_and_keeps_sequence_and_time_continuous() {
    let t0 = Instant::now();
    let mut s = selector(t0);
    s.set_target_layer(t0, 0);
    feed(&mut s, t0, 0, 1000, 50_000, true).unwrap();
    feed(&mut s, t0, 2, 30_000, 7_000_000, false);
    s.set_target_layer(t0 + ms(10), 2);
    while s.poll_keyframe_request().is_some() {}
    // Layer 0 is still forwarded while layer 2's deltas arrive.
    assert_eq!(
        feed(&mut s, t0 + ms(33), 0, 1001, 53_000, false),
        Some((101, 53_000))
    );
    assert_eq!(feed(&mut s, t0 + ms(34), 2, 30_001, 7_003_000, false), None);
    assert_eq!(s.pending_layer(), Some(2));
    // Layer 2's keyframe arrives 40 ms after layer 0's last frame: the output timestamp moves
    // on by 40 ms of 90 kHz ticks.
    let (seq, ts) = feed(&mut s, t0 + ms(73), 2, 30_002, 7_006_000, true).unwrap();
    assert_eq!((seq, ts), (102, 53_000 + 3600));
    assert_eq!(
        feed(&mut s, t0 + ms(100), 2, 30_003, 7_009_000, false),
        Some((103, 59_600))
    );
    // Layer 0 is dropped now.
    assert_eq!(feed(&mut s, t0 + ms(100), 0, 1002, 56_000, false), None);
    let mut switched = Vec::new();
    while let Some(e) = s.poll_event() {
        if let SelectorEvent::LayerSwitched { from, to, waited } = e {
            switched.push((from, to, waited));
        }
    }
    assert_eq!(switched, vec![(None, 0, ms(0)), (Some(0), 2, ms(63))]);
}

#[test]
fn reordered_packets_keep_their_place_and_pre_switch_ones_are_dropped() {
    let t0 = Instant::now();
    let mut s = selector(t0);
    s.set_target_layer(t0, 2);
    feed(&mut s, t0, 2, 65_534, 1000, true).unwrap();
    // 65_535 is late; 0 (wrapped) arrives first.
    assert_eq!(feed(&mut s, t0, 2, 0, 7000, false), Some((102, 7000)));
    assert_eq!(feed(&mut s, t0, 2, 65_535, 4000, false), Some((101, 4000)));
    // A packet from before the keyframe the switch happened at.
    assert_eq!(feed(&mut s, t0, 2, 65_533, 0, false), None);
    assert_eq!(s.stats().before_switch, 1);
}

#[test]
fn switch_cutting_a_frame_skips_one_sequence_number() {
    let t0 = Instant::now();
    let mut s = selector(t0);
    s.set_target_layer(t0, 0);
    feed(&mut s, t0, 0, 10, 1000, true).unwrap();
    feed(&mut s, t0, 1, 20, 5000, false);
    s.set_target_layer(t0, 1);
    // Layer 0's next frame: first packet forwarded, the rest comes after the switch.
    let first = pkt(0x10, 11, 4000, false, &DELTA);
    let out = s.handle_packet(t0 + ms(33), 0, &first).unwrap();
    assert_eq!(out.header.sequence_number, 101);
    let (seq, _) = feed(&mut s, t0 + ms(34), 1, 21, 8000, true).unwrap();
    assert_eq!(
        seq, 103,
        "102 left unused: the cut frame must not look whole"
    );
    assert_eq!(s.stats().truncated_frames, 1);
    let rest = pkt(0x10, 12, 4000, true, &MIDDLE);
    assert!(s.handle_packet(t0 + ms(35), 0, &rest).is_none());
}

#[test]
fn keyframe_requests_repeat_while_waiting() {
    let t0 = Instant::now();
    let mut s = selector(t0);
    s.set_target_layer(t0, 0);
    feed(&mut s, t0, 0, 1, 0, true).unwrap();
    feed(&mut s, t0, 1, 1, 0, false);
    s.set_target_layer(t0, 1);
    assert_eq!(s.poll_keyframe_request(), Some(1));
    assert_eq!(s.poll_keyframe_request(), None);
    let mut now = t0;
    for i in 2..40u16 {
        // Both layers keep sending deltas for 1.2 s; nothing answers the requests.
        now = t0 + ms(33) * u32::from(i);
        feed(&mut s, now, 0, i, 3000 * u32::from(i), false);
        feed(&mut s, now, 1, i, 3000 * u32::from(i), false);
        if let Some(d) = s.poll_timeout() {
            assert!(d <= now + DEFAULT_KEYFRAME_RETRY);
        }
    }
    let mut asked = 0;
    while let Some(l) = s.poll_keyframe_request() {
        assert_eq!(l, 1);
        asked += 1;
    }
    assert_eq!(asked, 1, "requests coalesce until polled");
    // Every retry interval one more, counted in the stats: at 0, 0.5 and 1.0 s.
    assert_eq!(s.stats().keyframe_requests, 3);
    assert!(now >= t0 + ms(1250));
    // A timeout alone (no packets) also repeats it.
    let due = s.poll_timeout().unwrap();
    s.handle_timeout(due);
    assert_eq!(s.poll_keyframe_request(), Some(1));
}

#[test]
fn stopped_layer_falls_back_to_the_next_lower_and_returns() {
    let t0 = Instant::now();
    let mut s = selector(t0);
    s.set_target_layer(t0, 2);
    for l in 0..3 {
        feed(&mut s, t0, l, 100, 0, true);
    }
    assert_eq!(s.current_layer(), Some(2));
    // Layer 2 stops; 0 and 1 go on.
    let mut now = t0;
    for i in 1..40u16 {
        now = t0 + ms(33) * u32::from(i);
        feed(&mut s, now, 0, 100 + i, 3000 * u32::from(i), false);
        feed(&mut s, now, 1, 100 + i, 3000 * u32::from(i), false);
    }
    assert!(!s.is_active(now, 2));
    assert_eq!(s.pending_layer(), Some(1), "falls back to layer 1, not 0");
    let mut requests = Vec::new();
    while let Some(l) = s.poll_keyframe_request() {
        requests.push(l);
    }
    assert_eq!(requests, vec![1]);
    now += ms(33);
    assert!(feed(&mut s, now, 1, 140, 120_000, true).is_some());
    assert_eq!(s.current_layer(), Some(1));
    let events: Vec<_> = std::iter::from_fn(|| s.poll_event()).collect();
    assert!(events.contains(&SelectorEvent::LayerInactive { layer: 2 }));
    // Layer 2 comes back: the selector returns to it at its keyframe.
    now += ms(33);
    assert_eq!(feed(&mut s, now, 2, 101, 200_000, false), None);
    assert_eq!(s.pending_layer(), Some(2));
    assert_eq!(s.poll_keyframe_request(), Some(2));
    assert!(feed(&mut s, now + ms(5), 2, 102, 203_000, true).is_some());
    assert_eq!(s.current_layer(), Some(2));
}

#[test]
fn inactivity_is_noticed_by_timeout_alone() {
    let t0 = Instant::now();
    let mut s = selector(t0);
    s.set_target_layer(t0, 1);
    feed(&mut s, t0, 0, 1, 0, true);
    feed(&mut s, t0, 1, 1, 0, true).unwrap();
    // Nothing arrives; the timeout is the layers' expiry.
    let due = s.poll_timeout().unwrap();
    assert_eq!(due, t0 + DEFAULT_LAYER_TIMEOUT);
    s.handle_timeout(due);
    assert!(!s.is_active(due, 1));
    let events: Vec<_> = std::iter::from_fn(|| s.poll_event()).collect();
    assert!(events.contains(&SelectorEvent::LayerInactive { layer: 0 }));
    assert!(events.contains(&SelectorEvent::LayerInactive { layer: 1 }));
    assert_eq!(
        s.poll_timeout(),
        None,
        "nothing active, nothing to wait for"
    );
}

/// Feeds `secs` seconds of 30 fps to every layer at `rates` (bytes per frame), layer 0 first.
fn run_layers(s: &mut LayerSelector, start: Instant, frames: u32, sizes: &[usize]) -> Instant {
    let payloads: Vec<Vec<u8>> = sizes
        .iter()
        .map(|&n| {
            let mut p = DELTA.to_vec();
            p.resize(n, 0x55);
            p
        })
        .collect();
    let mut now = start;
    for f in 0..frames {
        now = start + ms(33) * f;
        for (l, p) in payloads.iter().enumerate() {
            let seq = (f % 60_000) as u16;
            let key = f % 30 == 0;
            let payload: &[u8] = if key { &KEY } else { p };
            let mut big = payload.to_vec();
            big.resize(p.len(), 0x55);
            let packet = pkt(l as u32, seq, 3000 * f, true, &big);
            s.handle_packet(now, l, &packet);
        }
    }
    now
}

#[test]
fn bitrate_target_picks_the_highest_fitting_layer_with_hysteresis() {
    let t0 = Instant::now();
    let mut s = selector(t0);
    // About 0.25, 1 and 2.5 Mbit/s.
    let sizes = [1000, 4000, 10_000];
    s.set_available_bitrate(t0, 10_000_000);
    let now = run_layers(&mut s, t0, 45, &sizes);
    assert_eq!(s.current_layer(), Some(2));
    let r2 = s.layer_bitrate(now, 2);
    assert!((2_000_000..3_000_000).contains(&r2), "{r2}");
    // Just under layer 2: down to layer 1 at its next keyframe.
    s.set_available_bitrate(now, r2 - 1);
    assert_eq!(s.pending_layer(), Some(1));
    let now = run_layers(&mut s, now + ms(33), 31, &sizes);
    assert_eq!(s.current_layer(), Some(1));
    // Back at layer 2's rate: not enough to go up (needs the margin) ...
    let r2 = s.layer_bitrate(now, 2);
    s.set_available_bitrate(now, r2);
    assert_eq!(s.pending_layer(), None);
    // ... with the margin it goes.
    s.set_available_bitrate(now, r2 * (100 + UPSWITCH_MARGIN_PERCENT) / 100 + 1000);
    assert_eq!(s.pending_layer(), Some(2));
    // Nothing fits: the lowest layer still.
    s.set_available_bitrate(now, 1000);
    assert_eq!(s.pending_layer(), Some(0));
    assert!(matches!(s.target(), Target::Bitrate(1000)));
}

#[test]
fn bad_input_is_dropped_and_counted() {
    let t0 = Instant::now();
    let mut s = selector(t0);
    s.set_target_layer(t0, 0);
    assert_eq!(feed(&mut s, t0, 7, 1, 0, true), None);
    assert!(
        s.handle_packet_rid(t0, "zz", &pkt(1, 1, 0, true, &KEY))
            .is_none()
    );
    assert_eq!(s.stats().unknown_layer, 2);
    assert_eq!(feed(&mut s, t0, 0, 1000, 0, true), Some((100, 0)));
    // A single absurd sequence jump is dropped and does not disturb what follows.
    assert_eq!(feed(&mut s, t0, 0, 30_000, 3000, false), None);
    assert_eq!(feed(&mut s, t0, 0, 1001, 3000, false), Some((101, 3000)));
    assert_eq!(s.stats().sequence_jumps, 1);
    // A restart (two packets agreeing on the new numbering) needs a keyframe to resync.
    assert_eq!(feed(&mut s, t0, 0, 20_000, 6000, false), None);
    assert_eq!(feed(&mut s, t0, 0, 20_001, 9000, false), None);
    assert_eq!(s.current_layer(), None);
    assert_eq!(s.poll_keyframe_request(), Some(0));
    assert_eq!(feed(&mut s, t0, 0, 20_002, 12_000, true), Some((102, 3001)));
    // A timestamp jump of an hour within the forwarded layer: dropped, resync at a keyframe.
    assert_eq!(
        feed(&mut s, t0, 0, 20_003, 12_000 + 324_000_000, false),
        None
    );
    assert_eq!(s.stats().timestamp_jumps, 1);
    assert_eq!(feed(&mut s, t0, 0, 20_004, 15_000, false), None);
    assert!(feed(&mut s, t0, 0, 20_005, 18_000, true).is_some());
}

#[test]
fn downstream_keyframe_requests_go_to_the_forwarded_layer_rate_limited() {
    let t0 = Instant::now();
    let mut s = selector(t0);
    s.set_target_layer(t0, 1);
    s.request_keyframe(t0);
    assert_eq!(s.poll_keyframe_request(), None, "nothing forwarded yet");
    feed(&mut s, t0, 1, 1, 0, true).unwrap();
    s.request_keyframe(t0 + ms(10));
    s.request_keyframe(t0 + ms(20));
    assert_eq!(s.poll_keyframe_request(), Some(1));
    assert_eq!(s.poll_keyframe_request(), None);
    s.request_keyframe(t0 + ms(10) + DEFAULT_KEYFRAME_RETRY);
    assert_eq!(s.poll_keyframe_request(), Some(1));
}

fn frame(layer: usize, ts: u32, key: bool) -> EncodedFrame {
    EncodedFrame {
        codec: Codec::Vp8,
        ssrc: 0x10 + layer as u32,
        payload_type: 96,
        rtp_timestamp: ts,
        keyframe: key,
        data: vec![layer as u8; 100 * (layer + 1)],
        first_sequence: 0,
        last_sequence: 0,
        packets: 1,
    }
}

#[test]
fn frame_selector_switches_at_keyframes_with_continuous_timestamps() {
    let t0 = Instant::now();
    let c = SelectorConfig::new(Codec::Vp8, 0xabc, &["q", "h"]).unwrap();
    let mut s = FrameLayerSelector::new(c, t0);
    s.set_target_layer(t0, 0);
    assert!(s.handle_frame(t0, 1, frame(1, 500_000, true)).is_none());
    let out = s.handle_frame(t0, 0, frame(0, 1000, true)).unwrap();
    assert_eq!((out.ssrc, out.rtp_timestamp), (0xabc, 1000));
    s.set_target_layer(t0, 1);
    assert_eq!(s.poll_keyframe_request(), Some(1));
    let out = s
        .handle_frame(t0 + ms(33), 0, frame(0, 4000, false))
        .unwrap();
    assert_eq!(out.rtp_timestamp, 4000);
    assert!(
        s.handle_frame(t0 + ms(34), 1, frame(1, 503_000, false))
            .is_none()
    );
    let out = s
        .handle_frame(t0 + ms(66), 1, frame(1, 506_000, true))
        .unwrap();
    assert_eq!(out.rtp_timestamp, 4000 + 33 * 90);
    assert_eq!(out.data, vec![1; 200]);
    let out = s
        .handle_frame(t0 + ms(99), 1, frame(1, 509_000, false))
        .unwrap();
    assert_eq!(out.rtp_timestamp, 4000 + 33 * 90 + 3000);
    // A stale frame of the forwarded layer would step back: dropped.
    assert!(
        s.handle_frame(t0 + ms(99), 1, frame(1, 506_000, false))
            .is_none()
    );
    assert!(s.handle_frame_rid(t0, "nope", frame(0, 0, true)).is_none());
    let st = s.stats();
    assert_eq!(st.forwarded_by_layer[..2], [2, 2]);
    assert_eq!((st.before_switch, st.unknown_layer), (1, 1));
}

#[test]
fn keyframe_starts_per_codec() {
    use KeyframeStart::{IfFrameStart, No, Yes};
    // VP8: S set, partition 0, key frame tag; a middle packet or a delta is not.
    assert_eq!(keyframe_start(Codec::Vp8, &KEY), Yes);
    assert_eq!(keyframe_start(Codec::Vp8, &DELTA), No);
    assert_eq!(keyframe_start(Codec::Vp8, &MIDDLE), No);
    assert_eq!(keyframe_start(Codec::Vp8, &[0x90]), No, "truncated");
    // VP9: B set, P clear (no layer indices), payload follows.
    assert_eq!(keyframe_start(Codec::Vp9, &[0x08, 0x82]), Yes);
    assert_eq!(keyframe_start(Codec::Vp9, &[0x48, 0x86]), No, "P set");
    assert_eq!(keyframe_start(Codec::Vp9, &[0x00, 0x82]), No, "not B");
    assert_eq!(keyframe_start(Codec::Vp9, &[0x08]), No, "no payload");
    // H.264: SPS, STAP-A starting with an SPS, IDR / FU-A start of an IDR (need a frame start).
    assert_eq!(keyframe_start(Codec::H264, &[0x67, 0x42, 0x00]), Yes);
    assert_eq!(keyframe_start(Codec::H264, &[0x65, 0x88]), IfFrameStart);
    assert_eq!(keyframe_start(Codec::H264, &[0x41, 0x9a]), No);
    let stap = [0x78, 0x00, 0x02, 0x67, 0x42, 0x00, 0x02, 0x68, 0xce];
    assert_eq!(keyframe_start(Codec::H264, &stap), Yes);
    let stap_aud = [0x78, 0x00, 0x02, 0x09, 0x10, 0x00, 0x02, 0x65, 0x88];
    assert_eq!(keyframe_start(Codec::H264, &stap_aud), IfFrameStart);
    assert_eq!(
        keyframe_start(Codec::H264, &[0x78, 0x00, 0x09, 0x67]),
        No,
        "short"
    );
    assert_eq!(
        keyframe_start(Codec::H264, &[0x7c, 0x85, 0x88]),
        IfFrameStart
    );
    assert_eq!(
        keyframe_start(Codec::H264, &[0x7c, 0x05, 0x88]),
        No,
        "not S"
    );
    assert_eq!(
        keyframe_start(Codec::H264, &[0x7c, 0x81, 0x88]),
        No,
        "non-IDR"
    );
    // AV1: Z clear, N set, an OBU element.
    assert_eq!(keyframe_start(Codec::Av1, &[0x18, 0x0a, 0x0b]), Yes);
    assert_eq!(keyframe_start(Codec::Av1, &[0x08, 0x02, 0x0a, 0x00]), Yes);
    assert_eq!(
        keyframe_start(Codec::Av1, &[0x10, 0x30, 0x00]),
        No,
        "N clear"
    );
    assert_eq!(keyframe_start(Codec::Av1, &[0x98, 0x30, 0x00]), No, "Z set");
    assert_eq!(
        keyframe_start(Codec::Av1, &[0x08, 0x09, 0x30]),
        No,
        "bad length"
    );
    assert_eq!(keyframe_start(Codec::Opus, &[1]), Yes);
}

#[test]
fn h264_idr_switch_needs_the_frame_start() {
    let t0 = Instant::now();
    let c = SelectorConfig::new(Codec::H264, 9, &["a"]).unwrap();
    let mut s = LayerSelector::new(c, t0);
    let idr = [0x65, 0x88, 0x80];
    let p_slice = [0x41, 0x9a, 0x00];
    // An IDR whose predecessor is unknown or part of the same frame does not start one.
    assert!(
        s.handle_packet(t0, 0, &pkt(1, 10, 1000, false, &idr))
            .is_none()
    );
    assert!(
        s.handle_packet(t0, 0, &pkt(1, 11, 1000, true, &idr))
            .is_none()
    );
    // After a frame's end it does.
    assert!(
        s.handle_packet(t0, 0, &pkt(1, 12, 4000, true, &p_slice))
            .is_none()
    );
    assert!(
        s.handle_packet(t0, 0, &pkt(1, 13, 7000, true, &idr))
            .is_some()
    );
}

#[test]
fn output_numbers_map_back_to_their_layer_for_retransmission() {
    let t0 = Instant::now();
    let mut s = selector(t0);
    s.set_target_layer(t0, 0);
    assert_eq!(s.source_of(100), None, "nothing given out yet");
    assert_eq!(feed(&mut s, t0, 0, 10, 1000, true), Some((100, 1000)));
    // 11 is lost before the selector: output 101 is a hole that maps to it.
    assert_eq!(feed(&mut s, t0, 0, 12, 4000, false), Some((102, 4000)));
    feed(&mut s, t0, 1, 50, 9000, false);
    s.set_target_layer(t0, 1);
    // Layer 0's next frame is cut by the switch: 104 is skipped.
    let head = pkt(0x10, 13, 7000, false, &DELTA);
    assert_eq!(
        s.handle_packet(t0 + ms(33), 0, &head)
            .unwrap()
            .header
            .sequence_number,
        103
    );
    assert_eq!(
        feed(&mut s, t0 + ms(34), 1, 51, 12_000, true),
        Some((105, 7000 + 90))
    );
    assert_eq!(
        feed(&mut s, t0 + ms(60), 1, 52, 15_000, false),
        Some((106, 3090 + 7000))
    );
    assert_eq!(s.source_of(100), Some((0, 10)));
    assert_eq!(s.source_of(101), Some((0, 11)));
    assert_eq!(s.source_of(103), Some((0, 13)));
    assert_eq!(s.source_of(104), None, "skipped at the cut");
    assert_eq!(s.source_of(105), Some((1, 51)));
    assert_eq!(s.source_of(106), Some((1, 52)));
    assert_eq!(s.source_of(107), None, "not given out yet");
    assert_eq!(s.source_of(99), None, "before the first");
    // The lost packet, found in a receive buffer, rewritten as the output would have had it.
    let lost = pkt(0x10, 11, 2500, true, &DELTA);
    let again = s.rewrite(0, &lost).unwrap();
    assert_eq!(
        (
            again.header.ssrc,
            again.header.sequence_number,
            again.header.timestamp
        ),
        (0xabc, 101, 2500)
    );
    // Layer 0's packets after the cut, and layer 1's before its keyframe, were never output.
    assert!(s.rewrite(0, &pkt(0x10, 14, 7000, true, &DELTA)).is_none());
    assert!(s.rewrite(1, &pkt(0x11, 50, 9000, true, &DELTA)).is_none());
    let b = s.rewrite(1, &pkt(0x11, 52, 15_000, false, &DELTA)).unwrap();
    assert_eq!(
        (b.header.sequence_number, b.header.timestamp),
        (106, 10_090)
    );
}

#[test]
fn start_waits_for_the_target_layer_before_falling_back() {
    let t0 = Instant::now();
    let mut s = selector(t0);
    s.set_target_layer(t0, 2);
    // The low layers' keyframes come first: not taken, the target is expected any moment.
    assert_eq!(feed(&mut s, t0, 0, 1, 0, true), None);
    assert_eq!(feed(&mut s, t0 + ms(5), 1, 1, 0, true), None);
    assert_eq!(s.pending_layer(), None);
    assert!(feed(&mut s, t0 + ms(20), 2, 1, 0, true).is_some());
    let first = std::iter::from_fn(|| s.poll_event())
        .find(|e| matches!(e, SelectorEvent::LayerSwitched { .. }));
    assert_eq!(
        first,
        Some(SelectorEvent::LayerSwitched {
            from: None,
            to: 2,
            waited: ms(0)
        })
    );

    // A target that never comes: after the layer timeout the next lower layer is taken.
    let mut s = selector(t0);
    s.set_target_layer(t0, 2);
    assert_eq!(feed(&mut s, t0, 1, 1, 0, false), None);
    assert_eq!(s.poll_timeout(), Some(t0 + DEFAULT_LAYER_TIMEOUT));
    assert_eq!(feed(&mut s, t0 + ms(900), 1, 2, 3000, true), None);
    s.handle_timeout(t0 + DEFAULT_LAYER_TIMEOUT);
    assert_eq!(s.pending_layer(), Some(1));
    assert_eq!(s.poll_keyframe_request(), Some(1));
    assert!(feed(&mut s, t0 + ms(1010), 1, 3, 6000, true).is_some());
}

#[test]
fn red_wrapped_keyframes_are_found_and_fec_is_never_a_switch_point() {
    let t0 = Instant::now();
    let mut c = SelectorConfig::new(Codec::Vp8, 0xabc, &["q", "h"]).unwrap();
    c.payload_type = Some(96);
    c.red_payload_type = Some(118);
    let mut s = LayerSelector::new(c, t0);
    s.set_target_layer(t0, 1);
    let red = |block_pt: u8, data: &[u8]| {
        let mut p = vec![block_pt];
        p.extend_from_slice(data);
        p
    };
    let with_pt = |pt: u8, seq: u16, payload: &[u8]| {
        let mut p = pkt(0x11, seq, 9000, true, payload).header;
        p.payload_type = pt;
        p
    };
    // A keyframe-looking FEC block (pt 127 inside RED) and a bare packet of another payload
    // type: not switch points.
    let fec = red(127, &KEY);
    let h = with_pt(118, 1, &fec);
    assert!(
        s.handle_packet(
            t0,
            1,
            &RtpPacket {
                header: h,
                payload: &fec,
                padding: 0
            }
        )
        .is_none()
    );
    let h = with_pt(97, 2, &KEY);
    assert!(
        s.handle_packet(
            t0,
            1,
            &RtpPacket {
                header: h,
                payload: &KEY,
                padding: 0
            }
        )
        .is_none()
    );
    // VP8 in RED's primary block (after one redundant block of 3 bytes): forwarded as is.
    let mut wrapped = vec![0x80 | 96, 0x00, 0x00, 0x03, 96];
    wrapped.extend_from_slice(&[1, 2, 3]);
    wrapped.extend_from_slice(&KEY);
    assert_eq!(red_primary(&wrapped), Some((96, &KEY[..])));
    assert_eq!(red_primary(&[0x80 | 96, 0, 0]), None, "truncated header");
    assert_eq!(
        red_primary(&[0x80 | 96, 0, 0, 9, 96]),
        None,
        "block past the end"
    );
    let h = with_pt(118, 3, &wrapped);
    let out = s.handle_packet(
        t0,
        1,
        &RtpPacket {
            header: h,
            payload: &wrapped,
            padding: 0,
        },
    );
    assert_eq!(out.unwrap().payload, &wrapped[..]);
    assert_eq!(s.current_layer(), Some(1));
}
