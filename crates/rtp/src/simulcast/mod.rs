//! Simulcast layer selection (receive side of RFC 8853): N received layers of one source in, one
//! continuous stream out, as an SFU forwards it or a bot consumes it.
//!
//! A browser sending simulcast sends the same video as several independent streams ("layers",
//! one SSRC and RID each, RFC 8851/8852) at different resolutions and bitrates. A receiver that
//! wants one of them at a time, switching as bandwidth or interest changes, must:
//!
//! * switch only at a keyframe of the new layer (its delta frames reference pictures the decoder
//!   never saw), and ask the sender for that keyframe, again while it does not come;
//! * rewrite the output so the decoder sees one stream: one SSRC, sequence numbers that continue
//!   across switches (no holes where the other layers' packets were dropped), RTP timestamps that
//!   continue across switches (each layer has its own random timestamp offset; the gap between
//!   the last forwarded frame and the new layer's keyframe is taken from their arrival times);
//! * notice a layer that stopped (the sender dropped it for lack of bandwidth, or it was lost)
//!   and fall back to the next lower layer that is still arriving. At the start, a target layer
//!   not seen yet is waited for (up to the layer timeout) rather than replaced by a lower one
//!   that happened to arrive first, so the output does not begin with a burst of switches.
//!
//! [`LayerSelector`] does this for packets (an SFU forwarding RTP) and [`FrameLayerSelector`]
//! for assembled frames (an application reading frames from each layer's stream engine). Both
//! share the target logic: an explicit layer ([`Target::Layer`]), or an available bitrate
//! ([`Target::Bitrate`]) from which the highest layer whose measured bitrate fits is chosen,
//! going up only with a margin ([`UPSWITCH_MARGIN_PERCENT`]) so a layer near the limit does not
//! flap. Keyframe detection is codec-aware (VP8, VP9, H.264, AV1), from the payload descriptors
//! the [`codec`](crate::codec) module parses.
//!
//! Layers are indices in ascending quality order (0 = lowest); [`SelectorConfig::new`] takes
//! the RIDs in that order. Like everything in this crate nothing here reads a clock: every call
//! takes `now`. Drain [`LayerSelector::poll_keyframe_request`] (and `poll_event`) after each
//! call, and call `handle_timeout` at `poll_timeout` so inactive layers are noticed and
//! keyframe requests repeated while no packet arrives.
//!
//! Bad input is dropped and counted in [`SelectorStats`]: packets of unknown layers, sequence
//! number jumps over [`MAX_SEQUENCE_JUMP`] (unless the next packet confirms a restart, which
//! then needs a keyframe), timestamp jumps over [`MAX_TIMESTAMP_JUMP`] beyond the elapsed time.
//! State is a fixed amount per layer, at most [`MAX_LAYERS`] layers.
//!
//! ```
//! use std::time::{Duration, Instant};
//! use rtcio_rtp::codec::Codec;
//! use rtcio_rtp::simulcast::{LayerSelector, SelectorConfig};
//! use rtcio_rtp::{RtpHeader, RtpPacket};
//!
//! let now = Instant::now();
//! let config = SelectorConfig::new(Codec::Vp8, 0x5eed, &["q", "h", "f"])?;
//! let mut selector = LayerSelector::new(config, now);
//! selector.set_target_layer(now, 1);
//! // Layer 1 ("h") arrives on its own SSRC with its own sequence and timestamp offsets.
//! let keyframe = [0x10, 0x50, 0x2a, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01];
//! let header = RtpHeader { marker: true, payload_type: 96, ssrc: 0xa1, sequence_number: 9000, timestamp: 123_456, ..Default::default() };
//! let packet = RtpPacket { header, payload: &keyframe, padding: 0 };
//! let out = selector.handle_packet(now, 1, &packet).expect("a keyframe of the target layer");
//! assert_eq!(out.header.ssrc, 0x5eed);
//! assert_eq!(selector.current_layer(), Some(1));
//! // Layer 2 arrives too (a delta frame); it is not forwarded.
//! let delta = [0x10, 0x51, 0x2a, 0x00, 0x77];
//! let header = RtpHeader { marker: true, payload_type: 96, ssrc: 0xa2, sequence_number: 17, timestamp: 999, ..Default::default() };
//! let packet = RtpPacket { header, payload: &delta, padding: 0 };
//! assert!(selector.handle_packet(now, 2, &packet).is_none());
//! // Switching to layer 2 asks for its keyframe and keeps forwarding layer 1 until it comes.
//! selector.set_target_layer(now + Duration::from_millis(10), 2);
//! assert_eq!(selector.poll_keyframe_request(), Some(2));
//! assert_eq!(selector.current_layer(), Some(1));
//! # Ok::<(), rtcio_rtp::RtpError>(())
//! ```

