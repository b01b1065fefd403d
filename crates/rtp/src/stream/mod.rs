//! Sans-IO RTP stream engine: one [`ReceiveStream`] per received SSRC and one [`SendStream`] per
//! sent SSRC, between the packet layer (this crate's [`RtpPacket`](crate::RtpPacket) and
//! [`RtcpPacket`](crate::rtcp::RtcpPacket)) and the codecs ([`EncodedFrame`](crate::codec::EncodedFrame)).
//!
//! Receive side ([`ReceiveStream`]): RTX unwrapping (RFC 4588), RED unwrapping to the primary
//! block (RFC 2198; ULPFEC blocks counted, not used), duplicate, late and absurd
//! sequence jump detection, RFC 3550 loss and interarrival jitter accounting, a jitter buffer
//! that releases packets in sequence order into a [`FrameAssembler`](crate::codec::FrameAssembler)
//! and waits a configurable latency for missing packets, NACKs (RFC 4585) sent as soon as the
//! path's observed reordering makes a late arrival unlikely and repeated every 1.25 RTT until
//! the packet arrives, is too old for the jitter buffer or has been asked for too often, PLI/FIR (RFC 5104) after an unrecoverable loss or on decoder request,
//! receiver reports with XR receiver reference time (RFC 3611) for receiver-side RTT, and the
//! sender report's NTP↔RTP mapping for lip sync.
//!
//! Send side ([`SendStream`]): a history of sent packets bounded by count and age, NACKs
//! answered with RTX packets (original sequence number in the payload, own sequence space) under
//! a retransmission rate limit and never twice within an RTT, PLI/FIR turned into a
//! keyframe-request event, RTT and remote loss from report blocks (LSR/DLSR), sender reports
//! with XR DLRR answers.
//!
//! Nothing here reads a clock: every call takes `now`, and wall-clock time (for NTP fields)
//! comes from an [`NtpClock`] the caller builds once from its own clock readings. The usual
//! loop: feed packets with `handle_rtp`/`handle_rtcp`, call `handle_timeout` when
//! `poll_timeout` says, and drain `poll_event`, `poll_rtcp` (and on the send side
//! `poll_retransmit`) after every call. Every queue is bounded by a `MAX_*` constant; hostile
//! input is dropped and counted in the stats.
//!
//! ```
//! use std::time::{Duration, Instant};
//! use rtcio_rtp::codec::Codec;
//! use rtcio_rtp::rtcp::RtcpPacket;
//! use rtcio_rtp::stream::{NtpClock, ReceiveConfig, ReceiveEvent, ReceiveStream, SendConfig, SendStream};
//! use rtcio_rtp::{RtpHeader, RtpPacket};
//!
//! let now = Instant::now();
//! let clock = NtpClock::new(now, Duration::from_secs(3_900_000_000));
//! let mut tx = SendStream::new(SendConfig::new(1234, 96, 90_000, clock));
//! let mut rx = ReceiveStream::new(ReceiveConfig::new(1234, Codec::Vp8, 96, 5678, clock), now);
//!
//! // A one-packet VP8 keyframe.
//! let payload = [0x10, 0x50, 0x2a, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01];
//! let header = RtpHeader { marker: true, payload_type: 96, ssrc: 1234, sequence_number: 7, timestamp: 3000, ..Default::default() };
//! let packet = RtpPacket { header, payload: &payload, padding: 0 };
//! tx.handle_sent(now, &packet);
//! rx.handle_rtp(now, &packet);
//! // The jitter buffer holds the first packets briefly for ones reordered before them.
//! let later = rx.poll_timeout().expect("a start deadline");
//! rx.handle_timeout(later);
//! match rx.poll_event() {
//!     Some(ReceiveEvent::Frame(f)) => assert!(f.frame.keyframe),
//!     other => panic!("expected a frame, got {other:?}"),
//! }
//! // The receiver asks for packet 7 again (as if lost); the sender answers from its history.
//! let nack = RtcpPacket::Nack(rtcio_rtp::rtcp::Nack::from_lost(5678, 1234, &[7]));
//! tx.handle_rtcp(now, &nack);
//! let resent = tx.poll_retransmit(now).expect("packet 7 is in the history");
//! assert_eq!(resent.header.sequence_number, 7);
//! ```

mod history;
mod jitter;
mod nack;
mod receive;
mod report;
mod send;
mod stats;

use std::time::{Duration, Instant};

use crate::rtcp::NtpTime;

pub use history::{DEFAULT_HISTORY_AGE, DEFAULT_HISTORY_PACKETS, MAX_HISTORY_PACKETS};
pub use jitter::MAX_JITTER_PACKETS;
pub use nack::{MAX_NACK_ENTRIES, MAX_REORDER_WAIT, nack_retry_interval};
pub use receive::{
    MAX_DROPOUT, MAX_PENDING_EVENTS, PacketVerdict, RECEIVED_WINDOW, ReceiveConfig, ReceiveEvent,
    ReceiveStream, ReceivedFrame, RedConfig,
};
pub use send::{
    MAX_NACKED_PER_FEEDBACK, MAX_PADDING_PACKET_BYTES, MAX_PADDING_PACKETS,
    MAX_PENDING_RETRANSMISSIONS, OutgoingPacket, SendConfig, SendEvent, SendStream,
};
pub use stats::{
    InboundRtpStats, OutboundRtpStats, ReceiveStats, RemoteInboundRtpStats, RemoteOutboundRtpStats,
    SendStats,
};

/// The RTT assumed before one is measured (RFC 3550 gives none; 100 ms is what WebRTC stacks use).
pub const DEFAULT_RTT: Duration = Duration::from_millis(100);

/// The retransmission stream of a media stream (RFC 4588 SSRC multiplexing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RtxConfig {
    /// The SSRC of the RTX stream.
    pub ssrc: u32,
    /// The RTX payload type (the one whose `apt` is the media payload type).
    pub payload_type: u8,
}

/// The caller's mapping from `Instant` to NTP wall-clock time, for SR/RR/XR timestamps.
///
/// Built once from a reading of the system clock and the `Instant` read at the same moment;
/// every later time is derived from `Instant`s, so the engine never reads a clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NtpClock {
    at: Instant,
    since_1900: Duration,
}

impl NtpClock {
    /// A clock where `at` corresponds to `since_1900` after the NTP epoch (1900-01-01 00:00 UTC;
    /// the Unix epoch is 2,208,988,800 s later).
    pub fn new(at: Instant, since_1900: Duration) -> Self {
        Self { at, since_1900 }
    }

    /// The NTP time of `now`.
    pub fn ntp(&self, now: Instant) -> NtpTime {
        let d = match now.checked_duration_since(self.at) {
            Some(ahead) => self.since_1900 + ahead,
            None => self.since_1900.saturating_sub(self.at - now),
        };
        NtpTime::from_duration(d)
    }
}

/// `d` in the 1/65536 s units of DLSR and DLRR fields, saturating.
pub(crate) fn to_ntp_short(d: Duration) -> u32 {
    u32::try_from((d.as_nanos() << 16) / 1_000_000_000).unwrap_or(u32::MAX)
}
