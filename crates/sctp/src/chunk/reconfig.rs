//! RE-CONFIG chunk (RFC 6525 §3.1) and its request/response parameters (§4).

use crate::error::ParseError;
use crate::wire::{Reader, TlvIter, pad_to4, pad4, put_tlv_header};

/// Chunk type of RE-CONFIG.
pub const TYPE: u8 = 0x82;
/// Parameter type: Outgoing SSN Reset Request.
pub const PARAM_OUTGOING_SSN_RESET: u16 = 13;
/// Parameter type: Incoming SSN Reset Request.
pub const PARAM_INCOMING_SSN_RESET: u16 = 14;
/// Parameter type: SSN/TSN Reset Request.
pub const PARAM_SSN_TSN_RESET: u16 = 15;
/// Parameter type: Re-configuration Response.
pub const PARAM_RESPONSE: u16 = 16;
/// Parameter type: Add Outgoing Streams Request.
pub const PARAM_ADD_OUTGOING_STREAMS: u16 = 17;
/// Parameter type: Add Incoming Streams Request.
pub const PARAM_ADD_INCOMING_STREAMS: u16 = 18;
/// A RE-CONFIG chunk carries one or two parameters (RFC 6525 §3.1).
pub const MAX_PARAMS: usize = 2;

/// Result field of a Re-configuration Response (RFC 6525 §4.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReconfigResult {
    /// 0: Success - Nothing to do.
    SuccessNothingToDo,
    /// 1: Success - Performed.
    SuccessPerformed,
    /// 2: Denied.
    Denied,
    /// 3: Error - Wrong SSN.
    ErrorWrongSsn,
    /// 4: Error - Request already in progress.
    ErrorRequestAlreadyInProgress,
    /// 5: Error - Bad Sequence Number.
    ErrorBadSequenceNumber,
    /// 6: In progress.
    InProgress,
    /// Any other value.
    Other(u32),
}

impl ReconfigResult {
    /// The wire value.
    pub fn to_u32(self) -> u32 {
        match self {
            ReconfigResult::SuccessNothingToDo => 0,
            ReconfigResult::SuccessPerformed => 1,
            ReconfigResult::Denied => 2,
            ReconfigResult::ErrorWrongSsn => 3,
            ReconfigResult::ErrorRequestAlreadyInProgress => 4,
            ReconfigResult::ErrorBadSequenceNumber => 5,
            ReconfigResult::InProgress => 6,
            ReconfigResult::Other(v) => v,
        }
    }

    /// From the wire value.
    pub fn from_u32(v: u32) -> Self {
        match v {
            0 => ReconfigResult::SuccessNothingToDo,
            1 => ReconfigResult::SuccessPerformed,
            2 => ReconfigResult::Denied,
            3 => ReconfigResult::ErrorWrongSsn,
            4 => ReconfigResult::ErrorRequestAlreadyInProgress,
            5 => ReconfigResult::ErrorBadSequenceNumber,
            6 => ReconfigResult::InProgress,
            v => ReconfigResult::Other(v),
        }
    }
}

/// One RE-CONFIG parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReConfigParam {
    /// Outgoing SSN Reset Request: the sender resets its outgoing streams (the peer's incoming).
    OutgoingSsnReset {
        /// Re-configuration request sequence number.
        request_seq: u32,
        /// Re-configuration response sequence number.
        response_seq: u32,
        /// Sender's last assigned TSN.
        last_assigned_tsn: u32,
        /// Streams to reset; empty means all.
        streams: Vec<u16>,
    },
    /// Incoming SSN Reset Request: the sender asks the peer to reset its outgoing streams.
    IncomingSsnReset {
        /// Re-configuration request sequence number.
        request_seq: u32,
        /// Streams to reset; empty means all.
        streams: Vec<u16>,
    },
    /// SSN/TSN Reset Request.
    SsnTsnReset {
        /// Re-configuration request sequence number.
        request_seq: u32,
    },
    /// Re-configuration Response.
    Response {
        /// The request sequence number answered.
        response_seq: u32,
        /// Result.
        result: ReconfigResult,
        /// Sender's next TSN and receiver's next TSN (SSN/TSN reset only).
        next_tsns: Option<(u32, u32)>,
    },
    /// Add Outgoing Streams Request.
    AddOutgoingStreams {
        /// Re-configuration request sequence number.
        request_seq: u32,
        /// Number of new streams.
        new_streams: u16,
    },
    /// Add Incoming Streams Request.
    AddIncomingStreams {
        /// Re-configuration request sequence number.
        request_seq: u32,
        /// Number of new streams.
        new_streams: u16,
    },
}

fn streams(r: &mut Reader<'_>) -> Result<Vec<u16>, ParseError> {
    let n = r.remaining() / 2;
    let mut v = Vec::with_capacity(n);
    for _ in 0..n {
        v.push(r.u16()?);
    }
    Ok(v)
}

