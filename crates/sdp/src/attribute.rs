//! The `a=` attribute model: one typed variant per known attribute, `Unknown` for the rest.

use std::fmt;

use crate::candidate::Candidate;
use crate::dtls::{Fingerprint, Setup};
use crate::error::ValueError;
use crate::rtp::{Direction, Extmap, Fmtp, RtcpFb, RtpMap};
use crate::session::Connection;
use crate::simulcast::{Rid, Simulcast};
use crate::ssrc::{SsrcAttribute, SsrcGroup};
use crate::util::{Words, number, token, word, words};

/// One `a=` line. Known attributes are typed; anything else is kept as [`Attribute::Unknown`] so
/// it survives a parse → serialize round trip in its original position.
///
/// [`Display`](fmt::Display) writes the line without the `a=` prefix and line ending.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Attribute {
    /// `a=group:<semantics> <mid> …` (RFC 5888; `BUNDLE` per RFC 9143).
    Group(Group),
    /// `a=msid-semantic:` (session level, Plan B era).
    MsidSemantic(MsidSemantic),
    /// `a=ice-lite`
    IceLite,
    /// `a=ice-ufrag:<ufrag>`
    IceUfrag(String),
    /// `a=ice-pwd:<password>`
    IcePwd(String),
    /// `a=ice-options:<option> …`, e.g. `trickle`, `ice2`.
    IceOptions(Vec<String>),
    /// `a=candidate:…` (boxed: a candidate is several times larger than other attributes).
    Candidate(Box<Candidate>),
    /// `a=end-of-candidates`
    EndOfCandidates,
    /// `a=fingerprint:<hash> <bytes>`
    Fingerprint(Fingerprint),
    /// `a=setup:<role>`
    Setup(Setup),
    /// `a=mid:<identification tag>`
    Mid(String),
    /// `a=bundle-only` (RFC 9143).
    BundleOnly,
    /// `a=msid:<stream id> [<track id>]` (RFC 8830).
    Msid(Msid),
    /// `a=sendrecv`, `a=sendonly`, `a=recvonly`, `a=inactive`.
    Direction(Direction),
    /// `a=rtpmap:…`
    Rtpmap(RtpMap),
    /// `a=fmtp:…`
    Fmtp(Fmtp),
    /// `a=rtcp-fb:…`
    RtcpFb(RtcpFb),
    /// `a=extmap:…`
    Extmap(Extmap),
    /// `a=extmap-allow-mixed` (RFC 8285).
    ExtmapAllowMixed,
    /// `a=ssrc:…`
    Ssrc(SsrcAttribute),
    /// `a=ssrc-group:…`
    SsrcGroup(SsrcGroup),
    /// `a=rid:…`
    Rid(Rid),
    /// `a=simulcast:…`
    Simulcast(Simulcast),
    /// `a=sctp-port:<port>` (RFC 8841).
    SctpPort(u16),
    /// `a=max-message-size:<bytes>` (RFC 8841).
    MaxMessageSize(u64),
    /// `a=sctpmap:<port> <protocol> [<streams>]` (legacy draft-ietf-mmusic-sctp-sdp-05).
    Sctpmap(Sctpmap),
    /// `a=rtcp-mux` (RFC 5761).
    RtcpMux,
    /// `a=rtcp-mux-only` (RFC 8858).
    RtcpMuxOnly,
    /// `a=rtcp-rsize` (RFC 5506).
    RtcpRsize,
    /// `a=rtcp:<port> [<nettype> <addrtype> <address>]` (RFC 3605).
    Rtcp(Rtcp),
    /// Any other attribute, kept as written.
    Unknown {
        /// Attribute name (an RFC 8866 token).
        name: String,
        /// Value after the `:`, if the line has one.
        value: Option<String>,
    },
}

/// `a=group:<semantics> <mid> …`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Group {
    /// Semantics, e.g. `BUNDLE`, `LS`.
    pub semantics: String,
    /// The grouped media identification tags, in order.
    pub mids: Vec<String>,
}

