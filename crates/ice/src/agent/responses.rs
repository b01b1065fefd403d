//! Binding responses to this agent's checks (RFC 8445 §7.2.5): authentication, symmetry, role
//! conflict repair, success and the valid list, peer-reflexive local candidates.

use std::net::SocketAddr;
use std::time::Instant;

use super::Agent;
use super::checks::{Purpose, Transaction};
use crate::candidate::{Candidate, CandidateKind, compute_foundation};
use crate::checklist::AddOutcome;
use crate::config::IceRole;
use crate::event::{IceEvent, Receive};
use crate::pair::{PairId, PairState};
use crate::wire;

impl Agent {
    /// Processes a Binding success or error response (RFC 8445 §7.2.5).
    pub(super) fn handle_response(
        &mut self,
        now: Instant,
        recv: Receive<'_>,
        msg: &wire::Message<'_>,
    ) {
        let Some(idx) = self.transactions.iter().position(|t| t.id == msg.txid) else {
            self.stats.unknown_transactions += 1;
            return;
        };
        let Some(creds) = &self.remote_creds else {
            self.stats.unauthenticated_responses += 1;
            return;
        };
        if !msg.has_integrity || !msg.verify_integrity(&creds.pwd) {
            self.stats.unauthenticated_responses += 1;
            return;
        }
        let tx = self.transactions.swap_remove(idx);
        if recv.remote_addr != tx.to || recv.local_addr != tx.from {
            // §7.2.5.2.1: non-symmetric transport addresses fail the check.
            self.stats.non_symmetric_responses += 1;
            if matches!(tx.purpose, Purpose::Check { .. }) {
                self.transaction_timed_out(&tx);
            }
            return;
        }
        if msg.class == wire::Class::Error {
            self.handle_error_response(&tx, msg.error_code);
            return;
        }
        self.handle_success(now, &tx, msg.xor_mapped);
    }

    fn handle_error_response(&mut self, tx: &Transaction, code: Option<u16>) {
        if code == Some(wire::ROLE_CONFLICT) && matches!(tx.purpose, Purpose::Check { .. }) {
            // §7.2.5.1: switch to the opposite of the role the request claimed, and retry.
            self.stats.role_conflicts += 1;
            if self.role == tx.role && !(self.remote_lite && tx.role == IceRole::Controlling) {
                self.set_role(tx.role.opposite());
            }
            if let Some(p) = self.checklist.pair_mut(tx.pair) {
                p.state = PairState::Waiting;
            }
            self.checklist.push_triggered(tx.pair);
            return;
        }
        if let Purpose::Check { .. } = tx.purpose {
            self.transaction_timed_out(tx);
        }
    }

    fn handle_success(&mut self, now: Instant, tx: &Transaction, mapped: Option<SocketAddr>) {
        let rtt = (tx.transmits == 1).then(|| now.saturating_duration_since(tx.first_sent));
        let Some(pair) = self.checklist.pair_mut(tx.pair) else {
            return;
        };
        pair.stats.responses_received += 1;
        if let Some(rtt) = rtt {
            pair.stats.current_round_trip_time = Some(rtt);
            pair.stats.total_round_trip_time += rtt;
        }
        if tx.purpose == Purpose::Consent {
            self.consent_response(now, tx.pair);
            return;
        }
        let Purpose::Check { nominate } = tx.purpose else {
            return;
        };
        pair.state = PairState::Succeeded;
        pair.valid = true;
        let controlled_nomination = pair.nominate_on_success && self.role == IceRole::Controlled;
        let sent_use_candidate = nominate && tx.role == IceRole::Controlling;
        if controlled_nomination || (sent_use_candidate && self.role == IceRole::Controlling) {
            pair.nominated = true;
        }
        if self.nominating == Some(tx.pair) {
            self.nominating = None;
        }
        let local_base = tx.from;
        if let Some(mapped) = mapped {
            self.learn_local_prflx(tx.pair, local_base, mapped);
        }
        self.first_valid_at.get_or_insert(now);
        self.checklist.unfreeze_foundation(tx.pair);
        // A selected pair's check doubles as a consent response.
        if self.selected.as_ref().is_some_and(|s| s.id == tx.pair) {
            self.consent_response(now, tx.pair);
        }
    }

    /// §7.2.5.3.1: a mapped address matching no local candidate is a peer-reflexive candidate
    /// whose base is the base the check was sent from.
    fn learn_local_prflx(&mut self, pair: PairId, base: SocketAddr, mapped: SocketAddr) {
        if self.checklist.local.iter().any(|c| c.addr == mapped) {
            return;
        }
        let Some(p) = self.checklist.pair(pair) else {
            return;
        };
        let local = self.checklist.local_of(p);
        let mut cand = Candidate::host(mapped, local.local_preference());
        cand.kind = CandidateKind::PeerReflexive;
        cand.base = base;
        cand.priority = Self::prflx_priority(local);
        cand.foundation = compute_foundation(CandidateKind::PeerReflexive, base.ip(), None);
        cand.related = Some(base);
        if let AddOutcome::Added(_) = self.checklist.add_local_prflx(cand.clone()) {
            self.push_event(IceEvent::LocalPeerReflexive(cand));
        } else {
            self.stats.local_candidates_dropped += 1;
        }
    }
}
