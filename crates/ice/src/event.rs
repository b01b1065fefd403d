//! Connection states, events and the datagram types exchanged with the caller.

use std::fmt;
use std::net::SocketAddr;

use crate::candidate::Candidate;
use crate::config::IceRole;
use crate::pair::PairId;

/// The state of the ICE transport, as W3C `RTCIceTransportState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IceConnectionState {
    /// Waiting for candidates and credentials; no check sent yet.
    New,
    /// Checks are running and no pair has been selected yet.
    Checking,
    /// A pair is selected; checks or gathering may still go on.
    Connected,
    /// A pair is selected, both sides ended their candidates and no check is left running.
    Completed,
    /// Consent checks on the selected pair are going unanswered.
    Disconnected,
    /// All pairs failed after the end of candidates, or consent expired.
    Failed,
    /// The agent was closed.
    Closed,
}

impl IceConnectionState {
    /// The W3C name.
    pub fn as_str(self) -> &'static str {
        match self {
            IceConnectionState::New => "new",
            IceConnectionState::Checking => "checking",
            IceConnectionState::Connected => "connected",
            IceConnectionState::Completed => "completed",
            IceConnectionState::Disconnected => "disconnected",
            IceConnectionState::Failed => "failed",
            IceConnectionState::Closed => "closed",
        }
    }
}

impl fmt::Display for IceConnectionState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The pair chosen to carry data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectedPair {
    /// The pair's id.
    pub id: PairId,
    /// The local candidate; data is sent from its base.
    pub local: Candidate,
    /// The remote candidate; data is sent to its address.
    pub remote: Candidate,
}

impl SelectedPair {
    /// The local socket (base) to send data from.
    pub fn from_base(&self) -> SocketAddr {
        self.local.base
    }

    /// The remote address to send data to.
    pub fn to(&self) -> SocketAddr {
        self.remote.addr
    }
}

/// Something the caller should know about; drained with [`Agent::poll_event`](crate::Agent::poll_event).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IceEvent {
    /// The transport state changed.
    ConnectionStateChange(IceConnectionState),
    /// A (new) pair was selected to carry data.
    SelectedPairChange(SelectedPair),
    /// A peer-reflexive remote candidate was learned from a check request (RFC 8445 §7.3.1.3).
    RemotePeerReflexive(Candidate),
    /// A peer-reflexive local candidate was learned from a check response (RFC 8445 §7.2.5.3.1).
    LocalPeerReflexive(Candidate),
    /// The role changed to repair a role conflict (RFC 8445 §7.3.1.1, §7.2.5.1).
    RoleChange(IceRole),
}

/// A datagram received on one of the caller's sockets (or through its TURN client).
#[derive(Debug, Clone, Copy)]
pub struct Receive<'a> {
    /// The base it arrived on: the local socket address, or the relayed address for data that
    /// came through TURN.
    pub local_addr: SocketAddr,
    /// The source address.
    pub remote_addr: SocketAddr,
    /// The datagram.
    pub data: &'a [u8],
}

/// A datagram for the caller to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmit {
    /// The base to send from (a relayed address means: send through the TURN client).
    pub from_base: SocketAddr,
    /// The destination.
    pub to: SocketAddr,
    /// The datagram.
    pub data: Vec<u8>,
}
