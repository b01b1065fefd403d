//! Two transport stacks connect without JSEP, the way ORTC objects do: ICE parameters,
//! candidates, DTLS fingerprints and SCTP ports are exchanged directly, then each layer is
//! started and stopped explicitly.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use rtcio_dtls::{Certificate, DtlsRole, DtlsTransportState, Fingerprint, KeyType};
use rtcio_ice::{Candidate, DeterministicRandom, IceConnectionState, IceRole};
use rtcio_netsim::{Datagram, LinkConfig, Network, Peer, Sim};
use rtcio_proto::peer::{Error, Receive};
use rtcio_proto::transport::{
    ChannelId, DEFAULT_SCTP_PORT, DataChannelInit, DataChannelState, IceParameters, SctpParameters,
    SctpTransportState, StackConfig, TransportEvent, TransportStack,
};

/// Virtual time any single step may take.
const LIMIT: Duration = Duration::from_secs(60);

struct Side {
    stack: TransportStack,
    addr: SocketAddr,
    certificate: Certificate,
    events: Vec<TransportEvent>,
}

impl Side {
    fn new(addr: &str, seed: u64, now: Instant) -> Side {
        let addr: SocketAddr = addr.parse().unwrap();
        let mut stack = TransportStack::with_random(
            StackConfig::default(),
            Box::new(DeterministicRandom::new(seed)),
        );
        // ORTC: the gatherer's candidates exist before the transport starts.
        assert!(stack.add_local_candidate(now, Candidate::host(addr, 65535)));
        assert!(!stack.add_local_candidate(now, Candidate::host(addr, 65535)));
        stack.end_of_local_candidates(now);
        Side {
            stack,
            addr,
            certificate: Certificate::generate(KeyType::EcdsaP256).unwrap(),
            events: Vec::new(),
        }
    }

    fn ice_parameters(&self) -> IceParameters {
        let c = self.stack.local_ice_credentials();
        IceParameters {
            ufrag: c.ufrag.clone(),
            pwd: c.pwd.clone(),
            ice_lite: false,
        }
    }

    fn fingerprint(&self) -> Fingerprint {
        self.certificate.fingerprint()
    }

    fn drain(&mut self) {
        while let Some(e) = self.stack.poll_event() {
            self.events.push(e);
        }
    }

    fn remote_channels(&self) -> Vec<ChannelId> {
        self.events
            .iter()
            .filter_map(|e| match e {
                TransportEvent::DataChannel(id) => Some(*id),
                _ => None,
            })
            .collect()
    }
}

impl Peer for Side {
    fn accepts(&self, addr: SocketAddr) -> bool {
        addr == self.addr
    }
    fn handle_datagram(&mut self, now: Instant, d: Datagram) {
        self.stack.handle_receive(
            now,
            Receive {
                local: d.to,
                remote: d.from,
                data: &d.payload,
            },
        );
        self.drain();
    }
    fn handle_timeout(&mut self, now: Instant) {
        self.stack.handle_timeout(now);
        self.drain();
    }
    fn poll_transmit(&mut self, _now: Instant) -> Option<Datagram> {
        self.stack
            .poll_transmit()
            .map(|t| Datagram::new(t.from, t.to, t.data))
    }
    fn poll_timeout(&self) -> Option<Instant> {
        self.stack.poll_timeout()
    }
}

fn sim(link: LinkConfig, seed: u64, start: Instant) -> Sim {
    let mut net = Network::new(seed);
    net.set_default_link(link);
    Sim::new(net, start)
}

fn run_until(
    sim: &mut Sim,
    a: &mut Side,
    b: &mut Side,
    mut done: impl FnMut(&mut Side, &mut Side) -> bool,
) -> Duration {
    let start = sim.now();
    while !done(a, b) {
        assert!(
            sim.now() - start < LIMIT,
            "condition not met within {LIMIT:?}"
        );
        sim.run_for(&mut [&mut *a, &mut *b], Duration::from_millis(1))
            .expect("no livelock");
    }
    sim.now() - start
}

