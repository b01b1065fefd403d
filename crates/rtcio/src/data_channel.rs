//! `RTCDataChannel`: a handle onto one channel of a connection's core.

use std::sync::Arc;

use rtcio_proto::peer::{ChannelId, ChannelInfo, DataChannelState, Message, PeerConnectionState};
use tokio::sync::Notify;

use crate::error::Error;
use crate::peer_connection::Inner;

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
    inner: Arc<Inner>,
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
    pub(crate) fn new(inner: Arc<Inner>, id: ChannelId, signals: Arc<ChannelSignals>) -> Self {
        RTCDataChannel { inner, id, signals }
    }

    fn info(&self) -> Option<ChannelInfo> {
        self.inner.lock().core.channel_info(self.id)
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
        self.inner
            .lock()
            .core
            .set_buffered_amount_low_threshold(self.id, threshold);
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
        // Only queue: the driver task sends. While it is busy, further messages pile up and
        // leave together, bundled into full SCTP packets and segmented sends, which is where
        // small-message rates are won (one system call per message caps them near 40k/s).
        let result = {
            let mut st = self.inner.lock();
            st.core
                .channel_send(std::time::Instant::now(), self.id, data, binary)
        };
        self.inner.wake_driver();
        result
    }

    /// The next message, or `None` once the channel is closed and drained.
    pub async fn recv(&self) -> Option<Message> {
        loop {
            let notified = self.signals.notify.notified();
            {
                let mut st = self.inner.lock();
                if let Some(m) = st.core.channel_recv(self.id) {
                    drop(st);
                    let n = self
                        .signals
                        .read
                        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if n.is_multiple_of(WAKE_EVERY_READS) {
                        self.inner.wake_driver();
                    }
                    return Some(m);
                }
                let closed = st
                    .core
                    .channel_info(self.id)
                    .is_none_or(|i| i.ready_state == DataChannelState::Closed);
                if closed || connection_over(st.core.connection_state()) {
                    return None;
                }
            }
            // Caught up: whatever window update reading made possible goes out now.
            self.inner.wake_driver();
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
                        && !connection_over(self.inner.lock().core.connection_state()) => {}
                _ => return,
            }
            notified.await;
        }
    }

    async fn wait_state(&self, done: impl Fn(DataChannelState) -> bool) {
        loop {
            let notified = self.signals.notify.notified();
            let state = self.ready_state();
            if done(state) || connection_over(self.inner.lock().core.connection_state()) {
                return;
            }
            notified.await;
        }
    }

    /// W3C `close`: resets the channel's streams; `close` follows when the peer confirms.
    pub async fn close(&self) {
        let id = self.id;
        self.inner
            .with_core(|core, now| core.channel_close(now, id))
            .await;
    }
}

fn connection_over(s: PeerConnectionState) -> bool {
    matches!(s, PeerConnectionState::Closed | PeerConnectionState::Failed)
}
