//! The sans-IO ICE agent.

mod checks;
mod consent;
mod nomination;
mod query;
mod requests;
mod responses;
mod signaling;
mod state;

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use crate::candidate::Candidate;
use crate::checklist::{CheckList, Limits};
use crate::config::{AgentConfig, Credentials, IceRole};
use crate::event::{IceConnectionState, IceEvent, Receive, SelectedPair, Transmit};
use crate::pair::{CandidatePairStats, PairId, PairState};
use crate::random::{RandomSource, random_ice_string};
use crate::stats::AgentStats;
use crate::wire;

use checks::Transaction;
use consent::Consent;

/// Most queued transmits before new ones are dropped (the caller drains after every call).
const MAX_TRANSMITS: usize = 256;
/// Most queued events before new ones are dropped.
const MAX_EVENTS: usize = 256;

/// A read-only view of one candidate pair.
#[derive(Debug, Clone)]
pub struct PairInfo<'a> {
    /// The pair's id.
    pub id: PairId,
    /// The local candidate (checks are sent from its base).
    pub local: &'a Candidate,
    /// The remote candidate.
    pub remote: &'a Candidate,
    /// The pair priority (RFC 8445 §6.1.2.3) for the current role.
    pub priority: u64,
    /// The pair state.
    pub state: PairState,
    /// Whether the pair is in the valid list.
    pub valid: bool,
    /// The pair's statistics (`nominated` and `state` included).
    pub stats: CandidatePairStats,
}

/// The previous generation's selected pair, still carrying data during an ICE restart.
#[derive(Debug)]
struct Legacy {
    selected: SelectedPair,
    stats: CandidatePairStats,
    /// The local credentials of that generation when this agent restarted: the peer may keep
    /// checking consent with them until it learns the new ones, and is answered on this pair.
    local_creds: Option<Credentials>,
}

/// A sans-IO ICE agent for one data stream with one component (RFC 8445 full agent, RFC 8838
/// trickle, RFC 7675 consent freshness).
///
/// The caller owns the sockets (and, later, the TURN client): it adds local candidates as it
/// gathers them, feeds every STUN datagram to [`handle_receive`](Agent::handle_receive), sends
/// what [`poll_transmit`](Agent::poll_transmit) returns from the given base, and calls
/// [`handle_timeout`](Agent::handle_timeout) at [`poll_timeout`](Agent::poll_timeout).
pub struct Agent {
    config: AgentConfig,
    rng: Box<dyn RandomSource + Send>,
    role: IceRole,
    tie_breaker: u64,
    local_creds: Credentials,
    remote_creds: Option<Credentials>,
    remote_lite: bool,
    checklist: CheckList,
    next_pair_id: u64,
    transactions: Vec<Transaction>,
    transmits: VecDeque<Transmit>,
    events: VecDeque<IceEvent>,
    state: IceConnectionState,
    selected: Option<SelectedPair>,
    legacy: Option<Legacy>,
    /// Controlling, regular nomination: the pair whose USE-CANDIDATE check is in flight.
    nominating: Option<PairId>,
    first_valid_at: Option<Instant>,
    next_check_at: Option<Instant>,
    remote_end_of_candidates: bool,
    local_end_of_candidates: bool,
    consent: Option<Consent>,
    consent_expired: bool,
    stats: AgentStats,
    /// The latest `now` the caller passed.
    last_now: Option<Instant>,
}

impl std::fmt::Debug for Agent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Agent")
            .field("role", &self.role)
            .field("state", &self.state)
            .field("local_ufrag", &self.local_creds.ufrag)
            .field("pairs", &self.checklist.pairs.len())
            .finish_non_exhaustive()
    }
}

