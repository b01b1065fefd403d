//! SRTP and SRTCP (RFC 3711, 7714) protection contexts. Sans-IO.
//!
//! [`SrtpContext`] protects or unprotects RTP and RTCP packets for one direction with one of the
//! four WebRTC [`ProtectionProfile`]s. Keys come from DTLS-SRTP ([`Session`] splits the exported
//! keying material) and session keys are derived per RFC 3711 §4.3 (AES-CM PRF, no key
//! derivation rate). Each SSRC has a rollover counter, estimated per RFC 3711 Appendix A across
//! wraps and reordering, and replay windows for SRTP and SRTCP ([`Config`]).
//!
//! Not supported: MKI, a non-zero key derivation rate, the NULL cipher, and encrypted header
//! extensions (RFC 6904) or cryptex.
//!
//! Cryptography is OpenSSL's (AES-CTR, SHA-1 for HMAC, AES-GCM through EVP); contexts are keyed
//! once per session so the packet path creates none and allocates nothing.

mod context;
mod error;
mod header;
mod kdf;
pub mod primitives;
mod profile;
mod replay;
mod session;
mod stream;
mod transform;

pub use context::{Config, SrtpContext};
pub use error::Error;
pub use header::RtpHeader;
pub use kdf::{Label, SessionKeys};
pub use profile::ProtectionProfile;
pub use replay::MAX_REPLAY_WINDOW;
pub use session::{Role, Session};