/// The methods both selectors have, delegating to their `Switcher` `sw`
/// (one definition, so the two cannot drift apart).
macro_rules! shared_selector_methods {
    () => {
        /// The configuration.
        pub fn config(&self) -> &SelectorConfig {
            &self.sw.config
        }

        /// Aims at `layer` (clamped to the configured layers); a switch waits for its
        /// keyframe, which is requested at once.
        pub fn set_target_layer(&mut self, now: Instant, layer: usize) {
            self.sw.set_target(now, Target::Layer(layer));
        }

        /// Aims at the highest layer whose measured bitrate fits in `bits_per_second` (see
        /// [`Target::Bitrate`]); call again as the estimate moves.
        pub fn set_available_bitrate(&mut self, now: Instant, bits_per_second: u64) {
            self.sw.set_target(now, Target::Bitrate(bits_per_second));
        }

        /// The current target.
        pub fn target(&self) -> Target {
            self.sw.target()
        }

        /// The layer being forwarded.
        pub fn current_layer(&self) -> Option<usize> {
            self.sw.current()
        }

        /// The layer a switch is waiting for a keyframe of.
        pub fn pending_layer(&self) -> Option<usize> {
            self.sw.pending()
        }

        /// True if `layer` received input within the layer timeout.
        pub fn is_active(&self, now: Instant, layer: usize) -> bool {
            self.sw.is_active(now, layer)
        }

        /// The measured bitrate of `layer` (payload or frame bytes) over the last second, in
        /// bits per second.
        pub fn layer_bitrate(&self, now: Instant, layer: usize) -> u64 {
            self.sw.bitrate(now, layer)
        }

        /// The number of configured layers.
        pub fn layer_count(&self) -> usize {
            self.sw.layer_count()
        }

        /// The consumer of the output lost its picture (a downstream PLI/FIR, a decoder
        /// error): asks the forwarded layer for a keyframe, at most once per retry interval (a
        /// switch in progress brings one anyway).
        pub fn request_keyframe(&mut self, now: Instant) {
            self.sw.request_keyframe(now);
        }

        /// The next layer to ask for a keyframe (send that layer's SSRC a PLI or FIR).
        pub fn poll_keyframe_request(&mut self) -> Option<usize> {
            self.sw.poll_keyframe_request()
        }

        /// The next event.
        pub fn poll_event(&mut self) -> Option<SelectorEvent> {
            self.sw.poll_event()
        }

        /// When to call [`handle_timeout`](Self::handle_timeout).
        pub fn poll_timeout(&self) -> Option<Instant> {
            self.sw.poll_timeout()
        }

        /// Notices layers that stopped and repeats due keyframe requests.
        pub fn handle_timeout(&mut self, now: Instant) {
            self.sw.refresh(now);
            self.sw.issue_requests(now);
        }

        /// The counters.
        pub fn stats(&self) -> SelectorStats {
            self.sw.stats
        }
    };
}

mod frame;
mod keyframe;
mod layers;
mod packet;
mod rate;

use std::time::Duration;

use crate::RtpError;
use crate::codec::Codec;

pub use frame::FrameLayerSelector;
pub use keyframe::{KeyframeStart, keyframe_start};
pub use packet::{LayerSelector, MAX_SEGMENTS};

/// Most layers a selector takes (browsers send at most 3; RFC 8853 sets no limit).
pub const MAX_LAYERS: usize = 8;

/// Default time without packets after which a layer counts as stopped. Browsers send every
/// active layer at 7.5 fps or more, so a second of silence means the layer was dropped.
pub const DEFAULT_LAYER_TIMEOUT: Duration = Duration::from_secs(1);

/// Default interval between keyframe requests for the layer being switched to, while its
/// keyframe has not arrived (a request or the keyframe itself may be lost).
pub const DEFAULT_KEYFRAME_RETRY: Duration = Duration::from_millis(500);

/// A switch up (to a higher layer than the one chosen) under [`Target::Bitrate`] needs the
/// available bitrate to exceed the layer's measured bitrate by this many percent; staying needs
/// only the measured bitrate. The gap is the hysteresis that keeps the choice from flapping.
pub const UPSWITCH_MARGIN_PERCENT: u64 = 20;

/// Largest sequence number step (either way) accepted within a layer; a larger one is dropped
/// unless the packet after it continues from it (a sender restart).
pub const MAX_SEQUENCE_JUMP: u64 = 3000;

