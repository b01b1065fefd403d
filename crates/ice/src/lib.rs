//! Sans-IO ICE agent (RFC 8445, 8838 trickle, 7675 consent freshness).
//!
//! The crate has no sockets, clocks or threads: the caller adds the candidates it gathers, feeds
//! received STUN datagrams and timeouts with the current `Instant`, and drains transmits, events
//! and the next timeout. See `docs/ARCHITECTURE.md` for the conventions.
//!
//! Scope and limits:
//! - one data stream with one component (WebRTC's BUNDLE and rtcp-mux), UDP candidates;
//! - at most `max_local_candidates` (20), `max_remote_candidates` (50, peer-reflexive included)
//!   and `max_pairs` (100, RFC 8445 §6.1.2.5) by default; more are dropped and counted in
//!   [`AgentStats`];
//! - bounded output queues (256 transmits, 256 events): drain them after every call.

pub mod candidate;
pub mod config;
pub mod event;
pub mod pair;
pub mod random;
pub mod stats;

mod agent;
mod checklist;
mod wire;

pub use agent::{Agent, PairInfo};

pub use candidate::{Candidate, CandidateKind, candidate_priority, compute_foundation};
pub use config::{AgentConfig, Credentials, IceRole, Nomination};
pub use event::{IceConnectionState, IceEvent, Receive, SelectedPair, Transmit};
pub use pair::{CandidatePairStats, PairId, PairState, pair_priority};
pub use random::{DeterministicRandom, RandomSource};
pub use stats::AgentStats;
