//! Selection of the pair carrying data and the W3C transport state.

use std::time::Instant;

use super::Agent;
use crate::event::{IceConnectionState, IceEvent, SelectedPair};
use crate::pair::{PairId, PairState};

impl Agent {
    /// Re-evaluates everything that depends on the latest input.
    pub(super) fn update(&mut self, now: Instant) {
        self.last_now = Some(now);
        if self.is_closed() {
            return;
        }
        self.send_paced_check(now);
        self.maybe_nominate(now);
        self.update_selection(now);
        self.consent_tick(now);
        self.update_state();
    }

    /// Selects the highest-priority nominated valid pair (§8.1.1; with aggressive nomination a
    /// better nominated pair replaces the current one).
    fn update_selection(&mut self, now: Instant) {
        if self.consent_expired {
            return;
        }
        let best = self
            .checklist
            .pairs
            .iter()
            .filter(|p| p.valid && p.nominated && p.state == PairState::Succeeded)
            .max_by_key(|p| p.priority)
            .map(|p| p.id);
        let Some(best) = best else { return };
        if self.selected.as_ref().is_some_and(|s| s.id == best) {
            return;
        }
        let current_prio = self
            .selected
            .as_ref()
            .and_then(|s| self.checklist.pair(s.id))
            .map(|p| p.priority);
        if current_prio.is_some_and(|c| c >= self.pair_priority(best)) {
            return;
        }
        let Some(p) = self.checklist.pair(best) else {
            return;
        };
        let sel = SelectedPair {
            id: best,
            local: self.checklist.local_of(p).clone(),
            remote: self.checklist.remote_of(p).clone(),
        };
        self.selected = Some(sel.clone());
        self.legacy = None;
        self.start_consent(now, best);
        self.push_event(IceEvent::SelectedPairChange(sel));
    }

    fn pair_priority(&self, id: PairId) -> u64 {
        self.checklist.pair(id).map_or(0, |p| p.priority)
    }

    /// Derives `RTCIceTransportState` from the agent's state.
    fn update_state(&mut self) {
        let state = if self.consent_expired {
            IceConnectionState::Failed
        } else if self.selected.is_some() {
            if self.consent.as_ref().is_some_and(|c| c.disconnected) {
                IceConnectionState::Disconnected
            } else if self.local_end_of_candidates
                && self.remote_end_of_candidates
                && !self
                    .transactions
                    .iter()
                    .any(|t| matches!(t.purpose, super::checks::Purpose::Check { .. }))
            {
                IceConnectionState::Completed
            } else {
                IceConnectionState::Connected
            }
        } else if self.local_end_of_candidates
            && self.remote_end_of_candidates
            && !self.checklist.has_pending()
            && self.nominating.is_none()
            && !self.can_nominate_later()
        {
            IceConnectionState::Failed
        } else if self.legacy.is_some() {
            // Restarting: the previous pair still carries data.
            self.state
        } else if self.remote_creds.is_some() && !self.checklist.pairs.is_empty() {
            IceConnectionState::Checking
        } else if self.state == IceConnectionState::New {
            IceConnectionState::New
        } else {
            IceConnectionState::Checking
        };
        if state == IceConnectionState::Failed {
            // A failed transport sends nothing, not even on a previous generation's pair.
            self.legacy = None;
        }
        self.set_state(state);
    }

    /// Whether a valid pair may still become selected without further checks.
    fn can_nominate_later(&self) -> bool {
        self.checklist
            .pairs
            .iter()
            .any(|p| p.valid && p.state == PairState::Succeeded)
    }

    pub(super) fn set_state(&mut self, state: IceConnectionState) {
        if self.state != state {
            self.state = state;
            self.push_event(IceEvent::ConnectionStateChange(state));
        }
    }
}
