//! The ICE layer of the stack: local credentials and candidates, remote parameters, role.

use std::net::SocketAddr;
use std::time::Instant;

use rtcio_ice::{Agent, AgentConfig, Candidate, Credentials, IceConnectionState, IceRole};

use super::TransportStack;
use super::random::{SeededFork, random_credentials};
use crate::peer::Error;

/// The remote side's ICE parameters (ORTC `RTCIceParameters`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IceParameters {
    /// `usernameFragment`.
    pub ufrag: String,
    /// `password`.
    pub pwd: String,
    /// `iceLite`: the peer only answers checks (RFC 8445 §2.5).
    pub ice_lite: bool,
}

impl TransportStack {
    /// The local ICE credentials (ORTC `RTCIceGatherer.getLocalParameters()`).
    pub fn local_ice_credentials(&self) -> &Credentials {
        &self.ice_creds
    }

    /// New random credentials, for an ICE restart.
    pub fn new_ice_credentials(&mut self) -> Credentials {
        random_credentials(self.rng.as_mut())
    }

    /// Replaces the local credentials. Before the agent exists this just picks what it will
    /// use; afterwards it is an ICE restart (RFC 8445 §9): new checks, the pair is kept until
    /// a new one is selected.
    pub fn set_local_ice_credentials(&mut self, now: Instant, creds: Credentials) {
        if let Some(agent) = self.ice.as_mut() {
            agent.restart(now, &creds.ufrag, &creds.pwd);
        }
        self.ice_creds = creds;
        self.last_now = Some(now);
        self.process(now);
    }

    /// Creates the ICE agent in `role` unless it exists. The JSEP layer does this when the
    /// first description is applied, before the remote parameters are known.
    pub fn create_ice_agent(&mut self, now: Instant, role: IceRole) {
        if self.ice.is_some() || self.ice_stopped {
            return;
        }
        let config = AgentConfig {
            role,
            local_credentials: Some(self.ice_creds.clone()),
            ..AgentConfig::default()
        };
        let mut seed = [0u8; 32];
        self.rng.fill_bytes(&mut seed);
        let mut agent = Agent::new(config, Box::new(SeededFork::new(seed)));
        for c in &self.local_candidates {
            agent.add_local_candidate(now, c.clone());
        }
        if self.local_gathering_done {
            agent.end_of_local_candidates(now);
        }
        self.ice = Some(agent);
    }

    /// Gives the agent the remote credentials (a change is a remote ICE restart).
    pub fn set_remote_ice_parameters(&mut self, now: Instant, remote: &IceParameters) {
        self.last_now = Some(now);
        let Some(agent) = self.ice.as_mut() else {
            return;
        };
        agent.set_remote_credentials(now, &remote.ufrag, &remote.pwd);
        agent.set_remote_ice_lite(now, remote.ice_lite);
        self.process(now);
    }

    /// ORTC `RTCIceTransport.start(gatherer, remoteParameters, role)`: creates the agent in
    /// `role` and starts checks against the remote candidates as they are added.
    pub fn start_ice(
        &mut self,
        now: Instant,
        role: IceRole,
        remote: &IceParameters,
    ) -> Result<(), Error> {
        if self.ice_stopped {
            return Err(Error::InvalidState("the ICE transport is stopped".into()));
        }
        if let Some(agent) = &self.ice
            && agent.role() != role
        {
            return Err(Error::InvalidState(
                "the ICE transport was started with the other role".into(),
            ));
        }
        self.create_ice_agent(now, role);
        self.set_remote_ice_parameters(now, remote);
        Ok(())
    }

    /// Adds a candidate the async layer gathered (host socket, STUN or TURN result). Returns
    /// false if a candidate with that address was already there.
    pub fn add_local_candidate(&mut self, now: Instant, candidate: Candidate) -> bool {
        if self.ice_stopped
            || self
                .local_candidates
                .iter()
                .any(|c| c.addr == candidate.addr)
        {
            return false;
        }
        self.last_now = Some(now);
        if let Some(agent) = self.ice.as_mut() {
            agent.add_local_candidate(now, candidate.clone());
        }
        self.local_candidates.push(candidate);
        self.process(now);
        true
    }

    /// The async layer finished gathering.
    pub fn end_of_local_candidates(&mut self, now: Instant) {
        self.local_gathering_done = true;
        if let Some(agent) = self.ice.as_mut() {
            agent.end_of_local_candidates(now);
        }
        self.process(now);
    }

    /// The async layer gathers again (an ICE restart with other servers): gathering counts
    /// as unfinished until the next [`end_of_local_candidates`](Self::end_of_local_candidates).
    pub fn restart_local_gathering(&mut self) {
        self.local_gathering_done = false;
    }

    /// The local candidates added so far.
    pub fn local_candidates(&self) -> &[Candidate] {
        &self.local_candidates
    }

    /// Whether [`end_of_local_candidates`](Self::end_of_local_candidates) was called.
    pub fn local_gathering_done(&self) -> bool {
        self.local_gathering_done
    }

    /// ORTC `RTCIceTransport.addRemoteCandidate(candidate)`; ignored before the agent exists.
    pub fn add_remote_candidate(&mut self, now: Instant, candidate: Candidate) {
        self.last_now = Some(now);
        if let Some(agent) = self.ice.as_mut() {
            agent.add_remote_candidate(now, candidate);
        }
        self.process(now);
    }

    /// The remote side has no more candidates (`addRemoteCandidate(None)`).
    pub fn end_of_remote_candidates(&mut self, now: Instant) {
        self.last_now = Some(now);
        if let Some(agent) = self.ice.as_mut() {
            agent.end_of_remote_candidates(now);
        }
        self.process(now);
    }

    /// Counts a remote candidate the caller could not turn into an ICE candidate.
    pub fn count_unusable_candidate(&mut self) {
        self.drops.unusable_candidates += 1;
    }

    /// ORTC `RTCIceTransport.stop()`: stops SCTP and DTLS above it, then the agent; the
    /// state becomes `closed` and nothing more is sent or accepted.
    pub fn stop_ice(&mut self, now: Instant) {
        if self.ice_stopped {
            return;
        }
        self.stop_dtls(now);
        self.last_now = Some(now);
        if let Some(agent) = self.ice.as_mut() {
            agent.close(now);
            // The agent's own `closed` event is not drained any more: report it here.
            while agent.poll_event().is_some() {}
        }
        self.ice_stopped = true;
        self.set_ice_state(IceConnectionState::Closed);
    }

    /// The ICE transport's state (`RTCIceTransport.state`).
    pub fn ice_state(&self) -> IceConnectionState {
        self.ice_state
    }

    /// The agent's role, once it exists.
    pub fn ice_role(&self) -> Option<IceRole> {
        self.ice.as_ref().map(|a| a.role())
    }

    /// The ICE agent, once created (for stats and diagnostics).
    pub fn ice_agent(&self) -> Option<&Agent> {
        self.ice.as_ref()
    }

    /// The selected pair: (local base, remote address).
    pub fn selected_pair(&self) -> Option<(SocketAddr, SocketAddr)> {
        self.selected
    }

    /// How many times the selected pair changed.
    pub fn selected_pair_changes(&self) -> u32 {
        self.selected_changes
    }
}
