//! Test harness: ICE agents as `rtcio_netsim` peers, with a data flow on the selected pair.
#![allow(dead_code)]

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::{Duration, Instant};

use rtcio_ice::{
    Agent, AgentConfig, Candidate, Credentials, DeterministicRandom, IceConnectionState, IceEvent,
    IceRole, Receive, SelectedPair,
};
use rtcio_netsim::{Datagram, Network, Peer, Sim};

/// First byte of the harness's data packets: outside STUN's 0..=3 (RFC 7983).
pub const DATA_MARKER: u8 = 0x80;

/// What a node observed, shared with the simulation's stop conditions.
#[derive(Debug, Default)]
pub struct Log {
    pub state: Option<IceConnectionState>,
    pub states: Vec<(Instant, IceConnectionState)>,
    pub selected: Vec<(Instant, SelectedPair)>,
    pub events: Vec<IceEvent>,
    pub data_sent: u64,
    pub data_received: u64,
    /// Data packets received per (local, remote) address pair.
    pub data_by_path: HashMap<(SocketAddr, SocketAddr), u64>,
    pub non_stun_seen: u64,
}

impl Log {
    pub fn is(&self, s: IceConnectionState) -> bool {
        self.state == Some(s)
    }

    pub fn connected(&self) -> bool {
        matches!(
            self.state,
            Some(IceConnectionState::Connected | IceConnectionState::Completed)
        )
    }

    /// When the node first entered `s`.
    pub fn first(&self, s: IceConnectionState) -> Option<Instant> {
        self.states.iter().find(|(_, x)| *x == s).map(|(t, _)| *t)
    }

    pub fn saw(&self, s: IceConnectionState) -> bool {
        self.first(s).is_some()
    }
}

/// An ICE agent on a simulated host.
pub struct Node {
    pub agent: Agent,
    pub addrs: Vec<SocketAddr>,
    pub log: Rc<RefCell<Log>>,
    data_interval: Option<Duration>,
    next_data: Option<Instant>,
    pending: VecDeque<Datagram>,
}

pub fn config(role: IceRole, ufrag: &str, tie_breaker: u64) -> AgentConfig {
    AgentConfig {
        role,
        local_credentials: Some(Credentials::new(
            ufrag,
            format!("{ufrag}Password0123456789xyz"),
        )),
        tie_breaker: Some(tie_breaker),
        ..AgentConfig::default()
    }
}

impl Node {
    pub fn new(config: AgentConfig, seed: u64, addrs: &[&str]) -> Node {
        Node {
            agent: Agent::new(config, Box::new(DeterministicRandom::new(seed))),
            addrs: addrs.iter().map(|a| a.parse().unwrap()).collect(),
            log: Rc::new(RefCell::new(Log::default())),
            data_interval: None,
            next_data: None,
            pending: VecDeque::new(),
        }
    }

    /// Adds one host candidate per address.
    pub fn add_hosts(&mut self, now: Instant) {
        for (i, a) in self.addrs.clone().into_iter().enumerate() {
            let pref = 65535 - i as u16;
            assert!(
                self.agent
                    .add_local_candidate(now, Candidate::host(a, pref))
            );
        }
        self.drain(now);
    }

    /// Sends a data packet on the selected pair every `interval` from `now` on.
    pub fn start_data(&mut self, now: Instant, interval: Duration) {
        self.data_interval = Some(interval);
        self.next_data = Some(now);
    }

    /// Records the agent's events.
    pub fn drain(&mut self, now: Instant) {
        let mut log = self.log.borrow_mut();
        while let Some(e) = self.agent.poll_event() {
            match &e {
                IceEvent::ConnectionStateChange(s) => {
                    log.state = Some(*s);
                    log.states.push((now, *s));
                }
                IceEvent::SelectedPairChange(p) => log.selected.push((now, p.clone())),
                _ => {}
            }
            log.events.push(e);
        }
    }

    pub fn log(&self) -> std::cell::Ref<'_, Log> {
        self.log.borrow()
    }
}

impl Peer for Node {
    fn accepts(&self, addr: SocketAddr) -> bool {
        self.addrs.contains(&addr)
    }

