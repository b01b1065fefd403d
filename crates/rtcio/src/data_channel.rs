//! `RTCDataChannel`: a handle onto one channel of a core, a peer connection's or an ORTC
//! `RTCSctpTransport`'s (both reach it through [`ChannelHost`]).

use std::sync::Arc;
use std::time::Instant;

use rtcio_proto::peer::{ChannelId, ChannelInfo, DataChannelState, Message};
use tokio::sync::Notify;

use crate::error::Error;
use crate::peer_connection::{Core, Inner};

/// Wakes tasks waiting on a channel (message, open, close, buffered-amount-low); waiters re-check
/// the channel's state in the core after every wake.
#[derive(Debug, Default)]
pub(crate) struct ChannelSignals {
    pub(crate) notify: Notify,
    /// Messages read, to wake the driver now and then (see `recv`).
    read: std::sync::atomic::AtomicU32,
    /// The `error` event's reason, once one fired.
    pub(crate) error: std::sync::Mutex<Option<String>>,
}

impl ChannelSignals {
    /// Records the `error` event's reason and wakes the channel's waiters.
    pub(crate) fn set_error(&self, why: String) {
        *self.error.lock().unwrap_or_else(|e| e.into_inner()) = Some(why);
        self.notify.notify_waiters();
    }
}

/// What a channel needs from the connection or transport it lives on: its core's channel calls
/// under the core's lock, and the driver that sends what they queue.
pub(crate) trait ChannelHost: Send + Sync {
    /// The channel's attributes and state.
    fn info(&self, id: ChannelId) -> Option<ChannelInfo>;
    /// Sets `bufferedAmountLowThreshold`.
    fn set_threshold(&self, id: ChannelId, threshold: u64);
    /// Queues a message (the driver sends it).
    fn send(&self, id: ChannelId, data: &[u8], binary: bool) -> Result<(), Error>;
    /// The next message; `Err(())` when none will come any more (closed, or the transports
    /// under the channel ended).
    fn recv(&self, id: ChannelId) -> Result<Option<Message>, ()>;
    /// Whether the transports under the channel ended (closed or failed).
    fn over(&self) -> bool;
    /// Starts closing the channel.
    fn close(&self, id: ChannelId);
    /// Asks the driver to send what is queued.
    fn wake(&self);
}

impl<C: Core> ChannelHost for Inner<C> {
    fn info(&self, id: ChannelId) -> Option<ChannelInfo> {
        self.lock().core.channel_info(id)
    }
    fn set_threshold(&self, id: ChannelId, threshold: u64) {
        self.lock()
            .core
            .set_buffered_amount_low_threshold(id, threshold);
    }
    fn send(&self, id: ChannelId, data: &[u8], binary: bool) -> Result<(), Error> {
        // Only queue: the driver task sends. While it is busy, further messages pile up and
        // leave together, bundled into full SCTP packets and segmented sends, which is where
        // small-message rates are won (one system call per message caps them near 40k/s).
        let result = self
            .lock()
            .core
            .channel_send(Instant::now(), id, data, binary);
        self.wake_driver();
        result
    }
    fn recv(&self, id: ChannelId) -> Result<Option<Message>, ()> {
        let mut st = self.lock();
        if let Some(m) = st.core.channel_recv(id) {
            return Ok(Some(m));
        }
        let closed = st
            .core
            .channel_info(id)
            .is_none_or(|i| i.ready_state == DataChannelState::Closed);
        if closed || st.core.channels_over() {
            Err(())
        } else {
            Ok(None)
        }
    }
    fn over(&self) -> bool {
        self.lock().core.channels_over()
    }
    fn close(&self, id: ChannelId) {
        let mut st = self.lock();
        st.core.channel_close(Instant::now(), id);
        // The closing/close events concern this channel's waiters; the driver sends the reset.
        let signals = st.signals(id);
        drop(st);
        signals.notify.notify_waiters();
        self.wake_driver();
    }
    fn wake(&self) {
        self.wake_driver();
    }
}

/// Reading frees receive-window space; the driver sends the window update. Waking it for every
/// message would cost a driver cycle per message, so it is woken every this many reads and
/// whenever the reader has caught up.
const WAKE_EVERY_READS: u32 = 32;

/// W3C `RTCDataChannel`.
///
/// Messages stay in the connection until [`recv`](Self::recv) takes them, and count against the
/// SCTP receive window meanwhile, so a slow reader slows the sender instead of growing memory.
#[derive(Clone)]
pub struct RTCDataChannel {
    host: Arc<dyn ChannelHost>,
    id: ChannelId,
    signals: Arc<ChannelSignals>,
}

impl std::fmt::Debug for RTCDataChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RTCDataChannel")
            .field("label", &self.label())
            .field("ready_state", &self.ready_state())
            .finish()
    }
}

