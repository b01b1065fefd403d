//! The error type shared by every parser, serializer and (de)packetizer in this crate.

use std::fmt;

/// Every way parsing, serializing, packetizing or depacketizing can fail.
///
/// Bad input from the wire always ends here as a typed error; nothing in this crate panics on it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RtpError {
    /// The input ended before the named structure did.
    Truncated {
        /// The structure being read.
        what: &'static str,
    },
    /// The version field is not 2.
    BadVersion(u8),
    /// The padding count is zero or larger than the packet allows.
    BadPadding,
    /// A length field is inconsistent with the data (points past the end, or misaligned).
    BadLength {
        /// The structure whose length is wrong.
        what: &'static str,
    },
    /// A count exceeds a bound documented by this crate (allocations stay bounded).
    TooMany {
        /// What was counted.
        what: &'static str,
        /// The bound that was exceeded.
        limit: usize,
    },
    /// A field holds a value the specification forbids.
    Invalid {
        /// The field or structure.
        what: &'static str,
    },
    /// A value does not fit the wire field it must be written to.
    Unencodable {
        /// The field or structure.
        what: &'static str,
    },
    /// A packetizer cannot produce a payload within the given MTU.
    MtuTooSmall {
        /// The MTU given.
        mtu: usize,
    },
}

impl fmt::Display for RtpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Truncated { what } => write!(f, "truncated {what}"),
            Self::BadVersion(v) => write!(f, "version {v}, expected 2"),
            Self::BadPadding => f.write_str("invalid padding"),
            Self::BadLength { what } => write!(f, "inconsistent length in {what}"),
            Self::TooMany { what, limit } => write!(f, "more than {limit} {what}"),
            Self::Invalid { what } => write!(f, "invalid {what}"),
            Self::Unencodable { what } => write!(f, "{what} does not fit its wire field"),
            Self::MtuTooSmall { mtu } => write!(f, "MTU {mtu} is too small"),
        }
    }
}

impl std::error::Error for RtpError {}
