//! ICE candidates (RFC 8445 §5.1): types, priorities and foundations.
//!
//! The agent does not gather: the caller adds local candidates as it learns them (host addresses
//! of its sockets, server-reflexive addresses from STUN, relayed addresses from TURN). Every
//! candidate has a *base*, the transport address the caller sends from: a host candidate is its
//! own base, a server-reflexive candidate's base is the host socket it was learned through, and a
//! relayed candidate is its own base (the caller routes datagrams "from" it through its TURN
//! client).

use std::fmt;
use std::net::{IpAddr, SocketAddr};

/// The component of a data stream. WebRTC multiplexes RTP and RTCP, so the agent runs one
/// component, and this is the component ID it uses (RFC 8445 §5.1.1.1, RTP is 1).
pub const COMPONENT_RTP: u16 = 1;

/// Local preference of a candidate when the host has a single interface (RFC 8445 §5.1.2.1).
pub const DEFAULT_LOCAL_PREFERENCE: u16 = 65535;

/// Longest foundation the agent accepts from the remote side (RFC 8445 §5.1.1.3: 1 to 32
/// ice-chars).
pub const MAX_FOUNDATION_LEN: usize = 32;

/// The type of a candidate (RFC 8445 §5.1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CandidateKind {
    /// An address of a local interface (`host`).
    Host,
    /// The address a NAT gave the base, learned from a STUN server (`srflx`).
    ServerReflexive,
    /// An address learned from a connectivity check (`prflx`).
    PeerReflexive,
    /// An address allocated on a TURN server (`relay`).
    Relayed,
}

impl CandidateKind {
    /// The recommended type preference (RFC 8445 §5.1.2.2).
    pub fn type_preference(self) -> u32 {
        match self {
            CandidateKind::Host => 126,
            CandidateKind::PeerReflexive => 110,
            CandidateKind::ServerReflexive => 100,
            CandidateKind::Relayed => 0,
        }
    }

    /// The SDP `cand-type` token (RFC 8839 §5.1).
    pub fn as_str(self) -> &'static str {
        match self {
            CandidateKind::Host => "host",
            CandidateKind::ServerReflexive => "srflx",
            CandidateKind::PeerReflexive => "prflx",
            CandidateKind::Relayed => "relay",
        }
    }
}

impl fmt::Display for CandidateKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Computes a candidate priority (RFC 8445 §5.1.2.1):
/// `2^24 * type preference + 2^8 * local preference + (256 - component ID)`.
pub fn candidate_priority(kind: CandidateKind, local_preference: u16, component: u16) -> u32 {
    let component = u32::from(component.clamp(1, 256));
    (kind.type_preference() << 24) + (u32::from(local_preference) << 8) + (256 - component)
}

/// A UDP ICE candidate, local or remote.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Candidate {
    /// The candidate type.
    pub kind: CandidateKind,
    /// The transport address (for a remote candidate, where checks are sent).
    pub addr: SocketAddr,
    /// The base: the transport address a local candidate sends from (RFC 8445 §5.1.1.1). For a
    /// remote candidate the agent sets it to `addr`.
    pub base: SocketAddr,
    /// The priority (RFC 8445 §5.1.2).
    pub priority: u32,
    /// The foundation (RFC 8445 §5.1.1.3): equal for candidates of the same type, base IP,
    /// server and transport.
    pub foundation: String,
    /// The component ID.
    pub component: u16,
    /// `raddr`/`rport`: the base of a reflexive candidate or the mapped address of a relayed one,
    /// for signaling only.
    pub related: Option<SocketAddr>,
}

impl Candidate {
    /// A host candidate bound to `addr` (its own base), with `local_preference`
    /// ([`DEFAULT_LOCAL_PREFERENCE`] when the host has one interface).
    pub fn host(addr: SocketAddr, local_preference: u16) -> Candidate {
        Candidate::local(
            CandidateKind::Host,
            addr,
            addr,
            None,
            local_preference,
            None,
        )
    }

    /// A server-reflexive candidate `addr` learned through the socket `base` from the STUN server
    /// at `server`.
    pub fn server_reflexive(
        addr: SocketAddr,
        base: SocketAddr,
        server: SocketAddr,
        local_preference: u16,
    ) -> Candidate {
        Candidate::local(
            CandidateKind::ServerReflexive,
            addr,
            base,
            Some(base),
            local_preference,
            Some(server.ip()),
        )
    }

    /// A relayed candidate `addr` allocated on the TURN server `server`, whose reflexive (mapped)
    /// address is `mapped`. A relayed candidate is its own base: the caller sends "from" it
    /// through its TURN client.
    pub fn relayed(
        addr: SocketAddr,
        mapped: SocketAddr,
        server: SocketAddr,
        local_preference: u16,
    ) -> Candidate {
        Candidate::local(
            CandidateKind::Relayed,
            addr,
            addr,
            Some(mapped),
            local_preference,
            Some(server.ip()),
        )
    }

    /// A remote candidate as signaled by the peer (the base is set to `addr`).
    pub fn remote(
        kind: CandidateKind,
        addr: SocketAddr,
        priority: u32,
        foundation: impl Into<String>,
    ) -> Candidate {
        Candidate {
            kind,
            addr,
            base: addr,
            priority,
            foundation: foundation.into(),
            component: COMPONENT_RTP,
            related: None,
        }
    }

    fn local(
        kind: CandidateKind,
        addr: SocketAddr,
        base: SocketAddr,
        related: Option<SocketAddr>,
        local_preference: u16,
        server: Option<IpAddr>,
    ) -> Candidate {
        Candidate {
            kind,
            addr,
            base,
            priority: candidate_priority(kind, local_preference, COMPONENT_RTP),
            foundation: compute_foundation(kind, base.ip(), server),
            component: COMPONENT_RTP,
            related,
        }
    }

    /// The local preference encoded in the priority (bits 8..24).
    pub fn local_preference(&self) -> u16 {
        // The mask keeps 16 bits, so the cast cannot truncate.
        ((self.priority >> 8) & 0xffff) as u16
    }
}

/// Computes a foundation (RFC 8445 §5.1.1.3) from the candidate type, the base IP and the STUN
/// or TURN server IP (the transport is always UDP here). The result is a short decimal string,
/// the same for equal inputs and different (with overwhelming probability) otherwise.
pub fn compute_foundation(kind: CandidateKind, base_ip: IpAddr, server: Option<IpAddr>) -> String {
    // FNV-1a over a canonical encoding: stable across runs and platforms.
    let mut hash: u32 = 0x811c_9dc5;
    let mut feed = |bytes: &[u8]| {
        for b in bytes {
            hash ^= u32::from(*b);
            hash = hash.wrapping_mul(0x0100_0193);
        }
    };
    feed(kind.as_str().as_bytes());
    feed(b"/udp/");
    match base_ip {
        IpAddr::V4(ip) => feed(&ip.octets()),
        IpAddr::V6(ip) => feed(&ip.octets()),
    }
    match server {
        Some(IpAddr::V4(ip)) => feed(&ip.octets()),
        Some(IpAddr::V6(ip)) => feed(&ip.octets()),
        None => feed(b"-"),
    }
    hash.to_string()
}
