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
    Rid, RidDirection, RidParam, Simulcast, SimulcastList, SimulcastRid, SimulcastStream,
};

use super::codec::CodecParameters;
use super::section::RemoteMedia;

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
