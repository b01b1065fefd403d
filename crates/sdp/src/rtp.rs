//! RTP attributes: direction (RFC 8866), `a=rtpmap`, `a=fmtp`, `a=rtcp-fb` (RFC 4585) and
//! `a=extmap` (RFC 8285).

use std::fmt;

use crate::error::ValueError;
use crate::util::{Words, number, payload_type, token, word};

/// A media direction attribute: `a=sendrecv`, `a=sendonly`, `a=recvonly` or `a=inactive`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// `sendrecv`
    SendRecv,
    /// `sendonly`
    SendOnly,
    /// `recvonly`
    RecvOnly,
    /// `inactive`
    Inactive,
}

impl Direction {
    /// The attribute name as written in SDP.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SendRecv => "sendrecv",
            Self::SendOnly => "sendonly",
            Self::RecvOnly => "recvonly",
            Self::Inactive => "inactive",
        }
    }

    /// Parses a direction name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "sendrecv" => Some(Self::SendRecv),
            "sendonly" => Some(Self::SendOnly),
            "recvonly" => Some(Self::RecvOnly),
            "inactive" => Some(Self::Inactive),
            _ => None,
        }
    }

    /// The direction seen from the other side (`sendonly` ↔ `recvonly`).
    pub fn reverse(self) -> Self {
        match self {
            Self::SendOnly => Self::RecvOnly,
            Self::RecvOnly => Self::SendOnly,
            d => d,
        }
    }

    /// Whether this direction includes sending.
    pub fn sends(self) -> bool {
        matches!(self, Self::SendRecv | Self::SendOnly)
    }

    /// Whether this direction includes receiving.
    pub fn receives(self) -> bool {
        matches!(self, Self::SendRecv | Self::RecvOnly)
    }
}

/// `a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RtpMap {
    /// RTP payload type (0–127).
    pub payload_type: u8,
    /// Encoding name as written, e.g. `opus`, `VP8`.
    pub encoding_name: String,
    /// Clock rate in Hz.
    pub clock_rate: u32,
    /// Encoding parameters: the number of audio channels.
    pub channels: Option<u16>,
}

impl RtpMap {
    /// A mapping without encoding parameters.
    pub fn new(payload_type: u8, encoding_name: impl Into<String>, clock_rate: u32) -> Self {
        Self {
            payload_type,
            encoding_name: encoding_name.into(),
            clock_rate,
            channels: None,
        }
    }

    /// Parses the attribute value.
    pub fn parse_value(value: &str) -> Result<Self, ValueError> {
        let mut w = Words::new(value);
        let payload_type = payload_type(w.next("payload type")?)?;
        let encoding = w.next("encoding name")?;
        w.end("encoding")?;
        let mut parts = encoding.split('/');
        let encoding_name = token("encoding name", parts.next().unwrap_or(""))?;
        let clock_rate = number("clock rate", parts.next().unwrap_or(""))?;
        let channels = parts
            .next()
            .map(|c| number("encoding parameters", c))
            .transpose()?;
        if let Some(extra) = parts.next() {
            return Err(ValueError::new(
                "encoding parameters",
                extra,
                crate::Problem::Trailing,
            ));
        }
        Ok(Self {
            payload_type,
            encoding_name: encoding_name.into(),
            clock_rate,
            channels,
        })
    }
}

impl fmt::Display for RtpMap {
    /// Writes the attribute value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}/{}",
            self.payload_type, self.encoding_name, self.clock_rate
        )?;
        if let Some(c) = self.channels {
            write!(f, "/{c}")?;
        }
        Ok(())
    }
}

/// `a=fmtp:<payload type> <format parameters>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fmtp {
    /// RTP payload type (0–127).
    pub payload_type: u8,
    /// The format parameters exactly as written, e.g. `minptime=10;useinbandfec=1`.
    pub parameters: String,
}

impl Fmtp {
    /// Parses the attribute value.
    pub fn parse_value(value: &str) -> Result<Self, ValueError> {
        let (pt, parameters) = value.split_once(' ').unwrap_or((value, ""));
        Ok(Self {
            payload_type: payload_type(pt)?,
            parameters: parameters.into(),
        })
    }

    /// The `;`-separated parameters as (name, value) pairs, trimmed; a parameter without `=`
    /// (such as `0-15` for telephone-event) has no value.
    pub fn parameters(&self) -> impl Iterator<Item = (&str, Option<&str>)> {
        self.parameters
            .split(';')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| match p.split_once('=') {
                Some((k, v)) => (k.trim(), Some(v.trim())),
                None => (p, None),
            })
    }

    /// The value of parameter `name` (compared case-insensitively).
    pub fn parameter(&self, name: &str) -> Option<&str> {
        self.parameters()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| v)
    }
}

