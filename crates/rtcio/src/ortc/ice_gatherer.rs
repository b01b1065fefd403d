//! ORTC `RTCIceGatherer`: binds the host sockets, gathers candidates, holds the local ICE
//! parameters.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use rtcio_ice::{Candidate, CandidateKind};
use rtcio_proto::peer::IceGatheringState as RTCIceGatheringState;
use rtcio_proto::transport::{StackConfig, TransportStack};
use serde::{Deserialize, Serialize};

use super::{Chain, OrtcCore, StateChanges};
use crate::config::{RTCConfiguration, RTCIceServer};
use crate::error::Error;
use crate::gather::Plan;
use crate::peer_connection::{Inner, bind_host_sockets};

/// ORTC `RTCIceGathererState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RTCIceGathererState {
    /// `gather()` was not called yet.
    New,
    /// Candidates are being gathered.
    Gathering,
    /// Every candidate is known.
    Complete,
}

impl RTCIceGathererState {
    /// The name aiortc uses (`completed` for the last state, as aiortc spells it).
    pub fn as_str(self) -> &'static str {
        match self {
            RTCIceGathererState::New => "new",
            RTCIceGathererState::Gathering => "gathering",
            RTCIceGathererState::Complete => "completed",
        }
    }
}

impl fmt::Display for RTCIceGathererState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// ORTC `RTCIceParameters` (JSON field names as aiortc's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RTCIceParameters {
    /// `usernameFragment`.
    pub username_fragment: String,
    /// `password`.
    pub password: String,
    /// `iceLite`.
    #[serde(default)]
    pub ice_lite: bool,
}

/// ORTC `RTCIceCandidate`, as aiortc's (JSON field names as aiortc's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RTCIceCandidate {
    /// Component id (1: WebRTC muxes RTP and RTCP).
    pub component: u16,
    /// Foundation.
    pub foundation: String,
    /// IP address.
    pub ip: String,
    /// Port.
    pub port: u16,
    /// Priority.
    pub priority: u32,
    /// Transport protocol (`udp`).
    pub protocol: String,
    /// `host`, `srflx`, `prflx` or `relay`.
    #[serde(rename = "type")]
    pub typ: String,
    /// The related address of a reflexive or relayed candidate.
    #[serde(default)]
    pub related_address: Option<String>,
    /// The related port.
    #[serde(default)]
    pub related_port: Option<u16>,
}

impl RTCIceCandidate {
    pub(crate) fn from_core(c: &Candidate) -> Self {
        RTCIceCandidate {
            component: c.component,
            foundation: c.foundation.clone(),
            ip: c.addr.ip().to_string(),
            port: c.addr.port(),
            priority: c.priority,
            protocol: "udp".into(),
            typ: match c.kind {
                CandidateKind::Host => "host",
                CandidateKind::ServerReflexive => "srflx",
                CandidateKind::PeerReflexive => "prflx",
                CandidateKind::Relayed => "relay",
            }
            .into(),
            related_address: c.related.map(|r| r.ip().to_string()),
            related_port: c.related.map(|r| r.port()),
        }
    }

    /// The agent's form: `Ok(None)` for a candidate rtcio cannot use (TCP, RTCP component),
    /// `SyntaxError` for one that is malformed.
    pub(crate) fn to_core(&self) -> Result<Option<Candidate>, Error> {
        if !self.protocol.eq_ignore_ascii_case("udp") || self.component != 1 {
            return Ok(None);
        }
        let ip: IpAddr = self
            .ip
            .parse()
            .map_err(|_| Error::Syntax(format!("candidate address {:?}", self.ip)))?;
        let kind = match self.typ.as_str() {
            "host" => CandidateKind::Host,
            "srflx" => CandidateKind::ServerReflexive,
            "prflx" => CandidateKind::PeerReflexive,
            "relay" => CandidateKind::Relayed,
            t => return Err(Error::Syntax(format!("candidate type {t:?}"))),
        };
        let mut c = Candidate::remote(
            kind,
            SocketAddr::new(ip, self.port),
            self.priority,
            self.foundation.clone(),
        );
        if let (Some(addr), Some(port)) = (&self.related_address, self.related_port)
            && let Ok(rip) = addr.parse::<IpAddr>()
        {
            c.related = Some(SocketAddr::new(rip, port));
        }
        Ok(Some(c))
    }
}

/// ORTC `RTCIceGatherer`. Cheap to clone: clones, and the transports made from it, share one
/// chain.
#[derive(Clone)]
pub struct RTCIceGatherer {
    pub(crate) chain: Chain,
    config: Arc<RTCConfiguration>,
}

impl fmt::Debug for RTCIceGatherer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RTCIceGatherer")
            .field("state", &self.state())
            .finish()
    }
}

