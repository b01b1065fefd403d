//! OpenSSL setup of one DTLS 1.2 connection, with browser-like parameters.
//!
//! Everything that is the same for every connection (protocol version, ciphers, groups,
//! options) lives in one process-wide `SslContext`, built on first use: building a context
//! costs about 0.2 ms of cipher and group table set-up in OpenSSL 3 and about 10 KiB, which
//! was a tenth of a loopback connect. What belongs to one connection (certificate and key, the
//! fingerprint check, SRTP profiles, MTU, role) is set on its `Ssl`.

use std::sync::{Arc, OnceLock};

use openssl::error::ErrorStack;
use openssl::ssl::{
    Ssl, SslContext, SslContextBuilder, SslMethod, SslMode, SslOptions, SslSessionCacheMode,
    SslStream, SslVerifyMode, SslVersion,
};

use openssl::x509::X509VerifyResult;

use crate::bio::DatagramBio;
use crate::config::{DtlsConfig, DtlsRole};
use crate::error::DtlsError;
use crate::fingerprint::Fingerprint;

/// The peer's leaf certificate (DER) as seen by the verify callback during the handshake.
pub(crate) type SeenCertificate = Arc<OnceLock<Vec<u8>>>;

/// ECDHE AEAD suites first, then the CBC suites browsers still accept.
const CIPHER_LIST: &str = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:\
ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:\
ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:\
ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA";

/// Key exchange groups, in browser order.
const GROUPS: &str = "X25519:P-256:P-384";

/// Smallest MTU accepted (OpenSSL refuses smaller ones).
const MIN_MTU: usize = 256;

/// The process-wide context (see the module documentation). It holds no certificate, no
/// callback and no session cache, so connections share nothing through it but settings.
fn shared_context() -> Result<&'static SslContext, DtlsError> {
    static CONTEXT: OnceLock<Result<SslContext, ErrorStack>> = OnceLock::new();
    CONTEXT
        .get_or_init(build_context)
        .as_ref()
        .map_err(|e| DtlsError::from(e.clone()))
}

fn build_context() -> Result<SslContext, ErrorStack> {
    let mut ctx = SslContextBuilder::new(SslMethod::dtls())?;
    ctx.set_min_proto_version(Some(SslVersion::DTLS1_2))?;
    ctx.set_max_proto_version(Some(SslVersion::DTLS1_2))?;
    ctx.set_cipher_list(CIPHER_LIST)?;
    ctx.set_groups_list(GROUPS)?;
    // The MTU is ours, not the (absent) socket's; no tickets or renegotiation in WebRTC.
    ctx.set_options(
        SslOptions::NO_QUERY_MTU | SslOptions::NO_TICKET | SslOptions::NO_RENEGOTIATION,
    );
    ctx.set_session_cache_mode(SslSessionCacheMode::OFF);
    // OpenSSL frees its 16 KiB read and write record buffers whenever they are empty instead
    // of keeping them for the connection's lifetime: an idle connection holds neither.
    ctx.set_mode(SslMode::RELEASE_BUFFERS);
    Ok(ctx.build())
}

/// Builds the SSL object and wraps it around a fresh datagram BIO. The returned cell receives
/// the peer's certificate if the verify callback rejected it.
pub(crate) fn build_stream(
    config: &DtlsConfig,
) -> Result<(SslStream<DatagramBio>, SeenCertificate), DtlsError> {
    if config.mtu < MIN_MTU || config.mtu > usize::from(u16::MAX) {
        return Err(DtlsError::InvalidConfig("mtu must be within 256..=65535"));
    }
    if config.max_queued_datagrams == 0 || config.max_queued_messages == 0 {
        return Err(DtlsError::InvalidConfig("queue bounds must be positive"));
    }
    if config.initial_retransmit_timeout.is_zero() {
        return Err(DtlsError::InvalidConfig(
            "initial retransmit timeout must be positive",
        ));
    }

    let mut ssl = Ssl::new(shared_context()?)?;
    // `Certificate` guarantees the key matches the certificate (generated together, or
    // checked when loaded from PEM).
    ssl.set_certificate(config.certificate.x509())?;
    ssl.set_private_key(config.certificate.private_key())?;
    // Peers use self-signed certificates: any chain is acceptable, the peer is authenticated by
    // fingerprint (RFC 8122). Fingerprints known now are checked here, so a mismatch aborts the
    // handshake with a fatal alert the peer sees; the transport checks again (or for
    // the first time, when they arrive late) once the handshake completes. The server requests
    // and requires a client certificate.
    let rejected: SeenCertificate = Arc::new(OnceLock::new());
    let expected: Vec<Fingerprint> = config.remote_fingerprints.clone();
    let rejected_in_callback = Arc::clone(&rejected);
    ssl.set_verify_callback(
        SslVerifyMode::PEER | SslVerifyMode::FAIL_IF_NO_PEER_CERT,
        move |_preverify_ok, store| {
            if expected.is_empty() || store.error_depth() != 0 {
                return true;
            }
            let Some(der) = store.current_cert().and_then(|c| c.to_der().ok()) else {
                return false;
            };
            if expected.iter().any(|fp| fp.matches_der(&der)) {
                return true;
            }
            let _ = rejected_in_callback.set(der);
            // Reported to the peer as a handshake_failure alert.
            store.set_error(X509VerifyResult::APPLICATION_VERIFICATION);
            false
        },
    );
    if !config.srtp_profiles.is_empty() {
        let names: Vec<&str> = config
            .srtp_profiles
            .iter()
            .map(|p| p.openssl_name())
            .collect();
        ssl.set_tlsext_use_srtp(&names.join(":"))?;
    }
    let mtu = u32::try_from(config.mtu).map_err(|_| DtlsError::InvalidConfig("mtu"))?;
    ssl.set_mtu(mtu)?;
    match config.role {
        DtlsRole::Client => ssl.set_connect_state(),
        DtlsRole::Server => ssl.set_accept_state(),
    }
    let stream = SslStream::new(ssl, DatagramBio::new(config.max_queued_datagrams))?;
    Ok((stream, rejected))
}
