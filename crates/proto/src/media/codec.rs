//! Codec capabilities and codec negotiation (RFC 8829 §5.3.1, RFC 3264 §6.1).
//!
//! A codec is described the way SDP carries it: encoding name, clock rate, channels, the
//! `a=fmtp` line and the `a=rtcp-fb` lines, bound to a payload type. Our capabilities carry
//! preferred payload types used when we offer; an answer always uses the offerer's payload
//! types. RTX (RFC 4588) is not a codec of its own here but the `rtx_payload_type` of the codec
//! it repairs (its `apt`), so a codec and its retransmission format are taken or dropped
//! together.

use rtcio_sdp::MediaDescription;

use super::TrackKind;

/// An `a=rtcp-fb` entry of a codec (W3C `RTCRtcpFeedback`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Feedback {
    /// Feedback type: `nack`, `ccm`, `goog-remb`, `transport-cc`.
    pub feedback_type: String,
    /// Parameter: `pli` for `nack pli`, `fir` for `ccm fir`.
    pub parameter: Option<String>,
}

impl Feedback {
    fn new(feedback_type: &str, parameter: Option<&str>) -> Self {
        Feedback {
            feedback_type: feedback_type.into(),
            parameter: parameter.map(Into::into),
        }
    }

    /// The video feedback WebRTC endpoints use: REMB, transport-cc, FIR, NACK and PLI.
    fn video() -> Vec<Feedback> {
        vec![
            Feedback::new("goog-remb", None),
            Feedback::new("transport-cc", None),
            Feedback::new("ccm", Some("fir")),
            Feedback::new("nack", None),
            Feedback::new("nack", Some("pli")),
        ]
    }
}

/// A codec bound to a payload type (W3C `RTCRtpCodecParameters`, with its RTX format folded
/// in).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CodecParameters {
    /// The RTP payload type.
    pub payload_type: u8,
    /// Encoding name as SDP writes it (`opus`, `VP8`, `H264`, `red`, …).
    pub name: String,
    /// RTP clock rate in Hz.
    pub clock_rate: u32,
    /// Audio channels, when the rtpmap says.
    pub channels: Option<u16>,
    /// The `a=fmtp` parameters (W3C `sdpFmtpLine`).
    pub fmtp: Option<String>,
    /// The `a=rtcp-fb` feedback for this payload type.
    pub feedback: Vec<Feedback>,
    /// The payload type of its RTX format (`a=fmtp:<rtx> apt=<payload_type>`), if any.
    pub rtx_payload_type: Option<u8>,
}

impl CodecParameters {
    fn new(pt: u8, name: &str, clock_rate: u32, channels: Option<u16>, fmtp: Option<&str>) -> Self {
        CodecParameters {
            payload_type: pt,
            name: name.into(),
            clock_rate,
            channels,
            fmtp: fmtp.map(Into::into),
            feedback: Vec::new(),
            rtx_payload_type: None,
        }
    }

    fn with_feedback(mut self, feedback: Vec<Feedback>) -> Self {
        self.feedback = feedback;
        self
    }

    fn with_rtx(mut self, rtx: u8) -> Self {
        self.rtx_payload_type = Some(rtx);
        self
    }

    /// W3C `mimeType`, e.g. `video/VP8`.
    pub fn mime_type(&self, kind: TrackKind) -> String {
        format!("{}/{}", kind.as_str(), self.name)
    }

    /// The value of fmtp parameter `name` (case-insensitive).
    pub fn fmtp_parameter(&self, name: &str) -> Option<&str> {
        let fmtp = self.fmtp.as_deref()?;
        fmtp.split(';')
            .filter_map(|p| p.trim().split_once('='))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
    }

    /// The packetizer/depacketizer codec of `rtcio-rtp`, for the media codecs it handles
    /// (`None` for RED, ulpfec and the like, which are passed through as RTP).
    pub fn rtp_codec(&self) -> Option<rtcio_rtp::codec::Codec> {
        use rtcio_rtp::codec::Codec;
        Some(match self.name.to_ascii_lowercase().as_str() {
            "opus" => Codec::Opus,
            "pcmu" => Codec::Pcmu,
            "pcma" => Codec::Pcma,
            "g722" => Codec::G722,
            "vp8" => Codec::Vp8,
            "vp9" => Codec::Vp9,
            "h264" => Codec::H264,
            "av1" => Codec::Av1,
            _ => return None,
        })
    }

