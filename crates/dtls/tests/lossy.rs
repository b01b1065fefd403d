//! Handshake over lossy, reordering, duplicating links, driven by the transport's own
//! retransmission timers in virtual time.

mod common;

use std::cell::Cell;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::{Duration, Instant};

use common::{drain, pair};
use rtcio_dtls::{DtlsError, DtlsTransport, DtlsTransportState};
use rtcio_netsim::{Datagram, LinkConfig, Network, Peer, Sim};

struct Endpoint {
    addr: SocketAddr,
    remote: SocketAddr,
    dtls: DtlsTransport,
    received: Vec<Vec<u8>>,
    connected: Rc<Cell<bool>>,
}

impl Endpoint {
    fn observe(&mut self) {
        self.received.extend(drain(&mut self.dtls).1);
        self.connected
            .set(self.dtls.state() == DtlsTransportState::Connected);
    }
}

impl Peer for Endpoint {
    fn accepts(&self, addr: SocketAddr) -> bool {
        addr == self.addr
    }
    fn handle_datagram(&mut self, now: Instant, datagram: Datagram) {
        self.dtls.handle_receive(now, &datagram.payload);
        self.observe();
    }
    fn handle_timeout(&mut self, now: Instant) {
        self.dtls.handle_timeout(now);
        self.observe();
    }
    fn poll_transmit(&mut self, _now: Instant) -> Option<Datagram> {
        let payload = self.dtls.poll_transmit()?;
        Some(Datagram::new(self.addr, self.remote, payload))
    }
    fn poll_timeout(&self) -> Option<Instant> {
        self.dtls.poll_timeout()
    }
}

fn endpoints() -> (Endpoint, Endpoint) {
    let (client, server) = pair();
    wrap(client, server)
}

fn wrap(client: DtlsTransport, server: DtlsTransport) -> (Endpoint, Endpoint) {
    let a: SocketAddr = "10.0.0.1:5000".parse().unwrap();
    let b: SocketAddr = "10.0.0.2:5000".parse().unwrap();
    let make = |addr, remote, dtls| Endpoint {
        addr,
        remote,
        dtls,
        received: Vec::new(),
        connected: Rc::new(Cell::new(false)),
    };
    (make(a, b, client), make(b, a, server))
}

/// Runs both endpoints until they are connected; returns the virtual handshake time.
fn run(seed: u64, link: LinkConfig) -> (Endpoint, Endpoint, Duration) {
    let (client, server) = endpoints();
    run_with(seed, link, client, server)
}

fn run_with(
    seed: u64,
    link: LinkConfig,
    mut client: Endpoint,
    mut server: Endpoint,
) -> (Endpoint, Endpoint, Duration) {
    let start = Instant::now();
    let mut net = Network::new(seed);
    net.set_default_link(link);
    let mut sim = Sim::new(net, start);
    client.dtls.start(start);
    server.dtls.start(start);
    let (c, s) = (client.connected.clone(), server.connected.clone());
    let result = sim.run_until(
        &mut [&mut client, &mut server],
        Duration::from_secs(300),
        |_| c.get() && s.get(),
    );
    match result {
        Ok(at) => (client, server, at - start),
        Err(e) => panic!(
            "seed {seed}: {e} in {:?}/{:?} ({:?} {:?})",
            client.dtls.state(),
            server.dtls.state(),
            client.dtls.error(),
            server.dtls.error()
        ),
    }
}

#[test]
fn handshake_completes_over_20_percent_loss_with_reordering() {
    let mut recovered = 0;
    let mut slowest = Duration::ZERO;
    for seed in 0..40 {
        let (client, server, took) = run(seed, LinkConfig::lossy());
        slowest = slowest.max(took);
        let ck = client.dtls.srtp_keying_material().unwrap();
        let sk = server.dtls.srtp_keying_material().unwrap();
        assert_eq!(ck.local_key, sk.remote_key, "seed {seed}");
        assert_eq!(ck.remote_salt, sk.local_salt, "seed {seed}");
        recovered += client.dtls.stats().flights_retransmitted
            + server.dtls.stats().flights_retransmitted
            + server.dtls.stats().final_flight_resends;
    }
    // 20% loss over 40 handshakes: some flights must have been recovered by retransmission.
    assert!(recovered > 0);
    println!("40 lossy handshakes: {recovered} recoveries, slowest {slowest:?}");
}

