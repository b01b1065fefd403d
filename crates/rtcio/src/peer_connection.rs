//! `RTCPeerConnection` on tokio: the sans-IO core behind one lock, driven by a timer task and
//! one receive task per socket.
//!
//! Every public call locks the core, applies the call, moves the core's events to the user-facing
//! queues, takes the datagrams it produced, unlocks, and sends them. The driver task sleeps until
//! the core's next timeout or until a call changes it; receive tasks feed datagrams in batches.
//! Users get events by awaiting [`RTCPeerConnection::next_event`] and channel messages by
//! awaiting [`RTCDataChannel::recv`]; nothing calls back into user code.
//!
//! The driver, the receive tasks and the lock around the core are generic over [`Core`]: the
//! ORTC objects (`crate::ortc`) run the same machinery over a bare transport stack.

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Instant;

use rtcio_proto::peer::{
    ChannelId, ChannelInfo, Config, DataChannelInit, Event, IceConnectionState, IceGatheringState,
    Message, PeerConnection, PeerConnectionState, Receive, SignalingState, Transmit,
};
use tokio::sync::{Notify, watch};

use crate::config::{RTCConfiguration, RTCIceTransportPolicy};
use crate::data_channel::{ChannelSignals, RTCDataChannel};
use crate::description::{RTCIceCandidateInit, RTCSessionDescription};
use crate::error::{Error, io_error};
use crate::gather::Plan;
use crate::net::{RecvBatch, UdpSocket, host_addresses};

/// Most events kept for a user who does not read them; older ones are dropped and counted
/// (events are small and few per connection, so only a stalled user hits this).
const MAX_QUEUED_EVENTS: usize = 4096;

/// Largest segmented send: the kernel refuses (EMSGSIZE) a GSO buffer bigger than one UDP
/// datagram may be (65535 minus the IPv4 and UDP headers), and everything in it is lost.
const MAX_GSO_BYTES: usize = 65_507;

/// Receive slots per system call, each up to 64 KiB with GRO (about 50 datagrams). Two slots
/// carry as much per call as bulk transfers use (8 gave no more throughput in peerbench). The
/// buffers belong to the runtime thread, not the connection (an idle connection holds none).
const RECV_SLOTS: usize = 2;

/// A W3C event of the peer connection.
#[derive(Debug, Clone)]
pub enum PeerConnectionEvent {
    /// `icecandidate`: a local candidate to trickle, or `None` when gathering is complete.
    IceCandidate(Option<RTCIceCandidateInit>),
    /// `icegatheringstatechange`.
    IceGatheringStateChange(IceGatheringState),
    /// `iceconnectionstatechange`.
    IceConnectionStateChange(IceConnectionState),
    /// `connectionstatechange`.
    ConnectionStateChange(PeerConnectionState),
    /// `signalingstatechange`.
    SignalingStateChange(SignalingState),
    /// `negotiationneeded`.
    NegotiationNeeded,
    /// `datachannel`: the peer opened a channel.
    DataChannel(RTCDataChannel),
    /// `track`: a transceiver's receiver started receiving; read it with
    /// [`RTCRtpTransceiver::receiver`](crate::media::RTCRtpTransceiver::receiver).
    Track(crate::media::RTCRtpTransceiver),
}

/// What the driver, the receive tasks and the data channels need from a sans-IO core: the
/// peer connection's, or an ORTC transport chain's.
pub(crate) trait Core: Send + Sized + 'static {
    /// What users read from the connection's event queue.
    type Event: Send;
    /// Feeds a received datagram.
    fn handle_receive(&mut self, now: Instant, recv: Receive<'_>);
    /// Fires due timers.
    fn handle_timeout(&mut self, now: Instant);
    /// When the next timer is due.
    fn poll_timeout(&self) -> Option<Instant>;
    /// The next datagram to send.
    fn poll_transmit(&mut self) -> Option<Transmit>;
    /// Adds a gathered local candidate.
    fn add_local_candidate(&mut self, now: Instant, candidate: rtcio_ice::Candidate);
    /// Gathering is over.
    fn end_of_local_candidates(&mut self, now: Instant);
    /// Stopped for good: the driver exits.
    fn is_closed(&self) -> bool;
    /// The transports under the channels are gone (closed or failed): channel waits end.
    fn channels_over(&self) -> bool;
    /// A channel's attributes and state.
    fn channel_info(&self, id: ChannelId) -> Option<ChannelInfo>;
    /// Queues a message on a channel.
    fn channel_send(
        &mut self,
        now: Instant,
        id: ChannelId,
        data: &[u8],
        binary: bool,
    ) -> Result<(), Error>;
    /// Takes a channel's next received message.
    fn channel_recv(&mut self, id: ChannelId) -> Option<Message>;
    /// Starts closing a channel.
    fn channel_close(&mut self, now: Instant, id: ChannelId);
    /// Sets a channel's `bufferedAmountLowThreshold`.
    fn set_buffered_amount_low_threshold(&mut self, id: ChannelId, threshold: u64);
    /// Moves the core's events to the user queue and wakes the channels they concern; true if
    /// a user event was queued.
    fn route_events(st: &mut State<Self>, inner: &Arc<Inner<Self>>) -> bool;
}

