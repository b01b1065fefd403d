//! A connection's life as the application sees it: descriptions move from pending to current,
//! the configuration reports the certificate in use, and `close()` gives back every socket
//! and task.

mod common;

use common::loopback;

use std::time::Duration;

use rtcio::{
    DataChannelInit, PeerConnectionEvent, RTCPeerConnection, RTCPeerConnectionState,
    RTCSignalingState,
};

fn alive_tasks() -> usize {
    tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn descriptions_configuration_and_close_release_everything() {
    tokio::time::timeout(Duration::from_secs(20), async {
        let tasks_before = alive_tasks();
        let a = RTCPeerConnection::new(loopback()).await.unwrap();
        let b = RTCPeerConnection::new(loopback()).await.unwrap();
        let config = a.get_configuration();
        assert_eq!(
            config.certificates.len(),
            1,
            "the generated certificate is reported"
        );

        let ch = a
            .create_data_channel("life", DataChannelInit::default())
            .await
            .unwrap();
        a.set_local_description(None).await.unwrap();
        assert!(a.pending_local_description().is_some());
        assert!(a.current_local_description().is_none());
        assert_eq!(a.signaling_state(), RTCSignalingState::HaveLocalOffer);
        b.set_remote_description(a.local_description().unwrap())
            .await
            .unwrap();
        assert!(b.pending_remote_description().is_some());
        b.set_local_description(None).await.unwrap();
        assert!(b.current_remote_description().is_some());
        assert!(b.pending_remote_description().is_none());
        a.set_remote_description(b.local_description().unwrap())
            .await
            .unwrap();
        assert!(a.current_local_description().is_some());
        assert!(a.pending_local_description().is_none());
        assert!(a.current_remote_description().is_some());
        ch.opened().await.unwrap();
        assert_eq!(a.connection_state(), RTCPeerConnectionState::Connected);
        assert!(alive_tasks() > tasks_before, "driver and receive tasks run");

        let ports: Vec<_> = a
            .local_addresses()
            .into_iter()
            .chain(b.local_addresses())
            .collect();
        assert_eq!(ports.len(), 2);
        a.close().await;
        b.close().await;
        assert_eq!(a.connection_state(), RTCPeerConnectionState::Closed);
        assert!(a.local_addresses().is_empty());
        assert!(
            a.next_event()
                .await
                .is_none_or(|e| !matches!(e, PeerConnectionEvent::DataChannel(_)))
        );

        // Every task ends and every socket is closed: the ports can be bound again.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while alive_tasks() > tasks_before && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(alive_tasks(), tasks_before, "tasks left after close");
        for addr in ports {
            std::net::UdpSocket::bind(addr).expect("socket released by close");
        }
        // Calls after close fail with InvalidStateError.
        let err = a.create_offer().await.unwrap_err();
        assert!(err.to_string().starts_with("InvalidStateError"), "{err}");
    })
    .await
    .expect("within 20 s");
}
