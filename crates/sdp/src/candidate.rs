//! ICE candidates (RFC 8839 section 5.1, TCP candidates from RFC 6544).

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use crate::error::{Problem, ValueError};
use crate::util::{Words, number, token};

/// The longest FQDN accepted as a candidate address (RFC 1035 limit).
const MAX_FQDN_LEN: usize = 255;

/// An ICE candidate: the value of an `a=candidate` attribute.
///
/// Parse with [`Candidate::from_str`] (accepts `candidate:…` and `a=candidate:…`) and print with
/// [`Display`](fmt::Display), which writes the `candidate:…` form used by `addIceCandidate`.
/// Known extensions are written in Chromium's order (`raddr`, `rport`, `tcptype`, `generation`,
/// `ufrag`, `network-id`, `network-cost`), then unknown ones in their original order.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Candidate {
    /// Foundation: 1 to 32 `ice-char`s.
    pub foundation: String,
    /// Component ID, 1 to 256 (1 is RTP, 2 is RTCP).
    pub component: u16,
    /// Transport protocol, as written.
    pub transport: Transport,
    /// Priority.
    pub priority: u32,
    /// Connection address.
    pub address: Address,
    /// Port.
    pub port: u16,
    /// Candidate type (`typ`).
    pub typ: CandidateType,
    /// Related address (`raddr`).
    pub related_address: Option<Address>,
    /// Related port (`rport`).
    pub related_port: Option<u16>,
    /// TCP candidate type (`tcptype`, RFC 6544).
    pub tcp_type: Option<TcpType>,
    /// `generation` (a Chromium extension).
    pub generation: Option<u32>,
    /// `ufrag`: the username fragment the candidate belongs to.
    pub ufrag: Option<String>,
    /// `network-id` (a Chromium extension).
    pub network_id: Option<u32>,
    /// `network-cost` (a Chromium extension).
    pub network_cost: Option<u32>,
    /// Any other extension attributes as (name, value) pairs, in their original order.
    pub extensions: Vec<(String, String)>,
}

/// A candidate's transport protocol, kept as written (`UDP` and `udp` are both common).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Transport(String);

impl Transport {
    /// UDP, written `udp` as Chromium does.
    pub fn udp() -> Self {
        Self("udp".into())
    }

    /// TCP, written `tcp` as Chromium does.
    pub fn tcp() -> Self {
        Self("tcp".into())
    }

    /// A transport token as written; `None` if it is not an RFC 8866 token.
    pub fn new(name: &str) -> Option<Self> {
        token("transport", name).ok().map(|t| Self(t.into()))
    }

    /// Whether this is UDP (compared case-insensitively).
    pub fn is_udp(&self) -> bool {
        self.0.eq_ignore_ascii_case("udp")
    }

    /// Whether this is TCP (compared case-insensitively).
    pub fn is_tcp(&self) -> bool {
        self.0.eq_ignore_ascii_case("tcp")
    }

    /// The token as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A candidate's connection or related address: an IP address or an FQDN (e.g. an mDNS
/// `….local` name).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Address {
    /// An IPv4 or IPv6 address.
    Ip(IpAddr),
    /// A fully qualified domain name.
    Fqdn(String),
}

impl Address {
    /// Parses an IP address, or else an FQDN of letters, digits, `-`, `_` and `.`.
    pub(crate) fn parse(field: &'static str, s: &str) -> Result<Self, ValueError> {
        if let Ok(ip) = s.parse::<IpAddr>() {
            return Ok(Self::Ip(ip));
        }
        let fqdn_char = |c: char| c.is_ascii_alphanumeric() || "-_.".contains(c);
        if s.is_empty() {
            Err(ValueError::missing(field))
        } else if s.len() <= MAX_FQDN_LEN && s.chars().all(fqdn_char) {
            Ok(Self::Fqdn(s.into()))
        } else {
            Err(ValueError::invalid(field, s))
        }
    }

    /// The IP address, if this is one.
    pub fn ip(&self) -> Option<IpAddr> {
        match self {
            Self::Ip(ip) => Some(*ip),
            Self::Fqdn(_) => None,
        }
    }

    /// Whether this is an mDNS name (an FQDN ending in `.local`).
    pub fn is_mdns(&self) -> bool {
        match self {
            Self::Fqdn(name) => name
                .len()
                .checked_sub(6)
                .and_then(|i| name.get(i..))
                .is_some_and(|end| end.eq_ignore_ascii_case(".local")),
            Self::Ip(_) => false,
        }
    }
}

impl FromStr for Address {
    type Err = ValueError;

    /// Parses an IP address, or else an FQDN of letters, digits, `-`, `_` and `.`.
    fn from_str(s: &str) -> Result<Self, ValueError> {
        Self::parse("address", s)
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Ip(ip) => write!(f, "{ip}"),
            Self::Fqdn(name) => f.write_str(name),
        }
    }
}

/// A candidate type (`typ`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CandidateType {
    /// `host`
    Host,
    /// `srflx`: server reflexive.
    Srflx,
    /// `prflx`: peer reflexive.
    Prflx,
    /// `relay`
    Relay,
    /// Any other token, as written.
    Other(String),
}

impl CandidateType {
    /// The type as written in SDP.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Host => "host",
            Self::Srflx => "srflx",
            Self::Prflx => "prflx",
            Self::Relay => "relay",
            Self::Other(s) => s,
        }
    }

    fn parse(s: &str) -> Result<Self, ValueError> {
        Ok(match s {
            "host" => Self::Host,
            "srflx" => Self::Srflx,
            "prflx" => Self::Prflx,
            "relay" => Self::Relay,
            _ => Self::Other(token("candidate type", s)?.into()),
        })
    }
}

