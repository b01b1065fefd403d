//! Assembles in-order RTP packets of one SSRC into encoded frames.

use std::collections::VecDeque;

use super::{Codec, Depacketizer};
use crate::packet::RtpPacket;

/// Default bound on an assembled frame's size; larger frames are dropped.
pub const DEFAULT_MAX_FRAME_BYTES: usize = 8 << 20;

/// Most completed frames queued before the oldest is discarded (callers drain with
/// [`FrameAssembler::poll_frame`] after each packet).
const MAX_QUEUED_FRAMES: usize = 16;

/// One encoded frame (an audio frame or a video picture).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedFrame {
    /// The codec.
    pub codec: Codec,
    /// The SSRC the packets came from.
    pub ssrc: u32,
    /// The payload type of the packets.
    pub payload_type: u8,
    /// The RTP timestamp shared by the frame's packets.
    pub rtp_timestamp: u32,
    /// True if the frame is decodable on its own (always true for audio).
    pub keyframe: bool,
    /// The bitstream (format per codec: see the module documentation).
    pub data: Vec<u8>,
    /// Sequence number of the first packet.
    pub first_sequence: u16,
    /// Sequence number of the last packet.
    pub last_sequence: u16,
    /// Number of packets the frame was assembled from.
    pub packets: usize,
}

/// A frame being assembled.
#[derive(Debug)]
struct Partial {
    frame: EncodedFrame,
    broken: bool,
}

/// Turns the packets of one SSRC, in sequence order (after a jitter buffer), into
/// [`EncodedFrame`]s.
///
/// A frame ends at the marker bit (video), after every packet (audio), or when the timestamp
/// changes. A sequence gap, a depacketizing error, or a frame over the size bound drops the
/// frame(s) it touches; [`FrameAssembler::dropped_frames`] counts them. Packets with an empty
/// payload (padding-only probes) only advance the sequence.
///
/// A frame that follows a gap is kept only if its first payload shows a frame start (VP8, VP9,
/// audio); for H.264 and AV1, whose payloads cannot show one, a gap right before a new
/// timestamp drops the new frame too, since the lost packet may have been its first.
///
/// Recovery after loss (waiting for a keyframe, asking for one) is the caller's business; the
/// `keyframe` flag of each frame gives what it needs.
pub struct FrameAssembler {
    codec: Codec,
    depacketizer: Box<dyn Depacketizer + Send>,
    max_frame_bytes: usize,
    last_seq: Option<u16>,
    current: Option<Partial>,
    ready: VecDeque<EncodedFrame>,
    dropped: u64,
}

impl std::fmt::Debug for FrameAssembler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FrameAssembler")
            .field("codec", &self.codec)
            .field("last_seq", &self.last_seq)
            .field("dropped", &self.dropped)
            .finish_non_exhaustive()
    }
}

impl FrameAssembler {
    /// An assembler using the codec's default depacketizer.
    pub fn new(codec: Codec) -> Self {
        Self::with_depacketizer(codec, codec.depacketizer())
    }

    /// An assembler using a given depacketizer (for instance H.264 with AVC output).
    pub fn with_depacketizer(codec: Codec, depacketizer: Box<dyn Depacketizer + Send>) -> Self {
        Self {
            codec,
            depacketizer,
            max_frame_bytes: DEFAULT_MAX_FRAME_BYTES,
            last_seq: None,
            current: None,
            ready: VecDeque::new(),
            dropped: 0,
        }
    }

    /// Sets the frame size bound (default [`DEFAULT_MAX_FRAME_BYTES`]).
    pub fn set_max_frame_bytes(&mut self, max: usize) {
        self.max_frame_bytes = max;
    }

    /// Frames dropped so far because of loss, errors or size.
    pub fn dropped_frames(&self) -> u64 {
        self.dropped
    }

    /// Feeds the next packet.
    pub fn handle_packet(&mut self, packet: &RtpPacket<'_>) {
        let h = &packet.header;
        let contiguous = self
            .last_seq
            .is_none_or(|l| h.sequence_number == l.wrapping_add(1));
        self.last_seq = Some(h.sequence_number);
        if !contiguous && let Some(cur) = &mut self.current {
            cur.broken = true;
        }
        if packet.payload.is_empty() {
            return;
        }
        if self
            .current
            .as_ref()
            .is_some_and(|c| c.frame.rtp_timestamp != h.timestamp)
        {
            self.finish();
        }
        let cur = self.current.get_or_insert_with(|| {
            self.depacketizer.reset();
            Partial {
                frame: EncodedFrame {
                    codec: self.codec,
                    ssrc: h.ssrc,
                    payload_type: h.payload_type,
                    rtp_timestamp: h.timestamp,
                    keyframe: false,
                    data: Vec::new(),
                    first_sequence: h.sequence_number,
                    last_sequence: h.sequence_number,
                    packets: 0,
                },
                // A frame starting after a gap may have lost its head; the payload can prove
                // otherwise below.
                broken: !contiguous,
            }
        });
        let is_first = cur.frame.packets == 0;
        cur.frame.packets += 1;
        cur.frame.last_sequence = h.sequence_number;
        let mut end = h.marker;
        if cur.broken && !is_first {
            // Still consume the frame's packets until it ends.
        } else {
            match self
                .depacketizer
                .depacketize(packet.payload, &mut cur.frame.data)
            {
                Ok(info) => {
                    if is_first {
                        match info.frame_start {
                            Some(true) => cur.broken = false,
                            Some(false) => cur.broken = true,
                            None => {}
                        }
                    }
                    cur.frame.keyframe |= info.keyframe;
                    end |= info.frame_end == Some(true);
                }
                Err(_) => cur.broken = true,
            }
            if cur.frame.data.len() > self.max_frame_bytes {
                cur.broken = true;
            }
            if cur.broken {
                cur.frame.data = Vec::new();
            }
        }
        if end || self.codec.is_audio() {
            self.finish();
        }
    }

    /// Ends the current frame: queues it, or counts it dropped.
    fn finish(&mut self) {
        let Some(cur) = self.current.take() else {
            return;
        };
        self.depacketizer.reset();
        if cur.broken {
            self.dropped += 1;
            return;
        }
        if self.ready.len() == MAX_QUEUED_FRAMES {
            self.ready.pop_front();
            self.dropped += 1;
        }
        self.ready.push_back(cur.frame);
    }

    /// The next completed frame.
    pub fn poll_frame(&mut self) -> Option<EncodedFrame> {
        self.ready.pop_front()
    }
}
