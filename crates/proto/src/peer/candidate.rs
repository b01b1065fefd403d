//! Converting candidates between their SDP form and the ICE agent's.

use std::net::SocketAddr;

use rtcio_ice::{Candidate as IceCandidate, CandidateKind};
use rtcio_sdp::{Address, Candidate as SdpCandidate, CandidateType, Transport};

/// The SDP form of a local candidate, as sent in `icecandidate` events and descriptions.
pub fn to_sdp(c: &IceCandidate) -> SdpCandidate {
    let typ = match c.kind {
        CandidateKind::Host => CandidateType::Host,
        CandidateKind::ServerReflexive => CandidateType::Srflx,
        CandidateKind::PeerReflexive => CandidateType::Prflx,
        CandidateKind::Relayed => CandidateType::Relay,
    };
    SdpCandidate {
        foundation: c.foundation.clone(),
        component: c.component,
        transport: Transport::udp(),
        priority: c.priority,
        address: Address::Ip(c.addr.ip()),
        port: c.addr.port(),
        typ,
        related_address: c.related.map(|r| Address::Ip(r.ip())),
        related_port: c.related.map(|r| r.port()),
        tcp_type: None,
        generation: Some(0),
        ufrag: None,
        network_id: None,
        network_cost: None,
        extensions: Vec::new(),
    }
}

/// Why a signalled candidate is not handed to the agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unusable {
    /// Not UDP (rtcio's agent runs ICE over UDP only; browsers also signal TCP candidates).
    NotUdp,
    /// An mDNS or other host name: the async layer resolves these before the core sees them.
    Hostname(String),
    /// A component other than 1 (RTP): WebRTC muxes RTCP, so these are never used.
    Component(u16),
    /// A candidate type this agent does not know.
    UnknownType(String),
}

/// The agent's form of a remote candidate.
pub fn from_sdp(c: &SdpCandidate) -> Result<IceCandidate, Unusable> {
    if !c.transport.is_udp() {
        return Err(Unusable::NotUdp);
    }
    if c.component != 1 {
        return Err(Unusable::Component(c.component));
    }
    let ip = match &c.address {
        Address::Ip(ip) => *ip,
        Address::Fqdn(name) => return Err(Unusable::Hostname(name.clone())),
    };
    let kind = match &c.typ {
        CandidateType::Host => CandidateKind::Host,
        CandidateType::Srflx => CandidateKind::ServerReflexive,
        CandidateType::Prflx => CandidateKind::PeerReflexive,
        CandidateType::Relay => CandidateKind::Relayed,
        CandidateType::Other(t) => return Err(Unusable::UnknownType(t.clone())),
    };
    let mut out = IceCandidate::remote(
        kind,
        SocketAddr::new(ip, c.port),
        c.priority,
        c.foundation.clone(),
    );
    if let (Some(Address::Ip(rip)), Some(rport)) = (&c.related_address, c.related_port) {
        out.related = Some(SocketAddr::new(*rip, rport));
    }
    Ok(out)
}
