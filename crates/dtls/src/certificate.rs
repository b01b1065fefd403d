//! WebRTC certificates (W3C `RTCCertificate`): self-signed X.509 with an ECDSA P-256 (default)
//! or RSA-2048 key, fingerprints for SDP, PEM persistence.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use openssl::asn1::Asn1Time;
use openssl::bn::{BigNum, MsbOption};
use openssl::ec::{EcGroup, EcKey};
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::{Id, PKey, Private};
use openssl::rsa::Rsa;
use openssl::x509::{X509, X509NameBuilder};

use crate::error::DtlsError;
use crate::fingerprint::{Fingerprint, HashAlgorithm};

/// Validity used by [`Certificate::generate`]: 30 days, as browsers do.
pub const DEFAULT_VALIDITY: Duration = Duration::from_secs(30 * 24 * 3600);

/// Clock skew tolerance: the certificate is valid from one day before its creation.
const NOT_BEFORE_SLACK: Duration = Duration::from_secs(24 * 3600);

/// Key algorithm of a generated certificate.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum KeyType {
    /// ECDSA on P-256 (secp256r1) with SHA-256: the browsers' default.
    #[default]
    EcdsaP256,
    /// RSASSA-PKCS1-v1_5 with a 2048-bit modulus and SHA-256.
    Rsa2048,
}

/// Parameters of [`Certificate::generate_with`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CertificateParams {
    /// Key algorithm.
    pub key_type: KeyType,
    /// How long after `now` the certificate expires.
    pub validity: Duration,
    /// Creation time (calendar time; the only clock a certificate needs).
    pub now: SystemTime,
}

impl CertificateParams {
    /// Parameters for `key_type`, the default validity, created at `now`.
    pub fn new(key_type: KeyType, now: SystemTime) -> CertificateParams {
        CertificateParams {
            key_type,
            validity: DEFAULT_VALIDITY,
            now,
        }
    }
}

/// PEM encodings of a certificate and its private key (PKCS#8).
#[derive(Clone, PartialEq, Eq)]
pub struct CertificatePem {
    /// `-----BEGIN CERTIFICATE-----` block.
    pub certificate: String,
    /// `-----BEGIN PRIVATE KEY-----` block (unencrypted PKCS#8): keep it secret.
    pub private_key: String,
}

impl std::fmt::Debug for CertificatePem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertificatePem")
            .field("certificate", &self.certificate)
            .field("private_key", &"<redacted>")
            .finish()
    }
}

/// A DTLS identity: an X.509 certificate and its private key (W3C `RTCCertificate`).
///
/// Cloning is cheap (shared, immutable), so one certificate can serve many connections and keep
/// a stable fingerprint.
#[derive(Clone)]
pub struct Certificate {
    inner: Arc<Inner>,
}

struct Inner {
    x509: X509,
    key: PKey<Private>,
    der: Vec<u8>,
    expires: SystemTime,
}

impl std::fmt::Debug for Certificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Certificate")
            .field("fingerprint", &self.fingerprint().to_string())
            .field("expires", &self.inner.expires)
            .finish()
    }
}

impl Certificate {
    /// Generates a self-signed certificate valid for 30 days from now, with a random common
    /// name and serial number.
    pub fn generate(key_type: KeyType) -> Result<Certificate, DtlsError> {
        Certificate::generate_with(CertificateParams::new(key_type, SystemTime::now()))
    }

    /// Generates a self-signed certificate with explicit parameters.
    pub fn generate_with(params: CertificateParams) -> Result<Certificate, DtlsError> {
        let key = match params.key_type {
            KeyType::EcdsaP256 => {
                let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1)?;
                PKey::from_ec_key(EcKey::generate(&group)?)?
            }
            KeyType::Rsa2048 => PKey::from_rsa(Rsa::generate(2048)?)?,
        };

        let mut name = X509NameBuilder::new()?;
        name.append_entry_by_nid(Nid::COMMONNAME, &random_hex(16)?)?;
        let name = name.build();

        let mut serial = BigNum::new()?;
        serial.rand(63, MsbOption::MAYBE_ZERO, false)?;

        let not_before = params
            .now
            .checked_sub(NOT_BEFORE_SLACK)
            .unwrap_or(UNIX_EPOCH);
        let not_after = params
            .now
            .checked_add(params.validity)
            .ok_or(DtlsError::InvalidCertificate("validity out of range"))?;

