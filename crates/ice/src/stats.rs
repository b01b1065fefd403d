//! Agent-wide counters: every dropped input is counted here.

/// Counters of the agent's STUN handling and bounds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgentStats {
    /// STUN messages received (well-formed or not).
    pub stun_received: u64,
    /// Datagrams that looked like STUN but did not decode: dropped.
    pub malformed_dropped: u64,
    /// Binding indications (keepalives, RFC 8445 §11): consumed, no response.
    pub keepalives_received: u64,
    /// STUN messages of a method or class the agent does not handle: dropped.
    pub unsupported_dropped: u64,
    /// Requests without USERNAME or MESSAGE-INTEGRITY: answered 400 Bad Request.
    pub bad_requests: u64,
    /// Requests with a wrong USERNAME or MESSAGE-INTEGRITY: answered 401 Unauthorized.
    pub unauthorized_requests: u64,
    /// Responses that failed authentication: dropped.
    pub unauthenticated_responses: u64,
    /// Responses matching no outstanding transaction: dropped.
    pub unknown_transactions: u64,
    /// Responses not from the address the request went to (RFC 8445 §7.2.5.2.1): pair failed.
    pub non_symmetric_responses: u64,
    /// Role conflicts detected (RFC 8445 §7.3.1.1, §7.2.5.1).
    pub role_conflicts: u64,
    /// Remote candidates dropped at the bound (or invalid).
    pub remote_candidates_dropped: u64,
    /// Local candidates dropped at the bound (or invalid).
    pub local_candidates_dropped: u64,
    /// Candidate pairs not formed or pruned at the bound.
    pub pairs_dropped: u64,
    /// Outputs dropped because the caller did not drain them (bounded queues).
    pub outputs_dropped: u64,
    /// Authenticated requests received on an address that is no local candidate's base, or
    /// whose pair could not be formed within the bounds: dropped unanswered.
    pub unknown_base_requests: u64,
}
