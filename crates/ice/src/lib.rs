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
//! - remote mDNS (`.local`) candidates are resolved by the caller, with the sans-IO codec and
//!   lookup in [`mdns`], and then added as IP candidates.
//!
//! Two agents connected back to back (a real caller sends [`Transmit`]s over its sockets):
//!
//! ```
//! use std::time::{Duration, Instant};
//! use rtcio_ice::*;
//!
//! let now = Instant::now();
//! let new_agent = |role, seed| Agent::new(AgentConfig { role, ..AgentConfig::default() },
//!                                          Box::new(DeterministicRandom::new(seed)));
//! let (mut a, mut b) = (new_agent(IceRole::Controlling, 1), new_agent(IceRole::Controlled, 2));
//! let (addr_a, addr_b) = ("10.0.0.1:5000".parse().unwrap(), "10.0.0.2:5000".parse().unwrap());
//! a.add_local_candidate(now, Candidate::host(addr_a, DEFAULT_LOCAL_PREFERENCE));
//! b.add_local_candidate(now, Candidate::host(addr_b, DEFAULT_LOCAL_PREFERENCE));
//! // Signaling: credentials and candidates, both ways.
//! let (ca, cb) = (a.local_credentials().clone(), b.local_credentials().clone());
//! a.set_remote_credentials(now, &cb.ufrag, &cb.pwd);
//! b.set_remote_credentials(now, &ca.ufrag, &ca.pwd);
//! let signal = |c: &Candidate| Candidate::remote(c.kind, c.addr, c.priority, c.foundation.clone());
//! let cand_a = signal(&a.local_candidates()[0]);
//! a.add_remote_candidate(now, signal(&b.local_candidates()[0]));
//! b.add_remote_candidate(now, cand_a);
//!
//! let mut t = now;
//! while a.state() != IceConnectionState::Connected || b.state() != IceConnectionState::Connected {
//!     for _ in 0..2 {
//!         while let Some(tx) = a.poll_transmit() {
//!             let recv = Receive { local_addr: tx.to, remote_addr: tx.from_base, data: &tx.data };
//!             assert!(b.handle_receive(t, recv));
//!         }
//!         std::mem::swap(&mut a, &mut b);
//!     }
//!     t += Duration::from_millis(10);
//!     for agent in [&mut a, &mut b] {
//!         if agent.poll_timeout().is_some_and(|d| d <= t) {
//!             agent.handle_timeout(t);
//!         }
//!     }
//!     assert!(t - now < Duration::from_secs(5));
//! }
//! let pair = a.selected_pair().unwrap();
//! assert_eq!((pair.from_base(), pair.to()), (addr_a, addr_b));
//! while let Some(event) = a.poll_event() {
//!     println!("{event:?}");
//! }
//! ```

pub mod candidate;
pub mod config;
pub mod event;
pub mod mdns;
pub mod pair;
pub mod random;
pub mod stats;

mod agent;
mod checklist;
mod wire;

pub use agent::{Agent, PairInfo};

pub use candidate::{
    Candidate, CandidateKind, DEFAULT_LOCAL_PREFERENCE, candidate_priority, compute_foundation,
};
pub use config::{AgentConfig, Credentials, IceRole, Nomination};
pub use event::{IceConnectionState, IceEvent, Receive, SelectedPair, Transmit};
pub use pair::{CandidatePairStats, PairId, PairState, pair_priority};
pub use random::{DeterministicRandom, RandomSource};
pub use stats::AgentStats;
