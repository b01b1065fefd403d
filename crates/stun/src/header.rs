//! The 20-byte STUN header (RFC 8489 §5): message type (class and method), length, magic cookie
//! and transaction id.

use std::fmt;

use crate::error::StunError;

/// The fixed magic cookie, RFC 8489 §5.
pub const MAGIC_COOKIE: u32 = 0x2112_A442;

/// Length of the STUN header in bytes.
pub const HEADER_LEN: usize = 20;

/// The class of a STUN message, RFC 8489 §5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    /// A request, answered by a success or error response.
    Request,
    /// An indication, which gets no response.
    Indication,
    /// A success response.
    SuccessResponse,
    /// An error response (carries ERROR-CODE).
    ErrorResponse,
}

impl Class {
    /// The two class bits C1 C0.
    const fn bits(self) -> u16 {
        match self {
            Self::Request => 0b00,
            Self::Indication => 0b01,
            Self::SuccessResponse => 0b10,
            Self::ErrorResponse => 0b11,
        }
    }

    const fn from_bits(bits: u16) -> Self {
        match bits & 0b11 {
            0b00 => Self::Request,
            0b01 => Self::Indication,
            0b10 => Self::SuccessResponse,
            _ => Self::ErrorResponse,
        }
    }
}

/// A STUN method: a 12-bit number (RFC 8489 §5, IANA "STUN Methods").
///
/// A newtype rather than an enum so that methods this crate has no name for still decode and
/// re-encode unchanged; the constants can be used in `match` patterns.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Method(u16);

impl Method {
    /// Binding (RFC 8489), used by ICE connectivity checks.
    pub const BINDING: Method = Method(0x001);
    /// Allocate (RFC 8656).
    pub const ALLOCATE: Method = Method(0x003);
    /// Refresh (RFC 8656).
    pub const REFRESH: Method = Method(0x004);
    /// Send (RFC 8656), indication only.
    pub const SEND: Method = Method(0x006);
    /// Data (RFC 8656), indication only.
    pub const DATA: Method = Method(0x007);
    /// CreatePermission (RFC 8656).
    pub const CREATE_PERMISSION: Method = Method(0x008);
    /// ChannelBind (RFC 8656).
    pub const CHANNEL_BIND: Method = Method(0x009);

    /// The largest method number (12 bits).
    pub const MAX: u16 = 0x0FFF;

    /// A method from its number; `None` if it does not fit in 12 bits.
    pub const fn new(value: u16) -> Option<Method> {
        if value <= Self::MAX {
            Some(Method(value))
        } else {
            None
        }
    }

    /// The method number.
    pub const fn value(self) -> u16 {
        self.0
    }

    /// The name the RFCs use, if this crate knows the method.
    pub const fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            0x001 => "Binding",
            0x003 => "Allocate",
            0x004 => "Refresh",
            0x006 => "Send",
            0x007 => "Data",
            0x008 => "CreatePermission",
            0x009 => "ChannelBind",
            _ => return None,
        })
    }
}

impl fmt::Debug for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "Method({:#05x})", self.0),
        }
    }
}

/// Combines class and method into the 14-bit message type field (RFC 8489 Figure 3: the class bits
/// C1 and C0 sit at bits 8 and 4, the method bits fill the rest).
pub const fn message_type(class: Class, method: Method) -> u16 {
    let m = method.0;
    let c = class.bits();
    (m & 0x000F) | ((m & 0x0070) << 1) | ((m & 0x0F80) << 2) | ((c & 0b01) << 4) | ((c & 0b10) << 7)
}

/// Splits a message type field into class and method. The two leading bits are ignored.
pub const fn split_message_type(value: u16) -> (Class, Method) {
    let m = (value & 0x000F) | ((value >> 1) & 0x0070) | ((value >> 2) & 0x0F80);
    let c = ((value >> 4) & 0b01) | ((value >> 7) & 0b10);
    (Class::from_bits(c), Method(m))
}

/// The 96-bit transaction id, RFC 8489 §5.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TransactionId([u8; 12]);

impl TransactionId {
    /// Length in bytes.
    pub const LEN: usize = 12;

    /// A transaction id from its bytes.
    pub const fn new(bytes: [u8; 12]) -> Self {
        Self(bytes)
    }

    /// A fresh id from OpenSSL's CSPRNG, as RFC 8489 §5 requires ("uniformly and randomly chosen").
    /// Sans-IO users that want determinism (tests, simulations) use [`TransactionId::new`] instead.
    pub fn random() -> Result<Self, StunError> {
        let mut bytes = [0u8; 12];
        openssl::rand::rand_bytes(&mut bytes)?;
        Ok(Self(bytes))
    }

    /// The id's bytes.
    pub const fn as_bytes(&self) -> &[u8; 12] {
        &self.0
    }
}

impl From<[u8; 12]> for TransactionId {
    fn from(bytes: [u8; 12]) -> Self {
        Self(bytes)
    }
}

impl fmt::Debug for TransactionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TransactionId(")?;
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        f.write_str(")")
    }
}

/// A parsed STUN header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// The message class.
    pub class: Class,
    /// The message method.
    pub method: Method,
    /// The message length field: bytes after the header, a multiple of 4.
    pub length: u16,
    /// The transaction id.
    pub transaction_id: TransactionId,
}

impl Header {
    /// Parses the first 20 bytes of `buf` (trailing bytes are not looked at): checks the leading
    /// zero bits, the magic cookie and that the length is a multiple of four.
    pub fn parse(buf: &[u8]) -> Result<Header, StunError> {
        let Some(head) = buf.get(..HEADER_LEN) else {
            return Err(StunError::TruncatedHeader { len: buf.len() });
        };
        let msg_type = u16::from_be_bytes([head[0], head[1]]);
        if msg_type & 0xC000 != 0 {
            return Err(StunError::NotStun);
        }
        let cookie = u32::from_be_bytes([head[4], head[5], head[6], head[7]]);
        if cookie != MAGIC_COOKIE {
            return Err(StunError::BadMagicCookie(cookie));
        }
        let length = u16::from_be_bytes([head[2], head[3]]);
        if length % 4 != 0 {
            return Err(StunError::UnalignedLength(length));
        }
        let mut tid = [0u8; 12];
        tid.copy_from_slice(&head[8..HEADER_LEN]);
        let (class, method) = split_message_type(msg_type);
        Ok(Header {
            class,
            method,
            length,
            transaction_id: TransactionId(tid),
        })
    }
}

/// A cheap test whether `buf` is exactly one STUN message: the two leading bits are zero, the
/// magic cookie is present, and the length field is a multiple of four and matches `buf`.
/// Attributes are not looked at.
pub fn is_stun(buf: &[u8]) -> bool {
    match Header::parse(buf) {
        Ok(header) => usize::from(header.length) + HEADER_LEN == buf.len(),
        Err(_) => false,
    }
}
