//! rtcio against webrtc-rs (the `webrtc` crate) in both offer/answer roles: channels opened by
//! either side before and after connecting, exact echo of every kind of message, bulk transfer
//! both ways checked by SHA-256, closing from either side, and webrtc-rs killed mid-transfer.
//!
//! The webrtc-rs peer is its own cargo project, `interop/webrtc-rs/` (outside the workspace: its
//! dependency tree is large); `scripts/test` builds it first:
//!
//! ```sh
//! cargo build --release --locked --manifest-path interop/webrtc-rs/Cargo.toml
//! ```
//!
//! Without that binary these tests fail (they never skip), saying how to build it.

mod interop;

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use openssl::sha::Sha256;
use rtcio::{
    DataChannelInit, PeerConnectionEvent, RTCDataChannel, RTCPeerConnection,
    RTCPeerConnectionState, RTCSdpType, RTCSessionDescription,
};

use interop::Program;
use interop::session::{STEP, loopback, recv};

/// Bytes moved each way by the bulk check (16 KiB messages).
const BULK_BYTES: usize = 4 * 1024 * 1024;

/// The built peer; a missing one fails the test (as a missing aiortc does), never skips it.
fn peer_binary() -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../interop/webrtc-rs/target/release/webrtc-rs-peer");
    assert!(
        path.exists(),
        "{} is missing: build it with `cargo build --release --locked --manifest-path \
         interop/webrtc-rs/Cargo.toml` (scripts/test does)",
        path.display()
    );
    path
}

fn start_peer(binary: PathBuf, role: &str) -> Program {
    let mut command = Command::new(binary);
    command.args([role, "--timeout", "90"]);
    Program::spawn(&format!("webrtc-rs {role}"), command)
}

/// The peer's next description line (JSON), within a step.
fn read_description(peer: &mut Program, want: RTCSdpType) -> RTCSessionDescription {
    let line = tokio::task::block_in_place(|| {
        peer.expect_line("a description", |l| l.starts_with('{'), STEP)
    });
    let d: RTCSessionDescription = serde_json::from_str(&line).expect("description JSON");
    assert_eq!(d.sdp_type, want, "{line}");
    d
}

fn write_description(peer: &mut Program, d: &RTCSessionDescription) {
    peer.write_line(&serde_json::to_string(d).unwrap());
}

fn expect_peer(peer: &mut Program, line: &str) {
    tokio::task::block_in_place(|| {
        peer.expect_line(&format!("{line:?}"), |l| l == line, STEP);
    });
}

async fn step<T>(what: &str, f: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(STEP, f)
        .await
        .unwrap_or_else(|_| panic!("{what}: nothing within {STEP:?}"))
}

async fn next_channel(pc: &RTCPeerConnection) -> RTCDataChannel {
    step("a datachannel event", async {
        loop {
            match pc.next_event().await.expect("connection alive") {
                PeerConnectionEvent::DataChannel(c) => return c,
                _ => continue,
            }
        }
    })
    .await
}

