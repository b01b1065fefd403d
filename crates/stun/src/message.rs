//! Decoding STUN messages and checking their MESSAGE-INTEGRITY and FINGERPRINT.
//!
//! # Why a borrowing decoder
//!
//! [`Message::decode`] borrows the datagram: text, DATA payloads and unknown attributes are
//! slices of the input, so relaying a TURN Data indication or reading a USERNAME copies nothing,
//! and the integrity checks run over the original bytes (which they must: a MAC covers the bytes
//! as sent, padding included). The only allocation is the attribute list, bounded by
//! [`MAX_ATTRIBUTES`]. A caller that must keep a message keeps its bytes and decodes again.

use std::net::SocketAddr;

use crate::attr::{Attribute, AttributeType, ErrorCode, TransportProtocol};
use crate::error::StunError;
use crate::header::{Class, HEADER_LEN, Header, Method, TransactionId};
use crate::integrity::{self, Mac};

/// The most attributes (counted as TLVs, including ignored ones) [`Message::decode`] accepts.
///
/// A 64 KiB message could otherwise hold 16383 empty attributes; 128 leaves room for TURN
/// CreatePermission requests with many XOR-PEER-ADDRESS attributes while bounding the work and
/// memory spent on a hostile datagram (about 128 × 40 bytes).
pub const MAX_ATTRIBUTES: usize = 128;

/// A decoded STUN message borrowing its input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message<'a> {
    raw: &'a [u8],
    header: Header,
    attributes: Vec<Attribute<'a>>,
    integrity: Option<usize>,
    integrity_sha256: Option<usize>,
    fingerprint: Option<usize>,
}

/// Where the attribute walk is relative to the integrity attributes (RFC 8489 §14.5, §14.6):
/// after MESSAGE-INTEGRITY only MESSAGE-INTEGRITY-SHA256 and FINGERPRINT count, after
/// MESSAGE-INTEGRITY-SHA256 only FINGERPRINT, and nothing may follow FINGERPRINT.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    Open,
    AfterIntegrity,
    AfterIntegritySha256,
}

impl<'a> Message<'a> {
    /// Decodes `buf`, which must hold exactly one STUN message (a UDP datagram, or one frame cut
    /// from a stream with [`crate::framing::turn_frame_len`]).
    ///
    /// Attributes after MESSAGE-INTEGRITY other than MESSAGE-INTEGRITY-SHA256 and FINGERPRINT are
    /// skipped unparsed, as RFC 8489 §14.5 requires; unknown attributes are kept as
    /// [`Attribute::Unknown`]. Any malformed known attribute fails the whole message.
    pub fn decode(buf: &'a [u8]) -> Result<Message<'a>, StunError> {
        let header = Header::parse(buf)?;
        let declared = usize::from(header.length);
        let actual = buf.len().saturating_sub(HEADER_LEN);
        if declared != actual {
            return Err(StunError::LengthMismatch { declared, actual });
        }
        let tid = header.transaction_id;
        let mut msg = Message {
            raw: buf,
            header,
            attributes: Vec::new(),
            integrity: None,
            integrity_sha256: None,
            fingerprint: None,
        };
        let mut stage = Stage::Open;
        let mut offset = HEADER_LEN;
        let mut count = 0usize;
        while offset < buf.len() {
            if msg.fingerprint.is_some() {
                return Err(StunError::AttributeAfterFingerprint);
            }
            count += 1;
            if count > MAX_ATTRIBUTES {
                return Err(StunError::TooManyAttributes {
                    limit: MAX_ATTRIBUTES,
                });
            }
            let truncated = StunError::TruncatedAttribute { offset };
            let Some(&[t0, t1, l0, l1]) = buf.get(offset..offset + 4) else {
                return Err(truncated);
            };
            let attr_type = AttributeType(u16::from_be_bytes([t0, t1]));
            let len = usize::from(u16::from_be_bytes([l0, l1]));
            let value_start = offset + 4;
            let value = buf
                .get(value_start..value_start + len)
                .ok_or(truncated.clone())?;
            let next = value_start + len.next_multiple_of(4);
            if next > buf.len() {
                return Err(truncated);
            }
            let keep = match attr_type {
                AttributeType::FINGERPRINT => {
                    msg.fingerprint = Some(offset);
                    true
                }
                AttributeType::MESSAGE_INTEGRITY if stage == Stage::Open => {
                    msg.integrity = Some(offset);
                    stage = Stage::AfterIntegrity;
                    true
                }
                AttributeType::MESSAGE_INTEGRITY_SHA256 if stage < Stage::AfterIntegritySha256 => {
                    msg.integrity_sha256 = Some(offset);
                    stage = Stage::AfterIntegritySha256;
                    true
                }
                _ => stage == Stage::Open,
            };
            if keep {
                let attr = Attribute::decode(attr_type, value, &tid)
                    .map_err(|kind| StunError::InvalidAttribute { attr_type, kind })?;
                msg.attributes.push(attr);
            }
            offset = next;
        }
        Ok(msg)
    }

    /// The whole message as received.
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// The message class.
    pub fn class(&self) -> Class {
        self.header.class
    }

    /// The message method.
    pub fn method(&self) -> Method {
        self.header.method
    }

    /// The transaction id.
    pub fn transaction_id(&self) -> TransactionId {
        self.header.transaction_id
    }

    /// The attributes in wire order, without those RFC 8489 says to ignore after
    /// MESSAGE-INTEGRITY.
    pub fn attributes(&self) -> &[Attribute<'a>] {
        &self.attributes
    }

    /// The first attribute of a type.
    pub fn get(&self, attr_type: AttributeType) -> Option<&Attribute<'a>> {
        self.attributes.iter().find(|a| a.attr_type() == attr_type)
    }

