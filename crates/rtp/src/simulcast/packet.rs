//! The packet-level selector: received RTP of every layer in, the rewritten RTP of one out.

use std::time::Instant;

use super::keyframe::{KeyframeStart, keyframe_start};
use super::layers::Switcher;
use super::{MAX_SEQUENCE_JUMP, SelectorConfig, SelectorEvent, SelectorStats, Target};
use crate::packet::RtpPacket;
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

/// Where the forwarded layer's sequence numbers map onto the output's.
#[derive(Debug, Clone, Copy)]
struct SeqBase {
    /// Extended input sequence number of the keyframe the switch happened at.
    input: u64,
    /// The output sequence number it was given.
    output: u64,
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
    base: Option<SeqBase>,
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
            self.base = Some(SeqBase { input: ext, output });
            self.sw.switch(now, layer, h.timestamp);
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
        match keyframe_start(self.sw.config.codec, packet.payload) {
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
