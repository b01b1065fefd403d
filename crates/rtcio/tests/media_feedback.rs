//! Media feedback between two `RTCPeerConnection`s over loopback UDP, as the async API shows it:
//! a receiver whose stream starts without a keyframe learns that one is needed
//! (`keyframe_needed`), the stream engine's PLI reaches the sender as a keyframe request
//! (`keyframe_requested`), and the keyframe the sender answers with is delivered.

mod common;

use std::time::Duration;

use rtcio::media::{Codec, EncodedFrame, MediaStreamTrack, TrackKind};
use rtcio::{PeerConnectionEvent, RTCPeerConnection};
use tokio::time::timeout;

fn vp8(keyframe: bool, i: u32) -> EncodedFrame {
    let mut data = if keyframe {
        vec![0x50, 0x2a, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01]
    } else {
        vec![0x51, 0x2a, 0x00]
    };
    data.resize(1500, i as u8);
    EncodedFrame {
        codec: Codec::Vp8,
        timestamp: i * 3000,
        keyframe,
        data,
        rid: None,
        received: None,
    }
}

#[tokio::test]
async fn keyframe_needed_reaches_the_receiver_and_the_request_the_sender() {
    let a = RTCPeerConnection::new(common::loopback()).await.unwrap();
    let b = RTCPeerConnection::new(common::loopback()).await.unwrap();
    let sender = a
        .add_track(&MediaStreamTrack::new(TrackKind::Video))
        .await
        .unwrap();
    common::negotiate(&a, &b).await;
    let track = loop {
        let e = timeout(Duration::from_secs(10), b.next_event())
            .await
            .expect("track event in time")
            .expect("connection alive");
        if let PeerConnectionEvent::Track(t) = e {
            break t;
        }
    };
    let receiver = track.receiver();
    assert_eq!(receiver.keyframes_needed(), 0);

    // Delta frames first (as after joining a running stream): nothing decodable arrives.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while sender.send_frame(&vp8(false, 0)).await.is_err() {
        assert!(tokio::time::Instant::now() < deadline, "media never ready");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut i = 1;
    let needed = {
        let wait = receiver.keyframe_needed(0);
        tokio::pin!(wait);
        loop {
            tokio::select! {
                n = &mut wait => break n,
                _ = tokio::time::sleep(Duration::from_millis(33)) => {
                    sender.send_frame(&vp8(false, i)).await.unwrap();
                    i += 1;
                    assert!(i < 300, "no KeyframeNeeded");
                }
            }
        }
    };
    assert!(needed >= Some(1));
    // The engine's PLI reaches the sender; it answers with a keyframe, which is delivered.
    let asked = timeout(Duration::from_secs(5), sender.keyframe_requested(0))
        .await
        .expect("keyframe request in time");
    assert!(asked >= Some(1));
    let key = i;
    sender.send_frame(&vp8(true, key)).await.unwrap();
    let first = timeout(Duration::from_secs(5), receiver.recv_frame())
        .await
        .expect("a frame in time")
        .expect("track alive");
    assert!(first.keyframe);
    let timing = first.received.expect("received frames carry their timing");
    assert!(timing.first_packet_at <= timing.last_packet_at);
    assert!(timing.last_packet_at <= std::time::Instant::now());
    // W3C getSynchronizationSources: the sender's SSRC, heard just now.
    let sources = receiver.get_synchronization_sources();
    assert_eq!(sources.len(), 1);
    assert_eq!(sources[0].source, sender.ssrc());
    assert!(receiver.get_contributing_sources().is_empty());
    assert_eq!(first.timestamp, key * 3000);

    a.close().await;
    b.close().await;
    assert_eq!(receiver.keyframe_needed(u64::MAX).await, None);
}

/// The next `track` event, if one comes within `wait`.
async fn track_within(pc: &RTCPeerConnection, wait: Duration) -> Option<TrackKind> {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match timeout(left, pc.next_event()).await {
            Ok(Some(PeerConnectionEvent::Track(t))) => return Some(t.kind()),
            Ok(Some(_)) => continue,
            Ok(None) | Err(_) => return None,
        }
    }
}

#[tokio::test]
async fn track_fires_at_set_remote_description_in_both_roles() {
    let a = RTCPeerConnection::new(common::loopback()).await.unwrap();
    let b = RTCPeerConnection::new(common::loopback()).await.unwrap();
    a.add_track(&MediaStreamTrack::new(TrackKind::Video))
        .await
        .unwrap();
    b.add_track(&MediaStreamTrack::new(TrackKind::Video))
        .await
        .unwrap();
    let offer = a.create_offer().await.unwrap();
    a.set_local_description(Some(offer)).await.unwrap();
    a.gathering_complete().await;
    b.set_remote_description(a.local_description().unwrap())
        .await
        .unwrap();
    // The answerer has the remote track before it answers.
    let short = Duration::from_millis(500);
    assert_eq!(track_within(&b, short).await, Some(TrackKind::Video));
    let answer = b.create_answer().await.unwrap();
    b.set_local_description(Some(answer)).await.unwrap();
    b.gathering_complete().await;
    assert_eq!(
        track_within(&a, short).await,
        None,
        "offerer: not before the answer"
    );
    a.set_remote_description(b.local_description().unwrap())
        .await
        .unwrap();
    assert_eq!(track_within(&a, short).await, Some(TrackKind::Video));
    assert_eq!(track_within(&b, short).await, None, "answerer: only once");
    a.close().await;
    b.close().await;
}
