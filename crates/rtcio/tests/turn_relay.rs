//! Relayed connections through a real TURN server (coturn on 127.0.0.1): two
//! `RTCPeerConnection`s with `ice_transport_policy: Relay` allocate over UDP, TCP and TLS,
//! connect through their relayed candidates only, and exchange data channel messages. Also: an
//! unreachable TURN server neither delays host candidates nor blocks the connection.

mod coturn;

use std::time::{Duration, Instant};

use coturn::{Coturn, PASSWORD, USER};
use rtcio::{
    DataChannelInit, PeerConnectionEvent, RTCConfiguration, RTCDataChannel, RTCIceServer,
    RTCIceTransportPolicy, RTCPeerConnection, RTCPeerConnectionState,
};

fn config(url: String, policy: RTCIceTransportPolicy) -> RTCConfiguration {
    let mut config = RTCConfiguration::default();
    config.interfaces.addresses = vec!["127.0.0.1".parse().unwrap()];
    config.ice_transport_policy = policy;
    config.ice_servers = vec![RTCIceServer {
        urls: vec![url],
        username: Some(USER.into()),
        credential: Some(PASSWORD.into()),
    }];
    config
}

async fn next_channel(pc: &RTCPeerConnection) -> RTCDataChannel {
    loop {
        if let PeerConnectionEvent::DataChannel(c) = pc.next_event().await.expect("alive") {
            return c;
        }
    }
}

fn candidate_types(sdp: &str) -> Vec<String> {
    sdp.lines()
        .filter(|l| l.starts_with("a=candidate:"))
        .filter_map(|l| {
            let mut it = l.split_whitespace();
            it.position(|w| w == "typ")?;
            it.next().map(str::to_string)
        })
        .collect()
}

/// Connects two relay-only peers through `url`, exchanges messages (and `bulk` bytes from
/// the offerer, timed), returns the time from creation to the channel opening.
async fn relay_pair(url: String, bulk: usize) -> Duration {
    let start = Instant::now();
    let offerer = RTCPeerConnection::new(config(url.clone(), RTCIceTransportPolicy::Relay))
        .await
        .unwrap();
    let answerer = RTCPeerConnection::new(config(url, RTCIceTransportPolicy::Relay))
        .await
        .unwrap();
    assert!(
        offerer.local_addresses().is_empty(),
        "relay policy: no host sockets"
    );
    let created = start.elapsed();
    let local = offerer
        .create_data_channel("relay", DataChannelInit::default())
        .await
        .unwrap();
    offerer.set_local_description(None).await.unwrap();
    // The relayed candidate is trickled before end-of-candidates.
    let mut trickled = Vec::new();
    loop {
        match offerer.next_event().await.expect("alive") {
            PeerConnectionEvent::IceCandidate(Some(c)) => trickled.push(c.candidate),
            PeerConnectionEvent::IceCandidate(None) => break,
            _ => {}
        }
    }
    let allocated = start.elapsed();
    assert_eq!(trickled.len(), 1, "{trickled:?}");
    assert!(trickled[0].contains("typ relay"), "{}", trickled[0]);
    let offer = offerer.local_description().unwrap();
    assert_eq!(candidate_types(&offer.sdp), ["relay"], "{}", offer.sdp);
    answerer.set_remote_description(offer).await.unwrap();
    answerer.set_local_description(None).await.unwrap();
    answerer.gathering_complete().await;
    let answer = answerer.local_description().unwrap();
    assert_eq!(candidate_types(&answer.sdp), ["relay"], "{}", answer.sdp);
    offerer.set_remote_description(answer).await.unwrap();
    let remote = next_channel(&answerer).await;
    local.opened().await.unwrap();
    let elapsed = start.elapsed();
    println!(
        "both created after {created:?}, offerer's relayed candidate after {allocated:?}, \
         channel open after {elapsed:?}"
    );
    assert_eq!(
        offerer.connection_state(),
        RTCPeerConnectionState::Connected
    );

    local.send_text("through the relay").await.unwrap();
    let m = remote.recv().await.unwrap();
    assert_eq!(&m.data[..], b"through the relay");
    for i in 0..50u8 {
        remote.send_binary(&vec![i; 1000]).await.unwrap();
    }
    for i in 0..50u8 {
        let m = local.recv().await.unwrap();
        assert_eq!(m.data, vec![i; 1000]);
    }
    if bulk > 0 {
        let started = Instant::now();
        let sender = local.clone();
        let send = tokio::spawn(async move {
            sender.set_buffered_amount_low_threshold(256 * 1024);
            for i in 0..bulk / 16384 {
                if sender.buffered_amount() > 512 * 1024 {
                    sender.buffered_amount_low().await;
                }
                sender.send_binary(&vec![i as u8; 16384]).await.unwrap();
            }
        });
        for i in 0..bulk / 16384 {
            let m = remote.recv().await.unwrap();
            assert_eq!((m.data.len(), m.data[0]), (16384, i as u8));
        }
        send.await.unwrap();
        let secs = started.elapsed().as_secs_f64();
        println!(
            "{} KiB through the relay in {secs:.3} s ({:.1} MB/s)",
            bulk / 1024,
            bulk as f64 / secs / 1e6
        );
    }
    offerer.close().await;
    answerer.close().await;
    elapsed
}

