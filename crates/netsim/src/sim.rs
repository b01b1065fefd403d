//! A discrete-event driver: steps sans-IO peers and the network from deadline to deadline.

use std::fmt;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::network::{Datagram, Network};

/// A sans-IO endpoint as the simulator sees it.
///
/// Implement it in a test with a thin adapter around the protocol core under test.
pub trait Peer {
    /// Whether datagrams addressed to `addr` belong to this peer.
    fn accepts(&self, addr: SocketAddr) -> bool;
    /// A datagram arrived at `now`.
    fn handle_datagram(&mut self, now: Instant, datagram: Datagram);
    /// The peer's own deadline has passed.
    fn handle_timeout(&mut self, now: Instant);
    /// Next datagram the peer wants to send, if any.
    fn poll_transmit(&mut self, now: Instant) -> Option<Datagram>;
    /// The peer's next deadline.
    fn poll_timeout(&self) -> Option<Instant>;
}

/// Why a simulation stopped without its condition becoming true.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SimError {
    /// Virtual time reached the deadline.
    Deadline(Instant),
    /// No peer and no packet has anything scheduled: nothing can ever happen again.
    Idle(Instant),
    /// Too many events at one instant: a peer keeps returning a deadline that is not in the
    /// future, which would hang a real event loop too.
    Livelock(Instant),
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SimError::Deadline(_) => write!(f, "simulation deadline reached"),
            SimError::Idle(_) => write!(f, "simulation idle: nothing scheduled"),
            SimError::Livelock(_) => write!(f, "livelock: a peer keeps scheduling the past"),
        }
    }
}

impl std::error::Error for SimError {}

/// Steps peers and a [`Network`] in virtual time.
#[derive(Debug)]
pub struct Sim {
    /// The network between the peers; tests may reconfigure it between runs.
    pub net: Network,
    now: Instant,
    /// Datagrams addressed to nobody (counted, then dropped, like ICMP unreachable).
    pub undeliverable: u64,
}

/// Events handled at a single instant before the simulator declares a livelock.
const MAX_EVENTS_PER_INSTANT: u32 = 100_000;

impl Sim {
    /// A simulation starting at `start`.
    pub fn new(net: Network, start: Instant) -> Self {
        Sim {
            net,
            now: start,
            undeliverable: 0,
        }
    }

    /// Current virtual time.
    pub fn now(&self) -> Instant {
        self.now
    }

    /// Runs until `done` returns true (checked after every event), the virtual deadline
    /// `now + limit` passes, or nothing is left to do. Returns the virtual time when `done`
    /// became true.
    pub fn run_until(
        &mut self,
        peers: &mut [&mut dyn Peer],
        limit: Duration,
        mut done: impl FnMut(&mut [&mut dyn Peer]) -> bool,
    ) -> Result<Instant, SimError> {
        let deadline = self.now + limit;
        let mut events_now = 0u32;
        let mut last = self.now;
        loop {
            self.flush(peers);
            if done(peers) {
                return Ok(self.now);
            }
            let next = peers
                .iter()
                .filter_map(|p| p.poll_timeout())
                .chain(self.net.poll_timeout())
                .min();
            let Some(next) = next else {
                return Err(SimError::Idle(self.now));
            };
            if next > deadline {
                self.now = deadline;
                return Err(SimError::Deadline(deadline));
            }
            self.now = self.now.max(next);
            if self.now == last {
                events_now += 1;
                if events_now > MAX_EVENTS_PER_INSTANT {
                    return Err(SimError::Livelock(self.now));
                }
            } else {
                events_now = 0;
                last = self.now;
            }
            self.step(peers);
        }
    }

    /// Runs for `duration` of virtual time regardless of what happens; only a livelock is an
    /// error.
    pub fn run_for(
        &mut self,
        peers: &mut [&mut dyn Peer],
        duration: Duration,
    ) -> Result<(), SimError> {
        let end = self.now + duration;
        match self.run_until(peers, duration, |_| false) {
            Err(SimError::Livelock(at)) => Err(SimError::Livelock(at)),
            _ => {
                self.now = end;
                Ok(())
            }
        }
    }

    /// Delivers what has arrived and fires due timers at the current instant.
    fn step(&mut self, peers: &mut [&mut dyn Peer]) {
        while let Some(d) = self.net.poll_recv(self.now) {
            match peers.iter_mut().find(|p| p.accepts(d.to)) {
                Some(p) => p.handle_datagram(self.now, d),
                None => self.undeliverable += 1,
            }
        }
        for p in peers.iter_mut() {
            if p.poll_timeout().is_some_and(|t| t <= self.now) {
                p.handle_timeout(self.now);
            }
        }
    }

    /// Moves every pending transmit from the peers into the network.
    fn flush(&mut self, peers: &mut [&mut dyn Peer]) {
        for p in peers.iter_mut() {
            while let Some(d) = p.poll_transmit(self.now) {
                self.net.send(self.now, d);
            }
        }
    }
}
