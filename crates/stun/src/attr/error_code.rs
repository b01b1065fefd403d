//! ERROR-CODE (RFC 8489 §14.8) and UNKNOWN-ATTRIBUTES (RFC 8489 §14.13).

use crate::attr::{AttributeType, text};
use crate::error::AttributeErrorKind;

/// The ERROR-CODE attribute: a code 300..=699 (class × 100 + number) and a reason phrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorCode<'a> {
    /// The error code, 300..=699.
    pub code: u16,
    /// The reason phrase (at most 763 bytes of UTF-8).
    pub reason: &'a str,
}

impl<'a> ErrorCode<'a> {
    /// 300 Try Alternate.
    pub const TRY_ALTERNATE: u16 = 300;
    /// 400 Bad Request.
    pub const BAD_REQUEST: u16 = 400;
    /// 401 Unauthenticated.
    pub const UNAUTHENTICATED: u16 = 401;
    /// 403 Forbidden (RFC 8656).
    pub const FORBIDDEN: u16 = 403;
    /// 405 Mobility Forbidden (RFC 8016).
    pub const MOBILITY_FORBIDDEN: u16 = 405;
    /// 420 Unknown Attribute.
    pub const UNKNOWN_ATTRIBUTE: u16 = 420;
    /// 437 Allocation Mismatch (RFC 8656).
    pub const ALLOCATION_MISMATCH: u16 = 437;
    /// 438 Stale Nonce.
    pub const STALE_NONCE: u16 = 438;
    /// 440 Address Family not Supported (RFC 8656).
    pub const ADDRESS_FAMILY_NOT_SUPPORTED: u16 = 440;
    /// 441 Wrong Credentials (RFC 8656).
    pub const WRONG_CREDENTIALS: u16 = 441;
    /// 442 Unsupported Transport Protocol (RFC 8656).
    pub const UNSUPPORTED_TRANSPORT_PROTOCOL: u16 = 442;
    /// 443 Peer Address Family Mismatch (RFC 8656).
    pub const PEER_ADDRESS_FAMILY_MISMATCH: u16 = 443;
    /// 486 Allocation Quota Reached (RFC 8656).
    pub const ALLOCATION_QUOTA_REACHED: u16 = 486;
    /// 487 Role Conflict (RFC 8445).
    pub const ROLE_CONFLICT: u16 = 487;
    /// 500 Server Error.
    pub const SERVER_ERROR: u16 = 500;
    /// 508 Insufficient Capacity (RFC 8656).
    pub const INSUFFICIENT_CAPACITY: u16 = 508;

    /// An error code with its reason phrase.
    pub const fn new(code: u16, reason: &'a str) -> Self {
        Self { code, reason }
    }

    /// The class: the hundreds digit (3..=6).
    pub const fn class(&self) -> u8 {
        (self.code / 100) as u8
    }

    /// The number: the code modulo 100.
    pub const fn number(&self) -> u8 {
        (self.code % 100) as u8
    }

    /// Decodes the value: 21 reserved bits, 3-bit class, 8-bit number, reason phrase.
    pub fn decode(value: &'a [u8]) -> Result<Self, AttributeErrorKind> {
        let [_, _, class, number, reason @ ..] = value else {
            return Err(AttributeErrorKind::BadLength(value.len()));
        };
        let class = class & 0x07;
        let code = u16::from(class) * 100 + u16::from(*number);
        if !(3..=6).contains(&class) || *number > 99 {
            return Err(AttributeErrorKind::BadErrorCode(code));
        }
        Ok(Self {
            code,
            reason: text::decode(reason, text::TEXT_MAX)?,
        })
    }

    /// Appends the value.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<(), AttributeErrorKind> {
        if !(300..=699).contains(&self.code) {
            return Err(AttributeErrorKind::BadErrorCode(self.code));
        }
        out.extend_from_slice(&[0, 0, self.class(), self.number()]);
        text::encode(self.reason, text::TEXT_MAX, out)
    }
}

/// Decodes UNKNOWN-ATTRIBUTES: a list of 16-bit types. The list is bounded by the value length.
pub fn decode_unknown(value: &[u8]) -> Result<Vec<AttributeType>, AttributeErrorKind> {
    if !value.len().is_multiple_of(2) {
        return Err(AttributeErrorKind::BadLength(value.len()));
    }
    Ok(value
        .chunks_exact(2)
        .map(|pair| AttributeType(u16::from_be_bytes([pair[0], pair[1]])))
        .collect())
}

/// Appends UNKNOWN-ATTRIBUTES.
pub fn encode_unknown(types: &[AttributeType], out: &mut Vec<u8>) {
    for t in types {
        out.extend_from_slice(&t.0.to_be_bytes());
    }
}
