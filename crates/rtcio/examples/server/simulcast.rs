//! Simulcast in, one layer out: the browser sends its camera as several simulcast layers
//! (RFC 8853, one RTP stream per `rid`) on a receive-only transceiver, and the server forwards
//! the layer the page picked on a send-only transceiver of the same connection.
//!
//! The page picks the layer over the data channel `simulcast` (text commands, one reply each):
//! - `layer <rid>`: forward that layer from its next keyframe on (one is asked for at once,
//!   and again every [`KEYFRAME_RETRY`] while waiting); replies `ok <rid>`.
//! - `stats`: replies a JSON object: per rid the SSRC, packets, payload bytes, keyframes and
//!   the width and height of the latest one (read from the VP8 payload header), packets
//!   forwarded; and the forwarded and target rid and the number of switches.
//!
//! A switch happens only at the start of a keyframe of the target layer, so the browser's
//! decoder gets a decodable stream; the RTP timestamps are rebased so the forwarded stream's
//! clock keeps going across switches (the layers' timestamps have unrelated random offsets).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use rtcio::media::{CodecParameters, RTCRtpTransceiver, RtpPacket};
use rtcio::{Message, RTCDataChannel};
use rtcio_rtp::codec::vp8::{Vp8Descriptor, is_keyframe};
use serde::Serialize;
use tokio::time::Instant;

/// Most layers (rids) tracked per connection; packets of further rids are not counted.
pub const MAX_LAYERS: usize = 8;
/// Most SSRC → rid bindings remembered per connection (a layer and its RTX each take one).
pub const MAX_SSRCS: usize = 16;
/// How often a keyframe is asked for again while a switch waits for one.
const KEYFRAME_RETRY: Duration = Duration::from_millis(500);
/// The timestamp step put between the last packet of the old layer and the first of the new
/// one: one frame at 30 frames/s on the 90 kHz video clock.
const SWITCH_STEP: u32 = 90_000 / 30;

/// What was received of one layer.
#[derive(Debug, Default, Clone, Serialize)]
pub struct LayerStats {
    ssrc: u32,
    payload_type: u8,
    packets: u64,
    bytes: u64,
    keyframes: u64,
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
    #[serde(skip)]
    ssrc_rids: HashMap<u32, String>,
}

/// The simulcast state of one connection, shared by its forwarder and its `simulcast` channel.
#[derive(Debug, Default)]
pub struct Layers {
    state: Mutex<State>,
    /// Wakes the forwarder when the target changes (to ask for a keyframe at once).
    retarget: tokio::sync::Notify,
}

impl Layers {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
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

/// The block headers of a RED payload (RFC 2198 §3): the offsets of their payload type bytes,
/// and where the primary block's data starts; `None` if malformed.
fn red_blocks(payload: &[u8]) -> Option<(Vec<usize>, usize)> {
    let (mut headers, mut at, mut redundant) = (Vec::new(), 0usize, 0usize);
    loop {
        let b = *payload.get(at)?;
        headers.push(at);
        if b & 0x80 == 0 {
            let start = at + 1 + redundant;
            return (start <= payload.len()).then_some((headers, start));
        }
        let len = payload.get(at + 2..at + 4)?;
        redundant += usize::from(len[0] & 0x03) << 8 | usize::from(len[1]);
        at += 4;
    }
}

/// The payload formats of the input and the output m-section, by name: payload types are
/// mapped from one to the other (browsers use the same numbers in every section, but need
/// not), and VP8 is found inside RED, which Chromium wraps video in when RED is negotiated.
struct Formats {
    input: HashMap<u8, String>,
    output: HashMap<String, u8>,
}

impl Formats {
    fn new(input: &[CodecParameters], output: &[CodecParameters]) -> Formats {
        let name = |c: &CodecParameters| c.name.to_ascii_lowercase();
        Formats {
            input: input.iter().map(|c| (c.payload_type, name(c))).collect(),
            output: output
                .iter()
                .rev()
                .map(|c| (name(c), c.payload_type))
                .collect(),
        }
    }

    fn name(&self, pt: u8) -> &str {
        self.input.get(&pt).map_or("", String::as_str)
    }

    /// The VP8 data of a packet: its payload, or its RED primary block's.
    fn vp8<'a>(&self, pt: u8, payload: &'a [u8]) -> Option<&'a [u8]> {
        match self.name(pt) {
            "vp8" => Some(payload),
            "red" => {
                let (headers, start) = red_blocks(payload)?;
                let primary = payload[*headers.last()?] & 0x7f;
                (self.name(primary) == "vp8").then(|| &payload[start..])
            }
            _ => None,
        }
    }

    /// The packet as it leaves on the output: payload type (and RED's block payload types)
    /// mapped; `None` for a format the output lacks, and for FEC, which would "repair" the
    /// forwarded stream with the input's sequence numbers.
    fn output(&self, pt: u8, payload: &[u8]) -> Option<(u8, Vec<u8>)> {
        let out_pt = *self.output.get(self.name(pt))?;
        let mut out = payload.to_vec();
        match self.name(pt) {
            "ulpfec" | "flexfec-03" => return None,
            "red" => {
                let (headers, _) = red_blocks(payload)?;
                for at in headers {
                    let block = self.name(out[at] & 0x7f);
                    if block == "ulpfec" {
                        return None;
                    }
                    out[at] = out[at] & 0x80 | *self.output.get(block)? & 0x7f;
                }
            }
            _ => {}
        }
        Some((out_pt, out))
    }
}