impl RTCIceGatherer {
    /// A gatherer for these STUN/TURN servers (none: host candidates only). Malformed URLs
    /// are `SyntaxError`, TURN URLs without credentials `InvalidAccessError`.
    pub fn new(ice_servers: Vec<RTCIceServer>) -> Result<RTCIceGatherer, Error> {
        Self::with_configuration(RTCConfiguration {
            ice_servers,
            ..RTCConfiguration::default()
        })
    }

    /// A gatherer taking its servers, `iceTransportPolicy`, interfaces, port range and
    /// `max_message_size` from `config` (its certificates are the DTLS transport's business).
    pub fn with_configuration(config: RTCConfiguration) -> Result<RTCIceGatherer, Error> {
        Plan::new(&config)?;
        let stack = TransportStack::new(StackConfig {
            max_message_size: config.max_message_size,
            ..StackConfig::default()
        });
        Ok(RTCIceGatherer {
            chain: Chain::Ortc(Inner::new(OrtcCore::new(stack))),
            config: Arc::new(config),
        })
    }

    pub(crate) fn view(chain: Chain, config: RTCConfiguration) -> Self {
        RTCIceGatherer {
            chain,
            config: Arc::new(config),
        }
    }

    /// ORTC `gather()`: binds a socket per local address, gathers host, server-reflexive and
    /// relayed candidates, and returns once gathering is complete. Must be called inside a
    /// tokio runtime; a second call only waits for the first.
    pub async fn gather(&self) -> Result<(), Error> {
        let inner = self.chain.ortc()?;
        let start = {
            let mut st = inner.lock();
            if st.core.gatherer != RTCIceGathererState::New {
                None
            } else if st.core.is_stopped() {
                return Err(Error::InvalidState("the ICE transport is stopped".into()));
            } else {
                let now = Instant::now();
                let plan = Plan::new(&self.config)?;
                let core = &mut st.core;
                let sockets = bind_host_sockets(&self.config, now, |now, c| {
                    core.stack.add_local_candidate(now, c);
                })?;
                st.core.set_gatherer_state(RTCIceGathererState::Gathering);
                if plan.is_empty() {
                    use crate::peer_connection::Core;
                    st.core.end_of_local_candidates(now);
                }
                Some((sockets, plan))
            }
        };
        if let Some((sockets, plan)) = start {
            inner.start(sockets, plan);
        }
        self.chain
            .wait(|core| core.gatherer == RTCIceGathererState::Complete || core.is_stopped())
            .await
    }

    /// ORTC `state`.
    pub fn state(&self) -> RTCIceGathererState {
        match &self.chain {
            Chain::Ortc(inner) => inner.lock().core.gatherer,
            Chain::Peer(inner) => match inner.lock().core.ice_gathering_state() {
                RTCIceGatheringState::New => RTCIceGathererState::New,
                RTCIceGatheringState::Gathering => RTCIceGathererState::Gathering,
                RTCIceGatheringState::Complete => RTCIceGathererState::Complete,
            },
        }
    }

    /// Every state change from now on.
    pub fn state_changes(&self) -> Result<StateChanges<RTCIceGathererState>, Error> {
        Ok(StateChanges {
            rx: self.chain.ortc()?.lock().core.gatherer_states.subscribe(),
            terminal: |s| *s == RTCIceGathererState::Complete,
            done: false,
        })
    }

    /// ORTC `getLocalParameters()`: the ufrag and password the remote side checks with.
    pub fn local_parameters(&self) -> RTCIceParameters {
        self.chain.with_stack(|s| {
            let c = s.local_ice_credentials();
            RTCIceParameters {
                username_fragment: c.ufrag.clone(),
                password: c.pwd.clone(),
                ice_lite: false,
            }
        })
    }

    /// ORTC `getLocalCandidates()`: the candidates gathered so far.
    pub fn local_candidates(&self) -> Vec<RTCIceCandidate> {
        self.chain.with_stack(|s| {
            s.local_candidates()
                .iter()
                .map(RTCIceCandidate::from_core)
                .collect()
        })
    }

    /// The local addresses of the gatherer's sockets (empty before `gather()` and after
    /// `stop()`).
    pub fn local_addresses(&self) -> Vec<SocketAddr> {
        match &self.chain {
            Chain::Ortc(inner) => inner.local_addresses(),
            Chain::Peer(inner) => inner.local_addresses(),
        }
    }
}

impl OrtcCore {
    /// `RTCIceTransport.stop()` was called: nothing restarts.
    pub(crate) fn is_stopped(&self) -> bool {
        use crate::peer_connection::Core;
        self.is_closed()
    }
}
