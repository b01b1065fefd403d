//! Media descriptions: the `m=` line and the lines and attributes of its section.

use std::fmt;

use crate::attribute::{Attribute, Msid};
use crate::candidate::Candidate;
use crate::dtls::{Fingerprint, Setup};
use crate::error::ValueError;
use crate::rtp::{Direction, Extmap, Fmtp, RtcpFb, RtpMap};
use crate::session::{self, Bandwidth, Connection, line};
use crate::simulcast::{Rid, Simulcast};
use crate::ssrc::{SsrcAttribute, SsrcGroup};
use crate::util::{Words, number, payload_type, token};

/// The media type of an `m=` line.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MediaKind {
    /// `audio`
    Audio,
    /// `video`
    Video,
    /// `application` (data channels)
    Application,
    /// `text`
    Text,
    /// `message`
    Message,
    /// Any other token, as written.
    Other(String),
}

impl MediaKind {
    /// The media type as written in SDP.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Audio => "audio",
            Self::Video => "video",
            Self::Application => "application",
            Self::Text => "text",
            Self::Message => "message",
            Self::Other(s) => s,
        }
    }

    fn parse(s: &str) -> Result<Self, ValueError> {
        Ok(match s {
            "audio" => Self::Audio,
            "video" => Self::Video,
            "application" => Self::Application,
            "text" => Self::Text,
            "message" => Self::Message,
            _ => Self::Other(token("media type", s)?.into()),
        })
    }
}

/// The transport protocol of an `m=` line.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// `UDP/TLS/RTP/SAVPF`: WebRTC media (RFC 5764).
    UdpTlsRtpSavpf,
    /// `UDP/TLS/RTP/SAVP`
    UdpTlsRtpSavp,
    /// `RTP/SAVPF`
    RtpSavpf,
    /// `RTP/SAVP`
    RtpSavp,
    /// `RTP/AVPF`
    RtpAvpf,
    /// `RTP/AVP`
    RtpAvp,
    /// `UDP/DTLS/SCTP`: WebRTC data channels (RFC 8841), format `webrtc-datachannel`.
    UdpDtlsSctp,
    /// `TCP/DTLS/SCTP` (RFC 8841).
    TcpDtlsSctp,
    /// `DTLS/SCTP`: legacy data channels, format = SCTP port, with `a=sctpmap`.
    DtlsSctp,
    /// Any other protocol, as written.
    Other(String),
}

impl Protocol {
    /// The protocol as written in SDP.
    pub fn as_str(&self) -> &str {
        match self {
            Self::UdpTlsRtpSavpf => "UDP/TLS/RTP/SAVPF",
            Self::UdpTlsRtpSavp => "UDP/TLS/RTP/SAVP",
            Self::RtpSavpf => "RTP/SAVPF",
            Self::RtpSavp => "RTP/SAVP",
            Self::RtpAvpf => "RTP/AVPF",
            Self::RtpAvp => "RTP/AVP",
            Self::UdpDtlsSctp => "UDP/DTLS/SCTP",
            Self::TcpDtlsSctp => "TCP/DTLS/SCTP",
            Self::DtlsSctp => "DTLS/SCTP",
            Self::Other(s) => s,
        }
    }

    /// Whether the formats are RTP payload types (the protocol contains `RTP/`).
    pub fn is_rtp(&self) -> bool {
        self.as_str().contains("RTP/")
    }

    /// Whether this is an SCTP protocol (data channels).
    pub fn is_sctp(&self) -> bool {
        self.as_str().ends_with("SCTP")
    }

    fn parse(s: &str) -> Result<Self, ValueError> {
        let known = [
            Self::UdpTlsRtpSavpf,
            Self::UdpTlsRtpSavp,
            Self::RtpSavpf,
            Self::RtpSavp,
            Self::RtpAvpf,
            Self::RtpAvp,
            Self::UdpDtlsSctp,
            Self::TcpDtlsSctp,
            Self::DtlsSctp,
        ];
        match known.into_iter().find(|p| p.as_str() == s) {
            Some(p) => Ok(p),
            None if !s.is_empty() && s.split('/').all(|t| token("proto", t).is_ok()) => {
                Ok(Self::Other(s.into()))
            }
            None => Err(ValueError::invalid("proto", s)),
        }
    }
}

/// A codec of an RTP media section: a payload type with its `rtpmap`, `fmtp` and `rtcp-fb`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Codec<'a> {
    /// The payload type.
    pub payload_type: u8,
    /// Its `a=rtpmap` (absent for static payload types without one).
    pub rtpmap: Option<&'a RtpMap>,
    /// Its `a=fmtp`.
    pub fmtp: Option<&'a Fmtp>,
    /// The `a=rtcp-fb` lines that apply to it (including `*` ones).
    pub rtcp_fbs: Vec<&'a RtcpFb>,
}