pub(crate) struct Inner<C: Core = PeerConnection> {
    state: Mutex<State<C>>,
    /// Wakes the driver: the core's timeout may have moved. Shared with the driver so it can
    /// wait without keeping the connection alive.
    wake_driver: Arc<Notify>,
    /// Wakes `next_event` waiters.
    pub(crate) events_ready: Notify,
    /// Set on close; dropped with the connection. Either stops the driver and receive tasks
    /// (a watch, unlike a Notify, is not missed by a task that was busy when it fired).
    pub(crate) shutdown: watch::Sender<bool>,
}

pub(crate) struct State<C: Core = PeerConnection> {
    pub(crate) core: C,
    pub(crate) sockets: Vec<Arc<UdpSocket>>,
    events: VecDeque<C::Event>,
    pub(crate) channels: HashMap<ChannelId, Arc<ChannelSignals>>,
    events_dropped: u64,
    /// STUN/TURN gathering: routes STUN responses and relayed transmits (see `crate::gather`).
    pub(crate) gather: Arc<crate::gather::Hub>,
    /// Resolutions of remote `.local` candidates (see `crate::mdns`).
    pub(crate) mdns: crate::mdns::hook::MdnsState,
    /// Receivers' packet queues and senders' feedback (see `crate::media`).
    pub(crate) media: crate::media::MediaHub,
}

impl<C: Core> Inner<C> {
    /// A core behind its lock with no sockets yet; nothing runs until [`start`](Self::start).
    pub(crate) fn new(core: C) -> Arc<Self> {
        let (shutdown, _) = watch::channel(false);
        Arc::new(Inner {
            state: Mutex::new(State {
                core,
                sockets: Vec::new(),
                events: VecDeque::new(),
                channels: HashMap::new(),
                events_dropped: 0,
                gather: Arc::new(crate::gather::Hub::default()),
                mdns: Default::default(),
                media: Default::default(),
            }),
            wake_driver: Arc::new(Notify::new()),
            events_ready: Notify::new(),
            shutdown,
        })
    }

    /// Starts the driver, a receive task per socket and the STUN/TURN gathering of `plan`
    /// (host candidates are expected in the core already).
    pub(crate) fn start(self: &Arc<Self>, sockets: Vec<Arc<UdpSocket>>, plan: Plan) {
        let hub = {
            let mut st = self.lock();
            st.sockets = sockets.clone();
            st.gather.clone()
        };
        tokio::spawn(drive(
            Arc::downgrade(self),
            self.wake_driver.clone(),
            self.shutdown.subscribe(),
        ));
        plan.start(self, hub, sockets.clone(), self.shutdown.subscribe());
        for socket in sockets {
            tokio::spawn(receive(
                Arc::downgrade(self),
                socket,
                self.shutdown.subscribe(),
            ));
        }
    }

    /// Stops the tasks and releases the sockets (after the core was closed and what it had to
    /// send went out).
    pub(crate) fn shut_down(&self) {
        self.shutdown.send_replace(true);
        self.events_ready.notify_waiters();
        let mut st = self.lock();
        for c in st.channels.values() {
            c.notify.notify_waiters();
        }
        st.sockets.clear();
    }

    /// Asks the driver to send what the core has queued and re-arm its timer.
    pub(crate) fn wake_driver(&self) {
        self.wake_driver.notify_one();
    }

