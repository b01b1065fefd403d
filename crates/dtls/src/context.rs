//! OpenSSL setup of one DTLS 1.2 connection, with browser-like parameters.

use openssl::ssl::{
    Ssl, SslContextBuilder, SslMethod, SslOptions, SslSessionCacheMode, SslStream, SslVerifyMode,
    SslVersion,
};

use crate::bio::DatagramBio;
use crate::config::{DtlsConfig, DtlsRole};
use crate::error::DtlsError;

/// ECDHE AEAD suites first, then the CBC suites browsers still accept.
const CIPHER_LIST: &str = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:\
ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:\
ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:\
ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA";

/// Key exchange groups, in browser order.
const GROUPS: &str = "X25519:P-256:P-384";

/// Smallest MTU accepted (OpenSSL refuses smaller ones).
const MIN_MTU: usize = 256;

/// Builds the SSL object and wraps it around a fresh datagram BIO.
pub(crate) fn build_stream(config: &DtlsConfig) -> Result<SslStream<DatagramBio>, DtlsError> {
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
    ctx.set_certificate(config.certificate.x509())?;
    ctx.set_private_key(config.certificate.private_key())?;
    ctx.check_private_key()?;
    // Peers use self-signed certificates: accept any chain here; the peer is authenticated by
    // comparing its certificate with the signalled fingerprints once the handshake completes.
    // The server requests and requires a client certificate.
    ctx.set_verify_callback(
        SslVerifyMode::PEER | SslVerifyMode::FAIL_IF_NO_PEER_CERT,
        |_preverify_ok, _store| true,
    );
    if !config.srtp_profiles.is_empty() {
        let names: Vec<&str> = config
            .srtp_profiles
            .iter()
            .map(|p| p.openssl_name())
            .collect();
        ctx.set_tlsext_use_srtp(&names.join(":"))?;
    }
    let ctx = ctx.build();

    let mut ssl = Ssl::new(&ctx)?;
    let mtu = u32::try_from(config.mtu).map_err(|_| DtlsError::InvalidConfig("mtu"))?;
    ssl.set_mtu(mtu)?;
    match config.role {
        DtlsRole::Client => ssl.set_connect_state(),
        DtlsRole::Server => ssl.set_accept_state(),
    }
    Ok(SslStream::new(
        ssl,
        DatagramBio::new(config.max_queued_datagrams),
    )?)
}
