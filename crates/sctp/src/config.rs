//! Association configuration.

use std::time::Duration;

/// Parameters of an association. [`Config::default`] matches what browsers use for WebRTC data
/// channels (RFC 8841: SCTP port 5000, max-message-size 262144; 65535 streams each way).
#[derive(Debug, Clone)]
pub struct Config {
    /// Local SCTP port (`a=sctp-port`).
    pub local_port: u16,
    /// Remote SCTP port.
    pub remote_port: u16,
    /// Largest SCTP packet, common header included (the DTLS record payload).
    pub mtu: usize,
    /// Receive buffer: the advertised receiver window (a_rwnd) when empty, in bytes. Data
    /// delivered but not yet taken with `poll_event` counts against it.
    pub max_receive_buffer: usize,
    /// Bytes that may wait in the send queues (not yet transmitted) before `send` refuses.
    pub max_send_buffer: usize,
    /// Largest user message accepted by `send` and by reassembly.
    pub max_message_size: usize,
    /// Outbound streams requested (OS in INIT).
    pub num_outbound_streams: u16,
    /// Inbound streams accepted (MIS in INIT).
    pub max_inbound_streams: u16,
    /// RTO.Initial.
    pub rto_initial: Duration,
    /// RTO.Min.
    pub rto_min: Duration,
    /// RTO.Max.
    pub rto_max: Duration,
    /// Max.Init.Retransmits (INIT and COOKIE-ECHO).
    pub max_init_retransmits: u32,
    /// Association.Max.Retrans: consecutive unacknowledged retransmission timeouts or heartbeats
    /// before the association is declared dead.
    pub max_retransmits: u32,
    /// HB.interval; `None` disables heartbeats.
    pub heartbeat_interval: Option<Duration>,
    /// Delayed SACK timeout (RFC 9260 §6.2: at most 500 ms; 200 ms recommended).
    pub delayed_ack: Duration,
    /// Send a SACK at least every this many packets carrying DATA.
    pub sack_every: u32,
    /// Valid.Cookie.Life.
    pub cookie_lifetime: Duration,
    /// Offer I-DATA (RFC 8260 message interleaving); used when the peer offers it too.
    pub enable_interleaving: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            local_port: 5000,
            remote_port: 5000,
            mtu: 1200,
            max_receive_buffer: 4 * 1024 * 1024,
            max_send_buffer: 16 * 1024 * 1024,
            max_message_size: 262_144,
            num_outbound_streams: 65535,
            max_inbound_streams: 65535,
            rto_initial: Duration::from_secs(1),
            rto_min: Duration::from_millis(400),
            rto_max: Duration::from_secs(60),
            max_init_retransmits: 8,
            max_retransmits: 10,
            heartbeat_interval: Some(Duration::from_secs(30)),
            delayed_ack: Duration::from_millis(200),
            sack_every: 2,
            cookie_lifetime: Duration::from_secs(60),
            enable_interleaving: false,
        }
    }
}
