//! Harness for two `DataChannels` endpoints on a simulated network.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use rtcio_netsim::{Datagram, LinkConfig, Network};
use rtcio_sctp::{ChannelEvent, Config, DataChannels, DtlsRole};

/// `a` is the DTLS client, `b` the server.
pub struct DcPair {
    pub net: Network,
    pub now: Instant,
    pub a: DataChannels,
    pub b: DataChannels,
    pub a_events: Vec<ChannelEvent>,
    pub b_events: Vec<ChannelEvent>,
    addr_a: SocketAddr,
    addr_b: SocketAddr,
    buf: Vec<u8>,
}

impl DcPair {
    pub fn new(seed: u64, link: LinkConfig, cfg: Config) -> DcPair {
        let now = Instant::now();
        let mut net = Network::new(seed);
        net.set_default_link(link);
        DcPair {
            net,
            now,
            a: DataChannels::new(cfg.clone(), now, &seed.to_le_bytes(), DtlsRole::Client),
            b: DataChannels::new(cfg, now, &(!seed).to_le_bytes(), DtlsRole::Server),
            a_events: Vec::new(),
            b_events: Vec::new(),
            addr_a: "10.0.0.1:5000".parse().unwrap(),
            addr_b: "10.0.0.2:5000".parse().unwrap(),
            buf: Vec::new(),
        }
    }

    pub fn flush(&mut self) {
        while self.a.poll_transmit_into(self.now, &mut self.buf) {
            let d = Datagram::new(self.addr_a, self.addr_b, self.buf.clone());
            self.net.send(self.now, d);
        }
        while self.b.poll_transmit_into(self.now, &mut self.buf) {
            let d = Datagram::new(self.addr_b, self.addr_a, self.buf.clone());
            self.net.send(self.now, d);
        }
        while let Some(e) = self.a.poll_event() {
            self.a_events.push(e);
        }
        while let Some(e) = self.b.poll_event() {
            self.b_events.push(e);
        }
    }

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

    pub fn run_until(
        &mut self,
        limit: Duration,
        mut done: impl FnMut(&mut DcPair) -> bool,
    ) -> bool {
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

    pub fn connect(&mut self) {
        self.a.connect(self.now);
        self.b.connect(self.now);
        assert!(
            self.run_until(Duration::from_secs(120), |p| {
                p.a.association().is_established() && p.b.association().is_established()
            }),
            "handshake did not complete"
        );
    }
}

/// The messages received on channel `id`: (data, binary).
pub fn channel_messages(events: &[ChannelEvent], id: u16) -> Vec<(Vec<u8>, bool)> {
    events
        .iter()
        .filter_map(|e| match e {
            ChannelEvent::Message {
                id: i,
                data,
                binary,
            } if *i == id => Some((data.to_vec(), *binary)),
            _ => None,
        })
        .collect()
}

pub fn closed(events: &[ChannelEvent], id: u16) -> bool {
    events.contains(&ChannelEvent::ChannelClosed { id })
}

/// Counts the messages received on channel `id` (no copying).
pub fn channel_count(events: &[ChannelEvent], id: u16) -> usize {
    events
        .iter()
        .filter(|e| matches!(e, ChannelEvent::Message { id: i, .. } if *i == id))
        .count()
}