/// Lossless ping-pong in which the `lost`-th flight (0 = ClientHello ... 3 = the server's
/// ChangeCipherSpec/Finished) is dropped the first time it is sent. Returns the virtual time
/// the handshake took.
fn lose_one_flight(lost: usize) -> (DtlsTransport, DtlsTransport, Duration) {
    let (mut client, mut server) = pair();
    let start = Instant::now();
    let mut now = start;
    client.start(now);
    server.start(now);
    let mut flights = 0;
    for _ in 0..300 {
        for (from, to) in [(0, 1), (1, 0)] {
            let ends = [&mut client, &mut server];
            let mut batch = Vec::new();
            while let Some(d) = ends[from].poll_transmit() {
                batch.push(d);
            }
            if batch.is_empty() {
                continue;
            }
            flights += 1;
            if flights - 1 == lost {
                continue;
            }
            for d in batch {
                ends[to].handle_receive(now, &d);
            }
        }
        if client.state() == DtlsTransportState::Connected
            && server.state() == DtlsTransportState::Connected
        {
            return (client, server, now - start);
        }
        now += Duration::from_millis(10);
        for t in [&mut client, &mut server] {
            if t.poll_timeout().is_some_and(|at| at <= now) {
                t.handle_timeout(now);
            }
        }
    }
    panic!(
        "flight {lost} lost: {:?}/{:?}",
        client.state(),
        server.state()
    );
}

#[test]
fn every_lost_flight_is_recovered() {
    for lost in 0..4 {
        let (client, server, took) = lose_one_flight(lost);
        // One retransmission timeout (1 s) plus a few 10 ms steps.
        assert!(took >= Duration::from_secs(1), "flight {lost}: {took:?}");
        assert!(
            took < Duration::from_millis(1100),
            "flight {lost}: {took:?}"
        );
        let (cs, ss) = (client.stats(), server.stats());
        match lost {
            // The client's timer re-sends the ClientHello.
            0 => assert_eq!((cs.flights_retransmitted, ss.flights_retransmitted), (1, 0)),
            // Both timers fire; the server's copy is the one that helps.
            1 | 2 => assert!(cs.flights_retransmitted + ss.flights_retransmitted >= 1),
            // Nobody waits for the last flight: the client's repeated Finished makes the
            // server re-send it.
            _ => {
                assert_eq!(cs.flights_retransmitted, 1);
                assert_eq!(ss.final_flight_resends, 1);
            }
        }
        assert_eq!(
            client.srtp_keying_material().unwrap().local_key,
            server.srtp_keying_material().unwrap().remote_key
        );
    }
}

#[test]
fn silent_peer_times_out_with_exponential_backoff() {
    let (mut client, _server) = pair();
    let start = Instant::now();
    client.start(start);
    let mut sends = Vec::new();
    let mut now = start;
    while let Some(at) = client.poll_timeout() {
        while client.poll_transmit().is_some() {
            sends.push(now - start);
        }
        now = at;
        client.handle_timeout(now);
    }
    let secs: Vec<u64> = sends.iter().map(|d| d.as_secs()).collect();
    assert_eq!(secs, [0, 1, 3, 7, 15, 31, 63]);
    assert_eq!(now - start, Duration::from_secs(123));
    assert_eq!(client.state(), DtlsTransportState::Failed);
    assert_eq!(client.error(), Some(&DtlsError::HandshakeTimeout));
}

#[test]
fn retransmit_timer_is_configurable_and_capped() {
    let (c, s) = common::certs();
    let mut config = common::config(rtcio_dtls::DtlsRole::Client, c, s);
    config.initial_retransmit_timeout = Duration::from_millis(400);
    config.max_retransmit_timeout = Duration::from_secs(2);
    config.max_retransmissions = 5;
    let mut client = DtlsTransport::new(config).unwrap();
    let start = Instant::now();
    client.start(start);
    let mut deadlines = Vec::new();
    while let Some(at) = client.poll_timeout() {
        deadlines.push((at - start).as_millis());
        client.handle_timeout(at);
    }
    assert_eq!(deadlines, [400, 1200, 2800, 4800, 6800, 8800]);
    assert_eq!(client.stats().flights_retransmitted, 5);
    assert_eq!(client.error(), Some(&DtlsError::HandshakeTimeout));
}

