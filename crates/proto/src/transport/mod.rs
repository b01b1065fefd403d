//! The sans-IO transport chain without JSEP: ICE → DTLS → SCTP with data channels.
//!
//! [`TransportStack`] is what ORTC's `RTCIceTransport`, `RTCDtlsTransport` and
//! `RTCSctpTransport` are together, without sockets and clocks. Each layer has explicit entry
//! points ([`start_ice`](TransportStack::start_ice), [`start_dtls`](TransportStack::start_dtls),
//! [`start_sctp`](TransportStack::start_sctp), `stop_*`), so the stack serves ORTC directly and
//! `peer::PeerConnection` drives it from descriptions (JSEP).
//!
//! The I/O contract is the crate's: feed every datagram to
//! [`handle_receive`](TransportStack::handle_receive), send what
//! [`poll_transmit`](TransportStack::poll_transmit) returns, call
//! [`handle_timeout`](TransportStack::handle_timeout) at
//! [`poll_timeout`](TransportStack::poll_timeout), and drain `poll_transmit` and
//! [`poll_event`](TransportStack::poll_event) after any call that takes `now`.
//!
//! Received datagrams go through the RFC 7983 demultiplexer: STUN to the ICE agent, DTLS
//! records to the DTLS transport, whose application data is SCTP, and RTP/RTCP to SRTP (keyed
//! from DTLS), whose unprotected packets wait in [`poll_media`](TransportStack::poll_media).

mod bwe;
mod data;
mod dtls;
mod event;
mod ice;
mod random;
mod sctp;
mod srtp;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use rtcio_dtls::{DtlsEvent, DtlsTransport, DtlsTransportState};
use rtcio_ice::{Agent, Credentials, IceConnectionState, IceEvent, RandomSource};

use crate::demux::{PacketKind, classify};
use crate::peer::{Receive, Transmit};

pub use bwe::{BweCounters, BweNegotiation, MAX_PENDING_PADDING, PaddingRequest};
pub use data::{ChannelInfo, DataChannelInit, DataChannelState, Message, SctpParameters};
pub use event::{ChannelId, DropStats, SctpTransportState, TransportEvent};
pub use ice::IceParameters;
pub use srtp::{
    MAX_PENDING_MEDIA_IN, MAX_PENDING_MEDIA_OUT, MediaPacket, SrtpDrops, SrtpStats, SrtpTransport,
};

pub(crate) use data::{ChannelCounters, DataChannels};
pub(crate) use random::{OsRandom, random_credentials};

/// The SCTP port WebRTC uses unless told otherwise (RFC 8841 §5, and ORTC's default).
pub const DEFAULT_SCTP_PORT: u16 = 5000;

/// DTLS datagrams kept from before the DTLS transport exists (the peer's first flight can beat
/// our `start_dtls` by a moment; replaying it saves a retransmission timeout). Beyond these the
/// datagrams are dropped and counted.
pub const MAX_EARLY_DTLS_DATAGRAMS: usize = 8;
/// Bytes of early DTLS datagrams kept at most.
pub const MAX_EARLY_DTLS_BYTES: usize = 16 * 1024;

/// Settings of a transport stack.
#[derive(Debug, Clone)]
pub struct StackConfig {
    /// Largest data channel message we accept (256 KiB like Chromium and aiortc).
    pub max_message_size: u64,
    /// DTLS datagram size limit, also the SCTP path MTU.
    pub mtu: usize,
    /// First DTLS handshake retransmission timeout.
    pub dtls_initial_retransmit_timeout: Duration,
}

impl Default for StackConfig {
    fn default() -> Self {
        StackConfig {
            max_message_size: 262_144,
            mtu: 1200,
            // Browsers' first retransmission fires well under RFC 6347's 1 s; a lost first
            // flight on a LAN should not cost a second of setup.
            dtls_initial_retransmit_timeout: Duration::from_millis(400),
        }
    }
}

/// The ICE → DTLS → SCTP chain of one transport, sans-IO.
pub struct TransportStack {
    config: StackConfig,
    rng: Box<dyn RandomSource + Send>,

    ice_creds: Credentials,
    ice: Option<Agent>,
    ice_state: IceConnectionState,
    ice_stopped: bool,
    local_candidates: Vec<rtcio_ice::Candidate>,
    local_gathering_done: bool,
    selected: Option<(SocketAddr, SocketAddr)>,
    selected_changes: u32,

    dtls: Option<DtlsTransport>,
    dtls_started: bool,
    dtls_stopped: bool,

    data: DataChannels,
    /// SRTP keys and media packet queues (see `srtp.rs`).
    srtp: srtp::SrtpLayer,
    /// Transport-wide congestion control and REMB (see `bwe.rs`).
    bwe: bwe::BweLayer,

    events: VecDeque<TransportEvent>,
    /// Datagrams produced while stopping (close_notify), sent before anything else.
    transmits: VecDeque<Transmit>,
    /// DTLS datagrams that arrived before `start_dtls`: (local, remote, bytes).
    early_dtls: Vec<(SocketAddr, SocketAddr, Vec<u8>)>,
    early_dtls_bytes: usize,
    drops: DropStats,
    last_now: Option<Instant>,
}

