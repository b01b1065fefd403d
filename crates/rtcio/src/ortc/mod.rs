//! ORTC objects usable directly, as aiortc's: [`RTCIceGatherer`], [`RTCIceTransport`],
//! [`RTCDtlsTransport`], [`RTCSctpTransport`] and data channels over them, each started with
//! the other side's parameters and stopped on its own.
//!
//! One chain of objects (a gatherer, the ICE transport made from it, the DTLS transport over
//! that, the SCTP transport over that) shares one sans-IO
//! [`TransportStack`] behind the same lock, driver and
//! receive tasks as `RTCPeerConnection` (see `crate::peer_connection::Core`). The objects are
//! handles onto it. State changes are read with `state()` or streamed with `state_changes()`;
//! the SCTP transport's incoming channels with [`RTCSctpTransport::next_data_channel`].
//!
//! `RTCPeerConnection::sctp()` gives the same objects as views onto a peer connection's
//! transports: their getters work, while starting and stopping them is the connection's job.

mod dtls_transport;
mod ice_gatherer;
mod ice_transport;
mod sctp_transport;

use std::sync::Arc;
use std::time::Instant;

use rtcio_dtls::{Certificate, DtlsTransportState};
use rtcio_ice::IceConnectionState;
use rtcio_proto::peer::{ChannelId, ChannelInfo, Message, PeerConnection, Receive, Transmit};
use rtcio_proto::transport::{SctpTransportState, TransportEvent, TransportStack};
use tokio::sync::broadcast;

use crate::data_channel::RTCDataChannel;
use crate::error::Error;
use crate::peer_connection::{Core, Inner, State};

pub use dtls_transport::{RTCDtlsFingerprint, RTCDtlsParameters, RTCDtlsRole, RTCDtlsTransport};
pub use ice_gatherer::{RTCIceCandidate, RTCIceGatherer, RTCIceGathererState, RTCIceParameters};
pub use ice_transport::RTCIceTransport;
pub use sctp_transport::{RTCDataChannelParameters, RTCSctpCapabilities, RTCSctpTransport};

/// Most state changes a `state_changes()` stream holds for a reader that does not keep up;
/// older ones are skipped (the current state is always readable with `state()`).
pub const MAX_QUEUED_STATE_CHANGES: usize = 32;

/// Most remote candidates one ICE transport accepts (each becomes up to one pair per local
/// candidate).
pub const MAX_REMOTE_CANDIDATES: usize = 256;

/// A stream of an object's state changes, ending after its terminal state (`closed`).
#[derive(Debug)]
pub struct StateChanges<T> {
    rx: broadcast::Receiver<T>,
    terminal: fn(&T) -> bool,
    done: bool,
}

