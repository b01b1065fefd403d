//! The checklist (RFC 8445 §6.1.2, RFC 8838 §10): candidate sets, pair formation, pruning,
//! ordering, freezing and the triggered-check queue.
//!
//! The agent runs one data stream with one component, so there is a single checklist. A pair is
//! identified on the wire by `(local base, remote address)`: checks are sent from the local
//! candidate's base. Server-reflexive local candidates are therefore replaced by their base when
//! pairing (§6.1.2.4), and a pair that would duplicate an existing `(base, remote)` is redundant.

use std::collections::VecDeque;
use std::net::SocketAddr;

use crate::candidate::{Candidate, CandidateKind};
use crate::config::IceRole;
use crate::pair::{CandidatePairStats, PairId, PairState, pair_priority};

/// One candidate pair of the checklist.
#[derive(Debug, Clone)]
pub(crate) struct Pair {
    pub id: PairId,
    /// Index into [`CheckList::local`].
    pub local: usize,
    /// Index into [`CheckList::remote`].
    pub remote: usize,
    pub priority: u64,
    pub state: PairState,
    /// In the valid list (a check on it succeeded, RFC 8445 §7.2.5.3.2).
    pub valid: bool,
    /// Nominated (RFC 8445 §8.1.1; §7.3.1.5 on the controlled side).
    pub nominated: bool,
    /// Controlled side: a request with USE-CANDIDATE arrived before the pair succeeded, so it is
    /// nominated when its check succeeds (RFC 8445 §7.3.1.5).
    pub nominate_on_success: bool,
    pub stats: CandidatePairStats,
}

/// Why a candidate or pair was not added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AddOutcome {
    /// Added (with the number of pairs formed).
    Added(usize),
    /// Already known (or merged into a known candidate).
    Duplicate,
    /// Dropped because a bound was reached.
    OverLimit,
}

/// Limits of the checklist.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub max_local: usize,
    pub max_remote: usize,
    pub max_pairs: usize,
}

/// The candidates and pairs of one ICE generation.
#[derive(Debug)]
pub(crate) struct CheckList {
    pub local: Vec<Candidate>,
    pub remote: Vec<Candidate>,
    pub pairs: Vec<Pair>,
    triggered: VecDeque<PairId>,
    limits: Limits,
    /// Pairs not formed or pruned because of `max_pairs`.
    pub pairs_dropped: u64,
}

impl CheckList {
    pub fn new(limits: Limits) -> CheckList {
        CheckList {
            local: Vec::new(),
            remote: Vec::new(),
            pairs: Vec::new(),
            triggered: VecDeque::new(),
            limits,
            pairs_dropped: 0,
        }
    }

    /// Forgets the remote candidates and all pairs (ICE restart); local candidates stay.
    pub fn clear_remote(&mut self) {
        self.remote.clear();
        self.pairs.clear();
        self.triggered.clear();
        self.local
            .retain(|c| c.kind != CandidateKind::PeerReflexive);
    }

    pub fn pair(&self, id: PairId) -> Option<&Pair> {
        self.pairs.iter().find(|p| p.id == id)
    }

    pub fn pair_mut(&mut self, id: PairId) -> Option<&mut Pair> {
        self.pairs.iter_mut().find(|p| p.id == id)
    }

    /// The local candidate of a pair.
    pub fn local_of(&self, pair: &Pair) -> &Candidate {
        &self.local[pair.local]
    }

    /// The remote candidate of a pair.
    pub fn remote_of(&self, pair: &Pair) -> &Candidate {
        &self.remote[pair.remote]
    }

    /// The pair whose checks go from `base` to `remote`.
    pub fn find_pair(&self, base: SocketAddr, remote: SocketAddr) -> Option<PairId> {
        self.pairs
            .iter()
            .find(|p| self.local[p.local].base == base && self.remote[p.remote].addr == remote)
            .map(|p| p.id)
    }

    /// The index of the remote candidate with address `addr`.
    pub fn find_remote(&self, addr: SocketAddr) -> Option<usize> {
        self.remote.iter().position(|c| c.addr == addr)
    }

    /// The index of a local candidate that can send from `base` (one whose base it is).
    pub fn find_local_base(&self, base: SocketAddr) -> Option<usize> {
        self.local
            .iter()
            .position(|c| c.base == base && c.addr == base)
            .or_else(|| self.local.iter().position(|c| c.base == base))
    }

