//! UTF-8 text attributes (RFC 8489 §14.3, §14.9, §14.10, §14.14, §14.16): USERNAME, REALM, NONCE,
//! SOFTWARE and ALTERNATE-DOMAIN; also the ERROR-CODE reason phrase.
//!
//! The RFC limits REALM, NONCE, SOFTWARE and the reason phrase to fewer than 128 characters, "as
//! long as 763 bytes when decoding": this crate enforces the byte bound (763) in both directions so
//! that whatever decodes also re-encodes. USERNAME must be shorter than 513 bytes.
//!
//! No SASLprep/OpaqueString processing happens here: the bytes are the bytes.

use crate::error::AttributeErrorKind;

/// Largest USERNAME value, in bytes.
pub const USERNAME_MAX: usize = 512;

/// Largest REALM, NONCE, SOFTWARE, ALTERNATE-DOMAIN value or reason phrase, in bytes.
pub const TEXT_MAX: usize = 763;

/// Decodes a UTF-8 value of at most `max` bytes.
pub fn decode(value: &[u8], max: usize) -> Result<&str, AttributeErrorKind> {
    if value.len() > max {
        return Err(AttributeErrorKind::TooLong { max });
    }
    std::str::from_utf8(value).map_err(|_| AttributeErrorKind::InvalidUtf8)
}

/// Appends a text value of at most `max` bytes.
pub fn encode(text: &str, max: usize, out: &mut Vec<u8>) -> Result<(), AttributeErrorKind> {
    if text.len() > max {
        return Err(AttributeErrorKind::TooLong { max });
    }
    out.extend_from_slice(text.as_bytes());
    Ok(())
}
