//! Transceivers (W3C `RTCRtpTransceiver`) and the direction rules of RFC 8829.
//!
//! A transceiver pairs a sender and a receiver under one mid. It is created by `addTrack` /
//! `addTransceiver` (ours) or by a remote offer with a section no transceiver matches. Its
//! `direction` is what the application wants; `currentDirection` is what the last completed
//! offer/answer exchange negotiated.

use rtcio_sdp::{Direction, Extmap};

use super::TrackKind;
use super::codec::{CodecParameters, default_codecs};
use super::simulcast::SendEncoding;

/// Identifies a transceiver within its peer connection (stable for the connection's
/// lifetime; not the mid, which is only known once negotiated).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TransceiverId(pub(crate) u32);

impl TransceiverId {
    /// The raw handle value.
    pub fn raw(self) -> u32 {
        self.0
    }
}

/// What a sender sends: the track's identity as signalled in `a=msid`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SenderTrack {
    /// The track id.
    pub track_id: String,
    /// The ids of the streams the track belongs to (`a=msid` stream ids).
    pub stream_ids: Vec<String>,
}

/// The sending half (W3C `RTCRtpSender`).
#[derive(Debug, Clone)]
pub struct Sender {
    /// The SSRC of the media stream.
    pub ssrc: u32,
    /// The SSRC of its RTX stream (RFC 4588, `a=ssrc-group:FID`).
    pub rtx_ssrc: u32,
    /// The track being sent, if any.
    pub track: Option<SenderTrack>,
    /// The encodings (W3C `sendEncodings`), at least one; the first sends on `ssrc`/`rtx_ssrc`.
    pub(crate) encodings: Vec<SendLayer>,
    /// W3C `getParameters().transactionId` counter.
    pub(crate) transaction: u64,
}

impl Sender {
    /// The encodings with their SSRCs, in `sendEncodings` order.
    pub fn encodings(&self) -> &[SendLayer] {
        &self.encodings
    }

    /// The index of the encoding named `rid` (`None`: the first).
    pub fn layer_of(&self, rid: Option<&str>) -> Option<usize> {
        match rid {
            None => Some(0),
            Some(r) => self
                .encodings
                .iter()
                .position(|l| l.encoding.rid.as_deref() == Some(r)),
        }
    }
}

/// One encoding of a sender: its parameters, SSRCs and state.
#[derive(Debug, Clone)]
pub struct SendLayer {
    /// The W3C parameters.
    pub encoding: SendEncoding,
    /// Media SSRC.
    pub ssrc: u32,
    /// RTX SSRC.
    pub rtx_ssrc: u32,
    /// The next RTP sequence number.
    pub(crate) sequence: u16,
    /// The answer took this rid (and did not pause it): the layer may be sent.
    pub negotiated: bool,
}

impl SendLayer {
    /// Whether RTP goes out on this layer: negotiated and active.
    pub fn sending(&self) -> bool {
        self.negotiated && self.encoding.active
    }
}

/// The receiving half (W3C `RTCRtpReceiver`).
#[derive(Debug, Clone, Default)]
pub struct Receiver {
    /// The id of the receiving track (the peer's `a=msid` track id once signalled).
    pub track_id: String,
    /// The peer's stream ids for this track.
    pub stream_ids: Vec<String>,
    /// SSRCs the peer announced (`a=ssrc`) for this section, media first.
    pub remote_ssrcs: Vec<u32>,
    /// Announced (media SSRC, RTX SSRC) pairs (`a=ssrc-group:FID`).
    pub remote_rtx: Vec<(u32, u32)>,
    /// The rids negotiated for receiving simulcast (`a=simulcast:recv` of our description),
    /// in order; empty without simulcast.
    pub rids: Vec<String>,
}

/// A transceiver (W3C `RTCRtpTransceiver`).
#[derive(Debug, Clone)]
pub struct Transceiver {
    pub(crate) id: TransceiverId,
    pub(crate) kind: TrackKind,
    pub(crate) mid: Option<String>,
    pub(crate) direction: Direction,
    pub(crate) current_direction: Option<Direction>,
    pub(crate) stopped: bool,
    pub(crate) sender: Sender,
    pub(crate) receiver: Receiver,
    /// Codecs of the last completed negotiation (answer payload types), in preference order.
    pub(crate) codecs: Vec<CodecParameters>,
    /// Header extensions of the last negotiation.
    pub(crate) extmaps: Vec<Extmap>,
    /// `setCodecPreferences`; empty means every default codec.
    pub(crate) codec_preferences: Vec<CodecParameters>,
    /// Created by `addTrack`: a remote offer may take it over (W3C `setRemoteDescription`).
    pub(crate) from_add_track: bool,
    /// Whether the receiver's `track` event fired for the current receiving period.
    pub(crate) receiving: bool,
}

