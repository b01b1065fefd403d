//! Test vectors of RFC 3711 Appendix B and RFC 7714 §16-17.

mod common;

use common::hex;
use rtcio_srtp::{Config, ProtectionProfile, SessionKeys, SrtpContext};

/// RFC 3711 B.3: session keys of master key E1F9... / salt 0EC6....
#[test]
fn b3_key_derivation() {
    let key = hex("E1F97A0D3E018BE0D64FA32C06DE4139");
    let salt = hex("0EC675AD498AFEEBB6960B3AABE6");
    let keys =
        SessionKeys::derive(ProtectionProfile::Aes128CmHmacSha1_80, &key, &salt, false).unwrap();
    assert_eq!(keys.encryption_key, hex("C61E7A93744F39EE10734AFE3FF7A087"));
    assert_eq!(keys.salt, hex("30CBBC08863D8C85D49DB34A9AE1"));
    assert_eq!(
        keys.auth_key,
        hex("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4")
    );
    // SRTCP labels give different keys.
    let rtcp =
        SessionKeys::derive(ProtectionProfile::Aes128CmHmacSha1_80, &key, &salt, true).unwrap();
    assert_ne!(rtcp.encryption_key, keys.encryption_key);
    assert_ne!(rtcp.auth_key, keys.auth_key);
    assert_ne!(rtcp.salt, keys.salt);
}

