//! DTLS-SRTP keying material layout (RFC 5764 section 4.2) and profile parameters.

use rtcio_dtls::{DtlsRole, SrtpKeyingMaterial, SrtpProfile};

#[test]
fn exporter_output_is_split_by_role() {
    let profile = SrtpProfile::Aes128CmHmacSha1_80;
    let material: Vec<u8> = (0u8..60).collect();
    let client = SrtpKeyingMaterial::from_exported(profile, DtlsRole::Client, &material).unwrap();
    let server = SrtpKeyingMaterial::from_exported(profile, DtlsRole::Server, &material).unwrap();
    // client_write_key | server_write_key | client_write_salt | server_write_salt
    assert_eq!(client.local_key, (0u8..16).collect::<Vec<_>>());
    assert_eq!(client.remote_key, (16u8..32).collect::<Vec<_>>());
    assert_eq!(client.local_salt, (32u8..46).collect::<Vec<_>>());
    assert_eq!(client.remote_salt, (46u8..60).collect::<Vec<_>>());
    assert_eq!(server.local_key, client.remote_key);
    assert_eq!(server.remote_key, client.local_key);
    assert_eq!(server.local_salt, client.remote_salt);
    assert_eq!(server.remote_salt, client.local_salt);
    // Keys stay out of logs.
    assert!(!format!("{client:?}").contains("16, 17"));
}

#[test]
fn wrong_length_is_refused() {
    for profile in SrtpProfile::DEFAULT {
        let len = profile.keying_material_len();
        for bad in [0, len - 1, len + 1] {
            assert!(
                SrtpKeyingMaterial::from_exported(profile, DtlsRole::Client, &vec![0; bad])
                    .is_none()
            );
        }
    }
}

#[test]
fn profile_parameters_follow_rfc_5764_and_7714() {
    let table = [
        (
            SrtpProfile::AeadAes128Gcm,
            0x0007,
            16,
            12,
            56,
            "SRTP_AEAD_AES_128_GCM",
        ),
        (
            SrtpProfile::AeadAes256Gcm,
            0x0008,
            32,
            12,
            88,
            "SRTP_AEAD_AES_256_GCM",
        ),
        (
            SrtpProfile::Aes128CmHmacSha1_80,
            0x0001,
            16,
            14,
            60,
            "SRTP_AES128_CM_SHA1_80",
        ),
        (
            SrtpProfile::Aes128CmHmacSha1_32,
            0x0002,
            16,
            14,
            60,
            "SRTP_AES128_CM_SHA1_32",
        ),
    ];
    // DEFAULT is the browsers' preference order.
    assert_eq!(
        SrtpProfile::DEFAULT.to_vec(),
        table.iter().map(|t| t.0).collect::<Vec<_>>()
    );
    for (profile, id, key, salt, total, name) in table {
        assert_eq!(profile.id(), id);
        assert_eq!(SrtpProfile::from_id(id), Some(profile));
        assert_eq!((profile.key_len(), profile.salt_len()), (key, salt));
        assert_eq!(profile.keying_material_len(), total);
        assert_eq!(profile.to_string(), name);
    }
    assert_eq!(SrtpProfile::from_id(0x0005), None);
}
