//! The per-packet cryptographic transforms of SRTP and SRTCP for each profile family.

use crate::header::RTCP_CLEAR_LEN;
use crate::primitives::{AesCm, AesGcm, HmacSha1};
use crate::{Error, ProtectionProfile, SessionKeys};

/// E flag of the SRTCP trailer: the packet is encrypted.
const E_FLAG: u32 = 0x8000_0000;

/// One protocol's (SRTP or SRTCP) keyed transform.
pub(crate) enum Transform {
    /// AES-CM encryption with HMAC-SHA1 authentication (RFC 3711).
    CmHmac {
        cm: AesCm,
        hmac: HmacSha1,
        salt: [u8; 14],
        tag_len: usize,
    },
    /// AES-GCM authenticated encryption (RFC 7714).
    Gcm { gcm: AesGcm, salt: [u8; 12] },
}

impl Transform {
    /// Keys the transform; `rtcp` selects the SRTCP tag length of the AES-CM profiles.
    pub(crate) fn new(
        profile: ProtectionProfile,
        keys: &SessionKeys,
        rtcp: bool,
    ) -> Result<Self, Error> {
        keys.validate(profile)?;
        if profile.is_aead() {
            let mut salt = [0u8; 12];
            salt.copy_from_slice(&keys.salt);
            Ok(Transform::Gcm {
                gcm: AesGcm::new(&keys.encryption_key)?,
                salt,
            })
        } else {
            let mut salt = [0u8; 14];
            salt.copy_from_slice(&keys.salt);
            Ok(Transform::CmHmac {
                cm: AesCm::new(&keys.encryption_key)?,
                hmac: HmacSha1::new(&keys.auth_key),
                salt,
                tag_len: if rtcp {
                    profile.rtcp_auth_tag_len()
                } else {
                    profile.rtp_auth_tag_len()
                },
            })
        }
    }

    /// Length of the tag this transform appends.
    pub(crate) fn tag_len(&self) -> usize {
        match self {
            Transform::CmHmac { tag_len, .. } => *tag_len,
            Transform::Gcm { .. } => AesGcm::TAG_LEN,
        }
    }

    /// Encrypts the payload of the RTP packet in `buf` (header of `header_len` bytes) and appends
    /// the tag. `index` is the 48-bit SRTP packet index.
    pub(crate) fn protect_rtp(
        &mut self,
        buf: &mut Vec<u8>,
        header_len: usize,
        ssrc: u32,
        index: u64,
    ) -> Result<(), Error> {
        match self {
            Transform::CmHmac {
                cm,
                hmac,
                salt,
                tag_len,
            } => {
                cm.apply_keystream(&cm_iv(salt, ssrc, index), &mut buf[header_len..])?;
                let roc = ((index >> 16) as u32).to_be_bytes();
                let tag = hmac.mac(&[buf, &roc]);
                buf.extend_from_slice(&tag[..*tag_len]);
            }
            Transform::Gcm { gcm, salt } => {
                let (header, payload) = buf.split_at_mut(header_len);
                let tag = gcm.seal(&gcm_iv(salt, ssrc, index), &[header], payload)?;
                buf.extend_from_slice(&tag);
            }
        }
        Ok(())
    }

    /// Authenticates and decrypts the SRTP packet in `buf`, whose tag starts at `body_len`.
    /// Leaves `buf` untouched on authentication failure for AES-CM, unspecified for AES-GCM.
    pub(crate) fn unprotect_rtp(
        &mut self,
        buf: &mut [u8],
        header_len: usize,
        body_len: usize,
        ssrc: u32,
        index: u64,
    ) -> Result<(), Error> {
        let (body, tag) = buf.split_at_mut(body_len);
        match self {
            Transform::CmHmac { cm, hmac, salt, .. } => {
                let roc = ((index >> 16) as u32).to_be_bytes();
                let expected = hmac.mac(&[body, &roc]);
                if !openssl::memcmp::eq(&expected[..tag.len()], tag) {
                    return Err(Error::AuthenticationFailed);
                }
                cm.apply_keystream(&cm_iv(salt, ssrc, index), &mut body[header_len..])
            }
            Transform::Gcm { gcm, salt } => {
                let (header, payload) = body.split_at_mut(header_len);
                gcm.open(&gcm_iv(salt, ssrc, index), &[header], payload, tag)
            }
        }
    }

