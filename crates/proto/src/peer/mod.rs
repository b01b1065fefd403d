//! The sans-IO peer connection: JSEP signaling over the ICE → DTLS → SCTP/SRTP chain, with data
//! channels and media transceivers.
//!
//! [`PeerConnection`] is what W3C `RTCPeerConnection` is without sockets and clocks: JSEP
//! (descriptions, candidates in SDP, negotiation) on top of a
//! [`TransportStack`], which runs the transports. The async
//! layer owns the sockets: it adds the local candidates it gathered, feeds every datagram to
//! [`PeerConnection::handle_receive`], sends what [`PeerConnection::poll_transmit`] returns and
//! calls [`PeerConnection::handle_timeout`] at [`PeerConnection::poll_timeout`]. After any call
//! that takes `now`, drain `poll_transmit` and `poll_event` before waiting again.

mod candidate;
mod config;
mod error;
mod event;
mod jsep;
mod media;
mod signaling;
mod stats;

use std::collections::VecDeque;
use std::time::Instant;

use rtcio_dtls::{Certificate, DtlsRole, DtlsTransport, DtlsTransportState, KeyType};
use rtcio_ice::{Agent, Credentials, IceRole, RandomSource};
use rtcio_sdp::{
    Direction, JsepDescription, MediaKind, Origin, Protocol, SdpType, SessionDescription, Setup,
};

use crate::media::{
    MediaDrops, MediaEvent, MediaSection, MediaSession, ReceivedRtcp, ReceivedRtp, RtpWrite,
    SenderSeed, SenderTrack, TrackKind, Transceiver, TransceiverId,
};
use crate::transport::{
    IceParameters, MediaPacket, OsRandom, SctpParameters, StackConfig, TransportEvent,
    TransportStack,
};

pub use crate::transport::{
    ChannelInfo, DataChannelInit, DataChannelState, DropStats, Message, SctpTransportState,
};
pub use config::{BundlePolicy, Config};
pub use error::Error;
pub use event::{
    ChannelId, Event, IceCandidateInit, IceConnectionState, IceGatheringState, PeerConnectionState,
    Receive, Transmit,
};
pub use jsep::{RemoteParams, Section};
pub use media::TransceiverInit;
pub use signaling::SignalingState;
pub use stats::{CandidateStats, Stats, StatsKind};

use jsep::{LocalTransport, build_description, read_remote};
use signaling::{Side, transition};

/// A sans-IO WebRTC peer connection (W3C `RTCPeerConnection` without I/O).
pub struct PeerConnection {
    config: Config,
    certificate: Certificate,
    local_fingerprints: Vec<rtcio_sdp::Fingerprint>,
    session_id: u64,
    session_version: u64,

    signaling: SignalingState,
    closed: bool,
    pending_local: Option<JsepDescription>,
    current_local: Option<JsepDescription>,
    pending_remote: Option<JsepDescription>,
    current_remote: Option<JsepDescription>,
    /// The m-sections negotiated so far, in order; later offers keep them (RFC 8829 §5.2.2).
    sections: Vec<Section>,

    /// New credentials to use from the next offer (`restartIce`).
    restart_creds: Option<Credentials>,
    /// The ICE state as last reported by the stack (what `connectionState` is derived from).
    ice_state: IceConnectionState,
    gathering: IceGatheringState,
    remote: Option<RemoteParams>,
    stack: TransportStack,
    /// Transceivers, their negotiation and the RTP/RTCP path above SRTP.
    media: MediaSession,
    /// The senders' packetizers for `send_frame`.
    packetizers: crate::media::SenderPacketizers,
    /// Frames handed to each sender, for the `media-source` statistics.
    track_sources: crate::media::TrackSources,
    /// Mids `createOffer` gave to transceivers without one; taken when that offer is applied.
    pending_mids: Vec<(TransceiverId, String)>,
    pc_state: PeerConnectionState,
    negotiation_needed: bool,
    events: VecDeque<Event>,
    /// The congestion-control target last reported in [`Event::TargetBitrateChanged`].
    target_bitrate: Option<u64>,
}

impl std::fmt::Debug for PeerConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PeerConnection")
            .field("signaling", &self.signaling)
            .field("ice", &self.ice_state)
            .field("state", &self.pc_state)
            .finish_non_exhaustive()
    }
}

impl PeerConnection {
    /// A new peer connection. Generates an ECDSA P-256 certificate unless `config` has one
    /// (generation takes about a millisecond; pass a certificate to reuse it across
    /// connections).
    pub fn new(config: Config) -> Result<PeerConnection, Error> {
        Self::with_random(config, Box::new(OsRandom))
    }

    /// Like [`new`](Self::new) with an injected random source, for deterministic simulations.
    pub fn with_random(
        config: Config,
        rng: Box<dyn RandomSource + Send>,
    ) -> Result<PeerConnection, Error> {
        let certificate = match &config.certificate {
            Some(c) => c.clone(),
            None => Certificate::generate(KeyType::EcdsaP256)
                .map_err(|e| Error::Operation(format!("certificate generation failed: {e}")))?,
        };
        let local_fingerprints = vec![sdp_fingerprint(&certificate.fingerprint())];
        let stack_config = StackConfig {
            max_message_size: config.max_message_size,
            mtu: config.mtu,
            dtls_initial_retransmit_timeout: config.dtls_initial_retransmit_timeout,
        };
        let mut stack = TransportStack::with_random(stack_config, rng);
        // RFC 8866 §5.2: the session id should be an NTP-like number; any 62-bit value is fine.
        let session_id = stack.rng().next_u64() >> 2;
        // RFC 7022: a random CNAME per connection (short-term persistent identifier).
        let cname = format!("{:016x}", stack.rng().next_u64());
        Ok(PeerConnection {
            config,
            certificate,
            local_fingerprints,
            session_id,
            session_version: 1,
            signaling: SignalingState::Stable,
            closed: false,
            pending_local: None,
            current_local: None,
            pending_remote: None,
            current_remote: None,
            sections: Vec::new(),
            restart_creds: None,
            ice_state: IceConnectionState::New,
            gathering: IceGatheringState::New,
            remote: None,
            stack,
            media: MediaSession::new(cname),
            packetizers: Default::default(),
            track_sources: Default::default(),
            pending_mids: Vec::new(),
            pc_state: PeerConnectionState::New,
            negotiation_needed: false,
            events: VecDeque::new(),
            target_bitrate: None,
        })
    }

