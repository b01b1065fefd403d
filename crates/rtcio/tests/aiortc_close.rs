//! Closing against aiortc: a channel from either side, then the whole connection from either
//! side; the other channels and the other side notice and carry on or end cleanly.

mod interop;

use std::time::Duration;

use rtcio::{DataChannelInit, DataChannelState, RTCPeerConnectionState};

use interop::session::{STEP, Session, recv};

fn two_channels() -> [(&'static str, DataChannelInit); 2] {
    [
        ("first", DataChannelInit::default()),
        ("second", DataChannelInit::default()),
    ]
}

async fn still_echoes(channel: &rtcio::RTCDataChannel) {
    channel.send_text("still there?").await.unwrap();
    assert_eq!(&recv(channel).await.data[..], b"still there?");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rtcio_closes_a_channel() {
    let (mut session, channels) = Session::rtcio_offers(&two_channels(), &[]).await;
    let [first, second] = &channels[..] else {
        unreachable!()
    };
    first.close().await;
    tokio::time::timeout(STEP, first.closed())
        .await
        .expect("closed in time");
    assert_eq!(first.ready_state(), DataChannelState::Closed);
    assert!(first.recv().await.is_none());
    assert!(first.send_text("too late").await.is_err());
    session.expect_peer("closed first");
    still_echoes(second).await;
    session.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aiortc_closes_a_channel() {
    let (session, channels) = Session::rtcio_offers(&two_channels(), &[]).await;
    let [first, second] = &channels[..] else {
        unreachable!()
    };
    first.send_text("cmd:close").await.unwrap();
    let end = tokio::time::timeout(STEP, first.recv())
        .await
        .expect("the channel ends in time");
    assert!(end.is_none(), "no message after the close, got {end:?}");
    tokio::time::timeout(STEP, first.closed())
        .await
        .expect("closed in time");
    assert_eq!(first.ready_state(), DataChannelState::Closed);
    still_echoes(second).await;
    session.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aiortc_closes_the_connection() {
    let (session, channels) = Session::rtcio_offers(&two_channels(), &[]).await;
    channels[0].send_text("cmd:shutdown").await.unwrap();
    for channel in &channels {
        let end = tokio::time::timeout(STEP, channel.recv())
            .await
            .expect("the channel ends in time");
        assert!(end.is_none(), "got {end:?}");
    }
    tokio::time::timeout(STEP, async {
        while !matches!(
            session.pc.connection_state(),
            RTCPeerConnectionState::Closed | RTCPeerConnectionState::Failed
        ) {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("still {:?}", session.pc.connection_state()));
    session.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rtcio_closes_the_connection() {
    let (mut session, channels) = Session::rtcio_offers(&two_channels(), &[]).await;
    // rtcio's channels are open once their DATA_CHANNEL_OPEN is queued (RFC 8832 §6); closing
    // the connection at once aborts the association, and an OPEN that had not left yet never
    // reaches aiortc, which then has no channel to close. Wait until aiortc has both.
    let mut announced: Vec<String> = (0..2)
        .map(|_| {
            tokio::task::block_in_place(|| {
                session.peer.expect_line(
                    "a channel announced",
                    |l| l.starts_with("datachannel "),
                    STEP,
                )
            })
        })
        .collect();
    announced.sort();
    assert_eq!(announced, ["datachannel first", "datachannel second"]);
    session.pc.close().await;
    assert_eq!(
        session.pc.connection_state(),
        RTCPeerConnectionState::Closed
    );
    for channel in &channels {
        assert_eq!(channel.ready_state(), DataChannelState::Closed);
        assert!(channel.recv().await.is_none());
    }
    // aiortc learns it from the wire (SCTP ABORT, DTLS close_notify), not from signaling.
    let mut closed: Vec<String> = (0..2)
        .map(|_| {
            tokio::task::block_in_place(|| {
                session
                    .peer
                    .expect_line("a channel closing", |l| l.starts_with("closed "), STEP)
            })
        })
        .collect();
    closed.sort();
    assert_eq!(closed, ["closed first", "closed second"]);
    session.finish().await;
}
