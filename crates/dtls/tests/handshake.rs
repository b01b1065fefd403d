//! Two in-memory endpoints: handshake in both role assignments, SRTP keys, application data,
//! close_notify, MTU and handshake cost.

mod common;

use std::time::{Duration, Instant};

use common::{certs, config, deliver, drain, handshake, pair};
use rtcio_dtls::{
    Certificate, DtlsError, DtlsRole, DtlsTransport, DtlsTransportState, KeyType, SrtpProfile,
};

#[test]
fn client_and_server_connect_and_agree_on_srtp_keys() {
    let (mut client, mut server) = pair();
    let mut now = Instant::now();
    handshake(&mut client, &mut server, &mut now);
    assert_eq!(client.state(), DtlsTransportState::Connected);
    assert_eq!(server.state(), DtlsTransportState::Connected);
    assert_eq!(
        drain(&mut client).0,
        vec![
            DtlsTransportState::Connecting,
            DtlsTransportState::Connected
        ]
    );
    assert_eq!(
        drain(&mut server).0,
        vec![
            DtlsTransportState::Connecting,
            DtlsTransportState::Connected
        ]
    );

    let ck = client.srtp_keying_material().expect("client keys");
    let sk = server.srtp_keying_material().expect("server keys");
    // Browser preference order puts AEAD_AES_128_GCM first.
    assert_eq!(ck.profile, SrtpProfile::AeadAes128Gcm);
    assert_eq!(sk.profile, SrtpProfile::AeadAes128Gcm);
    assert_eq!(ck.local_key, sk.remote_key);
    assert_eq!(ck.local_salt, sk.remote_salt);
    assert_eq!(ck.remote_key, sk.local_key);
    assert_eq!(ck.remote_salt, sk.local_salt);
    assert_ne!(ck.local_key, ck.remote_key);
    assert_eq!(ck.local_key.len(), 16);
    assert_eq!(ck.local_salt.len(), 12);

    let (c, s) = certs();
    assert_eq!(client.remote_certificate(), Some(s.der()));
    assert_eq!(server.remote_certificate(), Some(c.der()));
}

#[test]
fn roles_swapped_with_rsa_and_cm_profile() {
    let (c, _) = certs();
    let rsa = Certificate::generate(KeyType::Rsa2048).unwrap();
    // The RSA endpoint is the client this time; only AES-CM-80 is offered by the server.
    let mut client = DtlsTransport::new(config(DtlsRole::Client, &rsa, c)).unwrap();
    let mut server_config = config(DtlsRole::Server, c, &rsa);
    server_config.srtp_profiles = vec![SrtpProfile::Aes128CmHmacSha1_80];
    let mut server = DtlsTransport::new(server_config).unwrap();
    let mut now = Instant::now();
    handshake(&mut server, &mut client, &mut now);
    assert_eq!(client.state(), DtlsTransportState::Connected);
    assert_eq!(server.state(), DtlsTransportState::Connected);
    let ck = client.srtp_keying_material().unwrap();
    let sk = server.srtp_keying_material().unwrap();
    assert_eq!(ck.profile, SrtpProfile::Aes128CmHmacSha1_80);
    assert_eq!((ck.local_key.len(), ck.local_salt.len()), (16, 14));
    assert_eq!(ck.local_key, sk.remote_key);
    assert_eq!(sk.local_salt, ck.remote_salt);
}

#[test]
fn application_data_flows_both_ways() {
    let (mut client, mut server) = pair();
    let mut now = Instant::now();
    handshake(&mut client, &mut server, &mut now);
    drain(&mut client);
    drain(&mut server);

    client.send(b"ping").unwrap();
    client.send(&[7u8; 16_384]).unwrap();
    deliver(now, &mut client, &mut server);
    let (_, data) = drain(&mut server);
    assert_eq!(data, vec![b"ping".to_vec(), vec![7u8; 16_384]]);

    server.send(b"pong").unwrap();
    deliver(now, &mut server, &mut client);
    assert_eq!(drain(&mut client).1, vec![b"pong".to_vec()]);

    assert_eq!(
        client.send(&[0u8; 16_385]),
        Err(DtlsError::MessageTooLarge {
            len: 16_385,
            max: 16_384
        })
    );
}

