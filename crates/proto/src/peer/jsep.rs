//! Building local descriptions and reading remote ones (RFC 8829 §5).
//!
//! Only what the transports need crosses this module's boundary: [`RemoteParams`] out of a remote
//! description, a [`LocalTransport`] and [`Section`] plans into a local one. The peer connection
//! decides *what* to offer or answer; this module decides how it is written.

use rtcio_sdp::{
    Attribute, Candidate, Connection, Fingerprint, Group, MediaDescription, MediaKind,
    MsidSemantic, Origin, Protocol, SdpType, SessionDescription, Setup,
};

use super::error::Error;
use crate::media::MediaSection;

/// The SCTP port every WebRTC implementation uses (RFC 8841 §5 leaves it open; all use 5000).
pub const DEFAULT_SCTP_PORT: u16 = 5000;
/// RFC 8841 §6.1: a peer that does not say what it accepts accepts 64 KiB.
pub const DEFAULT_REMOTE_MAX_MESSAGE_SIZE: u64 = 65536;

/// What our side puts in every section's transport lines (one transport: max-bundle).
#[derive(Debug, Clone)]
pub struct LocalTransport<'a> {
    /// `a=ice-ufrag`.
    pub ufrag: &'a str,
    /// `a=ice-pwd`.
    pub pwd: &'a str,
    /// `a=fingerprint` lines.
    pub fingerprints: &'a [Fingerprint],
    /// `a=setup`.
    pub setup: Setup,
    /// Gathered candidates.
    pub candidates: &'a [Candidate],
    /// Whether gathering is complete (`a=end-of-candidates`).
    pub end_of_candidates: bool,
}

/// One m-section of a local description.
#[derive(Debug, Clone)]
pub enum Section {
    /// The data channel section.
    Application {
        /// Its mid.
        mid: String,
        /// `a=sctp-port`.
        sctp_port: u16,
        /// `a=max-message-size`: the largest message we accept.
        max_message_size: u64,
    },
    /// An audio or video section of a transceiver.
    Media(MediaSection),
    /// A section we do not take (no common codec, a stopped transceiver, a second data
    /// section): port 0 so the m-line count still matches (RFC 8829 §5.3.1).
    Rejected {
        /// The remote section's mid, if it had one.
        mid: Option<String>,
        /// The remote section's media type.
        kind: MediaKind,
        /// The remote section's protocol.
        protocol: Protocol,
        /// The remote section's formats.
        formats: Vec<String>,
    },
}

impl Section {
    /// The section's mid, if it has one.
    pub fn mid(&self) -> Option<&str> {
        match self {
            Section::Application { mid, .. } => Some(mid),
            Section::Media(m) => Some(&m.mid),
            Section::Rejected { mid, .. } => mid.as_deref(),
        }
    }
}

