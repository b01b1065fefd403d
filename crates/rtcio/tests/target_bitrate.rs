//! The congestion controller's target reaches an encoder through `RTCRtpSender`: readable at
//! once, and awaitable as it changes while the peer's transport-wide feedback comes in (two
//! `RTCPeerConnection`s over loopback UDP).

mod common;

use std::time::Duration;

use rtcio::RTCPeerConnection;
use rtcio::media::{Codec, EncodedFrame, MediaStreamTrack, TrackKind};
use tokio::time::timeout;

#[tokio::test]
async fn an_encoder_awaits_the_target_bitrate() {
    let a = RTCPeerConnection::new(common::loopback()).await.unwrap();
    let b = RTCPeerConnection::new(common::loopback()).await.unwrap();
    let cam = MediaStreamTrack::new(TrackKind::Video);
    let video = a.add_track(&cam).await.unwrap();
    common::negotiate(&a, &b).await;
    // Published with the negotiation (the start rate, before any feedback).
    let start = timeout(Duration::from_secs(5), video.target_bitrate_changed(0))
        .await
        .expect("transport-cc negotiated")
        .expect("open");
    assert_eq!(video.target_bitrate(), Some(start));

    // An encoder loop: frames at the target, 30 per second, for at most 10 s.
    let sender = video.clone();
    let encoder = tokio::spawn(async move {
        let mut i = 0u32;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while tokio::time::Instant::now() < deadline {
            let target = sender.target_bitrate().unwrap_or(300_000);
            let mut data = vec![0x51, 0x2a, 0x00];
            data.resize((target / 8 / 30) as usize, i as u8);
            let frame = EncodedFrame {
                codec: Codec::Vp8,
                timestamp: i * 3000,
                keyframe: false,
                data,
                rid: None,
                received: None,
            };
            // Errors before DTLS is up: keep going.
            let _ = sender.send_frame(&frame).await;
            i += 1;
            tokio::time::sleep(Duration::from_millis(33)).await;
        }
    });
    // Loopback has no bottleneck: the feedback raises the estimate above the start rate.
    let mut seen = start;
    let raised = timeout(Duration::from_secs(10), async {
        loop {
            seen = video.target_bitrate_changed(seen).await.expect("open");
            if seen > start {
                return seen;
            }
        }
    })
    .await
    .expect("the target moved within 10 s");
    assert!(raised > start);
    encoder.abort();
    a.close().await;
    // Closed: the waiter returns.
    let closed = timeout(
        Duration::from_secs(5),
        video.target_bitrate_changed(video.target_bitrate().unwrap_or(0)),
    )
    .await
    .expect("returns once closed");
    assert_eq!(closed, None);
    b.close().await;
}
