//! SACK chunk (RFC 9260 §3.3.4): cumulative ack, gap ack blocks, duplicate TSNs.

use crate::error::ParseError;
use crate::wire::Reader;

/// Chunk type of SACK.
pub const TYPE: u8 = 3;
/// Most gap ack blocks accepted in or emitted into one SACK.
pub const MAX_GAP_BLOCKS: usize = 256;
/// Most duplicate TSNs accepted in or emitted into one SACK.
pub const MAX_DUP_TSNS: usize = 32;

/// A gap ack block: offsets relative to the cumulative TSN ack, both inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GapAckBlock {
    /// First acked TSN is `cumulative_tsn_ack + start`.
    pub start: u16,
    /// Last acked TSN is `cumulative_tsn_ack + end`.
    pub end: u16,
}

/// A selective acknowledgement.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SackChunk {
    /// Cumulative TSN ack.
    pub cumulative_tsn_ack: u32,
    /// Advertised receiver window credit.
    pub a_rwnd: u32,
    /// Gap ack blocks, in increasing order.
    pub gap_ack_blocks: Vec<GapAckBlock>,
    /// TSNs received more than once since the last SACK.
    pub duplicate_tsns: Vec<u32>,
}

impl SackChunk {
    /// Parses the chunk value; counts beyond the bounds are refused.
    pub fn parse(value: &[u8]) -> Result<Self, ParseError> {
        let mut r = Reader::new(value);
        let cumulative_tsn_ack = r.u32()?;
        let a_rwnd = r.u32()?;
        let n_gaps = r.u16()? as usize;
        let n_dups = r.u16()? as usize;
        if n_gaps > MAX_GAP_BLOCKS || n_dups > MAX_DUP_TSNS * 8 {
            return Err(ParseError::TooMany);
        }
        if r.remaining() < n_gaps * 4 + n_dups * 4 {
            return Err(ParseError::Truncated);
        }
        let mut gap_ack_blocks = Vec::with_capacity(n_gaps);
        for _ in 0..n_gaps {
            let start = r.u16()?;
            let end = r.u16()?;
            if start == 0 || end < start {
                return Err(ParseError::InvalidValue);
            }
            gap_ack_blocks.push(GapAckBlock { start, end });
        }
        let mut duplicate_tsns = Vec::with_capacity(n_dups.min(MAX_DUP_TSNS));
        for _ in 0..n_dups {
            let t = r.u32()?;
            if duplicate_tsns.len() < MAX_DUP_TSNS {
                duplicate_tsns.push(t);
            }
        }
        Ok(SackChunk {
            cumulative_tsn_ack,
            a_rwnd,
            gap_ack_blocks,
            duplicate_tsns,
        })
    }

    /// Encoded size including the chunk header.
    pub fn encoded_len(&self) -> usize {
        16 + 4 * self.gap_ack_blocks.len() + 4 * self.duplicate_tsns.len()
    }

    /// Appends the chunk to `out`.
    pub fn write(&self, out: &mut Vec<u8>) {
        out.push(TYPE);
        out.push(0);
        out.extend_from_slice(&(self.encoded_len() as u16).to_be_bytes());
        out.extend_from_slice(&self.cumulative_tsn_ack.to_be_bytes());
        out.extend_from_slice(&self.a_rwnd.to_be_bytes());
        out.extend_from_slice(&(self.gap_ack_blocks.len() as u16).to_be_bytes());
        out.extend_from_slice(&(self.duplicate_tsns.len() as u16).to_be_bytes());
        for g in &self.gap_ack_blocks {
            out.extend_from_slice(&g.start.to_be_bytes());
            out.extend_from_slice(&g.end.to_be_bytes());
        }
        for d in &self.duplicate_tsns {
            out.extend_from_slice(&d.to_be_bytes());
        }
    }
}
