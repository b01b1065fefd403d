//! ERROR chunk (RFC 9260 §3.3.10): reports non-fatal errors with causes.

use crate::error::ParseError;

use super::cause::{ErrorCause, causes_len, parse_causes, write_causes};

/// Chunk type of ERROR.
pub const TYPE: u8 = 9;

/// An ERROR chunk.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorChunk {
    /// Error causes.
    pub causes: Vec<ErrorCause>,
}

impl ErrorChunk {
    /// Parses the chunk value.
    pub fn parse(value: &[u8]) -> Result<Self, ParseError> {
        Ok(ErrorChunk {
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
        out.push(0);
        out.extend_from_slice(&(self.encoded_len() as u16).to_be_bytes());
        write_causes(&self.causes, out);
    }
}
