//! Video wrapped in RED (RFC 2198) with ULPFEC, as browsers send it when their offer has
//! `red`/`ulpfec` and the answer keeps them: the receiver's frames come from the RED primary
//! blocks (`poll_frame`), while `poll_rtp` still hands out the packets as sent.

mod common;

use std::time::{Duration, Instant};

use common::{LIMIT, TestPeer, run_until, sim};
use rtcio_netsim::LinkConfig;
use rtcio_proto::media::{RtpWrite, SenderTrack, TrackKind, TransceiverId};
use rtcio_proto::peer::{Event, PeerConnectionState};
use rtcio_rtp::stream::ReceiveEvent;
use rtcio_sdp::{JsepDescription, SessionDescription};

const VP8: u8 = 96;
const RED: u8 = 118;
const ULPFEC: u8 = 120;
const FRAMES: usize = 60;

/// Adds RED (with its RTX) and ULPFEC to the offer's video section, as Chromium offers them.
fn with_red(offer: JsepDescription) -> JsepDescription {
    let text = offer.sdp.to_string();
    let mut out = String::new();
    for line in text.split("\r\n").filter(|l| !l.is_empty()) {
        out.push_str(line);
        if line.starts_with("m=video") {
            out.push_str(" 118 119 120");
        }
        out.push_str("\r\n");
        if line.starts_with("a=rtpmap:96 ") {
            out.push_str("a=rtpmap:118 red/90000\r\na=rtpmap:119 rtx/90000\r\n");
            out.push_str("a=fmtp:119 apt=118\r\na=rtpmap:120 ulpfec/90000\r\n");
        }
    }
    JsepDescription {
        sdp_type: offer.sdp_type,
        sdp: SessionDescription::parse(&out).unwrap(),
    }
}

/// Frame `i`: a VP8 keyframe (so a frame lost for good holds back no other) of two packets.
fn frame(i: usize) -> [Vec<u8>; 2] {
    let body = |k: usize| ((i * 31 + k) % 251) as u8 + 1;
    // Payload descriptor (S bit), then the frame tag (P = 0: key frame) and start code.
    let mut head = vec![0x10, 0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a];
    head.extend((0..700).map(body));
    let mut tail = vec![0x00];
    tail.extend((700..1100 + i % 5).map(body));
    [head, tail]
}

fn red(pt: u8, block: &[u8]) -> Vec<u8> {
    let mut p = vec![pt];
    p.extend_from_slice(block);
    p
}

/// What the receiver got.
#[derive(Default)]
struct Received {
    /// (RTP timestamp, data) of each frame from `poll_frame`.
    frames: Vec<(u32, Vec<u8>)>,
    /// Packets declared lost.
    lost: u64,
    /// Payload types of the packets from `poll_rtp`.
    raw: Vec<u8>,
    /// `fecPacketsReceived`.
    fec: u64,
}

fn run(loss: f64, seed: u64) -> Received {
    let start = Instant::now();
    let link = LinkConfig {
        loss,
        ..LinkConfig::with_latency(Duration::from_millis(10))
    };
    let mut sim = sim(link, seed, start);
    let mut a = TestPeer::new("10.0.0.1:4000", seed * 2, start);
    let mut b = TestPeer::new("10.0.0.2:4000", seed * 2 + 1, start);
    let track = SenderTrack {
        track_id: "cam".into(),
        stream_ids: vec!["s".into()],
    };
    let sender = a.pc.add_track(TrackKind::Video, track).unwrap();
    a.pc.set_local_description(start, None).unwrap();
    let offer = with_red(a.pc.local_description().unwrap());
    b.pc.set_remote_description(start, offer).unwrap();
    b.pc.set_local_description(start, None).unwrap();
    let answer = b.pc.local_description().unwrap();
    a.pc.set_remote_description(start, answer).unwrap();
    a.drain_events();
    b.drain_events();
    run_until(&mut sim, &mut a, &mut b, LIMIT, |a, b| {
        a.pc.connection_state() == PeerConnectionState::Connected
            && b.pc.connection_state() == PeerConnectionState::Connected
    });
    let receiver: Vec<TransceiverId> = b
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Track(id) => Some(*id),
            _ => None,
        })
        .collect();
    assert_eq!(receiver.len(), 1);
    let mut got = Received::default();
    for i in 0..FRAMES {
        let ts = i as u32 * 3000;
        let [head, tail] = frame(i);
        // Each frame's packets in RED, then one ULPFEC packet in RED, as libwebrtc sends them.
        let packets = [
            (false, red(VP8, &head)),
            (true, red(VP8, &tail)),
            (
                false,
                red(ULPFEC, &[0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
            ),
        ];
        for (marker, payload) in &packets {
            let w = RtpWrite {
                payload_type: Some(RED),
                marker: *marker,
                timestamp: ts,
                payload,
            };
            a.pc.write_rtp(sim.now(), sender, w).unwrap();
        }
        sim.run_for(&mut [&mut a, &mut b], Duration::from_millis(33))
            .unwrap();
        collect(&mut b, &mut got);
    }
    sim.run_for(&mut [&mut a, &mut b], Duration::from_secs(1))
        .unwrap();
    collect(&mut b, &mut got);
    got.fec =
        b.pc.receiver_stats(receiver[0])
            .iter()
            .map(|(_, s)| s.inbound.fec_packets_received)
            .sum();
    got
}

fn collect(b: &mut TestPeer, got: &mut Received) {
    while let Some(f) = b.pc.poll_frame() {
        match f.event {
            ReceiveEvent::Frame(f) => {
                assert_eq!(f.frame.payload_type, VP8);
                got.frames.push((f.frame.rtp_timestamp, f.frame.data));
            }
            ReceiveEvent::FrameLost { count, .. } => got.lost += count,
            ReceiveEvent::KeyframeNeeded => {}
        }
    }
    while let Some(p) = b.pc.poll_rtp() {
        got.raw.push(p.header.payload_type);
    }
}

/// The VP8 bitstream of frame `i` (the payload descriptors removed).
fn bitstream(i: usize) -> Vec<u8> {
    let [head, tail] = frame(i);
    [&head[1..], &tail[1..]].concat()
}

#[test]
fn red_wrapped_vp8_comes_out_as_frames() {
    let Received {
        frames,
        lost,
        raw,
        fec,
    } = run(0.0, 3);
    assert_eq!(lost, 0);
    let want: Vec<(u32, Vec<u8>)> = (0..FRAMES)
        .map(|i| (i as u32 * 3000, bitstream(i)))
        .collect();
    assert_eq!(frames.len(), want.len(), "frames delivered");
    assert!(frames == want, "frames differ from what was sent");
    assert_eq!(fec, FRAMES as u64, "fecPacketsReceived");
    // poll_rtp is unchanged: every packet as sent, still RED.
    assert_eq!(raw, vec![RED; FRAMES * 3]);
}

#[test]
fn red_wrapped_vp8_under_loss_is_repaired_through_rtx_of_red() {
    let Received { frames, lost, .. } = run(0.05, 4);
    // In order and byte-identical; whatever is missing was declared lost.
    let mut at = 0;
    for (ts, data) in &frames {
        let i = (*ts / 3000) as usize;
        assert!(i >= at, "in order");
        assert!(data == &bitstream(i), "frame {i} differs");
        at = i + 1;
    }
    assert!(
        frames.len() >= FRAMES - 2,
        "NACK/RTX repairs RED packets: {} of {FRAMES} frames, {lost} packets given up",
        frames.len()
    );
}
