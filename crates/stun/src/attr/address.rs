//! Address attributes (RFC 8489 §14.1, §14.2, §14.15; RFC 8656 §18.3, §18.5): MAPPED-ADDRESS and
//! ALTERNATE-SERVER carry the address in the clear; XOR-MAPPED-ADDRESS, XOR-PEER-ADDRESS and
//! XOR-RELAYED-ADDRESS XOR it with the magic cookie (and, for IPv6, the transaction id).
//!
//! Value layout: one reserved byte, the family (0x01 IPv4, 0x02 IPv6), the 16-bit port, then 4 or
//! 16 address bytes.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use crate::error::AttributeErrorKind;
use crate::header::{MAGIC_COOKIE, TransactionId};

/// An address family code as used by the address attributes and REQUESTED-ADDRESS-FAMILY.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddressFamily {
    /// IPv4, code 0x01.
    Ipv4,
    /// IPv6, code 0x02.
    Ipv6,
}

impl AddressFamily {
    /// The wire code.
    pub const fn code(self) -> u8 {
        match self {
            Self::Ipv4 => 0x01,
            Self::Ipv6 => 0x02,
        }
    }

    /// The family for a wire code, `None` for codes no RFC assigns.
    pub const fn from_code(code: u8) -> Option<Self> {
        match code {
            0x01 => Some(Self::Ipv4),
            0x02 => Some(Self::Ipv6),
            _ => None,
        }
    }

    /// The family of an address.
    pub const fn of(addr: &SocketAddr) -> Self {
        match addr {
            SocketAddr::V4(_) => Self::Ipv4,
            SocketAddr::V6(_) => Self::Ipv6,
        }
    }
}

/// The 16 bytes IPv6 addresses are XORed with: magic cookie then transaction id.
fn xor_key(transaction_id: &TransactionId) -> [u8; 16] {
    let mut key = [0u8; 16];
    key[..4].copy_from_slice(&MAGIC_COOKIE.to_be_bytes());
    key[4..].copy_from_slice(transaction_id.as_bytes());
    key
}

/// Decodes a clear address value.
pub fn decode(value: &[u8]) -> Result<SocketAddr, AttributeErrorKind> {
    let (family, port, addr) = split(value)?;
    let ip = match (family, addr.len()) {
        (AddressFamily::Ipv4, 4) => IpAddr::V4(Ipv4Addr::new(addr[0], addr[1], addr[2], addr[3])),
        (AddressFamily::Ipv6, 16) => {
            let mut octets = [0u8; 16];
            octets.copy_from_slice(addr);
            IpAddr::V6(Ipv6Addr::from(octets))
        }
        _ => return Err(AttributeErrorKind::BadLength(value.len())),
    };
    Ok(SocketAddr::new(ip, port))
}

/// Decodes an XOR-obfuscated address value.
pub fn decode_xor(
    value: &[u8],
    transaction_id: &TransactionId,
) -> Result<SocketAddr, AttributeErrorKind> {
    let clear = decode(value)?;
    Ok(apply_xor(clear, transaction_id))
}

/// The XOR is its own inverse: the same function obfuscates and recovers.
fn apply_xor(addr: SocketAddr, transaction_id: &TransactionId) -> SocketAddr {
    let key = xor_key(transaction_id);
    let port = addr.port() ^ u16::from_be_bytes([key[0], key[1]]);
    let ip = match addr.ip() {
        IpAddr::V4(v4) => {
            let mut o = v4.octets();
            for (b, k) in o.iter_mut().zip(key.iter()) {
                *b ^= k;
            }
            IpAddr::V4(Ipv4Addr::from(o))
        }
        IpAddr::V6(v6) => {
            let mut o = v6.octets();
            for (b, k) in o.iter_mut().zip(key.iter()) {
                *b ^= k;
            }
            IpAddr::V6(Ipv6Addr::from(o))
        }
    };
    SocketAddr::new(ip, port)
}

/// Splits a value into family, port and address bytes.
fn split(value: &[u8]) -> Result<(AddressFamily, u16, &[u8]), AttributeErrorKind> {
    let [_reserved, family, p0, p1, addr @ ..] = value else {
        return Err(AttributeErrorKind::BadLength(value.len()));
    };
    let family = AddressFamily::from_code(*family)
        .ok_or(AttributeErrorKind::UnknownAddressFamily(*family))?;
    Ok((family, u16::from_be_bytes([*p0, *p1]), addr))
}

/// Appends a clear address value. IPv6 flow info and scope id are not carried.
pub fn encode(addr: &SocketAddr, out: &mut Vec<u8>) {
    out.push(0);
    out.push(AddressFamily::of(addr).code());
    out.extend_from_slice(&addr.port().to_be_bytes());
    match addr.ip() {
        IpAddr::V4(v4) => out.extend_from_slice(&v4.octets()),
        IpAddr::V6(v6) => out.extend_from_slice(&v6.octets()),
    }
}

/// Appends an XOR-obfuscated address value.
pub fn encode_xor(addr: &SocketAddr, transaction_id: &TransactionId, out: &mut Vec<u8>) {
    encode(&apply_xor(*addr, transaction_id), out);
}