    /// The local addresses of the connection's sockets.
    pub(crate) fn local_addresses(&self) -> Vec<SocketAddr> {
        self.lock().sockets.iter().map(|s| s.local_addr()).collect()
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, State<C>> {
        // A panic while holding the lock would be a bug in the core; the state is still the
        // best there is, so keep going rather than poisoning every later call.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `f` on the core, then routes events, wakes the driver and sends what came out.
    pub(crate) async fn with_core<R>(self: &Arc<Self>, f: impl FnOnce(&mut C, Instant) -> R) -> R {
        let (result, out, sockets) = {
            let mut st = self.lock();
            let now = Instant::now();
            let result = f(&mut st.core, now);
            let out = st.take_transmits();
            st.route_events(self);
            (result, out, st.sockets.clone())
        };
        self.wake_driver.notify_one();
        send_all(&sockets, out).await;
        result
    }

    /// The next user event, or `None` once the core is closed and every event was read.
    pub(crate) async fn next_event(&self) -> Option<C::Event> {
        self.next_event_until(|_| false).await
    }

    /// The next user event, or `None` once the core is closed or `over` holds and every event
    /// was read.
    pub(crate) async fn next_event_until(&self, over: impl Fn(&C) -> bool) -> Option<C::Event> {
        loop {
            let notified = self.events_ready.notified();
            {
                let mut st = self.lock();
                if let Some(e) = st.events.pop_front() {
                    return Some(e);
                }
                if st.core.is_closed() || over(&st.core) {
                    return None;
                }
            }
            notified.await;
        }
    }
}

impl<C: Core> State<C> {
    fn take_transmits(&mut self) -> Vec<Transmit> {
        let mut out = Vec::new();
        while let Some(t) = self.core.poll_transmit() {
            // Transmits from a relayed address go through their TURN allocation.
            if let Some(t) = self.gather.divert(t) {
                out.push(t);
            }
        }
        out
    }

    pub(crate) fn route_events(&mut self, inner: &Arc<Inner<C>>) {
        if C::route_events(self, inner) {
            inner.events_ready.notify_waiters();
        }
    }

    /// Queues a user event; past [`MAX_QUEUED_EVENTS`] the oldest is dropped and counted.
    pub(crate) fn push_event(&mut self, e: C::Event) {
        if self.events.len() >= MAX_QUEUED_EVENTS {
            self.events.pop_front();
            self.events_dropped += 1;
        }
        self.events.push_back(e);
    }

    /// Wakes every channel's waiters (the transports under them ended).
    pub(crate) fn wake_all_channels(&self) {
        for c in self.channels.values() {
            c.notify.notify_waiters();
        }
    }

    pub(crate) fn signals(&mut self, id: ChannelId) -> Arc<ChannelSignals> {
        self.channels
            .entry(id)
            .or_insert_with(|| Arc::new(ChannelSignals::default()))
            .clone()
    }
}

impl Core for PeerConnection {
    type Event = PeerConnectionEvent;

    fn handle_receive(&mut self, now: Instant, recv: Receive<'_>) {
        PeerConnection::handle_receive(self, now, recv);
    }
    fn handle_timeout(&mut self, now: Instant) {
        PeerConnection::handle_timeout(self, now);
    }
    fn poll_timeout(&self) -> Option<Instant> {
        PeerConnection::poll_timeout(self)
    }
    fn poll_transmit(&mut self) -> Option<Transmit> {
        PeerConnection::poll_transmit(self)
    }
    fn add_local_candidate(&mut self, now: Instant, candidate: rtcio_ice::Candidate) {
        PeerConnection::add_local_candidate(self, now, candidate);
    }
    fn end_of_local_candidates(&mut self, now: Instant) {
        PeerConnection::end_of_local_candidates(self, now);
    }
    fn is_closed(&self) -> bool {
        self.connection_state() == PeerConnectionState::Closed
    }
    fn channels_over(&self) -> bool {
        matches!(
            self.connection_state(),
            PeerConnectionState::Closed | PeerConnectionState::Failed
        )
    }
    fn channel_info(&self, id: ChannelId) -> Option<ChannelInfo> {
        PeerConnection::channel_info(self, id)
    }
    fn channel_send(
        &mut self,
        now: Instant,
        id: ChannelId,
        data: &[u8],
        binary: bool,
    ) -> Result<(), Error> {
        PeerConnection::channel_send(self, now, id, data, binary)
    }
    fn channel_recv(&mut self, id: ChannelId) -> Option<Message> {
        PeerConnection::channel_recv(self, id)
    }
    fn channel_close(&mut self, now: Instant, id: ChannelId) {
        PeerConnection::channel_close(self, now, id);
    }
    fn set_buffered_amount_low_threshold(&mut self, id: ChannelId, threshold: u64) {
        PeerConnection::set_buffered_amount_low_threshold(self, id, threshold);
    }

    fn route_events(st: &mut State<Self>, inner: &Arc<Inner<Self>>) -> bool {
        let mut any = false;
        st.media.route(&mut st.core);
        if st.core.connection_state() == PeerConnectionState::Closed {
            st.media.close();
        }
        while let Some(event) = st.core.poll_event() {
            let user = match event {
                Event::IceCandidate(c) => Some(PeerConnectionEvent::IceCandidate(
                    c.map(RTCIceCandidateInit::from_core),
                )),
                Event::IceGatheringStateChange(s) => {
                    Some(PeerConnectionEvent::IceGatheringStateChange(s))
                }
                Event::IceConnectionStateChange(s) => {
                    Some(PeerConnectionEvent::IceConnectionStateChange(s))
                }
                Event::ConnectionStateChange(s) => {
                    if matches!(s, PeerConnectionState::Closed | PeerConnectionState::Failed) {
                        st.wake_all_channels();
                    }
                    Some(PeerConnectionEvent::ConnectionStateChange(s))
                }
                Event::SignalingStateChange(s) => {
                    Some(PeerConnectionEvent::SignalingStateChange(s))
                }
                Event::NegotiationNeeded => Some(PeerConnectionEvent::NegotiationNeeded),
                Event::DataChannel(id) => {
                    let signals = st.signals(id);
                    Some(PeerConnectionEvent::DataChannel(RTCDataChannel::new(
                        inner.clone(),
                        id,
                        signals,
                    )))
                }
                Event::ChannelError(id, why) => {
                    st.signals(id).set_error(why);
                    None
                }
                Event::Track(id) => {
                    st.media.started(id);
                    Some(PeerConnectionEvent::Track(
                        crate::media::RTCRtpTransceiver::new(inner.clone(), id),
                    ))
                }
                Event::TrackEnded(id) => {
                    st.media.ended(id);
                    None
                }
                Event::KeyframeRequested { transceiver, .. } => {
                    st.media.keyframe_requested(transceiver);
                    None
                }
                Event::TargetBitrateChanged(bitrate) => {
                    st.media.set_target_bitrate(bitrate);
                    None
                }
                Event::ChannelOpen(id)
                | Event::ChannelMessage(id)
                | Event::ChannelBufferedAmountLow(id)
                | Event::ChannelClosing(id)
                | Event::ChannelClose(id) => {
                    st.signals(id).notify.notify_waiters();
                    None
                }
            };
            if let Some(e) = user {
                st.push_event(e);
                any = true;
            }
        }
        any
    }
}

/// Sends datagrams, coalescing runs to the same destination into one segmented send where the
/// kernel supports it.
async fn send_all(sockets: &[Arc<UdpSocket>], out: Vec<Transmit>) {
    let mut i = 0;
    while i < out.len() {
        let first = &out[i];
        let Some(socket) = sockets.iter().find(|s| s.local_addr() == first.from) else {
            i += 1;
            continue;
        };
        let seg = first.data.len();
        let j = i + segment_run(&out[i..], socket.max_segments());
        let result = if j - i == 1 {
            socket.send(first.to, &first.data, None).await
        } else {
            let mut buf = Vec::with_capacity(seg * (j - i));
            for t in &out[i..j] {
                buf.extend_from_slice(&t.data);
            }
            socket.send(first.to, &buf, Some(seg)).await
        };
        if let Err(e) = result {
            // UDP send errors (unreachable, buffer full) are loss to the protocols above.
            tracing::debug!("send to {} failed: {e}", first.to);
        }
        i = j;
    }
}

/// How many transmits from the start of `out` can go in one segmented (GSO) send: same route,
/// every segment but the last exactly the first one's size, at most `max_segments`, and at
/// most `MAX_GSO_BYTES` in all (the kernel refuses a larger send whole, losing every datagram).
fn segment_run(out: &[Transmit], max_segments: usize) -> usize {
    let Some(first) = out.first() else {
        return 0;
    };
    let seg = first.data.len();
    let mut n = 1;
    while n < out.len()
        && n < max_segments.max(1)
        && (n + 1) * seg <= MAX_GSO_BYTES
        && out[n].from == first.from
        && out[n].to == first.to
        && out[n - 1].data.len() == seg
        && out[n].data.len() <= seg
    {
        n += 1;
    }
    n
}

/// W3C `RTCPeerConnection` on tokio.
///
/// Cheap to clone: clones share one connection. Dropping every handle (connection and
/// channels) stops its tasks and closes its sockets; [`close`](Self::close) does so at once.
#[derive(Clone)]
pub struct RTCPeerConnection {
    inner: Arc<Inner>,
    /// The configuration in force (`getConfiguration`, `setConfiguration`), with the
    /// certificate actually in use.
    config: Arc<Mutex<RTCConfiguration>>,
    /// `setConfiguration` changed the ICE servers or policy: the next `restartIce` gathers
    /// with them.
    regather: Arc<std::sync::atomic::AtomicBool>,
}

impl std::fmt::Debug for RTCPeerConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RTCPeerConnection")
            .field("signaling_state", &self.signaling_state())
            .field("connection_state", &self.connection_state())
            .finish()
    }
}

