//! Handshake flight retransmission driven by the caller's clock (RFC 6347 section 4.2.4): the
//! last flight is cached and re-sent with exponential backoff. See the crate documentation for
//! why this is done here rather than by OpenSSL, and `record::renumber_plaintext_records` for
//! why the copies still look like fresh records to the peer.

use std::time::{Duration, Instant};

/// What an expired timer asks for.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum TimerAction {
    /// Nothing is due.
    Idle,
    /// Re-send the cached flight.
    Retransmit,
    /// The retransmission budget is exhausted.
    GiveUp,
}

/// The flight awaiting an answer, and its exponential backoff.
#[derive(Debug)]
pub(crate) struct FlightTimer {
    initial: Duration,
    max: Duration,
    max_retransmissions: u32,
    flight: Vec<Vec<u8>>,
    deadline: Option<Instant>,
    timeout: Duration,
    retransmissions: u32,
}

impl FlightTimer {
    pub(crate) fn new(initial: Duration, max: Duration, max_retransmissions: u32) -> FlightTimer {
        FlightTimer {
            initial,
            max,
            max_retransmissions,
            flight: Vec::new(),
            deadline: None,
            timeout: initial,
            retransmissions: 0,
        }
    }

    /// A new flight was sent at `now`: cache it and restart the backoff.
    pub(crate) fn arm(&mut self, now: Instant, flight: Vec<Vec<u8>>) {
        self.flight = flight;
        self.timeout = self.initial;
        self.retransmissions = 0;
        self.deadline = now.checked_add(self.timeout);
    }

    /// The handshake is over (or failed): no more retransmissions.
    pub(crate) fn disarm(&mut self) {
        self.flight.clear();
        self.deadline = None;
    }

    /// When [`FlightTimer::on_timeout`] must be called next.
    pub(crate) fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// The cached flight.
    pub(crate) fn flight(&self) -> &[Vec<u8>] {
        &self.flight
    }

    /// Advances the timer to `now`.
    pub(crate) fn on_timeout(&mut self, now: Instant) -> TimerAction {
        match self.deadline {
            Some(deadline) if now >= deadline => {}
            _ => return TimerAction::Idle,
        }
        if self.retransmissions >= self.max_retransmissions {
            self.deadline = None;
            return TimerAction::GiveUp;
        }
        self.retransmissions += 1;
        self.timeout = self.timeout.saturating_mul(2).min(self.max);
        self.deadline = now.checked_add(self.timeout);
        TimerAction::Retransmit
    }
}
