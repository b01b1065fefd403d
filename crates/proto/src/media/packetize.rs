//! Encoded frames out: each sender's packetizer, chosen by the frame's codec among the
//! negotiated ones, cutting frames into RTP payloads that fit the path MTU once the RTP header
//! (with the extensions the session writes), the SRTP tag and the RTX header are added.

use std::collections::HashMap;

use rtcio_rtp::codec::{Codec, Packetizer, h264};

use super::transceiver::{Transceiver, TransceiverId};
use crate::peer::Error;

/// The largest SRTP authentication tag of the protection profiles we negotiate (AES-GCM's 16
/// bytes; the HMAC-SHA1-80 profile's is 10).
pub const MAX_SRTP_TAG: usize = 16;

/// What a retransmission adds to a payload: the original sequence number (RFC 4588 §4). A
/// packet must still fit the MTU when the send history resends it over RTX.
pub const RTX_OVERHEAD: usize = 2;

/// An encoded frame to send (W3C encoded-transform vocabulary: one audio frame or one video
/// picture in its codec's bitstream format, H.264 in Annex-B form).
#[derive(Debug, Clone, Copy)]
pub struct FrameWrite<'a> {
    /// The codec of `data`; one of the transceiver's negotiated codecs.
    pub codec: Codec,
    /// The RTP timestamp, in the codec's clock rate.
    pub timestamp: u32,
    /// The bitstream.
    pub data: &'a [u8],
}

/// A sender's packetizer and the payload type it sends with.
struct SenderPacketizer {
    codec: Codec,
    payload_type: u8,
    packetizer: Box<dyn Packetizer + Send>,
    /// H.264 packetization-mode 0 was negotiated: single NAL unit packets only (RFC 6184 §6.2).
    single_nal: bool,
    /// Audio: a frame has been sent (RFC 3551 §4.1: the marker starts a talkspurt).
    talking: bool,
}

impl std::fmt::Debug for SenderPacketizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SenderPacketizer")
            .field("codec", &self.codec)
            .field("payload_type", &self.payload_type)
            .finish_non_exhaustive()
    }
}

/// One RTP packet of a frame, ready for the session's `write_rtp`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FramePacket {
    /// The negotiated payload type of the frame's codec.
    pub payload_type: u8,
    /// The marker bit (video: last packet of the frame; audio: first packet of a talkspurt).
    pub marker: bool,
    /// The payload.
    pub payload: Vec<u8>,
}

/// The packetizers of a connection's senders, made on a sender's first frame and remade when
/// its codec changes (so codec state such as VP8/VP9 picture ids carries over frames).
#[derive(Debug, Default)]
pub struct SenderPacketizers {
    /// Per (transceiver, encoding index): each simulcast layer is its own stream (VP8/VP9
    /// picture ids count per layer).
    senders: HashMap<(TransceiverId, usize), SenderPacketizer>,
}

impl SenderPacketizers {
    /// Cuts `frame` into the RTP packets encoding `layer` of `t`'s sender sends for it, each
    /// payload at most `max_payload` bytes.
    pub fn packetize(
        &mut self,
        t: &Transceiver,
        layer: usize,
        frame: FrameWrite<'_>,
        max_payload: usize,
    ) -> Result<Vec<FramePacket>, Error> {
        let (payload_type, single_nal) = negotiated(t, frame.codec)?;
        let p = self
            .senders
            .entry((t.id(), layer))
            .or_insert_with(|| SenderPacketizer {
                codec: frame.codec,
                payload_type,
                packetizer: packetizer(frame.codec, single_nal),
                single_nal,
                talking: false,
            });
        if p.codec != frame.codec || p.payload_type != payload_type {
            *p = SenderPacketizer {
                codec: frame.codec,
                payload_type,
                packetizer: packetizer(frame.codec, single_nal),
                single_nal,
                talking: false,
            };
        }
        let payloads = p
            .packetizer
            .packetize(frame.data, max_payload)
            .map_err(|e| Error::Operation(format!("packetizing {:?}: {e}", frame.codec)))?;
        if p.single_nal
            && payloads
                .iter()
                .any(|q| q.first().map(|b| b & 0x1f) == Some(28))
        {
            return Err(Error::Operation(format!(
                "H.264 packetization-mode 0: a NAL unit exceeds {max_payload} bytes"
            )));
        }
        let audio = frame.codec.is_audio();
        let first_talk = audio && !p.talking;
        p.talking |= audio;
        let last = payloads.len().saturating_sub(1);
        Ok(payloads
            .into_iter()
            .enumerate()
            .map(|(i, payload)| FramePacket {
                payload_type,
                marker: if audio {
                    first_talk && i == 0
                } else {
                    i == last
                },
                payload,
            })
            .collect())
    }

    /// Forgets a sender's packetizer (its transceiver stopped).
    pub fn remove(&mut self, id: TransceiverId) {
        self.senders.retain(|(t, _), _| *t != id);
    }
}

/// The payload type to send `codec` with on `t`, and whether it is H.264 limited to
/// packetization-mode 0: the sending codec if it is `codec`, else the first negotiated one of
/// that codec, H.264 preferring packetization-mode 1.
fn negotiated(t: &Transceiver, codec: Codec) -> Result<(u8, bool), Error> {
    let matching = || t.codecs().iter().filter(|c| c.rtp_codec() == Some(codec));
    let mode1 = |c: &&super::CodecParameters| c.fmtp_parameter("packetization-mode") == Some("1");
    let chosen = match t.send_codec() {
        Some(c) if c.rtp_codec() == Some(codec) && (codec != Codec::H264 || mode1(&c)) => Some(c),
        _ if codec == Codec::H264 => matching().find(mode1).or_else(|| matching().next()),
        _ => matching().next(),
    };
    let c = chosen
        .ok_or_else(|| Error::InvalidState(format!("{codec:?} is not a negotiated codec")))?;
    Ok((c.payload_type, codec == Codec::H264 && !mode1(&c)))
}

fn packetizer(codec: Codec, single_nal: bool) -> Box<dyn Packetizer + Send> {
    if single_nal {
        Box::new(h264::H264Packetizer {
            disable_stap_a: true,
        })
    } else {
        codec.packetizer()
    }
}
