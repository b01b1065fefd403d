//! FORWARD-TSN chunk (RFC 3758 §3.2): moves the receiver's cumulative TSN past abandoned data.

use crate::error::ParseError;
use crate::wire::Reader;

/// Chunk type of FORWARD-TSN.
pub const TYPE: u8 = 0xC0;
/// Most stream entries accepted in one FORWARD-TSN.
pub const MAX_STREAMS: usize = 1024;

/// One skipped stream: the largest SSN skipped on an ordered stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SkippedStream {
    /// Stream identifier.
    pub stream_id: u16,
    /// Largest stream sequence number abandoned.
    pub ssn: u16,
}

/// A FORWARD-TSN chunk.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ForwardTsnChunk {
    /// New cumulative TSN.
    pub new_cumulative_tsn: u32,
    /// Ordered streams with skipped messages.
    pub streams: Vec<SkippedStream>,
}

impl ForwardTsnChunk {
    /// Parses the chunk value.
    pub fn parse(value: &[u8]) -> Result<Self, ParseError> {
        let mut r = Reader::new(value);
        let new_cumulative_tsn = r.u32()?;
        let n = r.remaining() / 4;
        if n > MAX_STREAMS {
            return Err(ParseError::TooMany);
        }
        let mut streams = Vec::with_capacity(n);
        for _ in 0..n {
            streams.push(SkippedStream {
                stream_id: r.u16()?,
                ssn: r.u16()?,
            });
        }
        Ok(ForwardTsnChunk {
            new_cumulative_tsn,
            streams,
        })
    }

    /// Encoded size including the header.
    pub fn encoded_len(&self) -> usize {
        8 + 4 * self.streams.len()
    }

    /// Appends the chunk.
    pub fn write(&self, out: &mut Vec<u8>) {
        out.push(TYPE);
        out.push(0);
        out.extend_from_slice(&(self.encoded_len() as u16).to_be_bytes());
        out.extend_from_slice(&self.new_cumulative_tsn.to_be_bytes());
        for s in &self.streams {
            out.extend_from_slice(&s.stream_id.to_be_bytes());
            out.extend_from_slice(&s.ssn.to_be_bytes());
        }
    }
}
