//! RTP stream identifiers (`a=rid`, RFC 8851) and simulcast (`a=simulcast`, RFC 8853).

use std::fmt;

use crate::error::{Problem, ValueError};
use crate::util::{Words, payload_type};

/// Checks an RFC 8851 `rid-id`: letters, digits, `-` and `_`.
fn rid_id<'a>(field: &'static str, s: &'a str) -> Result<&'a str, ValueError> {
    if s.is_empty() {
        Err(ValueError::missing(field))
    } else if s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        Ok(s)
    } else {
        Err(ValueError::invalid(field, s))
    }
}

/// The direction of an `a=rid` or of a simulcast stream list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RidDirection {
    /// `send`
    Send,
    /// `recv`
    Recv,
}

impl RidDirection {
    /// The keyword as written in SDP.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Send => "send",
            Self::Recv => "recv",
        }
    }

    fn parse(field: &'static str, s: &str) -> Result<Self, ValueError> {
        match s {
            "send" => Ok(Self::Send),
            "recv" => Ok(Self::Recv),
            _ => Err(ValueError::invalid(field, s)),
        }
    }
}

/// One `name[=value]` restriction of an `a=rid`, e.g. `pt=96,97` or `max-width=1280`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RidParam {
    /// Restriction name.
    pub name: String,
    /// Restriction value, if any.
    pub value: Option<String>,
}

/// `a=rid:<rid-id> <send|recv> [<restriction>;…]` (RFC 8851).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Rid {
    /// The RTP stream identifier.
    pub id: String,
    /// Direction.
    pub direction: RidDirection,
    /// Restrictions in their original order (including `pt=`).
    pub params: Vec<RidParam>,
}

impl Rid {
    /// A rid without restrictions.
    pub fn new(id: impl Into<String>, direction: RidDirection) -> Self {
        Self {
            id: id.into(),
            direction,
            params: Vec::new(),
        }
    }

    /// Parses the attribute value.
    pub fn parse_value(value: &str) -> Result<Self, ValueError> {
        let mut w = Words::new(value);
        let id = rid_id("rid-id", w.next("rid-id")?)?.into();
        let direction = RidDirection::parse("rid direction", w.next("rid direction")?)?;
        let mut params = Vec::new();
        if let Some(list) = w.next_opt() {
            w.end("rid restrictions")?;
            for p in list.split(';').filter(|p| !p.is_empty()) {
                let (name, value) = match p.split_once('=') {
                    Some((n, v)) => (n, Some(v)),
                    None => (p, None),
                };
                if name.is_empty() {
                    return Err(ValueError::invalid("rid restriction", p));
                }
                if name == "pt" {
                    for pt in value.unwrap_or("").split(',') {
                        payload_type(pt)?;
                    }
                }
                params.push(RidParam {
                    name: name.into(),
                    value: value.map(Into::into),
                });
            }
        }
        Ok(Self {
            id,
            direction,
            params,
        })
    }

    /// The payload types of the `pt=` restriction (empty when there is none).
    pub fn payload_types(&self) -> Vec<u8> {
        self.param("pt")
            .map(|v| v.split(',').filter_map(|p| p.parse().ok()).collect())
            .unwrap_or_default()
    }

    /// The value of restriction `name`, e.g. `max-width`.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|p| p.name == name)
            .and_then(|p| p.value.as_deref())
    }
}

impl fmt::Display for Rid {
    /// Writes the attribute value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.id, self.direction.as_str())?;
        for (i, p) in self.params.iter().enumerate() {
            f.write_str(if i == 0 { " " } else { ";" })?;
            f.write_str(&p.name)?;
            if let Some(v) = &p.value {
                write!(f, "={v}")?;
            }
        }
        Ok(())
    }
}

/// One rid in a simulcast stream, possibly paused (`~`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SimulcastRid {
    /// The rid.
    pub id: String,
    /// Whether it was listed as paused (`~rid`).
    pub paused: bool,
}

/// One simulcast stream: its alternative rids (`,`-separated in SDP).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SimulcastStream {
    /// Alternative formats of the stream, in preference order.
    pub alternatives: Vec<SimulcastRid>,
}

/// The streams of one direction of `a=simulcast` (`;`-separated in SDP).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SimulcastList {
    /// Direction of the streams.
    pub direction: RidDirection,
    /// The streams.
    pub streams: Vec<SimulcastStream>,
}

/// `a=simulcast:<send|recv> <streams> [<recv|send> <streams>]` (RFC 8853).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Simulcast {
    /// One or two stream lists with distinct directions, in their original order.
    pub lists: Vec<SimulcastList>,
}

impl Simulcast {
    /// Parses the attribute value.
    pub fn parse_value(value: &str) -> Result<Self, ValueError> {
        let mut w = Words::new(value);
        let mut lists: Vec<SimulcastList> = Vec::new();
        while let Some(dir) = w.next_opt() {
            let direction = RidDirection::parse("simulcast direction", dir)?;
            if lists.iter().any(|l| l.direction == direction) || lists.len() == 2 {
                return Err(ValueError::new(
                    "simulcast direction",
                    dir,
                    Problem::Duplicate,
                ));
            }
            let mut streams = Vec::new();
            for stream in w.next("simulcast streams")?.split(';') {
                let mut alternatives = Vec::new();
                for alt in stream.split(',') {
                    let (id, paused) = match alt.strip_prefix('~') {
                        Some(id) => (id, true),
                        None => (alt, false),
                    };
                    alternatives.push(SimulcastRid {
                        id: rid_id("simulcast rid", id)?.into(),
                        paused,
                    });
                }
                streams.push(SimulcastStream { alternatives });
            }
            lists.push(SimulcastList { direction, streams });
        }
        if lists.is_empty() {
            return Err(ValueError::missing("simulcast direction"));
        }
        Ok(Self { lists })
    }

    /// The send streams, if any.
    pub fn send(&self) -> Option<&[SimulcastStream]> {
        self.list(RidDirection::Send)
    }

    /// The receive streams, if any.
    pub fn recv(&self) -> Option<&[SimulcastStream]> {
        self.list(RidDirection::Recv)
    }

    fn list(&self, direction: RidDirection) -> Option<&[SimulcastStream]> {
        self.lists
            .iter()
            .find(|l| l.direction == direction)
            .map(|l| l.streams.as_slice())
    }
}

impl fmt::Display for Simulcast {
    /// Writes the attribute value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, list) in self.lists.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{} ", list.direction.as_str())?;
            for (j, stream) in list.streams.iter().enumerate() {
                if j > 0 {
                    f.write_str(";")?;
                }
                for (k, alt) in stream.alternatives.iter().enumerate() {
                    if k > 0 {
                        f.write_str(",")?;
                    }
                    if alt.paused {
                        f.write_str("~")?;
                    }
                    f.write_str(&alt.id)?;
                }
            }
        }
        Ok(())
    }
}
