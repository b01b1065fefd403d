//! Audio/video m-sections: what we write (RFC 8829 §5.2.1 and §5.3.1) and what we read from the
//! peer's.
//!
//! Transport lines (ICE, DTLS, candidates) are the same in every bundled section and are added
//! by the description builder; this module writes the RTP part.

use rtcio_sdp::{
    Attribute, Direction, Extmap, Fmtp, MediaDescription, MediaKind, Msid, Protocol, Rid,
    RidDirection, RtcpFb, RtpMap, Simulcast, SsrcAttribute, SsrcGroup,
};

use super::TrackKind;
use super::codec::{CodecParameters, codecs_of};

/// Most `a=rid` lines read from one remote m-section (browsers offer up to four layers); more
/// are ignored.
pub const MAX_REMOTE_RIDS_PER_SECTION: usize = 8;

/// Most SSRCs read from one remote m-section (`a=ssrc` lines name a few per section; simulcast
/// with RTX needs six). More are ignored, so hostile SDP cannot grow the routing table.
pub const MAX_REMOTE_SSRCS_PER_SECTION: usize = 32;

/// One local audio/video m-section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaSection {
    /// Its mid.
    pub mid: String,
    /// Audio or video.
    pub kind: TrackKind,
    /// The direction attribute.
    pub direction: Direction,
    /// Codecs in preference order, with their payload types.
    pub codecs: Vec<CodecParameters>,
    /// `a=extmap` lines.
    pub extmaps: Vec<Extmap>,
    /// `a=msid` (when the sender has a track).
    pub msid: Option<Msid>,
    /// (media SSRC, RTX SSRC, cname) when the section sends.
    pub ssrcs: Option<(u32, Option<u32>, String)>,
    /// `a=rid` lines (RFC 8851): the layers sent (offer) or accepted for receiving (answer).
    pub rids: Vec<Rid>,
    /// `a=simulcast` (RFC 8853), when the section sends or receives several rids.
    pub simulcast: Option<Simulcast>,
}

impl MediaSection {
    /// The `m=` line and the RTP lines; transport lines are added by the caller.
    pub fn write(&self, port: u16) -> MediaDescription {
        let mut formats = Vec::new();
        for c in &self.codecs {
            formats.push(c.payload_type.to_string());
            if let Some(rtx) = c.rtx_payload_type {
                formats.push(rtx.to_string());
            }
        }
        let mut m = MediaDescription::new(
            self.kind.media_kind(),
            port,
            Protocol::UdpTlsRtpSavpf,
            formats,
        );
        m.push_attribute(Attribute::Mid(self.mid.clone()));
        for e in &self.extmaps {
            m.push_attribute(Attribute::Extmap(e.clone()));
        }
        m.push_attribute(Attribute::Direction(self.direction));
        if let Some(msid) = &self.msid {
            m.push_attribute(Attribute::Msid(msid.clone()));
        }
        m.push_attribute(Attribute::RtcpMux);
        m.push_attribute(Attribute::RtcpRsize);
        for c in &self.codecs {
            push_codec(&mut m, c);
        }
        if let Some((ssrc, rtx, cname)) = &self.ssrcs {
            if let Some(rtx) = rtx {
                m.push_attribute(Attribute::SsrcGroup(SsrcGroup {
                    semantics: "FID".into(),
                    ssrcs: vec![*ssrc, *rtx],
                }));
            }
            for s in std::iter::once(*ssrc).chain(*rtx) {
                m.push_attribute(Attribute::Ssrc(SsrcAttribute::new(s, "cname", cname)));
                if let Some(msid) = &self.msid {
                    let value = match &msid.track_id {
                        Some(t) => format!("{} {t}", msid.stream_id),
                        None => msid.stream_id.clone(),
                    };
                    m.push_attribute(Attribute::Ssrc(SsrcAttribute::new(s, "msid", &value)));
                }
            }
        }
        for r in &self.rids {
            m.push_attribute(Attribute::Rid(r.clone()));
        }
        if let Some(s) = &self.simulcast {
            m.push_attribute(Attribute::Simulcast(s.clone()));
        }
        m
    }
}

impl MediaSection {
    /// Reads back a section we wrote (a local description being applied, possibly edited by
    /// the application); `None` for a section that is not RTP audio/video or has no mid.
    pub fn read(m: &MediaDescription) -> Option<MediaSection> {
        let remote = RemoteMedia::read(m)?;
        let cname = m
            .ssrcs()
            .find(|s| s.attribute == "cname")
            .and_then(|s| s.value.clone());
        let ssrcs = match (remote.ssrcs.first(), cname) {
            (Some(ssrc), Some(cname)) => Some((
                *ssrc,
                remote.rtx.iter().find(|(m, _)| m == ssrc).map(|(_, r)| *r),
                cname,
            )),
            _ => None,
        };
        Some(MediaSection {
            mid: m.mid()?.to_string(),
            kind: remote.kind,
            direction: remote.direction,
            codecs: remote.codecs,
            extmaps: remote.extmaps,
            msid: m.msids().next().cloned(),
            ssrcs,
            rids: remote.rids,
            simulcast: remote.simulcast,
        })
    }
}

