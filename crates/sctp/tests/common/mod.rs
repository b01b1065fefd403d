//! Test harness: two associations connected through `rtcio-netsim` with virtual time.
#![allow(dead_code)]

pub mod dc;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use rtcio_netsim::{Datagram, LinkConfig, Network};
use rtcio_sctp::{Association, Config, Event};

/// Two associations `a` and `b` on a simulated network.
pub struct Pair {
    pub net: Network,
    pub start: Instant,
    pub now: Instant,
    pub a: Association,
    pub b: Association,
    pub a_events: Vec<Event>,
    pub b_events: Vec<Event>,
    addr_a: SocketAddr,
    addr_b: SocketAddr,
    buf: Vec<u8>,
}

impl Pair {
    pub fn new(seed: u64, link: LinkConfig, cfg_a: Config, cfg_b: Config) -> Pair {
        let start = Instant::now();
        let mut net = Network::new(seed);
        net.set_default_link(link);
        let a = Association::new(cfg_a, start, &seed.to_be_bytes());
        let b = Association::new(cfg_b, start, &(seed ^ 0xffff).to_be_bytes());
        Pair {
            net,
            start,
            now: start,
            a,
            b,
            a_events: Vec::new(),
            b_events: Vec::new(),
            addr_a: "10.0.0.1:5000".parse().unwrap(),
            addr_b: "10.0.0.2:5000".parse().unwrap(),
            buf: Vec::new(),
        }
    }

    /// A pair over a perfect link with 5 ms latency.
    pub fn clean(seed: u64) -> Pair {
        Pair::new(
            seed,
            LinkConfig::with_latency(Duration::from_millis(5)),
            Config::default(),
            Config::default(),
        )
    }

    /// Hands every queued packet to the network and collects events.
    pub fn flush(&mut self) {
        while self.a.poll_transmit_into(self.now, &mut self.buf) {
            self.net.send(
                self.now,
                Datagram::new(self.addr_a, self.addr_b, self.buf.clone()),
            );
        }
        while self.b.poll_transmit_into(self.now, &mut self.buf) {
            self.net.send(
                self.now,
                Datagram::new(self.addr_b, self.addr_a, self.buf.clone()),
            );
        }
        while let Some(e) = self.a.poll_event() {
            self.a_events.push(e);
        }
        while let Some(e) = self.b.poll_event() {
            self.b_events.push(e);
        }
    }

    /// Runs one round: transmit, deliver what is due, advance virtual time to the next
    /// deadline. Returns false when nothing is scheduled anymore.
    pub fn step(&mut self) -> bool {
        self.flush();
        let mut delivered = false;
        while let Some(d) = self.net.poll_recv(self.now) {
            delivered = true;
            if d.to == self.addr_a {
                self.a.handle_receive(self.now, &d.payload);
            } else {
                self.b.handle_receive(self.now, &d.payload);
            }
            self.flush();
        }
        if delivered {
            return true;
        }
        let next = [
            self.net.poll_timeout(),
            self.a.poll_timeout(),
            self.b.poll_timeout(),
        ]
        .into_iter()
        .flatten()
        .min();
        let Some(next) = next else { return false };
        if next > self.now {
            self.now = next;
        }
        if self.a.poll_timeout().is_some_and(|t| t <= self.now) {
            self.a.handle_timeout(self.now);
        }
        if self.b.poll_timeout().is_some_and(|t| t <= self.now) {
            self.b.handle_timeout(self.now);
        }
        true
    }

    /// Steps until `done` holds or `limit` of virtual time passed; returns whether `done` held.
    pub fn run_until(&mut self, limit: Duration, mut done: impl FnMut(&mut Pair) -> bool) -> bool {
        let deadline = self.now + limit;
        loop {
            self.flush();
            if done(self) {
                return true;
            }
            if self.now > deadline || !self.step() {
                return done(self);
            }
        }
    }

    /// Connects: `a` sends INIT (and `b` too when `both`).
    pub fn connect(&mut self, both: bool) {
        self.a.connect(self.now);
        if both {
            self.b.connect(self.now);
        }
        let ok = self.run_until(Duration::from_secs(60), |p| {
            p.a.is_established() && p.b.is_established()
        });
        assert!(ok, "handshake did not complete");
    }
}

/// Collects the `StreamData` events of `events` for `stream` as (ppid, bytes).
pub fn messages(events: &[Event], stream: u16) -> Vec<Vec<u8>> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::StreamData {
                stream: s, data, ..
            } if *s == stream => Some(data.to_vec()),
            _ => None,
        })
        .collect()
}

/// A deterministic message: `len` bytes derived from (stream, index).
pub fn payload(stream: u16, index: u32, len: usize) -> Vec<u8> {
    let mut x =
        (u64::from(stream) << 32 | u64::from(index)).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// Counts the `StreamData` events of `events` for `stream` (no copying).
pub fn count(events: &[Event], stream: u16) -> usize {
    events
        .iter()
        .filter(|e| matches!(e, Event::StreamData { stream: s, .. } if *s == stream))
        .count()
}
