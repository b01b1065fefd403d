//! INIT and INIT-ACK chunks (RFC 9260 §3.3.2, §3.3.3) and their parameters.

use bytes::Bytes;

use crate::error::ParseError;
use crate::wire::{Reader, TlvIter, pad_to4, pad4, put_tlv_header};

/// Chunk type of INIT.
pub const TYPE_INIT: u8 = 1;
/// Chunk type of INIT-ACK.
pub const TYPE_INIT_ACK: u8 = 2;

/// Parameter type: IPv4 Address.
pub const PARAM_IPV4_ADDRESS: u16 = 5;
/// Parameter type: IPv6 Address.
pub const PARAM_IPV6_ADDRESS: u16 = 6;
/// Parameter type: Cookie Preservative.
pub const PARAM_COOKIE_PRESERVATIVE: u16 = 9;
/// Parameter type: Host Name Address (deprecated).
pub const PARAM_HOST_NAME_ADDRESS: u16 = 11;
/// Parameter type: Supported Address Types.
pub const PARAM_SUPPORTED_ADDRESS_TYPES: u16 = 12;
/// Parameter type: State Cookie (INIT-ACK only).
pub const PARAM_STATE_COOKIE: u16 = 7;
/// Parameter type: Unrecognized Parameter (INIT-ACK only).
pub const PARAM_UNRECOGNIZED: u16 = 8;
/// Parameter type: Supported Extensions (RFC 5061 §4.2.7).
pub const PARAM_SUPPORTED_EXTENSIONS: u16 = 0x8008;
/// Parameter type: Forward-TSN-Supported (RFC 3758 §3.1).
pub const PARAM_FORWARD_TSN_SUPPORTED: u16 = 0xC000;

/// Most unrecognized parameters kept for reporting.
const MAX_UNRECOGNIZED: usize = 8;
/// Most extension chunk types kept from a Supported Extensions parameter.
const MAX_EXTENSIONS: usize = 32;

/// An INIT or INIT-ACK chunk: the fixed fields and the parameters this stack understands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InitChunk {
    /// Initiate Tag: the verification tag the sender expects on packets sent to it.
    pub initiate_tag: u32,
    /// Advertised receiver window credit.
    pub a_rwnd: u32,
    /// Number of outbound streams the sender wants to open.
    pub num_outbound_streams: u16,
    /// Most inbound streams the sender accepts.
    pub num_inbound_streams: u16,
    /// The sender's first TSN.
    pub initial_tsn: u32,
    /// State Cookie parameter (INIT-ACK).
    pub state_cookie: Option<Bytes>,
    /// Forward-TSN-Supported parameter present.
    pub forward_tsn_supported: bool,
    /// Chunk types listed in a Supported Extensions parameter.
    pub supported_extensions: Vec<u8>,
    /// Parameters (header included) the sender of an INIT-ACK reports as unrecognized, or the
    /// unrecognized parameters of a received chunk whose type asks for a report.
    pub unrecognized: Vec<Bytes>,
}

impl InitChunk {
    /// Whether the peer listed `chunk_type` in Supported Extensions.
    pub fn supports(&self, chunk_type: u8) -> bool {
        self.supported_extensions.contains(&chunk_type)
    }

