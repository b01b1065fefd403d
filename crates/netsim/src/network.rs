//! The network: links between addresses, in-flight packets ordered by arrival time, NAT rules.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use crate::link::LinkConfig;
use crate::rng::Rng;

/// One UDP datagram in flight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Datagram {
    /// Source address as seen by the receiver (after NAT).
    pub from: SocketAddr,
    /// Destination address.
    pub to: SocketAddr,
    /// The bytes.
    pub payload: Vec<u8>,
}

impl Datagram {
    /// Bundles a datagram.
    pub fn new(from: SocketAddr, to: SocketAddr, payload: Vec<u8>) -> Self {
        Datagram { from, to, payload }
    }
}

/// What happened to the packets handed to the network.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NetStats {
    /// Datagrams given to [`Network::send`].
    pub sent: u64,
    /// Datagrams handed out by [`Network::poll_recv`], duplicates included.
    pub delivered: u64,
    /// Dropped by random loss.
    pub lost: u64,
    /// Dropped because the bottleneck queue was full.
    pub queue_dropped: u64,
    /// Extra copies created.
    pub duplicated: u64,
    /// Packets given the reorder hold-back.
    pub reordered: u64,
    /// Bytes handed out by [`Network::poll_recv`].
    pub bytes_delivered: u64,
}

#[derive(Debug)]
struct InFlight {
    at: Instant,
    seq: u64,
    datagram: Datagram,
}

impl PartialEq for InFlight {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}
impl Eq for InFlight {}
impl PartialOrd for InFlight {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for InFlight {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        // `seq` breaks ties so equal arrival times keep send order: deterministic output.
        (self.at, self.seq).cmp(&(other.at, other.seq))
    }
}

#[derive(Debug, Default)]
struct LinkState {
    /// When the bottleneck finishes serializing what is already queued.
    busy_until: Option<Instant>,
}

/// A deterministic network of directional links between IP addresses.
///
/// Links are looked up by (source IP, destination IP) after NAT; pairs without their own link use
/// the default link.
#[derive(Debug)]
pub struct Network {
    rng: Rng,
    default_link: LinkConfig,
    links: HashMap<(IpAddr, IpAddr), LinkConfig>,
    link_state: HashMap<(IpAddr, IpAddr), LinkState>,
    nat_out: HashMap<SocketAddr, SocketAddr>,
    nat_in: HashMap<SocketAddr, SocketAddr>,
    queue: BinaryHeap<Reverse<InFlight>>,
    seq: u64,
    stats: NetStats,
}

impl Network {
    /// A network of perfect links whose random choices all derive from `seed`.
    pub fn new(seed: u64) -> Self {
        Network {
            rng: Rng::new(seed),
            default_link: LinkConfig::default(),
            links: HashMap::new(),
            link_state: HashMap::new(),
            nat_out: HashMap::new(),
            nat_in: HashMap::new(),
            queue: BinaryHeap::new(),
            seq: 0,
            stats: NetStats::default(),
        }
    }

    /// Sets the behaviour of every direction that has no link of its own.
    pub fn set_default_link(&mut self, config: LinkConfig) {
        self.default_link = config;
    }

    /// Sets the behaviour of packets from `from` to `to` (one direction).
    ///
    /// Changing a link affects packets sent from now on; packets already in flight keep their
    /// fate, as on a real path whose conditions change.
    pub fn set_link(&mut self, from: IpAddr, to: IpAddr, config: LinkConfig) {
        self.links.insert((from, to), config);
    }

    /// Sets both directions between `a` and `b`.
    pub fn set_link_both(&mut self, a: IpAddr, b: IpAddr, config: LinkConfig) {
        self.set_link(a, b, config.clone());
        self.set_link(b, a, config);
    }

    /// Puts `inside` behind a NAT mapping to `outside`: its packets leave with source `outside`,
    /// and packets to `outside` are delivered to `inside` (an endpoint-independent mapping, so
    /// the peer learns a peer-reflexive address).
    pub fn add_nat(&mut self, inside: SocketAddr, outside: SocketAddr) {
        self.nat_out.insert(inside, outside);
        self.nat_in.insert(outside, inside);
    }

    /// Counters so far.
    pub fn stats(&self) -> NetStats {
        self.stats
    }

    /// Number of datagrams currently in flight.
    pub fn in_flight(&self) -> usize {
        self.queue.len()
    }

    /// Hands a datagram to the network at time `now`.
    pub fn send(&mut self, now: Instant, mut datagram: Datagram) {
        self.stats.sent += 1;
        if let Some(outside) = self.nat_out.get(&datagram.from) {
            datagram.from = *outside;
        }
        let key = (datagram.from.ip(), datagram.to.ip());
        let link = self.links.get(&key).unwrap_or(&self.default_link).clone();

        if self.rng.chance(link.loss) {
            self.stats.lost += 1;
            return;
        }

        let mut depart = now;
        if let Some(rate) = link.bandwidth.filter(|r| *r > 0) {
            let state = self.link_state.entry(key).or_default();
            let busy_until = state.busy_until.filter(|t| *t > now).unwrap_or(now);
            let backlog = busy_until - now;
            let backlog_bytes = backlog.as_secs_f64() * rate as f64 / 8.0;
            if backlog_bytes + datagram.payload.len() as f64 > link.queue_bytes as f64 {
                self.stats.queue_dropped += 1;
                return;
            }
            let tx = Duration::from_secs_f64(datagram.payload.len() as f64 * 8.0 / rate as f64);
            depart = busy_until + tx;
            state.busy_until = Some(depart);
        }

        let mut at = depart + link.latency + self.jitter(link.jitter);
        if self.rng.chance(link.reorder) {
            self.stats.reordered += 1;
            at += link.reorder_delay;
        }
        if self.rng.chance(link.duplicate) {
            self.stats.duplicated += 1;
            let again = at + self.jitter(link.jitter);
            self.push(again, datagram.clone());
        }
        self.push(at, datagram);
    }

    fn jitter(&mut self, max: Duration) -> Duration {
        if max.is_zero() {
            return Duration::ZERO;
        }
        Duration::from_nanos(self.rng.below(max.as_nanos() as u64 + 1))
    }

    fn push(&mut self, at: Instant, datagram: Datagram) {
        self.seq += 1;
        self.queue.push(Reverse(InFlight {
            at,
            seq: self.seq,
            datagram,
        }));
    }

    /// When the next datagram arrives, if any is in flight.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.queue.peek().map(|Reverse(f)| f.at)
    }

    /// The next datagram that has arrived by `now`, with NAT applied to its destination.
    pub fn poll_recv(&mut self, now: Instant) -> Option<Datagram> {
        if self.queue.peek()?.0.at > now {
            return None;
        }
        let Reverse(InFlight { mut datagram, .. }) = self.queue.pop()?;
        if let Some(inside) = self.nat_in.get(&datagram.to) {
            datagram.to = *inside;
        }
        self.stats.delivered += 1;
        self.stats.bytes_delivered += datagram.payload.len() as u64;
        Some(datagram)
    }
}
