//! What to gather, from `RTCConfiguration`: the STUN and TURN servers, validated when the
//! connection is created (W3C `setConfiguration` errors), resolved later by the tasks.

use rtcio_turn::{IceServerUrl, Scheme};

use crate::config::{RTCConfiguration, RTCIceTransportPolicy};
use crate::error::Error;

/// Most server URLs accepted (each costs a task and, for TURN, an allocation).
const MAX_URLS: usize = 32;

/// A TURN server with its credentials.
#[derive(Debug, Clone)]
pub(crate) struct TurnServer {
    pub(crate) url: IceServerUrl,
    pub(crate) username: String,
    pub(crate) password: String,
}

/// The servers to gather from.
#[derive(Debug, Clone, Default)]
pub(crate) struct Plan {
    /// `stun:` servers for server-reflexive candidates (none under the relay policy).
    pub(crate) stun: Vec<IceServerUrl>,
    /// `turn:`/`turns:` servers for relayed candidates.
    pub(crate) turn: Vec<TurnServer>,
}

impl Plan {
    /// Parses and checks `config.ice_servers`: malformed URLs are `SyntaxError`, TURN URLs
    /// without username and credential `InvalidAccessError` (as W3C `RTCPeerConnection`
    /// requires). `stuns:` URLs are accepted and ignored (no STUN over TLS for UDP candidates).
    pub(crate) fn new(config: &RTCConfiguration) -> Result<Plan, Error> {
        let count: usize = config.ice_servers.iter().map(|s| s.urls.len()).sum();
        if count > MAX_URLS {
            return Err(Error::Type(format!(
                "{count} ICE server URLs, at most {MAX_URLS}"
            )));
        }
        let mut plan = Plan::default();
        for server in &config.ice_servers {
            for url in &server.urls {
                let parsed = IceServerUrl::parse(url)
                    .map_err(|e| Error::Syntax(format!("ICE server URL {url:?}: {e}")))?;
                match parsed.scheme {
                    Scheme::Stun => plan.stun.push(parsed),
                    Scheme::Stuns => {}
                    Scheme::Turn | Scheme::Turns => {
                        let (Some(username), Some(password)) =
                            (&server.username, &server.credential)
                        else {
                            return Err(Error::InvalidAccess(format!(
                                "TURN server {url:?} needs a username and a credential"
                            )));
                        };
                        plan.turn.push(TurnServer {
                            url: parsed,
                            username: username.clone(),
                            password: password.clone(),
                        });
                    }
                }
            }
        }
        if config.ice_transport_policy == RTCIceTransportPolicy::Relay {
            plan.stun.clear();
        }
        Ok(plan)
    }

    /// Whether there is nothing to gather.
    pub(crate) fn is_empty(&self) -> bool {
        self.stun.is_empty() && self.turn.is_empty()
    }
}
