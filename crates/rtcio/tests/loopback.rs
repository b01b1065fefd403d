//! Two `RTCPeerConnection`s in one process, over real UDP on 127.0.0.1, the way a user writes
//! it: non-trickle signaling, a channel, messages both ways, close.

mod common;

use common::{loopback, next_channel};

use std::time::Duration;

use rtcio::{DataChannelInit, RTCDataChannel, RTCPeerConnection, RTCPeerConnectionState};

async fn connected_pair() -> (
    RTCPeerConnection,
    RTCPeerConnection,
    RTCDataChannel,
    RTCDataChannel,
) {
    let offerer = RTCPeerConnection::new(loopback()).await.unwrap();
    let answerer = RTCPeerConnection::new(loopback()).await.unwrap();
    let local = offerer
        .create_data_channel("chat", DataChannelInit::default())
        .await
        .unwrap();
    offerer.set_local_description(None).await.unwrap();
    offerer.gathering_complete().await;
    answerer
        .set_remote_description(offerer.local_description().unwrap())
        .await
        .unwrap();
    answerer.set_local_description(None).await.unwrap();
    answerer.gathering_complete().await;
    offerer
        .set_remote_description(answerer.local_description().unwrap())
        .await
        .unwrap();
    let remote = next_channel(&answerer).await;
    local.opened().await.unwrap();
    (offerer, answerer, local, remote)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn channel_opens_and_messages_flow_both_ways() {
    tokio::time::timeout(Duration::from_secs(20), async {
        let (offerer, answerer, local, remote) = connected_pair().await;
        assert_eq!(remote.label(), "chat");
        assert_eq!(
            offerer.connection_state(),
            RTCPeerConnectionState::Connected
        );

        local.send_text("ping 1").await.unwrap();
        let m = remote.recv().await.unwrap();
        assert_eq!((&m.data[..], m.binary), (&b"ping 1"[..], false));
        remote.send_binary(&[1, 2, 3]).await.unwrap();
        let m = local.recv().await.unwrap();
        assert_eq!((&m.data[..], m.binary), (&[1u8, 2, 3][..], true));

        // 4 MiB in 16 KiB messages with backpressure; every byte arrives, in order.
        let sender = local.clone();
        let send = tokio::spawn(async move {
            sender.set_buffered_amount_low_threshold(512 * 1024);
            for i in 0..256u32 {
                if sender.buffered_amount() > 1024 * 1024 {
                    sender.buffered_amount_low().await;
                }
                sender.send_binary(&vec![i as u8; 16 * 1024]).await.unwrap();
            }
        });
        for i in 0..256u32 {
            let m = remote.recv().await.unwrap();
            assert_eq!(m.data.len(), 16 * 1024);
            assert!(m.data.iter().all(|b| *b == i as u8));
        }
        send.await.unwrap();

        remote.close().await;
        local.closed().await;
        offerer.close().await;
        answerer.close().await;
        assert_eq!(offerer.connection_state(), RTCPeerConnectionState::Closed);
        assert!(local.recv().await.is_none());
    })
    .await
    .expect("within 20 s");
}
