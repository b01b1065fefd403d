//! STUN attributes: the type registry and the typed [`Attribute`] value, one submodule per family.
//!
//! | family      | module          | attributes                                                        |
//! |-------------|-----------------|-------------------------------------------------------------------|
//! | addresses   | [`address`]     | MAPPED-ADDRESS, XOR-MAPPED-ADDRESS, ALTERNATE-SERVER, XOR-PEER-ADDRESS, XOR-RELAYED-ADDRESS |
//! | text        | [`text`]        | USERNAME, REALM, NONCE, SOFTWARE, ALTERNATE-DOMAIN                |
//! | errors      | [`error_code`]  | ERROR-CODE, UNKNOWN-ATTRIBUTES                                    |
//! | security    | [`security`]    | MESSAGE-INTEGRITY(-SHA256), FINGERPRINT, USERHASH, PASSWORD-ALGORITHM(S) |
//! | TURN        | [`turn`]        | CHANNEL-NUMBER, REQUESTED-ADDRESS-FAMILY, EVEN-PORT, REQUESTED-TRANSPORT, ADDITIONAL-ADDRESS-FAMILY |
//!
//! Fixed-size integers, flags and opaque bytes need no module of their own and are handled in
//! [`Attribute::decode`]: PRIORITY (u32), USE-CANDIDATE (empty), ICE-CONTROLLED and
//! ICE-CONTROLLING (u64 tie-breaker) from RFC 8445; LIFETIME (u32), DATA (bytes), DONT-FRAGMENT
//! (empty) and RESERVATION-TOKEN (8 bytes) from RFC 8656.

use std::fmt;
use std::net::SocketAddr;

use crate::error::AttributeErrorKind;
use crate::header::TransactionId;

pub mod address;
pub mod error_code;
pub mod security;
pub mod text;
pub mod turn;

pub use address::AddressFamily;
pub use error_code::ErrorCode;
pub use security::{PasswordAlgorithm, PasswordAlgorithmValue};
pub use turn::TransportProtocol;

/// A STUN attribute type (IANA "STUN Attributes").
///
/// Types below 0x8000 are comprehension-required: an agent that does not understand one must
/// reject the request with 420 (Unknown Attribute). Types from 0x8000 up are
/// comprehension-optional and may be ignored.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AttributeType(pub u16);