impl TransportStack {
    /// A stack with fresh ICE credentials, drawing its randomness from OpenSSL.
    pub fn new(config: StackConfig) -> TransportStack {
        Self::with_random(config, Box::new(OsRandom))
    }

    /// Like [`new`](Self::new) with an injected random source, for deterministic simulations.
    pub fn with_random(
        config: StackConfig,
        mut rng: Box<dyn RandomSource + Send>,
    ) -> TransportStack {
        let ice_creds = random_credentials(rng.as_mut());
        let mut sctp_seed = [0u8; 32];
        rng.fill_bytes(&mut sctp_seed);
        let data = DataChannels::new(config.max_message_size, sctp_seed);
        TransportStack {
            config,
            rng,
            ice_creds,
            ice: None,
            ice_state: IceConnectionState::New,
            ice_stopped: false,
            local_candidates: Vec::new(),
            local_gathering_done: false,
            selected: None,
            selected_changes: 0,
            dtls: None,
            dtls_started: false,
            dtls_stopped: false,
            data,
            srtp: srtp::SrtpLayer::default(),
            bwe: bwe::BweLayer::default(),
            events: VecDeque::new(),
            transmits: VecDeque::new(),
            early_dtls: Vec::new(),
            early_dtls_bytes: 0,
            drops: DropStats::default(),
            last_now: None,
        }
    }

    /// The stack's random source (for the caller's own identifiers).
    pub(crate) fn rng(&mut self) -> &mut dyn RandomSource {
        self.rng.as_mut()
    }

    /// Input dropped and counted.
    pub fn drop_stats(&self) -> DropStats {
        DropStats {
            channel_messages: self.data.dropped_messages(),
            ..self.drops
        }
    }

    /// Stops every layer (SCTP, then DTLS with a close_notify, then ICE).
    pub fn close(&mut self, now: Instant) {
        self.stop_ice(now);
    }

    // ---- I/O -----------------------------------------------------------------------------

    /// Feeds a datagram that arrived on one of the local sockets.
    pub fn handle_receive(&mut self, now: Instant, recv: Receive<'_>) {
        self.last_now = Some(now);
        if self.ice_stopped {
            return;
        }
        match classify(recv.data) {
            PacketKind::Stun => {
                if let Some(agent) = self.ice.as_mut() {
                    agent.handle_receive(
                        now,
                        rtcio_ice::Receive {
                            local_addr: recv.local,
                            remote_addr: recv.remote,
                            data: recv.data,
                        },
                    );
                }
            }
            PacketKind::Dtls | PacketKind::RtpRtcp
                if self.dtls.is_some() && !self.is_validated_source(recv.local, recv.remote) =>
            {
                self.drops.unvalidated_source += 1;
            }
            PacketKind::Dtls => match self.dtls.as_mut() {
                Some(dtls) => {
                    dtls.handle_receive(now, recv.data);
                    if let Some(agent) = self.ice.as_mut() {
                        agent.record_data_received(recv.local, recv.remote, recv.data.len());
                    }
                }
                None => self.keep_early_dtls(recv),
            },
            PacketKind::RtpRtcp => {
                self.srtp_receive(now, recv.data);
                if let Some(agent) = self.ice.as_mut() {
                    agent.record_data_received(recv.local, recv.remote, recv.data.len());
                }
            }
            _ => self.drops.unknown_datagrams += 1,
        }
        self.process(now);
    }

