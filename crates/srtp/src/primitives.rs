//! The cipher primitives SRTP needs, on OpenSSL, each keyed once and reused for every packet.
//!
//! Every wrapper keeps its initialised OpenSSL context: per packet only the IV is set again, so
//! no context is created and nothing is allocated on the packet path.

use openssl::cipher::{Cipher, CipherRef};
use openssl::cipher_ctx::CipherCtx;
use openssl::sha::Sha1;

use crate::Error;

/// Longest input OpenSSL's `int`-sized lengths accept, with margin.
const MAX_INPUT: usize = 0x7fff_0000;

fn check_input(len: usize) -> Result<(), Error> {
    if len > MAX_INPUT {
        Err(Error::Crypto("input longer than OpenSSL accepts".into()))
    } else {
        Ok(())
    }
}

/// AES in counter mode (RFC 3711 §4.1.1 "AES-CM"), keyed once.
pub struct AesCm {
    ctx: CipherCtx,
}

impl AesCm {
    /// A keystream generator for a 16-byte (AES-128) or 32-byte (AES-256) key.
    pub fn new(key: &[u8]) -> Result<Self, Error> {
        let cipher: &CipherRef = match key.len() {
            16 => Cipher::aes_128_ctr(),
            32 => Cipher::aes_256_ctr(),
            n => {
                return Err(Error::InvalidKeyLength {
                    what: "AES-CM key",
                    expected: 16,
                    actual: n,
                });
            }
        };
        let mut ctx = CipherCtx::new()?;
        ctx.encrypt_init(Some(cipher), Some(key), None)?;
        Ok(Self { ctx })
    }

    /// XORs `data` in place with the keystream that starts at the 128-bit counter block `iv`.
    pub fn apply_keystream(&mut self, iv: &[u8; 16], data: &mut [u8]) -> Result<(), Error> {
        check_input(data.len())?;
        self.ctx.encrypt_init(None, None, Some(iv))?;
        if !data.is_empty() {
            let n = data.len();
            self.ctx.cipher_update_inplace(data, n)?;
        }
        Ok(())
    }
}

/// HMAC-SHA1 (RFC 2104) with the key schedule done once.
///
/// The inner and outer SHA-1 states after absorbing the padded key are kept, so a MAC costs two
/// state copies and the hashing itself (OpenSSL's SHA-1, SHA-NI accelerated where available).
#[derive(Clone)]
pub struct HmacSha1 {
    inner: Sha1,
    outer: Sha1,
}

impl HmacSha1 {
    /// Length of the full MAC.
    pub const LEN: usize = 20;

    /// An HMAC-SHA1 keyed with `key` (any length).
    pub fn new(key: &[u8]) -> Self {
        let mut block = [0u8; 64];
        if key.len() > 64 {
            block[..20].copy_from_slice(&openssl::sha::sha1(key));
        } else {
            block[..key.len()].copy_from_slice(key);
        }
        let mut ipad = [0x36u8; 64];
        let mut opad = [0x5cu8; 64];
        for ((i, o), k) in ipad.iter_mut().zip(opad.iter_mut()).zip(block) {
            *i ^= k;
            *o ^= k;
        }
        let mut inner = Sha1::new();
        inner.update(&ipad);
        let mut outer = Sha1::new();
        outer.update(&opad);
        Self { inner, outer }
    }

    /// The MAC of the concatenation of `parts`.
    pub fn mac(&self, parts: &[&[u8]]) -> [u8; 20] {
        let mut inner = self.inner.clone();
        for part in parts {
            inner.update(part);
        }
        let digest = inner.finish();
        let mut outer = self.outer.clone();
        outer.update(&digest);
        outer.finish()
    }
}

/// AES-GCM (128 or 256) with a 12-byte IV and a 16-byte tag, keyed once for both directions.
pub struct AesGcm {
    enc: CipherCtx,
    dec: CipherCtx,
}

impl AesGcm {
    /// Length of the authentication tag.
    pub const TAG_LEN: usize = 16;

    /// An AES-GCM context for a 16-byte or 32-byte key.
    pub fn new(key: &[u8]) -> Result<Self, Error> {
        let cipher: &CipherRef = match key.len() {
            16 => Cipher::aes_128_gcm(),
            32 => Cipher::aes_256_gcm(),
            n => {
                return Err(Error::InvalidKeyLength {
                    what: "AES-GCM key",
                    expected: 16,
                    actual: n,
                });
            }
        };
        let mut enc = CipherCtx::new()?;
        enc.encrypt_init(Some(cipher), Some(key), None)?;
        let mut dec = CipherCtx::new()?;
        dec.decrypt_init(Some(cipher), Some(key), None)?;
        Ok(Self { enc, dec })
    }

    /// Encrypts `data` in place, authenticating `aad` (given in pieces) too; returns the tag.
    pub fn seal(
        &mut self,
        iv: &[u8; 12],
        aad: &[&[u8]],
        data: &mut [u8],
    ) -> Result<[u8; 16], Error> {
        check_input(data.len())?;
        let ctx = &mut self.enc;
        ctx.encrypt_init(None, None, Some(iv))?;
        for part in aad.iter().filter(|p| !p.is_empty()) {
            check_input(part.len())?;
            ctx.cipher_update(part, None)?;
        }
        if !data.is_empty() {
            let n = data.len();
            ctx.cipher_update_inplace(data, n)?;
        }
        ctx.cipher_final(&mut [])?;
        let mut tag = [0u8; 16];
        ctx.tag(&mut tag)?;
        Ok(tag)
    }

    /// Decrypts `data` in place and checks `tag` over `aad` and the ciphertext.
    ///
    /// On [`Error::AuthenticationFailed`] `data` holds unauthenticated bytes and must be dropped.
    pub fn open(
        &mut self,
        iv: &[u8; 12],
        aad: &[&[u8]],
        data: &mut [u8],
        tag: &[u8],
    ) -> Result<(), Error> {
        check_input(data.len())?;
        let ctx = &mut self.dec;
        ctx.decrypt_init(None, None, Some(iv))?;
        for part in aad.iter().filter(|p| !p.is_empty()) {
            check_input(part.len())?;
            ctx.cipher_update(part, None)?;
        }
        if !data.is_empty() {
            let n = data.len();
            ctx.cipher_update_inplace(data, n)?;
        }
        ctx.set_tag(tag)?;
        ctx.cipher_final(&mut [])
            .map(|_| ())
            .map_err(|_| Error::AuthenticationFailed)
    }
}