/// A media description: `m=<media> <port>[/<count>] <proto> <fmt> …` and the lines of its
/// section.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MediaDescription {
    /// Media type.
    pub kind: MediaKind,
    /// Transport port (0 marks a rejected or bundled-only section).
    pub port: u16,
    /// Number of ports (`/<count>` after the port), rarely used.
    pub port_count: Option<u16>,
    /// Transport protocol.
    pub protocol: Protocol,
    /// Formats: payload type numbers for RTP, `webrtc-datachannel` or an SCTP port for data.
    pub formats: Vec<String>,
    /// `i=`: media title.
    pub information: Option<String>,
    /// `c=`: connection data.
    pub connection: Option<Connection>,
    /// `b=` lines.
    pub bandwidths: Vec<Bandwidth>,
    /// `k=`: encryption key (obsolete), as written.
    pub key: Option<String>,
    /// The section's `a=` lines in order.
    pub attributes: Vec<Attribute>,
}

impl MediaDescription {
    /// A media section with no lines besides `m=`; formats are written as given.
    pub fn new<S: Into<String>>(
        kind: MediaKind,
        port: u16,
        protocol: Protocol,
        formats: impl IntoIterator<Item = S>,
    ) -> Self {
        Self {
            kind,
            port,
            port_count: None,
            protocol,
            formats: formats.into_iter().map(Into::into).collect(),
            information: None,
            connection: None,
            bandwidths: Vec::new(),
            key: None,
            attributes: Vec::new(),
        }
    }

    /// Parses the value of an `m=` line (after `m=`).
    pub fn parse_media_line(value: &str) -> Result<Self, ValueError> {
        let mut w = Words::new(value);
        let kind = MediaKind::parse(w.next("media type")?)?;
        let port_text = w.next("port")?;
        let (port, port_count) = match port_text.split_once('/') {
            Some((p, n)) => (number("port", p)?, Some(number("number of ports", n)?)),
            None => (number("port", port_text)?, None),
        };
        let protocol = Protocol::parse(w.next("proto")?)?;
        let mut formats = Vec::new();
        while let Some(fmt) = w.next_opt() {
            if protocol.is_rtp() {
                payload_type(fmt)?;
            }
            formats.push(fmt.to_owned());
        }
        let mut media = Self::new(kind, port, protocol, formats);
        media.port_count = port_count;
        Ok(media)
    }

    /// Appends an attribute.
    pub fn push_attribute(&mut self, attribute: Attribute) -> &mut Self {
        self.attributes.push(attribute);
        self
    }

    /// The formats as RTP payload types (those that are numbers of at most 127).
    pub fn payload_types(&self) -> Vec<u8> {
        self.formats
            .iter()
            .filter_map(|f| payload_type(f).ok())
            .collect()
    }

    /// `a=mid`
    pub fn mid(&self) -> Option<&str> {
        self.attributes.iter().find_map(|a| match a {
            Attribute::Mid(m) => Some(m.as_str()),
            _ => None,
        })
    }

    /// The direction attribute, if present (RFC 8866 defaults to `sendrecv` when absent).
    pub fn direction(&self) -> Option<Direction> {
        session::direction(&self.attributes)
    }

    /// `a=msid`s.
    pub fn msids(&self) -> impl Iterator<Item = &Msid> {
        self.attributes.iter().filter_map(|a| match a {
            Attribute::Msid(m) => Some(m),
            _ => None,
        })
    }

    /// `a=ice-ufrag`
    pub fn ice_ufrag(&self) -> Option<&str> {
        session::ice_ufrag(&self.attributes)
    }

    /// `a=ice-pwd`
    pub fn ice_pwd(&self) -> Option<&str> {
        session::ice_pwd(&self.attributes)
    }

    /// `a=ice-options` tokens (all lines concatenated).
    pub fn ice_options(&self) -> Vec<&str> {
        session::ice_options(&self.attributes)
    }

    /// `a=candidate`s in order.
    pub fn candidates(&self) -> impl Iterator<Item = &Candidate> {
        session::candidates(&self.attributes)
    }

    /// Whether `a=end-of-candidates` is present.
    pub fn end_of_candidates(&self) -> bool {
        self.attributes.contains(&Attribute::EndOfCandidates)
    }

    /// `a=fingerprint`s.
    pub fn fingerprints(&self) -> impl Iterator<Item = &Fingerprint> {
        session::fingerprints(&self.attributes)
    }

    /// `a=setup`
    pub fn setup(&self) -> Option<Setup> {
        session::setup(&self.attributes)
    }

    /// Whether `a=bundle-only` is present.
    pub fn bundle_only(&self) -> bool {
        self.attributes.contains(&Attribute::BundleOnly)
    }

