//! Server-reflexive gathering against a scripted STUN server on 127.0.0.1 that answers every
//! Binding request with a made-up public address: the candidate appears (trickled, with the host
//! socket as its related address), the response never reaches the ICE agent, and the relay policy
//! skips STUN altogether.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rtcio::{
    DataChannelInit, PeerConnectionEvent, RTCConfiguration, RTCIceServer, RTCIceTransportPolicy,
    RTCPeerConnection,
};
use rtcio_stun::{Attribute, Class, Message, MessageBuilder, Method};

/// The public address the scripted server reports (TEST-NET-1).
const PUBLIC_IP: &str = "192.0.2.77";

/// Starts the scripted server; returns its address and the number of requests answered.
async fn stun_server() -> (SocketAddr, Arc<AtomicUsize>, tokio::task::JoinHandle<()>) {
    let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let addr = socket.local_addr().unwrap();
    let answered = Arc::new(AtomicUsize::new(0));
    let count = answered.clone();
    let task = tokio::spawn(async move {
        let mut buf = vec![0u8; 2048];
        loop {
            let Ok((n, from)) = socket.recv_from(&mut buf).await else {
                return;
            };
            let Ok(req) = Message::decode(&buf[..n]) else {
                continue;
            };
            if (req.class(), req.method()) != (Class::Request, Method::BINDING) {
                continue;
            }
            let mapped = SocketAddr::new(PUBLIC_IP.parse().unwrap(), from.port());
            let mut b = MessageBuilder::new(
                Class::SuccessResponse,
                Method::BINDING,
                req.transaction_id(),
            );
            b.add(&Attribute::XorMappedAddress(mapped)).unwrap();
            b.add_fingerprint().unwrap();
            let _ = socket.send_to(&b.build(), from).await;
            count.fetch_add(1, Ordering::Relaxed);
        }
    });
    (addr, answered, task)
}

fn config(stun: SocketAddr, policy: RTCIceTransportPolicy) -> RTCConfiguration {
    let mut config = RTCConfiguration::default();
    config.interfaces.addresses = vec!["127.0.0.1".parse().unwrap()];
    config.ice_transport_policy = policy;
    config.ice_servers = vec![RTCIceServer {
        urls: vec![format!("stun:{stun}")],
        ..RTCIceServer::default()
    }];
    config
}

async fn bounded<F: std::future::Future>(f: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(20), f)
        .await
        .expect("test timed out")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn srflx_candidate_is_trickled_and_connection_still_works() {
    bounded(async {
        let (server, answered, task) = stun_server().await;
        let start = Instant::now();
        let pc = RTCPeerConnection::new(config(server, RTCIceTransportPolicy::All))
            .await
            .unwrap();
        let host = pc.local_addresses()[0];
        let local = pc
            .create_data_channel("c", DataChannelInit::default())
            .await
            .unwrap();
        pc.set_local_description(None).await.unwrap();
        let mut trickled = Vec::new();
        loop {
            match pc.next_event().await.unwrap() {
                PeerConnectionEvent::IceCandidate(Some(c)) => trickled.push(c.candidate),
                PeerConnectionEvent::IceCandidate(None) => break,
                _ => {}
            }
        }
        let gathered = start.elapsed();
        assert_eq!(trickled.len(), 2, "{trickled:?}");
        assert!(trickled[0].contains("typ host"), "{}", trickled[0]);
        let srflx = &trickled[1];
        assert!(srflx.contains("typ srflx"), "{srflx}");
        assert!(
            srflx.contains(&format!("{PUBLIC_IP} {}", host.port())),
            "{srflx}"
        );
        assert!(
            srflx.contains(&format!("raddr {} rport {}", host.ip(), host.port())),
            "{srflx}"
        );
        assert!(gathered < Duration::from_secs(2), "{gathered:?}");
        assert_eq!(answered.load(Ordering::Relaxed), 1);
        let sdp = pc.local_description().unwrap().sdp;
        assert!(sdp.contains("typ srflx"), "{sdp}");

        // A peer without servers: the srflx pair cannot work, the host pair does.
        let mut plain = RTCConfiguration::default();
        plain.interfaces.addresses = vec!["127.0.0.1".parse().unwrap()];
        let peer = RTCPeerConnection::new(plain).await.unwrap();
        peer.set_remote_description(pc.local_description().unwrap())
            .await
            .unwrap();
        peer.set_local_description(None).await.unwrap();
        pc.set_remote_description(peer.local_description().unwrap())
            .await
            .unwrap();
        local.opened().await.unwrap();
        local.send_text("over host").await.unwrap();
        println!("srflx gathered in {gathered:?}");
        pc.close().await;
        peer.close().await;
        task.abort();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relay_policy_skips_stun_servers() {
    bounded(async {
        let (server, answered, task) = stun_server().await;
        let pc = RTCPeerConnection::new(config(server, RTCIceTransportPolicy::Relay))
            .await
            .unwrap();
        pc.create_data_channel("c", DataChannelInit::default())
            .await
            .unwrap();
        pc.set_local_description(None).await.unwrap();
        pc.gathering_complete().await;
        let sdp = pc.local_description().unwrap().sdp;
        assert!(!sdp.contains("a=candidate:"), "{sdp}");
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(answered.load(Ordering::Relaxed), 0);
        pc.close().await;
        task.abort();
    })
    .await;
}
