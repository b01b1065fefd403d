//! Candidate pairs (RFC 8445 §6.1.2): priority, state and per-pair statistics.

use std::fmt;
use std::time::Duration;

/// Computes a candidate pair priority (RFC 8445 §6.1.2.3) from the controlling agent's candidate
/// priority `g` and the controlled agent's candidate priority `d`:
/// `2^32 * MIN(G,D) + 2 * MAX(G,D) + (G > D ? 1 : 0)`.
pub fn pair_priority(g: u32, d: u32) -> u64 {
    let (g, d) = (u64::from(g), u64::from(d));
    // Remote priorities come from the wire and may exceed the 2^31 the RFC allows: saturate.
    (g.min(d) << 32)
        .saturating_add(2 * g.max(d))
        .saturating_add(u64::from(g > d))
}

/// The state of a candidate pair (RFC 8445 §6.1.2.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PairState {
    /// A check has not been sent, and will wait until a pair of the same foundation succeeds or
    /// no waiting pair is left.
    #[default]
    Frozen,
    /// A check can be sent as soon as this is the highest-priority waiting pair.
    Waiting,
    /// A check has been sent and its transaction is in progress.
    InProgress,
    /// A check produced a successful result.
    Succeeded,
    /// A check failed (timeout or unrecoverable error response).
    Failed,
}

impl PairState {
    /// The W3C `RTCStatsIceCandidatePairState` name.
    pub fn as_str(self) -> &'static str {
        match self {
            PairState::Frozen => "frozen",
            PairState::Waiting => "waiting",
            PairState::InProgress => "in-progress",
            PairState::Succeeded => "succeeded",
            PairState::Failed => "failed",
        }
    }
}

impl fmt::Display for PairState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Identifies a candidate pair within one agent. Ids are not reused during an agent's life
/// (across ICE restarts too).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PairId(pub(crate) u64);

/// Statistics of one candidate pair, named after W3C `RTCIceCandidatePairStats`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CandidatePairStats {
    /// `packetsSent`: data-path packets the caller reported sending on this pair.
    pub packets_sent: u64,
    /// `packetsReceived`: data-path packets the caller reported receiving on this pair.
    pub packets_received: u64,
    /// `bytesSent`: data-path payload bytes the caller reported sending on this pair.
    pub bytes_sent: u64,
    /// `bytesReceived`: data-path payload bytes the caller reported receiving on this pair.
    pub bytes_received: u64,
    /// `requestsSent`: connectivity-check and consent requests sent (retransmissions included).
    pub requests_sent: u64,
    /// `requestsReceived`: authenticated requests received.
    pub requests_received: u64,
    /// `responsesSent`: success responses sent.
    pub responses_sent: u64,
    /// `responsesReceived`: authenticated success responses received.
    pub responses_received: u64,
    /// `consentRequestsSent`: consent freshness requests sent (RFC 7675).
    pub consent_requests_sent: u64,
    /// `currentRoundTripTime`: the latest round-trip time measured by a check.
    pub current_round_trip_time: Option<Duration>,
    /// `totalRoundTripTime`: the sum of all round-trip times measured.
    pub total_round_trip_time: Duration,
    /// `nominated`: whether this pair has been nominated.
    pub nominated: bool,
    /// `state`: the pair state.
    pub state: PairState,
}
