//! Peer authentication by signalled fingerprint (RFC 8122): a mismatch fails the transport and
//! no application data from the impostor is ever delivered.

mod common;

use std::time::{Duration, Instant};

use common::{certs, config, deliver, drain, handshake};
use rtcio_dtls::{
    Certificate, DtlsError, DtlsRole, DtlsTransport, DtlsTransportState, HashAlgorithm, KeyType,
};

fn impostor() -> Certificate {
    Certificate::generate(KeyType::EcdsaP256).unwrap()
}

#[test]
fn fingerprint_known_upfront_aborts_the_handshake_on_both_sides() {
    let (c, s) = certs();
    let other = impostor();
    let mut client = DtlsTransport::new(config(DtlsRole::Client, c, &other)).unwrap();
    let mut server = DtlsTransport::new(config(DtlsRole::Server, s, c)).unwrap();
    let mut now = Instant::now();
    handshake(&mut client, &mut server, &mut now);

    assert_eq!(client.state(), DtlsTransportState::Failed);
    assert_eq!(
        client.error(),
        Some(&DtlsError::FingerprintMismatch {
            expected: vec![other.fingerprint()],
            actual: s.fingerprint(),
        })
    );
    assert!(
        client
            .error()
            .unwrap()
            .to_string()
            .contains("matches none of")
    );
    assert!(client.srtp_keying_material().is_none());
    assert_eq!(
        drain(&mut client).0,
        vec![DtlsTransportState::Connecting, DtlsTransportState::Failed]
    );
    // The client's handshake_failure alert tells the server.
    assert_eq!(server.state(), DtlsTransportState::Failed);
    let server_error = server.error().unwrap().to_string();
    assert!(server_error.contains("handshake failure"), "{server_error}");
    assert_eq!(client.poll_timeout(), None);
    assert_eq!(server.poll_timeout(), None);
}

#[test]
fn late_wrong_fingerprint_fails_the_client_and_delivers_nothing() {
    let (c, s) = certs();
    let other = impostor();
    let mut client_config = config(DtlsRole::Client, c, s);
    client_config.remote_fingerprints.clear();
    let mut client = DtlsTransport::new(client_config).unwrap();
    let mut server = DtlsTransport::new(config(DtlsRole::Server, s, c)).unwrap();
    let mut now = Instant::now();
    client.start(now);
    server.start(now);
    for _ in 0..6 {
        deliver(now, &mut client, &mut server);
        deliver(now, &mut server, &mut client);
        now += Duration::from_millis(1);
    }
    // The server authenticated the client and talks before the client knows whom it reached.
    assert_eq!(server.state(), DtlsTransportState::Connected);
    assert_eq!(client.state(), DtlsTransportState::Connecting);
    server.send(b"secret from the wrong peer").unwrap();
    assert_eq!(deliver(now, &mut server, &mut client), 1);
    client.set_remote_fingerprints(now, vec![other.fingerprint()]);

    assert_eq!(client.state(), DtlsTransportState::Failed);
    assert_eq!(
        client.error(),
        Some(&DtlsError::FingerprintMismatch {
            expected: vec![other.fingerprint()],
            actual: s.fingerprint(),
        })
    );
    let (states, data) = drain(&mut client);
    assert_eq!(
        states,
        vec![DtlsTransportState::Connecting, DtlsTransportState::Failed]
    );
    assert!(data.is_empty());
    server.send(b"more").unwrap();
    deliver(now, &mut server, &mut client);
    assert!(drain(&mut client).1.is_empty());
    assert_eq!(client.send(b"x"), Err(DtlsError::NotConnected));
}

#[test]
fn server_rejects_client_and_discards_data_sent_during_the_handshake() {
    let (c, s) = certs();
    let other = impostor();
    let mut client = DtlsTransport::new(config(DtlsRole::Client, c, s)).unwrap();
    // Fingerprints arrive late (answer after the ClientHello) and are wrong.
    let mut server_config = config(DtlsRole::Server, s, c);
    server_config.remote_fingerprints.clear();
    let mut server = DtlsTransport::new(server_config).unwrap();
    let mut now = Instant::now();
    client.start(now);
    server.start(now);
    for _ in 0..6 {
        deliver(now, &mut client, &mut server);
        deliver(now, &mut server, &mut client);
        now += Duration::from_millis(1);
    }
    assert_eq!(client.state(), DtlsTransportState::Connected);
    assert_eq!(server.state(), DtlsTransportState::Connecting);
    client.send(b"one").unwrap();
    client.send(b"two").unwrap();
    deliver(now, &mut client, &mut server);
    server.set_remote_fingerprints(
        now,
        vec![
            other.fingerprint(),
            other.fingerprint_with(HashAlgorithm::Sha1),
        ],
    );
    assert_eq!(server.state(), DtlsTransportState::Failed);
    assert!(matches!(
        server.error(),
        Some(DtlsError::FingerprintMismatch { actual, .. }) if *actual == c.fingerprint()
    ));
    assert!(drain(&mut server).1.is_empty());
    client.send(b"three").unwrap();
    deliver(now, &mut client, &mut server);
    assert!(drain(&mut server).1.is_empty());
    assert!(server.stats().queue_dropped >= 2);
}

