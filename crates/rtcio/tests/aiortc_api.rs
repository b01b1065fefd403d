//! rtcio's data channel API against aiortc: channel options as aiortc sees them, negotiated
//! channels, every kind of message, channels aiortc opens, both offer/answer roles.

mod interop;

use std::collections::BTreeSet;
use std::time::Duration;

use rtcio::{DataChannelInit, RTCPeerConnectionState};
use serde_json::json;

use interop::session::{STEP, Session, recv, remote_info};

fn init(f: impl FnOnce(&mut DataChannelInit)) -> DataChannelInit {
    let mut i = DataChannelInit::default();
    f(&mut i);
    i
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn channel_options_reach_aiortc() {
    let (session, channels) = Session::rtcio_offers(
        &[
            ("reliable", init(|i| i.protocol = "chat-v1".into())),
            ("unordered", init(|i| i.ordered = false)),
            ("rexmit", init(|i| i.max_retransmits = Some(0))),
            (
                "lifetime",
                init(|i| {
                    i.ordered = false;
                    i.max_packet_life_time = Some(500);
                }),
            ),
        ],
        &[],
    )
    .await;
    eprintln!(
        "rtcio offer → aiortc answer: connected in {:?}",
        session.connect_time
    );
    let expected = [
        json!({"label": "reliable", "protocol": "chat-v1", "ordered": true,
               "maxRetransmits": null, "maxPacketLifeTime": null}),
        json!({"label": "unordered", "protocol": "", "ordered": false,
               "maxRetransmits": null, "maxPacketLifeTime": null}),
        json!({"label": "rexmit", "protocol": "", "ordered": true,
               "maxRetransmits": 0, "maxPacketLifeTime": null}),
        json!({"label": "lifetime", "protocol": "", "ordered": false,
               "maxRetransmits": null, "maxPacketLifeTime": 500}),
    ];
    for (channel, expected) in channels.iter().zip(expected) {
        let info = remote_info(channel).await;
        for (key, value) in expected.as_object().unwrap() {
            assert_eq!(&info[key], value, "{key} of {}: {info}", channel.label());
        }
        assert_eq!(info["negotiated"], false);
        assert_eq!(info["readyState"], "open");
        // Same stream id on both ends.
        assert_eq!(info["id"], json!(channel.id().unwrap()));
    }
    session.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn negotiated_channel_needs_no_handshake() {
    let (session, channels) = Session::rtcio_offers(
        &[
            ("control", DataChannelInit::default()),
            (
                "side",
                init(|i| {
                    i.negotiated = true;
                    i.id = Some(7);
                }),
            ),
        ],
        &["--negotiated", "side:7"],
    )
    .await;
    let side = &channels[1];
    assert!(side.negotiated());
    assert_eq!(side.id(), Some(7));
    side.send_text("over the side channel").await.unwrap();
    let m = tokio::time::timeout(STEP, side.recv())
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("no echo within {STEP:?}\n{}", session.peer.transcript()));
    assert_eq!(
        (&m.data[..], m.binary),
        (&b"over the side channel"[..], false)
    );
    let info = remote_info(side).await;
    assert_eq!(
        (&info["negotiated"], &info["id"]),
        (&json!(true), &json!(7))
    );
    session.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_of_message_round_trips() {
    let (session, channels) =
        Session::rtcio_offers(&[("echo", DataChannelInit::default())], &[]).await;
    let echo = &channels[0];
    let large: Vec<u8> = (0..64 * 1024).map(|i| (i % 251) as u8).collect();
    let large_text = "é".repeat(32 * 1024); // 64 KiB of two-byte UTF-8
    let cases: Vec<(Vec<u8>, bool)> = vec![
        (b"hello".to_vec(), false),
        (vec![0, 1, 2, 255], true),
        (Vec::new(), false),
        (Vec::new(), true),
        (large.clone(), true),
        (large_text.into_bytes(), false),
        ("ünïcødé ✓".as_bytes().to_vec(), false),
    ];
    for (data, binary) in &cases {
        if *binary {
            echo.send_binary(data).await.unwrap();
        } else {
            echo.send_text(std::str::from_utf8(data).unwrap())
                .await
                .unwrap();
        }
    }
    for (data, binary) in &cases {
        let m = recv(echo).await;
        assert_eq!(m.binary, *binary, "type of a {}-byte message", data.len());
        assert!(
            m.data[..] == data[..],
            "a {}-byte message changed",
            data.len()
        );
    }
    session.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unordered_and_partially_reliable_channels_carry_bursts() {
    let (session, channels) = Session::rtcio_offers(
        &[
            ("unordered", init(|i| i.ordered = false)),
            (
                "lossy",
                init(|i| {
                    i.ordered = false;
                    i.max_retransmits = Some(0);
                }),
            ),
        ],
        &[],
    )
    .await;
    const N: u32 = 200;
    // Commands go over the reliable channel: a lost command would prove nothing.
    for label in ["unordered", "lossy"] {
        channels[0]
            .send_text(&format!("cmd:burst {N} 1000 {label}"))
            .await
            .unwrap();
    }
    // Reliable but unordered: every message, each once.
    let mut seen = BTreeSet::new();
    while seen.len() < N as usize {
        let Ok(Some(m)) = tokio::time::timeout(STEP, channels[0].recv()).await else {
            panic!(
                "{} of {N} reliable messages arrived\n{}",
                seen.len(),
                session.peer.transcript()
            );
        };
        assert_eq!(m.data.len(), 1000);
        let index = u32::from_be_bytes(m.data[..4].try_into().unwrap());
        assert!(
            index < N && seen.insert(index),
            "message {index} twice or unknown"
        );
    }
    // No retransmissions: loopback may drop some, but what arrives is whole and unique; the
    // burst is over when nothing more comes for a while.
    let mut lossy = BTreeSet::new();
    while let Ok(Some(m)) = tokio::time::timeout(Duration::from_secs(3), channels[1].recv()).await {
        assert_eq!(m.data.len(), 1000);
        let index = u32::from_be_bytes(m.data[..4].try_into().unwrap());
        assert!(
            index < N && lossy.insert(index),
            "message {index} twice or unknown"
        );
        if lossy.len() == N as usize {
            break;
        }
    }
    assert!(!lossy.is_empty(), "not one message of the burst arrived");
    eprintln!("maxRetransmits=0: {} of {N} messages arrived", lossy.len());
    session.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aiortc_opens_channels_with_options() {
    let (mut session, channels) =
        Session::rtcio_offers(&[("control", DataChannelInit::default())], &[]).await;
    let control = &channels[0];
    let options = json!({"label": "from-aiortc", "ordered": false, "maxRetransmits": 3,
                         "protocol": "p"});
    control
        .send_text(&format!("cmd:open {options}"))
        .await
        .unwrap();
    let theirs = session.next_channel().await;
    assert_eq!(theirs.label(), "from-aiortc");
    assert!(!theirs.ordered());
    assert_eq!(theirs.max_retransmits(), Some(3));
    assert_eq!(theirs.max_packet_life_time(), None);
    assert_eq!(theirs.protocol(), "p");
    theirs.opened().await.unwrap();
    // The channel is open here as soon as aiortc's DATA_CHANNEL_OPEN arrives, but on an
    // unordered channel a message may overtake the ACK, and aiortc drops what arrives before
    // its side opens; wait for aiortc to see the ACK.
    session.expect_peer("open from-aiortc");
    theirs.send_binary(b"\x00ping").await.unwrap();
    let m = recv(&theirs).await;
    assert_eq!((&m.data[..], m.binary), (&b"\x00ping"[..], true));
    session.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rtcio_answers_an_aiortc_offer() {
    let (session, channel) = Session::aiortc_offers().await;
    eprintln!(
        "aiortc offer → rtcio answer: connected in {:?}",
        session.connect_time
    );
    assert_eq!(channel.label(), "api");
    assert_eq!(
        session.pc.connection_state(),
        RTCPeerConnectionState::Connected
    );
    channel.send_text("hello aiortc").await.unwrap();
    let m = recv(&channel).await;
    assert_eq!(&m.data[..], b"hello aiortc");
    let info = remote_info(&channel).await;
    assert_eq!(info["id"], json!(channel.id().unwrap()));
    session.finish().await;
}
