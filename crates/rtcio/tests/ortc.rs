//! ORTC objects used directly, as aiortc's test_ortc does: two chains on loopback gather,
//! exchange parameters, start ICE, DTLS and SCTP, open channels both ways, exchange messages
//! and stop layer by layer. Calls in the wrong order fail with typed errors, and stopping
//! gives back every socket and task.

mod common;

use std::time::Duration;

use rtcio::{
    DataChannelInit, Error, RTCDataChannelParameters, RTCDtlsTransport, RTCDtlsTransportState,
    RTCIceGatherer, RTCIceGathererState, RTCIceRole, RTCIceTransport, RTCIceTransportState,
    RTCSctpTransport, RTCSctpTransportState,
};

use common::loopback;

fn alive_tasks() -> usize {
    tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks()
}

fn is_invalid_state(r: Result<impl std::fmt::Debug, Error>) -> bool {
    matches!(r, Err(Error::InvalidState(_)))
}

async fn start_ice_pair() -> (RTCIceTransport, RTCIceTransport) {
    let ice_a = RTCIceTransport::new(&RTCIceGatherer::with_configuration(loopback()).unwrap());
    let ice_b = RTCIceTransport::new(&RTCIceGatherer::with_configuration(loopback()).unwrap());
    let (ga, gb) = tokio::join!(ice_a.ice_gatherer().gather(), ice_b.ice_gatherer().gather());
    ga.unwrap();
    gb.unwrap();
    for c in ice_b.ice_gatherer().local_candidates() {
        ice_a.add_remote_candidate(Some(c)).await.unwrap();
    }
    ice_a.add_remote_candidate(None).await.unwrap();
    for c in ice_a.ice_gatherer().local_candidates() {
        ice_b.add_remote_candidate(Some(c)).await.unwrap();
    }
    ice_b.add_remote_candidate(None).await.unwrap();
    let (ra, rb) = tokio::join!(
        ice_a.start(ice_b.ice_gatherer().local_parameters()),
        ice_b.start(ice_a.ice_gatherer().local_parameters()),
    );
    ra.unwrap();
    rb.unwrap();
    (ice_a, ice_b)
}

async fn start_dtls_pair(
    ice_a: &RTCIceTransport,
    ice_b: &RTCIceTransport,
) -> (RTCDtlsTransport, RTCDtlsTransport) {
    let dtls_a = RTCDtlsTransport::new(ice_a, vec![]).unwrap();
    let dtls_b = RTCDtlsTransport::new(ice_b, vec![]).unwrap();
    let (ra, rb) = tokio::join!(
        dtls_a.start(dtls_b.local_parameters()),
        dtls_b.start(dtls_a.local_parameters()),
    );
    ra.unwrap();
    rb.unwrap();
    (dtls_a, dtls_b)
}

async fn start_sctp_pair(
    dtls_a: &RTCDtlsTransport,
    dtls_b: &RTCDtlsTransport,
) -> (RTCSctpTransport, RTCSctpTransport) {
    let sctp_a = RTCSctpTransport::new(dtls_a, 5000).unwrap();
    let sctp_b = RTCSctpTransport::new(dtls_b, 5000).unwrap();
    sctp_a
        .start(sctp_b.capabilities(), sctp_b.port())
        .await
        .unwrap();
    sctp_b
        .start(sctp_a.capabilities(), sctp_a.port())
        .await
        .unwrap();
    (sctp_a, sctp_b)
}

