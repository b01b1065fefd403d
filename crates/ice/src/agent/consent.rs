//! Consent freshness on the selected pair (RFC 7675).

use std::time::{Duration, Instant};

use super::Agent;
use super::checks::Purpose;
use crate::pair::PairId;

/// Consent state of the selected pair.
#[derive(Debug)]
pub(super) struct Consent {
    pub pair: PairId,
    /// The latest authenticated response on the pair.
    pub last_response: Instant,
    /// When the next consent request is due.
    pub next_request: Instant,
    /// Reported `disconnected`.
    pub disconnected: bool,
}

impl Agent {
    /// How long an unanswered consent request must be outstanding before the pair counts as
    /// disconnected: three transmissions at the steady consent RTO, so a lost packet or two does
    /// not flap the state.
    fn consent_grace(&self) -> Duration {
        self.config.initial_rto * 3
    }

    /// Transmissions of one consent request: it repeats every `initial_rto` for about one
    /// consent interval (at least 1, at most 20).
    pub(super) fn consent_transmits(&self) -> u32 {
        let rto = self.config.initial_rto.as_millis().max(1);
        let n = self.config.consent_interval.as_millis() / rto;
        u32::try_from(n.clamp(1, 20)).unwrap_or(20)
    }

    /// Starts consent freshness on a newly selected pair (its check just succeeded).
    pub(super) fn start_consent(&mut self, now: Instant, pair: PairId) {
        let interval = self.config.consent_interval;
        let next = now + self.jitter(interval);
        self.consent = Some(Consent {
            pair,
            last_response: now,
            next_request: next,
            disconnected: false,
        });
    }

    /// An authenticated success response arrived on `pair`.
    pub(super) fn consent_response(&mut self, now: Instant, pair: PairId) {
        if let Some(c) = self.consent.as_mut()
            && c.pair == pair
        {
            c.last_response = now;
            c.disconnected = false;
        }
    }

    /// Sends due consent requests and detects `disconnected` and expiry.
    pub(super) fn consent_tick(&mut self, now: Instant) {
        let Some(c) = self.consent.as_ref() else {
            return;
        };
        let pair = c.pair;
        if now >= c.last_response + self.config.consent_timeout {
            // RFC 7675 §5.1: consent expired; stop sending on the pair.
            self.consent_expired = true;
            self.consent = None;
            self.selected = None;
            self.transactions
                .retain(|t| !(t.pair == pair && t.purpose == Purpose::Consent));
            return;
        }
        if now >= c.next_request {
            // A request that cannot be built is not retried: consent then expires.
            let _ = self.send_request(now, pair, Purpose::Consent);
            let next = now + self.jitter(self.config.consent_interval);
            if let Some(c) = self.consent.as_mut() {
                c.next_request = next;
            }
        }
        // Only a consent response clears `disconnected` (`consent_response`): the request
        // that timed out leaves no transaction behind, and its absence is no sign of life.
        let deadline = self.disconnect_deadline();
        if let Some(c) = self.consent.as_mut()
            && deadline.is_some_and(|d| now >= d)
        {
            c.disconnected = true;
        }
    }

    /// When the pair will count as disconnected if nothing arrives: no response for
    /// `disconnected_timeout` while a consent request has been outstanding for the grace period.
    fn disconnect_deadline(&self) -> Option<Instant> {
        let c = self.consent.as_ref()?;
        let oldest = self
            .transactions
            .iter()
            .filter(|t| t.pair == c.pair && t.purpose == Purpose::Consent)
            .map(|t| t.first_sent)
            .min()?;
        Some(
            (c.last_response + self.config.disconnected_timeout).max(oldest + self.consent_grace()),
        )
    }

    /// The next consent-related deadline.
    pub(super) fn consent_deadline(&self) -> Option<Instant> {
        let c = self.consent.as_ref()?;
        let mut t = c
            .next_request
            .min(c.last_response + self.config.consent_timeout);
        if !c.disconnected
            && let Some(d) = self.disconnect_deadline()
        {
            t = t.min(d);
        }
        Some(t)
    }
}
