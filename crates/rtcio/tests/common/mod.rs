//! Helpers shared by the integration tests: a loopback-only configuration, a non-trickle
//! offer/answer between two peers in one process, and the `datachannel` event a connected peer
//! waits for.

#![allow(dead_code)]

use rtcio::{PeerConnectionEvent, RTCConfiguration, RTCDataChannel, RTCPeerConnection, RTCSdpType};

/// Host candidates on 127.0.0.1 only, no STUN/TURN server.
pub fn loopback() -> RTCConfiguration {
    let mut config = RTCConfiguration::default();
    config.interfaces.addresses = vec!["127.0.0.1".parse().unwrap()];
    config
}

/// The next channel the peer opens on `pc`, skipping other events.
pub async fn next_channel(pc: &RTCPeerConnection) -> RTCDataChannel {
    loop {
        if let PeerConnectionEvent::DataChannel(c) =
            pc.next_event().await.expect("connection alive")
        {
            return c;
        }
    }
}

/// Offer from `a`, answer from `b`, each side's description handed over once its gathering is
/// complete (non-trickle, as aiortc programs signal).
pub async fn negotiate(a: &RTCPeerConnection, b: &RTCPeerConnection) {
    let offer = a.create_offer().await.unwrap();
    a.set_local_description(Some(offer)).await.unwrap();
    a.gathering_complete().await;
    b.set_remote_description(a.local_description().unwrap())
        .await
        .unwrap();
    let answer = b.create_answer().await.unwrap();
    assert_eq!(answer.sdp_type, RTCSdpType::Answer);
    b.set_local_description(Some(answer)).await.unwrap();
    b.gathering_complete().await;
    a.set_remote_description(b.local_description().unwrap())
        .await
        .unwrap();
}