    /// Whether `a=rtcp-mux` is present.
    pub fn rtcp_mux(&self) -> bool {
        self.attributes.contains(&Attribute::RtcpMux)
    }

    /// Whether `a=rtcp-mux-only` is present.
    pub fn rtcp_mux_only(&self) -> bool {
        self.attributes.contains(&Attribute::RtcpMuxOnly)
    }

    /// Whether `a=rtcp-rsize` is present.
    pub fn rtcp_rsize(&self) -> bool {
        self.attributes.contains(&Attribute::RtcpRsize)
    }

    /// `a=rtpmap`s in order.
    pub fn rtpmaps(&self) -> impl Iterator<Item = &RtpMap> {
        self.attributes.iter().filter_map(|a| match a {
            Attribute::Rtpmap(r) => Some(r),
            _ => None,
        })
    }

    /// `a=fmtp`s in order.
    pub fn fmtps(&self) -> impl Iterator<Item = &Fmtp> {
        self.attributes.iter().filter_map(|a| match a {
            Attribute::Fmtp(f) => Some(f),
            _ => None,
        })
    }

    /// `a=rtcp-fb`s in order.
    pub fn rtcp_fbs(&self) -> impl Iterator<Item = &RtcpFb> {
        self.attributes.iter().filter_map(|a| match a {
            Attribute::RtcpFb(r) => Some(r),
            _ => None,
        })
    }

    /// The codecs in `m=` line order, each with its rtpmap, fmtp and rtcp-fb lines.
    pub fn codecs(&self) -> Vec<Codec<'_>> {
        self.payload_types()
            .into_iter()
            .map(|pt| Codec {
                payload_type: pt,
                rtpmap: self.rtpmaps().find(|r| r.payload_type == pt),
                fmtp: self.fmtps().find(|f| f.payload_type == pt),
                rtcp_fbs: self
                    .rtcp_fbs()
                    .filter(|r| r.payload.applies_to(pt))
                    .collect(),
            })
            .collect()
    }

    /// `a=extmap`s in order.
    pub fn extmaps(&self) -> impl Iterator<Item = &Extmap> {
        self.attributes.iter().filter_map(|a| match a {
            Attribute::Extmap(e) => Some(e),
            _ => None,
        })
    }

    /// `a=ssrc`s in order.
    pub fn ssrcs(&self) -> impl Iterator<Item = &SsrcAttribute> {
        self.attributes.iter().filter_map(|a| match a {
            Attribute::Ssrc(s) => Some(s),
            _ => None,
        })
    }

    /// `a=ssrc-group`s in order.
    pub fn ssrc_groups(&self) -> impl Iterator<Item = &SsrcGroup> {
        self.attributes.iter().filter_map(|a| match a {
            Attribute::SsrcGroup(g) => Some(g),
            _ => None,
        })
    }

    /// `a=rid`s in order.
    pub fn rids(&self) -> impl Iterator<Item = &Rid> {
        self.attributes.iter().filter_map(|a| match a {
            Attribute::Rid(r) => Some(r),
            _ => None,
        })
    }

    /// `a=simulcast`
    pub fn simulcast(&self) -> Option<&Simulcast> {
        self.attributes.iter().find_map(|a| match a {
            Attribute::Simulcast(s) => Some(s),
            _ => None,
        })
    }

    /// `a=sctp-port`
    pub fn sctp_port(&self) -> Option<u16> {
        self.attributes.iter().find_map(|a| match a {
            Attribute::SctpPort(p) => Some(*p),
            _ => None,
        })
    }

    /// `a=max-message-size`
    pub fn max_message_size(&self) -> Option<u64> {
        self.attributes.iter().find_map(|a| match a {
            Attribute::MaxMessageSize(m) => Some(*m),
            _ => None,
        })
    }

    /// The first attribute named `name` (for unknown attributes, its value).
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name() == name)
    }
}

impl fmt::Display for MediaDescription {
    /// Writes the section (the `m=` line and its other lines) with CRLF line endings.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "m={} {}", self.kind.as_str(), self.port)?;
        if let Some(n) = self.port_count {
            write!(f, "/{n}")?;
        }
        write!(f, " {}", self.protocol.as_str())?;
        self.formats
            .iter()
            .try_for_each(|fmt| write!(f, " {fmt}"))?;
        f.write_str("\r\n")?;
        line(f, 'i', &self.information)?;
        line(f, 'c', &self.connection)?;
        self.bandwidths
            .iter()
            .try_for_each(|b| write!(f, "b={b}\r\n"))?;
        line(f, 'k', &self.key)?;
        self.attributes
            .iter()
            .try_for_each(|a| write!(f, "a={a}\r\n"))
    }
}