impl Group {
    /// A `BUNDLE` group of `mids`.
    pub fn bundle<S: Into<String>>(mids: impl IntoIterator<Item = S>) -> Self {
        Self {
            semantics: "BUNDLE".into(),
            mids: mids.into_iter().map(Into::into).collect(),
        }
    }
}

/// `a=msid-semantic:<semantic> <id> …`, e.g. `WMS *`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MsidSemantic {
    /// Whether a space follows the colon: Chromium writes `a=msid-semantic: WMS …`.
    pub space_before_semantic: bool,
    /// Semantic token, e.g. `WMS`.
    pub semantic: String,
    /// Media stream identifiers (or `*`).
    pub identifiers: Vec<String>,
}

/// `a=msid:<stream id> [<track id>]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Msid {
    /// Stream identifier (`-` for none).
    pub stream_id: String,
    /// Application data: the track identifier, as written.
    pub track_id: Option<String>,
}

/// Legacy `a=sctpmap:<port> <protocol> [<streams>]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Sctpmap {
    /// SCTP port (the m= line's format).
    pub port: u16,
    /// Application protocol, e.g. `webrtc-datachannel`.
    pub protocol: String,
    /// Maximum number of streams.
    pub streams: Option<u32>,
}

/// `a=rtcp:<port> [<nettype> <addrtype> <address>]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Rtcp {
    /// RTCP port.
    pub port: u16,
    /// RTCP address, when given.
    pub connection: Option<Connection>,
}

/// The value of a flag attribute, or `None` if `name` is not one.
fn flag(name: &str) -> Option<Attribute> {
    Some(match name {
        "ice-lite" => Attribute::IceLite,
        "end-of-candidates" => Attribute::EndOfCandidates,
        "bundle-only" => Attribute::BundleOnly,
        "extmap-allow-mixed" => Attribute::ExtmapAllowMixed,
        "rtcp-mux" => Attribute::RtcpMux,
        "rtcp-mux-only" => Attribute::RtcpMuxOnly,
        "rtcp-rsize" => Attribute::RtcpRsize,
        _ => Attribute::Direction(Direction::parse(name)?),
    })
}

impl Attribute {
    /// Parses the text after `a=`: `<name>` or `<name>:<value>`.
    ///
    /// Unknown names become [`Attribute::Unknown`]; a known name with a malformed value is an
    /// error. A flag attribute written with a value (`a=rtcp-mux:x`) is kept as `Unknown`.
    pub fn parse(text: &str) -> Result<Self, ValueError> {
        let (name, value) = match text.split_once(':') {
            Some((n, v)) => (n, Some(v)),
            None => (text, None),
        };
        let Some(value) = value else {
            return Ok(flag(name).unwrap_or(Self::Unknown {
                name: token("attribute name", name)?.into(),
                value: None,
            }));
        };
        Ok(match name {
            "group" => Self::Group(parse_group(value)?),
            "msid-semantic" => Self::MsidSemantic(parse_msid_semantic(value)?),
            "ice-ufrag" => Self::IceUfrag(value.into()),
            "ice-pwd" => Self::IcePwd(value.into()),
            "ice-options" => Self::IceOptions(words(value).map(Into::into).collect()),
            "candidate" => Self::Candidate(Box::new(Candidate::parse_value(value)?)),
            "fingerprint" => Self::Fingerprint(Fingerprint::parse_value(value)?),
            "setup" => Self::Setup(Setup::parse_value(value)?),
            "mid" => Self::Mid(value.into()),
            "msid" => Self::Msid(parse_msid(value)?),
            "rtpmap" => Self::Rtpmap(RtpMap::parse_value(value)?),
            "fmtp" => Self::Fmtp(Fmtp::parse_value(value)?),
            "rtcp-fb" => Self::RtcpFb(RtcpFb::parse_value(value)?),
            "extmap" => Self::Extmap(Extmap::parse_value(value)?),
            "ssrc" => Self::Ssrc(SsrcAttribute::parse_value(value)?),
            "ssrc-group" => Self::SsrcGroup(SsrcGroup::parse_value(value)?),
            "rid" => Self::Rid(Rid::parse_value(value)?),
            "simulcast" => Self::Simulcast(Simulcast::parse_value(value)?),
            "sctp-port" => Self::SctpPort(number("sctp-port", value)?),
            "max-message-size" => Self::MaxMessageSize(number("max-message-size", value)?),
            "sctpmap" => Self::Sctpmap(parse_sctpmap(value)?),
            "rtcp" => Self::Rtcp(parse_rtcp(value)?),
            _ => Self::Unknown {
                name: token("attribute name", name)?.into(),
                value: Some(value.into()),
            },
        })
    }