    /// Parses the value of an INIT or INIT-ACK chunk.
    pub fn parse(value: &Bytes) -> Result<Self, ParseError> {
        let mut r = Reader::new(value);
        let mut c = InitChunk {
            initiate_tag: r.u32()?,
            a_rwnd: r.u32()?,
            num_outbound_streams: r.u16()?,
            num_inbound_streams: r.u16()?,
            initial_tsn: r.u32()?,
            ..Default::default()
        };
        if c.initiate_tag == 0 || c.num_outbound_streams == 0 || c.num_inbound_streams == 0 {
            return Err(ParseError::InvalidValue);
        }
        let params = &value[r.pos()..];
        for tlv in TlvIter::new(params) {
            let tlv = tlv?;
            match tlv.ty {
                PARAM_STATE_COOKIE => {
                    let off = tlv.value.as_ptr() as usize - value.as_ptr() as usize;
                    c.state_cookie = Some(value.slice(off..off + tlv.value.len()));
                }
                PARAM_FORWARD_TSN_SUPPORTED => c.forward_tsn_supported = true,
                PARAM_SUPPORTED_EXTENSIONS => {
                    if tlv.value.len() > MAX_EXTENSIONS {
                        return Err(ParseError::TooMany);
                    }
                    c.supported_extensions.extend_from_slice(tlv.value);
                }
                PARAM_UNRECOGNIZED => {
                    if c.unrecognized.len() < MAX_UNRECOGNIZED {
                        c.unrecognized.push(Bytes::copy_from_slice(tlv.value));
                    }
                }
                PARAM_IPV4_ADDRESS
                | PARAM_IPV6_ADDRESS
                | PARAM_COOKIE_PRESERVATIVE
                | PARAM_HOST_NAME_ADDRESS
                | PARAM_SUPPORTED_ADDRESS_TYPES => {
                    // Known but meaningless over DTLS: skipped, never a reason to stop.
                }
                ty => {
                    // RFC 9260 §3.2.1: the two high bits say what to do with unknown types.
                    if ty & 0x4000 != 0 && c.unrecognized.len() < MAX_UNRECOGNIZED {
                        let mut raw = Vec::with_capacity(4 + tlv.value.len());
                        put_tlv_header(&mut raw, ty, tlv.value.len());
                        raw.extend_from_slice(tlv.value);
                        c.unrecognized.push(Bytes::from(raw));
                    }
                    if ty & 0x8000 == 0 {
                        break;
                    }
                }
            }
        }
        Ok(c)
    }

    /// Length of the value (without the chunk header) including parameter padding.
    fn value_len(&self) -> usize {
        let mut n = 16;
        if let Some(c) = &self.state_cookie {
            n += pad4(4 + c.len());
        }
        if self.forward_tsn_supported {
            n += 4;
        }
        if !self.supported_extensions.is_empty() {
            n += pad4(4 + self.supported_extensions.len());
        }
        for u in &self.unrecognized {
            n += pad4(4 + u.len());
        }
        n
    }

    /// Encoded size including the chunk header.
    pub fn encoded_len(&self) -> usize {
        4 + self.value_len()
    }

    /// Appends the chunk with the given chunk type ([`TYPE_INIT`] or [`TYPE_INIT_ACK`]).
    ///
    /// The chunk length covers the padding of every parameter but the last (RFC 9260 §3.2).
    pub fn write(&self, chunk_type: u8, out: &mut Vec<u8>) {
        let start = out.len();
        out.push(chunk_type);
        out.push(0);
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(&self.initiate_tag.to_be_bytes());
        out.extend_from_slice(&self.a_rwnd.to_be_bytes());
        out.extend_from_slice(&self.num_outbound_streams.to_be_bytes());
        out.extend_from_slice(&self.num_inbound_streams.to_be_bytes());
        out.extend_from_slice(&self.initial_tsn.to_be_bytes());
        let mut unpadded_end = out.len();
        let mut param = |out: &mut Vec<u8>, ty: u16, v: &[u8]| {
            put_tlv_header(out, ty, v.len());
            out.extend_from_slice(v);
            unpadded_end = out.len();
            pad_to4(out);
        };
        if let Some(c) = &self.state_cookie {
            param(out, PARAM_STATE_COOKIE, c);
        }
        if self.forward_tsn_supported {
            param(out, PARAM_FORWARD_TSN_SUPPORTED, &[]);
        }
        if !self.supported_extensions.is_empty() {
            param(out, PARAM_SUPPORTED_EXTENSIONS, &self.supported_extensions);
        }
        for u in &self.unrecognized {
            param(out, PARAM_UNRECOGNIZED, u);
        }
        let len = (unpadded_end - start) as u16;
        out[start + 2..start + 4].copy_from_slice(&len.to_be_bytes());
    }
}
