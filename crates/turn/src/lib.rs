//! Sans-IO TURN client (RFC 8656) for one allocation, a STUN Binding client for
//! server-reflexive discovery (RFC 8489), and the `stun:`/`turn:`/`turns:` URL parser
//! (RFC 7064, RFC 7065).
//!
//! Nothing here owns a socket or reads a clock: every call takes `now`, outputs are drained with
//! `poll_transmit`/`poll_event`, and `poll_timeout` says when to call `handle_timeout`.
//! Transaction ids come from an injected [`IdSource`], so tests are deterministic.
//!
//! * [`TurnClient`]: Allocate with long-term credentials (401 and 438 handled), Refresh before
//!   expiry and with lifetime 0 on close, CreatePermission and ChannelBind with their refreshes,
//!   ChannelData for bound peers and Send/Data indications otherwise.
//! * [`BindingClient`]: one Binding transaction with retransmissions, giving the mapped address.
//! * [`IceServerUrl`]: host, port and transport of a STUN or TURN server URL.
//!
//! Over UDP requests are retransmitted (RTO 500 ms doubling, 7 transmissions, RFC 8489 §6.2.1);
//! over TCP and TLS they are sent once and time out after 39.5 s.
//!
//! ```
//! use std::time::{Duration, Instant};
//! use rtcio_stun::{Message, Method, TransactionId};
//! use rtcio_turn::{ClientConfig, Transport, TurnClient};
//!
//! let now = Instant::now();
//! let mut n = 0u8;
//! let ids = Box::new(move || {
//!     n += 1;
//!     TransactionId::new([n; 12])
//! });
//! let mut client = TurnClient::new(ClientConfig::new(Transport::Udp, "user", "pass"), now, ids);
//!
//! // The first Allocate goes out unsigned, to learn the realm and nonce from the 401.
//! let datagram = client.poll_transmit().unwrap();
//! let msg = Message::decode(&datagram)?;
//! assert_eq!(msg.method(), Method::ALLOCATE);
//! assert!(!msg.has_integrity());
//! assert_eq!(client.poll_timeout(), Some(now + Duration::from_millis(500)));
//! // Then: feed the server's answers to `handle_message`, call `handle_timeout` at
//! // `poll_timeout`, and read `Event::Allocated { relayed, .. }` from `poll_event`.
//! # Ok::<(), rtcio_stun::StunError>(())
//! ```

pub mod binding;
pub mod client;
pub mod retransmit;
pub mod url;

mod auth;
mod permissions;

pub use binding::{BindingClient, BindingEvent};
pub use client::{ClientConfig, Event, FailReason, SendError, Stats, Transport, TurnClient};
pub use retransmit::Retransmit;
pub use url::{IceServerUrl, Scheme, UrlError, UrlTransport};

/// Where fresh transaction ids come from: a CSPRNG in production
/// ([`rtcio_stun::TransactionId::random`]), a counter in tests.
pub type IdSource = Box<dyn FnMut() -> rtcio_stun::TransactionId + Send>;
