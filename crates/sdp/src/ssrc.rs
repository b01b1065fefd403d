//! Source-specific attributes (RFC 5576): `a=ssrc` and `a=ssrc-group`.

use std::fmt;

use crate::error::ValueError;
use crate::util::{Words, number, token};

/// `a=ssrc:<ssrc> <attribute>[:<value>]`, e.g. `a=ssrc:3426437798 cname:YzMLJotJlBRWK5ZS`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SsrcAttribute {
    /// The synchronization source.
    pub ssrc: u32,
    /// The source attribute name, e.g. `cname`, `msid`.
    pub attribute: String,
    /// The source attribute value, as written (may contain spaces, as `msid` does).
    pub value: Option<String>,
}

impl SsrcAttribute {
    /// A source attribute with a value.
    pub fn new(ssrc: u32, attribute: &str, value: &str) -> Self {
        Self {
            ssrc,
            attribute: attribute.into(),
            value: Some(value.into()),
        }
    }

    /// Parses the attribute value.
    pub fn parse_value(value: &str) -> Result<Self, ValueError> {
        let (ssrc, rest) = value
            .split_once(' ')
            .ok_or_else(|| ValueError::missing("source attribute"))?;
        let ssrc = number("ssrc", ssrc)?;
        let (attribute, value) = match rest.split_once(':') {
            Some((a, v)) => (a, Some(v)),
            None => (rest, None),
        };
        Ok(Self {
            ssrc,
            attribute: token("source attribute", attribute)?.into(),
            value: value.map(Into::into),
        })
    }
}

impl fmt::Display for SsrcAttribute {
    /// Writes the attribute value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.ssrc, self.attribute)?;
        if let Some(v) = &self.value {
            write!(f, ":{v}")?;
        }
        Ok(())
    }
}

/// `a=ssrc-group:<semantics> <ssrc> …`, e.g. `FID 3049961436 1335571289` (also `SIM`,
/// `FEC-FR`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SsrcGroup {
    /// Grouping semantics, e.g. `FID`, `SIM`, `FEC-FR`.
    pub semantics: String,
    /// The grouped sources, in order.
    pub ssrcs: Vec<u32>,
}

impl SsrcGroup {
    /// Parses the attribute value.
    pub fn parse_value(value: &str) -> Result<Self, ValueError> {
        let mut w = Words::new(value);
        let semantics = token("semantics", w.next("semantics")?)?.into();
        let mut ssrcs = Vec::new();
        while let Some(s) = w.next_opt() {
            ssrcs.push(number("ssrc", s)?);
        }
        Ok(Self { semantics, ssrcs })
    }
}

impl fmt::Display for SsrcGroup {
    /// Writes the attribute value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.semantics)?;
        for s in &self.ssrcs {
            write!(f, " {s}")?;
        }
        Ok(())
    }
}