    // ---- getters -------------------------------------------------------------------------

    /// The DTLS certificate in use.
    pub fn certificate(&self) -> &Certificate {
        &self.certificate
    }

    /// W3C `signalingState`.
    pub fn signaling_state(&self) -> SignalingState {
        self.signaling
    }

    /// W3C `iceGatheringState`.
    pub fn ice_gathering_state(&self) -> IceGatheringState {
        self.gathering
    }

    /// W3C `iceConnectionState`.
    pub fn ice_connection_state(&self) -> IceConnectionState {
        self.ice_state
    }

    /// W3C `connectionState`.
    pub fn connection_state(&self) -> PeerConnectionState {
        self.pc_state
    }

    /// W3C `localDescription`: the pending one if any, else the current one — with the
    /// candidates gathered so far (what non-trickle signaling sends).
    pub fn local_description(&self) -> Option<JsepDescription> {
        self.pending_local
            .as_ref()
            .or(self.current_local.as_ref())
            .map(|d| self.with_candidates(d))
    }

    /// W3C `currentLocalDescription`.
    pub fn current_local_description(&self) -> Option<JsepDescription> {
        self.current_local.as_ref().map(|d| self.with_candidates(d))
    }

    /// W3C `pendingLocalDescription`.
    pub fn pending_local_description(&self) -> Option<JsepDescription> {
        self.pending_local.as_ref().map(|d| self.with_candidates(d))
    }

    /// W3C `remoteDescription`.
    pub fn remote_description(&self) -> Option<&JsepDescription> {
        self.pending_remote
            .as_ref()
            .or(self.current_remote.as_ref())
    }

    /// W3C `currentRemoteDescription`.
    pub fn current_remote_description(&self) -> Option<&JsepDescription> {
        self.current_remote.as_ref()
    }

    /// W3C `pendingRemoteDescription`.
    pub fn pending_remote_description(&self) -> Option<&JsepDescription> {
        self.pending_remote.as_ref()
    }

    /// The ICE agent, once a description was applied (for stats and diagnostics).
    pub fn ice_agent(&self) -> Option<&Agent> {
        self.stack.ice_agent()
    }

    /// The DTLS transport, once negotiated.
    pub fn dtls_transport(&self) -> Option<&DtlsTransport> {
        self.stack.dtls_transport()
    }

    /// The transport stack under the descriptions (ICE, DTLS and SCTP state).
    pub fn transport(&self) -> &TransportStack {
        &self.stack
    }

    /// Input dropped and counted.
    pub fn drop_stats(&self) -> DropStats {
        self.stack.drop_stats()
    }

    /// The local candidates added so far.
    pub fn local_candidates(&self) -> &[rtcio_ice::Candidate] {
        self.stack.local_candidates()
    }

    /// The largest message the peer accepts (`RTCSctpTransport.maxMessageSize`), once known.
    pub fn sctp_max_message_size(&self) -> Option<u64> {
        self.stack.sctp_max_message_size()
    }

    /// `RTCSctpTransport.state`.
    pub fn sctp_state(&self) -> SctpTransportState {
        self.stack.sctp_state()
    }

    // ---- JSEP ----------------------------------------------------------------------------

    /// W3C `createOffer`.
    pub fn create_offer(&mut self) -> Result<JsepDescription, Error> {
        self.check_open()?;
        let mut sections: Vec<Section> = self
            .sections
            .iter()
            .map(|s| self.refresh_media_section(s))
            .collect();
        if self.stack.has_data_channels()
            && !sections
                .iter()
                .any(|s| matches!(s, Section::Application { .. }))
        {
            let mid = unused_mid(&sections);
            sections.push(Section::Application {
                mid,
                sctp_port: jsep::DEFAULT_SCTP_PORT,
                max_message_size: self.config.max_message_size,
            });
        }
        // New transceivers take an m-section both sides rejected (recycling, RFC 8829 §5.2.2,
        // with a new mid), else a new one at the end; their mids are kept for when this offer
        // is applied.
        self.pending_mids.clear();
        for id in self.media.unassociated() {
            let mid = unused_mid(&sections);
            let Some(ms) = self.media.offer_section(id, &mid) else {
                continue;
            };
            match self.recyclable_section(&sections) {
                Some(i) => sections[i] = Section::Media(ms),
                None => sections.push(Section::Media(ms)),
            }
            self.pending_mids.push((id, mid));
        }
        let creds = self
            .restart_creds
            .clone()
            .unwrap_or_else(|| self.stack.local_ice_credentials().clone());
        let sdp = self.build(&creds, Setup::Actpass, &sections);
        Ok(JsepDescription {
            sdp_type: SdpType::Offer,
            sdp,
        })
    }

