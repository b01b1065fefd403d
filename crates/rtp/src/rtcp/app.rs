//! Application-defined packets (RFC 3550 section 6.7), kept opaque.

use super::{PT_APP, begin, finish};
use crate::RtpError;
use crate::wire::Reader;

/// An APP packet.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct App {
    /// The 5-bit subtype.
    pub subtype: u8,
    /// The sender's SSRC.
    pub ssrc: u32,
    /// The four-character name.
    pub name: [u8; 4],
    /// Application data, zero-padded to a multiple of 4 bytes when written.
    pub data: Vec<u8>,
}

impl App {
    pub(crate) fn parse(subtype: u8, body: &[u8]) -> Result<Self, RtpError> {
        let mut r = Reader::new(body, "RTCP APP");
        Ok(Self {
            subtype,
            ssrc: r.u32()?,
            name: r.array()?,
            data: r.rest().to_vec(),
        })
    }

    /// Appends the packet to `out`.
    pub fn write(&self, out: &mut Vec<u8>) -> Result<(), RtpError> {
        if self.subtype > 31 {
            return Err(RtpError::Unencodable {
                what: "APP subtype",
            });
        }
        let start = begin(out, self.subtype, PT_APP);
        out.extend_from_slice(&self.ssrc.to_be_bytes());
        out.extend_from_slice(&self.name);
        out.extend_from_slice(&self.data);
        finish(out, start)
    }
}