impl ReConfigParam {
    fn parse(ty: u16, value: &[u8]) -> Result<Option<Self>, ParseError> {
        let mut r = Reader::new(value);
        Ok(Some(match ty {
            PARAM_OUTGOING_SSN_RESET => ReConfigParam::OutgoingSsnReset {
                request_seq: r.u32()?,
                response_seq: r.u32()?,
                last_assigned_tsn: r.u32()?,
                streams: streams(&mut r)?,
            },
            PARAM_INCOMING_SSN_RESET => ReConfigParam::IncomingSsnReset {
                request_seq: r.u32()?,
                streams: streams(&mut r)?,
            },
            PARAM_SSN_TSN_RESET => ReConfigParam::SsnTsnReset {
                request_seq: r.u32()?,
            },
            PARAM_RESPONSE => {
                let response_seq = r.u32()?;
                let result = ReconfigResult::from_u32(r.u32()?);
                let next_tsns = if r.remaining() >= 8 {
                    Some((r.u32()?, r.u32()?))
                } else {
                    None
                };
                ReConfigParam::Response {
                    response_seq,
                    result,
                    next_tsns,
                }
            }
            PARAM_ADD_OUTGOING_STREAMS => ReConfigParam::AddOutgoingStreams {
                request_seq: r.u32()?,
                new_streams: r.u16()?,
            },
            PARAM_ADD_INCOMING_STREAMS => ReConfigParam::AddIncomingStreams {
                request_seq: r.u32()?,
                new_streams: r.u16()?,
            },
            _ => return Ok(None),
        }))
    }

    fn value_len(&self) -> usize {
        match self {
            ReConfigParam::OutgoingSsnReset { streams, .. } => 12 + 2 * streams.len(),
            ReConfigParam::IncomingSsnReset { streams, .. } => 4 + 2 * streams.len(),
            ReConfigParam::SsnTsnReset { .. } => 4,
            ReConfigParam::Response { next_tsns, .. } => {
                if next_tsns.is_some() {
                    16
                } else {
                    8
                }
            }
            ReConfigParam::AddOutgoingStreams { .. } | ReConfigParam::AddIncomingStreams { .. } => {
                8
            }
        }
    }

    fn write(&self, out: &mut Vec<u8>) {
        let len = self.value_len();
        match self {
            ReConfigParam::OutgoingSsnReset {
                request_seq,
                response_seq,
                last_assigned_tsn,
                streams,
            } => {
                put_tlv_header(out, PARAM_OUTGOING_SSN_RESET, len);
                out.extend_from_slice(&request_seq.to_be_bytes());
                out.extend_from_slice(&response_seq.to_be_bytes());
                out.extend_from_slice(&last_assigned_tsn.to_be_bytes());
                for s in streams {
                    out.extend_from_slice(&s.to_be_bytes());
                }
            }
            ReConfigParam::IncomingSsnReset {
                request_seq,
                streams,
            } => {
                put_tlv_header(out, PARAM_INCOMING_SSN_RESET, len);
                out.extend_from_slice(&request_seq.to_be_bytes());
                for s in streams {
                    out.extend_from_slice(&s.to_be_bytes());
                }
            }
            ReConfigParam::SsnTsnReset { request_seq } => {
                put_tlv_header(out, PARAM_SSN_TSN_RESET, len);
                out.extend_from_slice(&request_seq.to_be_bytes());
            }
            ReConfigParam::Response {
                response_seq,
                result,
                next_tsns,
            } => {
                put_tlv_header(out, PARAM_RESPONSE, len);
                out.extend_from_slice(&response_seq.to_be_bytes());
                out.extend_from_slice(&result.to_u32().to_be_bytes());
                if let Some((a, b)) = next_tsns {
                    out.extend_from_slice(&a.to_be_bytes());
                    out.extend_from_slice(&b.to_be_bytes());
                }
            }
            ReConfigParam::AddOutgoingStreams {
                request_seq,
                new_streams,
            }
            | ReConfigParam::AddIncomingStreams {
                request_seq,
                new_streams,
            } => {
                let ty = if matches!(self, ReConfigParam::AddOutgoingStreams { .. }) {
                    PARAM_ADD_OUTGOING_STREAMS
                } else {
                    PARAM_ADD_INCOMING_STREAMS
                };
                put_tlv_header(out, ty, len);
                out.extend_from_slice(&request_seq.to_be_bytes());
                out.extend_from_slice(&new_streams.to_be_bytes());
                out.extend_from_slice(&[0, 0]);
            }
        }
        pad_to4(out);
    }
}

/// A RE-CONFIG chunk with its (one or two) parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReConfigChunk {
    /// The parameters; unknown parameter types are skipped when parsing.
    pub params: Vec<ReConfigParam>,
}

impl ReConfigChunk {
    /// Parses the chunk value.
    pub fn parse(value: &[u8]) -> Result<Self, ParseError> {
        let mut params = Vec::new();
        for tlv in TlvIter::new(value) {
            let tlv = tlv?;
            if params.len() == MAX_PARAMS {
                return Err(ParseError::TooMany);
            }
            if let Some(p) = ReConfigParam::parse(tlv.ty, tlv.value)? {
                params.push(p);
            }
        }
        Ok(ReConfigChunk { params })
    }

    /// Encoded size including header and padding.
    pub fn encoded_len(&self) -> usize {
        4 + self
            .params
            .iter()
            .map(|p| pad4(4 + p.value_len()))
            .sum::<usize>()
    }

    /// Appends the chunk.
    pub fn write(&self, out: &mut Vec<u8>) {
        let start = out.len();
        out.extend_from_slice(&[TYPE, 0, 0, 0]);
        let mut unpadded_end = out.len();
        for p in &self.params {
            p.write(out);
            unpadded_end = out.len() - (pad4(4 + p.value_len()) - (4 + p.value_len()));
        }
        let len = (unpadded_end - start) as u16;
        out[start + 2..start + 4].copy_from_slice(&len.to_be_bytes());
    }
}
