//! DTLS attributes: `a=fingerprint` (RFC 8122) and `a=setup` (RFC 4145).

use std::fmt;

use crate::error::{Problem, ValueError};
use crate::util::{Words, token};

/// The longest fingerprint accepted for an unknown hash function, in bytes.
pub const MAX_FINGERPRINT_LEN: usize = 64;

/// A certificate fingerprint: `a=fingerprint:<hash-func> <hex bytes separated by ':'>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fingerprint {
    /// The hash function.
    pub hash_function: HashFunction,
    /// The digest bytes; their count matches the hash function's output size when it is known.
    pub bytes: Vec<u8>,
}

/// A fingerprint hash function (RFC 8122 `hash-func`, matched case-insensitively).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum HashFunction {
    /// `sha-1`
    Sha1,
    /// `sha-224`
    Sha224,
    /// `sha-256`
    Sha256,
    /// `sha-384`
    Sha384,
    /// `sha-512`
    Sha512,
    /// `md5`
    Md5,
    /// `md2`
    Md2,
    /// Any other token, as written.
    Other(String),
}

impl HashFunction {
    /// The name as written in SDP (lowercase for the known functions).
    pub fn as_str(&self) -> &str {
        match self {
            Self::Sha1 => "sha-1",
            Self::Sha224 => "sha-224",
            Self::Sha256 => "sha-256",
            Self::Sha384 => "sha-384",
            Self::Sha512 => "sha-512",
            Self::Md5 => "md5",
            Self::Md2 => "md2",
            Self::Other(s) => s,
        }
    }

    /// The digest length in bytes, for the known functions.
    pub fn digest_len(&self) -> Option<usize> {
        match self {
            Self::Sha1 => Some(20),
            Self::Sha224 => Some(28),
            Self::Sha256 => Some(32),
            Self::Sha384 => Some(48),
            Self::Sha512 => Some(64),
            Self::Md5 | Self::Md2 => Some(16),
            Self::Other(_) => None,
        }
    }

    fn parse(s: &str) -> Result<Self, ValueError> {
        let known = [
            Self::Sha1,
            Self::Sha224,
            Self::Sha256,
            Self::Sha384,
            Self::Sha512,
            Self::Md5,
            Self::Md2,
        ];
        match known
            .into_iter()
            .find(|h| h.as_str().eq_ignore_ascii_case(s))
        {
            Some(h) => Ok(h),
            None => Ok(Self::Other(token("hash function", s)?.into())),
        }
    }
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

impl Fingerprint {
    /// Parses the attribute value, e.g. `sha-256 0C:B8:…`.
    pub fn parse_value(value: &str) -> Result<Self, ValueError> {
        let mut w = Words::new(value);
        let hash_function = HashFunction::parse(w.next("hash function")?)?;
        let hex = w.next("fingerprint")?;
        w.end("fingerprint")?;
        let max = hash_function.digest_len().unwrap_or(MAX_FINGERPRINT_LEN);
        let mut bytes = Vec::new();
        for pair in hex.split(':') {
            let byte = match pair.as_bytes() {
                [hi, lo] => hex_value(*hi).zip(hex_value(*lo)).map(|(h, l)| h << 4 | l),
                _ => None,
            };
            let byte = byte.ok_or_else(|| ValueError::invalid("fingerprint", hex))?;
            if bytes.len() == max {
                return Err(ValueError::new("fingerprint", hex, Problem::OutOfRange));
            }
            bytes.push(byte);
        }
        if hash_function.digest_len().is_some_and(|n| n != bytes.len()) {
            return Err(ValueError::new("fingerprint", hex, Problem::OutOfRange));
        }
        Ok(Self {
            hash_function,
            bytes,
        })
    }
}

impl fmt::Display for Fingerprint {
    /// Writes the attribute value: the hash function and uppercase hex bytes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.hash_function.as_str())?;
        for (i, b) in self.bytes.iter().enumerate() {
            f.write_str(if i == 0 { " " } else { ":" })?;
            write!(f, "{b:02X}")?;
        }
        Ok(())
    }
}

/// The DTLS role attribute `a=setup` (RFC 4145, RFC 8842).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Setup {
    /// `actpass`: either role (offers).
    Actpass,
    /// `active`: DTLS client.
    Active,
    /// `passive`: DTLS server.
    Passive,
    /// `holdconn`: no connection yet.
    Holdconn,
}

impl Setup {
    /// The value as written in SDP.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Actpass => "actpass",
            Self::Active => "active",
            Self::Passive => "passive",
            Self::Holdconn => "holdconn",
        }
    }

    /// Parses the attribute value.
    pub fn parse_value(value: &str) -> Result<Self, ValueError> {
        match value {
            "actpass" => Ok(Self::Actpass),
            "active" => Ok(Self::Active),
            "passive" => Ok(Self::Passive),
            "holdconn" => Ok(Self::Holdconn),
            _ => Err(ValueError::invalid("setup role", value)),
        }
    }
}