    /// W3C `createAnswer`.
    pub fn create_answer(&mut self) -> Result<JsepDescription, Error> {
        self.check_open()?;
        if !matches!(
            self.signaling,
            SignalingState::HaveRemoteOffer | SignalingState::HaveLocalPranswer
        ) {
            return Err(Error::InvalidState(format!(
                "createAnswer needs a remote offer; signaling state is {}",
                self.signaling
            )));
        }
        let offer = self
            .pending_remote
            .as_ref()
            .ok_or_else(|| Error::InvalidState("no remote offer".into()))?;
        let remote = read_remote(&offer.sdp, SdpType::Offer)?;
        let mut sections = answer_sections(&remote, self.config.max_message_size);
        for (i, m) in offer.sdp.media.iter().enumerate() {
            let Some(t) = m.mid().and_then(|mid| self.media.by_mid(mid)) else {
                continue;
            };
            if m.port == 0 && !m.bundle_only() {
                continue;
            }
            if let Some(ms) = self.media.answer_section(t.id(), m) {
                sections[i] = Section::Media(ms);
            }
        }
        // RFC 5763 §5: the answerer picks; taking the client role (active) is what browsers do
        // and saves the offerer a round trip when it is passive.
        let setup = match remote.setup {
            Setup::Active => Setup::Passive,
            _ => Setup::Active,
        };
        let creds = self
            .restart_creds
            .clone()
            .unwrap_or_else(|| self.stack.local_ice_credentials().clone());
        let sdp = self.build(&creds, setup, &sections);
        Ok(JsepDescription {
            sdp_type: SdpType::Answer,
            sdp,
        })
    }

    fn build(&self, creds: &Credentials, setup: Setup, sections: &[Section]) -> SessionDescription {
        let candidates: Vec<rtcio_sdp::Candidate> = if self.gathering == IceGatheringState::New {
            Vec::new()
        } else {
            self.stack
                .local_candidates()
                .iter()
                .map(candidate::to_sdp)
                .collect()
        };
        let transport = LocalTransport {
            ufrag: &creds.ufrag,
            pwd: &creds.pwd,
            fingerprints: &self.local_fingerprints,
            setup,
            candidates: &candidates,
            end_of_candidates: self.gathering == IceGatheringState::Complete,
        };
        let mut origin = Origin::new(self.session_id, self.session_version);
        origin.unicast_address = "127.0.0.1".into();
        build_description(origin, &transport, sections)
    }

    fn with_candidates(&self, desc: &JsepDescription) -> JsepDescription {
        let mut desc = desc.clone();
        if self.gathering == IceGatheringState::New {
            return desc;
        }
        let candidates: Vec<rtcio_sdp::Candidate> = self
            .stack
            .local_candidates()
            .iter()
            .map(candidate::to_sdp)
            .collect();
        let complete = self.gathering == IceGatheringState::Complete;
        for m in desc.sdp.media.iter_mut().filter(|m| m.port != 0) {
            m.attributes.retain(|a| {
                !matches!(
                    a,
                    rtcio_sdp::Attribute::Candidate(_) | rtcio_sdp::Attribute::EndOfCandidates
                )
            });
            let at = m
                .attributes
                .iter()
                .position(|a| matches!(a, rtcio_sdp::Attribute::IceUfrag(_)))
                .unwrap_or(0);
            let mut lines: Vec<rtcio_sdp::Attribute> = candidates
                .iter()
                .cloned()
                .map(rtcio_sdp::Attribute::from)
                .collect();
            if complete {
                lines.push(rtcio_sdp::Attribute::EndOfCandidates);
            }
            m.attributes.splice(at..at, lines);
            if let Some(default) = self
                .stack
                .local_candidates()
                .iter()
                .max_by_key(|c| c.priority)
            {
                m.port = default.addr.port();
                m.connection = Some(rtcio_sdp::Connection::new(default.addr.ip()));
            }
        }
        desc
    }

    /// The index of an audio/video m-section rejected in the current local and remote
    /// descriptions whose mid no live transceiver holds: a new transceiver may reuse it.
    fn recyclable_section(&self, sections: &[Section]) -> Option<usize> {
        let remote = self.current_remote.as_ref()?;
        sections.iter().enumerate().position(|(i, s)| {
            let Section::Rejected { mid, kind, .. } = s else {
                return false;
            };
            let live = mid
                .as_deref()
                .and_then(|m| self.media.by_mid(m))
                .is_some_and(|t| !t.stopped());
            matches!(kind, MediaKind::Audio | MediaKind::Video)
                && !live
                && remote
                    .sdp
                    .media
                    .get(i)
                    .is_some_and(|m| m.port == 0 && !m.bundle_only())
        })
    }

    /// A media section of an earlier exchange as the next offer writes it: the transceiver's
    /// current wishes, or rejected once it is stopped.
    fn refresh_media_section(&self, s: &Section) -> Section {
        let Section::Media(ms) = s else {
            return s.clone();
        };
        match self.media.by_mid(&ms.mid) {
            Some(t) if !t.stopped() => self
                .media
                .offer_section(t.id(), &ms.mid)
                .map_or_else(|| s.clone(), Section::Media),
            _ => Section::Rejected {
                mid: Some(ms.mid.clone()),
                kind: ms.kind.media_kind(),
                protocol: Protocol::UdpTlsRtpSavpf,
                formats: ms
                    .codecs
                    .iter()
                    .map(|c| c.payload_type.to_string())
                    .collect(),
            },
        }
    }

