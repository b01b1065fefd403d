//! Errors of the peer connection API, named after the DOM exceptions JSEP and W3C specify so
//! the Python layer maps them one to one onto aiortc's.

use std::fmt;

/// Why a peer connection call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The call is not allowed in the current state (e.g. an answer before any offer, or any
    /// call after `close`). `InvalidStateError` in the W3C spec.
    InvalidState(String),
    /// A description or candidate is well-formed but cannot be used: missing ICE credentials or
    /// fingerprint, an answer that does not match the offer, an unknown m-line.
    /// `InvalidAccessError`.
    InvalidAccess(String),
    /// SDP or a candidate string does not parse. `SyntaxError` in aiortc's mapping; the message
    /// carries the parser's line number.
    Syntax(String),
    /// An argument is out of range (e.g. both `maxRetransmits` and `maxPacketLifeTime`, a label
    /// over 65535 bytes, a message over `maxMessageSize`). `TypeError`.
    Type(String),
    /// A resource limit was hit (no free stream id, too many channels). `OperationError`.
    Operation(String),
    /// `setConfiguration` tried to change what cannot change after construction
    /// (certificates, bundle policy). `InvalidModificationError`.
    InvalidModification(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidState(m) => write!(f, "InvalidStateError: {m}"),
            Error::InvalidAccess(m) => write!(f, "InvalidAccessError: {m}"),
            Error::Syntax(m) => write!(f, "SyntaxError: {m}"),
            Error::Type(m) => write!(f, "TypeError: {m}"),
            Error::Operation(m) => write!(f, "OperationError: {m}"),
            Error::InvalidModification(m) => write!(f, "InvalidModificationError: {m}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<rtcio_sdp::ParseError> for Error {
    fn from(e: rtcio_sdp::ParseError) -> Self {
        Error::Syntax(e.to_string())
    }
}
