//! Sans-IO DTLS 1.2 transport (RFC 6347, 5763, 5764, 8842) on OpenSSL, and WebRTC certificates.
//!
//! [`Certificate`] is the local identity (W3C `RTCCertificate`); its [`Fingerprint`] goes into
//! SDP. [`DtlsTransport`] runs the handshake over an in-memory datagram pipe, authenticates the
//! peer by the fingerprint it signalled, exports the DTLS-SRTP keys
//! ([`SrtpKeyingMaterial`]) and carries application data (SCTP). It never touches a socket or
//! a clock: the caller passes datagrams and `now` in and drains datagrams, events and the next
//! timeout out.
//!
//! ```
//! use std::time::{Duration, Instant};
//! use rtcio_dtls::{Certificate, DtlsConfig, DtlsEvent, DtlsRole, DtlsTransport, DtlsTransportState, KeyType};
//!
//! let (cert_a, cert_b) = (Certificate::generate(KeyType::EcdsaP256)?, Certificate::generate(KeyType::EcdsaP256)?);
//! let mut config_a = DtlsConfig::new(DtlsRole::Client, cert_a.clone());
//! config_a.remote_fingerprints = vec![cert_b.fingerprint()];
//! let mut config_b = DtlsConfig::new(DtlsRole::Server, cert_b);
//! config_b.remote_fingerprints = vec![cert_a.fingerprint()];
//! let (mut a, mut b) = (DtlsTransport::new(config_a)?, DtlsTransport::new(config_b)?);
//!
//! let mut now = Instant::now();
//! a.start(now);
//! b.start(now);
//! a.send(b"too early").unwrap_err(); // only once connected
//! for _ in 0..100 {
//!     if b.state() == DtlsTransportState::Connected { break; }
//!     // A real driver sends these over the ICE transport and sleeps until the next timeout.
//!     while let Some(d) = a.poll_transmit() { b.handle_receive(now, &d); }
//!     while let Some(d) = b.poll_transmit() { a.handle_receive(now, &d); }
//!     now += Duration::from_millis(10);
//!     if a.poll_timeout().is_some_and(|t| t <= now) { a.handle_timeout(now); }
//!     if b.poll_timeout().is_some_and(|t| t <= now) { b.handle_timeout(now); }
//! }
//! a.send(b"hello")?;
//! while let Some(d) = a.poll_transmit() { b.handle_receive(now, &d); }
//! let mut received = Vec::new();
//! while let Some(event) = b.poll_event() {
//!     if let DtlsEvent::Data(data) = event { received.push(data); }
//! }
//! assert_eq!(received, vec![b"hello".to_vec()]);
//! assert_eq!(a.srtp_keying_material().unwrap().local_key, b.srtp_keying_material().unwrap().remote_key);
//! # Ok::<(), rtcio_dtls::DtlsError>(())
//! ```
//!
//! # Retransmission
//!
//! OpenSSL's DTLS timer reads the wall clock, and the `openssl` crate has no safe
//! `DTLSv1_handle_timeout`. To stay deterministic, the transport keeps a copy of the last flight
//! it sent and re-sends it when [`DtlsTransport::poll_timeout`] expires on the caller's clock
//! (initial [`DtlsConfig::initial_retransmit_timeout`], 1 s as RFC 6347 recommends, doubling up
//! to 60 s, failing after [`DtlsConfig::max_retransmissions`]). Every outgoing plaintext
//! (epoch 0) record gets a fresh record sequence number from the transport, so a copy is never
//! refused as a replay even when the peer had accepted and dropped the original (OpenSSL drops a
//! ChangeCipherSpec that overtakes earlier handshake fragments); the encrypted Finished is
//! re-sent as is, which is safe because the peer buffers next-epoch records. The handshake's
//! last flight has no answer to time out on: the endpoint that sent it re-sends it whenever the
//! peer repeats its Finished (RFC 6347 section 4.2.4). OpenSSL's own wall-clock timer may still
//! retransmit when a datagram arrives late in real time; that only adds redundant copies.
//!
//! # Handshake cost
//!
//! A full handshake takes 2 round trips (4 flights; 3 flights from the client when the server
//! uses a HelloVerifyRequest cookie). With ECDSA P-256 certificates each side sends about
//! 0.8 kB in 2 datagrams; see [`DtlsStats`].

mod bio;
mod certificate;
mod config;
mod context;
mod error;
mod event;
mod ffi;
mod fingerprint;
mod record;
mod retransmit;
mod srtp;
mod stats;
mod transport;

pub use certificate::{Certificate, CertificateParams, CertificatePem, DEFAULT_VALIDITY, KeyType};
pub use config::{
    DEFAULT_INITIAL_RETRANSMIT_TIMEOUT, DEFAULT_MAX_RETRANSMIT_TIMEOUT, DEFAULT_MTU, DtlsConfig,
    DtlsRole,
};
pub use error::DtlsError;
pub use event::{DtlsEvent, DtlsTransportState};
pub use fingerprint::{Fingerprint, FingerprintParseError, HashAlgorithm};
pub use srtp::{EXPORTER_LABEL, SrtpKeyingMaterial, SrtpProfile};
pub use stats::DtlsStats;
pub use transport::{DtlsTransport, MAX_DATAGRAM_LEN, MAX_MESSAGE_LEN};