impl RTCDataChannel {
    pub(crate) fn new(
        host: Arc<dyn ChannelHost>,
        id: ChannelId,
        signals: Arc<ChannelSignals>,
    ) -> Self {
        RTCDataChannel { host, id, signals }
    }

    fn info(&self) -> Option<ChannelInfo> {
        self.host.info(self.id)
    }

    /// W3C `label`.
    pub fn label(&self) -> String {
        self.info().map(|i| i.label).unwrap_or_default()
    }

    /// W3C `protocol`.
    pub fn protocol(&self) -> String {
        self.info().map(|i| i.protocol).unwrap_or_default()
    }

    /// W3C `id`: the SCTP stream id, once the DTLS role is known.
    pub fn id(&self) -> Option<u16> {
        self.info().and_then(|i| i.id)
    }

    /// W3C `ordered`.
    pub fn ordered(&self) -> bool {
        self.info().is_none_or(|i| i.ordered)
    }

    /// W3C `maxRetransmits`.
    pub fn max_retransmits(&self) -> Option<u16> {
        self.info().and_then(|i| i.max_retransmits)
    }

    /// W3C `maxPacketLifeTime` in milliseconds.
    pub fn max_packet_life_time(&self) -> Option<u16> {
        self.info().and_then(|i| i.max_packet_life_time)
    }

    /// W3C `negotiated`.
    pub fn negotiated(&self) -> bool {
        self.info().is_some_and(|i| i.negotiated)
    }

    /// The reason of the channel's `error` event (the association failed or the peer aborted
    /// it), if one fired.
    pub fn error(&self) -> Option<String> {
        self.signals
            .error
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// W3C `readyState`.
    pub fn ready_state(&self) -> DataChannelState {
        self.info()
            .map(|i| i.ready_state)
            .unwrap_or(DataChannelState::Closed)
    }

    /// W3C `bufferedAmount`: bytes queued and not yet handed to the network.
    pub fn buffered_amount(&self) -> u64 {
        self.info().map(|i| i.buffered_amount).unwrap_or(0)
    }

    /// W3C `bufferedAmountLowThreshold`.
    pub fn buffered_amount_low_threshold(&self) -> u64 {
        self.info()
            .map(|i| i.buffered_amount_low_threshold)
            .unwrap_or(0)
    }

    /// Sets W3C `bufferedAmountLowThreshold`.
    pub fn set_buffered_amount_low_threshold(&self, threshold: u64) {
        self.host.set_threshold(self.id, threshold);
    }

    /// Sends a text message (PPID string; an empty string is sent as RFC 8831 requires).
    pub async fn send_text(&self, text: &str) -> Result<(), Error> {
        self.send(text.as_bytes(), false).await
    }

    /// Sends a binary message.
    pub async fn send_binary(&self, data: &[u8]) -> Result<(), Error> {
        self.send(data, true).await
    }

    async fn send(&self, data: &[u8], binary: bool) -> Result<(), Error> {
        self.host.send(self.id, data, binary)
    }

    /// The next message, or `None` once the channel is closed and drained.
    pub async fn recv(&self) -> Option<Message> {
        loop {
            let notified = self.signals.notify.notified();
            match self.host.recv(self.id) {
                Ok(Some(m)) => {
                    let n = self
                        .signals
                        .read
                        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if n.is_multiple_of(WAKE_EVERY_READS) {
                        self.host.wake();
                    }
                    return Some(m);
                }
                Ok(None) => {}
                Err(()) => return None,
            }
            // Caught up: whatever window update reading made possible goes out now.
            self.host.wake();
            notified.await;
        }
    }

    /// Waits for `open`; fails if the channel closes first.
    pub async fn opened(&self) -> Result<(), Error> {
        self.wait_state(|s| s != DataChannelState::Connecting).await;
        match self.ready_state() {
            DataChannelState::Open => Ok(()),
            s => Err(Error::InvalidState(format!(
                "channel is {s} instead of open"
            ))),
        }
    }

    /// Waits for `close`.
    pub async fn closed(&self) {
        self.wait_state(|s| s == DataChannelState::Closed).await;
    }

    /// Waits until `bufferedAmount` is at or below the low threshold (`bufferedamountlow`).
    pub async fn buffered_amount_low(&self) {
        loop {
            let notified = self.signals.notify.notified();
            match self.info() {
                Some(i)
                    if i.buffered_amount > i.buffered_amount_low_threshold
                        && i.ready_state == DataChannelState::Open
                        && !self.host.over() => {}
                _ => return,
            }
            notified.await;
        }
    }

    async fn wait_state(&self, done: impl Fn(DataChannelState) -> bool) {
        loop {
            let notified = self.signals.notify.notified();
            let state = self.ready_state();
            if done(state) || self.host.over() {
                return;
            }
            notified.await;
        }
    }

    /// W3C `close`: resets the channel's streams; `close` follows when the peer confirms.
    pub async fn close(&self) {
        self.host.close(self.id);
    }
}
