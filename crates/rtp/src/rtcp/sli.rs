//! Slice loss indication (RFC 4585 section 6.3.2), FCI kept opaque.

use super::{PT_PSFB, begin_feedback, finish};
use crate::RtpError;

/// PSFB with FMT 2; the FCI is kept as bytes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Sli {
    /// The sender of the feedback.
    pub sender_ssrc: u32,
    /// The media source.
    pub media_ssrc: u32,
    /// The feedback control information, zero-padded to a multiple of 4 bytes when written.
    pub fci: Vec<u8>,
}

impl Sli {
    /// Appends the packet to `out`.
    pub fn write(&self, out: &mut Vec<u8>) -> Result<(), RtpError> {
        let start = begin_feedback(out, 2, PT_PSFB, self.sender_ssrc, self.media_ssrc);
        out.extend_from_slice(&self.fci);
        finish(out, start)
    }
}
