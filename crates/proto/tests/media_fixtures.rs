//! Answering real browser and aiortc offers with audio, video and data (fixtures captured from
//! Chromium 156, Firefox ESR 153 and aiortc), and the codec lines of our own offers.

use std::time::Instant;

use rtcio_proto::media::{SenderTrack, TrackKind};
use rtcio_proto::peer::{Config, Event, PeerConnection};
use rtcio_sdp::{Direction, JsepDescription, MediaKind, SdpType, SessionDescription};

fn fixture(name: &str) -> SessionDescription {
    let path = format!(
        "{}/../sdp/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    SessionDescription::parse(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Answers `offer` with an echo track added between setRemoteDescription and createAnswer, as
/// the server demo does; returns the answer and the `track` events.
fn answer(offer: &str) -> (SessionDescription, Vec<Event>) {
    let now = Instant::now();
    let mut pc = PeerConnection::new(Config::default()).unwrap();
    let desc = JsepDescription {
        sdp_type: SdpType::Offer,
        sdp: fixture(offer),
    };
    pc.set_remote_description(now, desc).unwrap();
    pc.add_track(
        TrackKind::Video,
        SenderTrack {
            track_id: "echo".into(),
            stream_ids: vec!["s".into()],
        },
    )
    .unwrap();
    let answer = pc.create_answer().unwrap();
    pc.set_local_description(now, Some(answer.clone())).unwrap();
    let mut events = Vec::new();
    while let Some(e) = pc.poll_event() {
        if matches!(e, Event::Track(_)) {
            events.push(e);
        }
    }
    // What we write parses back.
    let text = answer.sdp.to_string();
    (SessionDescription::parse(&text).unwrap(), events)
}

fn pts(m: &rtcio_sdp::MediaDescription) -> Vec<String> {
    m.formats.clone()
}

#[test]
fn answers_chromium_audio_video_data_offer() {
    let (a, tracks) = answer("chromium-offer-av-dc.sdp");
    assert_eq!(a.media.len(), 3);
    assert_eq!(a.bundle_group().unwrap().mids, ["0", "1", "2"]);
    let (audio, video) = (&a.media[0], &a.media[1]);
    assert_ne!(audio.port, 0);
    assert_eq!(audio.direction(), Some(Direction::RecvOnly));
    assert_eq!(pts(audio), ["111", "9", "0", "8", "63"]);
    assert_eq!(video.direction(), Some(Direction::SendRecv));
    assert_eq!(
        pts(video),
        [
            "96", "97", "102", "103", "108", "109", "114", "115", "45", "46", "98", "99", "118",
            "119", "120"
        ]
    );
    // Offerer's extension ids, only the known URIs.
    let ext: Vec<(u16, &str)> = video.extmaps().map(|e| (e.id, e.uri.as_str())).collect();
    assert!(ext.contains(&(4, "urn:ietf:params:rtp-hdrext:sdes:mid")));
    assert!(ext.contains(&(
        3,
        "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"
    )));
    assert!(!ext.iter().any(|(_, u)| u.contains("color-space")));
    // We send on video: ssrc with cname and an RTX FID group.
    assert!(video.ssrc_groups().any(|g| g.semantics == "FID"));
    assert!(video.msids().any(|m| m.track_id.as_deref() == Some("echo")));
    assert_eq!(a.media[2].kind, MediaKind::Application);
    assert_eq!(tracks.len(), 2, "audio and video receivers fire track");
}

#[test]
fn answers_firefox_audio_video_data_offer() {
    let (a, tracks) = answer("firefox-offer-av-dc.sdp");
    let video = a.media.iter().find(|m| m.kind == MediaKind::Video).unwrap();
    assert_ne!(video.port, 0);
    let names: Vec<&str> = video.rtpmaps().map(|r| r.encoding_name.as_str()).collect();
    assert_eq!(
        names,
        [
            "VP8", "rtx", "VP9", "rtx", "AV1", "rtx", "ulpfec", "red", "rtx"
        ]
    );
    let audio = a.media.iter().find(|m| m.kind == MediaKind::Audio).unwrap();
    assert_eq!(audio.rtpmaps().next().unwrap().encoding_name, "opus");
    assert_eq!(tracks.len(), 2);
}

#[test]
fn answers_firefox_bundle_only_section() {
    // Firefox offers its second video section (a recvonly transceiver next to a sendonly
    // simulcast one) with port 0 and a=bundle-only: it is offered, not rejected (RFC 9143).
    let (a, tracks) = answer("firefox-offer-simulcast-recvonly-bundle-only.sdp");
    assert_eq!(a.media.len(), 3);
    assert_eq!(a.bundle_group().unwrap().mids, ["0", "1", "2"]);
    assert!(a.media.iter().all(|m| m.port != 0));
    assert_eq!(a.media[0].direction(), Some(Direction::RecvOnly));
    assert!(matches!(
        a.media[1].direction(),
        Some(Direction::SendOnly | Direction::Inactive)
    ));
    assert_eq!(tracks.len(), 1);
}

#[test]
fn answers_aiortc_offer() {
    let (a, tracks) = answer("aiortc-offer-av-dc-to-chromium.sdp");
    assert!(
        a.media
            .iter()
            .filter(|m| m.kind != MediaKind::Application)
            .all(|m| m.port != 0)
    );
    assert!(!tracks.is_empty());
}

#[test]
fn our_offer_has_browser_codec_lines_and_assigns_mids() {
    // Our offer carries what browsers expect; applying it gives the transceivers their mids.
    let now = Instant::now();
    let mut pc = PeerConnection::new(Config::default()).unwrap();
    let t = SenderTrack {
        track_id: "t".into(),
        stream_ids: vec![],
    };
    pc.add_track(TrackKind::Audio, t.clone()).unwrap();
    pc.add_track(
        TrackKind::Video,
        SenderTrack {
            track_id: "v".into(),
            ..t
        },
    )
    .unwrap();
    let offer = pc.create_offer().unwrap();
    let text = offer.sdp.to_string();
    assert!(text.contains("a=rtpmap:111 opus/48000/2\r\n"));
    assert!(text.contains("a=fmtp:111 minptime=10;useinbandfec=1\r\n"));
    assert!(text.contains("a=rtcp-fb:96 nack pli\r\n"));
    assert!(text.contains("a=fmtp:97 apt=96\r\n"));
    assert!(text.contains("profile-level-id=42e01f"));
    assert!(text.contains("a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"));
    assert!(text.contains("a=group:BUNDLE 0 1\r\n"));
    pc.set_local_description(now, Some(offer)).unwrap();
    let mids: Vec<Option<String>> = pc
        .transceivers()
        .iter()
        .map(|t| t.mid().map(String::from))
        .collect();
    assert_eq!(mids, [Some("0".into()), Some("1".into())]);
}

#[test]
fn simulcast_offer_is_answered_with_recv_simulcast() {
    // The answer receives the offered layers (RFC 8853 §5.3): the same rids as `recv`, the
    // paused one still paused, f's pt restriction kept to the codecs we take.
    let (a, tracks) = answer("handmade-chromium-simulcast-offer.sdp");
    let video = a.media.iter().find(|m| m.kind == MediaKind::Video).unwrap();
    assert_ne!(video.port, 0);
    assert_eq!(video.simulcast().unwrap().to_string(), "recv q;h;~f");
    let rids: Vec<String> = video.rids().map(ToString::to_string).collect();
    assert_eq!(rids, ["q recv", "h recv", "f recv pt=96,98"]);
    assert_eq!(tracks.len(), 2);
}

#[test]
fn negotiationneeded_follows_direction_changes_once() {
    let now = Instant::now();
    let mut a = PeerConnection::new(Config::default()).unwrap();
    let mut b = PeerConnection::new(Config::default()).unwrap();
    let t = a
        .add_track(
            TrackKind::Audio,
            SenderTrack {
                track_id: "mic".into(),
                stream_ids: vec![],
            },
        )
        .unwrap();
    let exchange = |a: &mut PeerConnection, b: &mut PeerConnection| {
        a.set_local_description(now, None).unwrap();
        b.set_remote_description(now, a.local_description().unwrap())
            .unwrap();
        b.set_local_description(now, None).unwrap();
        a.set_remote_description(now, b.local_description().unwrap())
            .unwrap();
    };
    let needed = |pc: &mut PeerConnection| {
        std::iter::from_fn(|| pc.poll_event())
            .filter(|e| *e == Event::NegotiationNeeded)
            .count()
    };
    assert_eq!(needed(&mut a), 1);
    exchange(&mut a, &mut b);
    assert_eq!(needed(&mut a), 0, "stable and in sync");
    a.set_transceiver_direction(t, Direction::SendRecv).unwrap();
    assert_eq!(needed(&mut a), 0, "same direction: nothing to negotiate");
    a.set_transceiver_direction(t, Direction::RecvOnly).unwrap();
    assert_eq!(needed(&mut a), 1);
    exchange(&mut a, &mut b);
    assert_eq!(needed(&mut a), 0);
    assert_eq!(needed(&mut b), 0);
    let offer_dir = a.current_local_description().unwrap().sdp.media[0].direction();
    assert_eq!(offer_dir, Some(Direction::RecvOnly));
    assert_eq!(
        a.transceiver(t).unwrap().current_direction(),
        Some(Direction::Inactive),
        "b only receives, a now only receives: nothing flows"
    );
}
