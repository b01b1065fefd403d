//! One simulcast layer at a time out of a receiver: [`SimulcastReceiver`] wraps the
//! [`RTCRtpReceiver`] of a transceiver that receives simulcast (one RTP stream per rid, RFC 8853)
//! and hands out a single continuous stream of the layer it targets, switching at keyframes.
//!
//! The selection is rtcio-rtp's sans-IO [`LayerSelector`] (packets) and [`FrameLayerSelector`]
//! (frames); this layer feeds them what the receiver got, with the time, sends the keyframe
//! requests they ask for to the right layer (a PLI for that rid's SSRC), and wakes up at their
//! timeouts so a layer that stopped is noticed even while nothing arrives.

use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

use rtcio_rtp::simulcast::{FrameLayerSelector, LayerSelector, SelectorConfig};

use super::{Codec, EncodedFrame, RTCRtpReceiver, RTCRtpTransceiver, RtpPacket};
use crate::Error;

pub use rtcio_rtp::simulcast::{
    DEFAULT_KEYFRAME_RETRY, DEFAULT_LAYER_TIMEOUT, MAX_LAYERS, SelectorEvent, SelectorStats,
    Target, UPSWITCH_MARGIN_PERCENT,
};

/// The selectors, behind a lock never held across an `.await`.
#[derive(Debug)]
struct Selectors {
    packets: LayerSelector,
    frames: FrameLayerSelector,
}

/// A receiver's simulcast layers as one stream (see the [module documentation](self)).
///
/// Read either packets ([`recv_rtp`](Self::recv_rtp), for forwarding: sequence numbers and
/// timestamps rewritten to continue across switches) or frames
/// ([`recv_frame`](Self::recv_frame), for decoding: timestamps continuous), not both: each
/// reads the receiver's queue of its kind. The layers are named by the rids given at
/// construction, lowest quality first.
#[derive(Debug)]
pub struct SimulcastReceiver {
    receiver: RTCRtpReceiver,
    rids: Vec<String>,
    state: Mutex<Selectors>,
}