    /// W3C `setLocalDescription`; `None` creates the offer or answer the state calls for
    /// (the implicit form).
    pub fn set_local_description(
        &mut self,
        now: Instant,
        desc: Option<JsepDescription>,
    ) -> Result<(), Error> {
        self.check_open()?;
        let desc = match desc {
            Some(d) => d,
            None => match self.signaling {
                SignalingState::Stable | SignalingState::HaveLocalOffer => self.create_offer()?,
                _ => self.create_answer()?,
            },
        };
        let next = transition(self.signaling, Side::Local, desc.sdp_type)?;
        match desc.sdp_type {
            SdpType::Rollback => {
                self.pending_local = None;
                self.restart_creds_rollback();
            }
            SdpType::Offer => {
                let sections = local_sections(&desc.sdp, self.config.max_message_size)?;
                self.commit_restart_creds(now);
                self.stack.create_ice_agent(now, IceRole::Controlling);
                for (id, mid) in std::mem::take(&mut self.pending_mids) {
                    if desc.sdp.media_by_mid(&mid).is_some() {
                        self.media.set_mid(id, mid);
                    }
                }
                self.pending_local = Some(desc);
                self.sections = sections;
            }
            SdpType::Answer | SdpType::Pranswer => {
                let remote = self
                    .remote
                    .clone()
                    .ok_or_else(|| Error::InvalidState("no remote offer applied".into()))?;
                let setup = local_setup(&desc.sdp)?;
                let role = match setup {
                    Setup::Active => DtlsRole::Client,
                    Setup::Passive => DtlsRole::Server,
                    s => {
                        return Err(Error::InvalidAccess(format!(
                            "a=setup:{} is not allowed in an answer",
                            s.as_str()
                        )));
                    }
                };
                let sections = local_sections(&desc.sdp, self.config.max_message_size)?;
                self.commit_restart_creds(now);
                self.stack.create_ice_agent(now, IceRole::Controlled);
                self.sections = sections;
                self.start_dtls(now, role, &remote);
                if desc.sdp_type == SdpType::Answer {
                    self.current_local = Some(desc);
                    self.pending_local = None;
                    if let Some(r) = self.pending_remote.take() {
                        self.current_remote = Some(r);
                    }
                    self.apply_media_negotiation(false);
                } else {
                    self.pending_local = Some(desc);
                }
            }
        }
        self.set_signaling(next);
        // Gathering starts with the first local description (W3C), not at a rollback.
        if self.gathering == IceGatheringState::New
            && (self.pending_local.is_some() || self.current_local.is_some())
        {
            self.start_gathering(now);
        }
        self.pump_stack();
        Ok(())
    }

    /// W3C `setRemoteDescription`. A description that is malformed or inconsistent is
    /// rejected with nothing changed.
    pub fn set_remote_description(
        &mut self,
        now: Instant,
        desc: JsepDescription,
    ) -> Result<(), Error> {
        self.check_open()?;
        let next = transition(self.signaling, Side::Remote, desc.sdp_type)?;
        if desc.sdp_type == SdpType::Rollback {
            self.pending_remote = None;
            self.set_signaling(next);
            return Ok(());
        }
        let params = read_remote(&desc.sdp, desc.sdp_type)?;
        if matches!(desc.sdp_type, SdpType::Answer | SdpType::Pranswer) {
            check_answer_matches(&self.sections, &params)?;
        }

        // Everything is validated: apply.
        let role = if desc.sdp_type == SdpType::Offer {
            IceRole::Controlled
        } else {
            IceRole::Controlling
        };
        let remote_restart = self
            .remote
            .as_ref()
            .is_some_and(|r| r.ufrag != params.ufrag || r.pwd != params.pwd);
        if remote_restart && desc.sdp_type == SdpType::Offer && self.restart_creds.is_none() {
            // RFC 8445 §9: answering a restart needs new local credentials too.
            self.restart_creds = Some(self.stack.new_ice_credentials());
        }
        self.stack.create_ice_agent(now, role);
        self.apply_remote_ice(now, &params);
        match desc.sdp_type {
            SdpType::Offer => {
                let stack = &mut self.stack;
                self.media
                    .apply_remote_offer(&desc.sdp, || sender_seed(stack));
                self.pending_remote = Some(desc);
                // W3C: the `track` events of the offer's sending sections fire now.
                self.media_events();
            }
            _ => {
                let dtls_role = match params.setup {
                    Setup::Active => DtlsRole::Server,
                    _ => DtlsRole::Client,
                };
                self.start_dtls(now, dtls_role, &params);
                if desc.sdp_type == SdpType::Answer {
                    self.current_remote = Some(desc);
                    self.pending_remote = None;
                    if let Some(l) = self.pending_local.take() {
                        self.current_local = Some(l);
                    }
                    self.apply_media_negotiation(true);
                } else {
                    self.pending_remote = Some(desc);
                }
            }
        }
        if let Some(app) = &params.application {
            // Only fails once stopped, which only `close` does.
            let _ = self.stack.start_sctp(
                now,
                SctpParameters {
                    local_port: jsep::DEFAULT_SCTP_PORT,
                    remote_port: app.sctp_port,
                    remote_max_message_size: app.max_message_size,
                },
            );
        }
        self.remote = Some(params);
        self.set_signaling(next);
        self.pump_stack();
        Ok(())
    }

    fn apply_remote_ice(&mut self, now: Instant, params: &RemoteParams) {
        self.stack.set_remote_ice_parameters(
            now,
            &IceParameters {
                ufrag: params.ufrag.clone(),
                pwd: params.pwd.clone(),
                ice_lite: params.ice_lite,
            },
        );
        for c in &params.candidates {
            match candidate::from_sdp(c) {
                Ok(c) => self.stack.add_remote_candidate(now, c),
                Err(_) => self.stack.count_unusable_candidate(),
            }
        }
        if params.end_of_candidates {
            self.stack.end_of_remote_candidates(now);
        }
    }

