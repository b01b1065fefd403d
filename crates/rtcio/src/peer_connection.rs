//! `RTCPeerConnection` on tokio: the sans-IO core behind one lock, driven by a timer task and
//! one receive task per socket.
//!
//! Every public call locks the core, applies the call, moves the core's events to the user-facing
//! queues, takes the datagrams it produced, unlocks, and sends them. The driver task sleeps until
//! the core's next timeout or until a call changes it; receive tasks feed datagrams in batches.
//! Users get events by awaiting [`RTCPeerConnection::next_event`] and channel messages by
//! awaiting [`RTCDataChannel::recv`]; nothing calls back into user code.

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Instant;

use rtcio_proto::peer::{
    ChannelId, Config, DataChannelInit, Event, IceConnectionState, IceGatheringState,
    PeerConnection, PeerConnectionState, Receive, SignalingState, Transmit,
};
use tokio::sync::{Notify, watch};

use crate::config::{RTCConfiguration, RTCIceTransportPolicy};
use crate::data_channel::{ChannelSignals, RTCDataChannel};
use crate::description::{RTCIceCandidateInit, RTCSessionDescription};
use crate::error::{Error, io_error};
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

pub(crate) struct Inner {
    state: Mutex<State>,
    /// Wakes the driver: the core's timeout may have moved. Shared with the driver so it can
    /// wait without keeping the connection alive.
    wake_driver: Arc<Notify>,
    /// Wakes `next_event` waiters.
    events_ready: Notify,
    /// Set on close; dropped with the connection. Either stops the driver and receive tasks
    /// (a watch, unlike a Notify, is not missed by a task that was busy when it fired).
    shutdown: watch::Sender<bool>,
    /// The configuration the connection was created with (`getConfiguration`), with the
    /// certificate actually in use.
    config: RTCConfiguration,
}

pub(crate) struct State {
    pub(crate) core: PeerConnection,
    sockets: Vec<Arc<UdpSocket>>,
    events: VecDeque<PeerConnectionEvent>,
    pub(crate) channels: HashMap<ChannelId, Arc<ChannelSignals>>,
    events_dropped: u64,
    /// STUN/TURN gathering: routes STUN responses and relayed transmits (see `crate::gather`).
    gather: Arc<crate::gather::Hub>,
    /// Resolutions of remote `.local` candidates (see `crate::mdns`).
    pub(crate) mdns: crate::mdns::hook::MdnsState,
    /// Receivers' packet queues and senders' feedback (see `crate::media`).
    pub(crate) media: crate::media::MediaHub,
}

impl Inner {
    /// Asks the driver to send what the core has queued and re-arm its timer.
    pub(crate) fn wake_driver(&self) {
        self.wake_driver.notify_one();
    }

    /// The local addresses of the connection's sockets.
    pub(crate) fn local_addresses(&self) -> Vec<SocketAddr> {
        self.lock().sockets.iter().map(|s| s.local_addr()).collect()
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock would be a bug in the core; the state is still the
        // best there is, so keep going rather than poisoning every later call.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `f` on the core, then routes events, wakes the driver and sends what came out.
    pub(crate) async fn with_core<R>(
        self: &Arc<Self>,
        f: impl FnOnce(&mut PeerConnection, Instant) -> R,
    ) -> R {
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
}

impl State {
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

    fn route_events(&mut self, inner: &Arc<Inner>) {
        let mut any = false;
        self.media.route(&mut self.core);
        if self.core.connection_state() == PeerConnectionState::Closed {
            self.media.close();
        }
        while let Some(event) = self.core.poll_event() {
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
                    self.wake_all_channels_on_terminal(s);
                    Some(PeerConnectionEvent::ConnectionStateChange(s))
                }
                Event::SignalingStateChange(s) => {
                    Some(PeerConnectionEvent::SignalingStateChange(s))
                }
                Event::NegotiationNeeded => Some(PeerConnectionEvent::NegotiationNeeded),
                Event::DataChannel(id) => {
                    let signals = self.signals(id);
                    Some(PeerConnectionEvent::DataChannel(RTCDataChannel::new(
                        inner.clone(),
                        id,
                        signals,
                    )))
                }
                Event::ChannelError(id, why) => {
                    let signals = self.signals(id);
                    *signals.error.lock().unwrap_or_else(|e| e.into_inner()) = Some(why);
                    signals.notify.notify_waiters();
                    None
                }
                Event::Track(id) => {
                    self.media.started(id);
                    Some(PeerConnectionEvent::Track(
                        crate::media::RTCRtpTransceiver::new(inner.clone(), id),
                    ))
                }
                Event::TrackEnded(id) => {
                    self.media.ended(id);
                    None
                }
                Event::ChannelOpen(id)
                | Event::ChannelMessage(id)
                | Event::ChannelBufferedAmountLow(id)
                | Event::ChannelClosing(id)
                | Event::ChannelClose(id) => {
                    self.signals(id).notify.notify_waiters();
                    None
                }
            };
            if let Some(e) = user {
                if self.events.len() >= MAX_QUEUED_EVENTS {
                    self.events.pop_front();
                    self.events_dropped += 1;
                }
                self.events.push_back(e);
                any = true;
            }
        }
        if any {
            inner.events_ready.notify_waiters();
        }
    }