impl<T: Clone> StateChanges<T> {
    /// The next state, or `None` once the object is closed.
    pub async fn next(&mut self) -> Option<T> {
        if self.done {
            return None;
        }
        loop {
            match self.rx.recv().await {
                Ok(s) => {
                    self.done = (self.terminal)(&s);
                    return Some(s);
                }
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    }
}

/// The sans-IO core of an ORTC chain: the transport stack plus what the ORTC objects add.
pub(crate) struct OrtcCore {
    pub(crate) stack: TransportStack,
    gatherer: RTCIceGathererState,
    /// Remote candidates given before `start` (the agent only exists from then on), and
    /// whether the end-of-candidates came too.
    pending_remote: Vec<rtcio_ice::Candidate>,
    pending_end: bool,
    remote_candidates: Vec<rtcio_ice::Candidate>,
    /// The DTLS transport's certificate, once an `RTCDtlsTransport` was made.
    certificate: Option<Certificate>,
    sctp_port: Option<u16>,
    /// A state change not reported by the stack (the gatherer's) waits to wake waiters.
    changed: bool,
    gatherer_states: broadcast::Sender<RTCIceGathererState>,
    ice_states: broadcast::Sender<IceConnectionState>,
    dtls_states: broadcast::Sender<DtlsTransportState>,
    sctp_states: broadcast::Sender<SctpTransportState>,
}

impl OrtcCore {
    fn new(stack: TransportStack) -> Self {
        OrtcCore {
            stack,
            gatherer: RTCIceGathererState::New,
            pending_remote: Vec::new(),
            pending_end: false,
            remote_candidates: Vec::new(),
            certificate: None,
            sctp_port: None,
            changed: false,
            gatherer_states: broadcast::channel(MAX_QUEUED_STATE_CHANGES).0,
            ice_states: broadcast::channel(MAX_QUEUED_STATE_CHANGES).0,
            dtls_states: broadcast::channel(MAX_QUEUED_STATE_CHANGES).0,
            sctp_states: broadcast::channel(MAX_QUEUED_STATE_CHANGES).0,
        }
    }

    fn set_gatherer_state(&mut self, state: RTCIceGathererState) {
        if state != self.gatherer {
            self.gatherer = state;
            self.changed = true;
            // No receiver is not an error: nobody asked for the stream.
            let _ = self.gatherer_states.send(state);
        }
    }
}

impl Core for OrtcCore {
    type Event = RTCDataChannel;

    fn handle_receive(&mut self, now: Instant, recv: Receive<'_>) {
        self.stack.handle_receive(now, recv);
    }
    fn handle_timeout(&mut self, now: Instant) {
        self.stack.handle_timeout(now);
    }
    fn poll_timeout(&self) -> Option<Instant> {
        self.stack.poll_timeout()
    }
    fn poll_transmit(&mut self) -> Option<Transmit> {
        self.stack.poll_transmit()
    }
    fn add_local_candidate(&mut self, now: Instant, candidate: rtcio_ice::Candidate) {
        self.stack.add_local_candidate(now, candidate);
    }
    fn end_of_local_candidates(&mut self, now: Instant) {
        self.stack.end_of_local_candidates(now);
        self.set_gatherer_state(RTCIceGathererState::Complete);
    }
    fn is_closed(&self) -> bool {
        self.stack.ice_state() == IceConnectionState::Closed
    }
    fn channels_over(&self) -> bool {
        self.stack.sctp_state() == SctpTransportState::Closed
            || matches!(
                self.stack.dtls_state(),
                Some(DtlsTransportState::Failed | DtlsTransportState::Closed)
            )
            || matches!(
                self.stack.ice_state(),
                IceConnectionState::Failed | IceConnectionState::Closed
            )
    }
    fn channel_info(&self, id: ChannelId) -> Option<ChannelInfo> {
        self.stack.channel_info(id)
    }
    fn channel_send(
        &mut self,
        now: Instant,
        id: ChannelId,
        data: &[u8],
        binary: bool,
    ) -> Result<(), Error> {
        self.stack.channel_send(now, id, data, binary)
    }
    fn channel_recv(&mut self, id: ChannelId) -> Option<Message> {
        self.stack.channel_recv(id)
    }
    fn channel_close(&mut self, now: Instant, id: ChannelId) {
        self.stack.channel_close(now, id);
    }
    fn set_buffered_amount_low_threshold(&mut self, id: ChannelId, threshold: u64) {
        self.stack.set_buffered_amount_low_threshold(id, threshold);
    }

    fn route_events(st: &mut State<Self>, inner: &Arc<Inner<Self>>) -> bool {
        // State changes wake `start()` and `opened()` waiters too, so any change counts.
        let mut any = std::mem::take(&mut st.core.changed);
        while let Some(event) = st.core.stack.poll_event() {
            any = true;
            match event {
                TransportEvent::IceStateChange(s) => {
                    let _ = st.core.ice_states.send(s);
                    if matches!(s, IceConnectionState::Failed | IceConnectionState::Closed) {
                        st.wake_all_channels();
                    }
                }
                TransportEvent::DtlsStateChange(s) => {
                    let _ = st.core.dtls_states.send(s);
                    if matches!(s, DtlsTransportState::Failed | DtlsTransportState::Closed) {
                        st.wake_all_channels();
                    }
                }
                TransportEvent::SctpStateChange(s) => {
                    let _ = st.core.sctp_states.send(s);
                    if s == SctpTransportState::Closed {
                        st.wake_all_channels();
                    }
                }
                TransportEvent::SelectedCandidatePairChange { .. } => {}
                TransportEvent::DataChannel(id) => {
                    let signals = st.signals(id);
                    st.push_event(RTCDataChannel::new(inner.clone(), id, signals));
                }
                TransportEvent::ChannelError(id, why) => st.signals(id).set_error(why),
                TransportEvent::ChannelOpen(id)
                | TransportEvent::ChannelMessage(id)
                | TransportEvent::ChannelBufferedAmountLow(id)
                | TransportEvent::ChannelClosing(id)
                | TransportEvent::ChannelClose(id) => st.signals(id).notify.notify_waiters(),
            }
        }
        any
    }
}

/// What an ORTC object is a handle onto: its own chain, or a peer connection's transports.
#[derive(Clone)]
pub(crate) enum Chain {
    Ortc(Arc<Inner<OrtcCore>>),
    Peer(Arc<Inner<PeerConnection>>),
}

impl Chain {
    /// Reads the transport stack.
    fn with_stack<R>(&self, f: impl FnOnce(&TransportStack) -> R) -> R {
        match self {
            Chain::Ortc(inner) => f(&inner.lock().core.stack),
            Chain::Peer(inner) => f(inner.lock().core.transport()),
        }
    }

    /// The chain's own core, or `InvalidStateError` for a peer connection's view (whose
    /// transports the connection starts and stops).
    fn ortc(&self) -> Result<&Arc<Inner<OrtcCore>>, Error> {
        match self {
            Chain::Ortc(inner) => Ok(inner),
            Chain::Peer(_) => Err(Error::InvalidState(
                "this transport belongs to an RTCPeerConnection, which starts and stops it".into(),
            )),
        }
    }

    /// Runs `f` on the ORTC core (routing events and sending what it produced).
    async fn with_ortc<R>(
        &self,
        f: impl FnOnce(&mut OrtcCore, Instant) -> Result<R, Error>,
    ) -> Result<R, Error> {
        self.ortc()?.with_core(f).await
    }

    /// Waits until `done` holds for the ORTC core (re-checked after every event).
    async fn wait(&self, done: impl Fn(&OrtcCore) -> bool) -> Result<(), Error> {
        let inner = self.ortc()?;
        loop {
            let notified = inner.events_ready.notified();
            if done(&inner.lock().core) {
                return Ok(());
            }
            notified.await;
        }
    }
}
