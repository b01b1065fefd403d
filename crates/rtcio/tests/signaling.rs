//! The signaling helpers: aiortc's exact JSON text, the socket roles, cancel safety, flags.

mod interop;

use std::time::Duration;

use clap::Parser;
use rtcio::signaling::{Signaling, SignalingArgs, SignalingKind, SignalingMessage};
use rtcio::{RTCIceCandidateInit, RTCSessionDescription};
use tokio::io::AsyncWriteExt;

use interop::{Program, free_port, scratch_dir};

fn sample_messages() -> Vec<SignalingMessage> {
    vec![
        SignalingMessage::Description(RTCSessionDescription::offer(
            "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=\"quoted\" \\ é 😀\r\nt=0 0\r\n",
        )),
        SignalingMessage::Description(RTCSessionDescription::answer("v=0\r\n")),
        SignalingMessage::Candidate(RTCIceCandidateInit {
            candidate: "candidate:1 1 udp 2130706431 127.0.0.1 40000 typ host".into(),
            sdp_mid: Some("0".into()),
            sdp_mline_index: Some(0),
            username_fragment: None,
        }),
        SignalingMessage::Bye,
    ]
}

#[test]
fn messages_are_written_exactly_as_aiortc_writes_them() {
    let mut aiortc = Program::aiortc("signaling_roundtrip.py", &[]);
    for message in sample_messages() {
        let ours = message.to_json();
        aiortc.write_line(&ours);
        let theirs = aiortc.expect_line("the message back", |_| true, Duration::from_secs(30));
        assert_eq!(theirs, ours, "aiortc rewrote our message");
        assert_eq!(SignalingMessage::from_json(&theirs).unwrap(), message);
    }
}

#[test]
fn candidates_without_prefix_get_one_and_empty_ones_end_the_candidates() {
    let bare = SignalingMessage::Candidate(RTCIceCandidateInit {
        candidate: "1 1 udp 1 ::1 9 typ host".into(),
        sdp_mid: None,
        sdp_mline_index: None,
        username_fragment: None,
    });
    assert_eq!(
        bare.to_json(),
        r#"{"candidate": "candidate:1 1 udp 1 ::1 9 typ host", "id": null, "label": null, "type": "candidate"}"#
    );
    let end = SignalingMessage::from_json(r#"{"type": "candidate", "candidate": ""}"#).unwrap();
    assert_eq!(
        end,
        SignalingMessage::Candidate(RTCIceCandidateInit::default())
    );
}

#[test]
fn malformed_messages_are_invalid_data() {
    for text in [
        "",
        "not json",
        "{}",
        r#"{"type": "offer"}"#,
        r#"{"type": "pranswer", "sdp": ""}"#,
        r#"{"type": 7}"#,
    ] {
        let e = SignalingMessage::from_json(text).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::InvalidData, "{text:?}");
    }
}

#[test]
fn flags_and_defaults_are_aiortcs() {
    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        signaling: SignalingArgs,
    }
    let defaults = Cli::parse_from(["prog"]).signaling;
    assert_eq!(defaults.signaling, None);
    assert_eq!(defaults.signaling_host, "127.0.0.1");
    assert_eq!(defaults.signaling_port, 1234);
    assert_eq!(defaults.signaling_path.to_str(), Some("aiortc.socket"));
    for (flag, kind) in [
        ("copy-and-paste", SignalingKind::CopyAndPaste),
        ("tcp-socket", SignalingKind::TcpSocket),
        ("unix-socket", SignalingKind::UnixSocket),
    ] {
        let cli = Cli::parse_from(["prog", "-s", flag]);
        assert_eq!(cli.signaling.signaling, Some(kind));
    }
    assert!(Cli::try_parse_from(["prog", "--signaling", "carrier-pigeon"]).is_err());
}

/// The first sender listens, the first receiver connects (even if it comes first), messages flow
/// both ways, and closing says bye.
async fn exchange(mut offerer: Signaling, mut answerer: Signaling) {
    let answering = tokio::spawn(async move {
        let offer = answerer.receive().await.unwrap();
        answerer
            .send(&SignalingMessage::Description(
                RTCSessionDescription::answer("v=0\r\n"),
            ))
            .await
            .unwrap();
        let bye = answerer.receive().await.unwrap();
        let after = answerer.receive().await.unwrap();
        answerer.close().await.unwrap();
        (offer, bye, after)
    });
    // Let the answerer try to connect before anyone listens.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let offer = SignalingMessage::Description(RTCSessionDescription::offer("v=0\r\n"));
    offerer.send(&offer).await.unwrap();
    let answer = offerer.receive().await.unwrap().unwrap();
    assert!(matches!(answer, SignalingMessage::Description(d) if d.sdp == "v=0\r\n"));
    offerer.close().await.unwrap();
    let (got_offer, bye, after) = answering.await.unwrap();
    assert_eq!(got_offer, Some(offer));
    assert_eq!(bye, Some(SignalingMessage::Bye));
    assert_eq!(after, None, "end of stream after the bye");
}

#[tokio::test]
async fn tcp_roles_follow_aiortc() {
    let port = free_port();
    tokio::time::timeout(
        Duration::from_secs(20),
        exchange(
            Signaling::tcp_socket("127.0.0.1", port),
            Signaling::tcp_socket("127.0.0.1", port),
        ),
    )
    .await
    .expect("in time");
}

#[tokio::test]
async fn unix_socket_roles_follow_aiortc_and_the_listener_cleans_up() {
    let dir = scratch_dir("signaling-unix");
    let path = dir.join("signaling.sock");
    // A stale socket from an earlier run does not stop the listener.
    drop(std::os::unix::net::UnixListener::bind(&path).unwrap());
    assert!(path.exists());
    tokio::time::timeout(
        Duration::from_secs(20),
        exchange(Signaling::unix_socket(&path), Signaling::unix_socket(&path)),
    )
    .await
    .expect("in time");
    assert!(!path.exists(), "socket file removed on close");
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn receive_is_cancel_safe() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut signaling = Signaling::tcp_socket("127.0.0.1", port);
    let line = SignalingMessage::Bye.to_json() + "\n";
    let (first, second) = line.as_bytes().split_at(5);
    let writer = tokio::spawn({
        let (first, second) = (first.to_vec(), second.to_vec());
        async move {
            let (mut stream, _) = listener.accept().await.unwrap();
            stream.write_all(&first).await.unwrap();
            tokio::time::sleep(Duration::from_millis(300)).await;
            stream.write_all(&second).await.unwrap();
            stream.shutdown().await.unwrap();
        }
    });
    let mut timeouts = 0;
    let message = loop {
        match tokio::time::timeout(Duration::from_millis(50), signaling.receive()).await {
            Ok(m) => break m.unwrap(),
            Err(_) => timeouts += 1,
        }
        assert!(timeouts < 200, "no message after 10 s");
    };
    assert!(
        timeouts > 0,
        "the receive was cancelled mid-line at least once"
    );
    assert_eq!(message, Some(SignalingMessage::Bye));
    assert_eq!(signaling.receive().await.unwrap(), None);
    writer.await.unwrap();
}
