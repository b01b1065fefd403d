//! The media half of the peer connection, sans-IO: codec and header-extension negotiation,
//! transceivers and their m-sections, and the SRTP-protected RTP/RTCP path with BUNDLE
//! demultiplexing.
//!
//! The peer connection decides what to offer and answer with these pieces; nothing here owns a
//! socket or reads a clock.

pub mod codec;
pub mod extension;
pub mod packetize;
pub mod router;
pub mod section;
pub mod session;
pub mod simulcast;
pub mod sources;
mod streams;
pub mod track_source;
pub mod transceiver;

pub use codec::{CodecParameters, Feedback, H264Level, H264Profile, ProfileLevelId};
pub use extension::ExtensionIds;
pub use packetize::{FramePacket, FrameWrite, MAX_SRTP_TAG, SenderPacketizers};
pub use section::{MediaSection, RemoteMedia};
pub use session::{
    MediaDrops, MediaEvent, MediaSession, MediaTransmit, ReceivedRtcp, ReceivedRtp, RtpWrite,
    SenderSeed,
};
pub use simulcast::{MAX_ENCODINGS, RtcpParameters, SendEncoding, SendParameters};
pub use sources::{ContributingSource, MAX_SOURCES_PER_RECEIVER, SOURCE_LIFETIME};
pub use streams::{
    KeyframeRequestKind, MAX_PENDING_FRAMES, MAX_RECEIVE_STREAMS, ReceivedFrameEvent,
};
pub use track_source::{MAX_FRAME_TIMES, TrackSources};
pub use transceiver::{Receiver, SendLayer, Sender, SenderTrack, Transceiver, TransceiverId};

/// W3C `MediaStreamTrack.kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrackKind {
    /// `audio`
    Audio,
    /// `video`
    Video,
}

impl TrackKind {
    /// The W3C name.
    pub fn as_str(self) -> &'static str {
        match self {
            TrackKind::Audio => "audio",
            TrackKind::Video => "video",
        }
    }
}

impl std::fmt::Display for TrackKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