impl Agent {
    /// A new agent. `rng` supplies the credentials and tie-breaker the config leaves out, STUN
    /// transaction IDs and timer jitter; it must be cryptographically secure on real networks.
    pub fn new(config: AgentConfig, mut rng: Box<dyn RandomSource + Send>) -> Agent {
        let config = config.sanitized();
        let local_creds = config.local_credentials.clone().unwrap_or_else(|| {
            Credentials::new(
                random_ice_string(rng.as_mut(), 8),
                random_ice_string(rng.as_mut(), 24),
            )
        });
        let tie_breaker = config.tie_breaker.unwrap_or_else(|| rng.next_u64());
        let limits = Limits {
            max_local: config.max_local_candidates,
            max_remote: config.max_remote_candidates,
            max_pairs: config.max_pairs,
        };
        Agent {
            role: config.role,
            config,
            rng,
            tie_breaker,
            local_creds,
            remote_creds: None,
            remote_lite: false,
            checklist: CheckList::new(limits),
            next_pair_id: 0,
            transactions: Vec::new(),
            transmits: VecDeque::new(),
            events: VecDeque::new(),
            state: IceConnectionState::New,
            selected: None,
            legacy: None,
            nominating: None,
            first_valid_at: None,
            next_check_at: None,
            remote_end_of_candidates: false,
            local_end_of_candidates: false,
            consent: None,
            consent_expired: false,
            stats: AgentStats::default(),
            last_now: None,
        }
    }

    /// Feeds a received datagram. Returns `true` when it was STUN and consumed by the agent
    /// (answered, used or dropped and counted); `false` when it is not STUN and belongs to
    /// another protocol.
    pub fn handle_receive(&mut self, now: Instant, recv: Receive<'_>) -> bool {
        if !wire::looks_like_stun(recv.data) {
            return false;
        }
        self.stats.stun_received += 1;
        if self.is_closed() {
            return true;
        }
        let msg = match wire::decode(recv.data) {
            Ok(msg) => msg,
            Err(_) => {
                self.stats.malformed_dropped += 1;
                return true;
            }
        };
        match msg.class {
            wire::Class::Request if msg.is_binding => self.handle_request(recv, &msg),
            wire::Class::Success | wire::Class::Error if msg.is_binding => {
                self.handle_response(now, recv, &msg)
            }
            // Binding indications are keepalives (RFC 8445 §11): nothing to do.
            wire::Class::Indication if msg.is_binding => self.stats.keepalives_received += 1,
            _ => self.stats.unsupported_dropped += 1,
        }
        self.update(now);
        true
    }

    /// Drives timers: retransmissions, paced checks, nomination and consent.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.is_closed() {
            return;
        }
        self.retransmit_due(now);
        self.update(now);
    }

    /// The next datagram to send.
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.transmits.pop_front()
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<IceEvent> {
        self.events.pop_front()
    }

    /// When [`handle_timeout`](Agent::handle_timeout) should be called next.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.is_closed() {
            return None;
        }
        let mut next: Option<Instant> = None;
        let mut consider = |t: Option<Instant>| {
            if let Some(t) = t {
                next = Some(next.map_or(t, |n| n.min(t)));
            }
        };
        for tx in &self.transactions {
            consider(Some(tx.next_event()));
        }
        if self.can_send_checks() && self.checklist.has_next(self.ordinary_checks()) {
            // Nothing paced yet: due at once.
            consider(self.next_check_at.or(self.last_now));
        }
        consider(self.nomination_deadline());
        consider(self.consent_deadline());
        next
    }

    fn push_transmit(&mut self, t: Transmit) {
        if self.transmits.len() >= MAX_TRANSMITS {
            self.stats.outputs_dropped += 1;
        } else {
            self.transmits.push_back(t);
        }
    }

    fn push_reply(&mut self, t: Option<Transmit>) {
        if let Some(t) = t {
            self.push_transmit(t);
        }
    }

    fn push_event(&mut self, e: IceEvent) {
        if self.events.len() >= MAX_EVENTS {
            self.stats.outputs_dropped += 1;
        } else {
            self.events.push_back(e);
        }
    }

    fn set_role(&mut self, role: IceRole) {
        if self.role == role {
            return;
        }
        self.role = role;
        self.checklist.recompute_priorities(role);
        self.nominating = None;
        self.push_event(IceEvent::RoleChange(role));
    }

    /// A uniformly random duration in `[0.8, 1.2] * base` (RFC 7675 §5.1 jitter).
    fn jitter(&mut self, base: Duration) -> Duration {
        let r = (self.rng.next_u64() % 401) as u32; // 0..=400
        (base / 1000).checked_mul(800 + r).unwrap_or(base)
    }
}
