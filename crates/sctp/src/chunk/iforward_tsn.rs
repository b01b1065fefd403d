//! I-FORWARD-TSN chunk (RFC 8260 §2.3.1): FORWARD-TSN for I-DATA, skipping by message identifier.

use crate::error::ParseError;
use crate::wire::Reader;

/// Chunk type of I-FORWARD-TSN.
pub const TYPE: u8 = 0xC2;
/// Most stream entries accepted in one I-FORWARD-TSN.
pub const MAX_STREAMS: usize = 1024;

/// One skipped message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SkippedMessage {
    /// Stream identifier.
    pub stream_id: u16,
    /// U bit: the skipped message was unordered.
    pub unordered: bool,
    /// Largest message identifier abandoned.
    pub mid: u32,
}

/// An I-FORWARD-TSN chunk.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IForwardTsnChunk {
    /// New cumulative TSN.
    pub new_cumulative_tsn: u32,
    /// Skipped messages.
    pub messages: Vec<SkippedMessage>,
}

impl IForwardTsnChunk {
    /// Parses the chunk value.
    pub fn parse(value: &[u8]) -> Result<Self, ParseError> {
        let mut r = Reader::new(value);
        let new_cumulative_tsn = r.u32()?;
        let n = r.remaining() / 8;
        if n > MAX_STREAMS {
            return Err(ParseError::TooMany);
        }
        let mut messages = Vec::with_capacity(n);
        for _ in 0..n {
            let stream_id = r.u16()?;
            let flags = r.u16()?;
            let mid = r.u32()?;
            messages.push(SkippedMessage {
                stream_id,
                unordered: flags & 1 != 0,
                mid,
            });
        }
        Ok(IForwardTsnChunk {
            new_cumulative_tsn,
            messages,
        })
    }

    /// Encoded size including the header.
    pub fn encoded_len(&self) -> usize {
        8 + 8 * self.messages.len()
    }

    /// Appends the chunk.
    pub fn write(&self, out: &mut Vec<u8>) {
        out.push(TYPE);
        out.push(0);
        out.extend_from_slice(&(self.encoded_len() as u16).to_be_bytes());
        out.extend_from_slice(&self.new_cumulative_tsn.to_be_bytes());
        for m in &self.messages {
            out.extend_from_slice(&m.stream_id.to_be_bytes());
            out.extend_from_slice(&u16::from(m.unordered).to_be_bytes());
            out.extend_from_slice(&m.mid.to_be_bytes());
        }
    }
}
