//! Simulcast between two `RTCPeerConnection`s over loopback UDP, as an application uses it: the
//! sender adds a camera with three `sendEncodings` (rids q, h, f), encodes each layer and sends
//! its frames with `EncodedFrame.rid`; the receiver gets every layer's frames tagged with their
//! rid and one inbound-rtp per layer; `setParameters` turns a layer off and on, and caps one
//! with `maxBitrate`. Loopback UDP may drop under load, so counts allow some loss.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use rtcio::media::{
    Codec, EncodedFrame, MediaStreamTrack, RTCRtpEncodingParameters, RTCRtpReceiver,
    RTCRtpTransceiver, RTCRtpTransceiverDirection, TrackKind,
};
use rtcio::{PeerConnectionEvent, RTCPeerConnection, StatsKind};
use tokio::time::timeout;

const RIDS: [&str; 3] = ["q", "h", "f"];

/// Frame `i` of layer `rid`: a VP8 keyframe (10-byte keyframe header) whose size grows with the
/// layer's resolution.
fn encode(rid: &str, i: u32) -> EncodedFrame {
    let layer = RIDS.iter().position(|r| *r == rid).unwrap();
    let mut data = vec![0x50, 0x2a, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01];
    data.resize(400 * (layer + 1), i as u8);
    EncodedFrame {
        codec: Codec::Vp8,
        timestamp: i * 3000,
        keyframe: true,
        data,
        rid: Some(rid.to_string()),
        received: None,
    }
}

async fn next_track(pc: &RTCPeerConnection) -> RTCRtpTransceiver {
    loop {
        let e = timeout(Duration::from_secs(10), pc.next_event())
            .await
            .expect("track event in time")
            .expect("connection alive");
        if let PeerConnectionEvent::Track(t) = e {
            return t;
        }
    }
}

/// Reads frames until none came for a second; counts them per rid and checks their content.
async fn read_layers(receiver: RTCRtpReceiver) -> HashMap<String, u32> {
    let mut got = HashMap::new();
    while let Ok(Some(f)) = timeout(Duration::from_secs(1), receiver.recv_frame()).await {
        let rid = f.rid.clone().expect("a simulcast frame names its layer");
        assert_eq!(f.data, encode(&rid, f.timestamp / 3000).data);
        *got.entry(rid).or_insert(0) += 1;
    }
    got
}

#[tokio::test]
async fn three_layers_between_two_peer_connections() {
    let a = RTCPeerConnection::new(common::loopback()).await.unwrap();
    let b = RTCPeerConnection::new(common::loopback()).await.unwrap();
    let cam = MediaStreamTrack::new(TrackKind::Video);
    let encodings = RIDS
        .iter()
        .map(|rid| RTCRtpEncodingParameters::with_rid(rid))
        .collect();
    let transceiver = a
        .add_transceiver_with_encodings(
            TrackKind::Video,
            RTCRtpTransceiverDirection::SendOnly,
            Some(&cam),
            encodings,
        )
        .await
        .unwrap();
    let sender = transceiver.sender();
    common::negotiate(&a, &b).await;
    let answer = b.local_description().unwrap().sdp;
    assert!(answer.contains("a=simulcast:recv q;h;f"), "{answer}");
    let receiver = next_track(&b).await.receiver();

    // Wait until SRTP is up: the first send may come before DTLS finished.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while sender.send_frame(&encode("q", 0)).await.is_err() {
        assert!(tokio::time::Instant::now() < deadline, "media never ready");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let reader = tokio::spawn(read_layers(receiver.clone()));
    for i in 1..=40 {
        for rid in RIDS {
            sender.send_frame(&encode(rid, i)).await.unwrap();
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let got = reader.await.unwrap();
    for rid in RIDS {
        assert!(got.get(rid).copied().unwrap_or(0) >= 30, "{rid}: {got:?}");
    }
    // One inbound-rtp per layer, each with its rid.
    let mut inbound: Vec<String> = b
        .get_stats()
        .into_iter()
        .filter_map(|s| match s.kind {
            StatsKind::InboundRtp { rid, .. } => rid,
            _ => None,
        })
        .collect();
    inbound.sort();
    assert_eq!(inbound, ["f", "h", "q"]);
    // The sender's own getStats: an outbound-rtp per encoding, all naming the one media-source,
    // which counts each source frame once although every layer was sent it.
    let sent = sender.get_stats();
    let sources: Vec<Option<&String>> = sent
        .iter()
        .filter_map(|s| match &s.kind {
            StatsKind::OutboundRtp {
                media_source_id, ..
            } => Some(media_source_id.as_ref()),
            _ => None,
        })
        .collect();
    assert_eq!(sources.len(), 3, "{sent:?}");
    assert!(sources.iter().all(|s| s.is_some() && *s == sources[0]));
    let frames = sent.iter().find_map(|s| match &s.kind {
        StatsKind::MediaSource { frames, .. } => *frames,
        _ => None,
    });
    assert_eq!(frames, Some(41), "the first frame and 40 three-layer ones");

    // The application turns the top layer off: its frames stop, the others go on.
    let mut parameters = sender.get_parameters().await.unwrap();
    assert_eq!(parameters.encodings.len(), 3);
    parameters.encodings[2].active = false;
    parameters.encodings[0].max_bitrate = Some(150_000);
    sender.set_parameters(parameters).await.unwrap();
    let reader = tokio::spawn(read_layers(receiver.clone()));
    for i in 41..=60 {
        for rid in RIDS {
            sender.send_frame(&encode(rid, i)).await.unwrap();
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let got = reader.await.unwrap();
    assert_eq!(got.get("f"), None, "f is inactive: {got:?}");
    assert!(got.get("q").copied().unwrap_or(0) >= 12, "{got:?}");
    if let Some(targets) = sender.encoding_target_bitrates() {
        assert!(targets[0] <= 150_000 && targets[2] == 0, "{targets:?}");
    }
    // A stale transaction is refused.
    let old = sender.get_parameters().await.unwrap();
    let _newer = sender.get_parameters().await.unwrap();
    assert!(sender.set_parameters(old).await.is_err());

    a.close().await;
    b.close().await;
}