fn params(label: &str) -> RTCDataChannelParameters {
    RTCDataChannelParameters {
        label: label.into(),
        init: DataChannelInit::default(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sctp_over_dtls_over_ice_carries_channels_both_ways_and_stops_cleanly() {
    tokio::time::timeout(Duration::from_secs(30), async {
        let tasks_before = alive_tasks();
        let t0 = std::time::Instant::now();
        let (ice_a, ice_b) = start_ice_pair().await;
        let ice_took = t0.elapsed();
        assert_eq!(ice_a.ice_gatherer().state(), RTCIceGathererState::Complete);
        for ice in [&ice_a, &ice_b] {
            assert!(matches!(
                ice.state(),
                RTCIceTransportState::Connected | RTCIceTransportState::Completed
            ));
            assert_eq!(ice.remote_candidates().len(), 1);
        }
        // Both started controlled (aiortc's default): the role conflict left one of each.
        assert_ne!(ice_a.role(), ice_b.role());

        let t0 = std::time::Instant::now();
        let (dtls_a, dtls_b) = start_dtls_pair(&ice_a, &ice_b).await;
        let dtls_took = t0.elapsed();
        assert_eq!(dtls_a.state(), RTCDtlsTransportState::Connected);
        assert_ne!(dtls_a.role(), dtls_b.role());

        let t0 = std::time::Instant::now();
        let (sctp_a, sctp_b) = start_sctp_pair(&dtls_a, &dtls_b).await;
        let mut states = sctp_b.state_changes().unwrap();
        // A channel made right away opens once the association is up.
        let ab = sctp_a.create_data_channel(params("a-to-b")).await.unwrap();
        ab.opened().await.unwrap();
        eprintln!(
            "gather + ICE {ice_took:?}, DTLS {dtls_took:?}, SCTP + channel open {:?}",
            t0.elapsed()
        );
        assert_eq!(sctp_a.state(), RTCSctpTransportState::Connected);
        assert_eq!(
            sctp_a.max_message_size(),
            Some(sctp_b.capabilities().max_message_size)
        );
        let at_b = sctp_b.next_data_channel().await.unwrap();
        assert_eq!(at_b.label(), "a-to-b");
        let ba = rtcio::RTCDataChannel::create(&sctp_b, params("b-to-a"))
            .await
            .unwrap();
        let at_a = sctp_a.next_data_channel().await.unwrap();
        assert_eq!(at_a.label(), "b-to-a");
        // The DTLS client takes even stream ids, the server odd ones (RFC 8832 §6).
        assert_ne!(ab.id().unwrap() % 2, ba.id().unwrap() % 2);

        for i in 0..20 {
            ab.send_text(&format!("ping {i}")).await.unwrap();
            ba.send_binary(&vec![i as u8; 20_000]).await.unwrap();
        }
        for i in 0..20 {
            let m = at_b.recv().await.unwrap();
            assert_eq!(
                (&m.data[..], m.binary),
                (format!("ping {i}").as_bytes(), false)
            );
            let m = at_a.recv().await.unwrap();
            assert!(m.binary && m.data.len() == 20_000 && m.data.iter().all(|b| *b == i as u8));
        }

        // Stop layer by layer, as test_ortc does.
        let (ra, rb) = tokio::join!(sctp_a.stop(), sctp_b.stop());
        ra.unwrap();
        rb.unwrap();
        assert_eq!(sctp_a.state(), RTCSctpTransportState::Closed);
        assert!(
            at_b.recv().await.is_none(),
            "channels end with their transport"
        );
        let mut seen = Vec::new();
        while let Some(s) = states.next().await {
            seen.push(s);
        }
        assert_eq!(seen.last(), Some(&RTCSctpTransportState::Closed));
        assert!(is_invalid_state(
            sctp_a.create_data_channel(params("late")).await
        ));

        let (ra, rb) = tokio::join!(dtls_a.stop(), dtls_b.stop());
        ra.unwrap();
        rb.unwrap();
        assert_eq!(dtls_b.state(), RTCDtlsTransportState::Closed);

        let ports: Vec<_> = [&ice_a, &ice_b]
            .iter()
            .flat_map(|i| i.ice_gatherer().local_addresses())
            .collect();
        assert_eq!(ports.len(), 2);
        let (ra, rb) = tokio::join!(ice_a.stop(), ice_b.stop());
        ra.unwrap();
        rb.unwrap();
        assert_eq!(ice_a.state(), RTCIceTransportState::Closed);
        assert!(ice_a.ice_gatherer().local_addresses().is_empty());

        // Every task ends and every socket is closed: the ports can be bound again.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while alive_tasks() > tasks_before && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(alive_tasks(), tasks_before, "tasks left after stop");
        for addr in ports {
            std::net::UdpSocket::bind(addr).expect("socket released by stop");
        }
    })
    .await
    .expect("within 30 s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_in_the_wrong_order_are_invalid_state() {
    tokio::time::timeout(Duration::from_secs(30), async {
        let gatherer = RTCIceGatherer::with_configuration(loopback()).unwrap();
        let mut ice = RTCIceTransport::new(&gatherer);
        let other = RTCIceGatherer::with_configuration(loopback()).unwrap();
        // ICE before gathering.
        assert!(is_invalid_state(ice.start(other.local_parameters()).await));
        // DTLS before ICE: the `auto` role needs the ICE role.
        let dtls = RTCDtlsTransport::new(&ice, vec![]).unwrap();
        let peer_dtls = RTCDtlsTransport::new(&RTCIceTransport::new(&other), vec![]).unwrap();
        assert!(is_invalid_state(
            dtls.start(peer_dtls.local_parameters()).await
        ));
        // One DTLS transport per ICE transport, one SCTP transport per DTLS transport.
        assert!(is_invalid_state(RTCDtlsTransport::new(&ice, vec![])));
        let sctp = RTCSctpTransport::new(&dtls, 5000).unwrap();
        assert!(is_invalid_state(RTCSctpTransport::new(&dtls, 5001)));
        sctp.start(sctp.capabilities(), 5000).await.unwrap();
        assert!(is_invalid_state(
            sctp.start(sctp.capabilities(), 5000).await
        ));
        // A malformed fingerprint is a syntax error, not a failed handshake later.
        let mut bad = peer_dtls.local_parameters();
        bad.fingerprints[0].value = "not hex".into();
        assert!(matches!(dtls.start(bad).await, Err(Error::Syntax(_))));

        gatherer.gather().await.unwrap();
        ice.set_role(RTCIceRole::Controlling).unwrap();
        // A malformed candidate is a syntax error; a TCP one is ignored.
        let mut c = gatherer.local_candidates()[0].clone();
        c.ip = "999.1.1.1".into();
        assert!(matches!(
            ice.add_remote_candidate(Some(c.clone())).await,
            Err(Error::Syntax(_))
        ));
        c.ip = "127.0.0.1".into();
        c.protocol = "tcp".into();
        ice.add_remote_candidate(Some(c)).await.unwrap();
        assert!(ice.remote_candidates().is_empty());

        ice.stop().await.unwrap();
        assert!(is_invalid_state(ice.start(other.local_parameters()).await));
        assert!(is_invalid_state(ice.add_remote_candidate(None).await));
        assert!(is_invalid_state(RTCDtlsTransport::new(&ice, vec![])));
        assert!(is_invalid_state(
            sctp.create_data_channel(params("x")).await
        ));
        assert!(sctp.next_data_channel().await.is_none());
        // Stopping twice is harmless.
        ice.stop().await.unwrap();
    })
    .await
    .expect("within 30 s");
}
