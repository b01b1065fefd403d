//! Simulcast in, one layer out: the browser sends its camera as several simulcast layers
//! (RFC 8853, one RTP stream per `rid`) on a receive-only transceiver, and the server forwards
//! the layer the page picked on a send-only transceiver of the same connection, through
//! `rtcio_rtp::simulcast::LayerSelector` (switches at a keyframe of the new layer, which it asks
//! for; timestamps continued across switches).
//!
//! The page picks the layer over the data channel `simulcast` (text commands, one reply each):
//! - `layer <rid>`: forward that layer from its next keyframe on; replies `ok <rid>`.
//! - `stats`: replies a JSON object: per rid the SSRC, payload type, packets, payload bytes,
//!   keyframes, retransmissions (RTX, not forwarded) and the width and height of the latest one (read from the VP8 payload header),
//!   packets forwarded; and the forwarded and target rid, the number of switches and the
//!   selector's counters.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use rtcio::RTCDataChannel;
use rtcio::media::{CodecParameters, RTCRtpTransceiver, RtpPacket};
use rtcio_rtp::codec::Codec;
use rtcio_rtp::codec::vp8::{Vp8Descriptor, is_keyframe};
use rtcio_rtp::red::red_primary;
use rtcio_rtp::simulcast::{LayerSelector, SelectorConfig, SelectorEvent};
use serde::Serialize;

/// Most layers (rids) counted per connection; packets of further rids are not counted.
pub const MAX_LAYERS: usize = rtcio_rtp::simulcast::MAX_LAYERS;
/// Most SSRC → rid bindings remembered per connection (a layer and its RTX each take one).
pub const MAX_SSRCS: usize = 16;

/// What was received of one layer.
#[derive(Debug, Default, Clone, Serialize)]
pub struct LayerStats {
    ssrc: u32,
    payload_type: u8,
    packets: u64,
    bytes: u64,
    keyframes: u64,
    retransmissions: u64,
    width: u16,
    height: u16,
    forwarded: u64,
}

#[derive(Debug, Default, Serialize)]
struct State {
    layers: BTreeMap<String, LayerStats>,
    /// The layer being forwarded.
    forwarding: Option<String>,
    /// The layer the page asked for (forwarded from its next keyframe on).
    target: Option<String>,
    switches: u64,
    /// Packets whose layer could not be told (no rid seen for their SSRC yet).
    unknown: u64,
    /// The selector's counters (`Debug` of `SelectorStats`).
    selector: String,
    /// The rids each m-section (by mid) of the remote offer sends, in the offer's order.
    #[serde(skip)]
    offered_rids: HashMap<String, Vec<String>>,
    #[serde(skip)]
    ssrc_rids: HashMap<u32, String>,
}

/// The simulcast state of one connection, shared by its forwarder, its `simulcast` channel and
/// the signaling that reads the rids from the offer.
#[derive(Debug, Default)]
pub struct Layers {
    state: Mutex<State>,
    /// Wakes the forwarder when the target changes.
    retarget: tokio::sync::Notify,
}

impl Layers {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Remembers the rids the remote offer `sdp` sends in each m-section (`a=rid:<id> send`).
    pub fn read_offer(&self, sdp: &str) {
        let Ok(offer) = rtcio_sdp::parse(sdp) else {
            return; // set_remote_description reports the error
        };
        let mut st = self.lock();
        for m in &offer.media {
            let rids: Vec<String> = m
                .rids()
                .filter(|r| r.direction == rtcio_sdp::RidDirection::Send)
                .map(|r| r.id.clone())
                .take(MAX_LAYERS)
                .collect();
            if let Some(mid) = m.mid()
                && !rids.is_empty()
            {
                st.offered_rids.insert(mid.to_owned(), rids);
            }
        }
    }

    /// Forwards `rid` from its next keyframe on.
    pub fn select(&self, rid: &str) {
        self.lock().target = Some(rid.to_owned());
        self.retarget.notify_one();
    }

    /// The stats reply, as JSON.
    pub fn stats_json(&self) -> String {
        serde_json::to_string(&*self.lock()).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }
}

impl State {
    /// The packet's layer: the rid the core bound its SSRC to (from the RtpStreamId extension;
    /// for RTX from RepairedRtpStreamId), else its own rid extension, else the SSRC's binding
    /// seen here.
    fn rid_of(&mut self, p: &RtpPacket) -> Option<String> {
        if let Some(rid) = &p.rid {
            return Some(rid.clone());
        }
        if p.retransmission {
            return p.extensions.repaired_rid.clone();
        }
        let ssrc = p.header.ssrc;
        if let Some(rid) = &p.extensions.rid
            && (self.ssrc_rids.len() < MAX_SSRCS || self.ssrc_rids.contains_key(&ssrc))
        {
            self.ssrc_rids.insert(ssrc, rid.clone());
        }
        p.extensions
            .rid
            .clone()
            .or_else(|| self.ssrc_rids.get(&ssrc).cloned())
    }