    /// Adds a local candidate and pairs it with the known remote candidates.
    pub fn add_local(&mut self, cand: Candidate, role: IceRole, next_id: &mut u64) -> AddOutcome {
        if self
            .local
            .iter()
            .any(|c| c.addr == cand.addr && c.base == cand.base)
        {
            return AddOutcome::Duplicate;
        }
        if self.local.len() >= self.limits.max_local {
            return AddOutcome::OverLimit;
        }
        self.local.push(cand);
        let l = self.local.len() - 1;
        let mut formed = 0;
        for r in 0..self.remote.len() {
            formed += usize::from(self.form_pair(l, r, role, next_id));
        }
        AddOutcome::Added(formed)
    }

    /// Records a local peer-reflexive candidate (RFC 8445 §7.2.5.3.1). It is not paired: checks
    /// go from its base, which the generating pair already covers.
    pub fn add_local_prflx(&mut self, cand: Candidate) -> AddOutcome {
        if self.local.iter().any(|c| c.addr == cand.addr) {
            return AddOutcome::Duplicate;
        }
        if self.local.len() >= self.limits.max_local {
            return AddOutcome::OverLimit;
        }
        self.local.push(cand);
        AddOutcome::Added(0)
    }

    /// Adds a remote candidate and pairs it with the local candidates. A signaled candidate for
    /// the address of a known peer-reflexive one replaces its type, priority and foundation
    /// (RFC 8445 §7.3.1.3, RFC 8838 §10).
    pub fn add_remote(&mut self, cand: Candidate, role: IceRole, next_id: &mut u64) -> AddOutcome {
        if let Some(i) = self.find_remote(cand.addr) {
            let known = &mut self.remote[i];
            if known.kind == CandidateKind::PeerReflexive
                && cand.kind != CandidateKind::PeerReflexive
            {
                known.kind = cand.kind;
                known.priority = cand.priority;
                known.foundation = cand.foundation;
                self.recompute_priorities(role);
            }
            return AddOutcome::Duplicate;
        }
        if self.remote.len() >= self.limits.max_remote {
            return AddOutcome::OverLimit;
        }
        self.remote.push(cand);
        let r = self.remote.len() - 1;
        let mut formed = 0;
        for l in 0..self.local.len() {
            formed += usize::from(self.form_pair(l, r, role, next_id));
        }
        AddOutcome::Added(formed)
    }

    /// Forms the pair `(l, r)` if it is compatible and not redundant; returns whether a pair was
    /// added (or replaced a redundant one).
    fn form_pair(&mut self, l: usize, r: usize, role: IceRole, next_id: &mut u64) -> bool {
        let (local, remote) = (&self.local[l], &self.remote[r]);
        if local.component != remote.component
            || local.addr.is_ipv4() != remote.addr.is_ipv4()
            || local.kind == CandidateKind::PeerReflexive
        {
            return false;
        }
        // §6.1.2.4: a server-reflexive candidate is replaced by its base; when the base is itself
        // a local candidate, the pair is redundant with that one.
        if local.kind == CandidateKind::ServerReflexive
            && self
                .local
                .iter()
                .any(|c| c.addr == local.base && c.base == local.base)
        {
            return false;
        }
        let priority = priority_for(role, local, remote);
        let (base, to) = (local.base, remote.addr);
        if let Some(existing) = self
            .pairs
            .iter_mut()
            .find(|p| self.local[p.local].base == base && self.remote[p.remote].addr == to)
        {
            // Redundant: keep the higher priority one, and only replace a pair not yet checked.
            let replaceable = matches!(existing.state, PairState::Frozen | PairState::Waiting);
            if replaceable && priority > existing.priority {
                existing.local = l;
                existing.priority = priority;
            }
            return false;
        }
        let state = self.initial_state(l, r);
        if self.pairs.len() >= self.limits.max_pairs && !self.make_room(priority) {
            self.pairs_dropped += 1;
            return false;
        }
        let id = PairId(*next_id);
        *next_id += 1;
        self.pairs.push(Pair {
            id,
            local: l,
            remote: r,
            priority,
            state,
            valid: false,
            nominated: false,
            nominate_on_success: false,
            stats: CandidatePairStats::default(),
        });
        true
    }

    /// Removes the lowest-priority unchecked pair if it ranks below `priority` (§6.1.2.5).
    fn make_room(&mut self, priority: u64) -> bool {
        let victim = self
            .pairs
            .iter()
            .enumerate()
            .filter(|(_, p)| matches!(p.state, PairState::Frozen | PairState::Waiting))
            .min_by_key(|(_, p)| p.priority)
            .map(|(i, p)| (i, p.priority, p.id));
        match victim {
            Some((i, lowest, id)) if lowest < priority => {
                self.pairs.remove(i);
                self.triggered.retain(|t| *t != id);
                self.pairs_dropped += 1;
                true
            }
            _ => false,
        }
    }

