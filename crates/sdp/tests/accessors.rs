//! Typed accessors return the right values on the captured fixtures.

mod common;

use rtcio_sdp::{
    CandidateType, Direction, HashFunction, MediaKind, Protocol, RidDirection, Setup, TcpType,
};

fn mids(desc: &rtcio_sdp::SessionDescription) -> Vec<&str> {
    desc.bundle_group()
        .map(|g| g.mids.iter().map(String::as_str).collect())
        .unwrap_or_default()
}

#[test]
fn chromium_offer_session_and_ice() {
    let d = common::parse("chromium-offer-av-dc.sdp");
    assert_eq!(d.origin.session_id, 8133608788136347874);
    assert_eq!(d.origin.session_version, 2);
    assert_eq!(mids(&d), ["0", "1", "2"]);
    assert!(d.extmap_allow_mixed());
    let ms = d.msid_semantic().unwrap();
    assert!(ms.space_before_semantic);
    assert_eq!(ms.semantic, "WMS");
    let kinds: Vec<_> = d.media.iter().map(|m| m.kind.clone()).collect();
    assert_eq!(
        kinds,
        [MediaKind::Audio, MediaKind::Video, MediaKind::Application]
    );
    for m in &d.media {
        assert_eq!(m.ice_ufrag(), Some("/4Er"));
        assert_eq!(m.ice_pwd(), Some("w8Hr+ZVwn3M7fosm5F2oKRId"));
        assert_eq!(m.ice_options(), ["trickle"]);
        assert_eq!(m.setup(), Some(Setup::Actpass));
        let fp: Vec<_> = m.fingerprints().collect();
        assert_eq!(fp.len(), 1);
        assert_eq!(fp[0].hash_function, HashFunction::Sha256);
        assert_eq!(fp[0].bytes.len(), 32);
        assert_eq!(fp[0].bytes[..3], [0x0C, 0xB8, 0x49]);
        assert_eq!(fp[0].bytes[31], 0x9F);
        let cands: Vec<_> = m.candidates().collect();
        assert_eq!(cands.len(), 2);
        assert!(cands[0].transport.is_udp());
        assert_eq!(cands[0].typ, CandidateType::Host);
        assert_eq!(cands[0].network_cost, Some(50));
        assert!(cands[1].transport.is_tcp());
        assert_eq!(cands[1].tcp_type, Some(TcpType::Active));
        assert_eq!(cands[1].port, 9);
    }
    assert_eq!(d.media[0].port, 45214);
    assert_eq!(d.media[0].candidates().next().unwrap().port, 45214);
}

#[test]
fn chromium_offer_video_codecs() {
    let d = common::parse("chromium-offer-av-dc.sdp");
    let video = d.media_by_mid("1").unwrap();
    assert_eq!(video.protocol, Protocol::UdpTlsRtpSavpf);
    assert_eq!(video.direction(), Some(Direction::SendRecv));
    assert!(video.rtcp_mux() && video.rtcp_rsize());
    let codecs = video.codecs();
    assert_eq!(codecs.len(), 23);
    let names: Vec<&str> = codecs
        .iter()
        .map(|c| c.rtpmap.unwrap().encoding_name.as_str())
        .collect();
    assert_eq!(&names[..4], ["VP8", "rtx", "H264", "rtx"]);
    for name in ["VP8", "H264", "AV1", "VP9", "red", "ulpfec"] {
        assert!(names.contains(&name), "{name}");
    }
    let vp8 = &codecs[0];
    assert_eq!(vp8.payload_type, 96);
    assert_eq!(vp8.rtpmap.unwrap().clock_rate, 90000);
    let fbs: Vec<String> = vp8.rtcp_fbs.iter().map(|f| f.to_string()).collect();
    assert_eq!(
        fbs,
        [
            "96 goog-remb",
            "96 transport-cc",
            "96 ccm fir",
            "96 nack",
            "96 nack pli"
        ]
    );
    let rtx = &codecs[1];
    assert_eq!(rtx.fmtp.unwrap().parameter("apt"), Some("96"));
    let h264 = &codecs[2];
    assert_eq!(
        h264.fmtp.unwrap().parameter("profile-level-id"),
        Some("42001f")
    );
    let groups: Vec<_> = video.ssrc_groups().collect();
    assert_eq!(groups[0].semantics, "FID");
    assert_eq!(groups[0].ssrcs, [3049961436, 1335571289]);
    let cname = video.ssrcs().find(|s| s.attribute == "cname").unwrap();
    assert_eq!(cname.value.as_deref(), Some("YzMLJotJlBRWK5ZS"));
    let ext: Vec<(u16, &str)> = video.extmaps().map(|e| (e.id, e.uri.as_str())).collect();
    assert_eq!(ext[0], (14, "urn:ietf:params:rtp-hdrext:toffset"));
    assert_eq!(ext.len(), 11);
}

