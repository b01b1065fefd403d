//! Simulcast (RFC 8853, rids RFC 8851): answering the simulcast offers of Chromium 156 and
//! Firefox ESR 153 (captured with three `sendEncodings`, rids q/h/f) with the same rids to
//! receive and the rid header extensions.

use std::time::Instant;

use rtcio_proto::peer::{Config, Event, PeerConnection};
use rtcio_sdp::{
    Direction, JsepDescription, MediaDescription, MediaKind, SdpType, SessionDescription,
};

const RID_URI: &str = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";
const REPAIRED_RID_URI: &str = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id";

fn fixture(name: &str) -> SessionDescription {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    SessionDescription::parse(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Answers a browser's offer; returns the answer as written (parsed back) and the number of
/// `track` events.
fn answer(offer: &str) -> (SessionDescription, usize) {
    let now = Instant::now();
    let mut pc = PeerConnection::new(Config::default()).unwrap();
    let desc = JsepDescription {
        sdp_type: SdpType::Offer,
        sdp: fixture(offer),
    };
    pc.set_remote_description(now, desc).unwrap();
    let answer = pc.create_answer().unwrap();
    pc.set_local_description(now, Some(answer.clone())).unwrap();
    let tracks = std::iter::from_fn(|| pc.poll_event())
        .filter(|e| matches!(e, Event::Track(_)))
        .count();
    let text = answer.sdp.to_string();
    (SessionDescription::parse(&text).unwrap(), tracks)
}

fn video(sdp: &SessionDescription) -> &MediaDescription {
    sdp.media
        .iter()
        .find(|m| m.kind == MediaKind::Video)
        .unwrap()
}

fn extmap<'a>(m: &'a MediaDescription, uri: &str) -> Option<&'a rtcio_sdp::Extmap> {
    m.extmaps().find(|e| e.uri == uri)
}

#[test]
fn answers_chromium_simulcast_offer_with_the_same_rids() {
    let (a, tracks) = answer("chromium-simulcast-offer.sdp");
    assert_eq!(tracks, 1);
    let v = video(&a);
    assert_ne!(v.port, 0);
    assert_eq!(v.direction(), Some(Direction::RecvOnly));
    let rids: Vec<String> = v.rids().map(ToString::to_string).collect();
    assert_eq!(rids, ["q recv", "h recv", "f recv"]);
    assert_eq!(v.simulcast().unwrap().to_string(), "recv q;h;f");
    // The rid extensions with Chromium's ids (mid 9, rid 10, repaired-rid 11).
    assert_eq!(extmap(v, RID_URI).map(|e| e.id), Some(10));
    assert_eq!(extmap(v, REPAIRED_RID_URI).map(|e| e.id), Some(11));
    assert_eq!(
        extmap(v, "urn:ietf:params:rtp-hdrext:sdes:mid").map(|e| e.id),
        Some(9)
    );
}

#[test]
fn answers_firefox_simulcast_offer_with_the_same_rids() {
    let (a, tracks) = answer("firefox-simulcast-offer.sdp");
    assert_eq!(tracks, 1);
    let v = video(&a);
    assert_ne!(v.port, 0);
    assert_eq!(v.direction(), Some(Direction::RecvOnly));
    let rids: Vec<String> = v.rids().map(ToString::to_string).collect();
    assert_eq!(rids, ["q recv", "h recv", "f recv"]);
    assert_eq!(v.simulcast().unwrap().to_string(), "recv q;h;f");
    // Firefox offers the rid extensions sendonly: answered recvonly, with its ids.
    let rid = extmap(v, RID_URI).unwrap();
    assert_eq!((rid.id, rid.direction), (9, Some(Direction::RecvOnly)));
    let repaired = extmap(v, REPAIRED_RID_URI).unwrap();
    assert_eq!(
        (repaired.id, repaired.direction),
        (10, Some(Direction::RecvOnly))
    );
}
