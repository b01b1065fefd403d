//! Depacketizers and packetizers with an encoded-frame interface.
//!
//! A [`Depacketizer`] turns RTP payloads of one codec into the codec's elementary bitstream,
//! appending to a frame buffer; a [`Packetizer`] splits an encoded frame into payloads no larger
//! than an MTU (the last payload of a frame is the one to send with the marker bit).
//! [`FrameAssembler`] drives a depacketizer over the in-order packets of one SSRC and yields
//! [`EncodedFrame`]s, dropping frames with missing packets.
//!
//! Output formats: audio frames are the payload as is; VP8 and VP9 frames are the codec's frame
//! (VP9: every layer frame of a picture concatenated); H.264 frames are Annex-B or AVC
//! length-prefixed NAL units ([`h264::H264Format`]); AV1 frames are a temporal unit in the
//! low-overhead bitstream format (a temporal delimiter, then OBUs with size fields).

mod assembler;
pub mod av1;
pub mod g711;
pub mod g722;
pub mod h264;
pub mod opus;
pub mod vp8;
pub mod vp9;

pub use assembler::{DEFAULT_MAX_FRAME_BYTES, EncodedFrame, FrameAssembler};

use crate::RtpError;

/// The codecs this module (de)packetizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Codec {
    /// Opus (RFC 7587).
    Opus,
    /// G.711 µ-law (RFC 3551, PT 0).
    Pcmu,
    /// G.711 A-law (RFC 3551, PT 8).
    Pcma,
    /// G.722 (RFC 3551, PT 9).
    G722,
    /// VP8 (RFC 7741).
    Vp8,
    /// VP9 (RFC 9628).
    Vp9,
    /// H.264 (RFC 6184), packetization-mode 1.
    H264,
    /// AV1 (AOM "RTP Payload Format for AV1").
    Av1,
}

impl Codec {
    /// True for the audio codecs (one frame per packet).
    pub fn is_audio(self) -> bool {
        matches!(self, Self::Opus | Self::Pcmu | Self::Pcma | Self::G722)
    }

    /// The RTP clock rate (G.722 uses 8000 for historical reasons, RFC 3551 section 4.5.2).
    pub fn clock_rate(self) -> u32 {
        match self {
            Self::Opus => 48_000,
            Self::Pcmu | Self::Pcma | Self::G722 => 8_000,
            _ => 90_000,
        }
    }

    /// A depacketizer for this codec (H.264 emits Annex-B).
    pub fn depacketizer(self) -> Box<dyn Depacketizer + Send> {
        match self {
            Self::Opus => Box::new(opus::OpusDepacketizer),
            Self::Pcmu | Self::Pcma => Box::new(g711::G711Depacketizer),
            Self::G722 => Box::new(g722::G722Depacketizer),
            Self::Vp8 => Box::new(vp8::Vp8Depacketizer),
            Self::Vp9 => Box::new(vp9::Vp9Depacketizer),
            Self::H264 => Box::new(h264::H264Depacketizer::new(h264::H264Format::AnnexB)),
            Self::Av1 => Box::new(av1::Av1Depacketizer::default()),
        }
    }

    /// A packetizer for this codec (H.264 expects Annex-B input).
    pub fn packetizer(self) -> Box<dyn Packetizer + Send> {
        match self {
            Self::Opus => Box::new(opus::OpusPacketizer),
            Self::Pcmu | Self::Pcma => Box::new(g711::G711Packetizer),
            Self::G722 => Box::new(g722::G722Packetizer),
            Self::Vp8 => Box::new(vp8::Vp8Packetizer::default()),
            Self::Vp9 => Box::new(vp9::Vp9Packetizer::default()),
            Self::H264 => Box::new(h264::H264Packetizer::default()),
            Self::Av1 => Box::new(av1::Av1Packetizer),
        }
    }
}

/// What a depacketizer learned from one payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PayloadInfo {
    /// `Some(true)` if the payload certainly starts a frame, `Some(false)` if it certainly does
    /// not, `None` if the format cannot tell (H.264, mid-frame AV1 packets).
    pub frame_start: Option<bool>,
    /// `Some(true)` if the payload certainly ends a frame (audio); otherwise the marker bit
    /// decides.
    pub frame_end: Option<bool>,
    /// The payload shows the frame is a keyframe (decodable on its own).
    pub keyframe: bool,
}

/// Turns RTP payloads into a codec bitstream.
pub trait Depacketizer {
    /// Appends this payload's contribution to `frame` and describes it. On error the frame being
    /// assembled must be dropped (and [`Depacketizer::reset`] called).
    fn depacketize(&mut self, payload: &[u8], frame: &mut Vec<u8>)
    -> Result<PayloadInfo, RtpError>;

    /// Forgets partial state (a fragmented NAL unit or OBU); called at every frame start.
    fn reset(&mut self);
}

/// Splits encoded frames into RTP payloads.
pub trait Packetizer {
    /// The payloads for `frame`, each at most `mtu` bytes, in sending order; the last one ends
    /// the frame (send it with the marker bit for video).
    fn packetize(&mut self, frame: &[u8], mtu: usize) -> Result<Vec<Vec<u8>>, RtpError>;
}

/// Shared by the audio codecs: one frame per packet, the payload is the frame.
pub(crate) fn audio_depacketize(payload: &[u8], frame: &mut Vec<u8>) -> PayloadInfo {
    frame.extend_from_slice(payload);
    PayloadInfo {
        frame_start: Some(true),
        frame_end: Some(true),
        keyframe: true,
    }
}

/// Shared by the audio codecs: the frame is the payload (empty frames are errors).
pub(crate) fn audio_packetize(frame: &[u8], mtu: usize) -> Result<Vec<Vec<u8>>, RtpError> {
    if frame.is_empty() {
        // An empty payload would read as a padding-only packet.
        return Err(RtpError::Invalid {
            what: "empty audio frame",
        });
    }
    if frame.len() > mtu {
        return Err(RtpError::MtuTooSmall { mtu });
    }
    Ok(vec![frame.to_vec()])
}