impl fmt::Display for Fmtp {
    /// Writes the attribute value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.payload_type, self.parameters)
    }
}

/// The payload type an `a=rtcp-fb` applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RtcpFbPayload {
    /// `*`: every payload type of the media section.
    All,
    /// One payload type.
    PayloadType(u8),
}

impl RtcpFbPayload {
    /// Whether feedback for this target applies to payload type `pt`.
    pub fn applies_to(self, pt: u8) -> bool {
        match self {
            Self::All => true,
            Self::PayloadType(p) => p == pt,
        }
    }
}

/// `a=rtcp-fb:<payload type|*> <type> [<parameters>]` (RFC 4585), e.g. `nack pli`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RtcpFb {
    /// The payload type(s) the feedback applies to.
    pub payload: RtcpFbPayload,
    /// Feedback type, e.g. `nack`, `ccm`, `transport-cc`, `goog-remb`.
    pub feedback_type: String,
    /// The rest of the value after the type, as written (e.g. `pli`, `fir`).
    pub parameter: Option<String>,
}

impl RtcpFb {
    /// Feedback of `feedback_type` with an optional parameter, for one payload type.
    pub fn new(payload_type: u8, feedback_type: &str, parameter: Option<&str>) -> Self {
        Self {
            payload: RtcpFbPayload::PayloadType(payload_type),
            feedback_type: feedback_type.into(),
            parameter: parameter.map(Into::into),
        }
    }

    /// Parses the attribute value.
    pub fn parse_value(value: &str) -> Result<Self, ValueError> {
        let (pt, rest) = value
            .split_once(' ')
            .ok_or_else(|| ValueError::missing("feedback type"))?;
        let payload = match pt {
            "*" => RtcpFbPayload::All,
            pt => RtcpFbPayload::PayloadType(payload_type(pt)?),
        };
        let (feedback_type, parameter) = match rest.split_once(' ') {
            Some((t, p)) => (t, Some(p)),
            None => (rest, None),
        };
        Ok(Self {
            payload,
            feedback_type: token("feedback type", feedback_type)?.into(),
            parameter: parameter.map(Into::into),
        })
    }
}

impl fmt::Display for RtcpFb {
    /// Writes the attribute value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.payload {
            RtcpFbPayload::All => f.write_str("*")?,
            RtcpFbPayload::PayloadType(pt) => write!(f, "{pt}")?,
        }
        write!(f, " {}", self.feedback_type)?;
        if let Some(p) = &self.parameter {
            write!(f, " {p}")?;
        }
        Ok(())
    }
}

/// `a=extmap:<id>[/<direction>] <uri> [<extension attributes>]` (RFC 8285).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Extmap {
    /// Local identifier: 1–14 for one-byte headers, 1–255 with two-byte headers, 4096–4351
    /// reserved for negotiation.
    pub id: u16,
    /// Direction of the extension, when stated.
    pub direction: Option<Direction>,
    /// The extension URI.
    pub uri: String,
    /// Extension attributes after the URI, as written.
    pub attributes: Option<String>,
}

impl Extmap {
    /// An extension without direction or attributes.
    pub fn new(id: u16, uri: impl Into<String>) -> Self {
        Self {
            id,
            direction: None,
            uri: uri.into(),
            attributes: None,
        }
    }

    /// Parses the attribute value.
    pub fn parse_value(value: &str) -> Result<Self, ValueError> {
        let (head, rest) = value
            .split_once(' ')
            .ok_or_else(|| ValueError::missing("extension URI"))?;
        let (id_text, direction) = match head.split_once('/') {
            Some((id, d)) => (
                id,
                Some(Direction::parse(d).ok_or_else(|| ValueError::invalid("direction", d))?),
            ),
            None => (head, None),
        };
        let id: u16 = number("extension ID", id_text)?;
        if !(1..=255).contains(&id) && !(4096..=4351).contains(&id) {
            return Err(ValueError::new(
                "extension ID",
                id_text,
                crate::Problem::OutOfRange,
            ));
        }
        let (uri, attributes) = match rest.split_once(' ') {
            Some((u, a)) => (u, Some(a)),
            None => (rest, None),
        };
        Ok(Self {
            id,
            direction,
            uri: word("extension URI", uri)?.into(),
            attributes: attributes.map(Into::into),
        })
    }
}

impl fmt::Display for Extmap {
    /// Writes the attribute value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.id)?;
        if let Some(d) = self.direction {
            write!(f, "/{}", d.as_str())?;
        }
        write!(f, " {}", self.uri)?;
        if let Some(a) = &self.attributes {
            write!(f, " {a}")?;
        }
        Ok(())
    }
}
