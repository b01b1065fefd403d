//! Typed errors of the wire codec and of the association API.

use core::fmt;

/// Why an SCTP packet, chunk, parameter or DCEP message could not be parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParseError {
    /// The input ended before a fixed-size field or a declared length.
    Truncated,
    /// A length field is smaller than the fixed part of its structure.
    InvalidLength,
    /// The CRC32c checksum of the packet does not match its contents.
    BadChecksum,
    /// A DATA or I-DATA chunk carries no user data (RFC 9260 §6.2: "No User Data").
    NoUserData,
    /// A mandatory field has a value the specification forbids.
    InvalidValue,
    /// A list (gap blocks, duplicate TSNs, streams, parameters) exceeds the bounded count.
    TooMany,
    /// The message type of a DCEP message is not one RFC 8832 defines.
    UnknownMessageType,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            ParseError::Truncated => "input truncated",
            ParseError::InvalidLength => "invalid length field",
            ParseError::BadChecksum => "CRC32c checksum mismatch",
            ParseError::NoUserData => "DATA chunk without user data",
            ParseError::InvalidValue => "invalid field value",
            ParseError::TooMany => "too many list entries",
            ParseError::UnknownMessageType => "unknown DCEP message type",
        };
        f.write_str(s)
    }
}

impl std::error::Error for ParseError {}

/// Why a user command on an association or data channel was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
    /// The message is larger than the configured maximum message size.
    MessageTooLarge,
    /// SCTP cannot carry an empty message (data channels encode it, RFC 8831 §6.6).
    EmptyMessage,
    /// The association is closed, shutting down or was aborted.
    Closed,
    /// The stream identifier is outside the negotiated number of outbound streams.
    InvalidStream,
    /// The stream is being reset and takes no new messages.
    StreamResetting,
    /// The per-association send buffer limit would be exceeded.
    BufferFull,
    /// The operation is not valid in the current state.
    InvalidState,
    /// No stream identifier is free for a new data channel.
    NoFreeStream,
    /// The data channel identifier is unknown or already in use.
    UnknownChannel,
    /// The data channel is not open.
    ChannelNotOpen,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            Error::MessageTooLarge => "message larger than the maximum message size",
            Error::EmptyMessage => "empty message",
            Error::Closed => "association closed",
            Error::InvalidStream => "stream identifier out of range",
            Error::StreamResetting => "stream is being reset",
            Error::BufferFull => "send buffer full",
            Error::InvalidState => "invalid state for this operation",
            Error::NoFreeStream => "no free stream identifier",
            Error::UnknownChannel => "unknown data channel",
            Error::ChannelNotOpen => "data channel not open",
        };
        f.write_str(s)
    }
}

impl std::error::Error for Error {}