/// The type of a TCP candidate (RFC 6544 `tcptype`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TcpType {
    /// `active`: opens outgoing connections.
    Active,
    /// `passive`: accepts incoming connections.
    Passive,
    /// `so`: simultaneous open.
    So,
}

impl TcpType {
    /// The type as written in SDP.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Passive => "passive",
            Self::So => "so",
        }
    }

    fn parse(s: &str) -> Result<Self, ValueError> {
        match s {
            "active" => Ok(Self::Active),
            "passive" => Ok(Self::Passive),
            "so" => Ok(Self::So),
            _ => Err(ValueError::invalid("tcptype", s)),
        }
    }
}

fn is_ice_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '+' || c == '/'
}

fn set_once<T>(slot: &mut Option<T>, name: &'static str, value: T) -> Result<(), ValueError> {
    if slot.is_some() {
        return Err(ValueError::new(
            "candidate extension",
            name,
            Problem::Duplicate,
        ));
    }
    *slot = Some(value);
    Ok(())
}

impl Candidate {
    /// Parses the attribute value, i.e. the text after `a=candidate:`.
    pub fn parse_value(value: &str) -> Result<Self, ValueError> {
        let mut w = Words::new(value);
        let foundation = w.next("foundation")?;
        if foundation.len() > 32 || !foundation.chars().all(is_ice_char) {
            return Err(ValueError::invalid("foundation", foundation));
        }
        let component_text = w.next("component ID")?;
        let component: u16 = number("component ID", component_text)?;
        if !(1..=256).contains(&component) {
            return Err(ValueError::new(
                "component ID",
                component_text,
                Problem::OutOfRange,
            ));
        }
        let transport = Transport(token("transport", w.next("transport")?)?.into());
        let priority = number("priority", w.next("priority")?)?;
        let address = Address::parse("connection address", w.next("connection address")?)?;
        let port = number("port", w.next("port")?)?;
        let typ_keyword = w.next("'typ'")?;
        if typ_keyword != "typ" {
            return Err(ValueError::invalid("'typ'", typ_keyword));
        }
        let typ = CandidateType::parse(w.next("candidate type")?)?;
        let mut c = Candidate {
            foundation: foundation.into(),
            component,
            transport,
            priority,
            address,
            port,
            typ,
            related_address: None,
            related_port: None,
            tcp_type: None,
            generation: None,
            ufrag: None,
            network_id: None,
            network_cost: None,
            extensions: Vec::new(),
        };
        while let Some(name) = w.next_opt() {
            let value = w.next("extension value")?;
            c.set_extension(name, value)?;
        }
        Ok(c)
    }

    fn set_extension(&mut self, name: &str, value: &str) -> Result<(), ValueError> {
        match name {
            "raddr" => set_once(
                &mut self.related_address,
                "raddr",
                Address::parse("raddr", value)?,
            ),
            "rport" => set_once(&mut self.related_port, "rport", number("rport", value)?),
            "tcptype" => set_once(&mut self.tcp_type, "tcptype", TcpType::parse(value)?),
            "generation" => set_once(
                &mut self.generation,
                "generation",
                number("generation", value)?,
            ),
            "ufrag" => set_once(&mut self.ufrag, "ufrag", value.to_owned()),
            "network-id" => set_once(
                &mut self.network_id,
                "network-id",
                number("network-id", value)?,
            ),
            "network-cost" => set_once(
                &mut self.network_cost,
                "network-cost",
                number("network-cost", value)?,
            ),
            _ => {
                let name = token("extension name", name)?;
                self.extensions.push((name.into(), value.into()));
                Ok(())
            }
        }
    }
}

impl FromStr for Candidate {
    type Err = ValueError;

    /// Parses `candidate:<value>` or `a=candidate:<value>`.
    fn from_str(s: &str) -> Result<Self, ValueError> {
        let s = s.strip_prefix("a=").unwrap_or(s);
        let value = s
            .strip_prefix("candidate:")
            .ok_or_else(|| ValueError::invalid("'candidate:' prefix", s))?;
        Self::parse_value(value)
    }
}

impl fmt::Display for Candidate {
    /// Writes the `candidate:…` form (without `a=`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("candidate:")?;
        self.write_value(f)
    }
}

impl Candidate {
    /// Writes the attribute value (the text after `candidate:`).
    pub(crate) fn write_value(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} {} {} {} typ {}",
            self.foundation,
            self.component,
            self.transport.as_str(),
            self.priority,
            self.address,
            self.port,
            self.typ.as_str()
        )?;
        if let Some(a) = &self.related_address {
            write!(f, " raddr {a}")?;
        }
        if let Some(p) = self.related_port {
            write!(f, " rport {p}")?;
        }
        if let Some(t) = self.tcp_type {
            write!(f, " tcptype {}", t.as_str())?;
        }
        if let Some(g) = self.generation {
            write!(f, " generation {g}")?;
        }
        if let Some(u) = &self.ufrag {
            write!(f, " ufrag {u}")?;
        }
        if let Some(n) = self.network_id {
            write!(f, " network-id {n}")?;
        }
        if let Some(n) = self.network_cost {
            write!(f, " network-cost {n}")?;
        }
        for (name, value) in &self.extensions {
            write!(f, " {name} {value}")?;
        }
        Ok(())
    }
}
