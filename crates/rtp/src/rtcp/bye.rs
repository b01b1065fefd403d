//! Goodbye (RFC 3550 section 6.6).

use super::{PT_BYE, begin, finish};
use crate::RtpError;
use crate::wire::Reader;

/// A BYE packet.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Bye {
    /// The sources leaving, at most 31.
    pub ssrcs: Vec<u32>,
    /// The optional reason (at most 255 bytes).
    pub reason: Option<Vec<u8>>,
}

impl Bye {
    pub(crate) fn parse(count: u8, body: &[u8]) -> Result<Self, RtpError> {
        let mut r = Reader::new(body, "RTCP BYE");
        let ssrcs = (0..count).map(|_| r.u32()).collect::<Result<_, _>>()?;
        let reason = if r.remaining() > 0 {
            let len = usize::from(r.u8()?);
            Some(r.take(len)?.to_vec())
        } else {
            None
        };
        Ok(Self { ssrcs, reason })
    }

    /// Appends the packet to `out`.
    pub fn write(&self, out: &mut Vec<u8>) -> Result<(), RtpError> {
        if self.ssrcs.len() > 31 {
            return Err(RtpError::Unencodable {
                what: "BYE source count",
            });
        }
        let start = begin(out, self.ssrcs.len() as u8, PT_BYE);
        for s in &self.ssrcs {
            out.extend_from_slice(&s.to_be_bytes());
        }
        if let Some(reason) = &self.reason {
            let len = u8::try_from(reason.len())
                .map_err(|_| RtpError::Unencodable { what: "BYE reason" })?;
            out.push(len);
            out.extend_from_slice(reason);
        }
        finish(out, start)
    }
}
