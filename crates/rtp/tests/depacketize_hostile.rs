//! Truncated and corrupted payloads make depacketizers and assemblers return errors or drop
//! frames, never panic.

mod common;

use rtcio_rtp::codec::{Codec, FrameAssembler};

const CODECS: [Codec; 8] = [
    Codec::Opus,
    Codec::Pcmu,
    Codec::Pcma,
    Codec::G722,
    Codec::Vp8,
    Codec::Vp9,
    Codec::H264,
    Codec::Av1,
];

/// A valid multi-packet frame for each codec.
fn sample(codec: Codec) -> Vec<Vec<u8>> {
    let frame = match codec {
        Codec::H264 => {
            let mut f = vec![0, 0, 0, 1, 0x67, 0x42, 0, 0, 1, 0x68, 0xce, 0, 0, 1, 0x65];
            f.extend(common::noise(500, 1));
            f
        }
        Codec::Av1 => {
            let mut f = vec![0x12, 0x00, 0x0a, 0x02, 0x00, 0x00, 0x32, 0x84, 0x02];
            f.extend(common::noise(260, 2));
            f
        }
        Codec::Vp9 => {
            let mut f = vec![0x82, 0x49, 0x83, 0x42];
            f.extend(common::noise(400, 3));
            f
        }
        Codec::Vp8 => {
            let mut f = vec![0x50, 0x2a, 0x00, 0x9d, 0x01, 0x2a];
            f.extend(common::noise(400, 5));
            f
        }
        _ => common::noise(100, 4),
    };
    codec.packetizer().packetize(&frame, 120).unwrap()
}

#[test]
fn every_truncation_and_byte_flip() {
    for codec in CODECS {
        let payloads = sample(codec);
        for i in 0..payloads.len() {
            for cut in 0..payloads[i].len().min(40) {
                let mut p = payloads.clone();
                p[i].truncate(cut);
                let mut a = FrameAssembler::new(codec);
                let _ = common::assemble(&mut a, &common::packets(&p, 0, 0));
            }
            for pos in 0..payloads[i].len().min(16) {
                for v in [0x00, 0xff, 0x80, 0x7f, 0x1c, 0x18] {
                    let mut p = payloads.clone();
                    p[i][pos] = v;
                    let mut a = FrameAssembler::new(codec);
                    let _ = common::assemble(&mut a, &common::packets(&p, 0, 0));
                }
            }
        }
    }
}

#[test]
fn dropping_any_packet_of_a_video_frame_drops_the_frame() {
    for codec in [Codec::Vp8, Codec::Vp9, Codec::H264, Codec::Av1] {
        let payloads = sample(codec);
        assert!(payloads.len() > 2, "{codec:?}");
        let n = payloads.len() as u16;
        let before = common::packets(&payloads, 100, 0);
        let pk = common::packets(&payloads, 100 + n, 3000);
        let after = common::packets(&payloads, 100 + 2 * n, 6000);
        for lost in 0..pk.len() {
            let mut a = FrameAssembler::new(codec);
            let mut input = before.clone();
            let mut hit = pk.clone();
            hit.remove(lost);
            input.extend(hit);
            input.extend(after.clone());
            let out = common::assemble(&mut a, &input);
            let ts: Vec<u32> = out.iter().map(|f| f.rtp_timestamp).collect();
            // Losing a frame's last packet is ambiguous for formats that cannot show a frame
            // start (H.264, AV1): it may have been the next frame's first, so that one goes too.
            let ambiguous = lost + 1 == pk.len() && matches!(codec, Codec::H264 | Codec::Av1);
            if ambiguous {
                assert_eq!(ts, vec![0], "{codec:?} lost {lost}");
                assert_eq!(a.dropped_frames(), 2);
            } else {
                assert_eq!(ts, vec![0, 6000], "{codec:?} lost {lost}");
                assert_eq!(a.dropped_frames(), 1);
            }
        }
    }
}