    /// Whether this is a pass-through format (redundancy or FEC) rather than a media codec.
    pub fn is_pass_through(&self) -> bool {
        is_pass_through(&self.name)
    }

    /// Whether the codec has feedback `feedback_type` with `parameter`.
    pub fn has_feedback(&self, feedback_type: &str, parameter: Option<&str>) -> bool {
        self.feedback
            .iter()
            .any(|f| f.feedback_type == feedback_type && f.parameter.as_deref() == parameter)
    }
}

fn is_pass_through(name: &str) -> bool {
    ["red", "ulpfec", "flexfec-03"]
        .iter()
        .any(|n| name.eq_ignore_ascii_case(n))
}

/// The codecs rtcio offers and accepts for `kind`, in preference order with their preferred
/// payload types. RED and ulpfec are not offered but accepted when the peer offers them.
pub fn default_codecs(kind: TrackKind) -> Vec<CodecParameters> {
    type C = CodecParameters;
    match kind {
        TrackKind::Audio => vec![
            C::new(
                111,
                "opus",
                48000,
                Some(2),
                Some("minptime=10;useinbandfec=1"),
            )
            .with_feedback(vec![Feedback::new("transport-cc", None)]),
            C::new(9, "G722", 8000, None, None),
            C::new(0, "PCMU", 8000, None, None),
            C::new(8, "PCMA", 8000, None, None),
        ],
        TrackKind::Video => {
            let fb = Feedback::video();
            vec![
                C::new(96, "VP8", 90000, None, None)
                    .with_feedback(fb.clone())
                    .with_rtx(97),
                C::new(98, "VP9", 90000, None, Some("profile-id=0"))
                    .with_feedback(fb.clone())
                    .with_rtx(99),
                C::new(
                    102,
                    "H264",
                    90000,
                    None,
                    Some("level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"),
                )
                .with_feedback(fb.clone())
                .with_rtx(103),
                C::new(
                    104,
                    "H264",
                    90000,
                    None,
                    Some("level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f"),
                )
                .with_feedback(fb.clone())
                .with_rtx(105),
                C::new(
                    106,
                    "H264",
                    90000,
                    None,
                    Some("level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f"),
                )
                .with_feedback(fb.clone())
                .with_rtx(107),
                C::new(45, "AV1", 90000, None, Some("level-idx=5;profile=0;tier=0"))
                    .with_feedback(fb)
                    .with_rtx(46),
            ]
        }
    }
}

/// The static payload types of RFC 3551 that may appear without an rtpmap.
fn static_codec(pt: u8) -> Option<CodecParameters> {
    match pt {
        0 => Some(CodecParameters::new(0, "PCMU", 8000, None, None)),
        8 => Some(CodecParameters::new(8, "PCMA", 8000, None, None)),
        9 => Some(CodecParameters::new(9, "G722", 8000, None, None)),
        _ => None,
    }
}

/// The codecs of an RTP m-section in `m=` order, each with its RTX payload type folded in.
/// Formats without an rtpmap that are not static payload types are skipped, as are RTX formats
/// whose `apt` names no codec of the section.
pub fn codecs_of(m: &MediaDescription) -> Vec<CodecParameters> {
    let mut out = Vec::new();
    let mut rtx = Vec::new();
    for c in m.codecs() {
        let mut p = match c.rtpmap {
            Some(map) => CodecParameters::new(
                c.payload_type,
                &map.encoding_name,
                map.clock_rate,
                map.channels,
                c.fmtp.map(|f| f.parameters.as_str()),
            ),
            None => match static_codec(c.payload_type) {
                Some(p) => p,
                None => continue,
            },
        };
        if p.name.eq_ignore_ascii_case("rtx") {
            if let Some(apt) = p.fmtp_parameter("apt").and_then(|a| a.parse::<u8>().ok()) {
                rtx.push((c.payload_type, apt));
            }
            continue;
        }
        p.feedback = c
            .rtcp_fbs
            .iter()
            .map(|f| Feedback::new(&f.feedback_type, f.parameter.as_deref()))
            .collect();
        out.push(p);
    }
    for (pt, apt) in rtx {
        if let Some(p) = out
            .iter_mut()
            .find(|p| p.payload_type == apt && p.rtx_payload_type.is_none())
        {
            p.rtx_payload_type = Some(pt);
        }
    }
    out
}