impl RTCPeerConnection {
    /// Creates a connection: binds one UDP socket per usable local address (its host
    /// candidate) and starts the driver. Must be called inside a tokio runtime.
    pub async fn new(config: RTCConfiguration) -> Result<RTCPeerConnection, Error> {
        let gather_plan = Plan::new(&config)?;
        let core_config = Config {
            certificate: config.certificates.first().cloned(),
            bundle_policy: config.bundle_policy,
            max_message_size: config.max_message_size,
            ..Config::default()
        };
        let mut core = PeerConnection::new(core_config)?;
        let now = Instant::now();
        core.set_ntp_clock(crate::media::ntp_clock(now));
        let sockets = bind_host_sockets(&config, now, |now, c| core.add_local_candidate(now, c))?;
        if gather_plan.is_empty() {
            core.end_of_local_candidates(now);
        }
        let mut config = config;
        if config.certificates.is_empty() {
            config.certificates = vec![core.certificate().clone()];
        }
        let inner = Inner::new(core);
        // STUN/TURN gathering runs in its own tasks; host candidates are already in.
        inner.start(sockets, gather_plan);
        Ok(RTCPeerConnection {
            inner,
            config: Arc::new(Mutex::new(config)),
            regather: Arc::default(),
        })
    }

    /// W3C `createOffer`.
    pub async fn create_offer(&self) -> Result<RTCSessionDescription, Error> {
        let d = self.inner.with_core(|core, _| core.create_offer()).await?;
        Ok(RTCSessionDescription::from_jsep(&d))
    }

    /// W3C `createAnswer`.
    pub async fn create_answer(&self) -> Result<RTCSessionDescription, Error> {
        let d = self.inner.with_core(|core, _| core.create_answer()).await?;
        Ok(RTCSessionDescription::from_jsep(&d))
    }

