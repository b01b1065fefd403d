//! What a transport stack reports: per-layer state changes and data channel events.

use std::fmt;
use std::net::SocketAddr;

use rtcio_dtls::DtlsTransportState;
use rtcio_ice::IceConnectionState;

/// Identifies a data channel within its transport stack (not the SCTP stream id, which is only
/// known once the DTLS role is).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChannelId(pub(crate) u32);

impl ChannelId {
    /// The raw handle value (stable for the stack's lifetime).
    pub fn raw(self) -> u32 {
        self.0
    }
}

/// W3C `RTCSctpTransportState`, with ORTC's `new` before `start`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SctpTransportState {
    /// Not started: no remote parameters or DTLS not connected yet.
    New,
    /// The association handshake is under way.
    Connecting,
    /// The association is established.
    Connected,
    /// The association ended or the transport was stopped.
    Closed,
}

impl SctpTransportState {
    /// The W3C name.
    pub fn as_str(self) -> &'static str {
        match self {
            SctpTransportState::New => "new",
            SctpTransportState::Connecting => "connecting",
            SctpTransportState::Connected => "connected",
            SctpTransportState::Closed => "closed",
        }
    }
}

impl fmt::Display for SctpTransportState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Something that happened in the stack, drained with `TransportStack::poll_event`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportEvent {
    /// The ICE transport's state (W3C `RTCIceTransportState`, same names).
    IceStateChange(IceConnectionState),
    /// ICE selected a (new) candidate pair: (local base, remote address).
    SelectedCandidatePairChange {
        /// The local candidate's base address (the socket).
        local: SocketAddr,
        /// The remote candidate's address.
        remote: SocketAddr,
    },
    /// The DTLS transport's state.
    DtlsStateChange(DtlsTransportState),
    /// The SCTP transport's state.
    SctpStateChange(SctpTransportState),
    /// `datachannel`: the peer opened a channel.
    DataChannel(ChannelId),
    /// A channel's `open`.
    ChannelOpen(ChannelId),
    /// A channel's `message` is waiting in `TransportStack::channel_recv`.
    ChannelMessage(ChannelId),
    /// A channel's `bufferedamountlow`.
    ChannelBufferedAmountLow(ChannelId),
    /// A channel's `closing`.
    ChannelClosing(ChannelId),
    /// A channel's `error` (`sctp-failure`): the association under it failed or the peer
    /// aborted it. `close` follows.
    ChannelError(ChannelId, String),
    /// A channel's `close`.
    ChannelClose(ChannelId),
}

/// Counters of input the stack dropped rather than failing on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DropStats {
    /// Datagrams that are neither STUN, DTLS nor RTP/RTCP.
    pub unknown_datagrams: u64,
    /// DTLS records that arrived before the DTLS transport existed, beyond what is kept for it
    /// (`MAX_EARLY_DTLS_DATAGRAMS`).
    pub early_dtls: u64,
    /// RTP/RTCP packets (no media negotiated yet).
    pub rtp: u64,
    /// Outgoing DTLS datagrams with no selected ICE pair to carry them.
    pub unroutable: u64,
    /// Remote candidates that could not be used (TCP, unresolved host names, …).
    pub unusable_candidates: u64,
    /// DTLS records and SRTP/SRTCP packets from a source ICE has not validated (no valid pair
    /// and no authenticated check from that local/remote address pair), dropped unread.
    pub unvalidated_source: u64,
    /// Data channel messages dropped by the SCTP layer (unknown stream, bad DCEP or PPID).
    pub channel_messages: u64,
}