/// The browser contract's echo cases: text (empty, multi-byte UTF-8, 16 KiB) and binary up to
/// 64 KiB (webrtc-rs's default max-message-size).
async fn check_echo(echo: &RTCDataChannel) {
    let binary_sizes = [0usize, 1, 1200, 16 * 1024, 64 * 1024];
    let texts = [
        "hello".to_string(),
        "é ✓ 𝄞 ünïcødé".to_string(),
        String::new(),
        "x".repeat(16 * 1024),
    ];
    let mut cases: Vec<(Vec<u8>, bool)> = texts.iter().map(|t| (t.clone().into(), false)).collect();
    cases.extend(
        binary_sizes
            .iter()
            .map(|&n| ((0..n).map(|i| (i % 251) as u8).collect(), true)),
    );
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
            "a {}-byte message came back changed ({} bytes)",
            data.len(),
            m.data.len()
        );
    }
    // Round trips one after another: nothing waits on a timer.
    let started = Instant::now();
    for i in 0..20 {
        let ping = format!("ping {i}");
        echo.send_text(&ping).await.unwrap();
        assert_eq!(recv(echo).await.data[..], *ping.as_bytes());
    }
    eprintln!("20 sequential echoes in {:?}", started.elapsed());
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Upload then download of `BULK_BYTES`, each checked by byte count and SHA-256.
async fn check_bulk(bulk: &RTCDataChannel) {
    let started = Instant::now();
    let mut hash = Sha256::new();
    bulk.set_buffered_amount_low_threshold(512 * 1024);
    let mut chunk = vec![0u8; 16 * 1024];
    for i in 0..BULK_BYTES / chunk.len() {
        chunk.iter_mut().enumerate().for_each(|(j, b)| {
            *b = (i * 7 + j) as u8;
        });
        if bulk.buffered_amount() > 1024 * 1024 {
            step("bufferedamountlow", bulk.buffered_amount_low()).await;
        }
        hash.update(&chunk);
        bulk.send_binary(&chunk).await.unwrap();
    }
    bulk.send_text("done").await.unwrap();
    let reply = recv(bulk).await;
    assert!(!reply.binary);
    assert_eq!(
        std::str::from_utf8(&reply.data).unwrap(),
        format!("{BULK_BYTES} {}", hex(&hash.finish())),
        "webrtc-rs's count and SHA-256 of the upload"
    );
    let up = started.elapsed();

    let started = Instant::now();
    bulk.send_text(&format!("send {BULK_BYTES}")).await.unwrap();
    let (mut got, mut hash) = (0usize, Sha256::new());
    loop {
        let m = recv(bulk).await;
        if !m.binary {
            assert_eq!(
                std::str::from_utf8(&m.data).unwrap(),
                format!("done {}", hex(&hash.finish())),
                "SHA-256 of the download"
            );
            break;
        }
        assert!(m.data.len() <= 16 * 1024);
        got += m.data.len();
        hash.update(&m.data);
    }
    assert_eq!(got, BULK_BYTES, "bytes downloaded");
    let mb = BULK_BYTES as f64 / 1e6;
    eprintln!(
        "bulk: up {:.1} MB/s, down {:.1} MB/s",
        mb / up.as_secs_f64(),
        mb / started.elapsed().as_secs_f64()
    );
}