    /// W3C `setLocalDescription`; `None` is the implicit form (creates the offer or answer).
    pub async fn set_local_description(
        &self,
        desc: Option<RTCSessionDescription>,
    ) -> Result<(), Error> {
        let desc = desc.map(|d| d.to_jsep()).transpose()?;
        self.inner
            .with_core(|core, now| core.set_local_description(now, desc))
            .await
    }

    /// W3C `setRemoteDescription`.
    /// `.local` (mDNS) candidates in it are resolved in the background, then added.
    pub async fn set_remote_description(&self, desc: RTCSessionDescription) -> Result<(), Error> {
        let mut desc = desc.to_jsep()?;
        let held_end = crate::mdns::hook::hold_end_of_candidates(&mut desc);
        let for_mdns = desc.clone();
        self.inner
            .with_core(|core, now| core.set_remote_description(now, desc))
            .await?;
        crate::mdns::hook::resolve_description(&self.inner, &for_mdns, held_end);
        Ok(())
    }

    /// W3C `addIceCandidate`; `None` (or an empty candidate) is end-of-candidates. A `.local`
    /// (mDNS) candidate is resolved in the background, then added; an end-of-candidates waits
    /// for those resolutions.
    pub async fn add_ice_candidate(
        &self,
        candidate: Option<RTCIceCandidateInit>,
    ) -> Result<(), Error> {
        let c = candidate.map(|c| c.to_core());
        let is_end = c.as_ref().is_none_or(|c| c.candidate.trim().is_empty());
        if is_end && self.inner.lock().mdns.defer_end_of_candidates() {
            return Ok(());
        }
        let mdns = c.as_ref().and_then(|init| {
            crate::mdns::hook::mdns_candidate(&init.candidate).map(|cand| (init.clone(), cand))
        });
        self.inner
            .with_core(|core, now| core.add_ice_candidate(now, c))
            .await?;
        if let Some((init, cand)) = mdns {
            crate::mdns::hook::resolve_candidate(&self.inner, init, cand);
        }
        Ok(())
    }

    /// Counters of the remote `.local` candidates resolved, failed and pending.
    pub fn mdns_stats(&self) -> crate::mdns::MdnsStats {
        self.inner.lock().mdns.stats
    }

    /// W3C `restartIce`. When `setConfiguration` changed the ICE servers or policy since the
    /// last gathering, the restart gathers from the new servers on the same sockets: the new
    /// offer's gathering stays `gathering` until they answered or timed out.
    pub fn restart_ice(&self) {
        let regather = self
            .regather
            .swap(false, std::sync::atomic::Ordering::AcqRel);
        // Validated by `set_configuration`; an error here would leave the servers unused.
        let plan = regather
            .then(|| Plan::new(&self.get_configuration()).ok())
            .flatten()
            .filter(|p| !p.is_empty());
        let mut st = self.inner.lock();
        if st.core.connection_state() == PeerConnectionState::Closed {
            return;
        }
        st.core.restart_ice();
        if plan.is_some() {
            st.core.restart_local_gathering();
            st.gather.begin_gathering();
        }
        st.route_events(&self.inner);
        let (hub, sockets) = (st.gather.clone(), st.sockets.clone());
        drop(st);
        if let Some(plan) = plan {
            plan.start(&self.inner, hub, sockets, self.inner.shutdown.subscribe());
        }
    }

    /// W3C `createDataChannel`.
    pub async fn create_data_channel(
        &self,
        label: &str,
        init: DataChannelInit,
    ) -> Result<RTCDataChannel, Error> {
        let (id, signals) = {
            let mut st = self.inner.lock();
            let id = st.core.create_data_channel(Instant::now(), label, init)?;
            let signals = st.signals(id);
            st.route_events(&self.inner);
            (id, signals)
        };
        self.inner.wake_driver.notify_one();
        Ok(RTCDataChannel::new(self.inner.clone(), id, signals))
    }

    /// The next W3C event, or `None` once the connection is closed and every event was read.
    pub async fn next_event(&self) -> Option<PeerConnectionEvent> {
        self.inner.next_event().await
    }

    /// Waits until ICE gathering is complete, so `local_description` carries every candidate
    /// (non-trickle signaling, as aiortc programs use).
    pub async fn gathering_complete(&self) {
        loop {
            let notified = self.inner.events_ready.notified();
            if self.ice_gathering_state() == IceGatheringState::Complete
                || self.connection_state() == PeerConnectionState::Closed
            {
                return;
            }
            notified.await;
        }
    }

    /// W3C `localDescription` (with the candidates gathered so far).
    pub fn local_description(&self) -> Option<RTCSessionDescription> {
        let st = self.inner.lock();
        st.core
            .local_description()
            .map(|d| RTCSessionDescription::from_jsep(&d))
    }

    /// W3C `remoteDescription`.
    pub fn remote_description(&self) -> Option<RTCSessionDescription> {
        let st = self.inner.lock();
        st.core
            .remote_description()
            .map(RTCSessionDescription::from_jsep)
    }

    /// W3C `currentLocalDescription`.
    pub fn current_local_description(&self) -> Option<RTCSessionDescription> {
        let st = self.inner.lock();
        st.core
            .current_local_description()
            .map(|d| RTCSessionDescription::from_jsep(&d))
    }

