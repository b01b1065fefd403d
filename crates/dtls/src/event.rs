//! States (W3C `RTCDtlsTransportState`) and events of a [`DtlsTransport`](crate::DtlsTransport).

/// W3C `RTCDtlsTransportState`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DtlsTransportState {
    /// Not started.
    New,
    /// Handshaking, or handshake done and waiting for the remote fingerprints.
    Connecting,
    /// Handshake complete and the peer authenticated by fingerprint.
    Connected,
    /// Closed by either side with close_notify, or by [`DtlsTransport::close`](crate::DtlsTransport::close).
    Closed,
    /// Handshake failure, fatal alert, timeout or fingerprint mismatch; see
    /// [`DtlsTransport::error`](crate::DtlsTransport::error).
    Failed,
}

/// Output of [`DtlsTransport::poll_event`](crate::DtlsTransport::poll_event).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DtlsEvent {
    /// The transport entered a new state.
    StateChange(DtlsTransportState),
    /// One received application data record.
    Data(Vec<u8>),
}

/// Internal phases; `HandshakeDone` maps to W3C `Connecting`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    New,
    Handshaking,
    /// OpenSSL finished; the peer is not yet authenticated (no fingerprint yet).
    HandshakeDone,
    Connected,
    Closed,
    Failed,
}

impl Phase {
    pub(crate) fn state(self) -> DtlsTransportState {
        match self {
            Phase::New => DtlsTransportState::New,
            Phase::Handshaking | Phase::HandshakeDone => DtlsTransportState::Connecting,
            Phase::Connected => DtlsTransportState::Connected,
            Phase::Closed => DtlsTransportState::Closed,
            Phase::Failed => DtlsTransportState::Failed,
        }
    }
}
