//! Error causes (RFC 9260 §3.3.10) carried by ABORT and ERROR chunks.

use bytes::Bytes;

use crate::error::ParseError;
use crate::wire::{TlvIter, pad_to4, pad4, put_tlv_header};

/// Cause code: Invalid Stream Identifier.
pub const INVALID_STREAM_IDENTIFIER: u16 = 1;
/// Cause code: Missing Mandatory Parameter.
pub const MISSING_MANDATORY_PARAMETER: u16 = 2;
/// Cause code: Stale Cookie Error.
pub const STALE_COOKIE: u16 = 3;
/// Cause code: Out of Resource.
pub const OUT_OF_RESOURCE: u16 = 4;
/// Cause code: Unrecognized Chunk Type.
pub const UNRECOGNIZED_CHUNK_TYPE: u16 = 6;
/// Cause code: Invalid Mandatory Parameter.
pub const INVALID_MANDATORY_PARAMETER: u16 = 7;
/// Cause code: Unrecognized Parameters.
pub const UNRECOGNIZED_PARAMETERS: u16 = 8;
/// Cause code: No User Data.
pub const NO_USER_DATA: u16 = 9;
/// Cause code: Cookie Received While Shutting Down.
pub const COOKIE_WHILE_SHUTTING_DOWN: u16 = 10;
/// Cause code: User-Initiated Abort.
pub const USER_INITIATED_ABORT: u16 = 12;
/// Cause code: Protocol Violation.
pub const PROTOCOL_VIOLATION: u16 = 13;

/// Most causes kept from one ABORT or ERROR chunk.
pub const MAX_CAUSES: usize = 16;

/// One error cause: its code and cause-specific information.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorCause {
    /// Cause code.
    pub code: u16,
    /// Cause-specific information (without the 4-byte cause header).
    pub info: Bytes,
}

impl ErrorCause {
    /// A cause without information.
    pub fn new(code: u16) -> Self {
        ErrorCause {
            code,
            info: Bytes::new(),
        }
    }

    /// A cause with information.
    pub fn with_info(code: u16, info: impl Into<Bytes>) -> Self {
        ErrorCause {
            code,
            info: info.into(),
        }
    }
}

/// Parses a list of causes (at most [`MAX_CAUSES`] are kept).
pub fn parse_causes(value: &[u8]) -> Result<Vec<ErrorCause>, ParseError> {
    let mut out = Vec::new();
    for tlv in TlvIter::new(value) {
        let tlv = tlv?;
        if out.len() == MAX_CAUSES {
            break;
        }
        out.push(ErrorCause {
            code: tlv.ty,
            info: Bytes::copy_from_slice(tlv.value),
        });
    }
    Ok(out)
}

/// Encoded size of a list of causes, padding included.
pub fn causes_len(causes: &[ErrorCause]) -> usize {
    causes.iter().map(|c| pad4(4 + c.info.len())).sum()
}

/// Appends the causes, each padded.
pub fn write_causes(causes: &[ErrorCause], out: &mut Vec<u8>) {
    for c in causes {
        put_tlv_header(out, c.code, c.info.len());
        out.extend_from_slice(&c.info);
        pad_to4(out);
    }
}
