//! The discrete-event driver: a stop-and-wait sender with retransmission timers completes over a
//! lossy link in virtual time, and detects idleness and deadlines.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use rtcio_netsim::{Datagram, LinkConfig, Network, Peer, Sim, SimError};

/// Sends numbered messages one at a time, retransmitting every 100 ms until acknowledged.
struct Sender {
    addr: SocketAddr,
    peer: SocketAddr,
    next: u32,
    total: u32,
    retransmit_at: Option<Instant>,
    outbox: Vec<Datagram>,
    retransmissions: u32,
}

impl Sender {
    fn send_current(&mut self, now: Instant) {
        if self.next < self.total {
            let d = Datagram::new(self.addr, self.peer, self.next.to_be_bytes().to_vec());
            self.outbox.push(d);
            self.retransmit_at = Some(now + Duration::from_millis(100));
        } else {
            self.retransmit_at = None;
        }
    }
}

impl Peer for Sender {
    fn accepts(&self, addr: SocketAddr) -> bool {
        addr == self.addr
    }
    fn handle_datagram(&mut self, now: Instant, d: Datagram) {
        let acked = u32::from_be_bytes(d.payload.try_into().unwrap());
        if acked == self.next {
            self.next += 1;
            self.send_current(now);
        }
    }
    fn handle_timeout(&mut self, now: Instant) {
        self.retransmissions += 1;
        self.send_current(now);
    }
    fn poll_transmit(&mut self, _now: Instant) -> Option<Datagram> {
        self.outbox.pop()
    }
    fn poll_timeout(&self) -> Option<Instant> {
        self.retransmit_at
    }
}

/// Acknowledges everything and records what arrived, in order, without duplicates.
struct Receiver {
    addr: SocketAddr,
    received: Vec<u32>,
    outbox: Vec<Datagram>,
}

impl Peer for Receiver {
    fn accepts(&self, addr: SocketAddr) -> bool {
        addr == self.addr
    }
    fn handle_datagram(&mut self, _now: Instant, d: Datagram) {
        let n = u32::from_be_bytes(d.payload.clone().try_into().unwrap());
        if self.received.last().map_or(n == 0, |last| n == last + 1) {
            self.received.push(n);
        }
        self.outbox
            .push(Datagram::new(self.addr, d.from, d.payload));
    }
    fn handle_timeout(&mut self, _now: Instant) {}
    fn poll_transmit(&mut self, _now: Instant) -> Option<Datagram> {
        self.outbox.pop()
    }
    fn poll_timeout(&self) -> Option<Instant> {
        None
    }
}

fn pair() -> (Sender, Receiver) {
    let a: SocketAddr = "10.0.0.1:1".parse().unwrap();
    let b: SocketAddr = "10.0.0.2:2".parse().unwrap();
    let sender = Sender {
        addr: a,
        peer: b,
        next: 0,
        total: 200,
        retransmit_at: None,
        outbox: Vec::new(),
        retransmissions: 0,
    };
    let receiver = Receiver {
        addr: b,
        received: Vec::new(),
        outbox: Vec::new(),
    };
    (sender, receiver)
}

#[test]
fn lossy_transfer_completes_in_virtual_time() {
    let start = Instant::now();
    let mut net = Network::new(11);
    net.set_default_link(LinkConfig::lossy());
    let mut sim = Sim::new(net, start);
    let (mut s, mut r) = pair();
    s.send_current(start);
    let done = sim
        .run_until(&mut [&mut s, &mut r], Duration::from_secs(600), |p| {
            p[0].poll_timeout().is_none()
        })
        .expect("transfer completes");
    assert_eq!(r.received, (0..200).collect::<Vec<_>>());
    assert!(s.retransmissions > 20, "20% loss must cost retransmissions");
    // 200 round trips of ~20-30 ms plus retransmission waits: seconds of virtual time.
    let took = done - start;
    assert!(
        took > Duration::from_secs(4) && took < Duration::from_secs(120),
        "{took:?}"
    );
    assert!(sim.net.stats().lost > 0 && sim.net.stats().duplicated > 0);
}

#[test]
fn idle_and_deadline_are_reported() {
    let start = Instant::now();
    let mut sim = Sim::new(Network::new(1), start);
    let (mut s, mut r) = pair();
    // Nothing was ever sent and no timer is armed: idle.
    let err = sim.run_until(&mut [&mut s, &mut r], Duration::from_secs(1), |_| false);
    assert!(matches!(err, Err(SimError::Idle(_))));

    // A cut link keeps the sender retransmitting until the deadline.
    sim.net.set_default_link(LinkConfig::cut());
    s.send_current(start);
    let err = sim.run_until(&mut [&mut s, &mut r], Duration::from_secs(1), |_| false);
    assert!(matches!(err, Err(SimError::Deadline(_))));
    assert!(s.retransmissions >= 9);
    assert!(r.received.is_empty());
}