/// Closing released both allocations: coturn processed two Refresh requests with lifetime 0.
async fn assert_released(server: Coturn) {
    let (released, server) = tokio::task::spawn_blocking(move || {
        let ok = server.wait_log("lifetime=0", 2, Duration::from_secs(5));
        (ok, server)
    })
    .await
    .unwrap();
    assert!(released, "coturn log:\n{}", server.log());
}

async fn bounded<F: std::future::Future>(f: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(30), f)
        .await
        .expect("test timed out")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relay_only_peers_connect_over_udp_allocations() {
    let dir = coturn::temp_dir("turn-udp");
    let server = Coturn::start(&dir, None);
    let url = format!("turn:127.0.0.1:{}?transport=udp", server.port);
    let t = bounded(relay_pair(url, 4 << 20)).await;
    println!("relay-connected over TURN/UDP in {t:?}");
    assert_released(server).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relay_only_peers_connect_over_tcp_allocations() {
    let dir = coturn::temp_dir("turn-tcp");
    let server = Coturn::start(&dir, None);
    let url = format!("turn:127.0.0.1:{}?transport=tcp", server.port);
    let t = bounded(relay_pair(url, 4 << 20)).await;
    println!("relay-connected over TURN/TCP in {t:?}");
    assert_released(server).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relay_only_peers_connect_over_ipv6_allocations() {
    let dir = coturn::temp_dir("turn-v6");
    let server = Coturn::start_on(&dir, "::1".parse().unwrap(), None);
    let url = format!("turn:[::1]:{}?transport=udp", server.port);
    let t = bounded(relay_pair(url, 0)).await;
    println!("relay-connected over TURN/UDP on ::1 in {t:?}");
}

/// TLS needs the test certificate in OpenSSL's default trust store, which only the
/// environment (`SSL_CERT_FILE`) sets: the test runs [`tls_child`] in a child process.
#[test]
fn relay_only_peers_connect_over_tls_allocations() {
    let dir = coturn::temp_dir("turn-tls");
    let (cert, key) = coturn::self_signed_cert(&dir);
    let server = Coturn::start(&dir, Some((&cert, &key)));
    let tls_port = server.tls_port.unwrap();
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "tls_child", "--ignored", "--nocapture"])
        .env("SSL_CERT_FILE", &cert)
        .env("RTCIO_TEST_TURNS_PORT", tls_port.to_string())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(40);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("TLS child timed out; coturn log:\n{}", server.log());
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(
        status.success(),
        "TLS child failed; coturn log:\n{}",
        server.log()
    );
}

