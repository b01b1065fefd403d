//! Value formats of the security attributes (RFC 8489 §14.4–§14.7, §14.11, §14.12):
//! MESSAGE-INTEGRITY-SHA256 lengths and PASSWORD-ALGORITHM(S). The HMAC, CRC and key derivation
//! live in [`crate::integrity`].

use crate::error::AttributeErrorKind;

/// Shortest MESSAGE-INTEGRITY-SHA256 value: the HMAC may be truncated to 16 bytes.
pub const SHA256_MIN_LEN: usize = 16;

/// Longest MESSAGE-INTEGRITY-SHA256 value: the full HMAC-SHA256.
pub const SHA256_MAX_LEN: usize = 32;

/// Checks a MESSAGE-INTEGRITY-SHA256 value length: 16..=32 bytes, a multiple of 4.
pub fn check_sha256_len(value: &[u8]) -> Result<&[u8], AttributeErrorKind> {
    if (SHA256_MIN_LEN..=SHA256_MAX_LEN).contains(&value.len()) && value.len().is_multiple_of(4) {
        Ok(value)
    } else {
        Err(AttributeErrorKind::BadLength(value.len()))
    }
}

/// A password algorithm number (RFC 8489 §18.5, IANA "STUN Password Algorithms").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PasswordAlgorithm(pub u16);

impl PasswordAlgorithm {
    /// MD5: the long-term key is MD5(username ":" realm ":" password), 16 bytes.
    pub const MD5: Self = Self(0x0001);
    /// SHA-256: the long-term key is SHA-256(username ":" realm ":" password), 32 bytes.
    pub const SHA256: Self = Self(0x0002);
}

/// One entry of PASSWORD-ALGORITHM or PASSWORD-ALGORITHMS: an algorithm and its parameters
/// (empty for MD5 and SHA-256).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordAlgorithmValue<'a> {
    /// The algorithm.
    pub algorithm: PasswordAlgorithm,
    /// The algorithm parameters, without padding.
    pub parameters: &'a [u8],
}

impl<'a> PasswordAlgorithmValue<'a> {
    /// An algorithm without parameters.
    pub const fn new(algorithm: PasswordAlgorithm) -> Self {
        Self {
            algorithm,
            parameters: &[],
        }
    }

    /// Reads one entry from the start of `value`; returns it and the rest after its padding.
    fn decode_one(value: &'a [u8]) -> Result<(Self, &'a [u8]), AttributeErrorKind> {
        let bad = AttributeErrorKind::BadLength(value.len());
        let [a0, a1, l0, l1, rest @ ..] = value else {
            return Err(bad);
        };
        let len = usize::from(u16::from_be_bytes([*l0, *l1]));
        let parameters = rest.get(..len).ok_or(bad.clone())?;
        let padded = len.next_multiple_of(4).min(rest.len());
        let tail = rest.get(padded..).ok_or(bad)?;
        let algorithm = PasswordAlgorithm(u16::from_be_bytes([*a0, *a1]));
        Ok((
            Self {
                algorithm,
                parameters,
            },
            tail,
        ))
    }

    /// Decodes PASSWORD-ALGORITHM: exactly one entry (its padding may or may not be included).
    pub fn decode_single(value: &'a [u8]) -> Result<Self, AttributeErrorKind> {
        let (entry, tail) = Self::decode_one(value)?;
        if tail.is_empty() {
            Ok(entry)
        } else {
            Err(AttributeErrorKind::BadLength(value.len()))
        }
    }

    /// Decodes PASSWORD-ALGORITHMS: a list of entries, each padded to four bytes. The list is
    /// bounded by the value length (at most one entry per four bytes).
    pub fn decode_list(mut value: &'a [u8]) -> Result<Vec<Self>, AttributeErrorKind> {
        let mut list = Vec::new();
        while !value.is_empty() {
            let (entry, tail) = Self::decode_one(value)?;
            list.push(entry);
            value = tail;
        }
        Ok(list)
    }

    /// Appends the entry, padding the parameters with zeros to a multiple of four bytes.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<(), AttributeErrorKind> {
        let len = u16::try_from(self.parameters.len())
            .map_err(|_| AttributeErrorKind::BadLength(self.parameters.len()))?;
        out.extend_from_slice(&self.algorithm.0.to_be_bytes());
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(self.parameters);
        out.resize(out.len() + (4 - self.parameters.len() % 4) % 4, 0);
        Ok(())
    }
}
