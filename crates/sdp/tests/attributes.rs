//! Individual attributes: typed parsing, unknown attributes and lines kept in place.

mod common;

use rtcio_sdp::{
    Attribute, Direction, Fmtp, HashFunction, MediaKind, Protocol, RtcpFbPayload,
    SessionDescription,
};

fn attr(text: &str) -> Attribute {
    let a = Attribute::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    assert_eq!(a.to_string(), text, "round trip");
    a
}

#[test]
fn flags_and_directions() {
    for (text, want) in [
        ("ice-lite", Attribute::IceLite),
        ("end-of-candidates", Attribute::EndOfCandidates),
        ("bundle-only", Attribute::BundleOnly),
        ("extmap-allow-mixed", Attribute::ExtmapAllowMixed),
        ("rtcp-mux", Attribute::RtcpMux),
        ("rtcp-mux-only", Attribute::RtcpMuxOnly),
        ("rtcp-rsize", Attribute::RtcpRsize),
        ("sendrecv", Attribute::Direction(Direction::SendRecv)),
        ("sendonly", Attribute::Direction(Direction::SendOnly)),
        ("recvonly", Attribute::Direction(Direction::RecvOnly)),
        ("inactive", Attribute::Direction(Direction::Inactive)),
    ] {
        assert_eq!(attr(text), want);
    }
    assert_eq!(Direction::SendOnly.reverse(), Direction::RecvOnly);
    assert!(Direction::SendRecv.sends() && !Direction::Inactive.receives());
    // A flag written with a value is not the flag: it is kept as an unknown attribute.
    assert_eq!(
        attr("rtcp-mux:yes"),
        Attribute::unknown("rtcp-mux", Some("yes"))
    );
}

#[test]
fn ice_options_and_ice2() {
    assert_eq!(
        attr("ice-options:ice2 trickle"),
        Attribute::IceOptions(vec!["ice2".into(), "trickle".into()])
    );
    let d = common::parse("handmade-legacy-and-extensions.sdp");
    assert!(d.ice_lite());
    assert_eq!(d.ice_options(), ["ice2", "trickle"]);
    assert_eq!(d.ice_ufrag(), Some("F7gI"));
    assert_eq!(d.ice_pwd(), Some("x9cml/YzichV2+XlhiMu8g"));
}

#[test]
fn fingerprints_of_every_known_size() {
    let d = common::parse("handmade-legacy-and-extensions.sdp");
    let session: Vec<_> = d
        .fingerprints()
        .map(|f| (f.hash_function.clone(), f.bytes.len()))
        .collect();
    assert_eq!(
        session,
        [(HashFunction::Sha1, 20), (HashFunction::Sha224, 28)]
    );
    let data = d.media_by_mid("data").unwrap();
    let media: Vec<_> = data
        .fingerprints()
        .map(|f| (f.hash_function.clone(), f.bytes.len()))
        .collect();
    assert_eq!(
        media,
        [(HashFunction::Sha512, 64), (HashFunction::Sha384, 48)]
    );
    // Lowercase hex and an uppercase hash name parse; they print canonically.
    let a = Attribute::parse(
        "fingerprint:SHA-1 4a:ad:b9:b1:3f:82:18:3b:54:02:12:df:3e:5d:49:6b:19:e5:7c:ab",
    )
    .unwrap();
    assert_eq!(
        a.to_string(),
        "fingerprint:sha-1 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB"
    );
    // Unknown hash functions are kept, bounded in length.
    match attr("fingerprint:sha3-256 01:02") {
        Attribute::Fingerprint(f) => {
            assert_eq!(f.hash_function, HashFunction::Other("sha3-256".into()))
        }
        a => panic!("{a:?}"),
    }
    let long = vec!["AB"; 65].join(":");
    assert!(Attribute::parse(&format!("fingerprint:x-hash {long}")).is_err());
}

#[test]
fn rtcp_fb_wildcard_applies_to_every_codec() {
    let d = common::parse("handmade-legacy-and-extensions.sdp");
    let audio = &d.media[0];
    let fb: Vec<_> = audio.rtcp_fbs().collect();
    assert_eq!(fb[0].payload, RtcpFbPayload::All);
    assert_eq!(fb[1].feedback_type, "trr-int");
    assert_eq!(fb[1].parameter.as_deref(), Some("100"));
    for codec in audio.codecs() {
        assert_eq!(codec.rtcp_fbs.len(), 2, "pt {}", codec.payload_type);
    }
    let dtmf = audio.fmtps().next().unwrap();
    assert_eq!(dtmf.parameters().collect::<Vec<_>>(), [("0-15", None)]);
}

#[test]
fn extmap_direction_and_attributes() {
    let d = common::parse("handmade-legacy-and-extensions.sdp");
    let ext: Vec<_> = d.media[0].extmaps().collect();
    assert_eq!(ext[0].direction, Some(Direction::SendOnly));
    assert_eq!(ext[0].attributes.as_deref(), Some("vad=on"));
    assert_eq!(ext[2].uri, "urn:ietf:params:rtp-hdrext:encrypt");
    assert_eq!(
        ext[2].attributes.as_deref(),
        Some("urn:ietf:params:rtp-hdrext:toffset")
    );
    attr("extmap:4096 urn:x");
    assert!(Attribute::parse("extmap:256 urn:x").is_err());
}

