//! Drives the simulcast LayerSelector and FrameLayerSelector with arbitrary layers, sequence
//! numbers, timestamps, payloads, targets and time steps decoded from the input. Nothing may
//! panic; the output must stay one continuous stream: every forwarded packet has the output
//! SSRC, a switch is reported exactly when a packet starts a new segment, that packet starts a
//! keyframe and takes the sequence number right after the highest forwarded one (or the one
//! after that when the switch cut a frame short), and within a segment the output keeps the
//! input's sequence numbering (a constant offset); each forwarded number maps back to its
//! packet (`source_of`, `rewrite`). Forwarded frames' timestamps strictly grow.
#![no_main]

use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use rtcio_rtp::codec::{Codec, EncodedFrame};
use rtcio_rtp::simulcast::{
    FrameLayerSelector, KeyframeStart, LayerSelector, MAX_PENDING_EVENTS, SelectorConfig,
    SelectorEvent, keyframe_start,
};
use rtcio_rtp::{RtpHeader, RtpPacket, SeqUnwrapper};

const OUT_SSRC: u32 = 0xfeed;

/// Payloads that start keyframes, deltas and middles for each codec, plus raw fuzz bytes.
fn payload(codec: Codec, kind: u8, raw: &[u8]) -> Vec<u8> {
    let key: &[u8] = match codec {
        Codec::Vp8 => &[0x10, 0x50, 0x2a, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02],
        Codec::Vp9 => &[0x08, 0x82, 0x49, 0x83],
        Codec::H264 => &[0x67, 0x42, 0x00, 0x1f],
        _ => &[0x18, 0x0a, 0x0b],
    };
    let delta: &[u8] = match codec {
        Codec::Vp8 => &[0x10, 0x51, 0x2a, 0x00],
        Codec::Vp9 => &[0x48, 0x86, 0x00],
        Codec::H264 => &[0x41, 0x9a, 0x00],
        _ => &[0x10, 0x30, 0x00],
    };
    match kind % 5 {
        0 => key.to_vec(),
        1 | 2 => delta.to_vec(),
        3 => vec![0x00, 0x66],
        _ => raw.to_vec(),
    }
}