impl AttributeType {
    /// MAPPED-ADDRESS (RFC 8489 §14.1).
    pub const MAPPED_ADDRESS: Self = Self(0x0001);
    /// USERNAME (RFC 8489 §14.3).
    pub const USERNAME: Self = Self(0x0006);
    /// MESSAGE-INTEGRITY (RFC 8489 §14.5).
    pub const MESSAGE_INTEGRITY: Self = Self(0x0008);
    /// ERROR-CODE (RFC 8489 §14.8).
    pub const ERROR_CODE: Self = Self(0x0009);
    /// UNKNOWN-ATTRIBUTES (RFC 8489 §14.13).
    pub const UNKNOWN_ATTRIBUTES: Self = Self(0x000A);
    /// CHANNEL-NUMBER (RFC 8656 §18.1).
    pub const CHANNEL_NUMBER: Self = Self(0x000C);
    /// LIFETIME (RFC 8656 §18.2).
    pub const LIFETIME: Self = Self(0x000D);
    /// XOR-PEER-ADDRESS (RFC 8656 §18.3).
    pub const XOR_PEER_ADDRESS: Self = Self(0x0012);
    /// DATA (RFC 8656 §18.4).
    pub const DATA: Self = Self(0x0013);
    /// REALM (RFC 8489 §14.9).
    pub const REALM: Self = Self(0x0014);
    /// NONCE (RFC 8489 §14.10).
    pub const NONCE: Self = Self(0x0015);
    /// XOR-RELAYED-ADDRESS (RFC 8656 §18.5).
    pub const XOR_RELAYED_ADDRESS: Self = Self(0x0016);
    /// REQUESTED-ADDRESS-FAMILY (RFC 8656 §18.6).
    pub const REQUESTED_ADDRESS_FAMILY: Self = Self(0x0017);
    /// EVEN-PORT (RFC 8656 §18.7).
    pub const EVEN_PORT: Self = Self(0x0018);
    /// REQUESTED-TRANSPORT (RFC 8656 §18.8).
    pub const REQUESTED_TRANSPORT: Self = Self(0x0019);
    /// DONT-FRAGMENT (RFC 8656 §18.9).
    pub const DONT_FRAGMENT: Self = Self(0x001A);
    /// MESSAGE-INTEGRITY-SHA256 (RFC 8489 §14.6).
    pub const MESSAGE_INTEGRITY_SHA256: Self = Self(0x001C);
    /// PASSWORD-ALGORITHM (RFC 8489 §14.12).
    pub const PASSWORD_ALGORITHM: Self = Self(0x001D);
    /// USERHASH (RFC 8489 §14.4).
    pub const USERHASH: Self = Self(0x001E);
    /// XOR-MAPPED-ADDRESS (RFC 8489 §14.2).
    pub const XOR_MAPPED_ADDRESS: Self = Self(0x0020);
    /// RESERVATION-TOKEN (RFC 8656 §18.10).
    pub const RESERVATION_TOKEN: Self = Self(0x0022);
    /// PRIORITY (RFC 8445 §16.1).
    pub const PRIORITY: Self = Self(0x0024);
    /// USE-CANDIDATE (RFC 8445 §16.1).
    pub const USE_CANDIDATE: Self = Self(0x0025);
    /// ADDITIONAL-ADDRESS-FAMILY (RFC 8656 §18.11).
    pub const ADDITIONAL_ADDRESS_FAMILY: Self = Self(0x8000);
    /// PASSWORD-ALGORITHMS (RFC 8489 §14.11).
    pub const PASSWORD_ALGORITHMS: Self = Self(0x8002);
    /// ALTERNATE-DOMAIN (RFC 8489 §14.16).
    pub const ALTERNATE_DOMAIN: Self = Self(0x8003);
    /// SOFTWARE (RFC 8489 §14.14).
    pub const SOFTWARE: Self = Self(0x8022);
    /// ALTERNATE-SERVER (RFC 8489 §14.15).
    pub const ALTERNATE_SERVER: Self = Self(0x8023);
    /// FINGERPRINT (RFC 8489 §14.7).
    pub const FINGERPRINT: Self = Self(0x8028);
    /// ICE-CONTROLLED (RFC 8445 §16.1).
    pub const ICE_CONTROLLED: Self = Self(0x8029);
    /// ICE-CONTROLLING (RFC 8445 §16.1).
    pub const ICE_CONTROLLING: Self = Self(0x802A);

    /// Whether an agent that does not understand this attribute must reject the message
    /// (types 0x0000..=0x7FFF).
    pub const fn is_comprehension_required(self) -> bool {
        self.0 < 0x8000
    }

