//! Per-SSRC state: the SRTP rollover counter and the SRTP and SRTCP replay windows.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::Error;
use crate::replay::ReplayWindow;

/// Largest SRTCP index (31 bits).
pub(crate) const MAX_SRTCP_INDEX: u64 = 0x7fff_ffff;

/// What a context knows about one SSRC.
#[derive(Debug, Clone)]
pub(crate) struct Stream {
    /// Accepted SRTP indices (`ROC * 2^16 + SEQ`); the highest gives `ROC` and `s_l`.
    pub(crate) rtp: ReplayWindow,
    /// Accepted (inbound) or used (outbound) SRTCP indices.
    pub(crate) rtcp: ReplayWindow,
    /// Rollover counter to assume for the first SRTP packet.
    pub(crate) initial_roc: u32,
}

impl Stream {
    pub(crate) fn new() -> Self {
        Self {
            rtp: ReplayWindow::new(),
            rtcp: ReplayWindow::new(),
            initial_roc: 0,
        }
    }

    /// The packet index of sequence number `seq` (RFC 3711 Appendix A).
    pub(crate) fn estimate_rtp_index(&self, seq: u16) -> Result<u64, Error> {
        Ok(match self.rtp.highest() {
            None => (u64::from(self.initial_roc) << 16) | u64::from(seq),
            Some(highest) => estimate_index(highest, seq)?,
        })
    }

    /// The SRTCP index to send next.
    pub(crate) fn next_rtcp_index(&self) -> Result<u32, Error> {
        let next = self.rtcp.highest().map_or(0, |h| h + 1);
        if next > MAX_SRTCP_INDEX {
            return Err(Error::IndexExhausted);
        }
        Ok(next as u32)
    }
}

/// RFC 3711 Appendix A: guess the ROC `v` of `seq` from the highest index seen so far, then
/// return `v * 2^16 + seq`.
///
/// With `ROC == 0` a packet that would belong to `ROC - 1` is taken as ROC 0 (there is no
/// earlier cycle); authentication decides whether the guess was right.
pub(crate) fn estimate_index(highest: u64, seq: u16) -> Result<u64, Error> {
    let roc = highest >> 16;
    let s_l = (highest & 0xffff) as i64;
    let seq_i = i64::from(seq);
    let v = if s_l < 0x8000 {
        if seq_i - s_l > 0x8000 {
            roc.saturating_sub(1)
        } else {
            roc
        }
    } else if s_l - 0x8000 > seq_i {
        roc + 1
    } else {
        roc
    };
    if v > u64::from(u32::MAX) {
        return Err(Error::IndexExhausted);
    }
    Ok((v << 16) | u64::from(seq))
}

/// SSRC-keyed map. SSRCs need no hash flooding defence here: entries are only created for
/// authenticated packets and their number is capped.
pub(crate) type StreamMap = HashMap<u32, Stream, BuildHasherDefault<SsrcHasher>>;

/// A multiplicative hasher for 32-bit SSRCs.
#[derive(Default)]
pub(crate) struct SsrcHasher(u64);

impl Hasher for SsrcHasher {
    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 29)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.0 = (u64::from(n) ^ self.0).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}
