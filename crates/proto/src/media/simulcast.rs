//! Simulcast negotiation with rids (RFC 8853, RFC 8851; JSEP RFC 8829 §5.2.1, §5.3.1, §5.10).
//!
//! An offerer that sends several encodings of one track lists them as `a=rid:<id> send` with
//! `a=simulcast:send a;b;c`. The answerer takes the rids it can receive and lists them as
//! `a=rid:<id> recv` with `a=simulcast:recv …`, in the same order, keeping `~` (paused) marks;
//! rids whose restrictions it cannot meet (a `pt=` list without a negotiated codec) are left
//! out. An answer without `a=simulcast` declines simulcast: the offerer then sends only its
//! first encoding.

use rtcio_rtp::ExtensionKind;
use rtcio_sdp::{
    Extmap, Rid, RidDirection, RidParam, Simulcast, SimulcastList, SimulcastRid, SimulcastStream,
};

use super::TrackKind;
use super::codec::CodecParameters;
use super::section::RemoteMedia;
use super::transceiver::SendLayer;
use crate::peer::Error;

/// Most encodings (simulcast layers) one sender sends; `sendEncodings` beyond it are dropped
/// (W3C `addTransceiver` truncates to the implementation's maximum). Browsers stop at four.
pub const MAX_ENCODINGS: usize = 4;

/// Longest rid accepted in `sendEncodings` (RFC 8852 rids travel in a one-byte-header
/// extension element of at most 16 bytes).
pub const MAX_RID_LEN: usize = 16;

/// W3C `RTCRtpEncodingParameters` of a sender.
#[derive(Debug, Clone, PartialEq)]
pub struct SendEncoding {
    /// `rid`: required when there are several encodings.
    pub rid: Option<String>,
    /// `active`: whether the encoding is sent.
    pub active: bool,
    /// `maxBitrate` in bit/s: caps this encoding's share of the congestion controller's target.
    pub max_bitrate: Option<u64>,
    /// `scaleResolutionDownBy` (video, ≥ 1): kept for the frame source; rtcio carries encoded
    /// frames, so the encoder that honours it comes with the codecs.
    pub scale_resolution_down_by: Option<f64>,
    /// `maxFramerate`: kept for the frame source, like `scale_resolution_down_by`.
    pub max_framerate: Option<f64>,
}

impl Default for SendEncoding {
    fn default() -> Self {
        SendEncoding {
            rid: None,
            active: true,
            max_bitrate: None,
            scale_resolution_down_by: None,
            max_framerate: None,
        }
    }
}

impl SendEncoding {
    /// An active encoding named `rid`.
    pub fn with_rid(rid: &str) -> SendEncoding {
        SendEncoding {
            rid: Some(rid.to_string()),
            ..SendEncoding::default()
        }
    }
}

/// Checks and completes `sendEncodings` as W3C `addTransceiver` does: at most
/// [`MAX_ENCODINGS`] (the rest dropped); with several, every encoding has a rid; rids are
/// RFC 8851 `rid-id`s of at most [`MAX_RID_LEN`] bytes and unique (`TypeError`);
/// `scaleResolutionDownBy` is at least 1 (`RangeError`, reported as `Type`) and dropped for
/// audio; for video without any, the encodings get 2^(n-1-i) (lowest resolution first). An
/// empty list becomes one default encoding.
pub fn validate_encodings(
    kind: TrackKind,
    mut encodings: Vec<SendEncoding>,
) -> Result<Vec<SendEncoding>, Error> {
    if encodings.is_empty() {
        return Ok(vec![SendEncoding::default()]);
    }
    encodings.truncate(MAX_ENCODINGS);
    let n = encodings.len();
    for (i, e) in encodings.iter().enumerate() {
        match &e.rid {
            None if n > 1 => {
                return Err(Error::Type(format!("encoding {i} has no rid")));
            }
            None => {}
            Some(rid) => {
                let valid = !rid.is_empty()
                    && rid.len() <= MAX_RID_LEN
                    && rid
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
                if !valid {
                    return Err(Error::Type(format!("invalid rid {rid:?}")));
                }
                if encodings[..i].iter().any(|o| o.rid.as_ref() == Some(rid)) {
                    return Err(Error::Type(format!("duplicate rid {rid}")));
                }
            }
        }
        if let Some(scale) = e.scale_resolution_down_by
            && (scale.is_nan() || scale < 1.0)
        {
            return Err(Error::Type(format!(
                "RangeError: scaleResolutionDownBy {scale} is below 1"
            )));
        }
        if e.max_framerate.is_some_and(|f| f.is_nan() || f < 0.0) {
            return Err(Error::Type("RangeError: maxFramerate is negative".into()));
        }
    }
    match kind {
        TrackKind::Audio => {
            for e in &mut encodings {
                e.scale_resolution_down_by = None;
            }
        }
        TrackKind::Video => {
            if encodings
                .iter()
                .all(|e| e.scale_resolution_down_by.is_none())
            {
                for (i, e) in encodings.iter_mut().enumerate() {
                    e.scale_resolution_down_by = Some(f64::from(1u32 << (n - 1 - i)));
                }
            }
        }
    }
    Ok(encodings)
}