    /// W3C `pendingLocalDescription`.
    pub fn pending_local_description(&self) -> Option<RTCSessionDescription> {
        let st = self.inner.lock();
        st.core
            .pending_local_description()
            .map(|d| RTCSessionDescription::from_jsep(&d))
    }

    /// W3C `currentRemoteDescription`.
    pub fn current_remote_description(&self) -> Option<RTCSessionDescription> {
        let st = self.inner.lock();
        st.core
            .current_remote_description()
            .map(RTCSessionDescription::from_jsep)
    }

    /// W3C `pendingRemoteDescription`.
    pub fn pending_remote_description(&self) -> Option<RTCSessionDescription> {
        let st = self.inner.lock();
        st.core
            .pending_remote_description()
            .map(RTCSessionDescription::from_jsep)
    }

    /// W3C `getConfiguration()`: the configuration in force, with the certificate in use
    /// (generated when none was given).
    pub fn get_configuration(&self) -> RTCConfiguration {
        self.config
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// W3C `setConfiguration()`. Changing the certificates, the bundle policy or rtcio's
    /// socket settings (interfaces, port range, `max_message_size`) is
    /// `InvalidModificationError`; malformed server URLs are `SyntaxError`, TURN servers
    /// without credentials `InvalidAccessError`. New ICE servers and `iceTransportPolicy` take
    /// effect at the next [`restart_ice`](Self::restart_ice), which gathers with them (W3C:
    /// no action until the ICE agent restarts). Candidates already gathered stay in use: a
    /// switch to the relay policy does not withdraw host candidates.
    pub fn set_configuration(&self, config: RTCConfiguration) -> Result<(), Error> {
        if self.connection_state() == PeerConnectionState::Closed {
            return Err(Error::InvalidState("the peer connection is closed".into()));
        }
        let mut current = self.config.lock().unwrap_or_else(|e| e.into_inner());
        let same_certificates = config.certificates.is_empty()
            || (config.certificates.len() == current.certificates.len()
                && config
                    .certificates
                    .iter()
                    .zip(&current.certificates)
                    .all(|(a, b)| a.der() == b.der()));
        if !same_certificates {
            return Err(Error::InvalidModification(
                "certificates cannot change after construction".into(),
            ));
        }
        if config.bundle_policy != current.bundle_policy {
            return Err(Error::InvalidModification(
                "bundlePolicy cannot change after construction".into(),
            ));
        }
        let (a, b) = (&config.interfaces, &current.interfaces);
        let same_interfaces = a.interfaces == b.interfaces
            && a.addresses == b.addresses
            && a.ipv4_only == b.ipv4_only
            && a.include_loopback == b.include_loopback;
        if !same_interfaces
            || config.port_range != current.port_range
            || config.max_message_size != current.max_message_size
        {
            return Err(Error::InvalidModification(
                "interfaces, port range and max_message_size are fixed once the sockets are \
                 bound"
                    .into(),
            ));
        }
        Plan::new(&config)?;
        if config.ice_servers != current.ice_servers
            || config.ice_transport_policy != current.ice_transport_policy
        {
            current.ice_servers = config.ice_servers;
            current.ice_transport_policy = config.ice_transport_policy;
            self.regather
                .store(true, std::sync::atomic::Ordering::Release);
        }
        Ok(())
    }

    /// W3C `signalingState`.
    pub fn signaling_state(&self) -> SignalingState {
        self.inner.lock().core.signaling_state()
    }

    /// W3C `iceGatheringState`.
    pub fn ice_gathering_state(&self) -> IceGatheringState {
        self.inner.lock().core.ice_gathering_state()
    }

    /// W3C `iceConnectionState`.
    pub fn ice_connection_state(&self) -> IceConnectionState {
        self.inner.lock().core.ice_connection_state()
    }

    /// W3C `connectionState`.
    pub fn connection_state(&self) -> PeerConnectionState {
        self.inner.lock().core.connection_state()
    }

    /// W3C `RTCSctpTransport.maxMessageSize`: the largest message the peer accepts, once its
    /// description is known (`u64::MAX` when it sets no limit).
    pub fn sctp_max_message_size(&self) -> Option<u64> {
        self.inner.lock().core.sctp_max_message_size()
    }

    /// W3C `sctp`: the SCTP transport, once a description negotiated one (`None` before),
    /// with its DTLS and ICE transports under it. These are views: their getters follow the
    /// connection, while starting and stopping them is the connection's job.
    pub fn sctp(&self) -> Option<crate::ortc::RTCSctpTransport> {
        use crate::ortc::{
            Chain, RTCDtlsTransport, RTCIceGatherer, RTCIceTransport, RTCSctpTransport,
        };
        let (role, certificate) = {
            let st = self.inner.lock();
            st.core.transport().sctp_parameters()?;
            let role = st
                .core
                .transport()
                .ice_role()
                .unwrap_or(rtcio_ice::IceRole::Controlled);
            (role, st.core.certificate().clone())
        };
        let chain = Chain::Peer(self.inner.clone());
        let gatherer = RTCIceGatherer::view(chain.clone(), self.get_configuration());
        let ice = RTCIceTransport::view(chain.clone(), gatherer, role);
        let dtls = RTCDtlsTransport::view(chain.clone(), ice, certificate);
        Some(RTCSctpTransport::view(chain, dtls))
    }

    /// W3C `getStats()`: peer-connection, transport, candidate-pair, candidates,
    /// certificates, data channels, and per RTP stream inbound-rtp, outbound-rtp, their remote
    /// views, media-source and codec. `RTCRtpSender::get_stats` / `RTCRtpReceiver::get_stats`
    /// select one side's part.
    pub fn get_stats(&self) -> Vec<rtcio_proto::peer::Stats> {
        self.inner.lock().core.stats()
    }

    /// The local addresses of the connection's sockets (its host candidates).
    pub fn local_addresses(&self) -> Vec<SocketAddr> {
        self.inner
            .lock()
            .sockets
            .iter()
            .map(|s| s.local_addr())
            .collect()
    }

    /// W3C `close`: stops every transport, the tasks and the sockets.
    pub async fn close(&self) {
        self.inner.with_core(|core, now| core.close(now)).await;
        self.inner.shut_down();
    }
}

/// Binds one UDP socket per usable local address and hands each one's host candidate to `add`
/// (none under the relay-only policy).
pub(crate) fn bind_host_sockets(
    config: &RTCConfiguration,
    now: Instant,
    mut add: impl FnMut(Instant, rtcio_ice::Candidate),
) -> Result<Vec<Arc<UdpSocket>>, Error> {
    let mut sockets = Vec::new();
    if config.ice_transport_policy == RTCIceTransportPolicy::All {
        let addrs =
            host_addresses(&config.interfaces).map_err(|e| io_error("listing interfaces", e))?;
        for (i, ip) in addrs.iter().enumerate() {
            let socket = bind_in_range(*ip, config.port_range.clone())?;
            // RFC 8421: distinct local preferences order the interfaces.
            let preference = 65535u16.saturating_sub(i as u16 * 256);
            add(
                now,
                rtcio_ice::Candidate::host(socket.local_addr(), preference),
            );
            sockets.push(Arc::new(socket));
        }
    }
    Ok(sockets)
}

fn bind_in_range(
    ip: IpAddr,
    range: Option<std::ops::RangeInclusive<u16>>,
) -> Result<UdpSocket, Error> {
    let Some(range) = range else {
        return UdpSocket::bind(SocketAddr::new(ip, 0)).map_err(|e| io_error("bind", e));
    };
    let mut last = None;
    for port in range {
        match UdpSocket::bind(SocketAddr::new(ip, port)) {
            Ok(s) => return Ok(s),
            Err(e) => last = Some(e),
        }
    }
    Err(match last {
        Some(e) => io_error("no free port in range", e),
        None => Error::Type("empty port range".into()),
    })
}

/// The timer task: fires the core's timeouts and sends what they produce.
async fn drive<C: Core>(
    inner: Weak<Inner<C>>,
    wake: Arc<Notify>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let Some(strong) = inner.upgrade() else {
            return;
        };
        let (deadline, out, sockets, closed) = {
            let mut st = strong.lock();
            let now = Instant::now();
            if st.core.poll_timeout().is_some_and(|t| t <= now) {
                st.core.handle_timeout(now);
            }
            let out = st.take_transmits();
            st.route_events(&strong);
            let closed = st.core.is_closed();
            (st.core.poll_timeout(), out, st.sockets.clone(), closed)
        };
        send_all(&sockets, out).await;
        if closed {
            return;
        }
        let woken = wake.notified();
        drop(strong);
        let sleep = async {
            match deadline {
                Some(t) => tokio::time::sleep_until(tokio::time::Instant::from_std(t)).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = shutdown.wait_for(|closed| *closed) => return,
            _ = woken => {}
            _ = sleep => {}
        }
    }
}

/// A receive task: feeds each batch of datagrams to the core and sends the responses at once
/// (SACKs, STUN responses) without a detour through the driver. It waits without buffers and
/// reads into its thread's batch (see [`RecvBatch::with_thread_local`]).
async fn receive<C: Core>(
    inner: Weak<Inner<C>>,
    socket: Arc<UdpSocket>,
    mut shutdown: watch::Receiver<bool>,
) {
    let local = socket.local_addr();
    loop {
        tokio::select! {
            _ = shutdown.wait_for(|closed| *closed) => return,
            r = socket.readable() => {
                if let Err(e) = r {
                    tracing::debug!("waiting on {local}: {e}");
                    continue;
                }
            }
        }
        let Some(strong) = inner.upgrade() else {
            return;
        };
        let fed = RecvBatch::with_thread_local(RECV_SLOTS, |batch| {
            if let Err(e) = socket.try_recv(batch) {
                // ICMP errors surface here on Linux (ECONNREFUSED); the socket stays usable.
                if e.kind() != std::io::ErrorKind::WouldBlock {
                    tracing::debug!("receive on {local}: {e}");
                }
                return None;
            }
            let mut st = strong.lock();
            let now = Instant::now();
            for (remote, _, data) in batch.datagrams() {
                // Answers to our STUN Binding requests go to the gatherer, not the core.
                if st.gather.claim(data) {
                    continue;
                }
                st.core.handle_receive(
                    now,
                    Receive {
                        local,
                        remote,
                        data,
                    },
                );
            }
            let out = st.take_transmits();
            st.route_events(&strong);
            Some((out, st.sockets.clone()))
        });
        let Some((out, sockets)) = fed else {
            continue;
        };
        strong.wake_driver.notify_one();
        send_all(&sockets, out).await;
    }
}

// ---- media (issue 10): transceivers, senders, receivers --------------------------------------

impl RTCPeerConnection {
    /// W3C `addTransceiver(kind, {direction})`, optionally with a track to send. Fires
    /// `negotiationneeded`.
    pub async fn add_transceiver(
        &self,
        kind: crate::media::TrackKind,
        direction: rtcio_sdp::Direction,
        track: Option<&crate::media::MediaStreamTrack>,
    ) -> Result<crate::media::RTCRtpTransceiver, Error> {
        let init = rtcio_proto::peer::TransceiverInit {
            direction,
            track: track.map(crate::media::MediaStreamTrack::sender_track),
            send_encodings: Vec::new(),
        };
        let id = self
            .inner
            .with_core(|core, _| core.add_transceiver(kind, init))
            .await?;
        Ok(crate::media::RTCRtpTransceiver::new(self.inner.clone(), id))
    }