#[test]
fn close_notify_closes_both_sides() {
    let (mut client, mut server) = pair();
    let mut now = Instant::now();
    handshake(&mut client, &mut server, &mut now);
    drain(&mut client);
    drain(&mut server);

    client.close();
    assert_eq!(client.state(), DtlsTransportState::Closed);
    assert_eq!(drain(&mut client).0, vec![DtlsTransportState::Closed]);
    assert!(
        deliver(now, &mut client, &mut server) >= 1,
        "close_notify sent"
    );
    assert_eq!(server.state(), DtlsTransportState::Closed);
    assert_eq!(drain(&mut server).0, vec![DtlsTransportState::Closed]);
    assert_eq!(server.send(b"late"), Err(DtlsError::NotConnected));
    assert_eq!(client.error(), None);
    assert_eq!(server.error(), None);
}

#[test]
fn handshake_datagrams_respect_mtu() {
    let (c, s) = certs();
    let rsa = Certificate::generate(KeyType::Rsa2048).unwrap();
    for mtu in [300usize, 576, 1200] {
        let mut cc = config(DtlsRole::Client, c, &rsa);
        cc.mtu = mtu;
        let mut sc = config(DtlsRole::Server, &rsa, c);
        sc.mtu = mtu;
        let mut client = DtlsTransport::new(cc).unwrap();
        let mut server = DtlsTransport::new(sc).unwrap();
        let mut now = Instant::now();
        client.start(now);
        server.start(now);
        let check = |from: &mut DtlsTransport, to: &mut DtlsTransport, now| {
            while let Some(d) = from.poll_transmit() {
                assert!(d.len() <= mtu, "{} byte datagram with mtu {mtu}", d.len());
                to.handle_receive(now, &d);
            }
        };
        for _ in 0..20 {
            check(&mut client, &mut server, now);
            check(&mut server, &mut client, now);
            now += Duration::from_millis(1);
        }
        assert_eq!(client.state(), DtlsTransportState::Connected, "mtu {mtu}");
        assert_eq!(server.state(), DtlsTransportState::Connected, "mtu {mtu}");
    }
    let _ = s;
}

#[test]
fn full_handshake_costs_two_round_trips() {
    let (mut client, mut server) = pair();
    let mut now = Instant::now();
    let trips = handshake(&mut client, &mut server, &mut now);
    // ClientHello / server flight / client flight / ChangeCipherSpec+Finished.
    assert_eq!(trips, 4, "one-way trips");
    let cs = client.stats();
    let ss = server.stats();
    assert_eq!(cs.handshake_flights_sent, 2);
    assert_eq!(ss.handshake_flights_sent, 2);
    assert_eq!(cs.flights_retransmitted + ss.flights_retransmitted, 0);
    assert_eq!(cs.handshake_bytes_sent, ss.handshake_bytes_received);
    let total = cs.handshake_bytes_sent + ss.bytes_sent;
    assert!(
        (1000..6000).contains(&total),
        "ECDSA handshake is a few kB, got {total}"
    );
    println!(
        "handshake: {} round trips, client sent {} B in {} datagrams, server sent {} B in {} datagrams",
        trips / 2,
        cs.handshake_bytes_sent,
        cs.handshake_datagrams_sent,
        ss.bytes_sent,
        ss.datagrams_sent
    );
    assert_eq!(client.poll_timeout(), None);
    assert_eq!(server.poll_timeout(), None);
}

#[test]
fn server_queues_client_hello_until_started_and_fingerprints_can_come_late() {
    let (c, s) = certs();
    let mut client = DtlsTransport::new(config(DtlsRole::Client, c, s)).unwrap();
    let mut server_config = config(DtlsRole::Server, s, c);
    server_config.remote_fingerprints.clear();
    let mut server = DtlsTransport::new(server_config).unwrap();
    let mut now = Instant::now();
    client.start(now);
    deliver(now, &mut client, &mut server);
    assert_eq!(server.state(), DtlsTransportState::New);
    server.start(now);
    for _ in 0..6 {
        deliver(now, &mut server, &mut client);
        deliver(now, &mut client, &mut server);
        now += Duration::from_millis(1);
    }
    assert_eq!(client.state(), DtlsTransportState::Connected);
    // Handshake done, but the answer with the fingerprint has not arrived yet.
    assert_eq!(server.state(), DtlsTransportState::Connecting);
    client.send(b"early").unwrap();
    deliver(now, &mut client, &mut server);
    assert!(drain(&mut server).1.is_empty());
    server.set_remote_fingerprints(now, vec![c.fingerprint()]);
    assert_eq!(server.state(), DtlsTransportState::Connected);
    assert_eq!(drain(&mut server).1, vec![b"early".to_vec()]);
}

#[test]
fn transport_and_certificate_can_move_to_a_driver_task() {
    fn assert_send<T: Send + 'static>() {}
    assert_send::<DtlsTransport>();
    assert_send::<Certificate>();
    fn assert_sync<T: Sync>() {}
    assert_sync::<Certificate>();
}

