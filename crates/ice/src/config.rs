//! Agent configuration.

use std::time::Duration;

/// The role of an agent (RFC 8445 §6.1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IceRole {
    /// The controlling agent nominates the pair that is used.
    Controlling,
    /// The controlled agent follows the controlling agent's nomination.
    Controlled,
}

impl IceRole {
    /// The other role.
    pub fn opposite(self) -> IceRole {
        match self {
            IceRole::Controlling => IceRole::Controlled,
            IceRole::Controlled => IceRole::Controlling,
        }
    }
}

/// How a controlling agent nominates (RFC 8445 §8.1.1, RFC 5245 §8.1.1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Nomination {
    /// Checks run without USE-CANDIDATE; the best succeeded pair is then nominated with a
    /// second check carrying USE-CANDIDATE (RFC 8445).
    Regular,
    /// Every check carries USE-CANDIDATE, and the highest-priority pair that succeeds is used
    /// (RFC 5245; deprecated by RFC 8445 but still met in the wild).
    Aggressive,
}

/// ICE credentials: `ice-ufrag` and `ice-pwd` (RFC 8445 §5.3).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Credentials {
    /// The username fragment.
    pub ufrag: String,
    /// The password.
    pub pwd: String,
}

impl Credentials {
    /// Credentials from a username fragment and a password.
    pub fn new(ufrag: impl Into<String>, pwd: impl Into<String>) -> Credentials {
        Credentials {
            ufrag: ufrag.into(),
            pwd: pwd.into(),
        }
    }
}

/// Configuration of an [`Agent`](crate::Agent). `Default` gives browser-like values.
#[derive(Debug, Clone)]
pub struct AgentConfig {
    /// The initial role. It changes on a role conflict (RFC 8445 §7.3.1.1) and is forced to
    /// controlling against an ICE-lite peer.
    pub role: IceRole,
    /// Local credentials; generated from the injected randomness when `None`.
    pub local_credentials: Option<Credentials>,
    /// The tie-breaker (RFC 8445 §7.1.1); random when `None`.
    pub tie_breaker: Option<u64>,
    /// How the agent nominates when it is controlling.
    pub nomination: Nomination,
    /// `Ta`, the pacing between new checks (RFC 8445 §14.2, default 50 ms).
    pub ta: Duration,
    /// Initial retransmission timeout of a check (RFC 8445 §14.3, default 500 ms); it doubles on
    /// every retransmission up to `max_rto`.
    pub initial_rto: Duration,
    /// Largest retransmission timeout of a check (default 1 s: checks are tiny, and a shorter
    /// backoff keeps connection setup quick on lossy paths).
    pub max_rto: Duration,
    /// Transmissions of one check before the pair fails (default 7, like STUN's Rc).
    pub max_transmits: u32,
    /// With regular nomination, how long the controlling agent waits after the first pair
    /// succeeds for better pairs to complete before nominating the best one (a best-possible
    /// pair is nominated at once).
    pub nomination_delay: Duration,
    /// Interval between consent freshness requests (RFC 7675 §5.1: 5 s, randomized to
    /// 0.8–1.2 times this value).
    pub consent_interval: Duration,
    /// No authenticated response on the selected pair for this long (while a consent request
    /// is outstanding) reports `disconnected` (default 5 s).
    pub disconnected_timeout: Duration,
    /// Consent expires when no response arrived for this long (RFC 7675 §5.1: 30 s): the state
    /// becomes `failed`.
    pub consent_timeout: Duration,
    /// Most remote candidates kept (peer-reflexive ones included); more are dropped and counted.
    pub max_remote_candidates: usize,
    /// Most local candidates kept; more are dropped and counted.
    pub max_local_candidates: usize,
    /// Most candidate pairs in the checklist (RFC 8445 §6.1.2.5 suggests 100); the
    /// lowest-priority pairs that have not been checked are pruned beyond it.
    pub max_pairs: usize,
}

impl Default for AgentConfig {
    fn default() -> AgentConfig {
        AgentConfig {
            role: IceRole::Controlling,
            local_credentials: None,
            tie_breaker: None,
            nomination: Nomination::Regular,
            ta: Duration::from_millis(50),
            initial_rto: Duration::from_millis(500),
            max_rto: Duration::from_millis(1000),
            max_transmits: 7,
            nomination_delay: Duration::from_millis(1000),
            consent_interval: Duration::from_secs(5),
            disconnected_timeout: Duration::from_secs(5),
            consent_timeout: Duration::from_secs(30),
            max_remote_candidates: 50,
            max_local_candidates: 20,
            max_pairs: 100,
        }
    }
}

impl AgentConfig {
    /// The configuration with every duration and count brought into a range the agent's timer
    /// arithmetic cannot overflow or spin on: durations within 1 ms..=1 h, `max_rto` at least
    /// `initial_rto`, 1..=100 transmissions, 1..=1000 candidates per side and 1..=10000 pairs.
    pub(crate) fn sanitized(mut self) -> AgentConfig {
        let clamp = |d: Duration| d.clamp(Duration::from_millis(1), Duration::from_secs(3600));
        self.ta = clamp(self.ta);
        self.initial_rto = clamp(self.initial_rto);
        self.max_rto = clamp(self.max_rto).max(self.initial_rto);
        self.nomination_delay = clamp(self.nomination_delay);
        self.consent_interval = clamp(self.consent_interval);
        self.disconnected_timeout = clamp(self.disconnected_timeout);
        self.consent_timeout = clamp(self.consent_timeout);
        self.max_transmits = self.max_transmits.clamp(1, 100);
        self.max_remote_candidates = self.max_remote_candidates.clamp(1, 1000);
        self.max_local_candidates = self.max_local_candidates.clamp(1, 1000);
        self.max_pairs = self.max_pairs.clamp(1, 10_000);
        self
    }
}
