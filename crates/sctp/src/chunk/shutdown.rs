//! SHUTDOWN, SHUTDOWN-ACK and SHUTDOWN-COMPLETE chunks (RFC 9260 §3.3.8, §3.3.9, §3.3.13).

use crate::error::ParseError;
use crate::wire::Reader;

/// Chunk type of SHUTDOWN.
pub const TYPE_SHUTDOWN: u8 = 7;
/// Chunk type of SHUTDOWN-ACK.
pub const TYPE_SHUTDOWN_ACK: u8 = 8;
/// Chunk type of SHUTDOWN-COMPLETE.
pub const TYPE_SHUTDOWN_COMPLETE: u8 = 14;
/// SHUTDOWN-COMPLETE flag T: the verification tag is reflected.
pub const FLAG_T: u8 = 0x01;

/// A SHUTDOWN chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShutdownChunk {
    /// Cumulative TSN ack.
    pub cumulative_tsn_ack: u32,
}

impl ShutdownChunk {
    /// Parses the chunk value.
    pub fn parse(value: &[u8]) -> Result<Self, ParseError> {
        Ok(ShutdownChunk {
            cumulative_tsn_ack: Reader::new(value).u32()?,
        })
    }

    /// Appends the chunk.
    pub fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&[TYPE_SHUTDOWN, 0, 0, 8]);
        out.extend_from_slice(&self.cumulative_tsn_ack.to_be_bytes());
    }
}

/// Appends a SHUTDOWN-ACK chunk.
pub fn write_shutdown_ack(out: &mut Vec<u8>) {
    out.extend_from_slice(&[TYPE_SHUTDOWN_ACK, 0, 0, 4]);
}

/// Appends a SHUTDOWN-COMPLETE chunk.
pub fn write_shutdown_complete(tag_reflected: bool, out: &mut Vec<u8>) {
    let flags = if tag_reflected { FLAG_T } else { 0 };
    out.extend_from_slice(&[TYPE_SHUTDOWN_COMPLETE, flags, 0, 4]);
}
