//! Opus (RFC 7587): one Opus packet (of any number of 2.5–60 ms frames) per RTP packet.

use super::{Depacketizer, Packetizer, PayloadInfo, audio_depacketize, audio_packetize};
use crate::RtpError;

/// Depacketizer: the payload is the frame, every packet is a whole frame.
#[derive(Debug, Clone, Copy, Default)]
pub struct OpusDepacketizer;

impl Depacketizer for OpusDepacketizer {
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
pub struct OpusPacketizer;

impl Packetizer for OpusPacketizer {
    fn packetize(&mut self, frame: &[u8], mtu: usize) -> Result<Vec<Vec<u8>>, RtpError> {
        audio_packetize(frame, mtu)
    }
}
