//! Nomination by the controlling agent (RFC 8445 §8.1.1).

use std::time::Instant;

use super::Agent;
use crate::config::{IceRole, Nomination};
use crate::pair::{PairId, PairState};

impl Agent {
    /// Controlling agent, regular nomination (RFC 8445 §8.1.1): nominates the best valid pair
    /// once it is the best possible one, or once `nomination_delay` has passed since the first
    /// pair succeeded.
    pub(super) fn maybe_nominate(&mut self, now: Instant) {
        if !self.may_nominate() {
            return;
        }
        let Some(best) = self.best_valid() else {
            return;
        };
        let best_prio = self.checklist.pair(best).map_or(0, |p| p.priority);
        let better_pending = self.checklist.pairs.iter().any(|p| {
            p.priority > best_prio
                && matches!(
                    p.state,
                    PairState::Frozen | PairState::Waiting | PairState::InProgress
                )
        });
        let delay_over = self
            .first_valid_at
            .is_some_and(|t| now >= t + self.config.nomination_delay);
        if better_pending && !delay_over {
            return;
        }
        self.nominating = Some(best);
        self.send_check(now, best, true);
    }

    /// When the nomination delay ends, if a nomination is still to be made.
    pub(super) fn nomination_deadline(&self) -> Option<Instant> {
        if !self.may_nominate() || self.best_valid().is_none() {
            return None;
        }
        self.first_valid_at
            .map(|t| t + self.config.nomination_delay)
    }

    /// Whether this agent still has to nominate (controlling, regular nomination, nothing
    /// selected or being nominated, consent not expired).
    fn may_nominate(&self) -> bool {
        self.role == IceRole::Controlling
            && self.config.nomination == Nomination::Regular
            && self.selected.is_none()
            && self.nominating.is_none()
            && !self.consent_expired
            && self.can_send_checks()
    }

    /// The highest-priority valid pair.
    fn best_valid(&self) -> Option<PairId> {
        self.checklist
            .pairs
            .iter()
            .filter(|p| p.valid && p.state == PairState::Succeeded)
            .max_by_key(|p| p.priority)
            .map(|p| p.id)
    }
}
