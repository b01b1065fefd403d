//! What the caller learns through signaling or gathering: credentials, candidates,
//! end-of-candidates, ICE-lite, restarts and closing.

use std::net::SocketAddr;
use std::time::Instant;

use super::query::export_stats;
use super::{Agent, Legacy};
use crate::candidate::{Candidate, MAX_FOUNDATION_LEN};
use crate::checklist::AddOutcome;
use crate::config::{Credentials, IceRole};
use crate::event::IceConnectionState;

impl Agent {
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
            Some(_) => self.new_generation(),
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

    pub(super) fn sync_pair_drops(&mut self) {
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
    /// carrying data until a new pair is selected. Local host/reflexive/relayed candidates (and
    /// a local end-of-candidates) are kept; the caller may add more. The peer's credentials,
    /// candidates and end-of-candidates must be signaled anew.
    pub fn restart(&mut self, now: Instant, ufrag: &str, pwd: &str) {
        if self.is_closed() {
            return;
        }
        let old = std::mem::replace(&mut self.local_creds, Credentials::new(ufrag, pwd));
        self.remote_creds = None;
        self.new_generation();
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

    pub(super) fn is_closed(&self) -> bool {
        self.state == IceConnectionState::Closed
    }

    fn new_generation(&mut self) {
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
}

fn valid_addr(addr: SocketAddr) -> bool {
    addr.port() != 0 && !addr.ip().is_unspecified() && !addr.ip().is_multicast()
}

fn is_ice_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'+' || b == b'/'
}