#[test]
fn chromium_offer_audio_and_data() {
    let d = common::parse("chromium-offer-av-dc.sdp");
    let audio = &d.media[0];
    let opus = &audio.codecs()[0];
    let map = opus.rtpmap.unwrap();
    assert_eq!(
        (map.encoding_name.as_str(), map.clock_rate, map.channels),
        ("opus", 48000, Some(2))
    );
    assert_eq!(opus.fmtp.unwrap().parameter("useinbandfec"), Some("1"));
    let msid = audio.msids().next().unwrap();
    assert_eq!(msid.stream_id, "299f60b0-2207-4632-80ee-f2117961b28a");
    assert_eq!(
        msid.track_id.as_deref(),
        Some("0e48ca9f-18b8-4b2f-844a-9b9c01c9b6a6")
    );
    let rtcp = match audio.attribute("rtcp") {
        Some(rtcio_sdp::Attribute::Rtcp(r)) => r,
        other => panic!("{other:?}"),
    };
    assert_eq!(rtcp.port, 9);
    assert_eq!(rtcp.connection.as_ref().unwrap().address, "0.0.0.0");
    let data = &d.media[2];
    assert_eq!(data.kind, MediaKind::Application);
    assert_eq!(data.protocol, Protocol::UdpDtlsSctp);
    assert_eq!(data.formats, ["webrtc-datachannel"]);
    assert_eq!(data.sctp_port(), Some(5000));
    assert_eq!(data.max_message_size(), Some(262144));
    assert!(data.codecs().is_empty());
}

#[test]
fn firefox_offer_session_level_attributes() {
    let d = common::parse("firefox-offer-av-dc.sdp");
    assert_eq!(d.origin.username, "mozilla...THIS_IS_SDPARTA-99.0");
    assert_eq!(d.direction(), Some(Direction::SendRecv));
    assert_eq!(d.ice_options(), ["trickle"]);
    assert_eq!(d.fingerprints().count(), 1);
    assert_eq!(mids(&d), ["0", "1", "2"]);
    let ms = d.msid_semantic().unwrap();
    assert!(!ms.space_before_semantic);
    assert_eq!(ms.identifiers, ["*"]);
    let audio = &d.media[0];
    assert_eq!(audio.ice_ufrag(), Some("6e1e7749"));
    assert!(audio.end_of_candidates());
    let cands: Vec<_> = audio.candidates().collect();
    assert_eq!(cands.len(), 4);
    assert_eq!(cands[0].transport.as_str(), "UDP");
    assert_eq!(cands[2].component, 2);
    let ext: Vec<_> = audio.extmaps().collect();
    assert_eq!(ext[1].direction, Some(Direction::RecvOnly));
    assert_eq!(ext[1].uri, "urn:ietf:params:rtp-hdrext:csrc-audio-level");
    let g722 = audio.rtpmaps().find(|r| r.payload_type == 9).unwrap();
    assert_eq!(g722.channels, Some(1));
    assert_eq!(d.media[2].max_message_size(), Some(1073741823));
}

