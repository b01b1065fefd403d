//! Source description (RFC 3550 section 6.5).

use super::{PT_SDES, begin, finish};
use crate::RtpError;
use crate::wire::Reader;

/// Most items kept per SDES chunk; more is an error.
pub const MAX_SDES_ITEMS: usize = 16;

/// An SDES item type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SdesType {
    /// CNAME (1): canonical end-point identifier.
    Cname,
    /// NAME (2).
    Name,
    /// EMAIL (3).
    Email,
    /// PHONE (4).
    Phone,
    /// LOC (5).
    Loc,
    /// TOOL (6).
    Tool,
    /// NOTE (7).
    Note,
    /// PRIV (8), value kept raw (prefix length and prefix included).
    Priv,
    /// Any other non-zero type.
    Other(u8),
}

impl SdesType {
    /// The wire value.
    pub fn to_u8(self) -> u8 {
        match self {
            Self::Cname => 1,
            Self::Name => 2,
            Self::Email => 3,
            Self::Phone => 4,
            Self::Loc => 5,
            Self::Tool => 6,
            Self::Note => 7,
            Self::Priv => 8,
            Self::Other(v) => v,
        }
    }

    /// The type for a non-zero wire value.
    pub fn from_u8(v: u8) -> Self {
        match v {
            1 => Self::Cname,
            2 => Self::Name,
            3 => Self::Email,
            4 => Self::Phone,
            5 => Self::Loc,
            6 => Self::Tool,
            7 => Self::Note,
            8 => Self::Priv,
            v => Self::Other(v),
        }
    }
}

/// One SDES item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdesItem {
    /// The type (never `Other(0)`, which ends an item list).
    pub kind: SdesType,
    /// The value, at most 255 bytes (UTF-8 text for the RFC 3550 types).
    pub value: Vec<u8>,
}

/// The items describing one source.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SdesChunk {
    /// The source.
    pub ssrc: u32,
    /// Its items, at most [`MAX_SDES_ITEMS`].
    pub items: Vec<SdesItem>,
}

impl SdesChunk {
    /// A chunk holding only a CNAME.
    pub fn cname(ssrc: u32, cname: &str) -> Self {
        Self {
            ssrc,
            items: vec![SdesItem {
                kind: SdesType::Cname,
                value: cname.as_bytes().to_vec(),
            }],
        }
    }
}

/// An SDES packet.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Sdes {
    /// The chunks, at most 31.
    pub chunks: Vec<SdesChunk>,
}

impl Sdes {
    pub(crate) fn parse(count: u8, body: &[u8]) -> Result<Self, RtpError> {
        let mut r = Reader::new(body, "RTCP SDES");
        let mut chunks = Vec::with_capacity(usize::from(count));
        for _ in 0..count {
            let ssrc = r.u32()?;
            let mut items = Vec::new();
            loop {
                let t = r.u8()?;
                if t == 0 {
                    // End of list: skip to the next 32-bit boundary.
                    let pos = body.len() - r.remaining();
                    r.take(pos.next_multiple_of(4) - pos)?;
                    break;
                }
                let len = usize::from(r.u8()?);
                let value = r.take(len)?.to_vec();
                if items.len() == MAX_SDES_ITEMS {
                    return Err(RtpError::TooMany {
                        what: "SDES items",
                        limit: MAX_SDES_ITEMS,
                    });
                }
                items.push(SdesItem {
                    kind: SdesType::from_u8(t),
                    value,
                });
            }
            chunks.push(SdesChunk { ssrc, items });
        }
        Ok(Self { chunks })
    }

    /// The CNAME of `ssrc`, if present and UTF-8.
    pub fn cname(&self, ssrc: u32) -> Option<&str> {
        self.chunks
            .iter()
            .filter(|c| c.ssrc == ssrc)
            .flat_map(|c| &c.items)
            .find(|i| i.kind == SdesType::Cname)
            .and_then(|i| std::str::from_utf8(&i.value).ok())
    }

    /// Appends the packet to `out`.
    pub fn write(&self, out: &mut Vec<u8>) -> Result<(), RtpError> {
        if self.chunks.len() > 31 {
            return Err(RtpError::Unencodable {
                what: "SDES chunk count",
            });
        }
        let start = begin(out, self.chunks.len() as u8, PT_SDES);
        for c in &self.chunks {
            out.extend_from_slice(&c.ssrc.to_be_bytes());
            for i in &c.items {
                let t = i.kind.to_u8();
                if t == 0 || i.value.len() > 255 {
                    return Err(RtpError::Unencodable { what: "SDES item" });
                }
                out.push(t);
                out.push(i.value.len() as u8);
                out.extend_from_slice(&i.value);
            }
            // The null item, then padding to a 32-bit boundary.
            out.push(0);
            while !(out.len() - start).is_multiple_of(4) {
                out.push(0);
            }
        }
        finish(out, start)
    }
}