/// What the forwarder does with one received packet.
enum Verdict {
    /// Send it on, with this timestamp.
    Forward(u32),
    Drop,
}

impl State {
    /// The packet's layer: its rid extension (which binds the SSRC), else the SSRC's binding.
    /// A repaired RTX packet already carries the original SSRC.
    fn rid_of(&mut self, p: &RtpPacket) -> Option<String> {
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

    /// Counts the packet and decides whether it is forwarded; `last_out` is the timestamp of
    /// the latest forwarded packet, `offset` what is added to the forwarded layer's timestamps.
    fn on_packet(
        &mut self,
        p: &RtpPacket,
        vp8: Option<&[u8]>,
        last_out: &mut Option<u32>,
        offset: &mut u32,
    ) -> Verdict {
        let Some(rid) = self.rid_of(p) else {
            self.unknown += 1;
            return Verdict::Drop;
        };
        if !self.layers.contains_key(&rid) && self.layers.len() >= MAX_LAYERS {
            self.unknown += 1;
            return Verdict::Drop;
        }
        let keyframe = vp8.and_then(vp8_keyframe_size);
        let layer = self.layers.entry(rid.clone()).or_default();
        layer.ssrc = p.header.ssrc;
        layer.payload_type = p.header.payload_type;
        layer.packets += 1;
        layer.bytes += p.payload.len() as u64;
        if let Some((w, h)) = keyframe {
            layer.keyframes += 1;
            (layer.width, layer.height) = (w, h);
        }
        // A new target takes over at its keyframe; the first layer ever forwarded is the
        // target, or the first layer seen.
        if self.target.is_none() && self.forwarding.is_none() {
            self.target = Some(rid.clone());
        }
        if self.target.as_deref() == Some(rid.as_str())
            && self.forwarding.as_deref() != Some(rid.as_str())
            && keyframe.is_some()
            && !p.retransmission
        {
            *offset = match *last_out {
                Some(last) => last
                    .wrapping_add(SWITCH_STEP)
                    .wrapping_sub(p.header.timestamp),
                None => 0,
            };
            if self.forwarding.is_some() {
                self.switches += 1;
            }
            tracing::info!(
                "simulcast: forwarding layer {rid:?} from its keyframe {}x{} on (was {:?})",
                layer.width,
                layer.height,
                self.forwarding
            );
            self.forwarding = Some(rid.clone());
        }
        if self.forwarding.as_deref() != Some(rid.as_str()) {
            return Verdict::Drop;
        }
        layer.forwarded += 1;
        let ts = p.header.timestamp.wrapping_add(*offset);
        *last_out = Some(ts);
        Verdict::Forward(ts)
    }

    /// True while a switch waits for the target layer's keyframe.
    fn waiting(&self) -> bool {
        self.target.is_some() && self.target != self.forwarding
    }
}

/// Forwards one layer of what `input` receives out of `output`'s sender until the input track
/// ends; the browser's keyframe requests on the output go to the input's sender.
pub async fn forward(input: RTCRtpTransceiver, output: RTCRtpTransceiver, layers: Arc<Layers>) {
    let receiver = input.receiver();
    let sender = output.sender();
    let formats = Formats::new(&input.sender().codecs(), &sender.codecs());
    let (keyframes_from, keyframes_to) = (sender.clone(), receiver.clone());
    let keyframes = tokio::spawn(async move {
        let mut seen = 0;
        while let Some(n) = keyframes_from.keyframe_requested(seen).await {
            seen = n;
            let _ = keyframes_to.request_keyframe().await;
        }
    });
    let (mut last_out, mut offset) = (None, 0u32);
    let mut asked: Option<Instant> = None;
    loop {
        let p = tokio::select! {
            p = receiver.recv_rtp() => match p {
                Some(p) => p,
                None => break,
            },
            () = layers.retarget.notified() => {
                asked = None;
                continue;
            }
        };
        let vp8 = formats.vp8(p.header.payload_type, &p.payload);
        let (verdict, waiting) = {
            let mut st = layers.lock();
            let v = st.on_packet(&p, vp8, &mut last_out, &mut offset);
            (v, st.waiting())
        };
        // The switch needs a keyframe of the target layer; a PLI names every layer's SSRC and
        // the browser's simulcast encoder answers with keyframes.
        if waiting && asked.is_none_or(|t| t.elapsed() >= KEYFRAME_RETRY) {
            asked = Some(Instant::now());
            if let Err(e) = receiver.request_keyframe().await {
                tracing::debug!("simulcast: keyframe request: {e}");
            }
        }
        if let Verdict::Forward(ts) = verdict
            && let Some((pt, payload)) = formats.output(p.header.payload_type, &p.payload)
        {
            // Refused before the answer is applied; nothing to do about it here.
            let _ = sender
                .send_rtp(Some(pt), p.header.marker, ts, &payload)
                .await;
        }
    }
    keyframes.abort();
    tracing::info!("simulcast forwarding ended: {}", layers.stats_json());
}

/// Serves the `simulcast` channel: `layer <rid>` and `stats`.
pub async fn control(channel: &RTCDataChannel, layers: &Layers) -> Result<(), rtcio::Error> {
    while let Some(m) = channel.recv().await {
        let text = text(&m);
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

fn text(m: &Message) -> &str {
    std::str::from_utf8(&m.data).unwrap_or("")
}