fn push_codec(m: &mut MediaDescription, c: &CodecParameters) {
    m.push_attribute(Attribute::Rtpmap(RtpMap {
        channels: c.channels,
        ..RtpMap::new(c.payload_type, c.name.clone(), c.clock_rate)
    }));
    for f in &c.feedback {
        m.push_attribute(Attribute::RtcpFb(RtcpFb::new(
            c.payload_type,
            &f.feedback_type,
            f.parameter.as_deref(),
        )));
    }
    if let Some(fmtp) = &c.fmtp {
        m.push_attribute(Attribute::Fmtp(Fmtp {
            payload_type: c.payload_type,
            parameters: fmtp.clone(),
        }));
    }
    if let Some(rtx) = c.rtx_payload_type {
        m.push_attribute(Attribute::Rtpmap(RtpMap::new(rtx, "rtx", c.clock_rate)));
        m.push_attribute(Attribute::Fmtp(Fmtp {
            payload_type: rtx,
            parameters: format!("apt={}", c.payload_type),
        }));
    }
}

/// An audio/video m-section of the peer's description, as negotiation needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteMedia {
    /// Audio or video.
    pub kind: TrackKind,
    /// The direction attribute (`sendrecv` when absent, RFC 8866 §6.7).
    pub direction: Direction,
    /// Its codecs in `m=` order.
    pub codecs: Vec<CodecParameters>,
    /// Its `a=extmap` lines.
    pub extmaps: Vec<Extmap>,
    /// The first `a=msid`, else the one of the first `a=ssrc … msid:`.
    pub msid: Option<Msid>,
    /// Announced SSRCs, at most [`MAX_REMOTE_SSRCS_PER_SECTION`].
    pub ssrcs: Vec<u32>,
    /// `a=ssrc-group:FID` pairs (media, RTX).
    pub rtx: Vec<(u32, u32)>,
    /// The rids the peer sends (`a=rid:<id> send`).
    pub send_rids: Vec<String>,
    /// Every `a=rid` line, at most [`MAX_REMOTE_RIDS_PER_SECTION`].
    pub rids: Vec<Rid>,
    /// `a=simulcast`.
    pub simulcast: Option<Simulcast>,
    /// `a=rtcp-mux`.
    pub rtcp_mux: bool,
}

impl RemoteMedia {
    /// Reads an RTP audio/video section; `None` for any other kind or protocol.
    pub fn read(m: &MediaDescription) -> Option<RemoteMedia> {
        let kind = TrackKind::of(&m.kind)?;
        if !m.protocol.is_rtp() {
            return None;
        }
        let mut ssrcs: Vec<u32> = Vec::new();
        for s in m.ssrcs() {
            if !ssrcs.contains(&s.ssrc) && ssrcs.len() < MAX_REMOTE_SSRCS_PER_SECTION {
                ssrcs.push(s.ssrc);
            }
        }
        let rtx = m
            .ssrc_groups()
            .filter(|g| g.semantics == "FID" && g.ssrcs.len() == 2)
            .map(|g| (g.ssrcs[0], g.ssrcs[1]))
            .take(MAX_REMOTE_SSRCS_PER_SECTION)
            .collect();
        let msid = m.msids().next().cloned().or_else(|| {
            m.ssrcs()
                .find(|s| s.attribute == "msid")
                .and_then(|s| s.value.as_deref())
                .map(|v| {
                    let (stream, track) = match v.split_once(' ') {
                        Some((s, t)) => (s, Some(t.to_string())),
                        None => (v, None),
                    };
                    Msid {
                        stream_id: stream.to_string(),
                        track_id: track,
                    }
                })
        });
        Some(RemoteMedia {
            kind,
            direction: m.direction().unwrap_or(Direction::SendRecv),
            codecs: codecs_of(m),
            extmaps: m.extmaps().cloned().collect(),
            msid,
            ssrcs,
            rtx,
            send_rids: m
                .rids()
                .filter(|r| r.direction == RidDirection::Send)
                .map(|r| r.id.clone())
                .take(MAX_REMOTE_RIDS_PER_SECTION)
                .collect(),
            rids: m
                .rids()
                .take(MAX_REMOTE_RIDS_PER_SECTION)
                .cloned()
                .collect(),
            simulcast: m.simulcast().cloned(),
            rtcp_mux: m.rtcp_mux(),
        })
    }
}

