//! WebRTC and ORTC for tokio.
//!
//! This crate owns what the sans-IO core must not: UDP sockets (batched with GSO/GRO where the
//! kernel has them), timers and interface discovery. It drives the protocol state machines of
//! `rtcio-proto` and hands their events to users as awaitables, never callbacks.
//!
//! ```no_run
//! use rtcio::{DataChannelInit, RTCConfiguration, RTCPeerConnection};
//!
//! # async fn demo() -> Result<(), rtcio::Error> {
//! let offerer = RTCPeerConnection::new(RTCConfiguration::default()).await?;
//! let answerer = RTCPeerConnection::new(RTCConfiguration::default()).await?;
//! let channel = offerer.create_data_channel("chat", DataChannelInit::default()).await?;
//!
//! // Non-trickle signaling: every candidate is in the descriptions.
//! offerer.set_local_description(None).await?;
//! answerer.set_remote_description(offerer.local_description().unwrap()).await?;
//! answerer.set_local_description(None).await?;
//! offerer.set_remote_description(answerer.local_description().unwrap()).await?;
//!
//! channel.opened().await?;
//! channel.send_text("hello").await?;
//! # Ok(()) }
//! ```

mod config;
mod data_channel;
mod description;
mod error;
pub(crate) mod gather;
pub mod mdns;
pub mod media;
pub mod net;
pub mod ortc;
mod peer_connection;
pub mod signaling;

pub use config::{RTCBundlePolicy, RTCConfiguration, RTCIceServer, RTCIceTransportPolicy};
pub use data_channel::RTCDataChannel;
pub use description::{RTCIceCandidateInit, RTCSdpType, RTCSessionDescription};
pub use error::Error;
pub use ortc::{
    RTCDataChannelParameters, RTCDtlsFingerprint, RTCDtlsParameters, RTCDtlsRole, RTCDtlsTransport,
    RTCIceCandidate, RTCIceGatherer, RTCIceGathererState, RTCIceParameters, RTCIceTransport,
    RTCSctpCapabilities, RTCSctpTransport, StateChanges,
};
pub use peer_connection::{PeerConnectionEvent, RTCPeerConnection};
pub use rtcio_dtls::DtlsTransportState as RTCDtlsTransportState;
pub use rtcio_dtls::{Certificate as RTCCertificate, KeyType};
pub use rtcio_ice::{IceConnectionState as RTCIceTransportState, IceRole as RTCIceRole};
pub use rtcio_proto::peer::{
    DataChannelInit, DataChannelState, IceConnectionState as RTCIceConnectionState,
    IceGatheringState as RTCIceGatheringState, Message,
    PeerConnectionState as RTCPeerConnectionState, SignalingState as RTCSignalingState, Stats,
    StatsKind,
};
pub use rtcio_proto::transport::SctpTransportState as RTCSctpTransportState;