    /// The attribute name, e.g. `rtpmap`.
    pub fn name(&self) -> &str {
        match self {
            Self::Group(_) => "group",
            Self::MsidSemantic(_) => "msid-semantic",
            Self::IceLite => "ice-lite",
            Self::IceUfrag(_) => "ice-ufrag",
            Self::IcePwd(_) => "ice-pwd",
            Self::IceOptions(_) => "ice-options",
            Self::Candidate(_) => "candidate",
            Self::EndOfCandidates => "end-of-candidates",
            Self::Fingerprint(_) => "fingerprint",
            Self::Setup(_) => "setup",
            Self::Mid(_) => "mid",
            Self::BundleOnly => "bundle-only",
            Self::Msid(_) => "msid",
            Self::Direction(d) => d.as_str(),
            Self::Rtpmap(_) => "rtpmap",
            Self::Fmtp(_) => "fmtp",
            Self::RtcpFb(_) => "rtcp-fb",
            Self::Extmap(_) => "extmap",
            Self::ExtmapAllowMixed => "extmap-allow-mixed",
            Self::Ssrc(_) => "ssrc",
            Self::SsrcGroup(_) => "ssrc-group",
            Self::Rid(_) => "rid",
            Self::Simulcast(_) => "simulcast",
            Self::SctpPort(_) => "sctp-port",
            Self::MaxMessageSize(_) => "max-message-size",
            Self::Sctpmap(_) => "sctpmap",
            Self::RtcpMux => "rtcp-mux",
            Self::RtcpMuxOnly => "rtcp-mux-only",
            Self::RtcpRsize => "rtcp-rsize",
            Self::Rtcp(_) => "rtcp",
            Self::Unknown { name, .. } => name,
        }
    }

    /// An unknown (generic) attribute.
    pub fn unknown(name: &str, value: Option<&str>) -> Self {
        Self::Unknown {
            name: name.into(),
            value: value.map(Into::into),
        }
    }
}

fn parse_group(value: &str) -> Result<Group, ValueError> {
    let mut w = Words::new(value);
    let semantics = token("group semantics", w.next("group semantics")?)?.into();
    let mut mids = Vec::new();
    while let Some(mid) = w.next_opt() {
        mids.push(mid.into());
    }
    Ok(Group { semantics, mids })
}

fn parse_msid_semantic(value: &str) -> Result<MsidSemantic, ValueError> {
    let mut w = Words::new(value);
    let semantic = token("msid semantic", w.next("msid semantic")?)?.into();
    let mut identifiers = Vec::new();
    while let Some(id) = w.next_opt() {
        identifiers.push(id.into());
    }
    Ok(MsidSemantic {
        space_before_semantic: value.starts_with(' '),
        semantic,
        identifiers,
    })
}

fn parse_msid(value: &str) -> Result<Msid, ValueError> {
    let (stream_id, track_id) = match value.split_once(' ') {
        Some((s, t)) => (s, Some(t)),
        None => (value, None),
    };
    Ok(Msid {
        stream_id: word("msid stream id", stream_id)?.into(),
        track_id: track_id.map(Into::into),
    })
}

fn parse_sctpmap(value: &str) -> Result<Sctpmap, ValueError> {
    let mut w = Words::new(value);
    let port = number("sctpmap port", w.next("sctpmap port")?)?;
    let protocol = token("sctpmap protocol", w.next("sctpmap protocol")?)?.into();
    let streams = w.next_opt().map(|s| number("streams", s)).transpose()?;
    w.end("streams")?;
    Ok(Sctpmap {
        port,
        protocol,
        streams,
    })
}

