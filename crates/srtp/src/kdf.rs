//! Session key derivation (RFC 3711 §4.3 with the AES-CM PRF, key derivation rate 0).

use crate::primitives::AesCm;
use crate::{Error, ProtectionProfile};

/// Key derivation labels (RFC 3711 §4.3.1 and §4.3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Label {
    /// `0x00`: SRTP encryption key.
    RtpEncryption = 0x00,
    /// `0x01`: SRTP authentication key.
    RtpAuthentication = 0x01,
    /// `0x02`: SRTP salting key.
    RtpSalt = 0x02,
    /// `0x03`: SRTCP encryption key.
    RtcpEncryption = 0x03,
    /// `0x04`: SRTCP authentication key.
    RtcpAuthentication = 0x04,
    /// `0x05`: SRTCP salting key.
    RtcpSalt = 0x05,
}

/// The session keys of one protocol (SRTP or SRTCP) of one direction.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionKeys {
    /// Session encryption key `k_e` (16 or 32 bytes).
    pub encryption_key: Vec<u8>,
    /// Session authentication key `k_a` (20 bytes for HMAC-SHA1, empty for AEAD profiles).
    pub auth_key: Vec<u8>,
    /// Session salt `k_s` (14 bytes for AES-CM, 12 for AES-GCM).
    pub salt: Vec<u8>,
}

impl std::fmt::Debug for SessionKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionKeys { .. }")
    }
}

impl SessionKeys {
    /// Derives the SRTP (`rtcp == false`) or SRTCP session keys from a master key and salt.
    pub fn derive(
        profile: ProtectionProfile,
        master_key: &[u8],
        master_salt: &[u8],
        rtcp: bool,
    ) -> Result<Self, Error> {
        check_len("master key", profile.master_key_len(), master_key.len())?;
        check_len("master salt", profile.master_salt_len(), master_salt.len())?;
        let (enc, auth, salt) = if rtcp {
            (
                Label::RtcpEncryption,
                Label::RtcpAuthentication,
                Label::RtcpSalt,
            )
        } else {
            (
                Label::RtpEncryption,
                Label::RtpAuthentication,
                Label::RtpSalt,
            )
        };
        let mut prf = AesCm::new(master_key)?;
        Ok(Self {
            encryption_key: derive(&mut prf, master_salt, enc, profile.master_key_len())?,
            auth_key: derive(&mut prf, master_salt, auth, profile.auth_key_len())?,
            salt: derive(&mut prf, master_salt, salt, profile.master_salt_len())?,
        })
    }

    /// Checks that the key lengths fit `profile`.
    pub fn validate(&self, profile: ProtectionProfile) -> Result<(), Error> {
        check_len(
            "session encryption key",
            profile.master_key_len(),
            self.encryption_key.len(),
        )?;
        check_len(
            "session auth key",
            profile.auth_key_len(),
            self.auth_key.len(),
        )?;
        check_len("session salt", profile.master_salt_len(), self.salt.len())
    }
}

fn check_len(what: &'static str, expected: usize, actual: usize) -> Result<(), Error> {
    if expected == actual {
        Ok(())
    } else {
        Err(Error::InvalidKeyLength {
            what,
            expected,
            actual,
        })
    }
}

/// `PRF_n(k_master, x)` with `x = (label || r) XOR master_salt`, `r = 0` (kdr = 0).
///
/// The key id is right-aligned in the 112-bit salt field; a 96-bit AEAD master salt occupies
/// the leftmost 96 bits of that field, zero-padded on the right (as libsrtp does).
fn derive(prf: &mut AesCm, master_salt: &[u8], label: Label, len: usize) -> Result<Vec<u8>, Error> {
    let mut iv = [0u8; 16];
    iv[..master_salt.len()].copy_from_slice(master_salt);
    iv[7] ^= label as u8;
    let mut out = vec![0u8; len];
    prf.apply_keystream(&iv, &mut out)?;
    Ok(out)
}
