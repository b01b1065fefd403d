//! The session-level model: `v=`, `o=`, `s=`, `c=`, `b=`, `t=` … and the session attributes.

use std::fmt;
use std::str::FromStr;

use crate::attribute::{Attribute, Group, MsidSemantic};
use crate::candidate::Candidate;
use crate::dtls::{Fingerprint, Setup};
use crate::error::{ParseError, ValueError};
use crate::media::MediaDescription;
use crate::rtp::Direction;
use crate::util::{Words, number, token, word};

/// `o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Origin {
    /// User name (`-` when there is none).
    pub username: String,
    /// Session identifier.
    pub session_id: u64,
    /// Session version, incremented on every change (RFC 8829 section 5.2.2).
    pub session_version: u64,
    /// Network type, normally `IN`.
    pub net_type: String,
    /// Address type, `IP4` or `IP6`.
    pub addr_type: String,
    /// Unicast address of the originating host.
    pub unicast_address: String,
}

impl Origin {
    /// The origin JSEP uses: username `-`, `IN IP4 127.0.0.1` (RFC 8829 section 5.2.1).
    pub fn new(session_id: u64, session_version: u64) -> Self {
        Self {
            username: "-".into(),
            session_id,
            session_version,
            net_type: "IN".into(),
            addr_type: "IP4".into(),
            unicast_address: "127.0.0.1".into(),
        }
    }

    pub(crate) fn parse_value(value: &str) -> Result<Self, ValueError> {
        let mut w = Words::new(value);
        let username = w.next("username")?.into();
        let session_id = number("sess-id", w.next("sess-id")?)?;
        let session_version = number("sess-version", w.next("sess-version")?)?;
        let net_type = token("nettype", w.next("nettype")?)?.into();
        let addr_type = token("addrtype", w.next("addrtype")?)?.into();
        let unicast_address = w.next("unicast-address")?.into();
        w.end("unicast-address")?;
        Ok(Self {
            username,
            session_id,
            session_version,
            net_type,
            addr_type,
            unicast_address,
        })
    }
}

impl fmt::Display for Origin {
    /// Writes the line value (after `o=`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} {} {} {}",
            self.username,
            self.session_id,
            self.session_version,
            self.net_type,
            self.addr_type,
            self.unicast_address
        )
    }
}

/// Connection data: `c=<nettype> <addrtype> <connection-address>` (also used by `a=rtcp`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Connection {
    /// Network type, normally `IN`.
    pub net_type: String,
    /// Address type, `IP4` or `IP6`.
    pub addr_type: String,
    /// The address as written (multicast addresses may carry `/ttl/count`).
    pub address: String,
}

impl Connection {
    /// `IN IP4 <address>` or `IN IP6 <address>`, depending on the address.
    pub fn new(address: std::net::IpAddr) -> Self {
        Self {
            net_type: "IN".into(),
            addr_type: if address.is_ipv4() { "IP4" } else { "IP6" }.into(),
            address: address.to_string(),
        }
    }

    /// Parses `<nettype> <addrtype> <address>`.
    pub fn parse_value(value: &str) -> Result<Self, ValueError> {
        let mut w = Words::new(value);
        let net_type = token("nettype", w.next("nettype")?)?.into();
        let addr_type = token("addrtype", w.next("addrtype")?)?.into();
        let address = word("connection-address", w.next("connection-address")?)?.into();
        w.end("connection-address")?;
        Ok(Self {
            net_type,
            addr_type,
            address,
        })
    }

    /// The address as an IP address, if it is one (without a multicast suffix).
    pub fn ip(&self) -> Option<std::net::IpAddr> {
        self.address.parse().ok()
    }
}

impl fmt::Display for Connection {
    /// Writes `<nettype> <addrtype> <address>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.net_type, self.addr_type, self.address)
    }
}

/// `b=<bwtype>:<bandwidth>`, e.g. `b=AS:30` or `b=TIAS:128000`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Bandwidth {
    /// Bandwidth type, e.g. `AS`, `TIAS`, `CT`.
    pub bw_type: String,
    /// Bandwidth (kbit/s for `AS`/`CT`, bit/s for `TIAS`).
    pub bandwidth: u64,
}

impl Bandwidth {
    pub(crate) fn parse_value(value: &str) -> Result<Self, ValueError> {
        let (bw_type, bandwidth) = value
            .split_once(':')
            .ok_or_else(|| ValueError::missing("bandwidth"))?;
        Ok(Self {
            bw_type: token("bwtype", bw_type)?.into(),
            bandwidth: number("bandwidth", bandwidth)?,
        })
    }
}