struct Segment {
    /// Output minus input sequence number, mod 2^16.
    offset: u16,
    layer: usize,
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, mut rest)) = data.split_first() else {
        return;
    };
    let codec = [Codec::Vp8, Codec::Vp9, Codec::H264, Codec::Av1][usize::from(first % 4)];
    let t0 = Instant::now();
    let mut now = t0;
    let mut config = SelectorConfig::new(codec, OUT_SSRC, &["q", "h", "f"]).unwrap();
    config.initial_sequence = u16::from(first) << 8;
    let mut packets = LayerSelector::new(config.clone(), now);
    let mut frames = FrameLayerSelector::new(config, now);

    let mut out_unwrap = SeqUnwrapper::new();
    let mut highest: Option<u64> = None;
    let mut segment: Option<Segment> = None;
    let mut last_frame_ts: Option<u32> = None;

    while let [op, a, b, c, d, e, tail @ ..] = rest {
        rest = tail;
        now += Duration::from_millis(u64::from(*e % 64));
        match op % 8 {
            0..=3 => {
                // A packet: layer 0..=3 (3 is not configured), sequence and timestamp from
                // the bytes, small steps most of the time so switches and segments happen.
                let layer = usize::from(a % 4);
                let seq = u16::from_be_bytes([*b, *c]);
                let ts = u32::from(*d) * 3000 + u32::from(*b) * 90;
                let take = usize::from(c % 16).min(rest.len());
                let (raw, tail) = rest.split_at(take);
                rest = tail;
                let p = payload(codec, *op >> 3, raw);
                let header = RtpHeader {
                    marker: op & 0x80 != 0,
                    payload_type: 96,
                    sequence_number: seq,
                    timestamp: ts,
                    ssrc: 0x100 + layer as u32,
                    ..Default::default()
                };
                let packet = RtpPacket {
                    header,
                    payload: &p,
                    padding: 0,
                };
                let truncated = packets.stats().truncated_frames;
                let out = packets.handle_packet(now, layer, &packet);
                let mut switched = false;
                while let Some(ev) = packets.poll_event() {
                    if let SelectorEvent::LayerSwitched { to, .. } = ev {
                        assert_eq!(to, layer);
                        assert!(!switched);
                        switched = true;
                    }
                }
                if packets.current_layer() != segment.as_ref().map(|s| s.layer) && !switched {
                    // Sync lost (a sequence restart or timestamp jump): the segment ended.
                    assert_eq!(packets.current_layer(), None);
                    segment = None;
                }
                if switched {
                    let out = out.as_ref().expect("the switching packet is forwarded");
                    assert_ne!(keyframe_start(codec, &p), KeyframeStart::No);
                    let ext = out_unwrap.unwrap(out.header.sequence_number);
                    if let Some(h) = highest {
                        let cut = packets.stats().truncated_frames - truncated;
                        assert_eq!(ext, h + 1 + cut, "a new segment continues the output");
                    }
                    segment = Some(Segment {
                        offset: out.header.sequence_number.wrapping_sub(seq),
                        layer,
                    });
                }
                if let Some(out) = &out {
                    assert_eq!(out.header.ssrc, OUT_SSRC);
                    assert_eq!(out.payload, &p[..]);
                    let s = segment.as_ref().expect("forwarding within a segment");
                    assert_eq!(s.layer, layer);
                    assert_eq!(out.header.sequence_number.wrapping_sub(seq), s.offset);
                    let ext = out_unwrap.unwrap(out.header.sequence_number);
                    highest = Some(highest.map_or(ext, |h| h.max(ext)));
                    // A downstream NACK of it maps back to this packet, which rewrites the same.
                    assert_eq!(
                        packets.source_of(out.header.sequence_number),
                        Some((layer, seq))
                    );
                    let again = packets.rewrite(layer, &packet).expect("forwarded: mapped");
                    assert_eq!(again.header, out.header);
                }

                // The same input as a frame for the frame selector.
                let frame = EncodedFrame {
                    codec,
                    ssrc: 0x100 + layer as u32,
                    payload_type: 96,
                    rtp_timestamp: ts,
                    keyframe: op & 0x40 != 0,
                    data: p.clone(),
                    first_sequence: seq,
                    last_sequence: seq,
                    packets: 1,
                };
                if let Some(f) = frames.handle_frame(now, layer, frame) {
                    assert_eq!(f.ssrc, OUT_SSRC);
                    if let Some(last) = last_frame_ts {
                        let step = f.rtp_timestamp.wrapping_sub(last);
                        assert!(step != 0 && step < 0x8000_0000, "frame timestamps grow");
                    }
                    last_frame_ts = Some(f.rtp_timestamp);
                }
                while frames.poll_event().is_some() {}
            }
            4 => {
                packets.set_target_layer(now, usize::from(*a));
                frames.set_target_layer(now, usize::from(*a));
            }
            5 => {
                let bps = u64::from(u32::from_be_bytes([*a, *b, *c, *d]));
                packets.set_available_bitrate(now, bps);
                frames.set_available_bitrate(now, bps);
            }
            6 => {
                if let Some(t) = packets.poll_timeout() {
                    assert!(t >= t0);
                    now = now.max(t);
                }
                packets.handle_timeout(now);
                frames.handle_timeout(now);
            }
            _ => {
                packets.request_keyframe(now);
                frames.request_keyframe(now);
            }
        }
        let mut asked = 0;
        while let Some(l) = packets.poll_keyframe_request() {
            assert!(l < 3);
            asked += 1;
        }
        assert!(asked <= 3, "requests coalesce per layer");
        while let Some(l) = frames.poll_keyframe_request() {
            assert!(l < 3);
        }
        let mut events = 0;
        while packets.poll_event().is_some() {
            events += 1;
        }
        assert!(events <= MAX_PENDING_EVENTS);
    }
});