    /// W3C `addIceCandidate`; `None` or an empty candidate string means end-of-candidates.
    pub fn add_ice_candidate(
        &mut self,
        now: Instant,
        candidate: Option<IceCandidateInit>,
    ) -> Result<(), Error> {
        self.check_open()?;
        if self.remote_description().is_none() {
            return Err(Error::InvalidState(
                "addIceCandidate needs a remote description".into(),
            ));
        }
        let text = candidate
            .as_ref()
            .map(|c| c.candidate.trim())
            .filter(|c| !c.is_empty());
        let Some(text) = text else {
            self.stack.end_of_remote_candidates(now);
            self.pump_stack();
            return Ok(());
        };
        if let Some(init) = &candidate {
            self.check_candidate_target(init)?;
        }
        let text = text.strip_prefix("a=").unwrap_or(text);
        let parsed: rtcio_sdp::Candidate = text
            .parse()
            .map_err(|e| Error::Syntax(format!("candidate '{text}': {e}")))?;
        match candidate::from_sdp(&parsed) {
            Ok(c) => self.stack.add_remote_candidate(now, c),
            Err(_) => self.stack.count_unusable_candidate(),
        }
        self.pump_stack();
        Ok(())
    }

    fn check_candidate_target(&self, init: &IceCandidateInit) -> Result<(), Error> {
        let Some(remote) = self.remote.as_ref() else {
            return Ok(());
        };
        if let Some(mid) = &init.sdp_mid
            && !remote
                .sections
                .iter()
                .any(|s| s.mid.as_deref() == Some(mid))
        {
            return Err(Error::Operation(format!("no m-section with mid '{mid}'")));
        }
        if init.sdp_mid.is_none()
            && let Some(i) = init.sdp_mline_index
            && usize::from(i) >= remote.sections.len()
        {
            return Err(Error::Operation(format!("no m-section with index {i}")));
        }
        if let Some(ufrag) = &init.username_fragment
            && *ufrag != remote.ufrag
        {
            return Err(Error::Operation(format!(
                "candidate for ufrag '{ufrag}' does not match the remote description"
            )));
        }
        Ok(())
    }

    /// The async layer gathers again with the next restart (changed ICE servers): the
    /// restart's gathering stays `gathering` until the next `end_of_local_candidates`.
    pub fn restart_local_gathering(&mut self) {
        self.stack.restart_local_gathering();
    }

    /// W3C `restartIce`: the next offer carries new credentials.
    pub fn restart_ice(&mut self) {
        if self.closed {
            return;
        }
        if self.restart_creds.is_none() {
            self.restart_creds = Some(self.stack.new_ice_credentials());
        }
        self.need_negotiation();
    }

    fn commit_restart_creds(&mut self, now: Instant) {
        if let Some(creds) = self.restart_creds.take() {
            self.stack.set_local_ice_credentials(now, creds);
            // A restart gathers again (RFC 8445 §9: candidates may be reused).
            if self.gathering == IceGatheringState::Complete {
                self.start_gathering(now);
            }
        }
    }

    fn restart_creds_rollback(&mut self) {
        // The credentials of a rolled-back offer are kept for the next one, as browsers do.
    }

    // ---- local candidates ----------------------------------------------------------------

    /// Adds a candidate the async layer gathered (host socket, STUN or TURN result).
    pub fn add_local_candidate(&mut self, now: Instant, candidate: rtcio_ice::Candidate) {
        if self.closed || !self.stack.add_local_candidate(now, candidate.clone()) {
            return;
        }
        if self.gathering == IceGatheringState::Gathering {
            self.emit_candidate(&candidate);
        }
        self.pump_stack();
    }

    /// The async layer finished gathering.
    pub fn end_of_local_candidates(&mut self, now: Instant) {
        self.stack.end_of_local_candidates(now);
        if self.gathering == IceGatheringState::Gathering {
            self.complete_gathering();
        }
        self.pump_stack();
    }

    fn start_gathering(&mut self, _now: Instant) {
        self.gathering = IceGatheringState::Gathering;
        self.events
            .push_back(Event::IceGatheringStateChange(IceGatheringState::Gathering));
        for c in self.stack.local_candidates().to_vec() {
            self.emit_candidate(&c);
        }
        if self.stack.local_gathering_done() {
            self.complete_gathering();
        }
    }

    fn complete_gathering(&mut self) {
        self.gathering = IceGatheringState::Complete;
        self.events.push_back(Event::IceCandidate(None));
        self.events
            .push_back(Event::IceGatheringStateChange(IceGatheringState::Complete));
    }

    fn emit_candidate(&mut self, c: &rtcio_ice::Candidate) {
        let (mid, index) = self
            .sections
            .iter()
            .enumerate()
            .find(|(_, s)| !matches!(s, Section::Rejected { .. }))
            .map(|(i, s)| (section_mid(s).map(str::to_string), Some(i as u16)))
            .unwrap_or((None, Some(0)));
        self.events
            .push_back(Event::IceCandidate(Some(IceCandidateInit {
                candidate: candidate::to_sdp(c).to_string(),
                sdp_mid: mid,
                sdp_mline_index: index,
                username_fragment: Some(self.stack.local_ice_credentials().ufrag.clone()),
            })));
    }

    // ---- transports ----------------------------------------------------------------------

    fn start_dtls(&mut self, now: Instant, role: DtlsRole, remote: &RemoteParams) {
        let fingerprints: Vec<rtcio_dtls::Fingerprint> = remote
            .fingerprints
            .iter()
            .filter_map(dtls_fingerprint)
            .collect();
        if self
            .stack
            .start_dtls(now, role, &self.certificate, fingerprints)
            .is_err()
        {
            self.set_pc_state(PeerConnectionState::Failed);
        }
    }

    // ---- data channels -------------------------------------------------------------------