    /// Counts a packet of layer `rid` carrying `media` (its codec payload, RED unwrapped).
    fn count(&mut self, rid: &str, p: &RtpPacket, media: Option<&[u8]>, codec: Codec) {
        if !self.layers.contains_key(rid) && self.layers.len() >= MAX_LAYERS {
            return;
        }
        let layer = self.layers.entry(rid.to_owned()).or_default();
        if p.retransmission {
            // Repairs, and the padding browsers send as RTX copies of recent packets to probe
            // bandwidth: not new media.
            layer.retransmissions += 1;
            return;
        }
        layer.ssrc = p.header.ssrc;
        layer.payload_type = p.header.payload_type;
        layer.packets += 1;
        layer.bytes += p.payload.len() as u64;
        if codec == Codec::Vp8
            && let Some((w, h)) = media.and_then(vp8_keyframe_size)
        {
            layer.keyframes += 1;
            (layer.width, layer.height) = (w, h);
        }
    }
}

/// A keyframe's size, if `payload` (a VP8 RTP payload) starts one: the descriptor says the
/// first partition starts here, and the frame header (RFC 6386 §9.1) follows, P bit clear, the
/// start code, then 14-bit width and height.
fn vp8_keyframe_size(payload: &[u8]) -> Option<(u16, u16)> {
    let (d, len) = Vp8Descriptor::parse(payload).ok()?;
    let frame = payload.get(len..)?;
    if !d.start_of_partition || d.partition_index != 0 || !is_keyframe(frame) {
        return None;
    }
    let dim = |i: usize| Some(u16::from_le_bytes([*frame.get(i)?, *frame.get(i + 1)?]) & 0x3fff);
    Some((dim(6)?, dim(8)?))
}

/// The payload formats of the input and output m-sections: the codec forwarded (the input's
/// first media codec), its payload types on the way in and out, and RED, which Chromium wraps
/// video in when RED is negotiated (only as a carrier for ULPFEC: no redundant blocks).
struct Formats {
    codec: Codec,
    input: HashMap<u8, Option<Codec>>,
    red: Vec<u8>,
    output_pt: Option<u8>,
}

impl Formats {
    fn new(input: &[CodecParameters], output: &[CodecParameters]) -> Formats {
        let codec = input
            .iter()
            .find_map(CodecParameters::rtp_codec)
            .unwrap_or(Codec::Vp8);
        Formats {
            codec,
            input: input
                .iter()
                .map(|c| (c.payload_type, c.rtp_codec()))
                .collect(),
            red: input
                .iter()
                .filter(|c| c.name.eq_ignore_ascii_case("red"))
                .map(|c| c.payload_type)
                .collect(),
            output_pt: output
                .iter()
                .find(|c| c.rtp_codec() == Some(codec))
                .map(|c| c.payload_type),
        }
    }

    /// The forwarded codec's payload of a packet: its own, or its RED primary block's; `None`
    /// for other formats and for FEC (the forwarded stream is renumbered, so FEC computed over
    /// the input's sequence numbers would repair nothing).
    fn media<'a>(&self, pt: u8, payload: &'a [u8]) -> Option<&'a [u8]> {
        let (pt, data) = if self.red.contains(&pt) {
            red_primary(payload)?
        } else {
            (pt, payload)
        };
        (self.input.get(&pt).copied().flatten() == Some(self.codec)).then_some(data)
    }
}

