//! A pair of sans-IO peer connections on the simulated network.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use rtcio_ice::{Candidate, DeterministicRandom};
use rtcio_netsim::{Datagram, LinkConfig, Network, Peer, Sim};
use rtcio_proto::peer::{Config, Event, PeerConnection, Receive};

/// A peer connection with one host candidate, recording its events.
pub struct TestPeer {
    /// The connection under test.
    pub pc: PeerConnection,
    /// Its one host candidate.
    pub addr: SocketAddr,
    /// Every event it reported, in order.
    pub events: Vec<Event>,
}

impl TestPeer {
    /// A connection whose randomness derives from `seed`, with a host candidate at `addr`.
    pub fn new(addr: &str, seed: u64, now: Instant) -> TestPeer {
        let addr: SocketAddr = addr.parse().unwrap();
        let mut pc = PeerConnection::with_random(
            Config::default(),
            Box::new(DeterministicRandom::new(seed)),
        )
        .unwrap();
        pc.add_local_candidate(now, Candidate::host(addr, 65535));
        pc.end_of_local_candidates(now);
        TestPeer {
            pc,
            addr,
            events: Vec::new(),
        }
    }

    /// Moves the connection's events into `events`.
    pub fn drain_events(&mut self) {
        while let Some(e) = self.pc.poll_event() {
            self.events.push(e);
        }
    }
}

impl Peer for TestPeer {
    fn accepts(&self, addr: SocketAddr) -> bool {
        addr == self.addr
    }
    fn handle_datagram(&mut self, now: Instant, d: Datagram) {
        self.pc.handle_receive(
            now,
            Receive {
                local: d.to,
                remote: d.from,
                data: &d.payload,
            },
        );
        self.drain_events();
    }
    fn handle_timeout(&mut self, now: Instant) {
        self.pc.handle_timeout(now);
        self.drain_events();
    }
    fn poll_transmit(&mut self, _now: Instant) -> Option<Datagram> {
        self.pc
            .poll_transmit()
            .map(|t| Datagram::new(t.from, t.to, t.data))
    }
    fn poll_timeout(&self) -> Option<Instant> {
        self.pc.poll_timeout()
    }
}

/// Two peers, non-trickle offer/answer applied at `start`.
pub fn negotiate(a: &mut TestPeer, b: &mut TestPeer, now: Instant) {
    a.pc.set_local_description(now, None).unwrap();
    let offer = a.pc.local_description().unwrap();
    b.pc.set_remote_description(now, offer).unwrap();
    b.pc.set_local_description(now, None).unwrap();
    let answer = b.pc.local_description().unwrap();
    a.pc.set_remote_description(now, answer).unwrap();
    a.drain_events();
    b.drain_events();
}

/// A simulation whose links all behave like `link`.
pub fn sim(link: LinkConfig, seed: u64, start: Instant) -> Sim {
    let mut net = Network::new(seed);
    net.set_default_link(link);
    Sim::new(net, start)
}

/// Virtual time any single test step may take.
pub const LIMIT: Duration = Duration::from_secs(60);

/// Steps the simulation until `done(a, b)` holds; returns the virtual time it took.
pub fn run_until(
    sim: &mut Sim,
    a: &mut TestPeer,
    b: &mut TestPeer,
    limit: Duration,
    mut done: impl FnMut(&mut TestPeer, &mut TestPeer) -> bool,
) -> Duration {
    let start = sim.now();
    while !done(a, b) {
        assert!(
            sim.now() - start < limit,
            "condition not met within {limit:?}"
        );
        sim.run_for(&mut [&mut *a, &mut *b], Duration::from_millis(1))
            .expect("no livelock");
    }
    sim.now() - start
}

/// The channel ids the peer learned of through `datachannel` events.
pub fn remote_channels(p: &TestPeer) -> Vec<rtcio_proto::peer::ChannelId> {
    p.events
        .iter()
        .filter_map(|e| match e {
            Event::DataChannel(id) => Some(*id),
            _ => None,
        })
        .collect()
}
