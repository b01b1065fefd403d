//! Bounds-checked big-endian reading and padded writing used by every codec module.

use crate::error::ParseError;

/// Rounds `n` up to the next multiple of four (SCTP chunks and parameters are 4-byte padded).
#[inline]
pub const fn pad4(n: usize) -> usize {
    (n + 3) & !3
}

/// A cursor over a byte slice whose reads fail with [`ParseError::Truncated`] instead of panicking.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// Starts reading at the beginning of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    /// Current offset from the start.
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// Bytes left to read.
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// Reads `n` bytes.
    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8], ParseError> {
        let end = self.pos.checked_add(n).ok_or(ParseError::Truncated)?;
        let s = self.buf.get(self.pos..end).ok_or(ParseError::Truncated)?;
        self.pos = end;
        Ok(s)
    }

    /// Reads one byte.
    pub fn u8(&mut self) -> Result<u8, ParseError> {
        let b = self.bytes(1)?;
        Ok(b[0])
    }

    /// Reads a big-endian `u16`.
    pub fn u16(&mut self) -> Result<u16, ParseError> {
        let b = self.bytes(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    /// Reads a big-endian `u32`.
    pub fn u32(&mut self) -> Result<u32, ParseError> {
        let b = self.bytes(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
}

/// Appends zero bytes until `out.len()` is a multiple of four.
#[inline]
pub fn pad_to4(out: &mut Vec<u8>) {
    let n = pad4(out.len()) - out.len();
    out.extend_from_slice(&[0u8; 3][..n]);
}

/// Appends a TLV header (type, length) as used by chunks' parameters and error causes.
#[inline]
pub fn put_tlv_header(out: &mut Vec<u8>, ty: u16, value_len: usize) {
    out.extend_from_slice(&ty.to_be_bytes());
    out.extend_from_slice(&((value_len + 4) as u16).to_be_bytes());
}

/// One type-length-value item (a parameter or an error cause) with its value.
#[derive(Debug, Clone, Copy)]
pub struct Tlv<'a> {
    /// The 16-bit type or cause code.
    pub ty: u16,
    /// The value, without header and padding.
    pub value: &'a [u8],
}

/// Iterates over 4-byte padded TLVs; yields an error and stops on a malformed length.
#[derive(Debug, Clone)]
pub struct TlvIter<'a> {
    buf: &'a [u8],
    failed: bool,
}

impl<'a> TlvIter<'a> {
    /// Iterates over the TLVs in `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        TlvIter { buf, failed: false }
    }
}

impl<'a> Iterator for TlvIter<'a> {
    type Item = Result<Tlv<'a>, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.buf.is_empty() {
            return None;
        }
        let mut r = Reader::new(self.buf);
        let parsed = (|| {
            let ty = r.u16()?;
            let len = r.u16()? as usize;
            if len < 4 {
                return Err(ParseError::InvalidLength);
            }
            let value = r.bytes(len - 4)?;
            Ok((Tlv { ty, value }, len))
        })();
        match parsed {
            Ok((tlv, len)) => {
                // The last item's padding may be missing; tolerate that.
                let adv = pad4(len).min(self.buf.len());
                self.buf = self.buf.get(adv..).unwrap_or(&[]);
                Some(Ok(tlv))
            }
            Err(e) => {
                self.failed = true;
                Some(Err(e))
            }
        }
    }
}