#[test]
fn fragmented_rsa_flights_survive_loss_and_reordering() {
    let rsa = [
        rtcio_dtls::Certificate::generate(rtcio_dtls::KeyType::Rsa2048).unwrap(),
        rtcio_dtls::Certificate::generate(rtcio_dtls::KeyType::Rsa2048).unwrap(),
    ];
    for seed in 100..120 {
        let mut configs = [
            common::config(rtcio_dtls::DtlsRole::Client, &rsa[0], &rsa[1]),
            common::config(rtcio_dtls::DtlsRole::Server, &rsa[1], &rsa[0]),
        ];
        for config in &mut configs {
            // Every RSA flight spans several datagrams.
            config.mtu = 400;
        }
        let [cc, sc] = configs;
        let (client, server) = wrap(
            DtlsTransport::new(cc).unwrap(),
            DtlsTransport::new(sc).unwrap(),
        );
        let (client, server, _) = run_with(seed, LinkConfig::lossy(), client, server);
        assert!(
            // ClientHello plus a key exchange flight of at least 3 datagrams.
            client.dtls.stats().handshake_datagrams_sent >= 4,
            "seed {seed}"
        );
        assert_eq!(
            client.dtls.srtp_keying_material().unwrap().local_key,
            server.dtls.srtp_keying_material().unwrap().remote_key
        );
    }
}

#[test]
fn retransmissions_carry_fresh_record_sequence_numbers() {
    let (mut client, _server) = pair();
    let start = Instant::now();
    client.start(start);
    let first = client.poll_transmit().unwrap();
    let at = client.poll_timeout().unwrap();
    client.handle_timeout(at);
    let again = client.poll_transmit().unwrap();
    // Same ClientHello, new 48-bit record sequence number (bytes 5..11 of the header).
    assert_eq!(first.len(), again.len());
    assert_eq!(first[..5], again[..5]);
    assert_eq!(first[11..], again[11..]);
    assert_eq!(first[5..11], [0, 0, 0, 0, 0, 0]);
    assert_eq!(again[5..11], [0, 0, 0, 0, 0, 1]);
}

#[test]
fn change_cipher_spec_overtaking_the_flight_is_recovered() {
    let rsa = rtcio_dtls::Certificate::generate(rtcio_dtls::KeyType::Rsa2048).unwrap();
    let (_, s) = common::certs();
    let mut cc = common::config(rtcio_dtls::DtlsRole::Client, &rsa, s);
    cc.mtu = 400;
    let mut client = DtlsTransport::new(cc).unwrap();
    let mut server =
        DtlsTransport::new(common::config(rtcio_dtls::DtlsRole::Server, s, &rsa)).unwrap();
    let start = Instant::now();
    let mut now = start;
    client.start(now);
    server.start(now);
    common::deliver(now, &mut client, &mut server);
    common::deliver(now, &mut server, &mut client);
    // The client's key exchange flight spans several datagrams; deliver it backwards once.
    let mut flight: Vec<Vec<u8>> = std::iter::from_fn(|| client.poll_transmit()).collect();
    assert!(flight.len() >= 3);
    flight.reverse();
    for d in &flight {
        server.handle_receive(now, d);
    }
    for _ in 0..200 {
        now += Duration::from_millis(10);
        for t in [&mut client, &mut server] {
            if t.poll_timeout().is_some_and(|at| at <= now) {
                t.handle_timeout(now);
            }
        }
        common::deliver(now, &mut client, &mut server);
        common::deliver(now, &mut server, &mut client);
        if client.state() == DtlsTransportState::Connected
            && server.state() == DtlsTransportState::Connected
        {
            return;
        }
    }
    panic!("{:?} / {:?}", client.state(), server.state());
}
