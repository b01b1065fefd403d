//! Certificate fingerprints as carried in SDP `a=fingerprint` (RFC 8122, RFC 8842).

use std::fmt;
use std::str::FromStr;

use openssl::hash::MessageDigest;

/// Hash function of a [`Fingerprint`], named as in the IANA "Hash Function Textual Names"
/// registry used by RFC 8122.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HashAlgorithm {
    /// `sha-1`: accepted when verifying a remote peer, never offered for local certificates.
    Sha1,
    /// `sha-224`.
    Sha224,
    /// `sha-256`: the default, what browsers put in SDP.
    Sha256,
    /// `sha-384`.
    Sha384,
    /// `sha-512`.
    Sha512,
}

impl HashAlgorithm {
    /// Textual name as written in SDP, e.g. `sha-256`.
    pub fn name(self) -> &'static str {
        match self {
            HashAlgorithm::Sha1 => "sha-1",
            HashAlgorithm::Sha224 => "sha-224",
            HashAlgorithm::Sha256 => "sha-256",
            HashAlgorithm::Sha384 => "sha-384",
            HashAlgorithm::Sha512 => "sha-512",
        }
    }

    /// Digest length in bytes.
    pub fn output_len(self) -> usize {
        match self {
            HashAlgorithm::Sha1 => 20,
            HashAlgorithm::Sha224 => 28,
            HashAlgorithm::Sha256 => 32,
            HashAlgorithm::Sha384 => 48,
            HashAlgorithm::Sha512 => 64,
        }
    }

    pub(crate) fn digest(self) -> MessageDigest {
        match self {
            HashAlgorithm::Sha1 => MessageDigest::sha1(),
            HashAlgorithm::Sha224 => MessageDigest::sha224(),
            HashAlgorithm::Sha256 => MessageDigest::sha256(),
            HashAlgorithm::Sha384 => MessageDigest::sha384(),
            HashAlgorithm::Sha512 => MessageDigest::sha512(),
        }
    }
}

impl fmt::Display for HashAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for HashAlgorithm {
    type Err = FingerprintParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // RFC 8122 names are case-insensitive.
        [
            HashAlgorithm::Sha1,
            HashAlgorithm::Sha224,
            HashAlgorithm::Sha256,
            HashAlgorithm::Sha384,
            HashAlgorithm::Sha512,
        ]
        .into_iter()
        .find(|a| a.name().eq_ignore_ascii_case(s))
        .ok_or(FingerprintParseError::UnsupportedAlgorithm)
    }
}

/// A certificate fingerprint: a hash algorithm and the digest of the DER certificate.
///
/// Displays and parses in the SDP form `sha-256 AB:CD:...` (upper-case hex pairs joined by
/// colons; parsing accepts either case).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Fingerprint {
    /// Hash function used.
    pub algorithm: HashAlgorithm,
    /// Digest bytes; the length matches [`HashAlgorithm::output_len`].
    pub value: Vec<u8>,
}

impl Fingerprint {
    /// Fingerprint of a DER-encoded certificate.
    pub fn of_der(algorithm: HashAlgorithm, der: &[u8]) -> Fingerprint {
        // Hashing with a built-in digest cannot fail short of an allocation failure in OpenSSL,
        // in which case an empty value (that never matches) is the safe answer.
        let value = openssl::hash::hash(algorithm.digest(), der)
            .map(|d| d.to_vec())
            .unwrap_or_default();
        Fingerprint { algorithm, value }
    }

    /// Whether this fingerprint designates the given DER certificate.
    pub fn matches_der(&self, der: &[u8]) -> bool {
        let actual = Fingerprint::of_der(self.algorithm, der);
        !actual.value.is_empty() && actual.value == self.value
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ", self.algorithm)?;
        for (i, byte) in self.value.iter().enumerate() {
            if i > 0 {
                f.write_str(":")?;
            }
            write!(f, "{byte:02X}")?;
        }
        Ok(())
    }
}

impl FromStr for Fingerprint {
    type Err = FingerprintParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = s.split_ascii_whitespace();
        let algorithm: HashAlgorithm = parts.next().ok_or(FingerprintParseError::Empty)?.parse()?;
        let hex = parts.next().ok_or(FingerprintParseError::MissingValue)?;
        if parts.next().is_some() {
            return Err(FingerprintParseError::TrailingData);
        }
        let mut value = Vec::with_capacity(algorithm.output_len());
        for pair in hex.split(':') {
            if value.len() >= algorithm.output_len() {
                return Err(FingerprintParseError::WrongLength);
            }
            let &[high, low] = pair.as_bytes() else {
                return Err(FingerprintParseError::InvalidHex);
            };
            value.push(hex_digit(high)? << 4 | hex_digit(low)?);
        }
        if value.len() != algorithm.output_len() {
            return Err(FingerprintParseError::WrongLength);
        }
        Ok(Fingerprint { algorithm, value })
    }
}

fn hex_digit(c: u8) -> Result<u8, FingerprintParseError> {
    match c {
        b'0'..=b'9' => Ok(c - b'0'),
        b'a'..=b'f' => Ok(c - b'a' + 10),
        b'A'..=b'F' => Ok(c - b'A' + 10),
        _ => Err(FingerprintParseError::InvalidHex),
    }
}

/// Why a fingerprint string could not be parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FingerprintParseError {
    /// The string is empty.
    Empty,
    /// The hash function is not one of sha-1/224/256/384/512.
    UnsupportedAlgorithm,
    /// No hex value after the algorithm.
    MissingValue,
    /// Something follows the hex value.
    TrailingData,
    /// A component is not exactly two hex digits.
    InvalidHex,
    /// The number of bytes does not match the hash function.
    WrongLength,
}

impl fmt::Display for FingerprintParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let msg = match self {
            FingerprintParseError::Empty => "empty fingerprint",
            FingerprintParseError::UnsupportedAlgorithm => "unsupported fingerprint hash function",
            FingerprintParseError::MissingValue => "fingerprint value missing",
            FingerprintParseError::TrailingData => "unexpected data after fingerprint value",
            FingerprintParseError::InvalidHex => "fingerprint value is not colon-separated hex",
            FingerprintParseError::WrongLength => "fingerprint length does not match hash function",
        };
        f.write_str(msg)
    }
}

impl std::error::Error for FingerprintParseError {}
