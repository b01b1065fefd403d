//! Building descriptions from the model (as the JSEP layer will) gives the expected SDP text.

use rtcio_sdp::{
    Attribute, Candidate, Connection, Direction, Extmap, Fingerprint, Group, HashFunction,
    JsepDescription, MediaDescription, MediaKind, Origin, Protocol, RtcpFb, RtpMap, SdpType,
    SessionDescription, Setup,
};

fn offer() -> SessionDescription {
    let mut sdp = SessionDescription::new(Origin::new(4611731400430051336, 2));
    sdp.push_attribute(Attribute::Group(Group::bundle(["0", "1"])))
        .push_attribute(Attribute::ExtmapAllowMixed);

    let fingerprint = Fingerprint {
        hash_function: HashFunction::Sha256,
        bytes: (0u8..32).collect(),
    };
    let mut audio = MediaDescription::new(MediaKind::Audio, 9, Protocol::UdpTlsRtpSavpf, ["111"]);
    audio.connection = Some(Connection::new("0.0.0.0".parse().unwrap()));
    audio
        .push_attribute(Attribute::IceUfrag("abcd".into()))
        .push_attribute(Attribute::IcePwd("0123456789abcdefghijklmn".into()))
        .push_attribute(Attribute::IceOptions(vec!["trickle".into()]))
        .push_attribute(Attribute::Fingerprint(fingerprint.clone()))
        .push_attribute(Attribute::Setup(Setup::Actpass))
        .push_attribute(Attribute::Mid("0".into()))
        .push_attribute(Attribute::Extmap(Extmap::new(
            4,
            "urn:ietf:params:rtp-hdrext:sdes:mid",
        )))
        .push_attribute(Attribute::Direction(Direction::SendRecv))
        .push_attribute(Attribute::RtcpMux)
        .push_attribute(Attribute::Rtpmap(RtpMap {
            channels: Some(2),
            ..RtpMap::new(111, "opus", 48000)
        }))
        .push_attribute(Attribute::RtcpFb(RtcpFb::new(111, "transport-cc", None)))
        .push_attribute(
            "candidate:1 1 udp 2122260223 192.0.2.1 50000 typ host"
                .parse::<Candidate>()
                .unwrap()
                .into(),
        )
        .push_attribute(Attribute::EndOfCandidates);
    sdp.push_media(audio);

    let mut data = MediaDescription::new(
        MediaKind::Application,
        9,
        Protocol::UdpDtlsSctp,
        ["webrtc-datachannel"],
    );
    data.connection = Some(Connection::new("0.0.0.0".parse().unwrap()));
    data.push_attribute(Attribute::Mid("1".into()))
        .push_attribute(Attribute::SctpPort(5000))
        .push_attribute(Attribute::MaxMessageSize(262144));
    sdp.push_media(data);
    sdp
}

#[test]
fn built_offer_serializes_as_expected() {
    let text = offer().to_string();
    let fp: Vec<String> = (0u8..32).map(|b| format!("{b:02X}")).collect();
    let expected = format!(
        "v=0\r\n\
         o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n\
         s=-\r\n\
         t=0 0\r\n\
         a=group:BUNDLE 0 1\r\n\
         a=extmap-allow-mixed\r\n\
         m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n\
         c=IN IP4 0.0.0.0\r\n\
         a=ice-ufrag:abcd\r\n\
         a=ice-pwd:0123456789abcdefghijklmn\r\n\
         a=ice-options:trickle\r\n\
         a=fingerprint:sha-256 {}\r\n\
         a=setup:actpass\r\n\
         a=mid:0\r\n\
         a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n\
         a=sendrecv\r\n\
         a=rtcp-mux\r\n\
         a=rtpmap:111 opus/48000/2\r\n\
         a=rtcp-fb:111 transport-cc\r\n\
         a=candidate:1 1 udp 2122260223 192.0.2.1 50000 typ host\r\n\
         a=end-of-candidates\r\n\
         m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n\
         c=IN IP4 0.0.0.0\r\n\
         a=mid:1\r\n\
         a=sctp-port:5000\r\n\
         a=max-message-size:262144\r\n",
        fp.join(":")
    );
    assert_eq!(text, expected);
}

#[test]
fn built_offer_parses_back_to_the_model() {
    let sdp = offer();
    let parsed = SessionDescription::parse(&sdp.to_string()).unwrap();
    assert_eq!(parsed, sdp);
    assert_eq!(parsed.media_by_mid("1").unwrap().sctp_port(), Some(5000));
}

#[test]
fn editing_a_parsed_description_in_place() {
    let mut sdp = offer();
    sdp.origin.session_version += 1;
    let audio = &mut sdp.media[0];
    audio
        .attributes
        .retain(|a| !matches!(a, Attribute::Candidate(_)));
    let pos = audio
        .attributes
        .iter()
        .position(|a| a == &Attribute::Direction(Direction::SendRecv))
        .unwrap();
    audio.attributes[pos] = Attribute::Direction(Direction::RecvOnly);
    let text = sdp.to_string();
    assert!(text.contains("o=- 4611731400430051336 3 IN IP4 127.0.0.1\r\n"));
    assert!(text.contains("a=recvonly\r\n") && !text.contains("a=candidate"));
    let again = SessionDescription::parse(&text).unwrap();
    assert_eq!(again.media[0].direction(), Some(Direction::RecvOnly));
    assert_eq!(again.media[0].candidates().count(), 0);
}

#[test]
fn candidate_attribute_matches_standalone_form() {
    let c: Candidate = "candidate:1 1 udp 2122260223 192.0.2.1 50000 typ host"
        .parse()
        .unwrap();
    assert_eq!(Attribute::from(c.clone()).to_string(), c.to_string());
}

#[test]
fn typed_values_convert_into_attributes() {
    let mut m = MediaDescription::new(MediaKind::Video, 9, Protocol::UdpTlsRtpSavpf, ["96"]);
    m.push_attribute(Direction::SendOnly.into())
        .push_attribute(RtpMap::new(96, "VP8", 90000).into())
        .push_attribute(RtcpFb::new(96, "nack", Some("pli")).into())
        .push_attribute(Setup::Passive.into());
    let text = m.to_string();
    assert_eq!(
        text,
        "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=sendonly\r\na=rtpmap:96 VP8/90000\r\n\
         a=rtcp-fb:96 nack pli\r\na=setup:passive\r\n"
    );
    assert_eq!(m.codecs()[0].rtcp_fbs.len(), 1);
}

#[test]
fn jsep_types() {
    for t in [
        SdpType::Offer,
        SdpType::Pranswer,
        SdpType::Answer,
        SdpType::Rollback,
    ] {
        assert_eq!(t.as_str().parse::<SdpType>(), Ok(t));
        assert_eq!(t.to_string(), t.as_str());
    }
    assert!("Offer".parse::<SdpType>().is_err());
    let d = JsepDescription::parse(SdpType::Offer, &offer().to_string()).unwrap();
    assert_eq!(d.sdp_type, SdpType::Offer);
    assert_eq!(d.sdp, offer());
}