    /// W3C `createDataChannel`. The first channel makes the next offer carry a data section
    /// (`negotiationneeded` fires when that needs a new exchange).
    pub fn create_data_channel(
        &mut self,
        now: Instant,
        label: &str,
        init: DataChannelInit,
    ) -> Result<ChannelId, Error> {
        self.check_open()?;
        let had_data = self
            .sections
            .iter()
            .any(|s| matches!(s, Section::Application { .. }));
        let id = self.stack.create_data_channel(now, label, init)?;
        if !had_data {
            self.need_negotiation();
        }
        self.pump_stack();
        Ok(id)
    }

    /// Sends a message on a channel: text (`binary == false`, UTF-8) or binary.
    pub fn channel_send(
        &mut self,
        now: Instant,
        id: ChannelId,
        data: &[u8],
        binary: bool,
    ) -> Result<(), Error> {
        self.stack.channel_send(now, id, data, binary)
    }

    /// The next received message of a channel, if any.
    pub fn channel_recv(&mut self, id: ChannelId) -> Option<Message> {
        let m = self.stack.channel_recv(id);
        self.pump_stack();
        m
    }

    /// Starts closing a channel (`RTCDataChannel.close()`).
    pub fn channel_close(&mut self, now: Instant, id: ChannelId) {
        self.stack.channel_close(now, id);
        self.pump_stack();
    }

    /// Sets a channel's `bufferedAmountLowThreshold`.
    pub fn set_buffered_amount_low_threshold(&mut self, id: ChannelId, threshold: u64) {
        self.stack.set_buffered_amount_low_threshold(id, threshold);
    }

    /// A channel's attributes and state.
    pub fn channel_info(&self, id: ChannelId) -> Option<ChannelInfo> {
        self.stack.channel_info(id)
    }

    /// Every channel, open or not.
    pub fn channels(&self) -> Vec<ChannelId> {
        self.stack.channels()
    }

    // ---- statistics ----------------------------------------------------------------------

    /// W3C `getStats()`: peer-connection, transport, candidate-pair, local-candidate,
    /// remote-candidate, certificate and data-channel objects.
    pub fn stats(&self) -> Vec<Stats> {
        use stats::{TRANSPORT_ID, base64, candidate_id, candidate_stats, pair_state_name};
        let (opened, closed) = self.stack.channels_opened_closed();
        let mut out = vec![Stats {
            id: "P".into(),
            kind: StatsKind::PeerConnection {
                data_channels_opened: opened,
                data_channels_closed: closed,
            },
        }];
        let local_fp = self.certificate.fingerprint();
        let local_cert_id = format!("CF{}", local_fp.to_string().split(' ').nth(1).unwrap_or(""));
        out.push(Stats {
            id: local_cert_id.clone(),
            kind: StatsKind::Certificate {
                fingerprint: local_fp
                    .to_string()
                    .split(' ')
                    .nth(1)
                    .unwrap_or("")
                    .to_string(),
                fingerprint_algorithm: local_fp.algorithm.name().to_string(),
                base64_certificate: base64(self.certificate.der()),
            },
        });
        let mut remote_cert_id = None;
        if let Some(der) = self
            .stack
            .dtls_transport()
            .and_then(|d| d.remote_certificate())
        {
            let fp = rtcio_dtls::Fingerprint::of_der(rtcio_dtls::HashAlgorithm::Sha256, der);
            let hex = fp.to_string().split(' ').nth(1).unwrap_or("").to_string();
            let id = format!("CF{hex}");
            remote_cert_id = Some(id.clone());
            out.push(Stats {
                id,
                kind: StatsKind::Certificate {
                    fingerprint: hex,
                    fingerprint_algorithm: fp.algorithm.name().to_string(),
                    base64_certificate: base64(der),
                },
            });
        }
        let mut selected_id = None;
        let (mut packets_sent, mut packets_received, mut bytes_sent, mut bytes_received) =
            (0, 0, 0, 0);
        if let Some(agent) = self.stack.ice_agent() {
            let selected = agent.selected_pair().map(|p| p.id);
            for c in agent.local_candidates() {
                out.push(Stats {
                    id: candidate_id("L", c),
                    kind: StatsKind::LocalCandidate(candidate_stats(c)),
                });
            }
            for c in agent.remote_candidates() {
                out.push(Stats {
                    id: candidate_id("R", c),
                    kind: StatsKind::RemoteCandidate(candidate_stats(c)),
                });
            }
            for p in agent.pairs() {
                let id = format!("CP{}_{}", p.local.addr, p.remote.addr);
                if Some(p.id) == selected {
                    selected_id = Some(id.clone());
                }
                let st = p.stats;
                packets_sent += st.packets_sent;
                packets_received += st.packets_received;
                bytes_sent += st.bytes_sent;
                bytes_received += st.bytes_received;
                out.push(Stats {
                    id,
                    kind: StatsKind::CandidatePair {
                        transport_id: TRANSPORT_ID.into(),
                        local_candidate_id: candidate_id("L", p.local),
                        remote_candidate_id: candidate_id("R", p.remote),
                        state: pair_state_name(st.state),
                        nominated: st.nominated,
                        packets_sent: st.packets_sent,
                        packets_received: st.packets_received,
                        bytes_sent: st.bytes_sent,
                        bytes_received: st.bytes_received,
                        requests_sent: st.requests_sent,
                        requests_received: st.requests_received,
                        responses_sent: st.responses_sent,
                        responses_received: st.responses_received,
                        consent_requests_sent: st.consent_requests_sent,
                        current_round_trip_time: st
                            .current_round_trip_time
                            .map(|d| d.as_secs_f64()),
                        total_round_trip_time: st.total_round_trip_time.as_secs_f64(),
                        available_outgoing_bitrate: self
                            .stack
                            .target_bitrate()
                            .filter(|_| st.nominated),
                    },
                });
            }
        }
        let dtls_state = self
            .stack
            .dtls_transport()
            .map_or("new", |d| match d.state() {
                DtlsTransportState::New => "new",
                DtlsTransportState::Connecting => "connecting",
                DtlsTransportState::Connected => "connected",
                DtlsTransportState::Closed => "closed",
                DtlsTransportState::Failed => "failed",
            });
        out.push(Stats {
            id: TRANSPORT_ID.into(),
            kind: StatsKind::Transport {
                packets_sent,
                packets_received,
                bytes_sent,
                bytes_received,
                ice_role: match self.stack.ice_role() {
                    Some(IceRole::Controlling) => "controlling",
                    Some(IceRole::Controlled) => "controlled",
                    None => "unknown",
                },
                ice_local_username_fragment: self.stack.local_ice_credentials().ufrag.clone(),
                ice_state: self.ice_state.as_str(),
                dtls_state,
                dtls_role: match self.stack.dtls_role() {
                    Some(DtlsRole::Client) => "client",
                    Some(DtlsRole::Server) => "server",
                    None => "unknown",
                },
                selected_candidate_pair_id: selected_id,
                local_certificate_id: local_cert_id,
                remote_certificate_id: remote_cert_id,
                selected_candidate_pair_changes: self.stack.selected_pair_changes(),
            },
        });
        for (id, info, counters) in self.stack.channel_counters() {
            out.push(Stats {
                id: format!("D{}", id.raw()),
                kind: StatsKind::DataChannel {
                    label: info.label,
                    protocol: info.protocol,
                    data_channel_identifier: info.id,
                    state: info.ready_state.as_str(),
                    messages_sent: counters.messages_sent,
                    bytes_sent: counters.bytes_sent,
                    messages_received: counters.messages_received,
                    bytes_received: counters.bytes_received,
                },
            });
        }
        self.media_stats(&mut out);
        out
    }