    /// All attributes of a type, in wire order.
    pub fn get_all(&self, attr_type: AttributeType) -> impl Iterator<Item = &Attribute<'a>> {
        self.attributes
            .iter()
            .filter(move |a| a.attr_type() == attr_type)
    }

    /// The comprehension-required attribute types this crate does not know (in wire order,
    /// without duplicates): a server answers a request carrying any with 420 (Unknown Attribute)
    /// and lists them in UNKNOWN-ATTRIBUTES.
    pub fn unknown_comprehension_required(&self) -> Vec<AttributeType> {
        let mut types: Vec<AttributeType> = Vec::new();
        for attr in &self.attributes {
            if let Attribute::Unknown { attr_type, .. } = attr
                && attr_type.is_comprehension_required()
                && !types.contains(attr_type)
            {
                types.push(*attr_type);
            }
        }
        types
    }

    /// USERNAME.
    pub fn username(&self) -> Option<&'a str> {
        self.attributes.iter().find_map(|a| match a {
            Attribute::Username(s) => Some(*s),
            _ => None,
        })
    }

    /// REALM.
    pub fn realm(&self) -> Option<&'a str> {
        self.attributes.iter().find_map(|a| match a {
            Attribute::Realm(s) => Some(*s),
            _ => None,
        })
    }

    /// NONCE.
    pub fn nonce(&self) -> Option<&'a str> {
        self.attributes.iter().find_map(|a| match a {
            Attribute::Nonce(s) => Some(*s),
            _ => None,
        })
    }

    /// SOFTWARE.
    pub fn software(&self) -> Option<&'a str> {
        self.attributes.iter().find_map(|a| match a {
            Attribute::Software(s) => Some(*s),
            _ => None,
        })
    }

    /// ERROR-CODE.
    pub fn error_code(&self) -> Option<ErrorCode<'a>> {
        self.attributes.iter().find_map(|a| match a {
            Attribute::ErrorCode(e) => Some(*e),
            _ => None,
        })
    }

    /// XOR-MAPPED-ADDRESS.
    pub fn xor_mapped_address(&self) -> Option<SocketAddr> {
        self.attributes.iter().find_map(|a| match a {
            Attribute::XorMappedAddress(addr) => Some(*addr),
            _ => None,
        })
    }

    /// MAPPED-ADDRESS.
    pub fn mapped_address(&self) -> Option<SocketAddr> {
        self.attributes.iter().find_map(|a| match a {
            Attribute::MappedAddress(addr) => Some(*addr),
            _ => None,
        })
    }

    /// XOR-RELAYED-ADDRESS (the first one; a dual-stack allocation has two).
    pub fn xor_relayed_address(&self) -> Option<SocketAddr> {
        self.xor_relayed_addresses().next()
    }

    /// Every XOR-RELAYED-ADDRESS.
    pub fn xor_relayed_addresses(&self) -> impl Iterator<Item = SocketAddr> + '_ {
        self.attributes.iter().filter_map(|a| match a {
            Attribute::XorRelayedAddress(addr) => Some(*addr),
            _ => None,
        })
    }

    /// Every XOR-PEER-ADDRESS (CreatePermission may carry several).
    pub fn xor_peer_addresses(&self) -> impl Iterator<Item = SocketAddr> + '_ {
        self.attributes.iter().filter_map(|a| match a {
            Attribute::XorPeerAddress(addr) => Some(*addr),
            _ => None,
        })
    }

    /// PRIORITY.
    pub fn priority(&self) -> Option<u32> {
        self.attributes.iter().find_map(|a| match a {
            Attribute::Priority(p) => Some(*p),
            _ => None,
        })
    }

    /// Whether USE-CANDIDATE is present.
    pub fn use_candidate(&self) -> bool {
        self.attributes
            .iter()
            .any(|a| matches!(a, Attribute::UseCandidate))
    }

    /// The tie-breaker of ICE-CONTROLLING.
    pub fn ice_controlling(&self) -> Option<u64> {
        self.attributes.iter().find_map(|a| match a {
            Attribute::IceControlling(t) => Some(*t),
            _ => None,
        })
    }

    /// The tie-breaker of ICE-CONTROLLED.
    pub fn ice_controlled(&self) -> Option<u64> {
        self.attributes.iter().find_map(|a| match a {
            Attribute::IceControlled(t) => Some(*t),
            _ => None,
        })
    }

    /// LIFETIME in seconds.
    pub fn lifetime(&self) -> Option<u32> {
        self.attributes.iter().find_map(|a| match a {
            Attribute::Lifetime(secs) => Some(*secs),
            _ => None,
        })
    }

    /// CHANNEL-NUMBER.
    pub fn channel_number(&self) -> Option<u16> {
        self.attributes.iter().find_map(|a| match a {
            Attribute::ChannelNumber(n) => Some(*n),
            _ => None,
        })
    }

    /// DATA.
    pub fn data(&self) -> Option<&'a [u8]> {
        self.attributes.iter().find_map(|a| match a {
            Attribute::Data(d) => Some(*d),
            _ => None,
        })
    }

    /// REQUESTED-TRANSPORT.
    pub fn requested_transport(&self) -> Option<TransportProtocol> {
        self.attributes.iter().find_map(|a| match a {
            Attribute::RequestedTransport(p) => Some(*p),
            _ => None,
        })
    }

    /// Whether the message carries MESSAGE-INTEGRITY.
    pub fn has_integrity(&self) -> bool {
        self.integrity.is_some()
    }

    /// Whether the message carries MESSAGE-INTEGRITY-SHA256.
    pub fn has_integrity_sha256(&self) -> bool {
        self.integrity_sha256.is_some()
    }

    /// Whether the message carries FINGERPRINT.
    pub fn has_fingerprint(&self) -> bool {
        self.fingerprint.is_some()
    }

    /// Checks MESSAGE-INTEGRITY (HMAC-SHA1) with `key` (see [`crate::integrity`] for the short-
    /// and long-term keys). The MAC covers the message up to the attribute, with the length
    /// field rewritten to end just after it, so attributes after it do not matter. The comparison
    /// is constant-time.
    pub fn verify_integrity(&self, key: &[u8]) -> Result<(), StunError> {
        let offset = self.integrity.ok_or(StunError::IntegrityMissing)?;
        self.verify_mac(Mac::Sha1, offset, key)
    }

    /// Checks MESSAGE-INTEGRITY-SHA256 (HMAC-SHA256, possibly truncated) with `key`.
    pub fn verify_integrity_sha256(&self, key: &[u8]) -> Result<(), StunError> {
        let offset = self.integrity_sha256.ok_or(StunError::IntegrityMissing)?;
        self.verify_mac(Mac::Sha256, offset, key)
    }

    fn verify_mac(&self, mac: Mac, offset: usize, key: &[u8]) -> Result<(), StunError> {
        let missing = StunError::IntegrityMissing;
        let Some(&[l0, l1]) = self.raw.get(offset + 2..offset + 4) else {
            return Err(missing);
        };
        let len = usize::from(u16::from_be_bytes([l0, l1]));
        let received = self
            .raw
            .get(offset + 4..offset + 4 + len)
            .ok_or(missing.clone())?;
        let adjusted = offset + 4 + len - HEADER_LEN;
        let adjusted = u16::try_from(adjusted)
            .map_err(|_| missing.clone())?
            .to_be_bytes();
        let (Some(msg_type), Some(rest)) = (self.raw.get(..2), self.raw.get(4..offset)) else {
            return Err(missing);
        };
        let computed = integrity::hmac(mac, key, &[msg_type, &adjusted, rest])?;
        if integrity::mac_matches(received, &computed) {
            Ok(())
        } else {
            Err(StunError::IntegrityMismatch)
        }
    }

    /// Checks FINGERPRINT: CRC-32 of everything before it, XOR 0x5354554E.
    pub fn verify_fingerprint(&self) -> Result<(), StunError> {
        let offset = self.fingerprint.ok_or(StunError::FingerprintMissing)?;
        let missing = StunError::FingerprintMissing;
        let covered = self.raw.get(..offset).ok_or(missing.clone())?;
        let Some(&[v0, v1, v2, v3]) = self.raw.get(offset + 4..offset + 8) else {
            return Err(missing);
        };
        let received = u32::from_be_bytes([v0, v1, v2, v3]);
        if integrity::fingerprint(&[covered]) == received {
            Ok(())
        } else {
            Err(StunError::FingerprintMismatch)
        }
    }
}
