//! `RTCConfiguration`: what users configure, in the W3C shape.

use std::ops::RangeInclusive;

use rtcio_dtls::Certificate;

use crate::net::InterfaceFilter;

pub use rtcio_proto::peer::BundlePolicy as RTCBundlePolicy;

/// W3C `RTCIceServer`: STUN or TURN server URLs with credentials.
///
/// No server is contacted unless configured: the default configuration has none, and two
/// peers on one host or LAN connect through host candidates alone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RTCIceServer {
    /// `stun:host:port`, `turn:host:port?transport=udp|tcp`, `turns:host:port` (RFC 7064/7065).
    pub urls: Vec<String>,
    /// TURN username.
    pub username: Option<String>,
    /// TURN password.
    pub credential: Option<String>,
}

/// W3C `RTCIceTransportPolicy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RTCIceTransportPolicy {
    /// Every candidate type.
    #[default]
    All,
    /// Only relayed candidates (TURN), hiding local addresses.
    Relay,
}

/// W3C `RTCConfiguration`, plus where host candidates come from.
#[derive(Debug, Clone)]
pub struct RTCConfiguration {
    /// STUN/TURN servers (none by default).
    pub ice_servers: Vec<RTCIceServer>,
    /// Candidate types allowed.
    pub ice_transport_policy: RTCIceTransportPolicy,
    /// Bundle policy (rtcio always bundles everything on one transport).
    pub bundle_policy: RTCBundlePolicy,
    /// Certificates; the first is used. One is generated when empty.
    pub certificates: Vec<Certificate>,
    /// Which interfaces and addresses give host candidates.
    pub interfaces: InterfaceFilter,
    /// Local UDP ports to bind; `None` lets the OS choose.
    pub port_range: Option<RangeInclusive<u16>>,
    /// Largest incoming data channel message (`a=max-message-size`).
    pub max_message_size: u64,
}

impl Default for RTCConfiguration {
    fn default() -> Self {
        RTCConfiguration {
            ice_servers: Vec::new(),
            ice_transport_policy: RTCIceTransportPolicy::All,
            bundle_policy: RTCBundlePolicy::MaxBundle,
            certificates: Vec::new(),
            interfaces: InterfaceFilter::default(),
            port_range: None,
            max_message_size: rtcio_proto::peer::Config::default().max_message_size,
        }
    }
}