    // ---- lifecycle -----------------------------------------------------------------------

    /// W3C `close`: stops every transport and releases their state.
    pub fn close(&mut self, now: Instant) {
        if self.closed {
            return;
        }
        self.stack.close(now);
        self.media.close();
        // No events after close (W3C): what stopping the layers reported is dropped.
        while self.stack.poll_event().is_some() {}
        self.closed = true;
        self.ice_state = IceConnectionState::Closed;
        self.set_signaling(SignalingState::Closed);
        self.set_pc_state(PeerConnectionState::Closed);
    }

    fn check_open(&self) -> Result<(), Error> {
        if self.closed {
            Err(Error::InvalidState("the peer connection is closed".into()))
        } else {
            Ok(())
        }
    }

    fn need_negotiation(&mut self) {
        if !self.negotiation_needed {
            self.negotiation_needed = true;
            if self.signaling == SignalingState::Stable {
                self.events.push_back(Event::NegotiationNeeded);
            }
        }
    }

    fn set_signaling(&mut self, next: SignalingState) {
        if next != self.signaling {
            self.signaling = next;
            self.events.push_back(Event::SignalingStateChange(next));
            if next == SignalingState::Stable {
                self.session_version += 1;
                self.negotiation_needed = false;
                // A channel created during the exchange still needs its section.
                if self.stack.has_data_channels()
                    && !self
                        .sections
                        .iter()
                        .any(|s| matches!(s, Section::Application { .. }))
                {
                    self.need_negotiation();
                }
                // A transceiver changed during the exchange still needs its own.
                let local = self.current_local.as_ref().map(|d| &d.sdp);
                if self.media.negotiation_needed(local) {
                    self.need_negotiation();
                }
            }
        }
    }

    fn set_pc_state(&mut self, state: PeerConnectionState) {
        if state != self.pc_state && self.pc_state != PeerConnectionState::Closed {
            self.pc_state = state;
            self.events.push_back(Event::ConnectionStateChange(state));
        }
    }

    fn update_pc_state(&mut self) {
        if self.closed {
            return;
        }
        let dtls = self.stack.dtls_state();
        use IceConnectionState as I;
        let state = match (self.ice_state, dtls) {
            (I::Failed, _) | (_, Some(DtlsTransportState::Failed)) => PeerConnectionState::Failed,
            (I::Disconnected, _) => PeerConnectionState::Disconnected,
            (I::Connected | I::Completed, Some(DtlsTransportState::Connected)) => {
                PeerConnectionState::Connected
            }
            (I::New, None | Some(DtlsTransportState::New)) => PeerConnectionState::New,
            (_, Some(DtlsTransportState::Closed)) => PeerConnectionState::Closed,
            _ => PeerConnectionState::Connecting,
        };
        self.set_pc_state(state);
    }

    // ---- I/O -----------------------------------------------------------------------------

    /// Feeds a datagram that arrived on one of the local sockets.
    pub fn handle_receive(&mut self, now: Instant, recv: Receive<'_>) {
        if self.closed {
            return;
        }
        self.media.advance(now);
        self.stack.handle_receive(now, recv);
        self.pump_stack();
    }

