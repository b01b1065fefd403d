//! Outgoing connectivity checks (RFC 8445 §7.2): pacing, transactions and retransmission.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::Agent;
use crate::candidate::{Candidate, CandidateKind, candidate_priority};
use crate::config::{IceRole, Nomination};
use crate::event::Transmit;
use crate::pair::{PairId, PairState};
use crate::wire;

/// What a transaction is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Purpose {
    /// A connectivity check (with USE-CANDIDATE when `nominate`).
    Check { nominate: bool },
    /// A consent freshness request on the selected pair (RFC 7675).
    Consent,
}

/// An outstanding Binding request.
#[derive(Debug)]
pub(super) struct Transaction {
    pub id: [u8; 12],
    pub pair: PairId,
    pub purpose: Purpose,
    /// The role the request claimed (for 487 repair, RFC 8445 §7.2.5.1).
    pub role: IceRole,
    pub from: SocketAddr,
    pub to: SocketAddr,
    pub request: Vec<u8>,
    pub first_sent: Instant,
    pub last_sent: Instant,
    pub next_retransmit: Instant,
    pub rto: Duration,
    pub transmits: u32,
    /// Transmissions before the transaction gives up.
    pub max_transmits: u32,
    /// Cancelled (RFC 8445 §7.3.1.4): no retransmission and no failure on timeout, but a response
    /// is still accepted until `next_retransmit`.
    pub cancelled: bool,
    /// All transmissions are done; the transaction times out at `next_retransmit`.
    pub exhausted: bool,
}

impl Transaction {
    /// The time of its next retransmission or timeout.
    pub fn next_event(&self) -> Instant {
        self.next_retransmit
    }
}

impl Agent {
    /// Whether checks can be sent at all.
    pub(super) fn can_send_checks(&self) -> bool {
        self.remote_creds.is_some()
            && !self.is_closed()
            && self.transactions.len() < self.config.max_pairs.saturating_add(8)
    }

    /// Whether ordinary (non-triggered) checks continue: until a pair of this generation is
    /// selected or, for a controlling agent, while a nomination is in flight.
    pub(super) fn ordinary_checks(&self) -> bool {
        self.selected.is_none() && !self.consent_expired
    }

    /// Sends the next check if `Ta` has elapsed since the previous one (RFC 8445 §6.1.4.2).
    pub(super) fn send_paced_check(&mut self, now: Instant) {
        if !self.can_send_checks() || self.next_check_at.is_some_and(|t| now < t) {
            return;
        }
        let ordinary = self.ordinary_checks();
        while let Some(id) = self.checklist.next_check(ordinary) {
            let Some(pair) = self.checklist.pair(id) else {
                continue;
            };
            if pair.state == PairState::Succeeded {
                // A triggered check on a pair that succeeded meanwhile is not needed.
                continue;
            }
            self.send_check(now, id, false);
            self.next_check_at = Some(now + self.config.ta);
            return;
        }
    }

    /// The PRIORITY sent in a check from `local`: that of a peer-reflexive candidate with the
    /// same base (RFC 8445 §7.1.1).
    pub(super) fn prflx_priority(local: &Candidate) -> u32 {
        candidate_priority(
            CandidateKind::PeerReflexive,
            local.local_preference(),
            local.component,
        )
    }

    /// Sends a check on `id` and moves a non-succeeded pair to in-progress.
    pub(super) fn send_check(&mut self, now: Instant, id: PairId, nominate: bool) {
        let aggressive =
            self.role == IceRole::Controlling && self.config.nomination == Nomination::Aggressive;
        let purpose = Purpose::Check {
            nominate: nominate || aggressive,
        };
        let sent = self.send_request(now, id, purpose);
        if let Some(pair) = self.checklist.pair_mut(id) {
            if !sent {
                pair.state = PairState::Failed;
            } else if pair.state != PairState::Succeeded {
                pair.state = PairState::InProgress;
            }
        }
        if !sent && self.nominating == Some(id) {
            self.nominating = None;
        }
    }

    /// Builds, records and queues a Binding request on pair `id`.
    /// Returns whether it was sent.
    pub(super) fn send_request(&mut self, now: Instant, id: PairId, purpose: Purpose) -> bool {
        let Some(creds) = self.remote_creds.clone() else {
            return false;
        };
        let Some(pair) = self.checklist.pair(id) else {
            return false;
        };
        let local = self.checklist.local_of(pair);
        let (from, to) = (local.base, self.checklist.remote_of(pair).addr);
        let priority = Self::prflx_priority(local);
        let mut txid = [0u8; 12];
        self.rng.fill_bytes(&mut txid);
        let use_candidate = matches!(purpose, Purpose::Check { nominate: true })
            && self.role == IceRole::Controlling;
        let username = format!("{}:{}", creds.ufrag, self.local_creds.ufrag);
        let Some(request) = wire::encode_request(&wire::RequestParams {
            txid,
            username: &username,
            priority,
            role: self.role,
            tie_breaker: self.tie_breaker,
            use_candidate,
            pwd: &creds.pwd,
        }) else {
            return false;
        };
        if let Some(pair) = self.checklist.pair_mut(id) {
            pair.stats.requests_sent += 1;
            if purpose == Purpose::Consent {
                pair.stats.consent_requests_sent += 1;
            }
        }
        self.push_transmit(Transmit {
            from_base: from,
            to,
            data: request.clone(),
        });
        let rto = self.config.initial_rto;
        let max_transmits = match purpose {
            Purpose::Check { .. } => self.config.max_transmits,
            // Consent requests repeat at a steady RTO for about one consent interval.
            Purpose::Consent => self.consent_transmits(),
        };
        self.transactions.push(Transaction {
            id: txid,
            pair: id,
            purpose,
            role: self.role,
            from,
            to,
            request,
            first_sent: now,
            last_sent: now,
            next_retransmit: now + rto,
            rto,
            transmits: 1,
            max_transmits,
            cancelled: false,
            exhausted: max_transmits <= 1,
        });
        true
    }

    /// Retransmits due requests and fails pairs whose checks timed out.
    pub(super) fn retransmit_due(&mut self, now: Instant) {
        let mut i = 0;
        while i < self.transactions.len() {
            let tx = &mut self.transactions[i];
            if now < tx.next_retransmit {
                i += 1;
                continue;
            }
            if tx.exhausted || tx.cancelled {
                let tx = self.transactions.swap_remove(i);
                if !tx.cancelled {
                    self.transaction_timed_out(&tx);
                }
                continue;
            }
            tx.transmits += 1;
            tx.last_sent = now;
            if tx.purpose != Purpose::Consent {
                tx.rto = (tx.rto * 2).min(self.config.max_rto);
            }
            tx.next_retransmit = now + tx.rto;
            if tx.transmits >= tx.max_transmits {
                tx.exhausted = true;
            }
            let t = Transmit {
                from_base: tx.from,
                to: tx.to,
                data: tx.request.clone(),
            };
            let pair = tx.pair;
            self.push_transmit(t);
            if let Some(p) = self.checklist.pair_mut(pair) {
                p.stats.requests_sent += 1;
            }
            i += 1;
        }
    }

    pub(super) fn transaction_timed_out(&mut self, tx: &Transaction) {
        if let Purpose::Check { nominate } = tx.purpose {
            if nominate && self.nominating == Some(tx.pair) {
                self.nominating = None;
            }
            if let Some(p) = self.checklist.pair_mut(tx.pair) {
                p.state = PairState::Failed;
                p.valid = false;
            }
        }
    }
}
