//! Picture loss indication (RFC 4585 section 6.3.1).

use super::{PT_PSFB, begin_feedback, finish};
use crate::RtpError;

/// A PLI: PSFB with FMT 1 and no FCI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pli {
    /// The sender of the feedback.
    pub sender_ssrc: u32,
    /// The media source whose picture was lost.
    pub media_ssrc: u32,
}

impl Pli {
    /// Appends the packet to `out`.
    pub fn write(&self, out: &mut Vec<u8>) -> Result<(), RtpError> {
        let start = begin_feedback(out, 1, PT_PSFB, self.sender_ssrc, self.media_ssrc);
        finish(out, start)
    }
}
