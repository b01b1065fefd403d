//! Error type of the crate.

use std::fmt;

use crate::fingerprint::Fingerprint;

/// Everything that can go wrong in certificates and the DTLS transport.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DtlsError {
    /// OpenSSL reported an error (key generation, context setup, key export...).
    Crypto(String),
    /// A certificate or key could not be built or loaded.
    InvalidCertificate(&'static str),
    /// A configuration value is out of range.
    InvalidConfig(&'static str),
    /// The peer's certificate matches none of the fingerprints signalled for it (RFC 8122).
    FingerprintMismatch {
        /// Fingerprints received from signalling.
        expected: Vec<Fingerprint>,
        /// Fingerprint of the certificate the peer presented (hashed like `expected[0]`).
        actual: Fingerprint,
    },
    /// The handshake completed without a peer certificate.
    NoPeerCertificate,
    /// The handshake did not complete within the retransmission budget.
    HandshakeTimeout,
    /// OpenSSL aborted the handshake (fatal alert sent or received, bad message...).
    Handshake(String),
    /// A fatal error after the handshake (fatal alert received, decoding failure...).
    Protocol(String),
    /// Application data can only be sent in the `Connected` state.
    NotConnected,
    /// The message exceeds the DTLS record payload limit.
    MessageTooLarge {
        /// Length of the rejected message.
        len: usize,
        /// Largest accepted length.
        max: usize,
    },
    /// Too many datagrams wait in `poll_transmit`; drain it and retry.
    SendQueueFull,
}

impl fmt::Display for DtlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DtlsError::Crypto(e) => write!(f, "crypto error: {e}"),
            DtlsError::InvalidCertificate(e) => write!(f, "invalid certificate: {e}"),
            DtlsError::InvalidConfig(e) => write!(f, "invalid DTLS configuration: {e}"),
            DtlsError::FingerprintMismatch { expected, actual } => {
                write!(
                    f,
                    "remote certificate fingerprint {actual} matches none of ["
                )?;
                for (i, fp) in expected.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{fp}")?;
                }
                f.write_str("]")
            }
            DtlsError::NoPeerCertificate => f.write_str("peer presented no certificate"),
            DtlsError::HandshakeTimeout => f.write_str("DTLS handshake timed out"),
            DtlsError::Handshake(e) => write!(f, "DTLS handshake failed: {e}"),
            DtlsError::Protocol(e) => write!(f, "DTLS protocol error: {e}"),
            DtlsError::NotConnected => f.write_str("DTLS transport is not connected"),
            DtlsError::MessageTooLarge { len, max } => {
                write!(
                    f,
                    "message of {len} bytes exceeds the {max}-byte record limit"
                )
            }
            DtlsError::SendQueueFull => f.write_str("transmit queue full"),
        }
    }
}

impl std::error::Error for DtlsError {}

impl From<openssl::error::ErrorStack> for DtlsError {
    fn from(e: openssl::error::ErrorStack) -> Self {
        DtlsError::Crypto(e.to_string())
    }
}
