//! Helpers shared by the integration tests: a loopback-only configuration and the
//! `datachannel` event a connected peer waits for.

#![allow(dead_code)]

use rtcio::{PeerConnectionEvent, RTCConfiguration, RTCDataChannel, RTCPeerConnection};

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