    /// The attribute's name as the RFCs spell it, if this crate knows it.
    pub const fn name(self) -> Option<&'static str> {
        Some(match self {
            Self::MAPPED_ADDRESS => "MAPPED-ADDRESS",
            Self::USERNAME => "USERNAME",
            Self::MESSAGE_INTEGRITY => "MESSAGE-INTEGRITY",
            Self::ERROR_CODE => "ERROR-CODE",
            Self::UNKNOWN_ATTRIBUTES => "UNKNOWN-ATTRIBUTES",
            Self::CHANNEL_NUMBER => "CHANNEL-NUMBER",
            Self::LIFETIME => "LIFETIME",
            Self::XOR_PEER_ADDRESS => "XOR-PEER-ADDRESS",
            Self::DATA => "DATA",
            Self::REALM => "REALM",
            Self::NONCE => "NONCE",
            Self::XOR_RELAYED_ADDRESS => "XOR-RELAYED-ADDRESS",
            Self::REQUESTED_ADDRESS_FAMILY => "REQUESTED-ADDRESS-FAMILY",
            Self::EVEN_PORT => "EVEN-PORT",
            Self::REQUESTED_TRANSPORT => "REQUESTED-TRANSPORT",
            Self::DONT_FRAGMENT => "DONT-FRAGMENT",
            Self::MESSAGE_INTEGRITY_SHA256 => "MESSAGE-INTEGRITY-SHA256",
            Self::PASSWORD_ALGORITHM => "PASSWORD-ALGORITHM",
            Self::USERHASH => "USERHASH",
            Self::XOR_MAPPED_ADDRESS => "XOR-MAPPED-ADDRESS",
            Self::RESERVATION_TOKEN => "RESERVATION-TOKEN",
            Self::PRIORITY => "PRIORITY",
            Self::USE_CANDIDATE => "USE-CANDIDATE",
            Self::ADDITIONAL_ADDRESS_FAMILY => "ADDITIONAL-ADDRESS-FAMILY",
            Self::PASSWORD_ALGORITHMS => "PASSWORD-ALGORITHMS",
            Self::ALTERNATE_DOMAIN => "ALTERNATE-DOMAIN",
            Self::SOFTWARE => "SOFTWARE",
            Self::ALTERNATE_SERVER => "ALTERNATE-SERVER",
            Self::FINGERPRINT => "FINGERPRINT",
            Self::ICE_CONTROLLED => "ICE-CONTROLLED",
            Self::ICE_CONTROLLING => "ICE-CONTROLLING",
            _ => return None,
        })
    }
}

impl fmt::Debug for AttributeType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "AttributeType({:#06x})", self.0),
        }
    }
}