#[test]
fn ssrc_groups_and_source_attributes() {
    let d = common::parse("handmade-legacy-and-extensions.sdp");
    let video = d.media_by_mid("v").unwrap();
    let groups: Vec<_> = video
        .ssrc_groups()
        .map(|g| (g.semantics.as_str(), g.ssrcs.clone()))
        .collect();
    assert_eq!(
        groups,
        [
            ("FEC-FR", vec![2001, 2003]),
            ("SIM", vec![2001, 2011, 2021])
        ]
    );
    let label = video.ssrcs().find(|s| s.attribute == "label").unwrap();
    assert_eq!(
        (label.ssrc, label.value.as_deref()),
        (2001, Some("plan-b-video"))
    );
    match attr("ssrc:1 msid:stream track") {
        Attribute::Ssrc(s) => assert_eq!(s.value.as_deref(), Some("stream track")),
        a => panic!("{a:?}"),
    }
    attr("ssrc:1 flagonly");
}

#[test]
fn legacy_sctp_and_other_media() {
    let d = common::parse("handmade-legacy-and-extensions.sdp");
    let data = d.media_by_mid("data").unwrap();
    assert_eq!(data.protocol, Protocol::DtlsSctp);
    assert_eq!(data.formats, ["5000"]);
    match data.attribute("sctpmap") {
        Some(Attribute::Sctpmap(m)) => {
            assert_eq!(
                (m.port, m.protocol.as_str(), m.streams),
                (5000, "webrtc-datachannel", Some(1024))
            )
        }
        a => panic!("{a:?}"),
    }
    let tcp = d.media_by_mid("tcp-data").unwrap();
    assert_eq!((tcp.port, &tcp.protocol), (0, &Protocol::TcpDtlsSctp));
    assert!(tcp.bundle_only());
    assert_eq!(tcp.attribute("bundle-only"), Some(&Attribute::BundleOnly));
    let text = d.media.last().unwrap();
    assert_eq!(text.kind, MediaKind::Text);
    assert_eq!(d.media[0].protocol, Protocol::RtpAvp);
    assert!(d.media[0].rtcp_mux_only());
}

#[test]
fn rarely_used_lines_are_kept() {
    let d = common::parse("handmade-legacy-and-extensions.sdp");
    assert_eq!(
        d.information.as_deref(),
        Some("A session exercising every RFC 8866 line type")
    );
    assert_eq!(
        d.uri.as_deref(),
        Some("http://www.example.com/seminars/sdp.pdf")
    );
    assert_eq!(d.emails, ["j.doe@example.com (Jane Doe)"]);
    assert_eq!(d.phones, ["+1 617 555-6011"]);
    assert_eq!(d.connection.as_ref().unwrap().addr_type, "IP6");
    let bw: Vec<_> = d
        .bandwidths
        .iter()
        .map(|b| (b.bw_type.as_str(), b.bandwidth))
        .collect();
    assert_eq!(bw, [("AS", 2048), ("TIAS", 2000000)]);
    assert_eq!(d.timings.len(), 2);
    assert_eq!(d.timings[0].repeats, ["7d 1h 0 25h"]);
    assert_eq!(d.time_zones.as_deref(), Some("2882844526 -1h 2898848070 0"));
    assert_eq!(d.key.as_deref(), Some("prompt"));
    let audio = &d.media[0];
    assert_eq!(audio.information.as_deref(), Some("legacy audio"));
    assert_eq!(audio.key.as_deref(), Some("clear:secret"));
    assert_eq!(audio.bandwidths[0].bandwidth, 64);
}

#[test]
fn unknown_attributes_keep_value_and_position() {
    let d = common::parse("handmade-legacy-and-extensions.sdp");
    let names: Vec<&str> = d.attributes.iter().map(Attribute::name).collect();
    assert_eq!(
        names[names.len() - 2..],
        ["x-custom-session-flag", "x-custom-session"]
    );
    assert_eq!(
        d.attributes.last(),
        Some(&Attribute::unknown(
            "x-custom-session",
            Some("with: colons and  two spaces")
        ))
    );
    let audio_names: Vec<&str> = d.media[0].attributes.iter().map(Attribute::name).collect();
    assert_eq!(audio_names[audio_names.len() - 2..], ["ptime", "maxptime"]);
    // Chromium's rtcp-xr is unknown to the model and must survive in place.
    let c = common::parse("chromium-offer-av-dc.sdp");
    let pos = c.media[0]
        .attributes
        .iter()
        .position(|a| a.name() == "rtcp-xr")
        .unwrap();
    assert_eq!(c.media[0].attributes[pos - 1], Attribute::RtcpRsize);
}

#[test]
fn fmtp_parameter_lookup() {
    let f = Fmtp::parse_value(
        "102 level-asymmetry-allowed=1;packetization-mode=1; profile-level-id=42001f",
    )
    .unwrap();
    assert_eq!(f.parameter("PROFILE-LEVEL-ID"), Some("42001f"));
    assert_eq!(f.parameter("packetization-mode"), Some("1"));
    assert_eq!(f.parameter("missing"), None);
}

#[test]
fn lenient_whitespace_normalizes_and_reparses_equal() {
    let sdp = "v=0\no=-  1 1 IN IP4 127.0.0.1\ns=-\nt=0  0\na=group:BUNDLE  0\nm=audio 9 RTP/AVP  0 \na=rtpmap:0  PCMU/8000\n";
    let d = SessionDescription::parse(sdp).unwrap();
    assert_eq!(d.bundle_group().unwrap().mids, ["0"]);
    assert_eq!(d.media[0].formats, ["0"]);
    let again = SessionDescription::parse(&d.to_string()).unwrap();
    assert_eq!(d, again);
}
