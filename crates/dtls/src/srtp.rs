//! DTLS-SRTP (RFC 5764): protection profiles and the exported keying material.

use std::fmt;

use openssl::srtp::SrtpProfileId;
use openssl::ssl::SslRef;

use crate::config::DtlsRole;
use crate::error::DtlsError;

/// Label of the RFC 5705 exporter used by DTLS-SRTP (RFC 5764 section 4.2).
pub const EXPORTER_LABEL: &str = "EXTRACTOR-dtls_srtp";

/// An SRTP protection profile negotiated with the `use_srtp` extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SrtpProfile {
    /// `SRTP_AES128_CM_HMAC_SHA1_80` (0x0001, RFC 5764).
    Aes128CmHmacSha1_80,
    /// `SRTP_AES128_CM_HMAC_SHA1_32` (0x0002, RFC 5764).
    Aes128CmHmacSha1_32,
    /// `SRTP_AEAD_AES_128_GCM` (0x0007, RFC 7714).
    AeadAes128Gcm,
    /// `SRTP_AEAD_AES_256_GCM` (0x0008, RFC 7714).
    AeadAes256Gcm,
}

impl SrtpProfile {
    /// The profiles offered by default, in browser preference order.
    pub const DEFAULT: [SrtpProfile; 4] = [
        SrtpProfile::AeadAes128Gcm,
        SrtpProfile::AeadAes256Gcm,
        SrtpProfile::Aes128CmHmacSha1_80,
        SrtpProfile::Aes128CmHmacSha1_32,
    ];

    /// IANA "DTLS-SRTP Protection Profiles" code point.
    pub fn id(self) -> u16 {
        match self {
            SrtpProfile::Aes128CmHmacSha1_80 => 0x0001,
            SrtpProfile::Aes128CmHmacSha1_32 => 0x0002,
            SrtpProfile::AeadAes128Gcm => 0x0007,
            SrtpProfile::AeadAes256Gcm => 0x0008,
        }
    }

    /// Profile for an IANA code point, if supported.
    pub fn from_id(id: u16) -> Option<SrtpProfile> {
        SrtpProfile::DEFAULT.into_iter().find(|p| p.id() == id)
    }

    /// OpenSSL's name for the profile (as used by `openssl s_client -use_srtp`).
    pub fn openssl_name(self) -> &'static str {
        match self {
            SrtpProfile::Aes128CmHmacSha1_80 => "SRTP_AES128_CM_SHA1_80",
            SrtpProfile::Aes128CmHmacSha1_32 => "SRTP_AES128_CM_SHA1_32",
            SrtpProfile::AeadAes128Gcm => "SRTP_AEAD_AES_128_GCM",
            SrtpProfile::AeadAes256Gcm => "SRTP_AEAD_AES_256_GCM",
        }
    }

    /// Master key length in bytes.
    pub fn key_len(self) -> usize {
        match self {
            SrtpProfile::AeadAes256Gcm => 32,
            _ => 16,
        }
    }

    /// Master salt length in bytes (14 for AES-CM, 12 for AEAD, RFC 7714 section 12).
    pub fn salt_len(self) -> usize {
        match self {
            SrtpProfile::Aes128CmHmacSha1_80 | SrtpProfile::Aes128CmHmacSha1_32 => 14,
            SrtpProfile::AeadAes128Gcm | SrtpProfile::AeadAes256Gcm => 12,
        }
    }

    /// Length of the exporter output: `2 * (key_len + salt_len)`.
    pub fn keying_material_len(self) -> usize {
        2 * (self.key_len() + self.salt_len())
    }

    fn from_openssl(id: SrtpProfileId) -> Option<SrtpProfile> {
        SrtpProfile::DEFAULT
            .into_iter()
            .find(|p| p.openssl_id() == id)
    }

    fn openssl_id(self) -> SrtpProfileId {
        match self {
            SrtpProfile::Aes128CmHmacSha1_80 => SrtpProfileId::SRTP_AES128_CM_SHA1_80,
            SrtpProfile::Aes128CmHmacSha1_32 => SrtpProfileId::SRTP_AES128_CM_SHA1_32,
            SrtpProfile::AeadAes128Gcm => SrtpProfileId::SRTP_AEAD_AES_128_GCM,
            SrtpProfile::AeadAes256Gcm => SrtpProfileId::SRTP_AEAD_AES_256_GCM,
        }
    }
}

impl fmt::Display for SrtpProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.openssl_name())
    }
}

/// SRTP master keys and salts derived from the DTLS handshake (RFC 5764 section 4.2), already
/// assigned to directions: `local_*` protects what this endpoint sends, `remote_*` unprotects
/// what it receives.
#[derive(Clone, PartialEq, Eq)]
pub struct SrtpKeyingMaterial {
    /// Negotiated protection profile.
    pub profile: SrtpProfile,
    /// Master key for outgoing SRTP/SRTCP.
    pub local_key: Vec<u8>,
    /// Master salt for outgoing SRTP/SRTCP.
    pub local_salt: Vec<u8>,
    /// Master key for incoming SRTP/SRTCP.
    pub remote_key: Vec<u8>,
    /// Master salt for incoming SRTP/SRTCP.
    pub remote_salt: Vec<u8>,
}

impl fmt::Debug for SrtpKeyingMaterial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SrtpKeyingMaterial")
            .field("profile", &self.profile)
            .finish_non_exhaustive()
    }
}

impl SrtpKeyingMaterial {
    /// Splits exporter output laid out as `client_key | server_key | client_salt | server_salt`.
    ///
    /// Returns `None` if `material` is not exactly [`SrtpProfile::keying_material_len`] bytes.
    pub fn from_exported(
        profile: SrtpProfile,
        role: DtlsRole,
        material: &[u8],
    ) -> Option<SrtpKeyingMaterial> {
        if material.len() != profile.keying_material_len() {
            return None;
        }
        let (keys, salts) = material.split_at(2 * profile.key_len());
        let (client_key, server_key) = keys.split_at(profile.key_len());
        let (client_salt, server_salt) = salts.split_at(profile.salt_len());
        let (local_key, remote_key, local_salt, remote_salt) = match role {
            DtlsRole::Client => (client_key, server_key, client_salt, server_salt),
            DtlsRole::Server => (server_key, client_key, server_salt, client_salt),
        };
        Some(SrtpKeyingMaterial {
            profile,
            local_key: local_key.to_vec(),
            local_salt: local_salt.to_vec(),
            remote_key: remote_key.to_vec(),
            remote_salt: remote_salt.to_vec(),
        })
    }
}

/// Exports the keying material of a completed handshake; `None` if `use_srtp` was not
/// negotiated.
pub(crate) fn export(
    ssl: &SslRef,
    role: DtlsRole,
) -> Result<Option<SrtpKeyingMaterial>, DtlsError> {
    let Some(selected) = ssl.selected_srtp_profile() else {
        return Ok(None);
    };
    let profile = SrtpProfile::from_openssl(selected.id()).ok_or(DtlsError::Protocol(
        "peer selected an SRTP profile we did not offer".into(),
    ))?;
    let mut material = vec![0u8; profile.keying_material_len()];
    ssl.export_keying_material(&mut material, EXPORTER_LABEL, None)?;
    SrtpKeyingMaterial::from_exported(profile, role, &material)
        .map(Some)
        .ok_or(DtlsError::Crypto("exporter returned a short output".into()))
}