/// Intersects the peer's codecs (`remote`, in its order) with `local` capabilities.
///
/// Each remote codec that matches a local one is kept with the remote payload type, the
/// feedback both sides list, the RTX format if both have one, and the fmtp line an answer
/// writes (for H.264 the level we accept). RED and ulpfec are kept when offered, RED only if
/// every payload type it carries was kept. Used for answering an offer and for reading the
/// answer to ours (whose codecs are a subset of what we offered).
pub fn negotiate(local: &[CodecParameters], remote: &[CodecParameters]) -> Vec<CodecParameters> {
    let mut out: Vec<CodecParameters> = Vec::new();
    for r in remote.iter().filter(|r| !r.is_pass_through()) {
        let Some((l, fmtp)) = local.iter().find_map(|l| matches(l, r).map(|f| (l, f))) else {
            continue;
        };
        out.push(CodecParameters {
            payload_type: r.payload_type,
            name: r.name.clone(),
            clock_rate: r.clock_rate,
            channels: r.channels,
            fmtp,
            feedback: r
                .feedback
                .iter()
                .filter(|f| l.feedback.contains(f))
                .cloned()
                .collect(),
            rtx_payload_type: l.rtx_payload_type.and(r.rtx_payload_type),
        });
    }
    for r in remote.iter().filter(|r| r.is_pass_through()) {
        let carried_ok = !r.name.eq_ignore_ascii_case("red")
            || r.fmtp.as_deref().is_none_or(|f| {
                f.split('/')
                    .filter_map(|pt| pt.trim().parse::<u8>().ok())
                    .all(|pt| out.iter().any(|c| c.payload_type == pt))
            });
        if carried_ok {
            out.push(r.clone());
        }
    }
    out
}

/// Whether local capability `l` can take remote codec `r`; returns the fmtp line to use.
fn matches(l: &CodecParameters, r: &CodecParameters) -> Option<Option<String>> {
    if !l.name.eq_ignore_ascii_case(&r.name) || l.clock_rate != r.clock_rate {
        return None;
    }
    // RFC 7587: Opus is always written /2; other audio defaults to one channel.
    if l.channels.unwrap_or(1) != r.channels.unwrap_or(1) {
        return None;
    }
    match l.name.to_ascii_lowercase().as_str() {
        "h264" => h264_match(l, r),
        "vp9" => same_param(l, r, "profile-id", "0").then(|| r.fmtp.clone()),
        "av1" => same_param(l, r, "profile", "0").then(|| r.fmtp.clone()),
        _ => Some(r.fmtp.clone()),
    }
}

fn same_param(l: &CodecParameters, r: &CodecParameters, name: &str, default: &str) -> bool {
    l.fmtp_parameter(name).unwrap_or(default) == r.fmtp_parameter(name).unwrap_or(default)
}

/// RFC 6184 §8.2.2: same packetization mode and same profile; the level is the remote's when
/// both allow level asymmetry in the direction we receive, else the lower of the two.
fn h264_match(l: &CodecParameters, r: &CodecParameters) -> Option<Option<String>> {
    if !same_param(l, r, "packetization-mode", "0") {
        return None;
    }
    // RFC 6184 §8.1: without profile-level-id the default is 42000A (Baseline, level 1).
    let lp = ProfileLevelId::parse(l.fmtp_parameter("profile-level-id").unwrap_or("42000a"))?;
    let rp = ProfileLevelId::parse(r.fmtp_parameter("profile-level-id").unwrap_or("42000a"))?;
    if lp.profile != rp.profile {
        return None;
    }
    let asymmetry = |c: &CodecParameters| c.fmtp_parameter("level-asymmetry-allowed") == Some("1");
    // What we write is the level we can receive: ours when asymmetry is allowed on both sides,
    // else the lower of the two (a symmetric level both can send and receive).
    let level = if asymmetry(l) && asymmetry(r) {
        lp.level
    } else {
        lp.level.min(rp.level)
    };
    let answer = ProfileLevelId {
        level,
        ..rp.clone()
    };
    let mode = r.fmtp_parameter("packetization-mode").unwrap_or("0");
    let mut fmtp = String::new();
    if asymmetry(l) && asymmetry(r) {
        fmtp.push_str("level-asymmetry-allowed=1;");
    }
    fmtp.push_str(&format!(
        "packetization-mode={mode};profile-level-id={}",
        answer.to_hex()
    ));
    Some(Some(fmtp))
}