/// Exchanges every parameter and starts all three layers on both sides: `a` is the ICE
/// controlling side and the DTLS server (aiortc's choice), `b` the other way round.
fn start_all(a: &mut Side, b: &mut Side, now: Instant, a_fingerprint: Fingerprint) {
    let (pa, pb) = (a.ice_parameters(), b.ice_parameters());
    a.stack.start_ice(now, IceRole::Controlling, &pb).unwrap();
    b.stack.start_ice(now, IceRole::Controlled, &pa).unwrap();
    for c in b.stack.local_candidates().to_vec() {
        a.stack.add_remote_candidate(now, c);
    }
    a.stack.end_of_remote_candidates(now);
    for c in a.stack.local_candidates().to_vec() {
        b.stack.add_remote_candidate(now, c);
    }
    b.stack.end_of_remote_candidates(now);
    let (fa, fb) = (a_fingerprint, b.fingerprint());
    let (ca, cb) = (a.certificate.clone(), b.certificate.clone());
    a.stack
        .start_dtls(now, DtlsRole::Server, &ca, vec![fb])
        .unwrap();
    b.stack
        .start_dtls(now, DtlsRole::Client, &cb, vec![fa])
        .unwrap();
    let sctp = SctpParameters {
        local_port: DEFAULT_SCTP_PORT,
        remote_port: DEFAULT_SCTP_PORT,
        remote_max_message_size: 65536,
    };
    a.stack.start_sctp(now, sctp).unwrap();
    b.stack.start_sctp(now, sctp).unwrap();
    a.drain();
    b.drain();
}

