//! Configuration of a [`DtlsTransport`](crate::DtlsTransport).

use std::time::Duration;

use crate::certificate::Certificate;
use crate::fingerprint::Fingerprint;
use crate::srtp::SrtpProfile;

/// Which side of the DTLS handshake this endpoint plays (from SDP `a=setup`, RFC 5763:
/// `active` is the client, `passive` the server).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DtlsRole {
    /// Sends the ClientHello (`a=setup:active`).
    Client,
    /// Waits for the ClientHello (`a=setup:passive`).
    Server,
}

/// Default datagram size limit: fits any path with an IPv6 minimum MTU after ICE/TURN overhead.
pub const DEFAULT_MTU: usize = 1200;

/// Default initial handshake retransmission timeout (RFC 6347 section 4.2.4.1 recommends 1 s).
pub const DEFAULT_INITIAL_RETRANSMIT_TIMEOUT: Duration = Duration::from_secs(1);

/// Upper bound of the doubling retransmission timeout (RFC 6347: at least 60 s).
pub const DEFAULT_MAX_RETRANSMIT_TIMEOUT: Duration = Duration::from_secs(60);

/// Settings of one DTLS transport.
#[derive(Clone, Debug)]
pub struct DtlsConfig {
    /// Handshake role.
    pub role: DtlsRole,
    /// Local identity.
    pub certificate: Certificate,
    /// Fingerprints of the peer's certificate from signalling. May be left empty and provided
    /// later with [`DtlsTransport::set_remote_fingerprints`](crate::DtlsTransport::set_remote_fingerprints);
    /// the transport stays `Connecting` until they are known.
    pub remote_fingerprints: Vec<Fingerprint>,
    /// Largest datagram emitted during the handshake (handshake messages are fragmented to fit).
    /// At least 256.
    pub mtu: usize,
    /// SRTP profiles offered/accepted in `use_srtp`, in preference order; empty disables the
    /// extension (data channels only).
    pub srtp_profiles: Vec<SrtpProfile>,
    /// First handshake retransmission timeout; doubles on each retransmission. The default is
    /// the RFC's 1 s; on known-local networks a few hundred milliseconds speeds up recovery.
    pub initial_retransmit_timeout: Duration,
    /// Ceiling of the retransmission timeout.
    pub max_retransmit_timeout: Duration,
    /// Retransmissions of one flight before the handshake fails with `HandshakeTimeout`.
    pub max_retransmissions: u32,
    /// Bound of each internal datagram queue (received datagrams waiting for the handshake or
    /// for remote fingerprints; datagrams waiting in `poll_transmit`).
    pub max_queued_datagrams: usize,
    /// Bound of received application messages waiting in `poll_event`; beyond it they are
    /// dropped and counted.
    pub max_queued_messages: usize,
}

impl DtlsConfig {
    /// Defaults for `role` with `certificate`; remote fingerprints to be filled in.
    pub fn new(role: DtlsRole, certificate: Certificate) -> DtlsConfig {
        DtlsConfig {
            role,
            certificate,
            remote_fingerprints: Vec::new(),
            mtu: DEFAULT_MTU,
            srtp_profiles: SrtpProfile::DEFAULT.to_vec(),
            initial_retransmit_timeout: DEFAULT_INITIAL_RETRANSMIT_TIMEOUT,
            max_retransmit_timeout: DEFAULT_MAX_RETRANSMIT_TIMEOUT,
            max_retransmissions: 6,
            max_queued_datagrams: 256,
            max_queued_messages: 1024,
        }
    }
}