        let serial = serial.to_asn1_integer()?;
        let not_before = asn1_time(not_before)?;
        let not_after = asn1_time(not_after)?;
        let mut builder = X509::builder()?;
        builder.set_version(2)?;
        builder.set_serial_number(&serial)?;
        builder.set_subject_name(&name)?;
        builder.set_issuer_name(&name)?;
        builder.set_pubkey(&key)?;
        builder.set_not_before(&not_before)?;
        builder.set_not_after(&not_after)?;
        builder.sign(&key, MessageDigest::sha256())?;
        Certificate::from_parts(builder.build(), key)
    }

    /// Loads a certificate and its private key from PEM (as written by [`Certificate::to_pem`]).
    ///
    /// Fails if the key does not belong to the certificate.
    pub fn from_pem(
        certificate_pem: &str,
        private_key_pem: &str,
    ) -> Result<Certificate, DtlsError> {
        let x509 = X509::from_pem(certificate_pem.as_bytes())
            .map_err(|_| DtlsError::InvalidCertificate("certificate PEM does not parse"))?;
        let key = PKey::private_key_from_pem(private_key_pem.as_bytes())
            .map_err(|_| DtlsError::InvalidCertificate("private key PEM does not parse"))?;
        Certificate::from_parts(x509, key)
    }

    fn from_parts(x509: X509, key: PKey<Private>) -> Result<Certificate, DtlsError> {
        let public = x509.public_key()?;
        if !public.public_eq(&key) {
            return Err(DtlsError::InvalidCertificate(
                "private key does not match certificate",
            ));
        }
        if key.id() != Id::EC && key.id() != Id::RSA {
            return Err(DtlsError::InvalidCertificate(
                "key is neither ECDSA nor RSA",
            ));
        }
        let der = x509.to_der()?;
        let expires = system_time(x509.not_after())?;
        Ok(Certificate {
            inner: Arc::new(Inner {
                x509,
                key,
                der,
                expires,
            }),
        })
    }

    /// PEM encodings of the certificate and of its private key.
    pub fn to_pem(&self) -> Result<CertificatePem, DtlsError> {
        let certificate = String::from_utf8(self.inner.x509.to_pem()?)
            .map_err(|_| DtlsError::InvalidCertificate("PEM is not UTF-8"))?;
        let private_key = String::from_utf8(self.inner.key.private_key_to_pem_pkcs8()?)
            .map_err(|_| DtlsError::InvalidCertificate("PEM is not UTF-8"))?;
        Ok(CertificatePem {
            certificate,
            private_key,
        })
    }

    /// When the certificate stops being valid (W3C `RTCCertificate.expires`).
    pub fn expires(&self) -> SystemTime {
        self.inner.expires
    }

    /// The sha-256 fingerprint, as put in SDP.
    pub fn fingerprint(&self) -> Fingerprint {
        self.fingerprint_with(HashAlgorithm::Sha256)
    }

    /// The fingerprint with a chosen hash function.
    pub fn fingerprint_with(&self, algorithm: HashAlgorithm) -> Fingerprint {
        Fingerprint::of_der(algorithm, &self.inner.der)
    }

    /// Fingerprints in sha-256, sha-384 and sha-512 (W3C `getFingerprints()`).
    pub fn fingerprints(&self) -> Vec<Fingerprint> {
        [
            HashAlgorithm::Sha256,
            HashAlgorithm::Sha384,
            HashAlgorithm::Sha512,
        ]
        .into_iter()
        .map(|a| self.fingerprint_with(a))
        .collect()
    }

    /// DER encoding of the certificate.
    pub fn der(&self) -> &[u8] {
        &self.inner.der
    }

    pub(crate) fn x509(&self) -> &X509 {
        &self.inner.x509
    }

    pub(crate) fn private_key(&self) -> &PKey<Private> {
        &self.inner.key
    }
}

fn random_hex(bytes: usize) -> Result<String, DtlsError> {
    let mut buf = vec![0u8; bytes];
    openssl::rand::rand_bytes(&mut buf)?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

fn asn1_time(t: SystemTime) -> Result<Asn1Time, DtlsError> {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .map_err(|_| DtlsError::InvalidCertificate("time before 1970"))?
        .as_secs();
    let secs = secs
        .try_into()
        .map_err(|_| DtlsError::InvalidCertificate("time out of range"))?;
    Ok(Asn1Time::from_unix(secs)?)
}

fn system_time(t: &openssl::asn1::Asn1TimeRef) -> Result<SystemTime, DtlsError> {
    let diff = Asn1Time::from_unix(0)?.diff(t)?;
    let secs = i64::from(diff.days) * 86_400 + i64::from(diff.secs);
    let secs =
        u64::try_from(secs).map_err(|_| DtlsError::InvalidCertificate("expiry before 1970"))?;
    Ok(UNIX_EPOCH + Duration::from_secs(secs))
}