    fn handle_datagram(&mut self, now: Instant, d: Datagram) {
        let recv = Receive {
            local_addr: d.to,
            remote_addr: d.from,
            data: &d.payload,
        };
        if !self.agent.handle_receive(now, recv) {
            let mut log = self.log.borrow_mut();
            log.non_stun_seen += 1;
            if d.payload.first() == Some(&DATA_MARKER) {
                log.data_received += 1;
                *log.data_by_path.entry((d.to, d.from)).or_default() += 1;
                self.agent
                    .record_data_received(d.to, d.from, d.payload.len());
            }
        }
        self.drain(now);
    }

    fn handle_timeout(&mut self, now: Instant) {
        if self.agent.poll_timeout().is_some_and(|t| t <= now) {
            self.agent.handle_timeout(now);
        }
        if let Some(interval) = self.data_interval {
            let due = self.next_data.is_some_and(|t| t <= now);
            if due {
                self.next_data = Some(now + interval);
                if let Some(sel) = self.agent.selected_pair().cloned() {
                    let payload = vec![DATA_MARKER, 1, 2, 3, 4, 5, 6, 7];
                    self.agent
                        .record_data_sent(sel.from_base(), sel.to(), payload.len());
                    self.pending
                        .push_back(Datagram::new(sel.from_base(), sel.to(), payload));
                    self.log.borrow_mut().data_sent += 1;
                }
            }
        }
        self.drain(now);
    }

    fn poll_transmit(&mut self, _now: Instant) -> Option<Datagram> {
        if let Some(d) = self.pending.pop_front() {
            return Some(d);
        }
        let t = self.agent.poll_transmit()?;
        Some(Datagram::new(t.from_base, t.to, t.data))
    }

    fn poll_timeout(&self) -> Option<Instant> {
        let agent = self.agent.poll_timeout();
        match (agent, self.next_data) {
            (Some(a), Some(d)) => Some(a.min(d)),
            (a, d) => a.or(d),
        }
    }
}

thread_local! {
    static START: Instant = Instant::now();
}

/// The virtual start time of every test.
pub fn start() -> Instant {
    START.with(|s| *s)
}

/// Exchanges credentials and all current local candidates both ways.
pub fn signal(now: Instant, a: &mut Node, b: &mut Node) {
    let (ca, cb) = (
        a.agent.local_credentials().clone(),
        b.agent.local_credentials().clone(),
    );
    a.agent.set_remote_credentials(now, &cb.ufrag, &cb.pwd);
    b.agent.set_remote_credentials(now, &ca.ufrag, &ca.pwd);
    trickle(now, a, b);
    trickle(now, b, a);
}

/// Sends `from`'s current local (non-peer-reflexive) candidates to `to`.
pub fn trickle(now: Instant, from: &Node, to: &mut Node) {
    for c in from.agent.local_candidates() {
        if c.kind != rtcio_ice::CandidateKind::PeerReflexive {
            let remote = Candidate::remote(c.kind, c.addr, c.priority, c.foundation.clone());
            to.agent.add_remote_candidate(now, remote);
        }
    }
    to.drain(now);
}

/// Both sides' end-of-candidates.
pub fn end_of_candidates(now: Instant, a: &mut Node, b: &mut Node) {
    for n in [&mut *a, &mut *b] {
        n.agent.end_of_local_candidates(now);
        n.agent.end_of_remote_candidates(now);
        n.drain(now);
    }
}

/// A simulation on `net` starting at [`start`].
pub fn sim(net: Network) -> Sim {
    Sim::new(net, start())
}

/// A controlling and a controlled node with one host address each.
pub fn pair_of_nodes() -> (Node, Node) {
    let a = Node::new(
        config(IceRole::Controlling, "aaaa", 2),
        1,
        &["10.0.0.1:5000"],
    );
    let b = Node::new(
        config(IceRole::Controlled, "bbbb", 1),
        2,
        &["10.0.0.2:6000"],
    );
    (a, b)
}

/// Runs until both nodes are connected (or completed); panics after `limit`.
pub fn run_until_connected(sim: &mut Sim, a: &mut Node, b: &mut Node, limit: Duration) -> Instant {
    let (la, lb) = (a.log.clone(), b.log.clone());
    sim.run_until(&mut [a, b], limit, |_| {
        la.borrow().connected() && lb.borrow().connected()
    })
    .expect("agents did not connect")
}
