//! The few RTP and RTCP header fields SRTP needs (RFC 3550 §5.1, §6.4), read without panicking.

use crate::Error;

/// Fixed RTP header length.
pub const RTP_FIXED_HEADER_LEN: usize = 12;
/// RTCP header bytes SRTCP leaves in the clear: the common header and the sender SSRC.
pub const RTCP_CLEAR_LEN: usize = 8;

/// Fields of an RTP header that SRTP uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RtpHeader {
    /// Sequence number.
    pub sequence_number: u16,
    /// Synchronisation source.
    pub ssrc: u32,
    /// Length of the header including CSRCs and the extension: where the payload starts.
    pub header_len: usize,
}

impl RtpHeader {
    /// Reads the header of `packet`; CSRC list and extension must lie inside it.
    pub fn parse(packet: &[u8]) -> Result<Self, Error> {
        let fixed: &[u8; RTP_FIXED_HEADER_LEN] = packet
            .get(..RTP_FIXED_HEADER_LEN)
            .and_then(|h| h.try_into().ok())
            .ok_or(Error::TooShort)?;
        if fixed[0] >> 6 != 2 {
            return Err(Error::Malformed);
        }
        let csrc_count = usize::from(fixed[0] & 0x0f);
        let mut header_len = RTP_FIXED_HEADER_LEN + 4 * csrc_count;
        if fixed[0] & 0x10 != 0 {
            let ext = packet
                .get(header_len..header_len + 4)
                .ok_or(Error::Malformed)?;
            let words = usize::from(u16::from_be_bytes([ext[2], ext[3]]));
            header_len += 4 + 4 * words;
        }
        if header_len > packet.len() {
            return Err(Error::Malformed);
        }
        Ok(Self {
            sequence_number: u16::from_be_bytes([fixed[2], fixed[3]]),
            ssrc: u32::from_be_bytes([fixed[8], fixed[9], fixed[10], fixed[11]]),
            header_len,
        })
    }
}

/// The sender SSRC of an RTCP (compound) packet, after checking version 2.
pub fn rtcp_ssrc(packet: &[u8]) -> Result<u32, Error> {
    let h: &[u8; RTCP_CLEAR_LEN] = packet
        .get(..RTCP_CLEAR_LEN)
        .and_then(|h| h.try_into().ok())
        .ok_or(Error::TooShort)?;
    if h[0] >> 6 != 2 {
        return Err(Error::Malformed);
    }
    Ok(u32::from_be_bytes([h[4], h[5], h[6], h[7]]))
}
