//! STUN (RFC 8489) and TURN (RFC 8656) message codec, including ChannelData framing. Sans-IO.
//!
//! * [`Message::decode`] parses a datagram into a [`Message`] that borrows it (see the
//!   [`message`] module for why), with typed [`Attribute`]s; [`Message::verify_integrity`],
//!   [`Message::verify_integrity_sha256`] and [`Message::verify_fingerprint`] authenticate it.
//! * [`MessageBuilder`] appends attributes and computes MESSAGE-INTEGRITY(-SHA256) and
//!   FINGERPRINT; keys come from [`integrity::short_term_key`] and [`integrity::long_term_key`].
//! * [`ChannelData`] encodes and decodes TURN ChannelData; [`framing`] cuts messages out of TCP
//!   streams (TURN-TCP and RFC 4571 for ICE-TCP).
//! * [`is_stun`] is the cheap check a demultiplexer uses.
//!
//! Hostile input never panics: every failure is a [`StunError`], and decoding allocates at most
//! one attribute list bounded by [`MAX_ATTRIBUTES`].

pub mod attr;
pub mod builder;
pub mod channel_data;
pub mod error;
pub mod framing;
pub mod header;
pub mod integrity;
pub mod message;

pub use attr::{
    AddressFamily, Attribute, AttributeType, ErrorCode, PasswordAlgorithm, PasswordAlgorithmValue,
    TransportProtocol,
};
pub use builder::MessageBuilder;
pub use channel_data::{ChannelData, Framing};
pub use error::{AttributeErrorKind, StunError};
pub use header::{Class, HEADER_LEN, MAGIC_COOKIE, Method, TransactionId, is_stun};
pub use message::{MAX_ATTRIBUTES, Message};
