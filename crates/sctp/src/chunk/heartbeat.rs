//! HEARTBEAT and HEARTBEAT-ACK chunks (RFC 9260 §3.3.5, §3.3.6).

use bytes::Bytes;

use crate::error::ParseError;
use crate::wire::{TlvIter, pad_to4, pad4, put_tlv_header};

/// Chunk type of HEARTBEAT.
pub const TYPE_HEARTBEAT: u8 = 4;
/// Chunk type of HEARTBEAT-ACK.
pub const TYPE_HEARTBEAT_ACK: u8 = 5;
/// Parameter type of Heartbeat Info.
pub const PARAM_HEARTBEAT_INFO: u16 = 1;

/// A HEARTBEAT or HEARTBEAT-ACK chunk: the opaque sender-specific Heartbeat Info.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeartbeatChunk {
    /// The Heartbeat Info value, echoed unchanged in the ACK.
    pub info: Bytes,
}

impl HeartbeatChunk {
    /// Parses the chunk value: exactly one Heartbeat Info parameter is expected first.
    pub fn parse(value: &[u8]) -> Result<Self, ParseError> {
        match TlvIter::new(value).next() {
            Some(Ok(tlv)) if tlv.ty == PARAM_HEARTBEAT_INFO => Ok(HeartbeatChunk {
                info: Bytes::copy_from_slice(tlv.value),
            }),
            Some(Err(e)) => Err(e),
            _ => Err(ParseError::InvalidValue),
        }
    }

    /// Encoded size including header and padding.
    pub fn encoded_len(&self) -> usize {
        8 + pad4(self.info.len())
    }

    /// Appends the chunk with type [`TYPE_HEARTBEAT`] or [`TYPE_HEARTBEAT_ACK`].
    pub fn write(&self, chunk_type: u8, out: &mut Vec<u8>) {
        out.push(chunk_type);
        out.push(0);
        out.extend_from_slice(&((8 + self.info.len()) as u16).to_be_bytes());
        put_tlv_header(out, PARAM_HEARTBEAT_INFO, self.info.len());
        out.extend_from_slice(&self.info);
        pad_to4(out);
    }
}