    /// Encrypts the RTCP packet in `buf` after its first 8 bytes, appends the E flag and
    /// `index` (31 bits) and the tag in the order the profile defines.
    pub(crate) fn protect_rtcp(
        &mut self,
        buf: &mut Vec<u8>,
        ssrc: u32,
        index: u32,
    ) -> Result<(), Error> {
        let trailer = (E_FLAG | index).to_be_bytes();
        match self {
            Transform::CmHmac {
                cm,
                hmac,
                salt,
                tag_len,
            } => {
                let iv = cm_iv(salt, ssrc, u64::from(index));
                cm.apply_keystream(&iv, &mut buf[RTCP_CLEAR_LEN..])?;
                buf.extend_from_slice(&trailer);
                let tag = hmac.mac(&[buf]);
                buf.extend_from_slice(&tag[..*tag_len]);
            }
            Transform::Gcm { gcm, salt } => {
                let iv = gcm_iv(salt, ssrc, u64::from(index));
                let (header, payload) = buf.split_at_mut(RTCP_CLEAR_LEN);
                let tag = gcm.seal(&iv, &[header, &trailer], payload)?;
                buf.extend_from_slice(&tag);
                buf.extend_from_slice(&trailer);
            }
        }
        Ok(())
    }

    /// Where the SRTCP trailer (E flag and index) sits in a protected packet of `len` bytes.
    pub(crate) fn rtcp_trailer_at(&self, len: usize) -> Option<usize> {
        let at = match self {
            Transform::CmHmac { tag_len, .. } => len.checked_sub(tag_len + 4)?,
            Transform::Gcm { .. } => len.checked_sub(4)?,
        };
        (at >= RTCP_CLEAR_LEN + self.rtcp_tail_after_body()).then_some(at)
    }

    /// Bytes between the end of the RTCP body and the trailer (the GCM tag precedes it).
    fn rtcp_tail_after_body(&self) -> usize {
        match self {
            Transform::CmHmac { .. } => 0,
            Transform::Gcm { .. } => AesGcm::TAG_LEN,
        }
    }

    /// Length of the RTCP packet in a protected packet of `len` bytes (its trailer was found).
    pub(crate) fn rtcp_body_len(&self, len: usize) -> usize {
        len - 4 - self.tag_len()
    }

    /// Authenticates and (if `encrypted`) decrypts the SRTCP packet in `buf`; the RTCP packet
    /// itself is `buf[..body_len]`.
    pub(crate) fn unprotect_rtcp(
        &mut self,
        buf: &mut [u8],
        body_len: usize,
        ssrc: u32,
        index: u32,
        encrypted: bool,
    ) -> Result<(), Error> {
        match self {
            Transform::CmHmac { cm, hmac, salt, .. } => {
                let (signed, tag) = buf.split_at_mut(body_len + 4);
                let expected = hmac.mac(&[signed]);
                if !openssl::memcmp::eq(&expected[..tag.len()], tag) {
                    return Err(Error::AuthenticationFailed);
                }
                if encrypted {
                    let iv = cm_iv(salt, ssrc, u64::from(index));
                    cm.apply_keystream(&iv, &mut signed[RTCP_CLEAR_LEN..body_len])?;
                }
                Ok(())
            }
            Transform::Gcm { gcm, salt } => {
                let (body, rest) = buf.split_at_mut(body_len);
                let (tag, trailer) = rest.split_at(AesGcm::TAG_LEN);
                let iv = gcm_iv(salt, ssrc, u64::from(index));
                if encrypted {
                    let (header, payload) = body.split_at_mut(RTCP_CLEAR_LEN);
                    gcm.open(&iv, &[header, trailer], payload, tag)
                } else {
                    gcm.open(&iv, &[body, trailer], &mut [], tag)
                }
            }
        }
    }
}

/// AES-CM IV (RFC 3711 §4.1.1): `(k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16)`.
pub(crate) fn cm_iv(salt: &[u8; 14], ssrc: u32, index: u64) -> [u8; 16] {
    let mut iv = [0u8; 16];
    iv[..14].copy_from_slice(salt);
    for (d, s) in iv[4..8].iter_mut().zip(ssrc.to_be_bytes()) {
        *d ^= s;
    }
    for (d, s) in iv[8..14].iter_mut().zip(&index.to_be_bytes()[2..]) {
        *d ^= s;
    }
    iv
}

/// AES-GCM IV (RFC 7714 §8.1, §9.1): `(0x0000 || SSRC || 48-bit index) XOR salt`, where the
/// index is `ROC || SEQ` for SRTP and `0x0000 || 0 || SRTCP index` for SRTCP.
pub(crate) fn gcm_iv(salt: &[u8; 12], ssrc: u32, index: u64) -> [u8; 12] {
    let mut iv = *salt;
    for (d, s) in iv[2..6].iter_mut().zip(ssrc.to_be_bytes()) {
        *d ^= s;
    }
    for (d, s) in iv[6..12].iter_mut().zip(&index.to_be_bytes()[2..]) {
        *d ^= s;
    }
    iv
}