#[test]
fn any_matching_fingerprint_in_any_hash_is_accepted() {
    let (c, s) = certs();
    let other = impostor();
    let mut client_config = config(DtlsRole::Client, c, s);
    client_config.remote_fingerprints =
        vec![other.fingerprint(), s.fingerprint_with(HashAlgorithm::Sha1)];
    let mut server_config = config(DtlsRole::Server, s, c);
    server_config.remote_fingerprints = vec![c.fingerprint_with(HashAlgorithm::Sha512)];
    let mut client = DtlsTransport::new(client_config).unwrap();
    let mut server = DtlsTransport::new(server_config).unwrap();
    let mut now = Instant::now();
    handshake(&mut client, &mut server, &mut now);
    assert_eq!(client.state(), DtlsTransportState::Connected);
    assert_eq!(server.state(), DtlsTransportState::Connected);
}

#[test]
fn server_with_wrong_upfront_fingerprint_rejects_the_client() {
    let (c, s) = certs();
    let other = impostor();
    let mut client = DtlsTransport::new(config(DtlsRole::Client, c, s)).unwrap();
    let mut server = DtlsTransport::new(config(DtlsRole::Server, s, &other)).unwrap();
    let mut now = Instant::now();
    handshake(&mut client, &mut server, &mut now);
    assert_eq!(
        server.error(),
        Some(&DtlsError::FingerprintMismatch {
            expected: vec![other.fingerprint()],
            actual: c.fingerprint(),
        })
    );
    assert_eq!(client.state(), DtlsTransportState::Failed);
    assert!(drain(&mut server).1.is_empty());
}

#[test]
fn connections_keep_their_own_identity_and_checks_when_interleaved() {
    // Every transport is built from one process-wide OpenSSL context; what differs per
    // connection (certificate, expected fingerprints, SRTP profiles) must stay per connection.
    let (c, s) = certs();
    let other = impostor();
    let mut good_server_config = config(DtlsRole::Server, s, c);
    good_server_config.srtp_profiles = vec![rtcio_dtls::SrtpProfile::AeadAes128Gcm];
    let mut good = (
        DtlsTransport::new(config(DtlsRole::Client, c, s)).unwrap(),
        DtlsTransport::new(good_server_config).unwrap(),
    );
    // Same client identity, but this server presents `other` and expects `s`.
    let mut bad_server_config = config(DtlsRole::Server, &other, c);
    bad_server_config.srtp_profiles = Vec::new();
    let mut bad = (
        DtlsTransport::new(config(DtlsRole::Client, c, s)).unwrap(),
        DtlsTransport::new(bad_server_config).unwrap(),
    );
    let mut now = Instant::now();
    for t in [&mut good.0, &mut good.1, &mut bad.0, &mut bad.1] {
        t.start(now);
    }
    for _ in 0..10 {
        deliver(now, &mut good.0, &mut good.1);
        deliver(now, &mut bad.0, &mut bad.1);
        deliver(now, &mut good.1, &mut good.0);
        deliver(now, &mut bad.1, &mut bad.0);
        now += Duration::from_millis(1);
    }
    assert_eq!(good.0.state(), DtlsTransportState::Connected);
    assert_eq!(good.1.state(), DtlsTransportState::Connected);
    assert_eq!(good.0.remote_certificate(), Some(s.der()));
    assert_eq!(good.1.remote_certificate(), Some(c.der()));
    assert_eq!(
        good.0.srtp_profile(),
        Some(rtcio_dtls::SrtpProfile::AeadAes128Gcm)
    );
    assert_eq!(bad.0.state(), DtlsTransportState::Failed);
    assert_eq!(
        bad.0.error(),
        Some(&DtlsError::FingerprintMismatch {
            expected: vec![s.fingerprint()],
            actual: other.fingerprint(),
        })
    );
    assert_eq!(bad.0.srtp_profile(), None);
}
