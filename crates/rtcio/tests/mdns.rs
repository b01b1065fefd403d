//! mDNS candidates: `rtcio::mdns::MdnsResolver` against a responder on the loopback interface,
//! and two connections that only know each other by `.local` names (one in the description,
//! the other trickled with `add_ice_candidate`).
//!
//! The responder joins 224.0.0.251 on 127.0.0.1 and answers directly to the querier (the QU
//! bit), so nothing leaves the host. IPv6 (ff02::fb) is tested in `mdns_netns.rs`: the
//! loopback interface carries no IPv6 multicast (sending to ff02::fb on it is "network
//! unreachable").

mod common;

use common::{loopback, next_channel};

use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rtcio::mdns::{MdnsResolver, ResolveError};
use rtcio::{
    DataChannelInit, PeerConnectionEvent, RTCIceCandidateInit, RTCPeerConnection,
    RTCPeerConnectionState, RTCSessionDescription,
};
use rtcio_ice::mdns::{MDNS_IPV4, MDNS_PORT, Message, encode_response};
use socket2::{Domain, Protocol, Socket, Type};

const LOOPBACK: Ipv4Addr = Ipv4Addr::LOCALHOST;

/// Answers queries for its names on 127.0.0.1 until dropped.
struct Responder {
    stop: Arc<AtomicBool>,
    answered: Arc<AtomicU64>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Responder {
    fn start(names: &[&str], addr: IpAddr) -> Responder {
        let socket = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP)).unwrap();
        socket.set_reuse_address(true).unwrap();
        socket.set_reuse_port(true).unwrap();
        socket
            .bind(&SocketAddr::from((Ipv4Addr::UNSPECIFIED, MDNS_PORT)).into())
            .expect("bind the mDNS port");
        socket
            .join_multicast_v4(&MDNS_IPV4, &LOOPBACK)
            .expect("join 224.0.0.251 on lo");
        socket
            .set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap();
        let socket: UdpSocket = socket.into();
        let names: Vec<String> = names.iter().map(|n| n.to_ascii_lowercase()).collect();
        let stop = Arc::new(AtomicBool::new(false));
        let answered = Arc::new(AtomicU64::new(0));
        let (stop2, answered2) = (stop.clone(), answered.clone());
        let thread = std::thread::spawn(move || {
            let mut buf = [0u8; 1500];
            while !stop2.load(Ordering::Relaxed) {
                let Ok((n, from)) = socket.recv_from(&mut buf) else {
                    continue;
                };
                let Ok(msg) = Message::parse(&buf[..n]) else {
                    continue;
                };
                if msg.is_response {
                    continue;
                }
                for name in &names {
                    if msg.questions.iter().any(|q| &q.name == name) {
                        let resp = encode_response(msg.id, name, &[addr], 120).unwrap();
                        let _ = socket.send_to(&resp, from);
                        answered2.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        });
        Responder {
            stop,
            answered,
            thread: Some(thread),
        }
    }
}

impl Drop for Responder {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A name no other test uses.
fn unique_name(tag: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("{tag}-{}-{nanos:08x}.local", std::process::id())
}

#[tokio::test]
async fn resolver_gets_the_address_from_a_responder() {
    let name = unique_name("resolve");
    let responder = Responder::start(&[&name], "192.0.2.44".parse().unwrap());
    let resolver = MdnsResolver::for_addresses(&[IpAddr::V4(LOOPBACK)]);
    let start = Instant::now();
    let addrs = resolver.resolve(&name.to_ascii_uppercase()).await.unwrap();
    assert_eq!(addrs, vec!["192.0.2.44".parse::<IpAddr>().unwrap()]);
    assert!(start.elapsed() < Duration::from_secs(3));
    assert!(responder.answered.load(Ordering::Relaxed) >= 1);
}

#[tokio::test]
async fn resolver_gives_up_after_its_timeout() {
    let resolver = MdnsResolver::for_addresses(&[IpAddr::V4(LOOPBACK)])
        .with_timeout(Duration::from_millis(1500));
    let start = Instant::now();
    let err = resolver.resolve(&unique_name("nobody")).await.unwrap_err();
    assert!(matches!(err, ResolveError::TimedOut), "{err}");
    let took = start.elapsed();
    assert!(
        took >= Duration::from_millis(1400) && took < Duration::from_secs(3),
        "{took:?}"
    );
    let err = resolver.resolve("example.org").await.unwrap_err();
    assert!(matches!(err, ResolveError::Name(_)), "{err}");
    // No interface: nothing can be sent.
    let nowhere = MdnsResolver::for_addresses(&[]);
    assert!(!nowhere.has_interfaces());
    assert!(matches!(
        nowhere.resolve("x.local").await,
        Err(ResolveError::Io(_))
    ));
}

/// `sdp` with the candidates' 127.0.0.1 replaced by `name`, and the candidate lines
/// (rewritten) returned apart when `strip` is set.
fn hide_candidates(sdp: &str, name: &str, strip: bool) -> (String, Vec<String>) {
    let mut out = String::new();
    let mut candidates = Vec::new();
    for line in sdp.lines() {
        if let Some(c) = line.strip_prefix("a=candidate:") {
            let c = format!(
                "candidate:{}",
                c.replace(" 127.0.0.1 ", &format!(" {name} "))
            );
            if strip {
                candidates.push(c);
                continue;
            }
            out.push_str(&format!("a={c}\r\n"));
        } else if !(strip && line == "a=end-of-candidates") {
            out.push_str(line);
            out.push_str("\r\n");
        }
    }
    (out, candidates)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn peers_known_only_by_mdns_names_connect() {
    let (offer_name, answer_name) = (unique_name("offerer"), unique_name("answerer"));
    let _responder = Responder::start(&[&offer_name, &answer_name], IpAddr::V4(LOOPBACK));
    tokio::time::timeout(Duration::from_secs(20), async {
        let offerer = RTCPeerConnection::new(loopback()).await.unwrap();
        let answerer = RTCPeerConnection::new(loopback()).await.unwrap();
        let local = offerer
            .create_data_channel("chat", DataChannelInit::default())
            .await
            .unwrap();
        offerer.set_local_description(None).await.unwrap();
        offerer.gathering_complete().await;
        let offer = offerer.local_description().unwrap();
        let (sdp, _) = hide_candidates(&offer.sdp, &offer_name, false);
        assert!(sdp.contains(&offer_name), "{sdp}");
        answerer
            .set_remote_description(RTCSessionDescription::offer(sdp))
            .await
            .unwrap();
        answerer.set_local_description(None).await.unwrap();
        answerer.gathering_complete().await;
        let answer = answerer.local_description().unwrap();
        let (sdp, trickled) = hide_candidates(&answer.sdp, &answer_name, true);
        assert!(!trickled.is_empty());
        let mut desc = answer.clone();
        desc.sdp = sdp;
        offerer.set_remote_description(desc).await.unwrap();
        let mid = answer
            .sdp
            .lines()
            .find_map(|l| l.strip_prefix("a=mid:"))
            .map(str::to_owned);
        for c in trickled {
            let init = RTCIceCandidateInit {
                candidate: c,
                sdp_mid: mid.clone(),
                sdp_mline_index: Some(0),
                username_fragment: None,
            };
            offerer.add_ice_candidate(Some(init)).await.unwrap();
        }
        // End-of-candidates while the name is being resolved: held back until it is.
        offerer.add_ice_candidate(None).await.unwrap();

        let remote = next_channel(&answerer).await;
        local.opened().await.unwrap();
        local.send_text("over mDNS").await.unwrap();
        assert_eq!(&remote.recv().await.unwrap().data[..], b"over mDNS");
        assert_eq!(
            offerer.connection_state(),
            RTCPeerConnectionState::Connected
        );
        for pc in [&offerer, &answerer] {
            let stats = pc.mdns_stats();
            assert_eq!((stats.resolved, stats.failed, stats.pending), (1, 0, 0));
        }
        offerer.close().await;
        answerer.close().await;
    })
    .await
    .expect("connected over resolved mDNS candidates within 20 s");
}

#[tokio::test]
async fn unanswered_names_are_dropped_and_counted() {
    tokio::time::timeout(Duration::from_secs(10), async {
        let offerer = RTCPeerConnection::new(loopback()).await.unwrap();
        let answerer = RTCPeerConnection::new(loopback()).await.unwrap();
        offerer
            .create_data_channel("x", DataChannelInit::default())
            .await
            .unwrap();
        offerer.set_local_description(None).await.unwrap();
        answerer
            .set_remote_description(offerer.local_description().unwrap())
            .await
            .unwrap();
        let candidate = format!(
            "candidate:1 1 udp 2122260223 {} 9 typ host",
            unique_name("silent")
        );
        let init = RTCIceCandidateInit {
            candidate,
            sdp_mid: None,
            sdp_mline_index: Some(0),
            username_fragment: None,
        };
        answerer.add_ice_candidate(Some(init)).await.unwrap();
        assert_eq!(answerer.mdns_stats().pending, 1);
        while answerer.mdns_stats().pending > 0 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(answerer.mdns_stats().failed, 1);
        assert_eq!(answerer.mdns_stats().resolved, 0);
    })
    .await
    .expect("the resolution ends within its 3 s timeout");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn end_of_candidates_in_the_description_waits_for_resolution() {
    let name = unique_name("complete");
    let _responder = Responder::start(&[&name], IpAddr::V4(LOOPBACK));
    tokio::time::timeout(Duration::from_secs(20), async {
        let offerer = RTCPeerConnection::new(loopback()).await.unwrap();
        let answerer = RTCPeerConnection::new(loopback()).await.unwrap();
        offerer
            .create_data_channel("chat", DataChannelInit::default())
            .await
            .unwrap();
        offerer.set_local_description(None).await.unwrap();
        offerer.gathering_complete().await;
        // A complete offer (as Firefox sends): mDNS candidates and end-of-candidates.
        let (sdp, _) = hide_candidates(&offerer.local_description().unwrap().sdp, &name, false);
        assert!(sdp.contains("a=end-of-candidates"), "{sdp}");
        answerer
            .set_remote_description(RTCSessionDescription::offer(sdp))
            .await
            .unwrap();
        answerer.set_local_description(None).await.unwrap();
        answerer.gathering_complete().await;
        offerer
            .set_remote_description(answerer.local_description().unwrap())
            .await
            .unwrap();
        let mut states = Vec::new();
        loop {
            match answerer.next_event().await.expect("alive") {
                PeerConnectionEvent::IceConnectionStateChange(s) => {
                    states.push(s);
                    if matches!(
                        s,
                        rtcio::RTCIceConnectionState::Connected
                            | rtcio::RTCIceConnectionState::Completed
                    ) {
                        break;
                    }
                }
                _ => continue,
            }
        }
        assert!(
            !states.contains(&rtcio::RTCIceConnectionState::Failed),
            "{states:?}"
        );
        assert_eq!(answerer.mdns_stats().resolved, 1);
    })
    .await
    .expect("connected within 20 s");
}
