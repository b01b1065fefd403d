//! The packet-level selector: received RTP of every layer in, the rewritten RTP of one out.

use std::collections::VecDeque;
use std::time::Instant;

use super::keyframe::{KeyframeStart, keyframe_start};
use super::layers::Switcher;
use super::{MAX_SEQUENCE_JUMP, SelectorConfig, SelectorEvent, SelectorStats, Target};
use crate::packet::RtpPacket;
use crate::red::red_primary;
use crate::seq::SeqUnwrapper;

/// Sequence tracking of one input layer.
#[derive(Debug, Clone, Default)]
struct LayerSeq {
    unwrapper: SeqUnwrapper,
    highest: Option<u64>,
    /// A jump was seen; a packet with this number confirms it as a restart.
    probation: Option<u16>,
    /// The previous packet in arrival order: (sequence, timestamp, marker).
    prev: Option<(u16, u32, bool)>,
}

/// Past switches remembered to map output sequence numbers back to their layer (answering a
/// downstream NACK); older ones are forgotten.
pub const MAX_SEGMENTS: usize = 16;

/// A run of the output taken from one layer: where its sequence numbers and timestamps map.
#[derive(Debug, Clone, Copy)]
struct Segment {
    layer: usize,
    /// Extended input sequence number of the keyframe the switch happened at.
    input: u64,
    /// The (extended) output sequence number it was given.
    output: u64,
    /// Output minus input timestamp.
    ts_offset: u32,
    /// The output sequence number before `output` was skipped (the switch cut a frame).
    skipped: bool,
}

/// Turns the RTP packets of N simulcast layers into one stream (see the [module
/// documentation](super)).
///
/// Feed every media packet of every layer with [`handle_packet`](Self::handle_packet) (RTX
/// already unwrapped: the selector has no retransmission stream), in arrival order; forward what
/// it returns. The output has the configured SSRC, the input's payload type, marker, CSRCs and
/// header extensions (rewrite those for the peer you forward to), and:
///
/// * sequence numbers that continue across switches: the first packet of a new layer follows
///   the highest one forwarded, and within a layer the input's steps are kept, so a packet lost
///   before the selector is a hole the downstream receiver can NACK, and reordered packets keep
///   their place. Packets of the new layer from before its keyframe are dropped. When a switch
///   cuts a frame of the previous layer short, one sequence number is skipped so receivers see
///   that frame as incomplete rather than assembling its head as a whole frame;
/// * timestamps that continue across switches, the new layer's keyframe placed after the
///   newest forwarded frame by the time between their arrivals.
#[derive(Debug, Clone)]
pub struct LayerSelector {
    sw: Switcher,
    seqs: Vec<LayerSeq>,
    /// The segment being forwarded (`None` while no layer is), then older ones.
    base: Option<Segment>,
    history: VecDeque<Segment>,
    /// Highest output sequence number (extended) and whether that packet had the marker bit.
    out_highest: Option<(u64, bool)>,
}

impl LayerSelector {
    /// A selector aiming at the highest layer until told otherwise.
    pub fn new(config: SelectorConfig, now: Instant) -> Self {
        let n = config.rids.len();
        Self {
            sw: Switcher::new(config, now),
            seqs: vec![LayerSeq::default(); n],
            base: None,
            history: VecDeque::new(),
            out_highest: None,
        }
    }

