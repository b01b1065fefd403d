//! ORTC `RTCIceTransport`: connectivity checks over the gatherer's sockets.

use std::fmt;

use rtcio_ice::{IceConnectionState, IceRole};
use rtcio_proto::transport::IceParameters;

use super::{
    Chain, MAX_REMOTE_CANDIDATES, RTCIceCandidate, RTCIceGatherer, RTCIceParameters, StateChanges,
};
use crate::error::Error;
use crate::peer_connection::Core;

/// ORTC `RTCIceTransport`. Cheap to clone: clones share the transport.
#[derive(Clone)]
pub struct RTCIceTransport {
    pub(crate) chain: Chain,
    gatherer: RTCIceGatherer,
    role: IceRole,
}

impl fmt::Debug for RTCIceTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RTCIceTransport")
            .field("state", &self.state())
            .field("role", &self.role())
            .finish()
    }
}

impl RTCIceTransport {
    /// An ICE transport over `gatherer`'s sockets, in the controlled role (aiortc's default:
    /// a role conflict with another controlled agent is resolved by the tie-breakers, RFC 8445
    /// §7.3.1.1); [`set_role`](Self::set_role) picks one.
    pub fn new(gatherer: &RTCIceGatherer) -> RTCIceTransport {
        RTCIceTransport {
            chain: gatherer.chain.clone(),
            gatherer: gatherer.clone(),
            role: IceRole::Controlled,
        }
    }

    pub(crate) fn view(chain: Chain, gatherer: RTCIceGatherer, role: IceRole) -> Self {
        RTCIceTransport {
            chain,
            gatherer,
            role,
        }
    }

    /// The role [`start`](Self::start) uses; `InvalidStateError` once started.
    pub fn set_role(&mut self, role: IceRole) -> Result<(), Error> {
        if self.chain.with_stack(|s| s.ice_role().is_some()) {
            return Err(Error::InvalidState(
                "the ICE transport has started; its role is fixed".into(),
            ));
        }
        self.role = role;
        Ok(())
    }

    /// ORTC `iceGatherer`.
    pub fn ice_gatherer(&self) -> &RTCIceGatherer {
        &self.gatherer
    }

    /// ORTC `role`: the agent's role once started (it may change in a role conflict), else
    /// the one `start` will use.
    pub fn role(&self) -> IceRole {
        self.chain.with_stack(|s| s.ice_role()).unwrap_or(self.role)
    }

    /// ORTC `state` (`RTCIceTransportState`: the same names as `iceConnectionState`).
    pub fn state(&self) -> IceConnectionState {
        self.chain.with_stack(|s| s.ice_state())
    }

    /// Every state change from now on, ending with `closed`.
    pub fn state_changes(&self) -> Result<StateChanges<IceConnectionState>, Error> {
        Ok(StateChanges {
            rx: self.chain.ortc()?.lock().core.ice_states.subscribe(),
            terminal: |s| *s == IceConnectionState::Closed,
            done: false,
        })
    }

    /// ORTC `addRemoteCandidate`; `None` signals the end of the remote candidates. Allowed
    /// before `start` (the candidates wait for it). Candidates rtcio cannot use (TCP) are
    /// ignored; a malformed one is `SyntaxError`.
    pub async fn add_remote_candidate(
        &self,
        candidate: Option<RTCIceCandidate>,
    ) -> Result<(), Error> {
        let parsed = candidate
            .as_ref()
            .map(RTCIceCandidate::to_core)
            .transpose()?;
        self.chain
            .with_ortc(move |core, now| {
                if core.is_closed() {
                    return Err(Error::InvalidState("the ICE transport is stopped".into()));
                }
                let started = core.stack.ice_role().is_some();
                match parsed {
                    None => {
                        if started {
                            core.stack.end_of_remote_candidates(now);
                        } else {
                            core.pending_end = true;
                        }
                    }
                    Some(None) => core.stack.count_unusable_candidate(),
                    Some(Some(c)) => {
                        if core.remote_candidates.len() >= MAX_REMOTE_CANDIDATES {
                            return Err(Error::Operation(format!(
                                "more than {MAX_REMOTE_CANDIDATES} remote candidates"
                            )));
                        }
                        core.remote_candidates.push(c.clone());
                        if started {
                            core.stack.add_remote_candidate(now, c);
                        } else {
                            core.pending_remote.push(c);
                        }
                    }
                }
                Ok(())
            })
            .await
    }

    /// ORTC `getRemoteCandidates()`.
    pub fn remote_candidates(&self) -> Vec<RTCIceCandidate> {
        match &self.chain {
            Chain::Ortc(inner) => inner
                .lock()
                .core
                .remote_candidates
                .iter()
                .map(RTCIceCandidate::from_core)
                .collect(),
            Chain::Peer(inner) => inner
                .lock()
                .core
                .ice_agent()
                .map(|a| {
                    a.remote_candidates()
                        .iter()
                        .map(RTCIceCandidate::from_core)
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    /// ORTC `start(remoteParameters)`: starts checks against the remote candidates and
    /// returns once ICE connected (`OperationError` if it failed). `gather()` must have run
    /// (`InvalidStateError` otherwise, or when stopped); a second call only waits.
    pub async fn start(&self, remote: RTCIceParameters) -> Result<(), Error> {
        let role = self.role;
        self.chain
            .with_ortc(move |core, now| {
                if core.is_closed() {
                    return Err(Error::InvalidState("the ICE transport is stopped".into()));
                }
                if core.gatherer == super::RTCIceGathererState::New {
                    return Err(Error::InvalidState(
                        "gather() the local candidates before start()".into(),
                    ));
                }
                if core.stack.ice_role().is_some() {
                    return Ok(());
                }
                let params = IceParameters {
                    ufrag: remote.username_fragment,
                    pwd: remote.password,
                    ice_lite: remote.ice_lite,
                };
                core.stack.start_ice(now, role, &params)?;
                for c in std::mem::take(&mut core.pending_remote) {
                    core.stack.add_remote_candidate(now, c);
                }
                if core.pending_end {
                    core.stack.end_of_remote_candidates(now);
                }
                Ok(())
            })
            .await?;
        self.chain
            .wait(|core| {
                !matches!(
                    core.stack.ice_state(),
                    IceConnectionState::New | IceConnectionState::Checking
                )
            })
            .await?;
        match self.state() {
            IceConnectionState::Failed => Err(Error::Operation("ICE failed".into())),
            IceConnectionState::Closed => Err(Error::InvalidState(
                "the ICE transport was stopped while starting".into(),
            )),
            _ => Ok(()),
        }
    }

    /// ORTC `stop()`: stops the transports over it, sends DTLS close_notify, closes the
    /// sockets and ends the chain's tasks. Irreversible; a second call does nothing.
    pub async fn stop(&self) -> Result<(), Error> {
        let inner = self.chain.ortc()?;
        inner.with_core(|core, now| core.stack.stop_ice(now)).await;
        inner.shut_down();
        Ok(())
    }
}