/// The TLS half of [`relay_only_peers_connect_over_tls_allocations`], run in a child process.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "run by relay_only_peers_connect_over_tls_allocations"]
async fn tls_child() {
    let Ok(port) = std::env::var("RTCIO_TEST_TURNS_PORT") else {
        eprintln!("tls_child: run through relay_only_peers_connect_over_tls_allocations");
        return;
    };
    let url = format!("turns:127.0.0.1:{port}");
    let t = bounded(relay_pair(url, 1 << 20)).await;
    println!("relay-connected over TURN/TLS in {t:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_turn_server_does_not_delay_host_candidates() {
    bounded(async {
        // A socket that reads nothing: the allocation is never answered (no ICMP either).
        let silent = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let url = format!("turn:{}?transport=udp", silent.local_addr().unwrap());
        let start = Instant::now();
        let pc = RTCPeerConnection::new(config(url.clone(), RTCIceTransportPolicy::All))
            .await
            .unwrap();
        let peer = RTCPeerConnection::new(config(url, RTCIceTransportPolicy::All))
            .await
            .unwrap();
        let local = pc
            .create_data_channel("c", DataChannelInit::default())
            .await
            .unwrap();
        pc.set_local_description(None).await.unwrap();
        let first = loop {
            match pc.next_event().await.unwrap() {
                PeerConnectionEvent::IceCandidate(c) => break c,
                _ => continue,
            }
        };
        let host_delay = start.elapsed();
        let first = first.expect("a candidate before end-of-candidates");
        assert!(first.candidate.contains("typ host"), "{}", first.candidate);
        assert!(host_delay < Duration::from_secs(1), "{host_delay:?}");

        // Trickle-style: the answerer connects before the offerer's gathering ends.
        peer.set_remote_description(pc.local_description().unwrap())
            .await
            .unwrap();
        peer.set_local_description(None).await.unwrap();
        pc.set_remote_description(peer.local_description().unwrap())
            .await
            .unwrap();
        local.opened().await.unwrap();
        let connected = start.elapsed();
        assert!(connected < Duration::from_secs(3), "{connected:?}");

        // Gathering ends at the timeout (5 s), with host candidates only.
        pc.gathering_complete().await;
        let gathered = start.elapsed();
        assert!(gathered >= Duration::from_secs(4), "{gathered:?}");
        assert!(gathered < Duration::from_secs(8), "{gathered:?}");
        assert_eq!(
            candidate_types(&pc.local_description().unwrap().sdp),
            ["host"]
        );
        println!(
            "host candidate after {host_delay:?}, connected after {connected:?}, \
             gathering ended after {gathered:?}"
        );
        pc.close().await;
        peer.close().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_turn_server_ends_gathering_at_once() {
    bounded(async {
        // Nothing listens: ICMP port unreachable fails the allocation immediately.
        let port = coturn::free_port();
        let url = format!("turn:127.0.0.1:{port}?transport=udp");
        let start = Instant::now();
        let pc = RTCPeerConnection::new(config(url, RTCIceTransportPolicy::All))
            .await
            .unwrap();
        pc.create_data_channel("c", DataChannelInit::default())
            .await
            .unwrap();
        pc.set_local_description(None).await.unwrap();
        pc.gathering_complete().await;
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "{:?}",
            start.elapsed()
        );
        assert_eq!(
            candidate_types(&pc.local_description().unwrap().sdp),
            ["host"]
        );
        pc.close().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relay_only_peer_connects_to_host_only_peer() {
    let dir = coturn::temp_dir("turn-mixed");
    let server = Coturn::start(&dir, None);
    let url = format!("turn:127.0.0.1:{}", server.port);
    bounded(async {
        let relayed = RTCPeerConnection::new(config(url, RTCIceTransportPolicy::Relay))
            .await
            .unwrap();
        let mut plain = RTCConfiguration::default();
        plain.interfaces.addresses = vec!["127.0.0.1".parse().unwrap()];
        let host = RTCPeerConnection::new(plain).await.unwrap();
        let local = host
            .create_data_channel("mixed", DataChannelInit::default())
            .await
            .unwrap();
        host.set_local_description(None).await.unwrap();
        relayed
            .set_remote_description(host.local_description().unwrap())
            .await
            .unwrap();
        relayed.set_local_description(None).await.unwrap();
        relayed.gathering_complete().await;
        let answer = relayed.local_description().unwrap();
        assert_eq!(candidate_types(&answer.sdp), ["relay"], "{}", answer.sdp);
        host.set_remote_description(answer).await.unwrap();
        let remote = next_channel(&relayed).await;
        local.opened().await.unwrap();
        local.send_text("host to relay").await.unwrap();
        assert_eq!(&remote.recv().await.unwrap().data[..], b"host to relay");
        remote.send_text("relay to host").await.unwrap();
        assert_eq!(&local.recv().await.unwrap().data[..], b"relay to host");
        host.close().await;
        relayed.close().await;
    })
    .await;
}
