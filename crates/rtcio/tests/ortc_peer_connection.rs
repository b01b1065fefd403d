//! The ORTC side of `RTCPeerConnection`: `sctp()` as a view onto the connection's transports,
//! and `setConfiguration` (W3C rules; new ICE servers gathered at the next ICE restart).

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use rtcio::{
    DataChannelInit, Error, PeerConnectionEvent, RTCBundlePolicy, RTCCertificate,
    RTCDtlsTransportState, RTCIceServer, RTCIceTransportState, RTCPeerConnection,
    RTCSctpTransportState,
};
use rtcio_stun::{Attribute, Class, Message, MessageBuilder, Method};

use common::loopback;

/// The public address the scripted STUN server reports (TEST-NET-1).
const PUBLIC_IP: &str = "192.0.2.55";

/// A STUN server on 127.0.0.1 answering every Binding request with `PUBLIC_IP`; returns its
/// address and the count of requests answered.
async fn stun_server() -> (SocketAddr, Arc<AtomicUsize>) {
    let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let addr = socket.local_addr().unwrap();
    let answered = Arc::new(AtomicUsize::new(0));
    let count = answered.clone();
    tokio::spawn(async move {
        let mut buf = vec![0u8; 2048];
        while let Ok((n, from)) = socket.recv_from(&mut buf).await {
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
    (addr, answered)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sctp_is_a_view_of_the_connections_transports() {
    tokio::time::timeout(Duration::from_secs(20), async {
        let a = RTCPeerConnection::new(loopback()).await.unwrap();
        let b = RTCPeerConnection::new(loopback()).await.unwrap();
        let ch = a
            .create_data_channel("view", DataChannelInit::default())
            .await
            .unwrap();
        assert!(
            a.sctp().is_none(),
            "no SCTP before a description negotiated it"
        );
        common::negotiate(&a, &b).await;
        ch.opened().await.unwrap();

        let sctp = a.sctp().expect("negotiated");
        assert_eq!(sctp.state(), RTCSctpTransportState::Connected);
        assert_eq!(sctp.max_message_size(), a.sctp_max_message_size());
        assert_eq!(sctp.port(), 5000);
        let dtls = sctp.transport();
        assert_eq!(dtls.state(), RTCDtlsTransportState::Connected);
        let fingerprint = &dtls.local_parameters().fingerprints[0];
        let certificate = &a.get_configuration().certificates[0];
        assert_eq!(
            format!("{} {}", fingerprint.algorithm, fingerprint.value),
            certificate.fingerprint().to_string()
        );
        let ice = dtls.transport();
        assert!(matches!(
            ice.state(),
            RTCIceTransportState::Connected | RTCIceTransportState::Completed
        ));
        assert_eq!(ice.ice_gatherer().local_addresses(), a.local_addresses());
        assert_eq!(ice.remote_candidates().len(), 1);
        // The connection starts and stops its transports, not the application.
        assert!(matches!(sctp.stop().await, Err(Error::InvalidState(_))));
        assert!(matches!(ice.stop().await, Err(Error::InvalidState(_))));
        assert_eq!(sctp.state(), RTCSctpTransportState::Connected);

        a.close().await;
        assert_eq!(sctp.state(), RTCSctpTransportState::Closed);
        b.close().await;
    })
    .await
    .expect("within 20 s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_configuration_follows_the_w3c_rules() {
    let pc = RTCPeerConnection::new(loopback()).await.unwrap();
    let current = pc.get_configuration();
    // The same configuration, or one without certificates, is accepted.
    pc.set_configuration(current.clone()).unwrap();
    let mut c = current.clone();
    c.certificates.clear();
    pc.set_configuration(c).unwrap();

    let invalid_modification =
        |r: Result<(), Error>| matches!(r, Err(Error::InvalidModification(_)));
    let mut c = current.clone();
    c.certificates = vec![RTCCertificate::generate(rtcio::KeyType::EcdsaP256).unwrap()];
    assert!(invalid_modification(pc.set_configuration(c)));
    let mut c = current.clone();
    c.bundle_policy = RTCBundlePolicy::Balanced;
    assert!(invalid_modification(pc.set_configuration(c)));
    let mut c = current.clone();
    c.port_range = Some(40000..=40010);
    assert!(invalid_modification(pc.set_configuration(c)));

    let mut c = current.clone();
    c.ice_servers = vec![RTCIceServer {
        urls: vec!["stun:".into()],
        ..RTCIceServer::default()
    }];
    assert!(matches!(pc.set_configuration(c), Err(Error::Syntax(_))));
    let mut c = current.clone();
    c.ice_servers = vec![RTCIceServer {
        urls: vec!["turn:127.0.0.1:3478".into()],
        ..RTCIceServer::default()
    }];
    assert!(matches!(
        pc.set_configuration(c),
        Err(Error::InvalidAccess(_))
    ));
    // Nothing of the rejected calls stuck.
    assert!(pc.get_configuration().ice_servers.is_empty());

    let mut c = current.clone();
    c.ice_servers = vec![RTCIceServer {
        urls: vec!["stun:127.0.0.1:3478".into()],
        ..RTCIceServer::default()
    }];
    pc.set_configuration(c.clone()).unwrap();
    assert_eq!(pc.get_configuration().ice_servers, c.ice_servers);

    pc.close().await;
    assert!(matches!(
        pc.set_configuration(current),
        Err(Error::InvalidState(_))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_ice_servers_are_gathered_at_the_next_ice_restart() {
    tokio::time::timeout(Duration::from_secs(20), async {
        let (stun, answered) = stun_server().await;
        let a = RTCPeerConnection::new(loopback()).await.unwrap();
        let b = RTCPeerConnection::new(loopback()).await.unwrap();
        let ch = a
            .create_data_channel("restart", DataChannelInit::default())
            .await
            .unwrap();
        common::negotiate(&a, &b).await;
        ch.opened().await.unwrap();

        let mut config = a.get_configuration();
        config.ice_servers = vec![RTCIceServer {
            urls: vec![format!("stun:{stun}")],
            ..RTCIceServer::default()
        }];
        a.set_configuration(config).unwrap();
        // W3C: no action until the ICE agent restarts.
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(answered.load(Ordering::Relaxed), 0);

        // Drain the events so far; the restart's gathering reports the new candidate.
        while let Ok(e) = tokio::time::timeout(Duration::from_millis(50), a.next_event()).await {
            assert!(e.is_some());
        }
        a.restart_ice();
        a.set_local_description(None).await.unwrap();
        let mut srflx = None;
        loop {
            match a.next_event().await.expect("alive") {
                PeerConnectionEvent::IceCandidate(Some(c)) if c.candidate.contains("srflx") => {
                    srflx = Some(c.candidate);
                }
                PeerConnectionEvent::IceCandidate(None) => break,
                _ => {}
            }
        }
        let srflx = srflx.expect("a server-reflexive candidate before end-of-candidates");
        assert!(srflx.contains(PUBLIC_IP), "{srflx}");
        assert!(answered.load(Ordering::Relaxed) >= 1);
        let offer = a.local_description().unwrap().sdp;
        assert!(offer.contains(PUBLIC_IP), "{offer}");

        // The restart completes and data keeps flowing.
        b.set_remote_description(a.local_description().unwrap())
            .await
            .unwrap();
        b.set_local_description(None).await.unwrap();
        b.gathering_complete().await;
        a.set_remote_description(b.local_description().unwrap())
            .await
            .unwrap();
        ch.send_text("after restart").await.unwrap();
        let at_b = common::next_channel(&b).await;
        let m = at_b.recv().await.unwrap();
        assert_eq!(&m.data[..], b"after restart");
        a.close().await;
        b.close().await;
    })
    .await
    .expect("within 20 s");
}
