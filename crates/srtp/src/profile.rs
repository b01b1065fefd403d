//! SRTP protection profiles (RFC 5764 §4.1.2, RFC 7714 §14.2).

use crate::Error;

/// An SRTP protection profile as negotiated by the DTLS `use_srtp` extension.
///
/// The discriminants are the 16-bit profile identifiers registered by RFC 5764 and RFC 7714.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum ProtectionProfile {
    /// `SRTP_AES128_CM_HMAC_SHA1_80`: AES-128 counter mode, HMAC-SHA1 with an 80-bit tag.
    Aes128CmHmacSha1_80 = 0x0001,
    /// `SRTP_AES128_CM_HMAC_SHA1_32`: as above with a 32-bit SRTP tag (SRTCP keeps 80 bits).
    Aes128CmHmacSha1_32 = 0x0002,
    /// `SRTP_AEAD_AES_128_GCM`: AES-128 in Galois/counter mode with a 128-bit tag.
    AeadAes128Gcm = 0x0007,
    /// `SRTP_AEAD_AES_256_GCM`: AES-256 in Galois/counter mode with a 128-bit tag.
    AeadAes256Gcm = 0x0008,
}

impl ProtectionProfile {
    /// Every supported profile, in order of preference for a WebRTC offer.
    pub const ALL: [ProtectionProfile; 4] = [
        ProtectionProfile::AeadAes128Gcm,
        ProtectionProfile::AeadAes256Gcm,
        ProtectionProfile::Aes128CmHmacSha1_80,
        ProtectionProfile::Aes128CmHmacSha1_32,
    ];

    /// The RFC 5764 / RFC 7714 profile identifier.
    pub fn id(self) -> u16 {
        self as u16
    }

    /// The profile with identifier `id`, if supported.
    pub fn from_id(id: u16) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.id() == id)
    }

    /// The registered profile name, e.g. `SRTP_AEAD_AES_128_GCM`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Aes128CmHmacSha1_80 => "SRTP_AES128_CM_HMAC_SHA1_80",
            Self::Aes128CmHmacSha1_32 => "SRTP_AES128_CM_HMAC_SHA1_32",
            Self::AeadAes128Gcm => "SRTP_AEAD_AES_128_GCM",
            Self::AeadAes256Gcm => "SRTP_AEAD_AES_256_GCM",
        }
    }

    /// Whether the profile is an AEAD (AES-GCM, RFC 7714) profile.
    pub fn is_aead(self) -> bool {
        matches!(self, Self::AeadAes128Gcm | Self::AeadAes256Gcm)
    }

    /// Length in bytes of the master key (equal to the session encryption key).
    pub fn master_key_len(self) -> usize {
        match self {
            Self::AeadAes256Gcm => 32,
            _ => 16,
        }
    }

    /// Length in bytes of the master salt (equal to the session salt): 14 for AES-CM, 12 for GCM.
    pub fn master_salt_len(self) -> usize {
        if self.is_aead() { 12 } else { 14 }
    }

    /// Length in bytes of the HMAC-SHA1 session authentication key (0 for AEAD profiles).
    pub fn auth_key_len(self) -> usize {
        if self.is_aead() { 0 } else { 20 }
    }

    /// Length in bytes of the SRTP authentication tag appended to RTP packets.
    pub fn rtp_auth_tag_len(self) -> usize {
        match self {
            Self::Aes128CmHmacSha1_80 => 10,
            Self::Aes128CmHmacSha1_32 => 4,
            Self::AeadAes128Gcm | Self::AeadAes256Gcm => 16,
        }
    }

    /// Length in bytes of the SRTCP authentication tag (80 bits for both AES-CM profiles).
    pub fn rtcp_auth_tag_len(self) -> usize {
        if self.is_aead() { 16 } else { 10 }
    }

    /// Bytes that protecting an RTP packet adds (the tag; no MKI is used).
    pub fn rtp_overhead(self) -> usize {
        self.rtp_auth_tag_len()
    }

    /// Bytes that protecting an RTCP packet adds (tag plus the 4-byte E flag and SRTCP index).
    pub fn rtcp_overhead(self) -> usize {
        self.rtcp_auth_tag_len() + 4
    }

    /// Length of the DTLS-SRTP keying material to export (RFC 5764 §4.2): two keys, two salts.
    pub fn keying_material_len(self) -> usize {
        2 * (self.master_key_len() + self.master_salt_len())
    }
}

impl TryFrom<u16> for ProtectionProfile {
    type Error = Error;

    fn try_from(id: u16) -> Result<Self, Error> {
        Self::from_id(id).ok_or(Error::UnsupportedProfile(id))
    }
}

impl std::fmt::Display for ProtectionProfile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
