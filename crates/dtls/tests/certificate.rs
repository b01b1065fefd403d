//! Certificates: generation, expiry, fingerprints, PEM persistence.

use std::time::{Duration, SystemTime};

use rtcio_dtls::{
    Certificate, CertificateParams, DEFAULT_VALIDITY, Fingerprint, FingerprintParseError,
    HashAlgorithm, KeyType,
};

#[test]
fn generated_certificates_are_unique_and_expire_in_30_days() {
    let now = SystemTime::now();
    let a = Certificate::generate(KeyType::EcdsaP256).unwrap();
    let b = Certificate::generate(KeyType::EcdsaP256).unwrap();
    assert_ne!(a.fingerprint(), b.fingerprint());
    let expires = a.expires().duration_since(now).unwrap();
    assert!(expires > DEFAULT_VALIDITY - Duration::from_secs(60));
    assert!(expires <= DEFAULT_VALIDITY + Duration::from_secs(1));
}

#[test]
fn expiry_is_configurable() {
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    let mut params = CertificateParams::new(KeyType::EcdsaP256, now);
    params.validity = Duration::from_secs(3600);
    let cert = Certificate::generate_with(params).unwrap();
    assert_eq!(cert.expires(), now + Duration::from_secs(3600));
}

#[test]
fn rsa_certificates_are_available() {
    let cert = Certificate::generate(KeyType::Rsa2048).unwrap();
    // A 2048-bit RSA certificate is markedly larger than a P-256 one.
    assert!(cert.der().len() > 600, "{}", cert.der().len());
}

#[test]
fn fingerprints_in_sdp_form_round_trip() {
    let cert = Certificate::generate(KeyType::EcdsaP256).unwrap();
    let fps = cert.fingerprints();
    let algorithms: Vec<_> = fps.iter().map(|f| f.algorithm).collect();
    assert_eq!(
        algorithms,
        [
            HashAlgorithm::Sha256,
            HashAlgorithm::Sha384,
            HashAlgorithm::Sha512
        ]
    );
    for fp in fps {
        let text = fp.to_string();
        let (name, hex) = text.split_once(' ').unwrap();
        assert_eq!(name, fp.algorithm.name());
        assert_eq!(hex.len(), fp.algorithm.output_len() * 3 - 1);
        assert!(!hex.chars().any(|c| c.is_ascii_lowercase()));
        assert_eq!(text.parse::<Fingerprint>().unwrap(), fp);
        assert_eq!(text.to_lowercase().parse::<Fingerprint>().unwrap(), fp);
        assert!(fp.matches_der(cert.der()));
    }
    let sha1 = cert.fingerprint_with(HashAlgorithm::Sha1);
    assert_eq!(sha1.value.len(), 20);
    assert!(
        sha1.to_string()
            .parse::<Fingerprint>()
            .unwrap()
            .matches_der(cert.der())
    );
}

#[test]
fn known_fingerprint_text() {
    let fp = Fingerprint {
        algorithm: HashAlgorithm::Sha256,
        value: (0u8..32).collect(),
    };
    assert_eq!(
        fp.to_string(),
        "sha-256 00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:\
10:11:12:13:14:15:16:17:18:19:1A:1B:1C:1D:1E:1F"
    );
}

#[test]
fn malformed_fingerprints_are_rejected() {
    let cases = [
        ("", FingerprintParseError::Empty),
        ("md5 00:11", FingerprintParseError::UnsupportedAlgorithm),
        ("sha-256", FingerprintParseError::MissingValue),
        ("sha-1 00:11:22", FingerprintParseError::WrongLength),
        ("sha-1 0g:11", FingerprintParseError::InvalidHex),
        ("sha-1 011:1", FingerprintParseError::InvalidHex),
        (
            "sha-1 +1:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33",
            FingerprintParseError::InvalidHex,
        ),
        (
            "sha-1 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:",
            FingerprintParseError::InvalidHex,
        ),
        (
            "sha-1 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33 x",
            FingerprintParseError::TrailingData,
        ),
        (
            "sha-1 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44",
            FingerprintParseError::WrongLength,
        ),
    ];
    for (text, error) in cases {
        assert_eq!(text.parse::<Fingerprint>(), Err(error), "{text:?}");
    }
}

#[test]
fn pem_round_trip_keeps_the_fingerprint() {
    for key_type in [KeyType::EcdsaP256, KeyType::Rsa2048] {
        let cert = Certificate::generate(key_type).unwrap();
        let pem = cert.to_pem().unwrap();
        assert!(pem.certificate.starts_with("-----BEGIN CERTIFICATE-----"));
        assert!(pem.private_key.starts_with("-----BEGIN PRIVATE KEY-----"));
        assert!(!format!("{pem:?}").contains("PRIVATE KEY"));
        let loaded = Certificate::from_pem(&pem.certificate, &pem.private_key).unwrap();
        assert_eq!(loaded.fingerprint(), cert.fingerprint());
        assert_eq!(loaded.expires(), cert.expires());
    }
}

#[test]
fn pem_with_foreign_key_or_garbage_is_rejected() {
    let a = Certificate::generate(KeyType::EcdsaP256)
        .unwrap()
        .to_pem()
        .unwrap();
    let b = Certificate::generate(KeyType::EcdsaP256)
        .unwrap()
        .to_pem()
        .unwrap();
    assert!(Certificate::from_pem(&a.certificate, &b.private_key).is_err());
    assert!(Certificate::from_pem("garbage", &a.private_key).is_err());
    assert!(Certificate::from_pem(&a.certificate, "").is_err());
}

#[test]
fn clones_share_the_identity() {
    let cert = Certificate::generate(KeyType::EcdsaP256).unwrap();
    let clone = cert.clone();
    // Same DER buffer, not a copy.
    assert!(std::ptr::eq(cert.der(), clone.der()));
}