    /// W3C `addTransceiver(kind, init)` with `sendEncodings`: several encodings, each with a
    /// rid, send simulcast (`a=simulcast:send`); the answer decides which are sent.
    pub async fn add_transceiver_with_encodings(
        &self,
        kind: crate::media::TrackKind,
        direction: rtcio_sdp::Direction,
        track: Option<&crate::media::MediaStreamTrack>,
        send_encodings: Vec<crate::media::RTCRtpEncodingParameters>,
    ) -> Result<crate::media::RTCRtpTransceiver, Error> {
        let init = rtcio_proto::peer::TransceiverInit {
            direction,
            track: track.map(crate::media::MediaStreamTrack::sender_track),
            send_encodings,
        };
        let id = self
            .inner
            .with_core(|core, _| core.add_transceiver(kind, init))
            .await?;
        Ok(crate::media::RTCRtpTransceiver::new(self.inner.clone(), id))
    }

    /// W3C `addTrack(track)`: reuses a transceiver a remote offer created for the kind (so an
    /// answer created after it sends), else adds one. Returns the sender.
    pub async fn add_track(
        &self,
        track: &crate::media::MediaStreamTrack,
    ) -> Result<crate::media::RTCRtpSender, Error> {
        let (kind, sender_track) = (track.kind, track.sender_track());
        let id = self
            .inner
            .with_core(|core, _| core.add_track(kind, sender_track))
            .await?;
        Ok(crate::media::RTCRtpTransceiver::new(self.inner.clone(), id).sender())
    }

