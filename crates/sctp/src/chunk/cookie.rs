//! COOKIE-ECHO and COOKIE-ACK chunks (RFC 9260 §3.3.11, §3.3.12).

use bytes::Bytes;

use crate::wire::pad_to4;

/// Chunk type of COOKIE-ECHO.
pub const TYPE_COOKIE_ECHO: u8 = 10;
/// Chunk type of COOKIE-ACK.
pub const TYPE_COOKIE_ACK: u8 = 11;

/// A COOKIE-ECHO chunk: the State Cookie received in the INIT-ACK, returned unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CookieEchoChunk {
    /// The opaque cookie.
    pub cookie: Bytes,
}

impl CookieEchoChunk {
    /// Encoded size including padding.
    pub fn encoded_len(&self) -> usize {
        crate::wire::pad4(4 + self.cookie.len())
    }

    /// Appends the chunk.
    pub fn write(&self, out: &mut Vec<u8>) {
        out.push(TYPE_COOKIE_ECHO);
        out.push(0);
        out.extend_from_slice(&((4 + self.cookie.len()) as u16).to_be_bytes());
        out.extend_from_slice(&self.cookie);
        pad_to4(out);
    }
}

/// Appends a COOKIE-ACK chunk.
pub fn write_cookie_ack(out: &mut Vec<u8>) {
    out.extend_from_slice(&[TYPE_COOKIE_ACK, 0, 0, 4]);
}
