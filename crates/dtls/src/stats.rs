//! Counters of a [`DtlsTransport`](crate::DtlsTransport).

use std::time::Duration;

/// Traffic, handshake cost and drop counters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DtlsStats {
    /// Datagrams handed out by `poll_transmit` (queued for it, including retransmissions).
    pub datagrams_sent: u64,
    /// Bytes of those datagrams.
    pub bytes_sent: u64,
    /// Datagrams passed to `handle_receive`.
    pub datagrams_received: u64,
    /// Bytes of those datagrams.
    pub bytes_received: u64,
    /// Handshake flights sent, retransmissions excluded (a full handshake is 2 per side).
    pub handshake_flights_sent: u64,
    /// Datagrams sent before the handshake completed, retransmissions included.
    pub handshake_datagrams_sent: u64,
    /// Bytes sent before the handshake completed, retransmissions included.
    pub handshake_bytes_sent: u64,
    /// Datagrams received before the handshake completed.
    pub handshake_datagrams_received: u64,
    /// Bytes received before the handshake completed.
    pub handshake_bytes_received: u64,
    /// Flights re-sent because the retransmission timer expired.
    pub flights_retransmitted: u64,
    /// Times the final flight was re-sent because the peer repeated its last flight.
    pub final_flight_resends: u64,
    /// Time from `start` to handshake completion, in the caller's clock.
    pub handshake_duration: Option<Duration>,
    /// Datagrams dropped before OpenSSL saw them: not DTLS (RFC 7983) or oversized.
    pub malformed_dropped: u64,
    /// Datagrams dropped because a queue was full or the transport was closed/failed.
    pub queue_dropped: u64,
    /// Received application messages dropped because `poll_event` was not drained.
    pub messages_dropped: u64,
}