    /// Drives every timer that is due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.last_now = Some(now);
        if self.ice_stopped {
            return;
        }
        if let Some(agent) = self.ice.as_mut()
            && agent.poll_timeout().is_some_and(|t| t <= now)
        {
            agent.handle_timeout(now);
        }
        if let Some(dtls) = self.dtls.as_mut()
            && dtls.poll_timeout().is_some_and(|t| t <= now)
        {
            dtls.handle_timeout(now);
        }
        self.data.handle_timeout(now);
        if self.srtp_ready() {
            self.bwe_handle_timeout(now);
        }
        self.process(now);
    }

    /// When [`handle_timeout`](Self::handle_timeout) is due next.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.ice_stopped {
            return None;
        }
        [
            self.ice.as_ref().and_then(|a| a.poll_timeout()),
            self.dtls.as_ref().and_then(|d| d.poll_timeout()),
            self.data.poll_timeout(),
            self.bwe_poll_timeout(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// The next datagram to send: ICE checks first, then DTLS records. SCTP packets are
    /// encrypted into DTLS records as they are pulled, so nothing is queued twice.
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        if let Some(t) = self.transmits.pop_front() {
            return Some(t);
        }
        if let Some(agent) = self.ice.as_mut()
            && let Some(t) = agent.poll_transmit()
        {
            return Some(Transmit {
                from: t.from_base,
                to: t.to,
                data: t.data,
            });
        }
        if let Some(t) = self.srtp_poll_transmit() {
            return Some(t);
        }
        loop {
            let dtls = self.dtls.as_mut()?;
            if let Some(data) = dtls.poll_transmit() {
                let Some((from, to)) = self.selected else {
                    self.drops.unroutable += 1;
                    continue;
                };
                if let Some(agent) = self.ice.as_mut() {
                    agent.record_data_sent(from, to, data.len());
                }
                return Some(Transmit { from, to, data });
            }
            if dtls.state() != DtlsTransportState::Connected {
                return None;
            }
            let now = self.last_now?;
            let packet = self.data.poll_transmit(now)?;
            if dtls.send(&packet).is_err() {
                return None;
            }
            // Sending drains the send queues: `bufferedamountlow` must reach the application
            // now, not with the next SACK, or a paced sender idles for a delayed-ack period.
            self.data.pump(now);
            while let Some(e) = self.data.poll_event() {
                self.events.push_back(e);
            }
        }
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<TransportEvent> {
        self.events.pop_front()
    }

    /// Moves sub-layer events into actions and stack events until nothing changes.
    fn process(&mut self, now: Instant) {
        loop {
            let mut progressed = false;
            while let Some(e) = self.ice.as_mut().and_then(|a| a.poll_event()) {
                progressed = true;
                self.on_ice_event(now, e);
            }
            while let Some(e) = self.dtls.as_mut().and_then(|d| d.poll_event()) {
                progressed = true;
                match e {
                    DtlsEvent::StateChange(state) => {
                        if state == DtlsTransportState::Connected {
                            self.data.start_sctp(now);
                            self.srtp_start();
                        }
                        self.events
                            .push_back(TransportEvent::DtlsStateChange(state));
                    }
                    DtlsEvent::Data(packet) => self.data.handle_sctp_packet(now, &packet),
                }
            }
            while let Some(e) = self.data.poll_event() {
                progressed = true;
                self.events.push_back(e);
            }
            if !progressed {
                break;
            }
        }
    }

    fn on_ice_event(&mut self, now: Instant, e: IceEvent) {
        match e {
            IceEvent::ConnectionStateChange(state) => self.set_ice_state(state),
            IceEvent::SelectedPairChange(pair) => {
                let (local, remote) = (pair.from_base(), pair.to());
                self.selected = Some((local, remote));
                self.selected_changes += 1;
                self.events
                    .push_back(TransportEvent::SelectedCandidatePairChange { local, remote });
                self.maybe_start_dtls(now);
            }
            IceEvent::RemotePeerReflexive(_)
            | IceEvent::LocalPeerReflexive(_)
            | IceEvent::RoleChange(_) => {}
        }
    }

    fn set_ice_state(&mut self, state: IceConnectionState) {
        if state != self.ice_state {
            self.ice_state = state;
            self.events.push_back(TransportEvent::IceStateChange(state));
        }
    }

    fn keep_early_dtls(&mut self, recv: Receive<'_>) {
        let fits = self.early_dtls.len() < MAX_EARLY_DTLS_DATAGRAMS
            && self.early_dtls_bytes + recv.data.len() <= MAX_EARLY_DTLS_BYTES;
        if fits && !self.dtls_stopped {
            self.early_dtls_bytes += recv.data.len();
            self.early_dtls
                .push((recv.local, recv.remote, recv.data.to_vec()));
        } else {
            self.drops.early_dtls += 1;
        }
    }

    /// Feeds the DTLS datagrams kept from before the transport existed.
    fn replay_early_dtls(&mut self, now: Instant) {
        let early = std::mem::take(&mut self.early_dtls);
        self.early_dtls_bytes = 0;
        for (local, remote, data) in early {
            if !self.is_validated_source(local, remote) {
                self.drops.unvalidated_source += 1;
                continue;
            }
            if let Some(dtls) = self.dtls.as_mut() {
                dtls.handle_receive(now, &data);
            }
            if let Some(agent) = self.ice.as_mut() {
                agent.record_data_received(local, remote, data.len());
            }
        }
    }

    /// Whether DTLS/SRTP input on `local` from `remote` may be processed: it comes over the
    /// selected pair (the fast path) or another pair ICE authenticated. Without an ICE agent
    /// nothing is validated. An off-path sender that learns the 5-tuple's ports cannot inject
    /// records from its own address this way.
    fn is_validated_source(&self, local: SocketAddr, remote: SocketAddr) -> bool {
        self.selected == Some((local, remote))
            || self
                .ice
                .as_ref()
                .is_some_and(|agent| agent.is_validated_source(local, remote))
    }

    /// Moves DTLS output produced outside `poll_transmit` (close_notify) into the queue.
    fn drain_dtls_transmits(&mut self) {
        let Some(dtls) = self.dtls.as_mut() else {
            return;
        };
        while let Some(data) = dtls.poll_transmit() {
            if let Some((from, to)) = self.selected {
                self.transmits.push_back(Transmit { from, to, data });
            }
        }
    }
}