#[test]
fn layers_start_explicitly_and_channels_carry_messages_both_ways_over_loss() {
    let start = Instant::now();
    let mut a = Side::new("10.0.0.1:4000", 11, start);
    let mut b = Side::new("10.0.0.2:4000", 12, start);
    assert_eq!(a.stack.sctp_state(), SctpTransportState::New);
    assert_eq!(a.stack.dtls_state(), None);
    let fa = a.fingerprint();
    start_all(&mut a, &mut b, start, fa);
    // A channel created before the association opens once it is up.
    let early = a
        .stack
        .create_data_channel(start, "early", DataChannelInit::default())
        .unwrap();

    let link = LinkConfig {
        loss: 0.05,
        ..LinkConfig::with_latency(Duration::from_millis(15))
    };
    let mut sim = sim(link, 3, start);
    run_until(&mut sim, &mut a, &mut b, |a, b| {
        a.stack.channel_info(early).unwrap().ready_state == DataChannelState::Open
            && !b.remote_channels().is_empty()
    });
    for s in [&a, &b] {
        // Both sides signalled end-of-candidates: checks finish in `completed`.
        assert_eq!(s.stack.ice_state(), IceConnectionState::Completed);
        assert_eq!(s.stack.dtls_state(), Some(DtlsTransportState::Connected));
        assert_eq!(s.stack.sctp_state(), SctpTransportState::Connected);
        assert_eq!(s.stack.sctp_max_message_size(), Some(65536));
        // Each layer reports in order: ICE connects, then DTLS, then SCTP.
        let pos = |want: &TransportEvent| s.events.iter().position(|e| e == want).unwrap();
        let ice = s
            .events
            .iter()
            .position(|e| {
                matches!(
                    e,
                    TransportEvent::IceStateChange(
                        IceConnectionState::Connected | IceConnectionState::Completed
                    )
                )
            })
            .unwrap();
        let dtls = pos(&TransportEvent::DtlsStateChange(
            DtlsTransportState::Connected,
        ));
        let sctp = pos(&TransportEvent::SctpStateChange(
            SctpTransportState::Connected,
        ));
        assert!(ice < dtls && dtls < sctp, "{:?}", s.events);
    }
    assert_eq!(a.stack.dtls_role(), Some(DtlsRole::Server));
    assert_eq!(b.stack.ice_role(), Some(IceRole::Controlled));
    let (local, remote) = a.stack.selected_pair().unwrap();
    assert_eq!((local, remote), (a.addr, b.addr));

    // b opens one too: the DTLS client takes even stream ids, the server odd ones.
    let now = sim.now();
    let back = b
        .stack
        .create_data_channel(now, "back", DataChannelInit::default())
        .unwrap();
    run_until(&mut sim, &mut a, &mut b, |a, _| {
        a.remote_channels().len() == 1
    });
    let b_early = b.remote_channels()[0];
    let a_back = a.remote_channels()[0];
    assert_eq!(
        b.stack.channel_info(back).unwrap().id.map(|i| i % 2),
        Some(0)
    );
    assert_eq!(
        a.stack.channel_info(early).unwrap().id.map(|i| i % 2),
        Some(1)
    );

    let now = sim.now();
    for i in 0..50u32 {
        let msg = vec![i as u8; 1000 + i as usize * 700];
        a.stack.channel_send(now, early, &msg, true).unwrap();
        b.stack
            .channel_send(now, back, format!("msg {i}").as_bytes(), false)
            .unwrap();
    }
    let (mut at_b, mut at_a) = (Vec::new(), Vec::new());
    run_until(&mut sim, &mut a, &mut b, |a, b| {
        while let Some(m) = b.stack.channel_recv(b_early) {
            at_b.push(m);
        }
        while let Some(m) = a.stack.channel_recv(a_back) {
            at_a.push(m);
        }
        at_b.len() == 50 && at_a.len() == 50
    });
    for (i, m) in at_b.iter().enumerate() {
        assert_eq!(m.data.len(), 1000 + i * 700);
        assert!(m.binary && m.data.iter().all(|b| *b == i as u8));
    }
    for (i, m) in at_a.iter().enumerate() {
        assert_eq!(
            (&m.data[..], m.binary),
            (format!("msg {i}").as_bytes(), false)
        );
    }
    // Over the peer's limit: a typed error, nothing sent.
    let err = a
        .stack
        .channel_send(sim.now(), early, &vec![0; 65537], true)
        .unwrap_err();
    assert!(matches!(err, Error::Type(_)), "{err}");

    // Stopping SCTP on one side closes every channel on both.
    a.stack.stop_sctp(sim.now());
    a.drain();
    assert_eq!(a.stack.sctp_state(), SctpTransportState::Closed);
    assert!(a.stack.channels().is_empty());
    run_until(&mut sim, &mut a, &mut b, |_, b| {
        b.stack.sctp_state() == SctpTransportState::Closed
    });
    assert!(b.events.contains(&TransportEvent::ChannelClose(back)));
    // DTLS and ICE under it keep running until stopped themselves.
    assert_eq!(a.stack.dtls_state(), Some(DtlsTransportState::Connected));

    a.stack.stop_ice(sim.now());
    a.drain();
    assert_eq!(a.stack.dtls_state(), Some(DtlsTransportState::Closed));
    assert_eq!(a.stack.ice_state(), IceConnectionState::Closed);
    assert!(a.events.ends_with(&[
        TransportEvent::DtlsStateChange(DtlsTransportState::Closed),
        TransportEvent::IceStateChange(IceConnectionState::Closed)
    ]));
    // The close_notify goes out, then nothing more: no timers, no datagrams.
    let close_notify = a.stack.poll_transmit().unwrap();
    assert!(a.stack.poll_transmit().is_none());
    assert_eq!(a.stack.poll_timeout(), None);
    b.stack.handle_receive(
        sim.now(),
        Receive {
            local: close_notify.to,
            remote: close_notify.from,
            data: &close_notify.data,
        },
    );
    assert_eq!(b.stack.dtls_state(), Some(DtlsTransportState::Closed));
}