impl TrackKind {
    /// The SDP media type.
    pub fn media_kind(self) -> MediaKind {
        match self {
            TrackKind::Audio => MediaKind::Audio,
            TrackKind::Video => MediaKind::Video,
        }
    }

    /// The track kind of an SDP media type, if audio or video.
    pub fn of(kind: &MediaKind) -> Option<TrackKind> {
        match kind {
            MediaKind::Audio => Some(TrackKind::Audio),
            MediaKind::Video => Some(TrackKind::Video),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
    fn reads_chromium_offer_and_negotiates_its_codecs() {
        let sdp = fixture("chromium-offer-av-dc.sdp");
        let audio = RemoteMedia::read(&sdp.media[0]).unwrap();
        assert_eq!(audio.kind, TrackKind::Audio);
        assert_eq!(audio.ssrcs, vec![3426437798]);
        assert!(audio.msid.is_some());
        let got = negotiate(&default_codecs(TrackKind::Audio), &audio.codecs);
        let names: Vec<(u8, &str)> = got
            .iter()
            .map(|c| (c.payload_type, c.name.as_str()))
            .collect();
        assert_eq!(
            names,
            vec![
                (111, "opus"),
                (9, "G722"),
                (0, "PCMU"),
                (8, "PCMA"),
                (63, "red")
            ]
        );
        assert!(got[0].has_feedback("transport-cc", None));

        let video = RemoteMedia::read(&sdp.media[1]).unwrap();
        assert_eq!(video.rtx.len(), 1);
        let got = negotiate(&default_codecs(TrackKind::Video), &video.codecs);
        let pts: Vec<(u8, Option<u8>)> = got
            .iter()
            .map(|c| (c.payload_type, c.rtx_payload_type))
            .collect();
        // VP8, H.264 42001f mode 1 (baseline), H.264 42e01f mode 1 and 0, AV1, VP9 profile 0;
        // not 4d001f (Main) nor VP9 profile 2; red (118, RTX 119) and ulpfec (120) passed through.
        assert_eq!(
            pts,
            vec![
                (96, Some(97)),
                (102, Some(103)),
                (108, Some(109)),
                (114, Some(115)),
                (45, Some(46)),
                (98, Some(99)),
                (118, Some(119)),
                (120, None),
            ]
        );
        assert!(got[0].has_feedback("nack", Some("pli")));
        assert!(got[0].has_feedback("ccm", Some("fir")));
        assert!(got[0].has_feedback("goog-remb", None));
        assert!(sdp.media[2].kind == MediaKind::Application);
        assert!(RemoteMedia::read(&sdp.media[2]).is_none());
    }

    #[test]
    fn reads_firefox_offer_with_rtx_red_ulpfec() {
        let sdp = fixture("firefox-offer-av-dc.sdp");
        let video = sdp
            .media
            .iter()
            .find(|m| m.kind == MediaKind::Video)
            .and_then(RemoteMedia::read)
            .unwrap();
        let got = negotiate(&default_codecs(TrackKind::Video), &video.codecs);
        let names: Vec<&str> = got.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, vec!["VP8", "VP9", "AV1", "ulpfec", "red"]);
        assert_eq!(got[0].rtx_payload_type, Some(124));
        assert_eq!(got[4].rtx_payload_type, Some(119));
        assert_eq!(video.rtx, vec![(8812943, 4244536309)]);
    }

    #[test]
    fn written_section_reads_back() {
        let section = MediaSection {
            mid: "1".into(),
            kind: TrackKind::Video,
            direction: Direction::SendRecv,
            codecs: default_codecs(TrackKind::Video),
            extmaps: crate::media::ExtensionIds::default().offer(TrackKind::Video),
            msid: Some(Msid {
                stream_id: "s".into(),
                track_id: Some("t".into()),
            }),
            ssrcs: Some((11, Some(12), "cn".into())),
            rids: Vec::new(),
            simulcast: None,
        };
        let m = section.write(9);
        let text = m.to_string();
        assert!(text.contains("a=ssrc-group:FID 11 12"), "{text}");
        assert_eq!(MediaSection::read(&m).as_ref(), Some(&section));
        let back = RemoteMedia::read(&m).unwrap();
        assert_eq!(back.codecs, section.codecs);
        assert_eq!(back.extmaps, section.extmaps);
        assert_eq!(back.msid, section.msid);
        assert_eq!(back.ssrcs, vec![11, 12]);
        assert_eq!(back.rtx, vec![(11, 12)]);
        assert!(back.rtcp_mux);
    }
}
