//! DATA chunk (RFC 9260 §3.3.1), with the I bit of RFC 7053.

use bytes::Bytes;

use crate::error::ParseError;
use crate::wire::{Reader, pad_to4};

/// Chunk type of DATA.
pub const TYPE: u8 = 0;
/// Flag: the sender asks for an immediate SACK (RFC 7053).
pub const FLAG_I: u8 = 0x08;
/// Flag: unordered delivery.
pub const FLAG_U: u8 = 0x04;
/// Flag: first fragment of a user message.
pub const FLAG_B: u8 = 0x02;
/// Flag: last fragment of a user message.
pub const FLAG_E: u8 = 0x01;
/// Size of the chunk header plus the fixed DATA fields.
pub const HEADER_LEN: usize = 16;

/// A DATA chunk carrying one fragment (or all) of a user message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataChunk {
    /// Transmission sequence number.
    pub tsn: u32,
    /// Stream identifier.
    pub stream_id: u16,
    /// Stream sequence number (meaningless when `unordered`).
    pub ssn: u16,
    /// Payload protocol identifier.
    pub ppid: u32,
    /// U bit.
    pub unordered: bool,
    /// B bit.
    pub beginning: bool,
    /// E bit.
    pub ending: bool,
    /// I bit (RFC 7053).
    pub immediate: bool,
    /// The user data fragment.
    pub payload: Bytes,
}

impl DataChunk {
    /// Parses the chunk value (after the 4-byte chunk header); `value` is shared, not copied.
    pub fn parse(flags: u8, value: &Bytes) -> Result<Self, ParseError> {
        let mut r = Reader::new(value);
        let tsn = r.u32()?;
        let stream_id = r.u16()?;
        let ssn = r.u16()?;
        let ppid = r.u32()?;
        if r.remaining() == 0 {
            return Err(ParseError::NoUserData);
        }
        Ok(DataChunk {
            tsn,
            stream_id,
            ssn,
            ppid,
            unordered: flags & FLAG_U != 0,
            beginning: flags & FLAG_B != 0,
            ending: flags & FLAG_E != 0,
            immediate: flags & FLAG_I != 0,
            payload: value.slice(12..),
        })
    }

    /// The chunk flags byte.
    pub fn flags(&self) -> u8 {
        let mut f = 0;
        if self.immediate {
            f |= FLAG_I;
        }
        if self.unordered {
            f |= FLAG_U;
        }
        if self.beginning {
            f |= FLAG_B;
        }
        if self.ending {
            f |= FLAG_E;
        }
        f
    }

    /// Encoded size including padding.
    pub fn encoded_len(&self) -> usize {
        crate::wire::pad4(HEADER_LEN + self.payload.len())
    }

    /// Appends the padded chunk to `out`.
    pub fn write(&self, out: &mut Vec<u8>) {
        write_data(
            out,
            self.flags(),
            self.tsn,
            self.stream_id,
            self.ssn,
            self.ppid,
            &self.payload,
        );
    }
}

/// Appends a DATA chunk from its fields without building a [`DataChunk`] (the send hot path).
#[inline]
pub fn write_data(
    out: &mut Vec<u8>,
    flags: u8,
    tsn: u32,
    stream_id: u16,
    ssn: u16,
    ppid: u32,
    payload: &[u8],
) {
    out.push(TYPE);
    out.push(flags);
    out.extend_from_slice(&((HEADER_LEN + payload.len()) as u16).to_be_bytes());
    out.extend_from_slice(&tsn.to_be_bytes());
    out.extend_from_slice(&stream_id.to_be_bytes());
    out.extend_from_slice(&ssn.to_be_bytes());
    out.extend_from_slice(&ppid.to_be_bytes());
    out.extend_from_slice(payload);
    pad_to4(out);
}
