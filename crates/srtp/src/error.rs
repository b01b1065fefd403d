//! The error type.

use std::fmt;

/// Why a packet or a key could not be processed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The profile identifier is not one of the supported profiles.
    UnsupportedProfile(u16),
    /// A master key, master salt or keying material has the wrong length for the profile.
    InvalidKeyLength {
        /// What the key was for.
        what: &'static str,
        /// The length the profile requires.
        expected: usize,
        /// The length given.
        actual: usize,
    },
    /// A configuration value is out of range.
    InvalidConfig(&'static str),
    /// The packet is shorter than its fixed header plus the authentication tag/trailer.
    TooShort,
    /// The packet is not version 2, or its header (CSRCs, extension) runs past its end.
    Malformed,
    /// The authentication tag did not verify: the packet was forged, damaged or keyed differently.
    AuthenticationFailed,
    /// A packet with this index was already accepted (or, when protecting, already sent).
    Replayed,
    /// The packet index is older than the replay window still covers.
    TooOld,
    /// The packet belongs to a new SSRC but the context already tracks its maximum of SSRCs.
    TooManyStreams,
    /// The packet index space of the stream is used up (2^48 SRTP or 2^31 SRTCP packets): rekey.
    IndexExhausted,
    /// OpenSSL reported an error.
    Crypto(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::UnsupportedProfile(id) => write!(f, "unsupported SRTP profile 0x{id:04x}"),
            Error::InvalidKeyLength {
                what,
                expected,
                actual,
            } => write!(f, "{what} is {actual} bytes, the profile needs {expected}"),
            Error::InvalidConfig(why) => write!(f, "invalid SRTP configuration: {why}"),
            Error::TooShort => f.write_str("packet too short"),
            Error::Malformed => f.write_str("malformed RTP/RTCP header"),
            Error::AuthenticationFailed => f.write_str("SRTP authentication failed"),
            Error::Replayed => f.write_str("replayed packet"),
            Error::TooOld => f.write_str("packet index older than the replay window"),
            Error::TooManyStreams => f.write_str("too many SSRCs in this SRTP context"),
            Error::IndexExhausted => f.write_str("SRTP/SRTCP index exhausted, rekey needed"),
            Error::Crypto(e) => write!(f, "OpenSSL error: {e}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<openssl::error::ErrorStack> for Error {
    fn from(e: openssl::error::ErrorStack) -> Self {
        Error::Crypto(e.to_string())
    }
}
