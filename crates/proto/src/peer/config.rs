//! Configuration of a sans-IO peer connection (the protocol half of W3C `RTCConfiguration`).

use std::time::Duration;

use rtcio_dtls::Certificate;

/// How media and data are bundled on transports (W3C `RTCBundlePolicy`).
///
/// rtcio always uses a single transport (max-bundle). `Balanced` and `MaxCompat` are accepted
/// for API compatibility and negotiate the same way: every browser in use accepts a
/// max-bundle offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BundlePolicy {
    /// W3C default.
    Balanced,
    /// One transport for everything (what rtcio does).
    #[default]
    MaxBundle,
    /// Kept for compatibility.
    MaxCompat,
}

/// Settings of the protocol core.
#[derive(Debug, Clone)]
pub struct Config {
    /// The DTLS identity; one is generated (ECDSA P-256) when `None`.
    pub certificate: Option<Certificate>,
    /// Bundle policy.
    pub bundle_policy: BundlePolicy,
    /// Largest data channel message we accept, advertised as `a=max-message-size`
    /// (256 KiB like Chromium and aiortc).
    pub max_message_size: u64,
    /// DTLS datagram size limit, also the SCTP path MTU.
    pub mtu: usize,
    /// First DTLS handshake retransmission timeout.
    pub dtls_initial_retransmit_timeout: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            certificate: None,
            bundle_policy: BundlePolicy::MaxBundle,
            max_message_size: 262_144,
            mtu: 1200,
            // Browsers' first retransmission fires well under RFC 6347's 1 s; a lost first
            // flight on a LAN should not cost a second of setup.
            dtls_initial_retransmit_timeout: Duration::from_millis(400),
        }
    }
}