    /// Feeds a received packet of `layer`; returns the packet to forward, or `None` if it is
    /// dropped (another layer is forwarded, it precedes the switch keyframe, or it is bad input;
    /// see [`stats`](Self::stats)). The returned packet borrows the payload.
    pub fn handle_packet<'a>(
        &mut self,
        now: Instant,
        layer: usize,
        packet: &RtpPacket<'a>,
    ) -> Option<RtpPacket<'a>> {
        if !self.sw.on_input(now, layer, packet.payload.len()) {
            return None;
        }
        let h = &packet.header;
        let seq = h.sequence_number;
        let st = &mut self.seqs[layer];
        let mut ext = st.unwrapper.peek(seq);
        if let Some(high) = st.highest
            && ext.abs_diff(high) > MAX_SEQUENCE_JUMP
        {
            if st.probation != Some(seq) {
                st.probation = Some(seq.wrapping_add(1));
                self.sw.stats.sequence_jumps += 1;
                self.sw.refresh(now);
                self.sw.issue_requests(now);
                return None;
            }
            // Two packets in a row agree: the layer restarted its sequence.
            st.unwrapper = SeqUnwrapper::new();
            st.highest = None;
            ext = u64::from(seq);
            if self.sw.current() == Some(layer) {
                self.base = None;
                self.sw.lose_sync(now);
            }
        }
        st.probation = None;
        st.unwrapper.unwrap(seq);
        st.highest = Some(st.highest.map_or(ext, |hi| hi.max(ext)));
        let prev = st.prev.replace((seq, h.timestamp, h.marker));
        let jumped = self.sw.timestamp_jumped(now, layer, h.timestamp);
        self.sw.refresh(now);

        if self.sw.switch_wanted(layer) && self.starts_keyframe(prev, packet) {
            let cut = self.out_highest.is_some_and(|(_, marker)| !marker);
            if cut {
                self.sw.stats.truncated_frames += 1;
            }
            let output = self
                .out_highest
                .map_or(u64::from(self.sw.config.initial_sequence), |(hi, _)| {
                    hi + 1 + u64::from(cut)
                });
            self.sw.switch(now, layer, h.timestamp);
            let segment = Segment {
                layer,
                input: ext,
                output,
                ts_offset: self.sw.ts_offset(),
                skipped: cut,
            };
            if self.history.len() == MAX_SEGMENTS {
                self.history.pop_back();
            }
            self.history.push_front(segment);
            self.base = Some(segment);
        } else if jumped && self.sw.current() == Some(layer) {
            self.sw.stats.timestamp_jumps += 1;
            self.base = None;
            self.sw.lose_sync(now);
            return None;
        }
        self.sw.issue_requests(now);

        if self.sw.current() != Some(layer) {
            self.sw.stats.not_selected += 1;
            return None;
        }
        let base = self.base?;
        if ext < base.input {
            self.sw.stats.before_switch += 1;
            return None;
        }
        let out = ext - base.input + base.output;
        if self.out_highest.is_none_or(|(hi, _)| out > hi) {
            self.out_highest = Some((out, h.marker));
        }
        let mut header = h.clone();
        header.ssrc = self.sw.config.ssrc;
        header.sequence_number = out as u16;
        header.timestamp = self.sw.map_timestamp(now, h.timestamp);
        self.sw.forwarded(layer);
        Some(RtpPacket {
            header,
            payload: packet.payload,
            padding: packet.padding,
        })
    }

    /// The output sequence number `seq` (one forwarded, or a hole in the output) as the layer
    /// and input sequence number it stands for, within the last [`MAX_SEGMENTS`] switches:
    /// what an SFU looks up in its receive buffer to answer a downstream NACK. `None` for a
    /// number not given out yet, skipped at a cut frame, or too old.
    pub fn source_of(&self, seq: u16) -> Option<(usize, u16)> {
        let (hi, _) = self.out_highest?;
        let ext = hi.checked_add_signed(i64::from(seq.wrapping_sub(hi as u16) as i16))?;
        if ext > hi {
            return None;
        }
        let mut end = hi + 1;
        for s in &self.history {
            if ext >= s.output {
                return (ext < end).then(|| (s.layer, (ext - s.output + s.input) as u16));
            }
            if s.skipped && ext + 1 == s.output {
                return None;
            }
            end = s.output - u64::from(s.skipped);
        }
        None
    }

    /// `packet` of `layer` (from the receive buffer, for instance a packet
    /// [`source_of`](Self::source_of) named) rewritten as the output had it, to retransmit
    /// downstream; `None` unless it falls in one of the last [`MAX_SEGMENTS`] switches' ranges
    /// of output already given out.
    pub fn rewrite<'a>(&self, layer: usize, packet: &RtpPacket<'a>) -> Option<RtpPacket<'a>> {
        let (hi, _) = self.out_highest?;
        let seq = packet.header.sequence_number;
        let mut end = hi + 1;
        for s in &self.history {
            let out = s.output + u64::from(seq.wrapping_sub(s.input as u16));
            if s.layer == layer && out < end {
                let mut header = packet.header.clone();
                header.ssrc = self.sw.config.ssrc;
                header.sequence_number = out as u16;
                header.timestamp = header.timestamp.wrapping_add(s.ts_offset);
                return Some(RtpPacket {
                    header,
                    payload: packet.payload,
                    padding: packet.padding,
                });
            }
            end = s.output - u64::from(s.skipped);
        }
        None
    }

    /// Feeds a packet of the layer with RID `rid` (dropped and counted if it is not configured).
    pub fn handle_packet_rid<'a>(
        &mut self,
        now: Instant,
        rid: &str,
        packet: &RtpPacket<'a>,
    ) -> Option<RtpPacket<'a>> {
        let layer = self.sw.config.layer_of(rid).unwrap_or(usize::MAX);
        self.handle_packet(now, layer, packet)
    }

    fn starts_keyframe(&self, prev: Option<(u16, u32, bool)>, packet: &RtpPacket<'_>) -> bool {
        let config = &self.sw.config;
        let pt = packet.header.payload_type;
        let (pt, payload) = if config.red_payload_type == Some(pt) {
            match red_primary(packet.payload) {
                Some(block) => block,
                None => return false,
            }
        } else {
            (pt, packet.payload)
        };
        if config.payload_type.is_some_and(|want| want != pt) {
            return false;
        }
        match keyframe_start(config.codec, payload) {
            KeyframeStart::Yes => true,
            KeyframeStart::No => false,
            KeyframeStart::IfFrameStart => prev.is_some_and(|(seq, ts, marker)| {
                seq.wrapping_add(1) == packet.header.sequence_number
                    && (marker || ts != packet.header.timestamp)
            }),
        }
    }

    shared_selector_methods!();
}