fn parse_rtcp(value: &str) -> Result<Rtcp, ValueError> {
    let (port, rest) = value.split_once(' ').unwrap_or((value, ""));
    let connection = if rest.trim_start_matches(' ').is_empty() {
        None
    } else {
        Some(Connection::parse_value(rest)?)
    };
    Ok(Rtcp {
        port: number("rtcp port", port)?,
        connection,
    })
}

impl fmt::Display for Attribute {
    /// Writes the attribute without the `a=` prefix.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())?;
        match self {
            Self::IceLite
            | Self::EndOfCandidates
            | Self::BundleOnly
            | Self::Direction(_)
            | Self::ExtmapAllowMixed
            | Self::RtcpMux
            | Self::RtcpMuxOnly
            | Self::RtcpRsize
            | Self::Unknown { value: None, .. } => Ok(()),
            Self::Group(g) => {
                write!(f, ":{}", g.semantics)?;
                g.mids.iter().try_for_each(|m| write!(f, " {m}"))
            }
            Self::MsidSemantic(m) => {
                let space = if m.space_before_semantic { " " } else { "" };
                write!(f, ":{space}{}", m.semantic)?;
                m.identifiers.iter().try_for_each(|i| write!(f, " {i}"))
            }
            Self::IceUfrag(v) | Self::IcePwd(v) | Self::Mid(v) => write!(f, ":{v}"),
            Self::IceOptions(o) => write!(f, ":{}", o.join(" ")),
            Self::Candidate(c) => {
                f.write_str(":")?;
                c.write_value(f)
            }
            Self::Fingerprint(v) => write!(f, ":{v}"),
            Self::Setup(s) => write!(f, ":{}", s.as_str()),
            Self::Msid(m) => {
                write!(f, ":{}", m.stream_id)?;
                m.track_id.iter().try_for_each(|t| write!(f, " {t}"))
            }
            Self::Rtpmap(v) => write!(f, ":{v}"),
            Self::Fmtp(v) => write!(f, ":{v}"),
            Self::RtcpFb(v) => write!(f, ":{v}"),
            Self::Extmap(v) => write!(f, ":{v}"),
            Self::Ssrc(v) => write!(f, ":{v}"),
            Self::SsrcGroup(v) => write!(f, ":{v}"),
            Self::Rid(v) => write!(f, ":{v}"),
            Self::Simulcast(v) => write!(f, ":{v}"),
            Self::SctpPort(p) => write!(f, ":{p}"),
            Self::MaxMessageSize(m) => write!(f, ":{m}"),
            Self::Sctpmap(s) => {
                write!(f, ":{} {}", s.port, s.protocol)?;
                s.streams.iter().try_for_each(|n| write!(f, " {n}"))
            }
            Self::Rtcp(r) => {
                write!(f, ":{}", r.port)?;
                r.connection.iter().try_for_each(|c| write!(f, " {c}"))
            }
            Self::Unknown { value: Some(v), .. } => write!(f, ":{v}"),
        }
    }
}

/// `impl From<$ty> for Attribute` wrapping the value in variant `$variant`.
macro_rules! into_attribute {
    ($($ty:ty => $variant:ident),* $(,)?) => {$(
        impl From<$ty> for Attribute {
            fn from(value: $ty) -> Self {
                Self::$variant(value)
            }
        }
    )*};
}

impl From<Candidate> for Attribute {
    fn from(value: Candidate) -> Self {
        Self::Candidate(Box::new(value))
    }
}

into_attribute! {
    Group => Group,
    MsidSemantic => MsidSemantic,
    Fingerprint => Fingerprint,
    Setup => Setup,
    Msid => Msid,
    Direction => Direction,
    RtpMap => Rtpmap,
    Fmtp => Fmtp,
    RtcpFb => RtcpFb,
    Extmap => Extmap,
    SsrcAttribute => Ssrc,
    SsrcGroup => SsrcGroup,
    Rid => Rid,
    Simulcast => Simulcast,
    Sctpmap => Sctpmap,
    Rtcp => Rtcp,
}
