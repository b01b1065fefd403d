//! The error type shared by the decoder, the builder and the integrity checks.

use std::fmt;

use crate::attr::AttributeType;

/// Why a single attribute's value could not be decoded or encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AttributeErrorKind {
    /// The value length is not one this attribute allows.
    BadLength(usize),
    /// An address attribute carries a family other than 0x01 (IPv4) or 0x02 (IPv6).
    UnknownAddressFamily(u8),
    /// A text attribute is not valid UTF-8.
    InvalidUtf8,
    /// A text attribute is longer than its RFC 8489 limit (in bytes).
    TooLong {
        /// The largest length the RFC allows, in bytes.
        max: usize,
    },
    /// ERROR-CODE with a class outside 3..=6 or a number above 99.
    BadErrorCode(u16),
}

/// Every way decoding, encoding or authenticating a STUN message or a ChannelData message can fail.
///
/// Bad input from the wire always ends here as a typed error; the codec never panics on it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StunError {
    /// The buffer is shorter than the 20-byte STUN header.
    TruncatedHeader {
        /// How many bytes were available.
        len: usize,
    },
    /// The two most significant bits of the message are not zero, so this is not STUN.
    NotStun,
    /// The magic cookie field is not 0x2112A442.
    BadMagicCookie(u32),
    /// The message length field is not a multiple of four (attributes are 4-byte aligned).
    UnalignedLength(u16),
    /// The message length field disagrees with the number of bytes given.
    LengthMismatch {
        /// The length the header (or ChannelData prefix) announces, in bytes after the header.
        declared: usize,
        /// The number of bytes that actually follow the header.
        actual: usize,
    },
    /// An attribute header, value or padding runs past the end of the message.
    TruncatedAttribute {
        /// Offset of the attribute header from the start of the message.
        offset: usize,
    },
    /// The message holds more attributes than [`crate::MAX_ATTRIBUTES`].
    TooManyAttributes {
        /// The bound that was exceeded.
        limit: usize,
    },
    /// A known attribute has a malformed value.
    InvalidAttribute {
        /// The attribute's type.
        attr_type: AttributeType,
        /// What is wrong with it.
        kind: AttributeErrorKind,
    },
    /// An attribute follows FINGERPRINT, which must be the last attribute.
    AttributeAfterFingerprint,
    /// The builder was asked to add an attribute where RFC 8489 forbids it (after
    /// MESSAGE-INTEGRITY only MESSAGE-INTEGRITY-SHA256 and FINGERPRINT may follow).
    MisplacedAttribute(AttributeType),
    /// An attribute value does not fit the 16-bit length field.
    AttributeTooLong {
        /// The attribute's type.
        attr_type: AttributeType,
        /// The value length that was requested.
        len: usize,
    },
    /// The message body would exceed the 16-bit message length field.
    MessageTooLong {
        /// The body length that would have resulted.
        len: usize,
    },
    /// The message has no MESSAGE-INTEGRITY (or MESSAGE-INTEGRITY-SHA256) attribute.
    IntegrityMissing,
    /// MESSAGE-INTEGRITY (or -SHA256) does not match the key.
    IntegrityMismatch,
    /// The message has no FINGERPRINT attribute.
    FingerprintMissing,
    /// The FINGERPRINT value does not match the CRC-32 of the message.
    FingerprintMismatch,
    /// The password algorithm is not one this crate can derive a key for.
    UnsupportedPasswordAlgorithm(u16),
    /// A ChannelData channel number outside 0x4000..=0x4FFF.
    InvalidChannelNumber(u16),
    /// A ChannelData message shorter than its 4-byte header.
    TruncatedChannelData {
        /// How many bytes were available.
        len: usize,
    },
    /// The crypto provider (OpenSSL) reported an error.
    Crypto(String),
}

impl fmt::Display for AttributeErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadLength(len) => write!(f, "bad value length {len}"),
            Self::UnknownAddressFamily(family) => write!(f, "unknown address family {family:#04x}"),
            Self::InvalidUtf8 => f.write_str("value is not UTF-8"),
            Self::TooLong { max } => write!(f, "value longer than {max} bytes"),
            Self::BadErrorCode(code) => write!(f, "error code {code} outside 300..=699"),
        }
    }
}

impl fmt::Display for StunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TruncatedHeader { len } => write!(f, "{len} bytes is shorter than a STUN header"),
            Self::NotStun => f.write_str("leading bits are not zero: not a STUN message"),
            Self::BadMagicCookie(cookie) => write!(f, "bad magic cookie {cookie:#010x}"),
            Self::UnalignedLength(len) => write!(f, "message length {len} is not a multiple of 4"),
            Self::LengthMismatch { declared, actual } => {
                write!(f, "length field says {declared} bytes but {actual} follow")
            }
            Self::TruncatedAttribute { offset } => {
                write!(f, "attribute at offset {offset} overruns the message")
            }
            Self::TooManyAttributes { limit } => write!(f, "more than {limit} attributes"),
            Self::InvalidAttribute { attr_type, kind } => write!(f, "{attr_type:?}: {kind}"),
            Self::AttributeAfterFingerprint => f.write_str("attribute after FINGERPRINT"),
            Self::MisplacedAttribute(attr_type) => {
                write!(
                    f,
                    "{attr_type:?} cannot follow MESSAGE-INTEGRITY or FINGERPRINT"
                )
            }
            Self::AttributeTooLong { attr_type, len } => {
                write!(f, "{attr_type:?} value of {len} bytes does not fit")
            }
            Self::MessageTooLong { len } => write!(f, "message body of {len} bytes does not fit"),
            Self::IntegrityMissing => f.write_str("no MESSAGE-INTEGRITY attribute"),
            Self::IntegrityMismatch => f.write_str("MESSAGE-INTEGRITY mismatch"),
            Self::FingerprintMissing => f.write_str("no FINGERPRINT attribute"),
            Self::FingerprintMismatch => f.write_str("FINGERPRINT mismatch"),
            Self::UnsupportedPasswordAlgorithm(alg) => {
                write!(f, "unsupported password algorithm {alg:#06x}")
            }
            Self::InvalidChannelNumber(n) => {
                write!(f, "channel number {n:#06x} outside 0x4000..=0x4FFF")
            }
            Self::TruncatedChannelData { len } => {
                write!(f, "{len} bytes is shorter than a ChannelData header")
            }
            Self::Crypto(msg) => write!(f, "crypto provider error: {msg}"),
        }
    }
}

impl std::error::Error for StunError {}

impl From<openssl::error::ErrorStack> for StunError {
    fn from(err: openssl::error::ErrorStack) -> Self {
        Self::Crypto(err.to_string())
    }
}