/// Forwards one layer of what `input` receives out of `output`'s sender until the input track
/// ends; the browser's keyframe requests on the output go to the forwarded layer's sender.
pub async fn forward(input: RTCRtpTransceiver, output: RTCRtpTransceiver, layers: Arc<Layers>) {
    let receiver = input.receiver();
    let sender = output.sender();
    let formats = Formats::new(&input.sender().codecs(), &sender.codecs());
    let rids = input
        .mid()
        .and_then(|mid| layers.lock().offered_rids.get(&mid).cloned())
        .unwrap_or_default();
    // Lowest quality first, as the page's sendEncodings list them (the W3C examples' order);
    // an explicit `layer <rid>` does not depend on it, falling back to a lower layer does.
    let names: Vec<&str> = rids.iter().map(String::as_str).collect();
    let config = match SelectorConfig::new(formats.codec, sender.ssrc(), &names) {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!("simulcast: no layers to forward ({e}); offered rids {rids:?}");
            return;
        }
    };
    let Some(output_pt) = formats.output_pt else {
        tracing::warn!(
            "simulcast: {:?} is not negotiated on the output",
            formats.codec
        );
        return;
    };
    tracing::info!(
        "simulcast: layers {rids:?} of {:?} forwarded as payload type {output_pt}",
        formats.codec
    );
    let mut selector = LayerSelector::new(config, Instant::now());
    // Keyframe requests of the browser's decoder (the downstream PLIs seen so far).
    let (mut plis_seen, mut plis_open) = (0, true);
    loop {
        let timeout = selector.poll_timeout().map(tokio::time::Instant::from_std);
        let forward = tokio::select! {
            p = receiver.recv_rtp() => match p {
                Some(p) => select_packet(&mut selector, &layers, &formats, &p),
                None => break,
            },
            () = layers.retarget.notified() => {
                let target = layers.lock().target.clone();
                if let Some(layer) = target.and_then(|rid| selector.config().layer_of(&rid)) {
                    selector.set_target_layer(Instant::now(), layer);
                }
                None
            }
            n = sender.keyframe_requested(plis_seen), if plis_open => {
                match n {
                    // Passed on to the forwarded layer as the selector's keyframe request.
                    Some(n) => {
                        plis_seen = n;
                        selector.request_keyframe(Instant::now());
                    }
                    None => plis_open = false,
                }
                None
            }
            () = tokio::time::sleep_until(timeout.unwrap_or_else(tokio::time::Instant::now)),
                if timeout.is_some() => {
                selector.handle_timeout(Instant::now());
                None
            }
        };
        // The selector asks for the keyframe of the layer it waits for (a PLI for that rid's
        // SSRC only).
        while let Some(layer) = selector.poll_keyframe_request() {
            let Some(rid) = selector.config().rids.get(layer).cloned() else {
                continue;
            };
            if let Err(e) = receiver.request_layer_keyframe(&rid).await {
                tracing::debug!("simulcast: keyframe request for {rid:?}: {e}");
            }
        }
        while let Some(event) = selector.poll_event() {
            note_event(&layers, &selector, event);
        }
        if let Some((marker, timestamp, payload)) = forward {
            // Refused before the answer is applied; nothing to do about it here.
            let _ = sender
                .send_rtp(Some(output_pt), marker, timestamp, &payload)
                .await;
        }
    }
    tracing::info!("simulcast forwarding ended: {}", layers.stats_json());
}

/// Counts a received packet and feeds it to the selector; returns what to send (marker,
/// timestamp, payload) if it is forwarded. The sender renumbers what it sends, so the
/// selector's output sequence numbers and SSRC are not used.
fn select_packet(
    selector: &mut LayerSelector,
    layers: &Layers,
    formats: &Formats,
    p: &RtpPacket,
) -> Option<(bool, u32, Vec<u8>)> {
    let mut st = layers.lock();
    let Some(rid) = st.rid_of(p) else {
        st.unknown += 1;
        return None;
    };
    let media = formats.media(p.header.payload_type, &p.payload);
    st.count(&rid, p, media, formats.codec);
    // The sender numbers what it sends itself, so a retransmission forwarded now would land
    // after newer packets as if it were new data; a packet lost on the way in stays missing on
    // the way out and the browser asks for a keyframe (as the echo does).
    if p.retransmission {
        return None;
    }
    let packet = rtcio_rtp::RtpPacket {
        header: p.header.clone(),
        payload: media?,
        padding: 0,
    };
    let out = selector.handle_packet_rid(Instant::now(), &rid, &packet)?;
    if let Some(layer) = st.layers.get_mut(&rid) {
        layer.forwarded += 1;
    }
    Some((
        out.header.marker,
        out.header.timestamp,
        out.payload.to_vec(),
    ))
}

fn note_event(layers: &Layers, selector: &LayerSelector, event: SelectorEvent) {
    let rid = |layer: usize| selector.config().rids.get(layer).cloned();
    let mut st = layers.lock();
    st.selector = format!("{:?}", selector.stats());
    match event {
        SelectorEvent::LayerSwitched { from, to, waited } => {
            tracing::info!(
                "simulcast: forwarding layer {:?} (was {:?}) after waiting {waited:?} for its \
                 keyframe",
                rid(to),
                from.and_then(rid)
            );
            st.forwarding = rid(to);
            st.switches += 1;
        }
        SelectorEvent::LayerInactive { layer } => {
            tracing::info!("simulcast: layer {:?} stopped", rid(layer));
        }
        SelectorEvent::LayerActive { layer } => {
            tracing::info!("simulcast: layer {:?} arrives", rid(layer));
        }
    }
}

/// Serves the `simulcast` channel: `layer <rid>` and `stats`.
pub async fn control(channel: &RTCDataChannel, layers: &Layers) -> Result<(), rtcio::Error> {
    while let Some(m) = channel.recv().await {
        let text = std::str::from_utf8(&m.data).unwrap_or("");
        let reply = if let Some(rid) = text.strip_prefix("layer ") {
            layers.select(rid.trim());
            format!("ok {}", rid.trim())
        } else if text == "stats" {
            layers.stats_json()
        } else {
            format!("error unknown command {text:?}")
        };
        channel.send_text(&reply).await?;
    }
    Ok(())
}