    /// The state of a new pair (RFC 8445 §6.1.2.6, RFC 8838 §10): waiting when no other pair of
    /// its foundation is waiting or in progress, or when one of its foundation already succeeded;
    /// frozen otherwise.
    fn initial_state(&self, l: usize, r: usize) -> PairState {
        let mut active = false;
        for p in &self.pairs {
            if !self.same_foundation(p, l, r) {
                continue;
            }
            match p.state {
                PairState::Succeeded => return PairState::Waiting,
                PairState::Waiting | PairState::InProgress => active = true,
                PairState::Frozen | PairState::Failed => {}
            }
        }
        if active {
            PairState::Frozen
        } else {
            PairState::Waiting
        }
    }

    fn same_foundation(&self, p: &Pair, l: usize, r: usize) -> bool {
        self.local[p.local].foundation == self.local[l].foundation
            && self.remote[p.remote].foundation == self.remote[r].foundation
    }

    /// Sets every frozen pair with the foundation of `id` to waiting (RFC 8445 §7.2.5.3.3).
    pub fn unfreeze_foundation(&mut self, id: PairId) {
        let Some(p) = self.pair(id) else { return };
        let (l, r) = (p.local, p.remote);
        let matching: Vec<usize> = (0..self.pairs.len())
            .filter(|&i| {
                self.pairs[i].state == PairState::Frozen
                    && self.same_foundation(&self.pairs[i], l, r)
            })
            .collect();
        for i in matching {
            self.pairs[i].state = PairState::Waiting;
        }
    }

    /// Recomputes the pair priorities after a role change or a candidate update.
    pub fn recompute_priorities(&mut self, role: IceRole) {
        for i in 0..self.pairs.len() {
            let (l, r) = (self.pairs[i].local, self.pairs[i].remote);
            self.pairs[i].priority = priority_for(role, &self.local[l], &self.remote[r]);
        }
    }

    /// Queues a triggered check on `id` (RFC 8445 §7.3.1.4), once.
    pub fn push_triggered(&mut self, id: PairId) {
        if !self.triggered.contains(&id) {
            self.triggered.push_back(id);
        }
    }

    /// Whether any pair still has a check to send or waits for a response.
    pub fn has_pending(&self) -> bool {
        !self.triggered.is_empty()
            || self.pairs.iter().any(|p| {
                matches!(
                    p.state,
                    PairState::Frozen | PairState::Waiting | PairState::InProgress
                )
            })
    }

    /// Whether a check is ready to be sent at the next `Ta` tick.
    pub fn has_next(&self, ordinary: bool) -> bool {
        if !self.triggered.is_empty() {
            return true;
        }
        ordinary
            && self.pairs.iter().any(|p| match p.state {
                PairState::Waiting => true,
                PairState::Frozen => !self.pairs.iter().any(|q| {
                    q.state == PairState::InProgress && self.same_foundation(q, p.local, p.remote)
                }),
                _ => false,
            })
    }

    /// The next pair to check (RFC 8445 §6.1.4.2): the triggered queue first, then the
    /// highest-priority waiting pair, then the highest-priority frozen pair. Ordinary checks are
    /// only taken when `ordinary` is set (they stop once a pair is selected).
    pub fn next_check(&mut self, ordinary: bool) -> Option<PairId> {
        while let Some(id) = self.triggered.pop_front() {
            if self.pair(id).is_some() {
                return Some(id);
            }
        }
        if !ordinary {
            return None;
        }
        let waiting = self
            .pairs
            .iter()
            .filter(|p| p.state == PairState::Waiting)
            .max_by_key(|p| p.priority);
        if let Some(p) = waiting {
            return Some(p.id);
        }
        // No waiting pair: the highest-priority frozen pair whose foundation has no pair waiting
        // or in progress (the in-progress one will unfreeze it on success).
        self.pairs
            .iter()
            .filter(|p| p.state == PairState::Frozen)
            .filter(|p| {
                !self.pairs.iter().any(|q| {
                    q.state == PairState::InProgress && self.same_foundation(q, p.local, p.remote)
                })
            })
            .max_by_key(|p| p.priority)
            .map(|p| p.id)
    }
}

/// The pair priority of `local`/`remote` for an agent in `role`.
pub(crate) fn priority_for(role: IceRole, local: &Candidate, remote: &Candidate) -> u64 {
    match role {
        IceRole::Controlling => pair_priority(local.priority, remote.priority),
        IceRole::Controlled => pair_priority(remote.priority, local.priority),
    }
}