impl fmt::Display for Bandwidth {
    /// Writes the line value (after `b=`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.bw_type, self.bandwidth)
    }
}

/// `t=<start-time> <stop-time>` with its `r=` repeat lines.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Timing {
    /// Start time (NTP seconds; 0 for unbounded).
    pub start: u64,
    /// Stop time (NTP seconds; 0 for unbounded).
    pub stop: u64,
    /// The values of the `r=` lines that follow, as written.
    pub repeats: Vec<String>,
}

impl Timing {
    pub(crate) fn parse_value(value: &str) -> Result<Self, ValueError> {
        let mut w = Words::new(value);
        let start = number("start-time", w.next("start-time")?)?;
        let stop = number("stop-time", w.next("stop-time")?)?;
        w.end("stop-time")?;
        Ok(Self {
            start,
            stop,
            repeats: Vec::new(),
        })
    }
}

/// A session description: the session-level lines, then the media descriptions.
///
/// Parse with [`SessionDescription::parse`] or [`FromStr`]; serialize with
/// [`Display`](fmt::Display) (`to_string()`), which writes CRLF line endings and the lines in
/// RFC 8866 order, attributes in their stored order.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SessionDescription {
    /// `v=`: protocol version, always 0.
    pub version: u8,
    /// `o=`
    pub origin: Origin,
    /// `s=`: session name, as written (`-` by JSEP).
    pub session_name: String,
    /// `i=`: session information.
    pub information: Option<String>,
    /// `u=`: URI.
    pub uri: Option<String>,
    /// `e=` lines.
    pub emails: Vec<String>,
    /// `p=` lines.
    pub phones: Vec<String>,
    /// `c=`: session-level connection data.
    pub connection: Option<Connection>,
    /// `b=` lines.
    pub bandwidths: Vec<Bandwidth>,
    /// `t=` lines (with their `r=` lines).
    pub timings: Vec<Timing>,
    /// `z=`: time zone adjustments, as written.
    pub time_zones: Option<String>,
    /// `k=`: encryption key (obsolete), as written.
    pub key: Option<String>,
    /// Session-level `a=` lines in order.
    pub attributes: Vec<Attribute>,
    /// The media descriptions (`m=` sections) in order.
    pub media: Vec<MediaDescription>,
}

impl SessionDescription {
    /// An empty description with JSEP's fixed lines: `v=0`, the given origin, `s=-`, `t=0 0`.
    pub fn new(origin: Origin) -> Self {
        Self {
            version: 0,
            origin,
            session_name: "-".into(),
            information: None,
            uri: None,
            emails: Vec::new(),
            phones: Vec::new(),
            connection: None,
            bandwidths: Vec::new(),
            timings: vec![Timing::default()],
            time_zones: None,
            key: None,
            attributes: Vec::new(),
            media: Vec::new(),
        }
    }

    /// Parses SDP text (CRLF or LF line endings). See [`crate::parse`].
    pub fn parse(sdp: &str) -> Result<Self, ParseError> {
        crate::parse::parse(sdp)
    }

    /// Parses SDP bytes, which must be UTF-8.
    pub fn parse_bytes(sdp: &[u8]) -> Result<Self, ParseError> {
        crate::parse::parse_bytes(sdp)
    }

    /// Appends a session-level attribute.
    pub fn push_attribute(&mut self, attribute: Attribute) -> &mut Self {
        self.attributes.push(attribute);
        self
    }

    /// Appends a media description.
    pub fn push_media(&mut self, media: MediaDescription) -> &mut Self {
        self.media.push(media);
        self
    }

    /// All `a=group` attributes.
    pub fn groups(&self) -> impl Iterator<Item = &Group> {
        self.attributes.iter().filter_map(|a| match a {
            Attribute::Group(g) => Some(g),
            _ => None,
        })
    }

    /// The first `a=group:BUNDLE`, if any.
    pub fn bundle_group(&self) -> Option<&Group> {
        self.groups().find(|g| g.semantics == "BUNDLE")
    }

    /// The `a=msid-semantic` attribute.
    pub fn msid_semantic(&self) -> Option<&MsidSemantic> {
        self.attributes.iter().find_map(|a| match a {
            Attribute::MsidSemantic(m) => Some(m),
            _ => None,
        })
    }

    /// Whether `a=ice-lite` is present.
    pub fn ice_lite(&self) -> bool {
        self.attributes.contains(&Attribute::IceLite)
    }

    /// Session-level `a=ice-ufrag`.
    pub fn ice_ufrag(&self) -> Option<&str> {
        ice_ufrag(&self.attributes)
    }

    /// Session-level `a=ice-pwd`.
    pub fn ice_pwd(&self) -> Option<&str> {
        ice_pwd(&self.attributes)
    }