    /// W3C `removeTrack(sender)`.
    pub async fn remove_track(&self, sender: &crate::media::RTCRtpSender) -> Result<(), Error> {
        let id = sender.transceiver_id();
        self.inner.with_core(|core, _| core.remove_track(id)).await
    }

    /// W3C `getTransceivers()`.
    pub fn get_transceivers(&self) -> Vec<crate::media::RTCRtpTransceiver> {
        let ids: Vec<_> = {
            let st = self.inner.lock();
            st.core.transceivers().iter().map(|t| t.id()).collect()
        };
        ids.into_iter()
            .map(|id| crate::media::RTCRtpTransceiver::new(self.inner.clone(), id))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(to: u16, len: usize) -> Transmit {
        Transmit {
            from: "127.0.0.1:1000".parse().unwrap(),
            to: SocketAddr::from(([127, 0, 0, 1], to)),
            data: vec![0; len],
        }
    }

    #[test]
    fn runs_stop_at_route_size_count_and_byte_limits() {
        let same = |n, len| (0..n).map(|_| t(2000, len)).collect::<Vec<_>>();
        assert_eq!(segment_run(&[], 64), 0);
        assert_eq!(segment_run(&same(10, 1200), 64), 10);
        assert_eq!(segment_run(&same(10, 1200), 4), 4);
        assert_eq!(segment_run(&same(10, 1200), 0), 1);
        // A shorter datagram ends the run (it may only be last).
        let mut v = same(3, 1200);
        v.insert(2, t(2000, 500));
        assert_eq!(segment_run(&v, 64), 3);
        // Another destination ends it.
        let mut v = same(3, 1200);
        v.insert(1, t(3000, 1200));
        assert_eq!(segment_run(&v, 64), 1);
        // 64 KiB in all: 54 datagrams of 1200 bytes fit, 55 would not.
        assert_eq!(segment_run(&same(100, 1200), 64), MAX_GSO_BYTES / 1200);
        assert!(segment_run(&same(100, 1200), 64) * 1200 <= MAX_GSO_BYTES);
    }
}