#[test]
fn answers_have_active_setup_and_matching_bundle() {
    for name in [
        "chromium-answer-av-dc.sdp",
        "firefox-answer-av-dc.sdp",
        "aiortc-answer-to-chromium-av-dc.sdp",
        "aiortc-answer-to-firefox-av-dc.sdp",
    ] {
        let d = common::parse(name);
        assert_eq!(mids(&d), ["0", "1", "2"], "{name}");
        for m in &d.media {
            let setup = m.setup().or(d.setup());
            assert_eq!(setup, Some(Setup::Active), "{name}");
            assert!(m.ice_ufrag().or(d.ice_ufrag()).is_some(), "{name}");
        }
    }
}

#[test]
fn aiortc_offer_lists_three_fingerprints() {
    let d = common::parse("aiortc-offer-av-dc-to-chromium.sdp");
    let algos: Vec<_> = d.media[0]
        .fingerprints()
        .map(|f| (f.hash_function.clone(), f.bytes.len()))
        .collect();
    assert_eq!(
        algos,
        [
            (HashFunction::Sha256, 32),
            (HashFunction::Sha384, 48),
            (HashFunction::Sha512, 64)
        ]
    );
    let c = d.media[0].candidates().next().unwrap();
    assert_eq!(c.foundation, "16572de626da4e5384a0ce2d0d93678a");
    assert_eq!(c.priority, 2130706431);
    assert!(d.media[0].end_of_candidates());
}

#[test]
fn datachannel_only_pairs() {
    for name in [
        "chromium-offer-dc.sdp",
        "firefox-offer-dc.sdp",
        "aiortc-offer-dc-to-firefox.sdp",
    ] {
        let d = common::parse(name);
        assert_eq!(d.media.len(), 1, "{name}");
        assert_eq!(d.media[0].protocol, Protocol::UdpDtlsSctp, "{name}");
        assert_eq!(d.media[0].sctp_port(), Some(5000), "{name}");
    }
}

#[test]
fn simulcast_offer_rids_and_simulcast() {
    let d = common::parse("handmade-chromium-simulcast-offer.sdp");
    let video = d.media_by_mid("1").unwrap();
    assert_eq!(video.direction(), Some(Direction::SendOnly));
    let rids: Vec<_> = video.rids().collect();
    let ids: Vec<&str> = rids.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["q", "h", "f"]);
    assert!(rids.iter().all(|r| r.direction == RidDirection::Send));
    assert_eq!(rids[2].payload_types(), [96, 98]);
    assert_eq!(rids[2].param("max-width"), Some("1280"));
    assert_eq!(rids[0].payload_types(), Vec::<u8>::new());
    let sc = video.simulcast().unwrap();
    assert!(sc.recv().is_none());
    let send = sc.send().unwrap();
    assert_eq!(send.len(), 3);
    assert_eq!(send[0].alternatives[0].id, "q");
    assert!(!send[0].alternatives[0].paused);
    assert_eq!(send[2].alternatives[0].id, "f");
    assert!(send[2].alternatives[0].paused);
}

#[test]
fn simulcast_answer_recv_with_alternatives() {
    let d = common::parse("handmade-simulcast-answer.sdp");
    let sc = d.media[0].simulcast().unwrap();
    let recv = sc.recv().unwrap();
    assert_eq!(recv.len(), 3);
    let last: Vec<(&str, bool)> = recv[2]
        .alternatives
        .iter()
        .map(|a| (a.id.as_str(), a.paused))
        .collect();
    assert_eq!(last, [("f", false), ("f2", true)]);
    assert!(d.media[0].rids().all(|r| r.direction == RidDirection::Recv));
    assert!(d.msid_semantic().unwrap().identifiers.is_empty());
}