/// W3C `RTCRtcpParameters`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RtcpParameters {
    /// `cname`.
    pub cname: String,
    /// `reducedSize` (we always negotiate `a=rtcp-rsize`).
    pub reduced_size: bool,
}

/// W3C `RTCRtpSendParameters`.
#[derive(Debug, Clone, PartialEq)]
pub struct SendParameters {
    /// `transactionId`: `setParameters` takes only the latest `getParameters`'s.
    pub transaction_id: String,
    /// `encodings`.
    pub encodings: Vec<SendEncoding>,
    /// `codecs`: the negotiated ones (read-only).
    pub codecs: Vec<CodecParameters>,
    /// `headerExtensions`: the negotiated ones (read-only).
    pub header_extensions: Vec<Extmap>,
    /// `rtcp` (read-only).
    pub rtcp: RtcpParameters,
}

/// Splits a congestion-control `target` (bit/s) over a sender's layers, in their order: the
/// sending ones (negotiated and active) get it lowest resolution first (largest
/// `scaleResolutionDownBy`), each up to its `maxBitrate`; the others get 0. What is left once
/// every layer is at its cap stays unallocated.
pub fn allocate(layers: &[SendLayer], target: u64) -> Vec<u64> {
    let mut order: Vec<usize> = (0..layers.len()).filter(|&i| layers[i].sending()).collect();
    let scale = |i: usize| layers[i].encoding.scale_resolution_down_by.unwrap_or(1.0);
    order.sort_by(|&a, &b| scale(b).total_cmp(&scale(a)).then(a.cmp(&b)));
    let mut out = vec![0; layers.len()];
    let mut left = target;
    for (k, &i) in order.iter().enumerate() {
        let last = k + 1 == order.len();
        let cap = layers[i].encoding.max_bitrate;
        // Uncapped layers below the top one share what is left with those above: they take
        // an equal share, the top one the rest.
        let share = match cap {
            Some(c) => c.min(left),
            None if last => left,
            None => left / (order.len() - k) as u64,
        };
        out[i] = share;
        left -= share;
    }
    out
}

/// The `a=rid:<id> send` lines and `a=simulcast:send` list an offer writes for a sender with
/// several encodings; `None` for one.
pub fn offer_send(encodings: &[SendEncoding]) -> Option<(Vec<Rid>, Simulcast)> {
    if encodings.len() < 2 {
        return None;
    }
    let rids: Vec<Rid> = encodings
        .iter()
        .filter_map(|e| e.rid.as_ref())
        .map(|r| Rid::new(r.clone(), RidDirection::Send))
        .collect();
    let streams = rids
        .iter()
        .map(|r| SimulcastStream {
            alternatives: vec![SimulcastRid {
                id: r.id.clone(),
                paused: false,
            }],
        })
        .collect();
    let simulcast = Simulcast {
        lists: vec![SimulcastList {
            direction: RidDirection::Send,
            streams,
        }],
    };
    Some((rids, simulcast))
}

/// One negotiated simulcast layer: its rid and whether it starts paused (`~`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layer {
    /// The RTP stream id.
    pub rid: String,
    /// Listed as paused: the layer is negotiated but not sent for now.
    pub paused: bool,
}

/// Whether the section negotiates the RtpStreamId header extension, without which rids
/// cannot be told apart on the wire (RFC 8853 §5.2).
fn has_rid_extension(remote: &RemoteMedia) -> bool {
    remote
        .extmaps
        .iter()
        .any(|e| ExtensionKind::from_uri(&e.uri) == Some(ExtensionKind::Rid))
}