#[test]
fn calls_after_stop_are_invalid_state_and_leave_nothing_running() {
    let start = Instant::now();
    let mut a = Side::new("10.0.0.1:4000", 21, start);
    let b = Side::new("10.0.0.2:4000", 22, start);
    let params = SctpParameters {
        local_port: DEFAULT_SCTP_PORT,
        remote_port: DEFAULT_SCTP_PORT,
        remote_max_message_size: 0,
    };
    a.stack
        .start_ice(start, IceRole::Controlled, &b.ice_parameters())
        .unwrap();
    // The role is fixed once the transport has started.
    let err = a
        .stack
        .start_ice(start, IceRole::Controlling, &b.ice_parameters())
        .unwrap_err();
    assert!(matches!(err, Error::InvalidState(_)), "{err}");
    a.stack.start_sctp(start, params).unwrap();
    // 0 advertises no limit (RFC 8841 §6).
    assert_eq!(a.stack.sctp_max_message_size(), Some(u64::MAX));

    a.stack.stop_sctp(start);
    let err = a
        .stack
        .create_data_channel(start, "late", DataChannelInit::default())
        .unwrap_err();
    assert!(matches!(err, Error::InvalidState(_)), "{err}");
    assert!(matches!(
        a.stack.start_sctp(start, params),
        Err(Error::InvalidState(_))
    ));

    a.stack.stop_dtls(start);
    let cert = a.certificate.clone();
    let err = a
        .stack
        .start_dtls(start, DtlsRole::Client, &cert, vec![b.fingerprint()])
        .unwrap_err();
    assert!(matches!(err, Error::InvalidState(_)), "{err}");

    a.stack.stop_ice(start);
    let err = a
        .stack
        .start_ice(start, IceRole::Controlled, &b.ice_parameters())
        .unwrap_err();
    assert!(matches!(err, Error::InvalidState(_)), "{err}");
    let late = Candidate::host("10.0.0.1:4001".parse().unwrap(), 1);
    assert!(!a.stack.add_local_candidate(start, late));
    assert_eq!(a.stack.poll_timeout(), None);
    while a.stack.poll_transmit().is_some() {}
    a.stack.handle_timeout(start + Duration::from_secs(5));
    assert!(a.stack.poll_transmit().is_none());
}

#[test]
fn a_wrong_fingerprint_fails_dtls_and_odd_datagrams_are_counted() {
    let start = Instant::now();
    let mut a = Side::new("10.0.0.1:4000", 31, start);
    let mut b = Side::new("10.0.0.2:4000", 32, start);
    // b is told a fingerprint that is not a's.
    let wrong = Certificate::generate(KeyType::EcdsaP256)
        .unwrap()
        .fingerprint();
    start_all(&mut a, &mut b, start, wrong);
    let mut sim = sim(LinkConfig::with_latency(Duration::from_millis(5)), 5, start);
    run_until(&mut sim, &mut a, &mut b, |_, b| {
        b.stack.dtls_state() == Some(DtlsTransportState::Failed)
    });
    assert!(
        b.events
            .contains(&TransportEvent::DtlsStateChange(DtlsTransportState::Failed))
    );
    assert_ne!(b.stack.sctp_state(), SctpTransportState::Connected);

    // RTP before any media layer, and a byte no protocol owns: dropped and counted.
    let now = sim.now();
    let mut rtp = vec![0x80, 96, 0, 1];
    rtp.extend_from_slice(&[0; 16]);
    for data in [&rtp[..], &[0xff, 1, 2][..]] {
        a.stack.handle_receive(
            now,
            Receive {
                local: a.addr,
                remote: b.addr,
                data,
            },
        );
    }
    let drops = a.stack.drop_stats();
    assert_eq!((drops.rtp, drops.unknown_datagrams), (1, 1));
}

