//! Receiver estimated maximum bitrate (draft-alvestrand-rmcat-remb): PSFB FMT 15 with the
//! "REMB" identifier.

use super::{PT_PSFB, begin_feedback, finish};
use crate::RtpError;
use crate::wire::Reader;

/// A REMB message. Its media source field is 0; the sources it applies to are listed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Remb {
    /// The sender of the estimate.
    pub sender_ssrc: u32,
    /// The estimate in bits per second (encoded as an 18-bit mantissa and 6-bit exponent, so
    /// large values lose precision).
    pub bitrate: u64,
    /// The sources the estimate applies to, at most 255.
    pub ssrcs: Vec<u32>,
}

impl Remb {
    pub(crate) fn parse(sender_ssrc: u32, fci: &[u8]) -> Result<Self, RtpError> {
        let mut r = Reader::new(fci, "REMB");
        r.take(4)?; // "REMB"
        let num = r.u8()?;
        let v = r.u24()?;
        let exp = v >> 18;
        let mantissa = u64::from(v & 0x3_ffff);
        // 18 + 63 bits could overflow: such absurd values are errors.
        let bitrate = mantissa
            .checked_shl(exp)
            .filter(|b| b >> exp == mantissa)
            .ok_or(RtpError::Invalid {
                what: "REMB bitrate",
            })?;
        let ssrcs = (0..num).map(|_| r.u32()).collect::<Result<_, _>>()?;
        Ok(Self {
            sender_ssrc,
            bitrate,
            ssrcs,
        })
    }

    /// Appends the packet to `out`; the bitrate is rounded down to what the encoding can hold.
    pub fn write(&self, out: &mut Vec<u8>) -> Result<(), RtpError> {
        let num = u8::try_from(self.ssrcs.len()).map_err(|_| RtpError::Unencodable {
            what: "REMB SSRC count",
        })?;
        let mut exp = 0u32;
        let mut mantissa = self.bitrate;
        while mantissa > 0x3_ffff {
            mantissa >>= 1;
            exp += 1;
        }
        let start = begin_feedback(out, 15, PT_PSFB, self.sender_ssrc, 0);
        out.extend_from_slice(b"REMB");
        out.push(num);
        let v = (exp << 18) | mantissa as u32;
        out.extend_from_slice(&v.to_be_bytes()[1..]);
        for s in &self.ssrcs {
            out.extend_from_slice(&s.to_be_bytes());
        }
        finish(out, start)
    }
}