/// RFC 3711 B.2: the AES-CM keystream for SSRC 0, index 0, observed as the ciphertext of a
/// zero payload of 65282 blocks, head and tail.
#[test]
fn b2_aes_cm_keystream() {
    let keys = SessionKeys {
        encryption_key: hex("2B7E151628AED2A6ABF7158809CF4F3C"),
        auth_key: vec![0; 20],
        salt: hex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD"),
    };
    let profile = ProtectionProfile::Aes128CmHmacSha1_80;
    let mut ctx = SrtpContext::from_session_keys(profile, &keys, &keys, Config::default()).unwrap();
    let mut packet = vec![0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    packet.resize(12 + 1_044_512, 0);
    let mut out = Vec::new();
    ctx.protect_rtp(&packet, &mut out).unwrap();
    let ks = &out[12..12 + 1_044_512];
    assert_eq!(
        &ks[..48],
        &hex("E03EAD0935C95E80E166B16DD92B4EB4
              D23513162B02D0F72A43A2FE4A5F97AB
              41E95B3BB0A2E8DD477901E4FCA894C0")[..]
    );
    assert_eq!(
        &ks[ks.len() - 48..],
        &hex("EC8CDF7398607CB0F2D21675EA9EA1E4
              362B7C3C6773516318A077D7FC5073AE
              6A2CC3787889374FBEB4C81B17BA6C44")[..]
    );
}

struct AeadVector {
    profile: ProtectionProfile,
    key: &'static str,
    rtp_encrypted: &'static str,
    rtcp_encrypted: &'static str,
    rtcp_authenticated: &'static str,
}

const SALT: &str = "517569642070726f2071756f";
const RTP_PLAIN: &str = "8040f17b 8041f8d3 5501a0b2 47616c6c 69612065 7374206f 6d6e6973
                         20646976 69736120 696e2070 61727465 73207472 6573";
const RTCP_PLAIN: &str = "81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930
                          4c756e61 deadbeef deadbeef deadbeef deadbeef deadbeef";
const RTCP_SSRC: u32 = 0x4d61_7273;

const AEAD_VECTORS: [AeadVector; 2] = [
    AeadVector {
        profile: ProtectionProfile::AeadAes128Gcm,
        key: "000102030405060708090a0b0c0d0e0f",
        rtp_encrypted: "8040f17b 8041f8d3 5501a0b2 f24de3a3 fb34de6c acba861c 9d7e4bca
                        be633bd5 0d294e6f 42a5f47a 51c7d19b 36de3adf 8833899d 7f27beb1
                        6a9152cf 765ee439 0cce",
        rtcp_encrypted: "81c8000d 4d617273 63e94885 dcdab67c a727d766 2f6b7e99 7ff5c0f7
                         6c06f32d c676a5f1 730d6fda 4ce09b46 86303ded 0bb9275b c84aa458
                         96cf4d2f c5abf872 45d9eade 800005d4",
        rtcp_authenticated: "81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930
                             4c756e61 deadbeef deadbeef deadbeef deadbeef deadbeef 841dd968
                             3dd78ec9 2ae58790 125f62b3 000005d4",
    },
    AeadVector {
        profile: ProtectionProfile::AeadAes256Gcm,
        key: "000102030405060708090a0b0c0d0e0f 101112131415161718191a1b1c1d1e1f",
        rtp_encrypted: "8040f17b 8041f8d3 5501a0b2 32b1de78 a822fe12 ef9f78fa 332e33aa
                        b1801238 9a58e2f3 b50b2a02 76ffae0f 1ba63799 b87b7aa3 db36dfff
                        d6b0f9bb 7878d7a7 6c13",
        rtcp_encrypted: "81c8000d 4d617273 d50ae4d1 f5ce5d30 4ba297e4 7d470c28 2c3ece5d
                         bffe0a50 a2eaa5c1 110555be 8415f658 c61de047 6f1b6fad 1d1eb30c
                         4446839f 57ff6f6c b26ac3be 800005d4",
        rtcp_authenticated: "81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930
                             4c756e61 deadbeef deadbeef deadbeef deadbeef deadbeef 91db4afb
                             feee5a97 8fab4393 ed2615fe 000005d4",
    },
];

fn aead_context(v: &AeadVector) -> SrtpContext {
    let keys = SessionKeys {
        encryption_key: hex(v.key),
        auth_key: Vec::new(),
        salt: hex(SALT),
    };
    let mut ctx =
        SrtpContext::from_session_keys(v.profile, &keys, &keys, Config::default()).unwrap();
    // The RFC's SRTCP packet carries index 0x5d4: the previous one was 0x5d3.
    ctx.set_rtcp_index(RTCP_SSRC, 0x5d3).unwrap();
    ctx
}

/// RFC 7714 §16.1.1 / §16.2.1: SRTP packet encryption and decryption.
#[test]
fn rfc7714_srtp_packets() {
    for v in &AEAD_VECTORS {
        let mut out = Vec::new();
        aead_context(v)
            .protect_rtp(&hex(RTP_PLAIN), &mut out)
            .unwrap();
        assert_eq!(out, hex(v.rtp_encrypted), "{}", v.profile);
        aead_context(v)
            .unprotect_rtp(&hex(v.rtp_encrypted), &mut out)
            .unwrap();
        assert_eq!(out, hex(RTP_PLAIN), "{}", v.profile);
    }
}

/// RFC 7714 §17.1 / §17.2: SRTCP packet encryption and decryption.
#[test]
fn rfc7714_srtcp_packets() {
    for v in &AEAD_VECTORS {
        let mut out = Vec::new();
        aead_context(v)
            .protect_rtcp(&hex(RTCP_PLAIN), &mut out)
            .unwrap();
        assert_eq!(out, hex(v.rtcp_encrypted), "{}", v.profile);
        aead_context(v)
            .unprotect_rtcp(&hex(v.rtcp_encrypted), &mut out)
            .unwrap();
        assert_eq!(out, hex(RTCP_PLAIN), "{}", v.profile);
    }
}

/// RFC 7714 §17: an SRTCP packet sent with the E flag clear (authenticated, not encrypted).
#[test]
fn rfc7714_srtcp_authenticated_only() {
    for v in &AEAD_VECTORS {
        let mut out = Vec::new();
        aead_context(v)
            .unprotect_rtcp(&hex(v.rtcp_authenticated), &mut out)
            .unwrap();
        assert_eq!(out, hex(RTCP_PLAIN), "{}", v.profile);
        let mut forged = hex(v.rtcp_authenticated);
        forged[20] ^= 1;
        assert_eq!(
            aead_context(v).unprotect_rtcp(&forged, &mut out),
            Err(rtcio_srtp::Error::AuthenticationFailed)
        );
    }
}
