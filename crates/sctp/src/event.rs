//! Events an association reports to its user.

use bytes::Bytes;

use crate::chunk::ErrorCause;

/// Why an association ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CloseReason {
    /// Graceful SHUTDOWN completed (either side initiated it).
    Shutdown,
    /// The local user aborted the association.
    LocalAbort,
    /// The peer sent an ABORT with these causes.
    PeerAbort(Vec<ErrorCause>),
    /// Association.Max.Retrans consecutive timeouts without acknowledgement.
    TooManyRetransmissions,
    /// INIT or COOKIE-ECHO was retransmitted Max.Init.Retransmits times without answer.
    HandshakeTimeout,
    /// The peer broke the protocol; an ABORT was sent.
    ProtocolViolation,
}

/// Something that happened on the association.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The association reached ESTABLISHED.
    Connected,
    /// A complete user message arrived on a stream.
    StreamData {
        /// Stream identifier.
        stream: u16,
        /// Payload protocol identifier.
        ppid: u32,
        /// The message.
        data: Bytes,
        /// Whether it was sent unordered.
        unordered: bool,
    },
    /// The peer reset these incoming streams (RFC 6525 outgoing SSN reset request performed).
    IncomingStreamsReset(Vec<u16>),
    /// The peer confirmed the reset of these outgoing streams.
    OutgoingStreamsReset(Vec<u16>),
    /// The bytes queued on a stream fell to or below its low threshold.
    BufferedAmountLow {
        /// Stream identifier.
        stream: u16,
    },
    /// The association ended; no further events follow.
    Closed {
        /// Why.
        reason: CloseReason,
    },
}