/// Largest timestamp step accepted within the forwarded layer beyond the time elapsed since its
/// previous packet; a larger one is dropped and forwarding waits for a keyframe to resync.
pub const MAX_TIMESTAMP_JUMP: Duration = Duration::from_secs(1);

/// Most events queued before the oldest is discarded.
pub const MAX_PENDING_EVENTS: usize = 32;

/// Configuration of a [`LayerSelector`] or [`FrameLayerSelector`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectorConfig {
    /// The codec of every layer (keyframe detection).
    pub codec: Codec,
    /// The RTP clock rate (90 kHz for video).
    pub clock_rate: u32,
    /// The SSRC of the output stream.
    pub ssrc: u32,
    /// The first output sequence number.
    pub initial_sequence: u16,
    /// The layers' RIDs, lowest quality first (empty strings for layers without one).
    pub rids: Vec<String>,
    /// Time without packets after which a layer counts as stopped.
    pub layer_timeout: Duration,
    /// Interval between repeated keyframe requests while a switch waits.
    pub keyframe_retry: Duration,
    /// The codec's payload type, when known: only packets of it (or RED blocks of it) can be
    /// switch points, never FEC or other formats sharing the layer's SSRC.
    pub payload_type: Option<u8>,
    /// The RED payload type (RFC 2198), when negotiated: keyframes are looked for in the
    /// primary block of such packets, which are forwarded as they are.
    pub red_payload_type: Option<u8>,
}

impl SelectorConfig {
    /// A configuration for layers `rids` (lowest quality first, at most [`MAX_LAYERS`], at least
    /// one) of `codec`, forwarded as `ssrc`.
    pub fn new(codec: Codec, ssrc: u32, rids: &[&str]) -> Result<Self, RtpError> {
        if rids.is_empty() {
            return Err(RtpError::Invalid {
                what: "simulcast layer list (empty)",
            });
        }
        if rids.len() > MAX_LAYERS {
            return Err(RtpError::TooMany {
                what: "simulcast layers",
                limit: MAX_LAYERS,
            });
        }
        Ok(Self {
            codec,
            clock_rate: codec.clock_rate(),
            ssrc,
            initial_sequence: 0,
            rids: rids.iter().map(|r| (*r).to_owned()).collect(),
            layer_timeout: DEFAULT_LAYER_TIMEOUT,
            keyframe_retry: DEFAULT_KEYFRAME_RETRY,
            payload_type: None,
            red_payload_type: None,
        })
    }

    /// The layer index of `rid`, if it is one of the configured layers.
    pub fn layer_of(&self, rid: &str) -> Option<usize> {
        self.rids.iter().position(|r| r == rid)
    }
}

/// What the selector aims at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// This layer (or, while it is not arriving, the next lower one that is; nothing if none
    /// is).
    Layer(usize),
    /// The highest layer whose measured bitrate fits in this many bits per second (the lowest
    /// arriving layer if none fits).
    Bitrate(u64),
}

/// What a selector tells the application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelectorEvent {
    /// Forwarding moved to layer `to`, at one of its keyframes.
    LayerSwitched {
        /// The layer forwarded before (`None` at the start or after a resync).
        from: Option<usize>,
        /// The layer forwarded from now on.
        to: usize,
        /// How long the switch waited for the keyframe since it was wanted.
        waited: Duration,
    },
    /// No packet of `layer` arrived for the layer timeout.
    LayerInactive {
        /// The layer.
        layer: usize,
    },
    /// Packets of `layer` arrive (for the first time, or again after it was inactive).
    LayerActive {
        /// The layer.
        layer: usize,
    },
}

/// Counters of a selector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SelectorStats {
    /// Packets (or frames) forwarded.
    pub forwarded: u64,
    /// Forwarded packets (or frames) by layer.
    pub forwarded_by_layer: [u64; MAX_LAYERS],
    /// Dropped because their layer was not the one forwarded.
    pub not_selected: u64,
    /// Dropped because they were older than the keyframe the switch to their layer happened at.
    pub before_switch: u64,
    /// Dropped because their layer index was not configured.
    pub unknown_layer: u64,
    /// Dropped for a sequence number jump over [`MAX_SEQUENCE_JUMP`].
    pub sequence_jumps: u64,
    /// Dropped for a timestamp jump over [`MAX_TIMESTAMP_JUMP`].
    pub timestamp_jumps: u64,
    /// Layer switches (the first layer chosen included).
    pub switches: u64,
    /// Keyframe requests issued.
    pub keyframe_requests: u64,
    /// Switches that cut a frame of the previous layer short (its end was never forwarded; the
    /// packet selector leaves one sequence number unused so receivers see that frame as lost).
    pub truncated_frames: u64,
}

#[cfg(test)]
mod tests;
