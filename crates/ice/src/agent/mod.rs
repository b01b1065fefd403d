//! The sans-IO ICE agent.

mod checks;
mod consent;
mod requests;
mod state;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::candidate::{Candidate, MAX_FOUNDATION_LEN};
use crate::checklist::{AddOutcome, CheckList, Limits};
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

    /// The local credentials, to signal to the peer.
    pub fn local_credentials(&self) -> &Credentials {
        &self.local_creds
    }

    /// The remote credentials, once set.
    pub fn remote_credentials(&self) -> Option<&Credentials> {
        self.remote_creds.as_ref()
    }

    /// The current role.
    pub fn role(&self) -> IceRole {
        self.role
    }

    /// The tie-breaker sent in ICE-CONTROLLING/ICE-CONTROLLED.
    pub fn tie_breaker(&self) -> u64 {
        self.tie_breaker
    }

    /// The transport state.
    pub fn state(&self) -> IceConnectionState {
        self.state
    }

    /// The pair to send data on: the selected pair, or during an ICE restart the previous
    /// generation's until a new one is selected.
    pub fn selected_pair(&self) -> Option<&SelectedPair> {
        self.selected
            .as_ref()
            .or(self.legacy.as_ref().map(|l| &l.selected))
    }

    /// The local candidates (peer-reflexive ones included).
    pub fn local_candidates(&self) -> &[Candidate] {
        &self.checklist.local
    }

    /// The remote candidates (peer-reflexive ones included).
    pub fn remote_candidates(&self) -> &[Candidate] {
        &self.checklist.remote
    }

    /// The candidate pairs of the current generation.
    pub fn pairs(&self) -> impl Iterator<Item = PairInfo<'_>> {
        self.checklist.pairs.iter().map(|p| PairInfo {
            id: p.id,
            local: self.checklist.local_of(p),
            remote: self.checklist.remote_of(p),
            priority: p.priority,
            state: p.state,
            valid: p.valid,
            stats: export_stats(p),
        })
    }

    /// The statistics of pair `id` (the previous generation's selected pair included).
    pub fn pair_stats(&self, id: PairId) -> Option<CandidatePairStats> {
        if let Some(p) = self.checklist.pair(id) {
            return Some(export_stats(p));
        }
        self.legacy
            .as_ref()
            .filter(|l| l.selected.id == id)
            .map(|l| l.stats.clone())
    }

    /// Agent-wide counters.
    pub fn stats(&self) -> &AgentStats {
        &self.stats
    }

    /// Sets the peer's credentials. New credentials after others were set mean the peer
    /// restarted ICE: the remote candidates and pairs of the old generation are dropped (the
    /// selected pair keeps carrying data until a new one is selected).
    ///
    /// Returns `false` (and changes nothing) for credentials RFC 8839 §5.4 forbids: a ufrag of
    /// 4 to 256 ice-chars and a password of 22 to 256 ice-chars are required.
    pub fn set_remote_credentials(&mut self, now: Instant, ufrag: &str, pwd: &str) -> bool {
        let ok = |s: &str, min: usize| (min..=256).contains(&s.len()) && s.bytes().all(is_ice_char);
        if !ok(ufrag, 4) || !ok(pwd, 22) || self.is_closed() {
            return false;
        }
        let creds = Credentials::new(ufrag, pwd);
        match &self.remote_creds {
            Some(old) if *old == creds => return true,
            Some(_) => self.new_generation(now),
            None => {}
        }
        self.remote_creds = Some(creds);
        self.update(now);
        true
    }

    /// Declares that the peer is an ICE-lite agent (RFC 8445 §2.5): this agent becomes
    /// controlling.
    pub fn set_remote_ice_lite(&mut self, now: Instant, lite: bool) {
        self.remote_lite = lite;
        if lite && self.role == IceRole::Controlled {
            self.set_role(IceRole::Controlling);
        }
        self.update(now);
    }

    /// Adds a local candidate the caller gathered; it is paired with the remote candidates.
    /// Returns whether it was added (duplicates, invalid addresses and candidates beyond
    /// `max_local_candidates` are dropped, and the latter counted).
    pub fn add_local_candidate(&mut self, now: Instant, cand: Candidate) -> bool {
        if !valid_addr(cand.addr) || !valid_addr(cand.base) || self.is_closed() {
            self.stats.local_candidates_dropped += 1;
            return false;
        }
        let outcome = self
            .checklist
            .add_local(cand, self.role, &mut self.next_pair_id);
        self.after_add(now, outcome, false)
    }

    /// Adds a remote candidate (trickled or from the description); it is paired with the local
    /// candidates, also while checks run. Returns whether it was added.
    pub fn add_remote_candidate(&mut self, now: Instant, mut cand: Candidate) -> bool {
        let bad_foundation = cand.foundation.is_empty()
            || cand.foundation.len() > MAX_FOUNDATION_LEN
            || !cand.foundation.bytes().all(is_ice_char);
        if !valid_addr(cand.addr) || bad_foundation || cand.priority == 0 || self.is_closed() {
            self.stats.remote_candidates_dropped += 1;
            return false;
        }
        cand.base = cand.addr;
        let outcome = self
            .checklist
            .add_remote(cand, self.role, &mut self.next_pair_id);
        self.after_add(now, outcome, true)
    }

    fn after_add(&mut self, now: Instant, outcome: AddOutcome, remote: bool) -> bool {
        self.sync_pair_drops();
        let added = match outcome {
            AddOutcome::Added(_) => true,
            AddOutcome::Duplicate => false,
            AddOutcome::OverLimit => {
                if remote {
                    self.stats.remote_candidates_dropped += 1;
                } else {
                    self.stats.local_candidates_dropped += 1;
                }
                false
            }
        };
        self.update(now);
        added
    }

    fn sync_pair_drops(&mut self) {
        self.stats.pairs_dropped = self.checklist.pairs_dropped;
    }

    /// The peer signaled end-of-candidates (RFC 8838 §13).
    pub fn end_of_remote_candidates(&mut self, now: Instant) {
        self.remote_end_of_candidates = true;
        self.update(now);
    }

    /// The caller finished gathering local candidates.
    pub fn end_of_local_candidates(&mut self, now: Instant) {
        self.local_end_of_candidates = true;
        self.update(now);
    }

    /// ICE restart (RFC 8445 §9) with new local credentials: a new generation of checks starts
    /// once the peer's new credentials and candidates are known, while the selected pair keeps
    /// carrying data until a new pair is selected. Local host/reflexive/relayed candidates are
    /// kept; the caller may add more.
    pub fn restart(&mut self, now: Instant, ufrag: &str, pwd: &str) {
        if self.is_closed() {
            return;
        }
        let old = std::mem::replace(&mut self.local_creds, Credentials::new(ufrag, pwd));
        self.remote_creds = None;
        self.new_generation(now);
        if let Some(l) = self.legacy.as_mut() {
            l.local_creds.get_or_insert(old);
        }
        self.update(now);
    }

    /// Closes the agent: no more checks or responses.
    pub fn close(&mut self, _now: Instant) {
        self.transactions.clear();
        self.transmits.clear();
        self.consent = None;
        self.set_state(IceConnectionState::Closed);
    }

    fn is_closed(&self) -> bool {
        self.state == IceConnectionState::Closed
    }

    fn new_generation(&mut self, _now: Instant) {
        if let Some(sel) = self.selected.take() {
            let stats = self
                .checklist
                .pair(sel.id)
                .map(export_stats)
                .unwrap_or_default();
            self.legacy = Some(Legacy {
                selected: sel,
                stats,
                local_creds: None,
            });
        }
        self.checklist.clear_remote();
        self.transactions.clear();
        self.nominating = None;
        self.first_valid_at = None;
        self.next_check_at = None;
        self.remote_end_of_candidates = false;
        self.local_end_of_candidates = false;
        self.consent = None;
        self.consent_expired = false;
        if matches!(
            self.state,
            IceConnectionState::Failed | IceConnectionState::Disconnected
        ) && self.legacy.is_none()
        {
            self.set_state(IceConnectionState::New);
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
            wire::Class::Request if msg.is_binding => self.handle_request(now, recv, &msg),
            wire::Class::Success | wire::Class::Error if msg.is_binding => {
                self.handle_response(now, recv, &msg)
            }
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

    /// Reports data-path bytes sent on the pair `from_base` → `to` (W3C `bytesSent`,
    /// `packetsSent`).
    pub fn record_data_sent(&mut self, from_base: SocketAddr, to: SocketAddr, bytes: usize) {
        if let Some(stats) = self.data_stats(from_base, to) {
            stats.packets_sent += 1;
            stats.bytes_sent += bytes as u64;
        }
    }

    /// Reports data-path bytes received on the pair `local_addr` ← `remote_addr` (W3C
    /// `bytesReceived`, `packetsReceived`).
    pub fn record_data_received(
        &mut self,
        local_addr: SocketAddr,
        remote_addr: SocketAddr,
        bytes: usize,
    ) {
        if let Some(stats) = self.data_stats(local_addr, remote_addr) {
            stats.packets_received += 1;
            stats.bytes_received += bytes as u64;
        }
    }

    fn data_stats(
        &mut self,
        base: SocketAddr,
        remote: SocketAddr,
    ) -> Option<&mut CandidatePairStats> {
        if let Some(id) = self.checklist.find_pair(base, remote) {
            return self.checklist.pair_mut(id).map(|p| &mut p.stats);
        }
        self.legacy
            .as_mut()
            .filter(|l| l.selected.from_base() == base && l.selected.to() == remote)
            .map(|l| &mut l.stats)
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
        let r = self.rng.next_u64() % 401; // 0..=400
        base * 800 / 1000 + base * (r as u32) / 1000
    }
}

/// A pair's statistics with its current state and nomination.
fn export_stats(p: &crate::checklist::Pair) -> CandidatePairStats {
    CandidatePairStats {
        state: p.state,
        nominated: p.nominated,
        ..p.stats.clone()
    }
}

fn valid_addr(addr: SocketAddr) -> bool {
    addr.port() != 0 && !addr.ip().is_unspecified() && !addr.ip().is_multicast()
}

fn is_ice_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'+' || b == b'/'
}
