//! RTP packets (RFC 3550 section 5.1): the fixed header, CSRCs, the header extension block
//! (RFC 8285 one-byte and two-byte forms, or an opaque profile) and padding.
//!
//! [`RtpPacket::parse`] copies the header (a few dozen bytes) into an owned [`RtpHeader`] and
//! borrows the payload from the input, so the bulk of a packet is never copied.

use crate::RtpError;
use crate::ext::{Extension, ExtensionProfile, OpaqueExtension, read_extension_block};
use crate::wire::Reader;

/// Size of the fixed RTP header, without CSRCs or extensions.
pub const FIXED_HEADER_LEN: usize = 12;

/// The RTP header: everything before the payload.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RtpHeader {
    /// The M bit: end of a video frame, start of a talkspurt for audio.
    pub marker: bool,
    /// The payload type, 0..=127.
    pub payload_type: u8,
    /// The sequence number.
    pub sequence_number: u16,
    /// The RTP timestamp in the payload's clock rate.
    pub timestamp: u32,
    /// The synchronization source.
    pub ssrc: u32,
    /// Contributing sources, at most 15.
    pub csrcs: Vec<u32>,
    /// RFC 8285 header extension elements, in wire order.
    pub extensions: Vec<Extension>,
    /// The RFC 8285 form the extensions were parsed from or should be written in; the writer
    /// falls back to the two-byte form when an element does not fit the one-byte form.
    pub extension_profile: ExtensionProfile,
    /// A header extension with a profile other than RFC 8285's, kept as bytes. When set,
    /// `extensions` must be empty (a packet has a single extension block).
    pub opaque_extension: Option<OpaqueExtension>,
}

/// A parsed RTP packet whose payload borrows the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RtpPacket<'a> {
    /// The header.
    pub header: RtpHeader,
    /// The payload, without padding.
    pub payload: &'a [u8],
    /// Number of padding bytes that followed the payload (including the count byte), 0 if the P
    /// bit was clear.
    pub padding: u8,
}

impl RtpHeader {
    /// Parses the header at the start of `buf`; returns it with its length in bytes. The P bit is
    /// returned too, since it describes the packet rather than the header.
    pub fn parse(buf: &[u8]) -> Result<(Self, usize, bool), RtpError> {
        let mut r = Reader::new(buf, "RTP header");
        let b0 = r.u8()?;
        let version = b0 >> 6;
        if version != 2 {
            return Err(RtpError::BadVersion(version));
        }
        let padding = b0 & 0x20 != 0;
        let has_ext = b0 & 0x10 != 0;
        let cc = usize::from(b0 & 0x0f);
        let b1 = r.u8()?;
        let mut h = RtpHeader {
            marker: b1 & 0x80 != 0,
            payload_type: b1 & 0x7f,
            sequence_number: r.u16()?,
            timestamp: r.u32()?,
            ssrc: r.u32()?,
            ..Default::default()
        };
        let mut csrcs = Reader::new(r.take(cc * 4)?, "RTP CSRC list");
        h.csrcs = (0..cc).map(|_| csrcs.u32()).collect::<Result<_, _>>()?;
        if has_ext {
            let profile = r.u16()?;
            let words = usize::from(r.u16()?);
            let data = r.take(words * 4).map_err(|_| RtpError::BadLength {
                what: "RTP header extension",
            })?;
            read_extension_block(profile, data, &mut h)?;
        }
        Ok((h, buf.len() - r.remaining(), padding))
    }

    /// The serialized length of this header.
    pub fn wire_len(&self) -> usize {
        FIXED_HEADER_LEN + 4 * self.csrcs.len() + crate::ext::block_len(self)
    }

    /// Appends the header to `out` with the P bit set to `padding`.
    pub fn write(&self, padding: bool, out: &mut Vec<u8>) -> Result<(), RtpError> {
        if self.csrcs.len() > 15 {
            return Err(RtpError::Unencodable { what: "CSRC count" });
        }
        if self.payload_type > 127 {
            return Err(RtpError::Unencodable {
                what: "payload type",
            });
        }
        let has_ext = !self.extensions.is_empty() || self.opaque_extension.is_some();
        out.push(
            0x80 | if padding { 0x20 } else { 0 }
                | if has_ext { 0x10 } else { 0 }
                | self.csrcs.len() as u8,
        );
        out.push(if self.marker { 0x80 } else { 0 } | self.payload_type);
        out.extend_from_slice(&self.sequence_number.to_be_bytes());
        out.extend_from_slice(&self.timestamp.to_be_bytes());
        out.extend_from_slice(&self.ssrc.to_be_bytes());
        for c in &self.csrcs {
            out.extend_from_slice(&c.to_be_bytes());
        }
        if has_ext {
            crate::ext::write_extension_block(self, out)?;
        }
        Ok(())
    }

    /// The raw value of the first extension element with `id`, if any.
    pub fn extension(&self, id: u8) -> Option<&[u8]> {
        self.extensions
            .iter()
            .find(|e| e.id == id)
            .map(|e| e.data.as_slice())
    }

    /// Sets extension `id` to `data`, replacing an existing element with that id.
    pub fn set_extension(&mut self, id: u8, data: Vec<u8>) {
        match self.extensions.iter_mut().find(|e| e.id == id) {
            Some(e) => e.data = data,
            None => self.extensions.push(Extension { id, data }),
        }
    }

    /// Removes every element with extension `id`.
    pub fn remove_extension(&mut self, id: u8) {
        self.extensions.retain(|e| e.id != id);
    }
}

impl<'a> RtpPacket<'a> {
    /// Parses a whole RTP packet; the payload borrows `buf`.
    pub fn parse(buf: &'a [u8]) -> Result<Self, RtpError> {
        let (header, len, has_padding) = RtpHeader::parse(buf)?;
        let body = buf.get(len..).unwrap_or_default();
        let (payload, padding) = if has_padding {
            let count = *body.last().ok_or(RtpError::BadPadding)?;
            if count == 0 || usize::from(count) > body.len() {
                return Err(RtpError::BadPadding);
            }
            (&body[..body.len() - usize::from(count)], count)
        } else {
            (body, 0)
        };
        Ok(Self {
            header,
            payload,
            padding,
        })
    }

    /// Serializes the packet, padding included (padding bytes are zero, the last is the count).
    pub fn to_bytes(&self) -> Result<Vec<u8>, RtpError> {
        write_packet(&self.header, self.payload, self.padding)
    }
}

/// Serializes a header, a payload and `padding` bytes of padding (0 for none; otherwise the
/// total including the count byte) into a new buffer.
pub fn write_packet(header: &RtpHeader, payload: &[u8], padding: u8) -> Result<Vec<u8>, RtpError> {
    let mut out = Vec::with_capacity(header.wire_len() + payload.len() + usize::from(padding));
    header.write(padding > 0, &mut out)?;
    out.extend_from_slice(payload);
    if padding > 0 {
        out.resize(out.len() + usize::from(padding) - 1, 0);
        out.push(padding);
    }
    Ok(out)
}