#[test]
fn each_srtp_profile_negotiates_and_none_means_data_only() {
    let (c, s) = certs();
    for offer in SrtpProfile::DEFAULT
        .into_iter()
        .map(|p| vec![p])
        .chain([vec![]])
    {
        let mut server_config = config(DtlsRole::Server, s, c);
        server_config.srtp_profiles = offer.clone();
        let mut client = DtlsTransport::new(config(DtlsRole::Client, c, s)).unwrap();
        let mut server = DtlsTransport::new(server_config).unwrap();
        let mut now = Instant::now();
        handshake(&mut client, &mut server, &mut now);
        assert_eq!(client.state(), DtlsTransportState::Connected, "{offer:?}");
        assert_eq!(client.srtp_profile(), offer.first().copied());
        assert_eq!(server.srtp_profile(), offer.first().copied());
        if let Some(profile) = offer.first() {
            let ck = client.srtp_keying_material().unwrap();
            let sk = server.srtp_keying_material().unwrap();
            assert_eq!(ck.local_key.len(), profile.key_len());
            assert_eq!(ck.local_salt.len(), profile.salt_len());
            assert_eq!(ck.local_key, sk.remote_key);
            assert_eq!(ck.local_salt, sk.remote_salt);
        }
    }
}

#[test]
fn rsa_handshake_cost() {
    let rsa = [
        Certificate::generate(KeyType::Rsa2048).unwrap(),
        Certificate::generate(KeyType::Rsa2048).unwrap(),
    ];
    let mut client = DtlsTransport::new(config(DtlsRole::Client, &rsa[0], &rsa[1])).unwrap();
    let mut server = DtlsTransport::new(config(DtlsRole::Server, &rsa[1], &rsa[0])).unwrap();
    let mut now = Instant::now();
    assert_eq!(handshake(&mut client, &mut server, &mut now), 4);
    let (cs, ss) = (client.stats(), server.stats());
    println!(
        "RSA-2048 handshake: client sent {} B in {} datagrams, server {} B in {}",
        cs.handshake_bytes_sent,
        cs.handshake_datagrams_sent,
        ss.handshake_bytes_sent,
        ss.handshake_datagrams_sent
    );
    // Certificates of ~800 bytes each side: more than the ECDSA handshake.
    assert!(cs.handshake_bytes_sent > 1000 && ss.handshake_bytes_sent > 1000);
}

#[test]
fn invalid_configuration_is_rejected() {
    let (c, s) = certs();
    let mut small_mtu = config(DtlsRole::Client, c, s);
    small_mtu.mtu = 100;
    let mut no_queue = config(DtlsRole::Client, c, s);
    no_queue.max_queued_datagrams = 0;
    let mut no_timer = config(DtlsRole::Server, s, c);
    no_timer.initial_retransmit_timeout = Duration::ZERO;
    for bad in [small_mtu, no_queue, no_timer] {
        assert!(matches!(
            DtlsTransport::new(bad),
            Err(DtlsError::InvalidConfig(_))
        ));
    }
}

#[test]
fn undrained_messages_are_dropped_and_counted() {
    let (c, s) = certs();
    let mut server_config = config(DtlsRole::Server, s, c);
    server_config.max_queued_messages = 2;
    let mut client = DtlsTransport::new(config(DtlsRole::Client, c, s)).unwrap();
    let mut server = DtlsTransport::new(server_config).unwrap();
    let mut now = Instant::now();
    handshake(&mut client, &mut server, &mut now);
    for i in 0..5u8 {
        client.send(&[i]).unwrap();
    }
    deliver(now, &mut client, &mut server);
    assert_eq!(drain(&mut server).1, vec![vec![0], vec![1]]);
    assert_eq!(server.stats().messages_dropped, 3);
    // Draining makes room again.
    client.send(b"after").unwrap();
    deliver(now, &mut client, &mut server);
    assert_eq!(drain(&mut server).1, vec![b"after".to_vec()]);
}

#[test]
fn send_queue_is_bounded() {
    let (c, s) = certs();
    let mut client_config = config(DtlsRole::Client, c, s);
    client_config.max_queued_datagrams = 4;
    let mut client = DtlsTransport::new(client_config).unwrap();
    let mut server = DtlsTransport::new(config(DtlsRole::Server, s, c)).unwrap();
    let mut now = Instant::now();
    handshake(&mut client, &mut server, &mut now);
    for _ in 0..4 {
        client.send(b"x").unwrap();
    }
    assert_eq!(client.send(b"x"), Err(DtlsError::SendQueueFull));
    assert_eq!(deliver(now, &mut client, &mut server), 4);
    client.send(b"x").unwrap();
}
