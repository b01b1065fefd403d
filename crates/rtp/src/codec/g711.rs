//! G.711 µ-law and A-law (RFC 3551 section 4.5.14): one block of samples per packet.

use super::{Depacketizer, Packetizer, PayloadInfo, audio_depacketize, audio_packetize};
use crate::RtpError;

/// Depacketizer: the payload is the frame, every packet is a whole frame.
#[derive(Debug, Clone, Copy, Default)]
pub struct G711Depacketizer;

impl Depacketizer for G711Depacketizer {
    fn depacketize(
        &mut self,
        payload: &[u8],
        frame: &mut Vec<u8>,
    ) -> Result<PayloadInfo, RtpError> {
        Ok(audio_depacketize(payload, frame))
    }

    fn reset(&mut self) {}
}

/// Packetizer: one payload per frame; a frame larger than the MTU is an error.
#[derive(Debug, Clone, Copy, Default)]
pub struct G711Packetizer;

impl Packetizer for G711Packetizer {
    fn packetize(&mut self, frame: &[u8], mtu: usize) -> Result<Vec<Vec<u8>>, RtpError> {
        audio_packetize(frame, mtu)
    }
}