    /// Session-level `a=ice-options` tokens (all lines concatenated).
    pub fn ice_options(&self) -> Vec<&str> {
        ice_options(&self.attributes)
    }

    /// Session-level `a=fingerprint`s.
    pub fn fingerprints(&self) -> impl Iterator<Item = &Fingerprint> {
        fingerprints(&self.attributes)
    }

    /// Session-level `a=setup`.
    pub fn setup(&self) -> Option<Setup> {
        setup(&self.attributes)
    }

    /// Session-level direction attribute (Firefox writes `a=sendrecv` here).
    pub fn direction(&self) -> Option<Direction> {
        direction(&self.attributes)
    }

    /// Session-level `a=candidate`s.
    pub fn candidates(&self) -> impl Iterator<Item = &Candidate> {
        candidates(&self.attributes)
    }

    /// Whether `a=extmap-allow-mixed` is present at session level.
    pub fn extmap_allow_mixed(&self) -> bool {
        self.attributes.contains(&Attribute::ExtmapAllowMixed)
    }

    /// The media description whose `a=mid` is `mid`.
    pub fn media_by_mid(&self, mid: &str) -> Option<&MediaDescription> {
        self.media.iter().find(|m| m.mid() == Some(mid))
    }
}

impl FromStr for SessionDescription {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, ParseError> {
        Self::parse(s)
    }
}

impl fmt::Display for SessionDescription {
    /// Writes the SDP text with CRLF line endings.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "v={}\r\no={}\r\ns={}\r\n",
            self.version, self.origin, self.session_name
        )?;
        line(f, 'i', &self.information)?;
        line(f, 'u', &self.uri)?;
        self.emails
            .iter()
            .try_for_each(|e| write!(f, "e={e}\r\n"))?;
        self.phones
            .iter()
            .try_for_each(|p| write!(f, "p={p}\r\n"))?;
        line(f, 'c', &self.connection)?;
        self.bandwidths
            .iter()
            .try_for_each(|b| write!(f, "b={b}\r\n"))?;
        for t in &self.timings {
            write!(f, "t={} {}\r\n", t.start, t.stop)?;
            t.repeats.iter().try_for_each(|r| write!(f, "r={r}\r\n"))?;
        }
        line(f, 'z', &self.time_zones)?;
        line(f, 'k', &self.key)?;
        self.attributes
            .iter()
            .try_for_each(|a| write!(f, "a={a}\r\n"))?;
        self.media.iter().try_for_each(|m| write!(f, "{m}"))
    }
}

/// Writes `<t>=<value>\r\n` if `value` is present.
pub(crate) fn line<T: fmt::Display>(
    f: &mut fmt::Formatter<'_>,
    t: char,
    value: &Option<T>,
) -> fmt::Result {
    match value {
        Some(v) => write!(f, "{t}={v}\r\n"),
        None => Ok(()),
    }
}

pub(crate) fn ice_ufrag(attrs: &[Attribute]) -> Option<&str> {
    attrs.iter().find_map(|a| match a {
        Attribute::IceUfrag(u) => Some(u.as_str()),
        _ => None,
    })
}

pub(crate) fn ice_pwd(attrs: &[Attribute]) -> Option<&str> {
    attrs.iter().find_map(|a| match a {
        Attribute::IcePwd(p) => Some(p.as_str()),
        _ => None,
    })
}

pub(crate) fn ice_options(attrs: &[Attribute]) -> Vec<&str> {
    attrs
        .iter()
        .filter_map(|a| match a {
            Attribute::IceOptions(o) => Some(o.iter().map(String::as_str)),
            _ => None,
        })
        .flatten()
        .collect()
}

pub(crate) fn fingerprints(attrs: &[Attribute]) -> impl Iterator<Item = &Fingerprint> {
    attrs.iter().filter_map(|a| match a {
        Attribute::Fingerprint(fp) => Some(fp),
        _ => None,
    })
}

pub(crate) fn setup(attrs: &[Attribute]) -> Option<Setup> {
    attrs.iter().find_map(|a| match a {
        Attribute::Setup(s) => Some(*s),
        _ => None,
    })
}

pub(crate) fn direction(attrs: &[Attribute]) -> Option<Direction> {
    attrs.iter().find_map(|a| match a {
        Attribute::Direction(d) => Some(*d),
        _ => None,
    })
}

pub(crate) fn candidates(attrs: &[Attribute]) -> impl Iterator<Item = &Candidate> {
    attrs.iter().filter_map(|a| match a {
        Attribute::Candidate(c) => Some(c.as_ref()),
        _ => None,
    })
}