/// Writes a local description: session lines, BUNDLE of the accepted sections, then each
/// section with the shared transport lines.
pub fn build_description(
    origin: Origin,
    transport: &LocalTransport<'_>,
    sections: &[Section],
) -> SessionDescription {
    let mut sdp = SessionDescription::new(origin);
    let bundled: Vec<String> = sections
        .iter()
        .filter(|s| !matches!(s, Section::Rejected { .. }))
        .filter_map(|s| s.mid().map(str::to_string))
        .collect();
    if !bundled.is_empty() {
        sdp.push_attribute(Attribute::Group(Group::bundle(bundled)));
    }
    sdp.push_attribute(Attribute::MsidSemantic(MsidSemantic {
        space_before_semantic: true,
        semantic: "WMS".into(),
        identifiers: Vec::new(),
    }));

    // RFC 8829 §5.2.1: the m= port and c= address come from the default candidate when there
    // is one, else the placeholder 9 / 0.0.0.0.
    let default = transport.candidates.iter().max_by_key(|c| c.priority);
    let (port, conn_ip) = match default.and_then(|c| c.address.ip().map(|ip| (c.port, ip))) {
        Some((port, ip)) => (port, ip),
        None => (9, std::net::Ipv4Addr::UNSPECIFIED.into()),
    };

    for section in sections {
        let media = match section {
            Section::Media(ms) => {
                let mut m = ms.write(port);
                m.connection = Some(Connection::new(conn_ip));
                // Transport lines first, as for the data section.
                let lines = std::mem::take(&mut m.attributes);
                push_transport(&mut m, transport);
                m.attributes.extend(lines);
                m
            }
            Section::Application {
                mid,
                sctp_port,
                max_message_size,
            } => {
                let mut m = MediaDescription::new(
                    MediaKind::Application,
                    port,
                    Protocol::UdpDtlsSctp,
                    ["webrtc-datachannel"],
                );
                m.connection = Some(Connection::new(conn_ip));
                push_transport(&mut m, transport);
                m.push_attribute(Attribute::Mid(mid.clone()));
                m.push_attribute(Attribute::SctpPort(*sctp_port));
                m.push_attribute(Attribute::MaxMessageSize(*max_message_size));
                m
            }
            Section::Rejected {
                mid,
                kind,
                protocol,
                formats,
            } => {
                let mut m =
                    MediaDescription::new(kind.clone(), 0, protocol.clone(), formats.clone());
                m.connection = Some(Connection::new(std::net::Ipv4Addr::UNSPECIFIED.into()));
                if let Some(mid) = mid {
                    m.push_attribute(Attribute::Mid(mid.clone()));
                }
                m
            }
        };
        sdp.push_media(media);
    }
    sdp
}

fn push_transport(m: &mut MediaDescription, t: &LocalTransport<'_>) {
    for c in t.candidates {
        m.push_attribute(Attribute::from(c.clone()));
    }
    if t.end_of_candidates {
        m.push_attribute(Attribute::EndOfCandidates);
    }
    m.push_attribute(Attribute::IceUfrag(t.ufrag.to_string()));
    m.push_attribute(Attribute::IcePwd(t.pwd.to_string()));
    m.push_attribute(Attribute::IceOptions(vec!["trickle".into()]));
    for f in t.fingerprints {
        m.push_attribute(Attribute::Fingerprint(f.clone()));
    }
    m.push_attribute(Attribute::Setup(t.setup));
}

/// The parts of a remote description the transports use, checked for consistency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteParams {
    /// Remote ICE username fragment.
    pub ufrag: String,
    /// Remote ICE password.
    pub pwd: String,
    /// Whether the peer is an ICE-lite implementation.
    pub ice_lite: bool,
    /// Remote certificate fingerprints (any one must match).
    pub fingerprints: Vec<Fingerprint>,
    /// Remote `a=setup`.
    pub setup: Setup,
    /// Candidates in the description (of the transport section).
    pub candidates: Vec<Candidate>,
    /// Whether the description says `a=end-of-candidates`.
    pub end_of_candidates: bool,
    /// The data channel section, if the peer offers or accepts one.
    pub application: Option<RemoteApplication>,
    /// Every m-section in order: (mid, kind, protocol, formats, rejected).
    pub sections: Vec<RemoteSection>,
}

/// The remote data channel section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteApplication {
    /// Its mid.
    pub mid: String,
    /// Remote `a=sctp-port`.
    pub sctp_port: u16,
    /// The largest message the peer accepts.
    pub max_message_size: u64,
}

/// One remote m-section, as far as the answer needs to mirror it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteSection {
    /// The mid, if any.
    pub mid: Option<String>,
    /// Media type.
    pub kind: MediaKind,
    /// Protocol.
    pub protocol: Protocol,
    /// Formats.
    pub formats: Vec<String>,
    /// Port 0: rejected by the peer.
    pub rejected: bool,
}

