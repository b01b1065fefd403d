//! What a peer connection reports: W3C events as data, plus the datagrams it wants sent.

use std::fmt;
use std::net::SocketAddr;

pub use rtcio_ice::IceConnectionState;

use super::signaling::SignalingState;

/// W3C `RTCIceGatheringState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IceGatheringState {
    /// Nothing gathered yet (no local description applied).
    New,
    /// Candidates are being gathered.
    Gathering,
    /// Gathering is complete.
    Complete,
}

impl IceGatheringState {
    /// The W3C name.
    pub fn as_str(self) -> &'static str {
        match self {
            IceGatheringState::New => "new",
            IceGatheringState::Gathering => "gathering",
            IceGatheringState::Complete => "complete",
        }
    }
}

/// W3C `RTCPeerConnectionState`: the aggregate of the ICE and DTLS transport states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PeerConnectionState {
    /// No transport has started.
    New,
    /// ICE checks or the DTLS handshake are in progress.
    Connecting,
    /// ICE has a pair and DTLS is connected.
    Connected,
    /// ICE lost consent; it may come back.
    Disconnected,
    /// ICE or DTLS failed.
    Failed,
    /// `close()` was called.
    Closed,
}

impl PeerConnectionState {
    /// The W3C name.
    pub fn as_str(self) -> &'static str {
        match self {
            PeerConnectionState::New => "new",
            PeerConnectionState::Connecting => "connecting",
            PeerConnectionState::Connected => "connected",
            PeerConnectionState::Disconnected => "disconnected",
            PeerConnectionState::Failed => "failed",
            PeerConnectionState::Closed => "closed",
        }
    }
}

macro_rules! display_as_str {
    ($($t:ty),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    )*};
}
display_as_str!(IceGatheringState, PeerConnectionState);

/// A local candidate as the `icecandidate` event carries it (W3C `RTCIceCandidateInit`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IceCandidateInit {
    /// `candidate:…` (without `a=`); empty for end-of-candidates when added remotely.
    pub candidate: String,
    /// The mid of the section it belongs to.
    pub sdp_mid: Option<String>,
    /// The index of that section.
    pub sdp_mline_index: Option<u16>,
    /// The ICE ufrag it belongs to.
    pub username_fragment: Option<String>,
}

pub use crate::transport::ChannelId;

/// Something that happened, drained with `PeerConnection::poll_event`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// `icecandidate`: a new local candidate, or `None` when gathering completed.
    IceCandidate(Option<IceCandidateInit>),
    /// `icegatheringstatechange`.
    IceGatheringStateChange(IceGatheringState),
    /// `iceconnectionstatechange`.
    IceConnectionStateChange(IceConnectionState),
    /// `connectionstatechange`.
    ConnectionStateChange(PeerConnectionState),
    /// `signalingstatechange`.
    SignalingStateChange(SignalingState),
    /// `negotiationneeded`: a change needs a new offer/answer exchange.
    NegotiationNeeded,
    /// `datachannel`: the peer opened a channel.
    DataChannel(ChannelId),
    /// A channel's `open`.
    ChannelOpen(ChannelId),
    /// A channel's `message` is waiting in `PeerConnection::channel_recv`.
    ChannelMessage(ChannelId),
    /// A channel's `bufferedamountlow`.
    ChannelBufferedAmountLow(ChannelId),
    /// A channel's `closing`.
    ChannelClosing(ChannelId),
    /// A channel's `error` (W3C `RTCErrorEvent` with `sctp-failure`): the association under it
    /// failed or the peer aborted it. `close` follows.
    ChannelError(ChannelId, String),
    /// A channel's `close`.
    ChannelClose(ChannelId),
    /// `track`: a transceiver's receiver started receiving (its track is live).
    Track(crate::media::TransceiverId),
    /// A receiver's track ended: the peer stopped sending or the transceiver stopped.
    TrackEnded(crate::media::TransceiverId),
    /// The peer asked a sender for a keyframe (PLI, or a FIR with a new sequence number);
    /// requests arriving together are merged. Counted in the sender's outbound-rtp
    /// `pliCount`/`firCount`.
    KeyframeRequested {
        /// The sender's transceiver.
        transceiver: crate::media::TransceiverId,
        /// PLI or FIR.
        kind: crate::media::KeyframeRequestKind,
        /// The simulcast encoding asked for (`None` without simulcast).
        rid: Option<String>,
    },
    /// The congestion controller's target (bit/s) for everything this connection sends moved:
    /// first when transport-cc or REMB is negotiated (the start rate), then with the feedback
    /// (about every 100 ms while it changes); 0 when neither is negotiated any more. The
    /// encoders together should follow it.
    TargetBitrateChanged(u64),
}

/// A datagram to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmit {
    /// The local socket to send from (the candidate base).
    pub from: SocketAddr,
    /// The destination.
    pub to: SocketAddr,
    /// The bytes.
    pub data: Vec<u8>,
}

/// A received datagram.
#[derive(Debug, Clone, Copy)]
pub struct Receive<'a> {
    /// The local socket it arrived on.
    pub local: SocketAddr,
    /// Its source.
    pub remote: SocketAddr,
    /// The bytes.
    pub data: &'a [u8],
}