/// Says bye: the peer closes its connection and exits cleanly; rtcio's side closes too.
async fn finish(mut peer: Program, pc: RTCPeerConnection) {
    peer.write_line(r#"{"type":"bye"}"#);
    tokio::task::block_in_place(|| {
        peer.expect_line("Exiting", |l| l == "Exiting", STEP);
        peer.wait_success(STEP);
    });
    pc.close().await;
}

/// rtcio offers `echo` and `bulk`; webrtc-rs answers. Returns once both channels are open.
async fn rtcio_offers(peer: &mut Program) -> (RTCPeerConnection, RTCDataChannel, RTCDataChannel) {
    let pc = RTCPeerConnection::new(loopback()).await.unwrap();
    let echo = pc
        .create_data_channel("echo", DataChannelInit::default())
        .await
        .unwrap();
    let bulk = pc
        .create_data_channel("bulk", DataChannelInit::default())
        .await
        .unwrap();
    pc.set_local_description(None).await.unwrap();
    step("gathering", pc.gathering_complete()).await;
    write_description(peer, &pc.local_description().unwrap());
    let answer = read_description(peer, RTCSdpType::Answer);
    let started = Instant::now();
    pc.set_remote_description(answer).await.unwrap();
    for c in [&echo, &bulk] {
        step("a channel opening", c.opened()).await.unwrap();
    }
    eprintln!("connected in {:?}", started.elapsed());
    expect_peer(peer, "datachannel echo");
    expect_peer(peer, "datachannel bulk");
    (pc, echo, bulk)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rtcio_offers_webrtc_rs_answers() {
    let binary = peer_binary();
    let mut peer = start_peer(binary, "answer");
    let (pc, echo, bulk) = rtcio_offers(&mut peer).await;

    check_echo(&echo).await;
    check_bulk(&bulk).await;

    // rtcio closes a channel: webrtc-rs sees it close, and the other one still works.
    echo.close().await;
    step("echo closing", echo.closed()).await;
    expect_peer(&mut peer, "closed echo");
    bulk.send_text("done").await.unwrap();
    assert_eq!(
        &recv(&bulk).await.data[..],
        b"0 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    finish(peer, pc).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webrtc_rs_offers_rtcio_answers() {
    let binary = peer_binary();
    let mut peer = start_peer(binary, "offer");
    let pc = RTCPeerConnection::new(loopback()).await.unwrap();
    let offer = read_description(&mut peer, RTCSdpType::Offer);
    let started = Instant::now();
    pc.set_remote_description(offer).await.unwrap();
    pc.set_local_description(None).await.unwrap();
    step("gathering", pc.gathering_complete()).await;
    write_description(&mut peer, &pc.local_description().unwrap());
    let echo = next_channel(&pc).await;
    assert_eq!(echo.label(), "echo");
    step("echo opening", echo.opened()).await.unwrap();
    eprintln!("connected in {:?}", started.elapsed());

    // A channel rtcio opens on the established association.
    let bulk = pc
        .create_data_channel("bulk", DataChannelInit::default())
        .await
        .unwrap();
    step("bulk opening", bulk.opened()).await.unwrap();
    expect_peer(&mut peer, "datachannel bulk");

    check_echo(&echo).await;
    check_bulk(&bulk).await;

    // webrtc-rs closes a channel: rtcio sees it close, and the other one still works.
    bulk.send_text("close").await.unwrap();
    assert!(
        step("bulk closing", bulk.recv()).await.is_none(),
        "a message after close"
    );
    step("bulk closed", bulk.closed()).await;
    expect_peer(&mut peer, "closed bulk");
    echo.send_text("still here").await.unwrap();
    assert_eq!(&recv(&echo).await.data[..], b"still here");
    finish(peer, pc).await;
}

fn alive_tasks() -> usize {
    tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks()
}

/// webrtc-rs killed in the middle of a download: rtcio's connection leaves `connected` for
/// `disconnected` or `failed` (consent freshness, RFC 7675), and `close()` still gives back
/// every task and socket.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webrtc_rs_vanishing_mid_transfer() {
    let binary = peer_binary();
    let tasks_before = alive_tasks();
    let mut peer = start_peer(binary, "answer");
    let (pc, echo, bulk) = rtcio_offers(&mut peer).await;
    let ports = pc.local_addresses();
    bulk.send_text("send 1000000000").await.unwrap();
    let mut got = 0;
    while got < 1024 * 1024 {
        got += recv(&bulk).await.data.len();
    }
    drop(peer); // SIGKILL: no SCTP ABORT, no DTLS alert, the socket just goes quiet
    let killed = Instant::now();
    step("leaving connected", async {
        while pc.connection_state() == RTCPeerConnectionState::Connected {
            // Reading on keeps the window open, as an application would.
            let _ = tokio::time::timeout(Duration::from_millis(100), bulk.recv()).await;
        }
    })
    .await;
    let state = pc.connection_state();
    assert!(
        matches!(
            state,
            RTCPeerConnectionState::Disconnected | RTCPeerConnectionState::Failed
        ),
        "{state:?} after the peer vanished"
    );
    eprintln!("{state:?} {:?} after the kill", killed.elapsed());
    pc.close().await;
    drop((bulk, echo)); // handles keep nothing running
    step("tasks ending", async {
        while alive_tasks() > tasks_before {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    for addr in ports {
        std::net::UdpSocket::bind(addr).expect("socket released by close");
    }
}