/// H.264 profiles as RFC 6184 §8.1 tells them apart by `profile_idc` and `profile-iop`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum H264Profile {
    /// Constrained Baseline (`42e0`, `4d80`/`58c0` with constraint flags).
    ConstrainedBaseline,
    /// Baseline.
    Baseline,
    /// Main.
    Main,
    /// Extended.
    Extended,
    /// Constrained High.
    ConstrainedHigh,
    /// High.
    High,
    /// Progressive High.
    ProgressiveHigh,
    /// High 4:4:4 Predictive.
    PredictiveHigh444,
}

/// An H.264 level, ordered; `Level1b` sits between level 1 and level 1.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct H264Level(u16);

impl H264Level {
    /// Level 1b (`level_idc` 11 with constraint_set3 in the Baseline-family profiles, 9 in the
    /// High family).
    pub const LEVEL_1B: H264Level = H264Level(21);

    /// A level from `level_idc` (10 × the level number).
    pub fn from_idc(idc: u8) -> H264Level {
        H264Level(u16::from(idc) * 2)
    }
}

/// A parsed `profile-level-id` (RFC 6184 §8.1): three hex bytes `profile_idc`, `profile-iop`,
/// `level_idc`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ProfileLevelId {
    /// The profile.
    pub profile: H264Profile,
    /// The level.
    pub level: H264Level,
    profile_idc: u8,
    profile_iop: u8,
}

impl ProfileLevelId {
    /// Parses six hex digits; `None` for anything malformed or a profile we do not know.
    pub fn parse(s: &str) -> Option<ProfileLevelId> {
        if s.len() != 6 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let v = u32::from_str_radix(s, 16).ok()?;
        let [_, profile_idc, profile_iop, level_idc] = v.to_be_bytes();
        let profile = profile_of(profile_idc, profile_iop)?;
        let constraint_set3 = profile_iop & 0x10 != 0;
        let level = match (level_idc, profile) {
            (11, H264Profile::ConstrainedBaseline | H264Profile::Baseline | H264Profile::Main)
                if constraint_set3 =>
            {
                H264Level::LEVEL_1B
            }
            (9, _) => H264Level::LEVEL_1B,
            (idc, _) => H264Level::from_idc(idc),
        };
        Some(ProfileLevelId {
            profile,
            level,
            profile_idc,
            profile_iop,
        })
    }

    /// The six hex digits, keeping the profile bytes as parsed.
    pub fn to_hex(&self) -> String {
        let (iop, idc) = if self.level == H264Level::LEVEL_1B {
            match self.profile {
                H264Profile::ConstrainedBaseline | H264Profile::Baseline | H264Profile::Main => {
                    (self.profile_iop | 0x10, 11)
                }
                _ => (self.profile_iop, 9),
            }
        } else {
            // Level 1b's constraint_set3 flag must not leak into other levels.
            let iop = if self.profile_iop & 0x10 != 0
                && matches!(
                    self.profile,
                    H264Profile::ConstrainedBaseline | H264Profile::Baseline | H264Profile::Main
                ) {
                self.profile_iop & !0x10
            } else {
                self.profile_iop
            };
            (iop, (self.level.0 / 2) as u8)
        };
        format!("{:02x}{:02x}{:02x}", self.profile_idc, iop, idc)
    }
}

