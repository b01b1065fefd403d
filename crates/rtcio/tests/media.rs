//! Media between two `RTCPeerConnection`s over loopback UDP: encoded VP8 and Opus frames sent
//! with `send_frame` arrive as whole frames through `recv_frame`; a keyframe request reaches the
//! sender. Loopback UDP may drop under load, so counts allow some loss.

mod common;

use std::time::Duration;

use rtcio::media::{Codec, EncodedFrame, MediaStreamTrack, RTCRtpTransceiver, TrackKind};
use rtcio::{PeerConnectionEvent, RTCPeerConnection};
use rtcio_proto::peer::StatsKind;
use tokio::time::timeout;

/// A VP8 frame: a keyframe (or not) with the 10-byte keyframe header and `len` bytes in all.
fn vp8_frame(keyframe: bool, len: usize, fill: u8) -> Vec<u8> {
    let mut f = if keyframe {
        vec![0x50, 0x2a, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01]
    } else {
        vec![0x51, 0x2a, 0x00]
    };
    f.resize(len, fill);
    f
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

#[tokio::test]
async fn encoded_frames_cross_between_two_peer_connections() {
    let a = RTCPeerConnection::new(common::loopback()).await.unwrap();
    let b = RTCPeerConnection::new(common::loopback()).await.unwrap();
    let cam = MediaStreamTrack::new(TrackKind::Video);
    let mic = MediaStreamTrack::new(TrackKind::Audio);
    let video = a.add_track(&cam).await.unwrap();
    let audio = a.add_track(&mic).await.unwrap();
    common::negotiate(&a, &b).await;

    let t1 = next_track(&b).await;
    let t2 = next_track(&b).await;
    let (bv, ba) = if t1.kind() == TrackKind::Video {
        (t1, t2)
    } else {
        (t2, t1)
    };
    assert_eq!(bv.receiver().track().id, cam.id);
    assert_eq!(ba.receiver().track().id, mic.id);
    assert_eq!(a.get_transceivers().len(), 2);

    // Wait until SRTP is up: the first send may come before DTLS finished.
    let first = EncodedFrame {
        codec: Codec::Vp8,
        timestamp: 0,
        keyframe: true,
        data: vp8_frame(true, 5000, 1),
        rid: None,
        received: None,
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while video.send_frame(&first).await.is_err() {
        assert!(tokio::time::Instant::now() < deadline, "media never ready");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let receiver = bv.receiver();
    let reader = tokio::spawn(async move {
        let mut frames = Vec::new();
        while let Ok(Some(f)) = timeout(Duration::from_secs(2), receiver.recv_frame()).await {
            frames.push(f);
        }
        frames
    });
    let audio_receiver = ba.receiver();
    let audio_reader = tokio::spawn(async move {
        let mut n = 0;
        while let Ok(Some(f)) = timeout(Duration::from_secs(2), audio_receiver.recv_frame()).await {
            assert_eq!(f.codec, Codec::Opus);
            n += 1;
        }
        n
    });
    for i in 1..60u32 {
        let frame = EncodedFrame {
            codec: Codec::Vp8,
            timestamp: i * 3000,
            keyframe: false,
            data: vp8_frame(false, 3000 + i as usize, i as u8),
            rid: None,
            received: None,
        };
        video.send_frame(&frame).await.unwrap();
        let opus = EncodedFrame {
            codec: Codec::Opus,
            timestamp: i * 960,
            keyframe: true,
            data: vec![0xfc, i as u8, 1, 2, 3],
            rid: None,
            received: None,
        };
        audio.send_frame(&opus).await.unwrap();
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let frames = reader.await.unwrap();
    // Loopback may lose a packet; a frame missing one is not delivered.
    assert!(frames.len() >= 50, "{} frames", frames.len());
    for f in &frames {
        assert_eq!(f.codec, Codec::Vp8);
        let i = f.timestamp / 3000;
        if i > 0 {
            assert_eq!(f.data, vp8_frame(false, 3000 + i as usize, i as u8));
        } else {
            assert!(f.keyframe);
        }
    }
    assert!(audio_reader.await.unwrap() >= 50);

    // A keyframe request from b's receiver reaches a's sender.
    let seen = video.keyframe_requests();
    bv.receiver().request_keyframe().await.unwrap();
    let n = timeout(Duration::from_secs(5), video.keyframe_requested(seen))
        .await
        .expect("PLI in time");
    assert_eq!(n, Some(seen + 1));

    // Sender and receiver getStats: their own RTP objects and what those reference.
    let sent = video.get_stats();
    let types: Vec<&str> = sent.iter().map(|s| s.type_name()).collect();
    assert_eq!(
        types.iter().filter(|t| **t == "outbound-rtp").count(),
        1,
        "{types:?}"
    );
    for t in ["media-source", "codec", "transport"] {
        assert!(types.contains(&t), "{t} missing from {types:?}");
    }
    assert!(!types.contains(&"inbound-rtp"), "{types:?}");
    let source = sent
        .iter()
        .find_map(|s| match &s.kind {
            StatsKind::MediaSource {
                track_identifier,
                frames,
                ..
            } => Some((track_identifier.clone(), *frames)),
            _ => None,
        })
        .unwrap();
    assert_eq!(source, (cam.id.clone(), Some(60)));
    let audio_source = audio.get_stats().into_iter().find_map(|s| match s.kind {
        StatsKind::MediaSource { kind, frames, .. } => Some((kind, frames)),
        _ => None,
    });
    assert_eq!(audio_source, Some(("audio", None)));
    let received = bv.receiver().get_stats();
    let types: Vec<&str> = received.iter().map(|s| s.type_name()).collect();
    assert!(
        types.contains(&"inbound-rtp") && types.contains(&"codec"),
        "{types:?}"
    );
    assert!(!types.contains(&"outbound-rtp") && !types.contains(&"media-source"));
    assert!(received.iter().all(|s| match &s.kind {
        StatsKind::InboundRtp { mid, kind, .. } => *kind == "video" && *mid == bv.mid(),
        _ => true,
    }));

    a.close().await;
    b.close().await;
    // Closed: receivers end instead of hanging.
    assert!(
        timeout(Duration::from_secs(2), bv.receiver().recv_rtp())
            .await
            .unwrap()
            .is_none()
    );
}

/// Waits for `negotiationneeded` on `pc`.
async fn negotiation_needed(pc: &RTCPeerConnection) {
    loop {
        let e = timeout(Duration::from_secs(10), pc.next_event())
            .await
            .expect("negotiationneeded in time")
            .expect("connection alive");
        if matches!(e, PeerConnectionEvent::NegotiationNeeded) {
            return;
        }
    }
}

/// Sends small frames on `sender` until `receiver` gets one (SRTP may not be ready at first).
async fn first_frame_through(
    sender: &rtcio::media::RTCRtpSender,
    receiver: &rtcio::media::RTCRtpReceiver,
) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let mut i = 0u32;
    loop {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no frame got through"
        );
        i += 1;
        let f = EncodedFrame {
            codec: Codec::Vp8,
            timestamp: i * 3000,
            keyframe: true,
            data: vp8_frame(true, 200, i as u8),
            rid: None,
            received: None,
        };
        let _ = sender.send_frame(&f).await;
        if let Ok(Some(got)) = timeout(Duration::from_millis(100), receiver.recv_frame()).await {
            assert_eq!(got.codec, Codec::Vp8);
            return;
        }
    }
}

#[tokio::test]
async fn renegotiation_adds_and_removes_a_video_track() {
    let a = RTCPeerConnection::new(common::loopback()).await.unwrap();
    let b = RTCPeerConnection::new(common::loopback()).await.unwrap();
    let mic = MediaStreamTrack::new(TrackKind::Audio);
    a.add_track(&mic).await.unwrap();
    common::negotiate(&a, &b).await;
    let audio = next_track(&b).await;
    assert_eq!(audio.kind(), TrackKind::Audio);

    // Adding video later needs a new exchange; the new transceiver gets the next mid.
    let cam = MediaStreamTrack::new(TrackKind::Video);
    let video = a.add_track(&cam).await.unwrap();
    negotiation_needed(&a).await;
    common::negotiate(&a, &b).await;
    let bv = next_track(&b).await;
    assert_eq!(bv.kind(), TrackKind::Video);
    assert_eq!(bv.mid().as_deref(), Some("1"));
    assert_eq!(bv.receiver().track().id, cam.id);
    first_frame_through(&video, &bv.receiver()).await;

    // removeTrack: after the exchange b's video receiver ends and a no longer sends.
    a.remove_track(&video).await.unwrap();
    negotiation_needed(&a).await;
    common::negotiate(&a, &b).await;
    let receiver = bv.receiver();
    let ended = timeout(Duration::from_secs(5), async {
        while receiver.recv_rtp().await.is_some() {}
    })
    .await;
    assert!(ended.is_ok(), "the receiver's track ended");
    assert_eq!(
        bv.current_direction(),
        Some(rtcio::media::RTCRtpTransceiverDirection::Inactive)
    );
    let f = EncodedFrame {
        codec: Codec::Vp8,
        timestamp: 0,
        keyframe: true,
        data: vp8_frame(true, 100, 0),
        rid: None,
        received: None,
    };
    assert!(video.send_frame(&f).await.is_err());
    a.close().await;
    b.close().await;
}
