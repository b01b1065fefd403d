//! I-DATA chunk (RFC 8260 §2.1): DATA with a 32-bit message identifier and fragment numbers.

use bytes::Bytes;

use crate::error::ParseError;
use crate::wire::{Reader, pad_to4, pad4};

use super::data::{FLAG_B, FLAG_E, FLAG_I, FLAG_U};

/// Chunk type of I-DATA.
pub const TYPE: u8 = 0x40;
/// Size of the chunk header plus the fixed I-DATA fields.
pub const HEADER_LEN: usize = 20;

/// An I-DATA chunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IDataChunk {
    /// Transmission sequence number.
    pub tsn: u32,
    /// Stream identifier.
    pub stream_id: u16,
    /// Message identifier.
    pub mid: u32,
    /// PPID when `beginning`, otherwise the fragment sequence number (FSN).
    pub ppid_or_fsn: u32,
    /// U bit.
    pub unordered: bool,
    /// B bit.
    pub beginning: bool,
    /// E bit.
    pub ending: bool,
    /// I bit.
    pub immediate: bool,
    /// The user data fragment.
    pub payload: Bytes,
}

impl IDataChunk {
    /// Parses the chunk value (after the chunk header).
    pub fn parse(flags: u8, value: &Bytes) -> Result<Self, ParseError> {
        let mut r = Reader::new(value);
        let tsn = r.u32()?;
        let stream_id = r.u16()?;
        let _reserved = r.u16()?;
        let mid = r.u32()?;
        let ppid_or_fsn = r.u32()?;
        if r.remaining() == 0 {
            return Err(ParseError::NoUserData);
        }
        Ok(IDataChunk {
            tsn,
            stream_id,
            mid,
            ppid_or_fsn,
            unordered: flags & FLAG_U != 0,
            beginning: flags & FLAG_B != 0,
            ending: flags & FLAG_E != 0,
            immediate: flags & FLAG_I != 0,
            payload: value.slice(16..),
        })
    }

    /// Encoded size including padding.
    pub fn encoded_len(&self) -> usize {
        pad4(HEADER_LEN + self.payload.len())
    }

    /// Appends the padded chunk to `out`.
    pub fn write(&self, out: &mut Vec<u8>) {
        write_idata(
            out,
            self.flags(),
            self.tsn,
            self.stream_id,
            self.mid,
            self.ppid_or_fsn,
            &self.payload,
        );
    }

    /// The chunk flags byte.
    pub fn flags(&self) -> u8 {
        let mut flags = 0;
        if self.immediate {
            flags |= FLAG_I;
        }
        if self.unordered {
            flags |= FLAG_U;
        }
        if self.beginning {
            flags |= FLAG_B;
        }
        if self.ending {
            flags |= FLAG_E;
        }
        flags
    }
}

/// Appends an I-DATA chunk from its fields (the send hot path).
#[inline]
pub fn write_idata(
    out: &mut Vec<u8>,
    flags: u8,
    tsn: u32,
    stream_id: u16,
    mid: u32,
    ppid_or_fsn: u32,
    payload: &[u8],
) {
    out.push(TYPE);
    out.push(flags);
    out.extend_from_slice(&((HEADER_LEN + payload.len()) as u16).to_be_bytes());
    out.extend_from_slice(&tsn.to_be_bytes());
    out.extend_from_slice(&stream_id.to_be_bytes());
    out.extend_from_slice(&0u16.to_be_bytes());
    out.extend_from_slice(&mid.to_be_bytes());
    out.extend_from_slice(&ppid_or_fsn.to_be_bytes());
    out.extend_from_slice(payload);
    pad_to4(out);
}