/// Profile from `profile_idc` and the constraint flags (the patterns of RFC 6184 Table 5 and
/// ITU-T H.264 Annex A: constraint_set1 makes Baseline constrained, and so on). The low two
/// bits of `profile-iop` are reserved and ignored.
fn profile_of(idc: u8, iop: u8) -> Option<H264Profile> {
    use H264Profile as P;
    let set0 = iop & 0x80 != 0;
    let set1 = iop & 0x40 != 0;
    let set3 = iop & 0x10 != 0;
    let set4 = iop & 0x08 != 0;
    let set5 = iop & 0x04 != 0;
    Some(match idc {
        0x42 if set1 => P::ConstrainedBaseline,
        0x42 => P::Baseline,
        0x4d if set0 => P::ConstrainedBaseline,
        0x4d => P::Main,
        0x58 if set0 && set1 => P::ConstrainedBaseline,
        0x58 if set0 => P::Baseline,
        0x58 => P::Extended,
        0x64 if set4 && set5 => P::ConstrainedHigh,
        0x64 if set4 => P::ProgressiveHigh,
        0x64 if !set3 => P::High,
        0xf4 => P::PredictiveHigh444,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h264(pt: u8, fmtp: &str) -> CodecParameters {
        CodecParameters::new(pt, "H264", 90000, None, Some(fmtp))
    }

    #[test]
    fn profile_level_id_parses_profiles_and_levels() {
        let p = |s| ProfileLevelId::parse(s).map(|p| (p.profile, p.level));
        use H264Profile as P;
        assert_eq!(
            p("42e01f"),
            Some((P::ConstrainedBaseline, H264Level::from_idc(31)))
        );
        assert_eq!(p("42001f"), Some((P::Baseline, H264Level::from_idc(31))));
        assert_eq!(p("4d001f").map(|x| x.0), Some(P::Main));
        assert_eq!(p("640c1f").map(|x| x.0), Some(P::ConstrainedHigh));
        assert_eq!(p("64001f").map(|x| x.0), Some(P::High));
        assert_eq!(p("42f00b").map(|x| x.1), Some(H264Level::LEVEL_1B));
        assert!(H264Level::LEVEL_1B > H264Level::from_idc(10));
        assert!(H264Level::LEVEL_1B < H264Level::from_idc(11));
        assert_eq!(p("42e0"), None);
        assert_eq!(p("zz001f"), None);
        assert_eq!(p("ff001f"), None);
        assert_eq!(ProfileLevelId::parse("42f00b").unwrap().to_hex(), "42f00b");
    }

    #[test]
    fn h264_needs_same_profile_and_mode_and_answers_a_level() {
        let local = default_codecs(TrackKind::Video);
        // Constrained baseline, mode 1, level 5.1 offered: our level 3.1 answered (asymmetry).
        let r = [h264(
            120,
            "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e033",
        )];
        let got = negotiate(&local, &r);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].payload_type, 120);
        assert_eq!(
            got[0].fmtp.as_deref(),
            Some("level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f")
        );
        // Without asymmetry: the lower level.
        let r = [h264(120, "packetization-mode=1;profile-level-id=42e00d")];
        assert_eq!(
            negotiate(&local, &r)[0].fmtp.as_deref(),
            Some("packetization-mode=1;profile-level-id=42e00d")
        );
        // High profile and mode 2 are not ours.
        assert!(
            negotiate(
                &local,
                &[h264(120, "packetization-mode=1;profile-level-id=64001f")]
            )
            .is_empty()
        );
        assert!(
            negotiate(
                &local,
                &[h264(120, "packetization-mode=2;profile-level-id=42e01f")]
            )
            .is_empty()
        );
        // No fmtp: mode 0, 42000a baseline → matches our baseline? Ours is mode 1: no.
        assert!(
            negotiate(
                &local,
                &[CodecParameters::new(120, "H264", 90000, None, None)]
            )
            .is_empty()
        );
    }

    #[test]
    fn rtx_and_feedback_are_intersected_and_red_needs_its_payloads() {
        let local = default_codecs(TrackKind::Video);
        let mut vp8 = CodecParameters::new(120, "VP8", 90000, None, None).with_rtx(124);
        vp8.feedback = vec![Feedback::new("nack", None), Feedback::new("foo", None)];
        let red = CodecParameters::new(122, "red", 90000, None, None).with_rtx(119);
        let got = negotiate(&local, &[vp8, red]);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].rtx_payload_type, Some(124));
        assert_eq!(got[0].feedback, vec![Feedback::new("nack", None)]);
        assert_eq!(got[1].name, "red");

        let audio = default_codecs(TrackKind::Audio);
        let opus = CodecParameters::new(109, "opus", 48000, Some(2), None);
        let red_ok = CodecParameters::new(63, "red", 48000, Some(2), Some("109/109"));
        let red_bad = CodecParameters::new(64, "red", 48000, Some(2), Some("110/110"));
        let got = negotiate(&audio, &[opus, red_ok, red_bad]);
        let pts: Vec<u8> = got.iter().map(|c| c.payload_type).collect();
        assert_eq!(pts, vec![109, 63]);
        // Opus mono is not Opus.
        let mono = CodecParameters::new(109, "opus", 48000, None, None);
        assert!(negotiate(&audio, &[mono]).is_empty());
    }

    #[test]
    fn vp9_profiles_must_match() {
        let local = default_codecs(TrackKind::Video);
        let p2 = CodecParameters::new(100, "VP9", 90000, None, Some("profile-id=2"));
        let p0 = CodecParameters::new(98, "VP9", 90000, None, None);
        let got = negotiate(&local, &[p2, p0]);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].payload_type, 98);
    }
}