impl SimulcastReceiver {
    /// Selects among `rids` (lowest quality first, at most [`MAX_LAYERS`]) of what `transceiver`
    /// receives, whose layers carry `codec`. The output of [`recv_rtp`](Self::recv_rtp) carries
    /// SSRC `ssrc`. Keyframes are looked for in packets of the codec's negotiated payload type
    /// and, when RED is negotiated (browsers then wrap video in it), in RED's primary block;
    /// packets are forwarded as they came (RED and FEC included). Aims at the highest layer
    /// until told otherwise.
    pub fn new(
        transceiver: &RTCRtpTransceiver,
        codec: Codec,
        rids: &[&str],
        ssrc: u32,
    ) -> Result<SimulcastReceiver, Error> {
        let mut config =
            SelectorConfig::new(codec, ssrc, rids).map_err(|e| Error::Type(e.to_string()))?;
        let codecs = transceiver.sender().codecs();
        let mut same = codecs.iter().filter(|c| c.rtp_codec() == Some(codec));
        // Several payload types of one codec (H.264 profiles): any of them may start a switch.
        config.payload_type = match (same.next(), same.next()) {
            (Some(c), None) => Some(c.payload_type),
            _ => None,
        };
        config.red_payload_type = codecs
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case("red"))
            .map(|c| c.payload_type);
        let receiver = transceiver.receiver();
        let now = Instant::now();
        Ok(SimulcastReceiver {
            receiver,
            rids: config.rids.clone(),
            state: Mutex::new(Selectors {
                packets: LayerSelector::new(config.clone(), now),
                frames: FrameLayerSelector::new(config, now),
            }),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Selectors> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn layer(&self, rid: &str) -> Result<usize, Error> {
        self.rids
            .iter()
            .position(|r| r == rid)
            .ok_or_else(|| Error::Type(format!("unknown simulcast layer {rid:?}")))
    }

    /// Forwards layer `rid` from its next keyframe on (asked for at once).
    pub async fn set_target_layer(&self, rid: &str) -> Result<(), Error> {
        let layer = self.layer(rid)?;
        {
            let mut st = self.lock();
            let now = Instant::now();
            st.packets.set_target_layer(now, layer);
            st.frames.set_target_layer(now, layer);
        }
        self.send_keyframe_requests().await;
        Ok(())
    }

    /// Forwards the highest layer whose measured bitrate fits in `bits_per_second` (going up
    /// only with [`UPSWITCH_MARGIN_PERCENT`] to spare); call again as the estimate moves.
    pub async fn set_available_bitrate(&self, bits_per_second: u64) {
        {
            let mut st = self.lock();
            let now = Instant::now();
            st.packets.set_available_bitrate(now, bits_per_second);
            st.frames.set_available_bitrate(now, bits_per_second);
        }
        self.send_keyframe_requests().await;
    }

    /// The target.
    pub fn target(&self) -> Target {
        self.lock().packets.target()
    }

    /// The rid of the layer [`recv_rtp`](Self::recv_rtp) forwards now.
    pub fn current_layer(&self) -> Option<String> {
        let layer = self.lock().packets.current_layer()?;
        self.rids.get(layer).cloned()
    }

    /// The rid of the layer [`recv_frame`](Self::recv_frame) forwards now.
    pub fn current_frame_layer(&self) -> Option<String> {
        let layer = self.lock().frames.current_layer()?;
        self.rids.get(layer).cloned()
    }

    /// The measured bitrate of layer `rid` (RTP payload) over the last second, in bits per
    /// second.
    pub fn layer_bitrate(&self, rid: &str) -> Result<u64, Error> {
        let layer = self.layer(rid)?;
        Ok(self.lock().packets.layer_bitrate(Instant::now(), layer))
    }

    /// The counters of the packet selection and of the frame selection.
    pub fn stats(&self) -> (SelectorStats, SelectorStats) {
        let st = self.lock();
        (st.packets.stats(), st.frames.stats())
    }

    /// The next event of the packet selection (switches, layers stopping and starting).
    pub fn poll_event(&self) -> Option<SelectorEvent> {
        self.lock().packets.poll_event()
    }

    /// The consumer of the output lost its picture (a downstream PLI, a decoder error): asks
    /// the forwarded layer for a keyframe (at most once per [`DEFAULT_KEYFRAME_RETRY`]).
    pub async fn request_keyframe(&self) {
        {
            let mut st = self.lock();
            let now = Instant::now();
            st.packets.request_keyframe(now);
            st.frames.request_keyframe(now);
        }
        self.send_keyframe_requests().await;
    }

    /// Sends a PLI to each layer a selector asked a keyframe of.
    async fn send_keyframe_requests(&self) {
        let mut layers = 0u32;
        {
            let mut st = self.lock();
            while let Some(l) = st.packets.poll_keyframe_request() {
                layers |= 1 << l;
            }
            while let Some(l) = st.frames.poll_keyframe_request() {
                layers |= 1 << l;
            }
        }
        for (l, rid) in self.rids.iter().enumerate() {
            if layers & (1 << l) != 0 {
                // An error only says nothing of that layer arrived yet: the selector asks again.
                let _ = self.receiver.request_layer_keyframe(rid).await;
            }
        }
    }

    /// Runs the selectors' timers that are due; returns when the next one is.
    async fn run_timers(&self) -> Option<Instant> {
        let due = {
            let mut st = self.lock();
            let now = Instant::now();
            if st.packets.poll_timeout().is_some_and(|t| t <= now) {
                st.packets.handle_timeout(now);
            }
            if st.frames.poll_timeout().is_some_and(|t| t <= now) {
                st.frames.handle_timeout(now);
            }
            [st.packets.poll_timeout(), st.frames.poll_timeout()]
                .into_iter()
                .flatten()
                .min()
        };
        self.send_keyframe_requests().await;
        due
    }

    /// The next packet of the forwarded layer, rewritten: the configured SSRC, sequence numbers
    /// and timestamps continuing across switches (RTX repairs included, in their place).
    /// `None` once the track ended.
    pub async fn recv_rtp(&self) -> Option<RtpPacket> {
        loop {
            let due = self.run_timers().await;
            let packet = match due {
                Some(at) => tokio::select! {
                    p = self.receiver.recv_rtp() => p?,
                    _ = tokio::time::sleep_until(at.into()) => continue,
                },
                None => self.receiver.recv_rtp().await?,
            };
            let layer = packet.rid.as_deref().and_then(|r| self.layer(r).ok());
            let header = {
                let mut st = self.lock();
                let view = rtcio_rtp::RtpPacket {
                    header: packet.header.clone(),
                    payload: &packet.payload,
                    padding: 0,
                };
                st.packets
                    .handle_packet(Instant::now(), layer.unwrap_or(usize::MAX), &view)
                    .map(|out| out.header)
            };
            self.send_keyframe_requests().await;
            if let Some(header) = header {
                return Some(RtpPacket { header, ..packet });
            }
        }
    }

    /// The next frame of the forwarded layer, its timestamp continuing across switches (the
    /// first frame after a switch is the new layer's keyframe). `None` once the track ended.
    pub async fn recv_frame(&self) -> Option<EncodedFrame> {
        loop {
            let due = self.run_timers().await;
            let frame = match due {
                Some(at) => tokio::select! {
                    f = self.receiver.recv_frame() => f?,
                    _ = tokio::time::sleep_until(at.into()) => continue,
                },
                None => self.receiver.recv_frame().await?,
            };
            let layer = frame.rid.as_deref().and_then(|r| self.layer(r).ok());
            let ts = self.lock().frames.select(
                Instant::now(),
                layer.unwrap_or(usize::MAX),
                frame.timestamp,
                frame.keyframe,
                frame.data.len(),
            );
            self.send_keyframe_requests().await;
            if let Some(timestamp) = ts {
                return Some(EncodedFrame { timestamp, ..frame });
            }
        }
    }
}
