//! Multicast DNS (RFC 6762) for the host names of remote mDNS candidates.
//!
//! Browsers hide their local addresses behind random `<uuid>.local` names
//! (draft-ietf-mmusic-mdns-ice-candidates). To use such a candidate, the caller resolves the
//! name with a one-shot mDNS query (RFC 6762 §5.1) and hands the agent an IP candidate.
//!
//! Sans-IO like the rest of the crate: [`MdnsQuery`] encodes a query for the A and AAAA records
//! of a name and picks its addresses out of response datagrams; [`Lookup`] adds the timing (send,
//! retransmit, give up). The caller owns the socket: it sends to [`MDNS_IPV4`] / [`MDNS_IPV6`]
//! port [`MDNS_PORT`] and feeds back what arrives. Parsing is bounded (names of 255 bytes, 16
//! compression pointers, [`MAX_RECORDS`] records) and returns [`MdnsError`] on bad input.

mod lookup;
mod message;
mod name;

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

pub use lookup::{Lookup, LookupState};
pub use message::{
    MAX_RECORDS, MdnsQuery, Message, Question, Record, RecordData, TYPE_A, TYPE_AAAA,
    encode_response,
};
pub use name::is_mdns_hostname;

/// The mDNS port (RFC 6762 §3).
pub const MDNS_PORT: u16 = 5353;
/// The IPv4 mDNS group, 224.0.0.251 (RFC 6762 §3).
pub const MDNS_IPV4: Ipv4Addr = Ipv4Addr::new(224, 0, 0, 251);
/// The IPv6 mDNS group, ff02::fb (RFC 6762 §3).
pub const MDNS_IPV6: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 0xfb);

/// Why an mDNS message or name was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MdnsError {
    /// The message ends inside a header, name or record.
    Truncated,
    /// A label is empty, longer than 63 bytes, contains a dot, or uses a reserved length form.
    BadLabel,
    /// A name is longer than 255 bytes on the wire.
    NameTooLong,
    /// A name follows more than 16 compression pointers (a loop, or an attack).
    TooManyPointers,
    /// An A or AAAA record whose data is not 4 or 16 bytes.
    BadRecordLength,
    /// The name to resolve is not under `.local`.
    NotLocal,
}

impl fmt::Display for MdnsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MdnsError::Truncated => "truncated mDNS message",
            MdnsError::BadLabel => "bad DNS label",
            MdnsError::NameTooLong => "DNS name longer than 255 bytes",
            MdnsError::TooManyPointers => "too many DNS compression pointers",
            MdnsError::BadRecordLength => "A/AAAA record of the wrong length",
            MdnsError::NotLocal => "not a .local name",
        })
    }
}

impl std::error::Error for MdnsError {}