/// Reads and checks a remote description of type `sdp_type`.
///
/// Transport parameters are taken from the BUNDLE-tag section (the first mid of the BUNDLE
/// group) or else the first accepted section; session-level lines apply where a section has
/// none. Every problem is reported with what is missing or wrong, and nothing is applied.
pub fn read_remote(sdp: &SessionDescription, sdp_type: SdpType) -> Result<RemoteParams, Error> {
    if sdp.media.is_empty() {
        return Err(Error::InvalidAccess("description has no m-section".into()));
    }
    let sections: Vec<RemoteSection> = sdp
        .media
        .iter()
        .map(|m| RemoteSection {
            mid: m.mid().map(str::to_string),
            kind: m.kind.clone(),
            protocol: m.protocol.clone(),
            formats: m.formats.clone(),
            rejected: m.port == 0 && !m.attributes.iter().any(is_bundle_only),
        })
        .collect();
    let mut seen = std::collections::HashSet::new();
    for s in &sections {
        if let Some(mid) = &s.mid
            && !seen.insert(mid.as_str())
        {
            return Err(Error::InvalidAccess(format!("mid '{mid}' appears twice")));
        }
    }

    let bundle_tag = sdp
        .bundle_group()
        .and_then(|g| g.mids.first())
        .and_then(|mid| sdp.media_by_mid(mid));
    let transport = bundle_tag
        .or_else(|| sdp.media.iter().find(|m| m.port != 0))
        .ok_or_else(|| Error::InvalidAccess("every m-section is rejected".into()))?;
    let index = sdp
        .media
        .iter()
        .position(|m| std::ptr::eq(m, transport))
        .unwrap_or(0);

    let ufrag = transport
        .ice_ufrag()
        .or(sdp.ice_ufrag())
        .ok_or_else(|| missing("a=ice-ufrag", index))?
        .to_string();
    let pwd = transport
        .ice_pwd()
        .or(sdp.ice_pwd())
        .ok_or_else(|| missing("a=ice-pwd", index))?
        .to_string();
    let mut fingerprints: Vec<Fingerprint> = transport.fingerprints().cloned().collect();
    if fingerprints.is_empty() {
        fingerprints = sdp.fingerprints().cloned().collect();
    }
    if fingerprints.is_empty() {
        return Err(missing("a=fingerprint", index));
    }
    let setup = transport
        .setup()
        .or(sdp.setup())
        .ok_or_else(|| missing("a=setup", index))?;
    match (sdp_type, setup) {
        (SdpType::Offer, Setup::Actpass | Setup::Active | Setup::Passive) => {}
        (SdpType::Answer | SdpType::Pranswer, Setup::Active | Setup::Passive) => {}
        (t, s) => {
            return Err(Error::InvalidAccess(format!(
                "a=setup:{} is not allowed in an {}",
                s.as_str(),
                t.as_str()
            )));
        }
    }

    let application = sdp
        .media
        .iter()
        .find(|m| m.kind == MediaKind::Application && m.protocol.is_sctp() && m.port != 0)
        .map(|m| -> Result<RemoteApplication, Error> {
            let mid = m.mid().ok_or_else(|| {
                Error::InvalidAccess("data channel m-section has no a=mid".into())
            })?;
            Ok(RemoteApplication {
                mid: mid.to_string(),
                sctp_port: m.sctp_port().unwrap_or(DEFAULT_SCTP_PORT),
                max_message_size: m
                    .max_message_size()
                    .unwrap_or(DEFAULT_REMOTE_MAX_MESSAGE_SIZE),
            })
        })
        .transpose()?;

    Ok(RemoteParams {
        ufrag,
        pwd,
        ice_lite: sdp.ice_lite(),
        fingerprints,
        setup,
        candidates: transport.candidates().cloned().collect(),
        end_of_candidates: transport.end_of_candidates(),
        application,
        sections,
    })
}

fn is_bundle_only(a: &Attribute) -> bool {
    a.name() == "bundle-only"
}

fn missing(what: &str, section: usize) -> Error {
    Error::InvalidAccess(format!(
        "{what} missing in m-section {section} and at session level"
    ))
}
