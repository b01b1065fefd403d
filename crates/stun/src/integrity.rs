//! Credentials and message authentication (RFC 8489 §9, §14.5–§14.7, §18.5): key derivation,
//! HMAC-SHA1 / HMAC-SHA256 and the FINGERPRINT CRC. OpenSSL is the crypto provider; CRC-32 comes
//! from `crc32fast`.
//!
//! Strings are used as given: this crate does not apply SASLprep (RFC 4013) or the PRECIS
//! OpaqueString profile (RFC 8265). Callers that accept non-ASCII credentials prepare them first.

use openssl::hash::{MessageDigest, hash};
use openssl::pkey::PKey;
use openssl::sign::Signer;

use crate::attr::PasswordAlgorithm;
use crate::error::StunError;

/// The value FINGERPRINT's CRC-32 is XORed with ("STUN" in ASCII).
pub const FINGERPRINT_XOR: u32 = 0x5354_554E;

/// Length of a MESSAGE-INTEGRITY (HMAC-SHA1) value.
pub const SHA1_MAC_LEN: usize = 20;

/// The short-term credential key (RFC 8489 §9.1.1): the password itself. ICE uses the remote
/// (for requests sent) or local (for requests received) `ice-pwd`.
pub fn short_term_key(password: &str) -> Vec<u8> {
    password.as_bytes().to_vec()
}

/// The long-term credential key (RFC 8489 §9.2.2):
/// `MD5(username ":" realm ":" password)` or `SHA-256(...)`, by algorithm.
pub fn long_term_key(
    username: &str,
    realm: &str,
    password: &str,
    algorithm: PasswordAlgorithm,
) -> Result<Vec<u8>, StunError> {
    let digest = match algorithm {
        PasswordAlgorithm::MD5 => MessageDigest::md5(),
        PasswordAlgorithm::SHA256 => MessageDigest::sha256(),
        PasswordAlgorithm(other) => return Err(StunError::UnsupportedPasswordAlgorithm(other)),
    };
    let input = [
        username.as_bytes(),
        b":",
        realm.as_bytes(),
        b":",
        password.as_bytes(),
    ]
    .concat();
    Ok(hash(digest, &input)?.to_vec())
}

/// The USERHASH value (RFC 8489 §14.4): `SHA-256(username ":" realm)`.
pub fn userhash(username: &str, realm: &str) -> Result<[u8; 32], StunError> {
    let input = [username.as_bytes(), b":", realm.as_bytes()].concat();
    let digest = hash(MessageDigest::sha256(), &input)?;
    let mut out = [0u8; 32];
    out.copy_from_slice(&digest);
    Ok(out)
}

/// Which HMAC a MESSAGE-INTEGRITY attribute uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mac {
    /// MESSAGE-INTEGRITY.
    Sha1,
    /// MESSAGE-INTEGRITY-SHA256.
    Sha256,
}

/// HMAC over the concatenation of `parts`.
pub(crate) fn hmac(mac: Mac, key: &[u8], parts: &[&[u8]]) -> Result<Vec<u8>, StunError> {
    let digest = match mac {
        Mac::Sha1 => MessageDigest::sha1(),
        Mac::Sha256 => MessageDigest::sha256(),
    };
    // HMAC pads short keys with zeros to the block size, so the empty key equals a single zero
    // byte; OpenSSL refuses empty HMAC keys.
    let key = if key.is_empty() { &[0u8][..] } else { key };
    let pkey = PKey::hmac(key)?;
    let mut signer = Signer::new(digest, &pkey)?;
    for part in parts {
        signer.update(part)?;
    }
    Ok(signer.sign_to_vec()?)
}

/// Constant-time comparison of a received MAC with the computed one (the computed one may be
/// longer when MESSAGE-INTEGRITY-SHA256 is truncated).
pub(crate) fn mac_matches(received: &[u8], computed: &[u8]) -> bool {
    match computed.get(..received.len()) {
        Some(prefix) if !received.is_empty() => openssl::memcmp::eq(received, prefix),
        _ => false,
    }
}

/// The FINGERPRINT value of the concatenation of `parts`.
pub(crate) fn fingerprint(parts: &[&[u8]]) -> u32 {
    let mut crc = crc32fast::Hasher::new();
    for part in parts {
        crc.update(part);
    }
    crc.finalize() ^ FINGERPRINT_XOR
}
