//! Sans-IO SCTP association over DTLS (RFC 9260, 8261) and data channels (RFC 8831, 8832).
//!
//! The crate deals in SCTP packets: each packet is the payload of one DTLS record. Feed received
//! packets with [`Association::handle_receive`], drain [`Association::poll_transmit`] and
//! [`Association::poll_event`], and drive timers with [`Association::poll_timeout`] /
//! [`Association::handle_timeout`]. Time is always passed in; nothing here reads a clock or a
//! random source (randomness comes from the seed given to [`Association::new`]).
//!
//! [`DataChannels`] layers WebRTC data channels (DCEP, PPIDs, stream reset on close) on top.
//!
//! ```
//! use std::time::Instant;
//! use rtcio_sctp::{ChannelEvent, ChannelInit, Config, DataChannels, DtlsRole};
//! use rtcio_sctp::bytes::Bytes;
//!
//! let now = Instant::now();
//! let mut client = DataChannels::new(Config::default(), now, b"seed one", DtlsRole::Client);
//! let mut server = DataChannels::new(Config::default(), now, b"seed two", DtlsRole::Server);
//! let chat = ChannelInit { label: "chat".into(), ..ChannelInit::default() };
//! let id = client.create_channel(now, chat).unwrap();
//! client.connect(now);
//! // Shuttle packets (in a real stack: DTLS records) until both sides are quiet.
//! let mut sent = false;
//! loop {
//!     let mut moved = false;
//!     while let Some(p) = client.poll_transmit(now) { server.handle_receive(now, &p); moved = true; }
//!     while let Some(p) = server.poll_transmit(now) { client.handle_receive(now, &p); moved = true; }
//!     if !sent && client.association().is_established() {
//!         client.send(now, id, Bytes::from_static(b"hello"), false).unwrap();
//!         sent = true;
//!         moved = true;
//!     }
//!     if !moved { break; }
//! }
//! let events: Vec<ChannelEvent> = std::iter::from_fn(|| server.poll_event()).collect();
//! assert!(events.iter().any(|e| matches!(e, ChannelEvent::IncomingChannel { id: 0, .. })));
//! assert!(events.contains(&ChannelEvent::Message {
//!     id: 0,
//!     data: Bytes::from_static(b"hello"),
//!     binary: false,
//! }));
//! ```

pub mod association;
pub mod channel;
pub mod chunk;
pub mod config;
pub mod dcep;
pub mod error;
pub mod event;
mod hash;
pub mod packet;
pub mod tsn;
pub mod wire;

pub use association::{Association, Reliability, State, Stats};
pub use bytes;
pub use channel::{
    Channel, ChannelEvent, ChannelInit, ChannelStats, DataChannels, DtlsRole, ReadyState,
};
pub use config::Config;
pub use error::{Error, ParseError};
pub use event::{CloseReason, Event};
pub use packet::{CommonHeader, Packet};
