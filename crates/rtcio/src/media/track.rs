//! Tracks and encoded frames: what flows through senders and receivers.
//!
//! rtcio carries media at the packet level; codecs come later. A [`MediaStreamTrack`] is the
//! identity of a source (its id and kind, as signalled in `a=msid`), and an [`EncodedFrame`] is
//! what an encoder produces and a decoder consumes: one audio frame or one video picture in
//! its codec's bitstream format, with its RTP timestamp and whether it is a keyframe. An
//! encoder plugs in by producing frames for [`RTCRtpSender::send_frame`]; a decoder by consuming
//! [`RTCRtpReceiver::recv_frame`].
//!
//! [`RTCRtpSender::send_frame`]: super::RTCRtpSender::send_frame
//! [`RTCRtpReceiver::recv_frame`]: super::RTCRtpReceiver::recv_frame

use std::sync::atomic::{AtomicU64, Ordering};

pub use rtcio_proto::media::TrackKind;
pub use rtcio_rtp::codec::Codec;
pub use rtcio_rtp::rtcp::NtpTime;

use std::time::Instant;

/// W3C `MediaStreamTrack`, as an identity: the media itself goes through the sender as
/// [`EncodedFrame`]s or RTP packets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaStreamTrack {
    /// W3C `id`.
    pub id: String,
    /// W3C `kind`.
    pub kind: TrackKind,
    /// The ids of the streams (W3C `MediaStream`) the track is in.
    pub stream_ids: Vec<String>,
}

impl MediaStreamTrack {
    /// A track with a fresh id, in one stream of its own.
    pub fn new(kind: TrackKind) -> MediaStreamTrack {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let mut r = [0u8; 8];
        // Uniqueness across processes only matters for display; a counter backs it up.
        let _ = openssl::rand::rand_bytes(&mut r);
        let id = format!(
            "{}-{:016x}-{}",
            kind.as_str(),
            u64::from_be_bytes(r),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        MediaStreamTrack {
            stream_ids: vec![format!("stream-{id}")],
            id,
            kind,
        }
    }

    pub(crate) fn sender_track(&self) -> rtcio_proto::media::SenderTrack {
        rtcio_proto::media::SenderTrack {
            track_id: self.id.clone(),
            stream_ids: self.stream_ids.clone(),
        }
    }
}

/// One encoded audio frame or video picture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedFrame {
    /// The codec of `data`.
    pub codec: Codec,
    /// RTP timestamp in the codec's clock rate ([`Codec::clock_rate`]).
    pub timestamp: u32,
    /// Decodable on its own (always true for audio).
    pub keyframe: bool,
    /// The bitstream (H.264 in Annex-B form).
    pub data: Vec<u8>,
    /// The simulcast layer (RFC 8851 rid): the encoding a sender sends it on (`None`: the first
    /// encoding), the layer a receiver got it from (`None` without simulcast).
    pub rid: Option<String>,
    /// When a received frame arrived and was captured; `None` on frames to send (ignored by
    /// `send_frame`).
    pub received: Option<FrameTiming>,
}

/// The timing of a received frame, for jitter measurement, playout scheduling and lip sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameTiming {
    /// When the earliest of its packets arrived (this process's monotonic clock).
    pub first_packet_at: Instant,
    /// When the latest of its packets arrived, retransmissions included: when it could first
    /// be delivered.
    pub last_packet_at: Instant,
    /// When the sender captured it, on the sender's NTP wall clock (RFC 3550 §6.4.1: its RTP
    /// timestamp mapped through the last sender report's NTP↔RTP pair). `None` until a sender
    /// report arrived. Frames of two tracks from one sender (the same CNAME) with equal
    /// capture times play out together: that is lip sync.
    pub capture_time_ntp: Option<NtpTime>,
}

impl From<rtcio_rtp::stream::ReceivedFrame> for EncodedFrame {
    fn from(f: rtcio_rtp::stream::ReceivedFrame) -> Self {
        EncodedFrame {
            received: Some(FrameTiming {
                first_packet_at: f.first_arrival,
                last_packet_at: f.arrival,
                capture_time_ntp: f.sender_ntp_time,
            }),
            ..EncodedFrame::from(f.frame)
        }
    }
}

impl From<rtcio_rtp::codec::EncodedFrame> for EncodedFrame {
    fn from(f: rtcio_rtp::codec::EncodedFrame) -> Self {
        EncodedFrame {
            codec: f.codec,
            timestamp: f.rtp_timestamp,
            keyframe: f.keyframe,
            data: f.data,
            rid: None,
            received: None,
        }
    }
}
