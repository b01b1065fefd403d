//! ABORT chunk (RFC 9260 §3.3.7).

use crate::error::ParseError;

use super::cause::{ErrorCause, causes_len, parse_causes, write_causes};

/// Chunk type of ABORT.
pub const TYPE: u8 = 6;
/// Flag T: the verification tag is reflected (the sender had no TCB).
pub const FLAG_T: u8 = 0x01;

/// An ABORT chunk.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AbortChunk {
    /// T bit.
    pub tag_reflected: bool,
    /// Error causes.
    pub causes: Vec<ErrorCause>,
}

impl AbortChunk {
    /// Parses the chunk value.
    pub fn parse(flags: u8, value: &[u8]) -> Result<Self, ParseError> {
        Ok(AbortChunk {
            tag_reflected: flags & FLAG_T != 0,
            causes: parse_causes(value)?,
        })
    }

    /// Encoded size including the header.
    pub fn encoded_len(&self) -> usize {
        4 + causes_len(&self.causes)
    }

    /// Appends the chunk.
    pub fn write(&self, out: &mut Vec<u8>) {
        out.push(TYPE);
        out.push(if self.tag_reflected { FLAG_T } else { 0 });
        out.extend_from_slice(&(self.encoded_len() as u16).to_be_bytes());
        write_causes(&self.causes, out);
    }
}