/// The answer to an offered section that sends simulcast: the `a=rid:<id> recv` lines and the
/// `a=simulcast:recv` list, given the codecs the answer negotiated. `None` when the offer does
/// not send simulcast, does not negotiate the rid extension, or no rid remains.
pub fn answer_recv(
    remote: &RemoteMedia,
    codecs: &[CodecParameters],
) -> Option<(Vec<Rid>, Simulcast)> {
    let offered = remote.simulcast.as_ref()?.send()?;
    if !has_rid_extension(remote) {
        return None;
    }
    let accepted: Vec<u8> = codecs
        .iter()
        .filter(|c| !c.is_pass_through())
        .map(|c| c.payload_type)
        .collect();
    let mut rids: Vec<Rid> = Vec::new();
    let mut streams = Vec::new();
    for stream in offered {
        let mut alternatives = Vec::new();
        for alt in &stream.alternatives {
            let Some(rid) = remote
                .rids
                .iter()
                .find(|r| r.id == alt.id && r.direction == RidDirection::Send)
            else {
                continue;
            };
            if rids.iter().any(|r| r.id == rid.id) {
                continue;
            }
            let mut answered = Rid::new(rid.id.clone(), RidDirection::Recv);
            let offered_pts = rid.payload_types();
            if !offered_pts.is_empty() {
                let pts: Vec<String> = offered_pts
                    .iter()
                    .filter(|pt| accepted.contains(pt))
                    .map(u8::to_string)
                    .collect();
                if pts.is_empty() {
                    continue;
                }
                answered.params.push(RidParam {
                    name: "pt".into(),
                    value: Some(pts.join(",")),
                });
            }
            // Resolution and rate restrictions bind the sender; a receiver takes whatever
            // arrives, so they are not repeated (RFC 8851 §4: the answerer may drop them).
            rids.push(answered);
            alternatives.push(SimulcastRid {
                id: alt.id.clone(),
                paused: alt.paused,
            });
        }
        if !alternatives.is_empty() {
            streams.push(SimulcastStream { alternatives });
        }
    }
    if streams.is_empty() {
        return None;
    }
    let simulcast = Simulcast {
        lists: vec![SimulcastList {
            direction: RidDirection::Recv,
            streams,
        }],
    };
    Some((rids, simulcast))
}

/// The layers of a section's simulcast list in `direction` (every alternative, in order);
/// empty without one.
pub fn layers(section: &RemoteMedia, direction: RidDirection) -> Vec<Layer> {
    let Some(s) = &section.simulcast else {
        return Vec::new();
    };
    let list = match direction {
        RidDirection::Send => s.send(),
        RidDirection::Recv => s.recv(),
    };
    list.unwrap_or_default()
        .iter()
        .flat_map(|st| &st.alternatives)
        .map(|a| Layer {
            rid: a.id.clone(),
            paused: a.paused,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::TrackKind;
    use crate::media::codec::{default_codecs, negotiate};
    use rtcio_sdp::SessionDescription;

    fn fixture(name: &str) -> SessionDescription {
        let path = format!(
            "{}/../sdp/tests/fixtures/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(path).expect("fixture");
        SessionDescription::parse(&text).expect("fixture parses")
    }

    fn layer(scale: f64, max: Option<u64>, sending: bool) -> SendLayer {
        SendLayer {
            encoding: SendEncoding {
                scale_resolution_down_by: Some(scale),
                max_bitrate: max,
                ..SendEncoding::default()
            },
            ssrc: 1,
            rtx_ssrc: 2,
            sequence: 0,
            negotiated: sending,
        }
    }

    #[test]
    fn allocation_fills_low_layers_first_up_to_their_caps() {
        // Listed high first: the low layer (scale 4) is served first.
        let layers = [
            layer(1.0, None, true),
            layer(2.0, Some(300_000), true),
            layer(4.0, Some(100_000), true),
        ];
        assert_eq!(allocate(&layers, 1_000_000), [600_000, 300_000, 100_000]);
        // A target below the caps starves the top layer, not the bottom one.
        assert_eq!(allocate(&layers, 250_000), [0, 150_000, 100_000]);
        // Layers not sent get nothing; every layer capped leaves the rest unallocated.
        let capped = [
            layer(1.0, Some(500_000), false),
            layer(2.0, Some(300_000), true),
            layer(4.0, Some(100_000), true),
        ];
        assert_eq!(allocate(&capped, 1_000_000), [0, 300_000, 100_000]);
    }

    #[test]
    fn answers_chromium_send_simulcast_with_the_same_rids() {
        let sdp = fixture("handmade-chromium-simulcast-offer.sdp");
        let video = RemoteMedia::read(&sdp.media[1]).unwrap();
        let codecs = negotiate(&default_codecs(TrackKind::Video), &video.codecs);
        let (rids, simulcast) = answer_recv(&video, &codecs).unwrap();
        let lines: Vec<String> = rids.iter().map(ToString::to_string).collect();
        assert_eq!(lines, vec!["q recv", "h recv", "f recv pt=96,98"]);
        assert_eq!(simulcast.to_string(), "recv q;h;~f");

        // Restricted to a codec we do not take: that rid is dropped.
        let mut vp9_only = video.clone();
        vp9_only.rids[2].params[0].value = Some("98".into());
        let vp8 = negotiate(&default_codecs(TrackKind::Video)[..1], &video.codecs);
        let (rids, simulcast) = answer_recv(&vp9_only, &vp8).unwrap();
        assert_eq!(rids.len(), 2);
        assert_eq!(simulcast.to_string(), "recv q;h");

        // Without the rid extension there is no simulcast.
        let mut no_ext = video.clone();
        no_ext.extmaps.retain(|e| !e.uri.contains("rtp-stream-id"));
        assert!(answer_recv(&no_ext, &codecs).is_none());
        // And the audio section offers none.
        let audio = RemoteMedia::read(&sdp.media[0]).unwrap();
        assert!(answer_recv(&audio, &codecs).is_none());
    }
}