    /// Drives every timer that is due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.closed {
            return;
        }
        self.media.advance(now);
        self.stack.handle_timeout(now);
        self.media_timeout(now);
        self.pump_stack();
    }

    /// When [`handle_timeout`](Self::handle_timeout) is due next.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.closed {
            return None;
        }
        [self.stack.poll_timeout(), self.media_poll_timeout()]
            .into_iter()
            .flatten()
            .min()
    }

    /// The next datagram to send (see [`TransportStack::poll_transmit`]).
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.stack.poll_transmit()
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<Event> {
        // Sending can report `bufferedamountlow` from inside the stack.
        self.pump_stack();
        self.events.pop_front()
    }

    /// Turns the stack's events into W3C events, in order.
    fn pump_stack(&mut self) {
        if self.closed {
            while self.stack.poll_event().is_some() {}
            return;
        }
        self.pump_media();
        while let Some(e) = self.stack.poll_event() {
            let event = match e {
                TransportEvent::IceStateChange(state) => {
                    self.ice_state = state;
                    self.events
                        .push_back(Event::IceConnectionStateChange(state));
                    self.update_pc_state();
                    continue;
                }
                TransportEvent::DtlsStateChange(_) => {
                    self.update_pc_state();
                    continue;
                }
                TransportEvent::SelectedCandidatePairChange { .. }
                | TransportEvent::SctpStateChange(_) => continue,
                TransportEvent::DataChannel(id) => Event::DataChannel(id),
                TransportEvent::ChannelOpen(id) => Event::ChannelOpen(id),
                TransportEvent::ChannelMessage(id) => Event::ChannelMessage(id),
                TransportEvent::ChannelBufferedAmountLow(id) => Event::ChannelBufferedAmountLow(id),
                TransportEvent::ChannelClosing(id) => Event::ChannelClosing(id),
                TransportEvent::ChannelError(id, why) => Event::ChannelError(id, why),
                TransportEvent::ChannelClose(id) => Event::ChannelClose(id),
            };
            self.events.push_back(event);
        }
    }
}

fn section_mid(s: &Section) -> Option<&str> {
    s.mid()
}

fn unused_mid(sections: &[Section]) -> String {
    let mut n = sections.len();
    loop {
        let mid = n.to_string();
        if !sections
            .iter()
            .any(|s| section_mid(s) == Some(mid.as_str()))
        {
            return mid;
        }
        n += 1;
    }
}

/// Random SSRCs and a random first sequence number (RFC 3550 §5.1, §8.1) for a new sender.
fn sender_seed(stack: &mut TransportStack) -> SenderSeed {
    let v = stack.rng().next_u64();
    let w = stack.rng().next_u64();
    SenderSeed {
        ssrc: (v >> 32) as u32,
        rtx_ssrc: v as u32,
        sequence: w as u16,
    }
}

/// The sections of a remote offer as our answer takes them: the first data section accepted,
/// everything else rejected until rtcio negotiates media.
fn answer_sections(remote: &RemoteParams, max_message_size: u64) -> Vec<Section> {
    let mut have_data = false;
    remote
        .sections
        .iter()
        .map(|s| {
            let is_data = s.kind == MediaKind::Application && s.protocol.is_sctp() && !s.rejected;
            match (&s.mid, is_data && !have_data) {
                (Some(mid), true) => {
                    have_data = true;
                    Section::Application {
                        mid: mid.clone(),
                        sctp_port: jsep::DEFAULT_SCTP_PORT,
                        max_message_size,
                    }
                }
                _ => Section::Rejected {
                    mid: s.mid.clone(),
                    kind: s.kind.clone(),
                    protocol: s.protocol.clone(),
                    formats: s.formats.clone(),
                },
            }
        })
        .collect()
}

/// The sections of a local description being applied (which may have been edited by the
/// application between create and set).
fn local_sections(sdp: &SessionDescription, max_message_size: u64) -> Result<Vec<Section>, Error> {
    sdp.media
        .iter()
        .map(|m| {
            if m.port != 0
                && let Some(ms) = MediaSection::read(m)
            {
                return Ok(Section::Media(ms));
            }
            if m.port == 0 || m.kind != MediaKind::Application || !m.protocol.is_sctp() {
                return Ok(Section::Rejected {
                    mid: m.mid().map(str::to_string),
                    kind: m.kind.clone(),
                    protocol: m.protocol.clone(),
                    formats: m.formats.clone(),
                });
            }
            let mid = m
                .mid()
                .ok_or_else(|| Error::InvalidAccess("local data section has no a=mid".into()))?;
            Ok(Section::Application {
                mid: mid.to_string(),
                sctp_port: m.sctp_port().unwrap_or(jsep::DEFAULT_SCTP_PORT),
                max_message_size: m.max_message_size().unwrap_or(max_message_size),
            })
        })
        .collect()
}

fn local_setup(sdp: &SessionDescription) -> Result<Setup, Error> {
    sdp.media
        .iter()
        .find(|m| m.port != 0)
        .and_then(|m| m.setup())
        .or(sdp.setup())
        .ok_or_else(|| Error::InvalidAccess("local description has no a=setup".into()))
}

/// RFC 8829 §5.10: an answer has the offer's m-sections, in order, with the same mids.
fn check_answer_matches(offered: &[Section], answer: &RemoteParams) -> Result<(), Error> {
    if offered.len() != answer.sections.len() {
        return Err(Error::InvalidAccess(format!(
            "answer has {} m-sections, the offer had {}",
            answer.sections.len(),
            offered.len()
        )));
    }
    for (i, (o, a)) in offered.iter().zip(&answer.sections).enumerate() {
        if section_mid(o) != a.mid.as_deref() {
            return Err(Error::InvalidAccess(format!(
                "m-section {i}: answer mid {:?} does not match offered mid {:?}",
                a.mid,
                section_mid(o)
            )));
        }
    }
    Ok(())
}

fn sdp_fingerprint(f: &rtcio_dtls::Fingerprint) -> rtcio_sdp::Fingerprint {
    // Both crates print `<hash> <HEX:HEX…>`; going through the text keeps them independent.
    rtcio_sdp::Fingerprint::parse_value(&f.to_string())
        .expect("a DTLS fingerprint is valid SDP fingerprint syntax")
}

fn dtls_fingerprint(f: &rtcio_sdp::Fingerprint) -> Option<rtcio_dtls::Fingerprint> {
    f.to_string().parse().ok()
}
