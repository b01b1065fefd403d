//! Does an RTP payload start a keyframe? Read from the codec's payload descriptor (VP8, VP9,
//! AV1) or NAL unit header (H.264), without depacketizing.

use crate::codec::h264::{FU_A, NAL_IDR, NAL_PPS, NAL_SPS, STAP_A};
use crate::codec::vp8::{self, Vp8Descriptor};
use crate::codec::vp9::Vp9Descriptor;
use crate::codec::{Codec, av1};

/// Whether a payload is the first packet of a keyframe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyframeStart {
    /// It is: a decoder can start here.
    Yes,
    /// It is not (a delta frame, a later packet of a frame, or unparsable).
    No,
    /// It carries keyframe data but the payload cannot show it is the frame's first packet
    /// (an H.264 IDR slice or PPS, which an SPS may precede in an earlier packet): it is a start
    /// if the previous packet ended a frame (marker bit or another timestamp).
    IfFrameStart,
}

/// Classifies `payload` (the RTP payload, without header or padding) of `codec`.
///
/// VP8: a descriptor with S set and partition 0, and a frame tag with the key frame bit and
/// start code (RFC 7741 section 4.3). VP9: B set, P clear, spatial layer 0 (RFC 9628). AV1: Z
/// clear and N set in the aggregation header (a new coded video sequence starts here). H.264:
/// an SPS first (single NAL unit, or the first unit of a STAP-A), or an IDR slice or PPS (see
/// [`KeyframeStart::IfFrameStart`]). Audio: every packet.
pub fn keyframe_start(codec: Codec, payload: &[u8]) -> KeyframeStart {
    let yes = |b: bool| {
        if b {
            KeyframeStart::Yes
        } else {
            KeyframeStart::No
        }
    };
    match codec {
        Codec::Vp8 => match Vp8Descriptor::parse(payload) {
            Ok((d, len)) => yes(d.start_of_partition
                && d.partition_index == 0
                && vp8::is_keyframe(payload.get(len..).unwrap_or_default())),
            Err(_) => KeyframeStart::No,
        },
        Codec::Vp9 => match Vp9Descriptor::parse(payload) {
            Ok((d, len)) => yes(d.starts_keyframe() && payload.len() > len),
            Err(_) => KeyframeStart::No,
        },
        Codec::Av1 => yes(payload
            .first()
            .is_some_and(|&agg| agg & 0x80 == 0 && agg & 0x08 != 0)
            && payload.len() > 1
            && av1_has_obu(payload)),
        Codec::H264 => h264_start(payload),
        Codec::Opus | Codec::Pcmu | Codec::Pcma | Codec::G722 => yes(!payload.is_empty()),
    }
}

/// The aggregation header is followed by at least one OBU element of a plausible length.
fn av1_has_obu(payload: &[u8]) -> bool {
    let mut r = &payload[1..];
    if payload[0] & 0x30 == 0x10 {
        return !r.is_empty(); // W = 1: one element without a length field
    }
    av1::read_leb128(&mut r).is_ok_and(|len| len > 0 && len as usize <= r.len())
}

fn nal_kind(nal_header: u8) -> KeyframeStart {
    match nal_header & 0x1f {
        NAL_SPS => KeyframeStart::Yes,
        NAL_IDR | NAL_PPS => KeyframeStart::IfFrameStart,
        _ => KeyframeStart::No,
    }
}

fn h264_start(payload: &[u8]) -> KeyframeStart {
    let Some(&b0) = payload.first() else {
        return KeyframeStart::No;
    };
    match b0 & 0x1f {
        STAP_A => {
            // The first unit decides where the frame starts; a later IDR/SPS makes it a keyframe
            // packet whose start the caller has to confirm.
            let mut rest = &payload[1..];
            let mut first = true;
            let mut found = KeyframeStart::No;
            while let [a, b, tail @ ..] = rest {
                let len = usize::from(u16::from_be_bytes([*a, *b]));
                let Some(nal) = tail.get(..len).filter(|n| !n.is_empty()) else {
                    return KeyframeStart::No;
                };
                match (nal_kind(nal[0]), first) {
                    (KeyframeStart::Yes, true) => return KeyframeStart::Yes,
                    (KeyframeStart::No, _) => {}
                    _ => found = KeyframeStart::IfFrameStart,
                }
                first = false;
                rest = &tail[len..];
            }
            found
        }
        FU_A => match payload.get(1) {
            // Only the fragment with S set starts the unit.
            Some(&fu) if fu & 0x80 != 0 => nal_kind(fu),
            _ => KeyframeStart::No,
        },
        _ if payload.len() > 1 => nal_kind(b0),
        _ => KeyframeStart::No,
    }
}
