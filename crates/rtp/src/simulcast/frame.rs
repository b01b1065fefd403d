//! The frame-level selector: assembled frames of every layer in, the frames of one out.

use std::time::Instant;

use super::layers::Switcher;
use super::{SelectorConfig, SelectorEvent, SelectorStats, Target};
use crate::codec::EncodedFrame;

/// Turns the assembled frames of N simulcast layers (each layer's frames in order, as a
/// [`ReceiveStream`](crate::stream::ReceiveStream) delivers them) into one frame stream (see the
/// [module documentation](super)).
///
/// Switches happen at frames flagged `keyframe`. Output frames carry the configured SSRC and a
/// continuous RTP timestamp (strictly increasing: a frame of the forwarded layer not newer than
/// the last one forwarded is dropped); their sequence fields stay the input layer's.
#[derive(Debug, Clone)]
pub struct FrameLayerSelector {
    sw: Switcher,
    /// Timestamp of the last frame forwarded (output clock).
    last_out: Option<u32>,
}

impl FrameLayerSelector {
    /// A selector aiming at the highest layer until told otherwise.
    pub fn new(config: SelectorConfig, now: Instant) -> Self {
        Self {
            sw: Switcher::new(config, now),
            last_out: None,
        }
    }

    /// Feeds a frame of `layer`, received (completed) at `now`; returns it rewritten if it is to
    /// be forwarded.
    pub fn handle_frame(
        &mut self,
        now: Instant,
        layer: usize,
        mut frame: EncodedFrame,
    ) -> Option<EncodedFrame> {
        let ts = self.select(
            now,
            layer,
            frame.rtp_timestamp,
            frame.keyframe,
            frame.data.len(),
        )?;
        frame.rtp_timestamp = ts;
        frame.ssrc = self.sw.config.ssrc;
        Some(frame)
    }

    /// [`handle_frame`](Self::handle_frame) for callers with their own frame type: a frame of
    /// `layer` with RTP timestamp `timestamp`, keyframe flag and size in bytes; returns the
    /// output timestamp if the frame is to be forwarded.
    pub fn select(
        &mut self,
        now: Instant,
        layer: usize,
        timestamp: u32,
        keyframe: bool,
        bytes: usize,
    ) -> Option<u32> {
        if !self.sw.on_input(now, layer, bytes) {
            return None;
        }
        let jumped = self.sw.timestamp_jumped(now, layer, timestamp);
        self.sw.refresh(now);
        if self.sw.switch_wanted(layer) && keyframe {
            self.sw.switch(now, layer, timestamp);
        } else if jumped && self.sw.current() == Some(layer) {
            self.sw.stats.timestamp_jumps += 1;
            self.sw.lose_sync(now);
            return None;
        }
        self.sw.issue_requests(now);
        if self.sw.current() != Some(layer) {
            self.sw.stats.not_selected += 1;
            return None;
        }
        let out = self.sw.map_timestamp(now, timestamp);
        if self
            .last_out
            .is_some_and(|last| out == last || out.wrapping_sub(last) >= 0x8000_0000)
        {
            self.sw.stats.before_switch += 1;
            return None;
        }
        self.last_out = Some(out);
        self.sw.forwarded(layer);
        Some(out)
    }

    /// Feeds a frame of the layer with RID `rid` (dropped and counted if it is not configured).
    pub fn handle_frame_rid(
        &mut self,
        now: Instant,
        rid: &str,
        frame: EncodedFrame,
    ) -> Option<EncodedFrame> {
        let layer = self.sw.config.layer_of(rid).unwrap_or(usize::MAX);
        self.handle_frame(now, layer, frame)
    }

    shared_selector_methods!();
}
