//! The SCTP packet: common header (RFC 9260 §3.1), CRC32c checksum (Appendix B) and the chunk
//! sequence that follows it.

use bytes::Bytes;

use crate::chunk::Chunk;
use crate::error::ParseError;
use crate::wire::{Reader, pad4};

/// Size of the common header.
pub const COMMON_HEADER_LEN: usize = 12;
/// Most chunks processed from one packet (a 64 KiB packet of 4-byte chunks would hold 16 K).
pub const MAX_CHUNKS: usize = 1024;

/// The SCTP common header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommonHeader {
    /// Source port.
    pub source_port: u16,
    /// Destination port.
    pub destination_port: u16,
    /// Verification tag.
    pub verification_tag: u32,
}

impl CommonHeader {
    /// Appends the header with a zero checksum (filled by [`finish_packet`]).
    pub fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.source_port.to_be_bytes());
        out.extend_from_slice(&self.destination_port.to_be_bytes());
        out.extend_from_slice(&self.verification_tag.to_be_bytes());
        out.extend_from_slice(&[0, 0, 0, 0]);
    }
}

/// Computes the CRC32c of a packet with the checksum field taken as zero.
pub fn checksum(packet: &[u8]) -> u32 {
    let (Some(head), Some(rest)) = (packet.get(..8), packet.get(COMMON_HEADER_LEN..)) else {
        return crc32c::crc32c(packet);
    };
    let mut h = [0u8; COMMON_HEADER_LEN];
    h[..8].copy_from_slice(head);
    crc32c::crc32c_append(crc32c::crc32c(&h), rest)
}

/// Writes the checksum of a complete packet (common header + chunks) into its header.
///
/// The CRC32c is stored in the byte order RFC 9260 Appendix B prescribes, which is the
/// little-endian representation of the usual CRC32c value.
pub fn finish_packet(packet: &mut [u8]) {
    if packet.len() < COMMON_HEADER_LEN {
        return;
    }
    packet[8..12].copy_from_slice(&[0, 0, 0, 0]);
    let crc = crc32c::crc32c(packet);
    packet[8..12].copy_from_slice(&crc.to_le_bytes());
}

/// A parsed packet: its header and its chunks, still encoded, iterated with [`Packet::chunks`].
#[derive(Debug, Clone)]
pub struct Packet {
    /// Common header.
    pub header: CommonHeader,
    /// Everything after the common header.
    body: Bytes,
}

impl Packet {
    /// Parses the common header and verifies the checksum.
    pub fn parse(data: Bytes) -> Result<Packet, ParseError> {
        let mut r = Reader::new(&data);
        let header = CommonHeader {
            source_port: r.u16()?,
            destination_port: r.u16()?,
            verification_tag: r.u32()?,
        };
        let b = r.bytes(4)?;
        let wire = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        if wire != checksum(&data) {
            return Err(ParseError::BadChecksum);
        }
        Ok(Packet {
            header,
            body: data.slice(COMMON_HEADER_LEN..),
        })
    }

    /// Iterates over the chunks; stops after an error or [`MAX_CHUNKS`] chunks.
    pub fn chunks(&self) -> ChunkIter {
        ChunkIter {
            body: self.body.clone(),
            pos: 0,
            count: 0,
        }
    }

    /// Raw bytes after the common header.
    pub fn body(&self) -> &Bytes {
        &self.body
    }
}

/// Iterator over the chunks of a packet.
#[derive(Debug, Clone)]
pub struct ChunkIter {
    body: Bytes,
    pos: usize,
    count: usize,
}

impl ChunkIter {
    /// Reads the next chunk header and value without interpreting the value.
    pub fn next_raw(&mut self) -> Option<Result<(u8, u8, Bytes), ParseError>> {
        if self.pos >= self.body.len() {
            return None;
        }
        if self.count == MAX_CHUNKS {
            self.pos = self.body.len();
            return Some(Err(ParseError::TooMany));
        }
        self.count += 1;
        let rest = self.body.get(self.pos..).unwrap_or(&[]);
        let mut r = Reader::new(rest);
        let hdr = (|| Ok::<_, ParseError>((r.u8()?, r.u8()?, r.u16()? as usize)))();
        let (ty, flags, len) = match hdr {
            Ok(h) => h,
            Err(e) => {
                self.pos = self.body.len();
                return Some(Err(e));
            }
        };
        if len < 4 {
            self.pos = self.body.len();
            return Some(Err(ParseError::InvalidLength));
        }
        if len > rest.len() {
            self.pos = self.body.len();
            return Some(Err(ParseError::Truncated));
        }
        let value = self.body.slice(self.pos + 4..self.pos + len);
        self.pos += pad4(len);
        Some(Ok((ty, flags, value)))
    }
}

impl Iterator for ChunkIter {
    type Item = Result<Chunk, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        let raw = self.next_raw()?;
        Some(raw.and_then(|(ty, flags, value)| Chunk::parse(ty, flags, value)))
    }
}

/// Serializes a packet from a header and chunks (a convenience for tests and tools; the
/// association writes packets directly into its output buffer).
pub fn write_packet(header: &CommonHeader, chunks: &[Chunk]) -> Vec<u8> {
    let len = COMMON_HEADER_LEN + chunks.iter().map(Chunk::encoded_len).sum::<usize>();
    let mut out = Vec::with_capacity(len);
    header.write(&mut out);
    for c in chunks {
        c.write(&mut out);
    }
    finish_packet(&mut out);
    out
}
