//! Retransmission timeout computation (RFC 9260 §6.3.1) with exponential backoff (§6.3.3).

use std::time::Duration;

/// SRTT/RTTVAR estimator and the current RTO.
#[derive(Debug, Clone)]
pub struct Rto {
    srtt: Option<Duration>,
    rttvar: Duration,
    rto: Duration,
    min: Duration,
    max: Duration,
}

impl Rto {
    /// Starts at RTO.Initial, clamped to `[min, max]`.
    pub fn new(initial: Duration, min: Duration, max: Duration) -> Self {
        Rto {
            srtt: None,
            rttvar: Duration::ZERO,
            rto: initial.clamp(min, max),
            min,
            max,
        }
    }

    /// The current RTO.
    pub fn rto(&self) -> Duration {
        self.rto
    }

    /// The smoothed RTT, once measured.
    pub fn srtt(&self) -> Option<Duration> {
        self.srtt
    }

    /// Feeds one RTT measurement R.
    pub fn on_measurement(&mut self, r: Duration) {
        match self.srtt {
            None => {
                self.srtt = Some(r);
                self.rttvar = r / 2;
            }
            Some(srtt) => {
                // RTTVAR = (1 - 1/4) * RTTVAR + 1/4 * |SRTT - R'|; SRTT = 7/8 SRTT + 1/8 R'.
                let diff = srtt.abs_diff(r);
                self.rttvar = self.rttvar * 3 / 4 + diff / 4;
                self.srtt = Some(srtt * 7 / 8 + r / 8);
            }
        }
        let srtt = self.srtt.unwrap_or(r);
        // G (clock granularity) is taken as 1 ms.
        let var = (self.rttvar * 4).max(Duration::from_millis(1));
        self.rto = (srtt + var).clamp(self.min, self.max);
    }

    /// Doubles the RTO after a retransmission timeout ("back off the timer").
    pub fn back_off(&mut self) {
        self.rto = (self.rto * 2).min(self.max);
    }
}
