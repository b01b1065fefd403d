//! Trickle ICE with aiortc over aiortc's signaling: descriptions without candidates, then one
//! `{"type": "candidate", …}` message per candidate, in both directions and both roles.

mod interop;

use std::time::Duration;

use rtcio::signaling::{Signaling, SignalingMessage};
use rtcio::{
    DataChannelInit, PeerConnectionEvent, RTCDataChannel, RTCIceCandidateInit, RTCPeerConnection,
    RTCSdpType, RTCSessionDescription,
};

use interop::session::{STEP, loopback, recv};
use interop::{Program, free_port, tcp_signaling};

/// Sets the local description, then sends it without candidates and each candidate after it.
async fn trickle_local(pc: &RTCPeerConnection, signaling: &mut Signaling) -> usize {
    pc.set_local_description(None).await.unwrap();
    let mut candidates: Vec<RTCIceCandidateInit> = Vec::new();
    tokio::time::timeout(STEP, async {
        loop {
            match pc.next_event().await {
                Some(PeerConnectionEvent::IceCandidate(Some(c))) => candidates.push(c),
                Some(PeerConnectionEvent::IceCandidate(None)) | None => return,
                Some(_) => {}
            }
        }
    })
    .await
    .expect("gathering completes");
    let full = pc.local_description().unwrap();
    let sdp: String = full
        .sdp
        .split_inclusive("\r\n")
        .filter(|l| !l.starts_with("a=candidate:") && !l.starts_with("a=end-of-candidates"))
        .collect();
    assert!(!sdp.contains("a=candidate"));
    let description = RTCSessionDescription {
        sdp_type: full.sdp_type,
        sdp,
    };
    signaling
        .send(&SignalingMessage::Description(description))
        .await
        .unwrap();
    for c in &candidates {
        assert!(c.candidate.starts_with("candidate:"), "{c:?}");
        signaling
            .send(&SignalingMessage::Candidate(c.clone()))
            .await
            .unwrap();
    }
    candidates.len()
}

/// Applies signaling (answer, candidates) until `channel` is open and a candidate of aiortc's
/// was added; returns how many were.
async fn signal_until_open(
    pc: &RTCPeerConnection,
    signaling: &mut Signaling,
    channel: &RTCDataChannel,
) -> usize {
    let (mut added, mut open) = (0, false);
    tokio::time::timeout(STEP, async {
        while !(open && added > 0) {
            tokio::select! {
                opened = channel.opened(), if !open => {
                    opened.unwrap();
                    open = true;
                }
                // Cancel safe: a message half read when the channel opens is kept.
                message = signaling.receive() => match message.unwrap() {
                    Some(SignalingMessage::Description(d)) => {
                        assert_eq!(d.sdp_type, RTCSdpType::Answer);
                        assert!(!d.sdp.contains("a=candidate"), "aiortc trickles");
                        pc.set_remote_description(d).await.unwrap();
                    }
                    Some(SignalingMessage::Candidate(c)) => {
                        assert_eq!(c.sdp_mid.as_deref(), Some("0"));
                        assert_eq!(c.sdp_mline_index, Some(0));
                        pc.add_ice_candidate(Some(c)).await.unwrap();
                        added += 1;
                    }
                    other => panic!("unexpected {other:?}"),
                },
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("open: {open}, aiortc candidates added: {added}"));
    added
}

fn aiortc_peer(role: &str, port: u16) -> Program {
    let signaling = tcp_signaling(port);
    let mut args = vec![role, "--trickle"];
    args.extend(signaling.iter().map(String::as_str));
    Program::aiortc("api_peer.py", &args)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rtcio_offers_and_both_trickle() {
    let port = free_port();
    let mut peer = aiortc_peer("answer", port);
    let mut signaling = Signaling::tcp_socket("127.0.0.1", port);
    let pc = RTCPeerConnection::new(loopback()).await.unwrap();
    let channel = pc
        .create_data_channel("trickled", DataChannelInit::default())
        .await
        .unwrap();
    let sent = trickle_local(&pc, &mut signaling).await;
    assert!(sent > 0);
    signal_until_open(&pc, &mut signaling, &channel).await;
    // aiortc took every candidate we sent (it prints each one it adds).
    for _ in 0..sent {
        tokio::task::block_in_place(|| {
            peer.expect_line(
                "a candidate added",
                |l| l.starts_with("added candidate 0 0 "),
                STEP,
            )
        });
    }
    channel.send_text("trickled").await.unwrap();
    assert_eq!(&recv(&channel).await.data[..], b"trickled");
    signaling.close().await.unwrap();
    tokio::task::block_in_place(|| peer.wait_success(STEP));
    pc.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aiortc_offers_and_both_trickle() {
    let port = free_port();
    let mut peer = aiortc_peer("offer", port);
    let mut signaling = Signaling::tcp_socket("127.0.0.1", port);
    let pc = RTCPeerConnection::new(loopback()).await.unwrap();
    let offer = tokio::time::timeout(STEP, signaling.receive())
        .await
        .expect("the offer in time")
        .unwrap();
    match offer {
        Some(SignalingMessage::Description(d)) if d.sdp_type == RTCSdpType::Offer => {
            assert!(!d.sdp.contains("a=candidate"), "aiortc trickles");
            pc.set_remote_description(d).await.unwrap();
        }
        other => panic!("expected an offer, got {other:?}"),
    }
    let sent = trickle_local(&pc, &mut signaling).await;
    // aiortc's candidates follow its offer; the channel it opened arrives once connected.
    let mut added = 0;
    let mut channel = None;
    tokio::time::timeout(STEP, async {
        while channel.is_none() || added == 0 {
            tokio::select! {
                event = pc.next_event(), if channel.is_none() => {
                    if let Some(PeerConnectionEvent::DataChannel(c)) = event {
                        channel = Some(c);
                    }
                }
                message = signaling.receive() => match message.unwrap() {
                    Some(SignalingMessage::Candidate(c)) => {
                        pc.add_ice_candidate(Some(c)).await.unwrap();
                        added += 1;
                    }
                    other => panic!("unexpected {other:?}"),
                },
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("channel: {channel:?}, aiortc candidates added: {added}"));
    let channel = channel.expect("loop ends with a channel");
    for _ in 0..sent {
        tokio::task::block_in_place(|| {
            peer.expect_line(
                "a candidate added",
                |l| l.starts_with("added candidate 0 0 "),
                STEP,
            )
        });
    }
    tokio::time::timeout(STEP, channel.opened())
        .await
        .expect("open in time")
        .unwrap();
    tokio::task::block_in_place(|| peer.expect_line("aiortc's open", |l| l == "open api", STEP));
    channel.send_binary(b"trickled").await.unwrap();
    assert_eq!(&recv(&channel).await.data[..], b"trickled");
    signaling.close().await.unwrap();
    tokio::task::block_in_place(|| peer.wait_success(Duration::from_secs(20)));
    pc.close().await;
}
