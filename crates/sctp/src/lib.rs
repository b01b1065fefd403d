//! Sans-IO SCTP association over DTLS (RFC 9260, 8261) and data channels (RFC 8831, 8832).
//!
//! The crate deals in SCTP packets: each packet is the payload of one DTLS record. Feed received
//! packets with [`Association::handle_receive`], drain [`Association::poll_transmit`] and
//! [`Association::poll_event`], and drive timers with [`Association::poll_timeout`] /
//! [`Association::handle_timeout`]. Time is always passed in; nothing here reads a clock or a
//! random source (randomness comes from the seed given to [`Association::new`]).

pub mod association;
pub mod channel;
pub mod chunk;
pub mod config;
pub mod dcep;
pub mod error;
pub mod event;
pub mod packet;
pub mod tsn;
pub mod wire;

pub use association::{Association, Reliability, State, Stats};
pub use bytes;
pub use channel::{ChannelEvent, ChannelInit, DataChannels, DtlsRole, ReadyState};
pub use config::Config;
pub use error::{Error, ParseError};
pub use event::{CloseReason, Event};
pub use packet::{CommonHeader, Packet};
