//! WebRTC and ORTC for tokio.
//!
//! This crate owns what the sans-IO core must not: UDP sockets (batched with GSO/GRO where the
//! kernel has them), timers and interface discovery. It drives the protocol state machines of
//! `rtcio-proto` and hands their events to users as awaitables and streams.

pub mod net;