    fn wake_all_channels_on_terminal(&self, s: PeerConnectionState) {
        if matches!(s, PeerConnectionState::Closed | PeerConnectionState::Failed) {
            for c in self.channels.values() {
                c.notify.notify_waiters();
            }
        }
    }

    pub(crate) fn signals(&mut self, id: ChannelId) -> Arc<ChannelSignals> {
        self.channels
            .entry(id)
            .or_insert_with(|| Arc::new(ChannelSignals::default()))
            .clone()
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
        let gather_plan = crate::gather::Plan::new(&config)?;
        let core_config = Config {
            certificate: config.certificates.first().cloned(),
            bundle_policy: config.bundle_policy,
            max_message_size: config.max_message_size,
            ..Config::default()
        };
        let mut core = PeerConnection::new(core_config)?;
        let now = Instant::now();
        let mut sockets = Vec::new();
        if config.ice_transport_policy == RTCIceTransportPolicy::All {
            let addrs = host_addresses(&config.interfaces)
                .map_err(|e| io_error("listing interfaces", e))?;
            for (i, ip) in addrs.iter().enumerate() {
                let socket = bind_in_range(*ip, config.port_range.clone())?;
                // RFC 8421: distinct local preferences order the interfaces.
                let preference = 65535u16.saturating_sub(i as u16 * 256);
                core.add_local_candidate(
                    now,
                    rtcio_ice::Candidate::host(socket.local_addr(), preference),
                );
                sockets.push(Arc::new(socket));
            }
        }
        if gather_plan.is_empty() {
            core.end_of_local_candidates(now);
        }
        let gather_hub = Arc::new(crate::gather::Hub::default());

        let (shutdown, _) = watch::channel(false);
        let inner = Arc::new(Inner {
            state: Mutex::new(State {
                core,
                sockets: sockets.clone(),
                events: VecDeque::new(),
                channels: HashMap::new(),
                events_dropped: 0,
                gather: gather_hub.clone(),
                mdns: Default::default(),
                media: Default::default(),
            }),
            wake_driver: Arc::new(Notify::new()),
            events_ready: Notify::new(),
            shutdown,
            config,
        });
        tokio::spawn(drive(
            Arc::downgrade(&inner),
            inner.wake_driver.clone(),
            inner.shutdown.subscribe(),
        ));
        // STUN/TURN gathering runs in its own tasks; host candidates are already in.
        gather_plan.start(
            &inner,
            gather_hub,
            sockets.clone(),
            inner.shutdown.subscribe(),
        );
        for socket in sockets {
            tokio::spawn(receive(
                Arc::downgrade(&inner),
                socket,
                inner.shutdown.subscribe(),
            ));
        }
        Ok(RTCPeerConnection { inner })
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

    /// W3C `restartIce`.
    pub fn restart_ice(&self) {
        let mut st = self.inner.lock();
        st.core.restart_ice();
        st.route_events(&self.inner);
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
        loop {
            let notified = self.inner.events_ready.notified();
            {
                let mut st = self.inner.lock();
                if let Some(e) = st.events.pop_front() {
                    return Some(e);
                }
                if st.core.connection_state() == PeerConnectionState::Closed {
                    return None;
                }
            }
            notified.await;
        }
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
        let mut config = self.inner.config.clone();
        if config.certificates.is_empty() {
            config.certificates = vec![self.inner.lock().core.certificate().clone()];
        }
        config
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

    /// W3C `getStats()`: peer-connection, transport, candidate-pair, candidates,
    /// certificates and data channels.
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
        self.inner.shutdown.send_replace(true);
        self.inner.events_ready.notify_waiters();
        let mut st = self.inner.lock();
        for c in st.channels.values() {
            c.notify.notify_waiters();
        }
        st.sockets.clear();
    }
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
async fn drive(inner: Weak<Inner>, wake: Arc<Notify>, mut shutdown: watch::Receiver<bool>) {
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
            let closed = st.core.connection_state() == PeerConnectionState::Closed;
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
async fn receive(inner: Weak<Inner>, socket: Arc<UdpSocket>, mut shutdown: watch::Receiver<bool>) {
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