#[test]
fn a_first_flight_that_beats_the_peers_start_dtls_is_kept_not_lost() {
    let start = Instant::now();
    let mut a = Side::new("10.0.0.1:4000", 41, start);
    let mut b = Side::new("10.0.0.2:4000", 42, start);
    let (pa, pb) = (a.ice_parameters(), b.ice_parameters());
    a.stack.start_ice(start, IceRole::Controlling, &pb).unwrap();
    b.stack.start_ice(start, IceRole::Controlled, &pa).unwrap();
    a.stack
        .add_remote_candidate(start, b.stack.local_candidates()[0].clone());
    b.stack
        .add_remote_candidate(start, a.stack.local_candidates()[0].clone());
    // Only the client starts DTLS: its ClientHello reaches a stack without DTLS.
    let (fa, cb) = (a.fingerprint(), b.certificate.clone());
    b.stack
        .start_dtls(start, DtlsRole::Client, &cb, vec![fa])
        .unwrap();
    let mut sim = sim(LinkConfig::with_latency(Duration::from_millis(5)), 9, start);
    run_until(&mut sim, &mut a, &mut b, |a, b| {
        b.stack.selected_pair().is_some() && a.stack.ice_state() != IceConnectionState::Checking
    });
    sim.run_for(&mut [&mut a, &mut b], Duration::from_millis(30))
        .unwrap();
    assert_eq!(
        a.stack.drop_stats().early_dtls,
        0,
        "the early flight is kept"
    );

    let (fb, ca) = (b.fingerprint(), a.certificate.clone());
    let late = sim.now();
    a.stack
        .start_dtls(late, DtlsRole::Server, &ca, vec![fb])
        .unwrap();
    let took = run_until(&mut sim, &mut a, &mut b, |a, b| {
        a.stack.dtls_state() == Some(DtlsTransportState::Connected)
            && b.stack.dtls_state() == Some(DtlsTransportState::Connected)
    });
    // Two round trips of 10 ms, not the client's 400 ms first retransmission.
    assert!(took < Duration::from_millis(100), "took {took:?}");
}

/// RFC 7983 demultiplexing is per 5-tuple: once ICE has validated the path, DTLS records from
/// any other address are dropped unread and counted, even a byte-exact copy of the peer's
/// genuine record replayed by an off-path sender ahead of the original.
#[test]
fn dtls_records_from_an_address_ice_did_not_validate_are_dropped() {
    let start = Instant::now();
    let mut a = Side::new("10.0.0.1:4000", 51, start);
    let mut b = Side::new("10.0.0.2:4000", 52, start);
    let fa = a.fingerprint();
    start_all(&mut a, &mut b, start, fa);
    let chan = b
        .stack
        .create_data_channel(start, "chat", DataChannelInit::default())
        .unwrap();
    let mut sim = sim(
        LinkConfig::with_latency(Duration::from_millis(5)),
        13,
        start,
    );
    run_until(&mut sim, &mut a, &mut b, |a, b| {
        b.stack.channel_info(chan).unwrap().ready_state == DataChannelState::Open
            && !a.remote_channels().is_empty()
    });
    // Let the association go quiet (SACKs, DCEP acks) so the next datagrams carry the message.
    sim.run_for(&mut [&mut a, &mut b], Duration::from_millis(500))
        .unwrap();
    let at_a = a.remote_channels()[0];
    assert_eq!(a.stack.drop_stats().unvalidated_source, 0);

    let now = sim.now();
    b.stack
        .channel_send(now, chan, b"for a only", false)
        .unwrap();
    let mut captured = Vec::new();
    while let Some(t) = b.stack.poll_transmit() {
        captured.push(t);
    }
    assert!(!captured.is_empty());
    let off_path: SocketAddr = "10.0.0.9:4000".parse().unwrap();
    for t in &captured {
        assert_eq!(
            t.data[0] & 0xc0,
            0,
            "a DTLS record (RFC 7983 range 20..=63)"
        );
        a.stack.handle_receive(
            now,
            Receive {
                local: t.to,
                remote: off_path,
                data: &t.data,
            },
        );
        a.drain();
    }
    assert_eq!(
        a.stack.drop_stats().unvalidated_source,
        captured.len() as u64
    );
    assert_eq!(
        a.stack.channel_recv(at_a),
        None,
        "nothing read from off path"
    );
    // The genuine datagrams, from the validated address, still go through.
    for t in &captured {
        a.stack.handle_receive(
            now,
            Receive {
                local: t.to,
                remote: t.from,
                data: &t.data,
            },
        );
        a.drain();
    }
    let got = a
        .stack
        .channel_recv(at_a)
        .expect("the genuine record is read");
    assert_eq!(&got.data[..], b"for a only");
    assert_eq!(
        a.stack.dtls_state(),
        Some(DtlsTransportState::Connected),
        "injection did not disturb DTLS"
    );
}
