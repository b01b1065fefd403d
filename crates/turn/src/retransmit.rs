//! The STUN client retransmission schedule (RFC 8489 §6.2.1, §6.2.2).
//!
//! Over UDP a request is sent at 0, RTO, 3·RTO, 7·RTO… (the interval doubles), at most `Rc`
//! times; after the last one the client waits `Rm`·RTO more and gives up. Over TCP/TLS it is sent
//! once and the transaction fails after `Ti` = 39.5 s.

use std::time::{Duration, Instant};

/// Initial retransmission timeout (RFC 8489 §6.2.1 recommends 500 ms).
pub const INITIAL_RTO: Duration = Duration::from_millis(500);
/// Transmissions before giving up (`Rc`).
pub const MAX_TRANSMISSIONS: u32 = 7;
/// Multiple of RTO waited after the last transmission (`Rm`).
pub const LAST_WAIT_FACTOR: u32 = 16;
/// Transaction timeout over reliable transports (`Ti`).
pub const RELIABLE_TIMEOUT: Duration = Duration::from_millis(39_500);

/// What the schedule says at a timeout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Nothing due yet.
    Wait,
    /// Send the request again.
    Retransmit,
    /// The transaction failed.
    GiveUp,
}

/// One transaction's retransmission state.
#[derive(Debug, Clone)]
pub struct Retransmit {
    reliable: bool,
    rto: Duration,
    sent: u32,
    deadline: Instant,
}

impl Retransmit {
    /// A schedule for a request first sent at `now`; `reliable` is TCP or TLS.
    pub fn new(now: Instant, reliable: bool) -> Self {
        Self::with_rto(now, reliable, INITIAL_RTO)
    }

    /// As [`Retransmit::new`] with another initial RTO.
    pub fn with_rto(now: Instant, reliable: bool, rto: Duration) -> Self {
        let deadline = if reliable {
            now + RELIABLE_TIMEOUT
        } else {
            now + rto
        };
        Self {
            reliable,
            rto,
            sent: 1,
            deadline,
        }
    }

    /// When [`Retransmit::on_timeout`] should be called next.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// How many times the request was sent so far.
    pub fn transmissions(&self) -> u32 {
        self.sent
    }

    /// Advances the schedule at `now`.
    pub fn on_timeout(&mut self, now: Instant) -> Step {
        if now < self.deadline {
            return Step::Wait;
        }
        if self.reliable || self.sent >= MAX_TRANSMISSIONS {
            return Step::GiveUp;
        }
        self.sent += 1;
        let interval = self.rto.saturating_mul(1 << (self.sent - 1).min(20));
        self.deadline = if self.sent >= MAX_TRANSMISSIONS {
            now + self.rto.saturating_mul(LAST_WAIT_FACTOR)
        } else {
            now + interval
        };
        Step::Retransmit
    }
}
