//! Incoming Binding requests (RFC 8445 §7.3): authentication, role conflicts, peer-reflexive
//! candidates, triggered checks and nomination on the controlled side.

use super::Agent;
use crate::candidate::{COMPONENT_RTP, Candidate, CandidateKind};
use crate::checklist::AddOutcome;
use crate::config::IceRole;
use crate::event::{IceEvent, Receive, Transmit};
use crate::pair::{PairId, PairState};
use crate::wire;

impl Agent {
    /// Answers and processes a Binding request. Unauthenticated requests never change state.
    pub(super) fn handle_request(&mut self, recv: Receive<'_>, msg: &wire::Message<'_>) {
        let reply_to = |data: Option<Vec<u8>>| {
            data.map(|data| Transmit {
                from_base: recv.local_addr,
                to: recv.remote_addr,
                data,
            })
        };
        // RFC 8489 §9.1.3: a request without USERNAME or MESSAGE-INTEGRITY gets an unsigned 400.
        let (Some(username), true) = (msg.username, msg.has_integrity) else {
            self.stats.bad_requests += 1;
            let resp = wire::encode_error(msg.txid, wire::BAD_REQUEST, None);
            self.push_reply(reply_to(resp));
            return;
        };
        let key = self.local_creds.pwd.clone();
        let ours = username.split(':').next() == Some(self.local_creds.ufrag.as_str());
        if !ours || !msg.verify_integrity(&key) {
            if self.answer_legacy(recv, msg, username) {
                return;
            }
            self.stats.unauthorized_requests += 1;
            let resp = wire::encode_error(msg.txid, wire::UNAUTHORIZED, None);
            self.push_reply(reply_to(resp));
            return;
        }
        let (Some(priority), Some(peer_role)) = (msg.priority, msg.role) else {
            // §7.3: PRIORITY and one of ICE-CONTROLLING/ICE-CONTROLLED are mandatory.
            self.stats.bad_requests += 1;
            let resp = wire::encode_error(msg.txid, wire::BAD_REQUEST, Some(key.as_str()));
            self.push_reply(reply_to(resp));
            return;
        };
        if self.role_conflict(peer_role) {
            let resp = wire::encode_error(msg.txid, wire::ROLE_CONFLICT, Some(key.as_str()));
            self.push_reply(reply_to(resp));
            return;
        }
        // A request on a socket that is no candidate's base, or beyond the candidate bounds,
        // is dropped (counted): answering would let the peer nominate a pair we cannot use.
        let Some(id) = self.pair_for_request(recv, priority) else {
            return;
        };
        let resp = wire::encode_success(msg.txid, recv.remote_addr, &key);
        self.push_reply(reply_to(resp));
        if let Some(p) = self.checklist.pair_mut(id) {
            p.stats.requests_received += 1;
            p.stats.responses_sent += 1;
        }
        let use_candidate = msg.use_candidate && peer_role.0 == IceRole::Controlling;
        // A request on the selected pair shows the path works, but only a response refreshes
        // consent (RFC 7675 §5.1): no consent update here.
        self.triggered_check(id, use_candidate);
    }

    /// During an ICE restart, answers a request that the peer authenticated with this agent's
    /// previous credentials on the previous generation's selected pair (consent keeps flowing
    /// until the peer learns the new credentials). Changes nothing else.
    fn answer_legacy(
        &mut self,
        recv: Receive<'_>,
        msg: &wire::Message<'_>,
        username: &str,
    ) -> bool {
        let Some(legacy) = self.legacy.as_mut() else {
            return false;
        };
        let Some(old) = legacy.local_creds.as_ref() else {
            return false;
        };
        let on_pair = legacy.selected.from_base() == recv.local_addr
            && legacy.selected.to() == recv.remote_addr;
        if !on_pair
            || username.split(':').next() != Some(old.ufrag.as_str())
            || !msg.verify_integrity(&old.pwd)
        {
            return false;
        }
        legacy.stats.requests_received += 1;
        legacy.stats.responses_sent += 1;
        let resp = wire::encode_success(msg.txid, recv.remote_addr, &old.pwd);
        self.push_reply(resp.map(|data| Transmit {
            from_base: recv.local_addr,
            to: recv.remote_addr,
            data,
        }));
        true
    }

    /// §7.3.1.1: detects and repairs a role conflict with a peer claiming `peer` (role and
    /// tie-breaker). Returns `true` when the request must be answered 487.
    fn role_conflict(&mut self, peer: (IceRole, u64)) -> bool {
        let (peer_role, peer_tb) = peer;
        if peer_role != self.role {
            return false;
        }
        self.stats.role_conflicts += 1;
        let ours_wins = self.tie_breaker >= peer_tb;
        match self.role {
            // Against a lite peer we stay controlling whatever the tie-breakers say.
            IceRole::Controlling if ours_wins || self.remote_lite => true,
            IceRole::Controlling => {
                self.set_role(IceRole::Controlled);
                false
            }
            IceRole::Controlled if ours_wins => {
                self.set_role(IceRole::Controlling);
                false
            }
            IceRole::Controlled => true,
        }
    }

    /// The pair a request arrived on; learns a peer-reflexive remote candidate (§7.3.1.3) when
    /// the source address is unknown.
    fn pair_for_request(&mut self, recv: Receive<'_>, priority: u32) -> Option<PairId> {
        if let Some(id) = self.checklist.find_pair(recv.local_addr, recv.remote_addr) {
            return Some(id);
        }
        if self.checklist.find_local_base(recv.local_addr).is_none() {
            self.stats.unknown_base_requests += 1;
            return None;
        }
        if self.checklist.find_remote(recv.remote_addr).is_none() {
            let foundation = format!("prflx{}", self.checklist.remote.len());
            let mut cand = Candidate::remote(
                CandidateKind::PeerReflexive,
                recv.remote_addr,
                priority,
                foundation,
            );
            cand.component = COMPONENT_RTP;
            match self
                .checklist
                .add_remote(cand.clone(), self.role, &mut self.next_pair_id)
            {
                AddOutcome::Added(_) => self.push_event(IceEvent::RemotePeerReflexive(cand)),
                AddOutcome::Duplicate => {}
                AddOutcome::OverLimit => {
                    self.stats.remote_candidates_dropped += 1;
                    return None;
                }
            }
            self.sync_pair_drops();
        }
        let found = self.checklist.find_pair(recv.local_addr, recv.remote_addr);
        if found.is_none() {
            self.stats.pairs_dropped = self.checklist.pairs_dropped.max(self.stats.pairs_dropped);
        }
        found
    }

    /// §7.3.1.4 triggered checks and §7.3.1.5 nomination by a controlling peer.
    fn triggered_check(&mut self, id: PairId, use_candidate: bool) {
        let controlled = self.role == IceRole::Controlled;
        let Some(p) = self.checklist.pair_mut(id) else {
            return;
        };
        match p.state {
            PairState::Succeeded => {
                if use_candidate && controlled && !p.nominated {
                    p.nominated = true;
                }
                return;
            }
            PairState::InProgress => {
                // Cancel the outstanding transaction (no retransmission, no failure on timeout).
                let wait = self.config.max_rto;
                for tx in self.transactions.iter_mut().filter(|t| t.pair == id) {
                    tx.cancelled = true;
                    tx.next_retransmit = tx.next_retransmit.max(tx.last_sent + wait);
                }
                p.state = PairState::Waiting;
            }
            PairState::Frozen | PairState::Waiting | PairState::Failed => {
                p.state = PairState::Waiting;
            }
        }
        if use_candidate && controlled {
            p.nominate_on_success = true;
        }
        self.checklist.push_triggered(id);
    }
}
