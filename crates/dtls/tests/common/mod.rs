//! Helpers shared by the integration tests: endpoint pairs and an in-memory lossless pipe.
#![allow(dead_code)]

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use rtcio_dtls::{
    Certificate, DtlsConfig, DtlsEvent, DtlsRole, DtlsTransport, DtlsTransportState, KeyType,
};

/// Two certificates generated once per test binary (key generation is the slow part).
pub fn certs() -> &'static (Certificate, Certificate) {
    static CERTS: OnceLock<(Certificate, Certificate)> = OnceLock::new();
    CERTS.get_or_init(|| {
        (
            Certificate::generate(KeyType::EcdsaP256).unwrap(),
            Certificate::generate(KeyType::EcdsaP256).unwrap(),
        )
    })
}

/// Config for `role` with `local` identity, expecting `remote`'s sha-256 fingerprint.
pub fn config(role: DtlsRole, local: &Certificate, remote: &Certificate) -> DtlsConfig {
    let mut config = DtlsConfig::new(role, local.clone());
    config.remote_fingerprints = vec![remote.fingerprint()];
    config
}

/// A client and a server that expect each other's certificates.
pub fn pair() -> (DtlsTransport, DtlsTransport) {
    let (c, s) = certs();
    (
        DtlsTransport::new(config(DtlsRole::Client, c, s)).unwrap(),
        DtlsTransport::new(config(DtlsRole::Server, s, c)).unwrap(),
    )
}

/// Moves every queued datagram from `from` to `to`; returns how many.
pub fn deliver(now: Instant, from: &mut DtlsTransport, to: &mut DtlsTransport) -> usize {
    let mut n = 0;
    while let Some(datagram) = from.poll_transmit() {
        to.handle_receive(now, &datagram);
        n += 1;
    }
    n
}

/// Runs a lossless exchange until both are `Connected` (or `max_steps` deliveries). Each step
/// is one one-way trip (1 ms); returns the number of one-way trips that carried datagrams.
pub fn handshake(a: &mut DtlsTransport, b: &mut DtlsTransport, now: &mut Instant) -> usize {
    a.start(*now);
    b.start(*now);
    let mut trips = 0;
    for step in 0..100 {
        let moved = if step % 2 == 0 {
            deliver(*now, a, b)
        } else {
            deliver(*now, b, a)
        };
        if moved > 0 {
            trips += 1;
        }
        *now += Duration::from_millis(1);
        if a.state() == DtlsTransportState::Connected && b.state() == DtlsTransportState::Connected
        {
            break;
        }
    }
    trips
}

/// Drains the events: (state changes, application messages).
pub fn drain(t: &mut DtlsTransport) -> (Vec<DtlsTransportState>, Vec<Vec<u8>>) {
    let mut states = Vec::new();
    let mut data = Vec::new();
    while let Some(event) = t.poll_event() {
        match event {
            DtlsEvent::StateChange(s) => states.push(s),
            DtlsEvent::Data(d) => data.push(d),
        }
    }
    (states, data)
}