/// One decoded STUN attribute. Text and byte values borrow from the message buffer.
///
/// Every variant round-trips: [`Attribute::decode`] of what [`Attribute::encode_value`] wrote gives
/// the same value back (reserved bits are written as zero and ignored on decode).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attribute<'a> {
    /// MAPPED-ADDRESS: the reflexive address, not obfuscated (RFC 3489 compatibility).
    MappedAddress(SocketAddr),
    /// XOR-MAPPED-ADDRESS: the reflexive transport address.
    XorMappedAddress(SocketAddr),
    /// ALTERNATE-SERVER: the server to retry with after a 300 (Try Alternate).
    AlternateServer(SocketAddr),
    /// XOR-PEER-ADDRESS: a peer address of a TURN permission, channel or Send/Data indication.
    XorPeerAddress(SocketAddr),
    /// XOR-RELAYED-ADDRESS: the relayed address a TURN server allocated.
    XorRelayedAddress(SocketAddr),
    /// USERNAME (at most 512 bytes).
    Username(&'a str),
    /// REALM (at most 763 bytes).
    Realm(&'a str),
    /// NONCE (at most 763 bytes).
    Nonce(&'a str),
    /// SOFTWARE (at most 763 bytes).
    Software(&'a str),
    /// ALTERNATE-DOMAIN: the domain name of ALTERNATE-SERVER, for certificate checks.
    AlternateDomain(&'a str),
    /// ERROR-CODE: code 300..=699 and a reason phrase.
    ErrorCode(ErrorCode<'a>),
    /// UNKNOWN-ATTRIBUTES: the comprehension-required types a 420 response rejects.
    UnknownAttributes(Vec<AttributeType>),
    /// MESSAGE-INTEGRITY: HMAC-SHA1 over the message up to this attribute.
    MessageIntegrity([u8; 20]),
    /// MESSAGE-INTEGRITY-SHA256: HMAC-SHA256, possibly truncated to 16..=32 bytes (multiple of 4).
    MessageIntegritySha256(&'a [u8]),
    /// FINGERPRINT: CRC-32 of the message XOR 0x5354554E.
    Fingerprint(u32),
    /// USERHASH: SHA-256(username ":" realm), for username anonymity.
    Userhash([u8; 32]),
    /// PASSWORD-ALGORITHM: the algorithm the client chose.
    PasswordAlgorithm(PasswordAlgorithmValue<'a>),
    /// PASSWORD-ALGORITHMS: the algorithms the server offers.
    PasswordAlgorithms(Vec<PasswordAlgorithmValue<'a>>),
    /// PRIORITY: the priority of the peer-reflexive candidate the check would create.
    Priority(u32),
    /// USE-CANDIDATE: the controlling agent nominates this pair.
    UseCandidate,
    /// ICE-CONTROLLED with its tie-breaker.
    IceControlled(u64),
    /// ICE-CONTROLLING with its tie-breaker.
    IceControlling(u64),
    /// CHANNEL-NUMBER (any 16-bit value; see [`crate::channel_data::is_valid_channel_number`]).
    ChannelNumber(u16),
    /// LIFETIME in seconds.
    Lifetime(u32),
    /// DATA: the application payload of a Send or Data indication.
    Data(&'a [u8]),
    /// REQUESTED-ADDRESS-FAMILY: the raw family code, so a server can answer 440 for unknown ones
    /// (see [`AddressFamily::from_code`]).
    RequestedAddressFamily(u8),
    /// ADDITIONAL-ADDRESS-FAMILY: the raw family code (RFC 8656 §18.11).
    AdditionalAddressFamily(u8),
    /// EVEN-PORT: whether the server should also reserve the next-higher port.
    EvenPort {
        /// The R bit.
        reserve_next: bool,
    },
    /// REQUESTED-TRANSPORT: the IANA protocol number (17 = UDP).
    RequestedTransport(TransportProtocol),
    /// DONT-FRAGMENT: set the DF bit on relayed packets.
    DontFragment,
    /// RESERVATION-TOKEN: a token for a port reserved by a previous EVEN-PORT allocation.
    ReservationToken([u8; 8]),
    /// Any attribute this crate has no type for, kept as raw bytes.
    Unknown {
        /// The attribute type.
        attr_type: AttributeType,
        /// The value, without padding.
        value: &'a [u8],
    },
}

impl<'a> Attribute<'a> {
    /// The attribute's type.
    pub fn attr_type(&self) -> AttributeType {
        match self {
            Self::MappedAddress(_) => AttributeType::MAPPED_ADDRESS,
            Self::XorMappedAddress(_) => AttributeType::XOR_MAPPED_ADDRESS,
            Self::AlternateServer(_) => AttributeType::ALTERNATE_SERVER,
            Self::XorPeerAddress(_) => AttributeType::XOR_PEER_ADDRESS,
            Self::XorRelayedAddress(_) => AttributeType::XOR_RELAYED_ADDRESS,
            Self::Username(_) => AttributeType::USERNAME,
            Self::Realm(_) => AttributeType::REALM,
            Self::Nonce(_) => AttributeType::NONCE,
            Self::Software(_) => AttributeType::SOFTWARE,
            Self::AlternateDomain(_) => AttributeType::ALTERNATE_DOMAIN,
            Self::ErrorCode(_) => AttributeType::ERROR_CODE,
            Self::UnknownAttributes(_) => AttributeType::UNKNOWN_ATTRIBUTES,
            Self::MessageIntegrity(_) => AttributeType::MESSAGE_INTEGRITY,
            Self::MessageIntegritySha256(_) => AttributeType::MESSAGE_INTEGRITY_SHA256,
            Self::Fingerprint(_) => AttributeType::FINGERPRINT,
            Self::Userhash(_) => AttributeType::USERHASH,
            Self::PasswordAlgorithm(_) => AttributeType::PASSWORD_ALGORITHM,
            Self::PasswordAlgorithms(_) => AttributeType::PASSWORD_ALGORITHMS,
            Self::Priority(_) => AttributeType::PRIORITY,
            Self::UseCandidate => AttributeType::USE_CANDIDATE,
            Self::IceControlled(_) => AttributeType::ICE_CONTROLLED,
            Self::IceControlling(_) => AttributeType::ICE_CONTROLLING,
            Self::ChannelNumber(_) => AttributeType::CHANNEL_NUMBER,
            Self::Lifetime(_) => AttributeType::LIFETIME,
            Self::Data(_) => AttributeType::DATA,
            Self::RequestedAddressFamily(_) => AttributeType::REQUESTED_ADDRESS_FAMILY,
            Self::AdditionalAddressFamily(_) => AttributeType::ADDITIONAL_ADDRESS_FAMILY,
            Self::EvenPort { .. } => AttributeType::EVEN_PORT,
            Self::RequestedTransport(_) => AttributeType::REQUESTED_TRANSPORT,
            Self::DontFragment => AttributeType::DONT_FRAGMENT,
            Self::ReservationToken(_) => AttributeType::RESERVATION_TOKEN,
            Self::Unknown { attr_type, .. } => *attr_type,
        }
    }

    /// Decodes one attribute value (without padding). The transaction id is needed to undo the
    /// XOR of the XOR-*-ADDRESS attributes. Unknown types become [`Attribute::Unknown`].
    pub fn decode(
        attr_type: AttributeType,
        value: &'a [u8],
        transaction_id: &TransactionId,
    ) -> Result<Attribute<'a>, AttributeErrorKind> {
        use AttributeType as T;
        Ok(match attr_type {
            T::MAPPED_ADDRESS => Self::MappedAddress(address::decode(value)?),
            T::ALTERNATE_SERVER => Self::AlternateServer(address::decode(value)?),
            T::XOR_MAPPED_ADDRESS => {
                Self::XorMappedAddress(address::decode_xor(value, transaction_id)?)
            }
            T::XOR_PEER_ADDRESS => {
                Self::XorPeerAddress(address::decode_xor(value, transaction_id)?)
            }
            T::XOR_RELAYED_ADDRESS => {
                Self::XorRelayedAddress(address::decode_xor(value, transaction_id)?)
            }
            T::USERNAME => Self::Username(text::decode(value, text::USERNAME_MAX)?),
            T::REALM => Self::Realm(text::decode(value, text::TEXT_MAX)?),
            T::NONCE => Self::Nonce(text::decode(value, text::TEXT_MAX)?),
            T::SOFTWARE => Self::Software(text::decode(value, text::TEXT_MAX)?),
            T::ALTERNATE_DOMAIN => Self::AlternateDomain(text::decode(value, text::TEXT_MAX)?),
            T::ERROR_CODE => Self::ErrorCode(ErrorCode::decode(value)?),
            T::UNKNOWN_ATTRIBUTES => Self::UnknownAttributes(error_code::decode_unknown(value)?),
            T::MESSAGE_INTEGRITY => Self::MessageIntegrity(fixed(value)?),
            T::MESSAGE_INTEGRITY_SHA256 => {
                Self::MessageIntegritySha256(security::check_sha256_len(value)?)
            }
            T::FINGERPRINT => Self::Fingerprint(u32::from_be_bytes(fixed(value)?)),
            T::USERHASH => Self::Userhash(fixed(value)?),
            T::PASSWORD_ALGORITHM => {
                Self::PasswordAlgorithm(PasswordAlgorithmValue::decode_single(value)?)
            }
            T::PASSWORD_ALGORITHMS => {
                Self::PasswordAlgorithms(PasswordAlgorithmValue::decode_list(value)?)
            }
            T::PRIORITY => Self::Priority(u32::from_be_bytes(fixed(value)?)),
            T::USE_CANDIDATE => {
                empty(value)?;
                Self::UseCandidate
            }
            T::ICE_CONTROLLED => Self::IceControlled(u64::from_be_bytes(fixed(value)?)),
            T::ICE_CONTROLLING => Self::IceControlling(u64::from_be_bytes(fixed(value)?)),
            T::CHANNEL_NUMBER => Self::ChannelNumber(turn::decode_channel_number(value)?),
            T::LIFETIME => Self::Lifetime(u32::from_be_bytes(fixed(value)?)),
            T::DATA => Self::Data(value),
            T::REQUESTED_ADDRESS_FAMILY => {
                Self::RequestedAddressFamily(turn::decode_byte_rffu(value)?)
            }
            T::ADDITIONAL_ADDRESS_FAMILY => {
                Self::AdditionalAddressFamily(turn::decode_byte_rffu(value)?)
            }
            T::EVEN_PORT => Self::EvenPort {
                reserve_next: turn::decode_even_port(value)?,
            },
            T::REQUESTED_TRANSPORT => {
                Self::RequestedTransport(TransportProtocol(turn::decode_byte_rffu(value)?))
            }
            T::DONT_FRAGMENT => {
                empty(value)?;
                Self::DontFragment
            }
            T::RESERVATION_TOKEN => Self::ReservationToken(fixed(value)?),
            _ => Self::Unknown { attr_type, value },
        })
    }

    /// Appends this attribute's value (without header or padding) to `out`. Fails if the value
    /// breaks a limit of the RFCs (text too long, error code out of range, bad MESSAGE-INTEGRITY-SHA256
    /// length); `out` may then hold a partial value.
    pub fn encode_value(
        &self,
        transaction_id: &TransactionId,
        out: &mut Vec<u8>,
    ) -> Result<(), AttributeErrorKind> {
        match self {
            Self::MappedAddress(addr) | Self::AlternateServer(addr) => address::encode(addr, out),
            Self::XorMappedAddress(addr)
            | Self::XorPeerAddress(addr)
            | Self::XorRelayedAddress(addr) => address::encode_xor(addr, transaction_id, out),
            Self::Username(s) => text::encode(s, text::USERNAME_MAX, out)?,
            Self::Realm(s) | Self::Nonce(s) | Self::Software(s) | Self::AlternateDomain(s) => {
                text::encode(s, text::TEXT_MAX, out)?
            }
            Self::ErrorCode(code) => code.encode(out)?,
            Self::UnknownAttributes(types) => error_code::encode_unknown(types, out),
            Self::MessageIntegrity(mac) => out.extend_from_slice(mac),
            Self::MessageIntegritySha256(mac) => {
                out.extend_from_slice(security::check_sha256_len(mac)?)
            }
            Self::Fingerprint(crc) => out.extend_from_slice(&crc.to_be_bytes()),
            Self::Userhash(hash) => out.extend_from_slice(hash),
            Self::PasswordAlgorithm(alg) => alg.encode(out)?,
            Self::PasswordAlgorithms(algs) => {
                for alg in algs {
                    alg.encode(out)?;
                }
            }
            Self::Priority(p) => out.extend_from_slice(&p.to_be_bytes()),
            Self::UseCandidate | Self::DontFragment => {}
            Self::IceControlled(t) | Self::IceControlling(t) => {
                out.extend_from_slice(&t.to_be_bytes())
            }
            Self::ChannelNumber(n) => turn::encode_channel_number(*n, out),
            Self::Lifetime(secs) => out.extend_from_slice(&secs.to_be_bytes()),
            Self::Data(data) => out.extend_from_slice(data),
            Self::RequestedAddressFamily(code) | Self::AdditionalAddressFamily(code) => {
                turn::encode_byte_rffu(*code, out)
            }
            Self::EvenPort { reserve_next } => turn::encode_even_port(*reserve_next, out),
            Self::RequestedTransport(proto) => turn::encode_byte_rffu(proto.0, out),
            Self::ReservationToken(token) => out.extend_from_slice(token),
            Self::Unknown { value, .. } => out.extend_from_slice(value),
        }
        Ok(())
    }
}

/// A value of exactly `N` bytes.
pub(crate) fn fixed<const N: usize>(value: &[u8]) -> Result<[u8; N], AttributeErrorKind> {
    value
        .try_into()
        .map_err(|_| AttributeErrorKind::BadLength(value.len()))
}

/// An empty value (flag attributes).
fn empty(value: &[u8]) -> Result<(), AttributeErrorKind> {
    if value.is_empty() {
        Ok(())
    } else {
        Err(AttributeErrorKind::BadLength(value.len()))
    }
}