impl Transceiver {
    pub(crate) fn new(
        id: TransceiverId,
        kind: TrackKind,
        direction: Direction,
        ssrc: u32,
        rtx_ssrc: u32,
        sequence: u16,
    ) -> Self {
        Transceiver {
            id,
            kind,
            mid: None,
            direction,
            current_direction: None,
            stopped: false,
            sender: Sender {
                ssrc,
                rtx_ssrc,
                track: None,
                encodings: vec![SendLayer {
                    encoding: SendEncoding::default(),
                    ssrc,
                    rtx_ssrc,
                    sequence,
                    negotiated: true,
                }],
                transaction: 0,
            },
            receiver: Receiver {
                track_id: format!("rtcio-recv-{}", id.0),
                ..Receiver::default()
            },
            codecs: Vec::new(),
            extmaps: Vec::new(),
            codec_preferences: Vec::new(),
            from_add_track: false,
            receiving: false,
        }
    }

    /// Its handle.
    pub fn id(&self) -> TransceiverId {
        self.id
    }

    /// `audio` or `video`.
    pub fn kind(&self) -> TrackKind {
        self.kind
    }

    /// W3C `mid`: set once negotiated.
    pub fn mid(&self) -> Option<&str> {
        self.mid.as_deref()
    }

    /// W3C `direction`: what the application wants.
    pub fn direction(&self) -> Direction {
        self.direction
    }

    /// W3C `currentDirection`: what was negotiated, once an answer was applied.
    pub fn current_direction(&self) -> Option<Direction> {
        if self.stopped {
            return None;
        }
        self.current_direction
    }

    /// W3C `stopped`.
    pub fn stopped(&self) -> bool {
        self.stopped
    }

    /// The sender.
    pub fn sender(&self) -> &Sender {
        &self.sender
    }

    /// The receiver.
    pub fn receiver(&self) -> &Receiver {
        &self.receiver
    }

    /// The negotiated codecs (W3C `RTCRtpSendParameters.codecs`), preferred first.
    pub fn codecs(&self) -> &[CodecParameters] {
        &self.codecs
    }

    /// The negotiated header extensions.
    pub fn header_extensions(&self) -> &[Extmap] {
        &self.extmaps
    }

    /// The codecs this transceiver offers or accepts: the preferences if set, else every
    /// default codec of its kind.
    pub(crate) fn capabilities(&self) -> Vec<CodecParameters> {
        if self.codec_preferences.is_empty() {
            default_codecs(self.kind)
        } else {
            self.codec_preferences.clone()
        }
    }

    /// The codec the sender uses: the first negotiated media codec.
    pub fn send_codec(&self) -> Option<&CodecParameters> {
        self.codecs.iter().find(|c| !c.is_pass_through())
    }

    /// Whether the sender may send now (negotiated direction includes sending).
    pub fn can_send(&self) -> bool {
        !self.stopped && self.current_direction.is_some_and(Direction::sends)
    }

    /// Whether the receiver expects media (negotiated direction includes receiving).
    pub fn can_receive(&self) -> bool {
        !self.stopped && self.current_direction.is_some_and(Direction::receives)
    }

    /// The payload type belongs to one of the negotiated codecs (media, pass-through or RTX).
    pub(crate) fn has_payload_type(&self, pt: u8) -> bool {
        self.codecs
            .iter()
            .any(|c| c.payload_type == pt || c.rtx_payload_type == Some(pt))
    }
}

/// RFC 8829 §5.3.1: the direction of an answer, from what the answerer wants and what the
/// offer says. We send only if we want to and the offerer receives, and receive likewise.
pub fn answer_direction(wanted: Direction, offered: Direction) -> Direction {
    from_flags(
        wanted.sends() && offered.receives(),
        wanted.receives() && offered.sends(),
    )
}

/// A direction from whether it sends and receives.
pub fn from_flags(sends: bool, receives: bool) -> Direction {
    match (sends, receives) {
        (true, true) => Direction::SendRecv,
        (true, false) => Direction::SendOnly,
        (false, true) => Direction::RecvOnly,
        (false, false) => Direction::Inactive,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Direction::*;

    #[test]
    fn answer_direction_intersects_with_the_reversed_offer() {
        assert_eq!(answer_direction(SendRecv, SendRecv), SendRecv);
        assert_eq!(answer_direction(SendRecv, SendOnly), RecvOnly);
        assert_eq!(answer_direction(SendRecv, RecvOnly), SendOnly);
        assert_eq!(answer_direction(RecvOnly, SendRecv), RecvOnly);
        assert_eq!(answer_direction(RecvOnly, RecvOnly), Inactive);
        assert_eq!(answer_direction(SendOnly, SendRecv), SendOnly);
        assert_eq!(answer_direction(Inactive, SendRecv), Inactive);
    }
}
