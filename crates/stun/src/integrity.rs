//! Credentials and message authentication (RFC 8489 §9, §14.5–§14.7, §18.5): key derivation,
//! HMAC-SHA1 / HMAC-SHA256 and the FINGERPRINT CRC. OpenSSL is the crypto provider; CRC-32 comes
//! from `crc32fast`.
//!
//! Strings are used as given: this crate does not apply SASLprep (RFC 4013) or the PRECIS
//! OpaqueString profile (RFC 8265). Callers that accept non-ASCII credentials prepare them first.

use openssl::hash::{MessageDigest, hash};

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

/// HMAC (RFC 2104) over the concatenation of `parts`.
///
/// Written on OpenSSL's one-shot SHA functions rather than an `EVP_PKEY` HMAC: OpenSSL 3 spends
/// about 10 µs per MAC fetching the algorithm and building the key object, against well under
/// 1 µs for the hashing itself, and every ICE check and response is MACed and verified.
pub(crate) fn hmac(mac: Mac, key: &[u8], parts: &[&[u8]]) -> Result<Vec<u8>, StunError> {
    match mac {
        Mac::Sha1 => Ok(hmac_with::<openssl::sha::Sha1, 20>(key, parts).to_vec()),
        Mac::Sha256 => Ok(hmac_with::<openssl::sha::Sha256, 32>(key, parts).to_vec()),
    }
}

/// HMAC's block size for SHA-1 and SHA-256.
const HMAC_BLOCK: usize = 64;

/// The hash functions HMAC is used with here.
trait HmacHash<const N: usize>: Sized {
    fn start() -> Self;
    fn feed(&mut self, data: &[u8]);
    fn end(self) -> [u8; N];
}

impl HmacHash<20> for openssl::sha::Sha1 {
    fn start() -> Self {
        Self::new()
    }
    fn feed(&mut self, data: &[u8]) {
        self.update(data);
    }
    fn end(self) -> [u8; 20] {
        self.finish()
    }
}

impl HmacHash<32> for openssl::sha::Sha256 {
    fn start() -> Self {
        Self::new()
    }
    fn feed(&mut self, data: &[u8]) {
        self.update(data);
    }
    fn end(self) -> [u8; 32] {
        self.finish()
    }
}

fn hmac_with<H: HmacHash<N>, const N: usize>(key: &[u8], parts: &[&[u8]]) -> [u8; N] {
    // Keys longer than a block are hashed first; shorter ones (the empty key too) are padded
    // with zeros to the block size.
    let mut block = [0u8; HMAC_BLOCK];
    if key.len() > HMAC_BLOCK {
        let mut h = H::start();
        h.feed(key);
        block[..N].copy_from_slice(&h.end());
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mut inner = H::start();
    inner.feed(&block.map(|b| b ^ 0x36));
    for part in parts {
        inner.feed(part);
    }
    let inner = inner.end();
    let mut outer = H::start();
    outer.feed(&block.map(|b| b ^ 0x5c));
    outer.feed(&inner);
    outer.end()
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

#[cfg(test)]
mod tests {
    use super::*;

    /// OpenSSL's own HMAC, as the reference.
    fn reference(mac: Mac, key: &[u8], data: &[u8]) -> Vec<u8> {
        let digest = match mac {
            Mac::Sha1 => MessageDigest::sha1(),
            Mac::Sha256 => MessageDigest::sha256(),
        };
        let key = if key.is_empty() { &[0u8][..] } else { key };
        let pkey = openssl::pkey::PKey::hmac(key).unwrap();
        let mut signer = openssl::sign::Signer::new(digest, &pkey).unwrap();
        signer.update(data).unwrap();
        signer.sign_to_vec().unwrap()
    }

    #[test]
    fn hmac_matches_openssl_for_every_key_length_class() {
        let data: Vec<u8> = (0..=255u8).cycle().take(300).collect();
        for mac in [Mac::Sha1, Mac::Sha256] {
            for len in [0, 1, 16, 20, 32, 63, 64, 65, 100, 200] {
                let key: Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
                let parts = [&data[..10], &data[10..], &[][..]];
                assert_eq!(
                    hmac(mac, &key, &parts).unwrap(),
                    reference(mac, &key, &data),
                    "{mac:?} key of {len} bytes"
                );
            }
        }
    }
}
