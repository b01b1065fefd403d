//! Deterministic simulated network with a virtual clock, for testing sans-IO protocol cores.
//!
//! Two or more sans-IO endpoints exchange [`Datagram`]s through a [`Network`] whose links drop,
//! delay, jitter, reorder, duplicate and rate-limit packets. Every random choice comes from one
//! seeded generator, so a failing test replays exactly. Time never comes from the system clock:
//! the caller (or [`Sim`]) advances a virtual `Instant` from one deadline to the next, so a
//! 30-second consent timeout takes microseconds to test.
//!
//! ```
//! use std::time::{Duration, Instant};
//! use rtcio_netsim::{Datagram, LinkConfig, Network};
//!
//! let start = Instant::now();
//! let mut net = Network::new(7);
//! net.set_default_link(LinkConfig { latency: Duration::from_millis(20), ..LinkConfig::default() });
//! let a = "10.0.0.1:5000".parse().unwrap();
//! let b = "10.0.0.2:5000".parse().unwrap();
//! net.send(start, Datagram::new(a, b, b"hello".to_vec()));
//! assert!(net.poll_recv(start).is_none());
//! let at = net.poll_timeout().unwrap();
//! assert_eq!(at - start, Duration::from_millis(20));
//! assert_eq!(net.poll_recv(at).unwrap().payload, b"hello");
//! ```

mod link;
mod network;
mod rng;
mod sim;

pub use link::LinkConfig;
pub use network::{Datagram, NetStats, Network};
pub use rng::Rng;
pub use sim::{Peer, Sim, SimError};
