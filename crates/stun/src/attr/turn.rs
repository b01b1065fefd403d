//! TURN attributes with reserved (RFFU) bytes (RFC 8656 §18): CHANNEL-NUMBER,
//! REQUESTED-ADDRESS-FAMILY, ADDITIONAL-ADDRESS-FAMILY, REQUESTED-TRANSPORT and EVEN-PORT.
//! Reserved bits are written as zero and ignored when read.

use crate::error::AttributeErrorKind;

/// An IANA protocol number as carried by REQUESTED-TRANSPORT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TransportProtocol(pub u8);

impl TransportProtocol {
    /// UDP (17), the only transport RFC 8656 defines allocations for.
    pub const UDP: Self = Self(17);
    /// TCP (6), for TURN-TCP allocations (RFC 6062).
    pub const TCP: Self = Self(6);
}

/// CHANNEL-NUMBER: a 16-bit channel number and 16 reserved bits.
pub fn decode_channel_number(value: &[u8]) -> Result<u16, AttributeErrorKind> {
    match value {
        [a, b, _, _] => Ok(u16::from_be_bytes([*a, *b])),
        _ => Err(AttributeErrorKind::BadLength(value.len())),
    }
}

/// Appends a CHANNEL-NUMBER value.
pub fn encode_channel_number(channel: u16, out: &mut Vec<u8>) {
    out.extend_from_slice(&channel.to_be_bytes());
    out.extend_from_slice(&[0, 0]);
}

/// One meaningful byte followed by three reserved bytes (REQUESTED-ADDRESS-FAMILY,
/// ADDITIONAL-ADDRESS-FAMILY, REQUESTED-TRANSPORT).
pub fn decode_byte_rffu(value: &[u8]) -> Result<u8, AttributeErrorKind> {
    match value {
        [b, _, _, _] => Ok(*b),
        _ => Err(AttributeErrorKind::BadLength(value.len())),
    }
}

/// Appends one byte and three zero reserved bytes.
pub fn encode_byte_rffu(byte: u8, out: &mut Vec<u8>) {
    out.extend_from_slice(&[byte, 0, 0, 0]);
}

/// EVEN-PORT: a single byte whose top bit is R (reserve the next-higher port too).
pub fn decode_even_port(value: &[u8]) -> Result<bool, AttributeErrorKind> {
    match value {
        [flags] => Ok(flags & 0x80 != 0),
        _ => Err(AttributeErrorKind::BadLength(value.len())),
    }
}

/// Appends an EVEN-PORT value.
pub fn encode_even_port(reserve_next: bool, out: &mut Vec<u8>) {
    out.push(if reserve_next { 0x80 } else { 0 });
}
