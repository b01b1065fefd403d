//! W3C data channels: the application's view of `rtcio_sctp::DataChannels`.
//!
//! The SCTP crate runs the channels on the wire (stream ids by DTLS role, DCEP, PPIDs, close by
//! stream reset). This layer adds what the W3C object needs on top: a handle that exists before
//! the association does (`createDataChannel` may come before any negotiation), the `closing`
//! step, per-channel inboxes the application reads at its own pace, and bounded buffering so
//! an application that does not read closes the SCTP receive window instead of growing memory.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::Instant;

use bytes::Bytes;
use rtcio_dtls::DtlsRole;
use rtcio_sctp::{
    ChannelEvent, ChannelInit, CloseReason, Config as SctpConfig, DataChannels as SctpChannels,
};

use super::event::{ChannelId, SctpTransportState, TransportEvent as Event};
use crate::peer::Error;

/// Stream id 65535 is reserved (RFC 8832 §6).
const MAX_STREAM_ID: u16 = 65534;
/// Most channels at once; each holds a stream in both directions.
const MAX_CHANNELS: usize = 65534;
/// RFC 8832 §5.1: label and protocol lengths are 16-bit.
const MAX_LABEL_LEN: usize = 65535;
/// Received bytes held for the application beyond what the association holds; past this the
/// association's queue fills and its receive window closes, so a slow reader slows the sender.
const MAX_INBOX_BYTES: usize = 1 << 20;

/// W3C `RTCDataChannelInit`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataChannelInit {
    /// Deliver in order (default true).
    pub ordered: bool,
    /// Give up on a message after this many milliseconds.
    pub max_packet_life_time: Option<u16>,
    /// Give up on a message after this many retransmissions.
    pub max_retransmits: Option<u16>,
    /// Sub-protocol name.
    pub protocol: String,
    /// The application negotiates the channel out of band with `id` (no DCEP).
    pub negotiated: bool,
    /// The stream id of a negotiated channel.
    pub id: Option<u16>,
    /// DCEP priority (256 is "normal").
    pub priority: u16,
}

impl Default for DataChannelInit {
    fn default() -> Self {
        DataChannelInit {
            ordered: true,
            max_packet_life_time: None,
            max_retransmits: None,
            protocol: String::new(),
            negotiated: false,
            id: None,
            priority: 256,
        }
    }
}

/// W3C `RTCDataChannelState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataChannelState {
    /// Waiting for the association (or the stream id).
    Connecting,
    /// Messages flow.
    Open,
    /// Closing: the stream reset is under way.
    Closing,
    /// Closed.
    Closed,
}

impl DataChannelState {
    /// The W3C name.
    pub fn as_str(self) -> &'static str {
        match self {
            DataChannelState::Connecting => "connecting",
            DataChannelState::Open => "open",
            DataChannelState::Closing => "closing",
            DataChannelState::Closed => "closed",
        }
    }
}

impl std::fmt::Display for DataChannelState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A received message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The bytes (UTF-8 for text).
    pub data: Bytes,
    /// Binary (`ArrayBuffer`) rather than text.
    pub binary: bool,
}

/// A channel's attributes and state, as the W3C object exposes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelInfo {
    /// `label`.
    pub label: String,
    /// `protocol`.
    pub protocol: String,
    /// `ordered`.
    pub ordered: bool,
    /// `maxPacketLifeTime`.
    pub max_packet_life_time: Option<u16>,
    /// `maxRetransmits`.
    pub max_retransmits: Option<u16>,
    /// `negotiated`.
    pub negotiated: bool,
    /// `id`: the SCTP stream id, once assigned.
    pub id: Option<u16>,
    /// `readyState`.
    pub ready_state: DataChannelState,
    /// `bufferedAmount`.
    pub buffered_amount: u64,
    /// `bufferedAmountLowThreshold`.
    pub buffered_amount_low_threshold: u64,
}

#[derive(Debug)]
struct Channel {
    init: ChannelInit,
    stream: Option<u16>,
    state: DataChannelState,
    inbox: VecDeque<Message>,
    low_threshold: u64,
    counters: ChannelCounters,
}

/// Traffic of one channel (W3C `RTCDataChannelStats`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct ChannelCounters {
    pub(crate) messages_sent: u64,
    pub(crate) bytes_sent: u64,
    pub(crate) messages_received: u64,
    pub(crate) bytes_received: u64,
}

/// The SCTP parameters of an association: our port and the peer's port and message limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SctpParameters {
    /// Local SCTP port (`a=sctp-port`, ORTC `RTCSctpTransport.port`).
    pub local_port: u16,
    /// The peer's SCTP port.
    pub remote_port: u16,
    /// The largest message the peer accepts (`a=max-message-size`, ORTC
    /// `RTCSctpCapabilities.maxMessageSize`); 0 means no limit (RFC 8841 §6).
    pub remote_max_message_size: u64,
}

/// The data channels of one SCTP transport.
pub(crate) struct DataChannels {
    max_message_size: u64,
    remote: Option<SctpParameters>,
    state: SctpTransportState,
    /// `stop()` was called: no association and no new channels any more.
    stopped: bool,
    role: Option<DtlsRole>,
    sctp: Option<SctpChannels>,
    channels: BTreeMap<u32, Channel>,
    next_id: u32,
    by_stream: HashMap<u16, u32>,
    events: VecDeque<Event>,
    inbox_bytes: usize,
    seed: [u8; 32],
    /// Channels whose streams ended with the association, waiting for its close reason.
    ending: Vec<u32>,
    /// `dataChannelsOpened` / `dataChannelsClosed`.
    pub(crate) opened: u32,
    pub(crate) closed: u32,
}

impl DataChannels {
    pub(crate) fn new(max_message_size: u64, seed: [u8; 32]) -> Self {
        DataChannels {
            max_message_size,
            remote: None,
            state: SctpTransportState::New,
            stopped: false,
            role: None,
            sctp: None,
            channels: BTreeMap::new(),
            next_id: 0,
            by_stream: HashMap::new(),
            events: VecDeque::new(),
            inbox_bytes: 0,
            seed,
            ending: Vec::new(),
            opened: 0,
            closed: 0,
        }
    }

    /// Whether a data section is needed (some channel exists or existed).
    pub(crate) fn wanted(&self) -> bool {
        self.next_id > 0
    }

    /// Messages the SCTP layer dropped (unknown stream, bad DCEP or PPID).
    pub(crate) fn dropped_messages(&self) -> u64 {
        self.sctp.as_ref().map_or(0, |s| s.dropped_messages)
    }

    pub(crate) fn set_remote(&mut self, remote: SctpParameters) {
        self.remote = Some(remote);
    }

    pub(crate) fn remote(&self) -> Option<SctpParameters> {
        self.remote
    }

    pub(crate) fn state(&self) -> SctpTransportState {
        self.state
    }

    pub(crate) fn is_stopped(&self) -> bool {
        self.stopped
    }

    fn set_state(&mut self, state: SctpTransportState) {
        if state != self.state {
            self.state = state;
            self.events.push_back(Event::SctpStateChange(state));
        }
    }

    pub(crate) fn set_dtls_role(&mut self, role: DtlsRole) {
        self.role = Some(role);
    }

    pub(crate) fn create(
        &mut self,
        now: Instant,
        label: &str,
        init: DataChannelInit,
    ) -> Result<ChannelId, Error> {
        if label.len() > MAX_LABEL_LEN || init.protocol.len() > MAX_LABEL_LEN {
            return Err(Error::Type(
                "label and protocol are limited to 65535 bytes".into(),
            ));
        }
        if init.max_packet_life_time.is_some() && init.max_retransmits.is_some() {
            return Err(Error::Type(
                "maxPacketLifeTime and maxRetransmits cannot both be set".into(),
            ));
        }
        if self.stopped {
            return Err(Error::InvalidState("the SCTP transport is stopped".into()));
        }
        if self.channels.len() >= MAX_CHANNELS {
            return Err(Error::Operation("too many data channels".into()));
        }
        let negotiated = if init.negotiated {
            let id = init
                .id
                .ok_or_else(|| Error::Type("a negotiated channel needs an id".into()))?;
            if id > MAX_STREAM_ID {
                return Err(Error::Type(format!("channel id {id} is out of range")));
            }
            if self.by_stream.contains_key(&id)
                || self
                    .channels
                    .values()
                    .any(|c| c.init.negotiated == Some(id))
            {
                return Err(Error::Operation(format!("channel id {id} is in use")));
            }
            Some(id)
        } else {
            None
        };
        let id = self.next_id;
        self.next_id += 1;
        self.channels.insert(
            id,
            Channel {
                init: ChannelInit {
                    label: label.to_string(),
                    protocol: init.protocol,
                    ordered: init.ordered,
                    max_retransmits: init.max_retransmits,
                    max_packet_life_time: init.max_packet_life_time,
                    negotiated,
                    priority: init.priority,
                },
                stream: None,
                state: DataChannelState::Connecting,
                inbox: VecDeque::new(),
                low_threshold: 0,
                counters: ChannelCounters::default(),
            },
        );
        if self.sctp.is_some() {
            self.attach(now, id);
            self.pump(now);
        }
        Ok(ChannelId(id))
    }

    /// Creates the channel in the SCTP layer, which assigns its stream id.
    fn attach(&mut self, now: Instant, id: u32) {
        let (Some(sctp), Some(c)) = (self.sctp.as_mut(), self.channels.get_mut(&id)) else {
            return;
        };
        if c.stream.is_some() || c.state != DataChannelState::Connecting {
            return;
        }
        match sctp.create_channel(now, c.init.clone()) {
            Ok(stream) => {
                c.stream = Some(stream);
                if c.low_threshold > 0 {
                    sctp.set_buffered_amount_low_threshold(
                        stream,
                        usize::try_from(c.low_threshold).unwrap_or(usize::MAX),
                    );
                }
                self.by_stream.insert(stream, id);
            }
            Err(_) => self.finish_close(id),
        }
    }

    /// DTLS is up: start the association (both sides send INIT, as browsers do; RFC 9260
    /// §5.2.1 resolves the collision) and attach the channels created so far.
    pub(crate) fn start_sctp(&mut self, now: Instant) {
        if self.sctp.is_some() || self.stopped {
            return;
        }
        let (Some(remote), Some(role)) = (&self.remote, self.role) else {
            return;
        };
        let config = SctpConfig {
            local_port: remote.local_port,
            remote_port: remote.remote_port,
            max_message_size: usize::try_from(self.max_message_size).unwrap_or(usize::MAX),
            ..SctpConfig::default()
        };
        let role = match role {
            DtlsRole::Client => rtcio_sctp::DtlsRole::Client,
            DtlsRole::Server => rtcio_sctp::DtlsRole::Server,
        };
        let mut sctp = SctpChannels::new(config, now, &self.seed, role);
        sctp.connect(now);
        self.sctp = Some(sctp);
        self.set_state(SctpTransportState::Connecting);
        let ids: Vec<u32> = self.channels.keys().copied().collect();
        for id in ids {
            self.attach(now, id);
        }
        self.pump(now);
    }

    pub(crate) fn send(
        &mut self,
        now: Instant,
        id: ChannelId,
        data: &[u8],
        binary: bool,
        limit: Option<u64>,
    ) -> Result<(), Error> {
        let c = self
            .channels
            .get_mut(&id.0)
            .ok_or_else(|| Error::InvalidState("unknown data channel".into()))?;
        if c.state != DataChannelState::Open {
            return Err(Error::InvalidState(format!("data channel is {}", c.state)));
        }
        if let Some(limit) = limit
            && data.len() as u64 > limit
        {
            return Err(Error::Type(format!(
                "message of {} bytes exceeds the peer's maxMessageSize of {limit}",
                data.len()
            )));
        }
        let (Some(stream), Some(sctp)) = (c.stream, self.sctp.as_mut()) else {
            return Err(Error::InvalidState("data channel has no stream".into()));
        };
        sctp.send(now, stream, Bytes::copy_from_slice(data), binary)
            .map_err(|e| Error::Operation(format!("send failed: {e}")))?;
        c.counters.messages_sent += 1;
        c.counters.bytes_sent += data.len() as u64;
        Ok(())
    }

    pub(crate) fn recv(&mut self, id: ChannelId) -> Option<Message> {
        let c = self.channels.get_mut(&id.0)?;
        let m = c.inbox.pop_front();
        if let Some(m) = &m {
            self.inbox_bytes = self.inbox_bytes.saturating_sub(m.data.len());
        }
        self.reap(id.0);
        m
    }

    pub(crate) fn close(&mut self, now: Instant, id: ChannelId) {
        let Some(c) = self.channels.get_mut(&id.0) else {
            return;
        };
        if matches!(
            c.state,
            DataChannelState::Closing | DataChannelState::Closed
        ) {
            return;
        }
        let (Some(stream), Some(sctp)) = (c.stream, self.sctp.as_mut()) else {
            self.finish_close(id.0);
            return;
        };
        c.state = DataChannelState::Closing;
        self.events.push_back(Event::ChannelClosing(id));
        if sctp.close(stream).is_err() {
            self.finish_close(id.0);
        }
        self.pump(now);
    }

    fn finish_close(&mut self, id: u32) {
        let Some(c) = self.channels.get_mut(&id) else {
            return;
        };
        if c.state == DataChannelState::Closed {
            return;
        }
        if c.state != DataChannelState::Closing {
            self.events.push_back(Event::ChannelClosing(ChannelId(id)));
        }
        if c.state == DataChannelState::Open || c.state == DataChannelState::Closing {
            self.closed += 1;
        }
        c.state = DataChannelState::Closed;
        if let Some(s) = c.stream {
            self.by_stream.remove(&s);
        }
        self.events.push_back(Event::ChannelClose(ChannelId(id)));
        self.reap(id);
    }

    /// Forgets a closed channel once its messages were read, so closed channels hold nothing.
    fn reap(&mut self, id: u32) {
        if self
            .channels
            .get(&id)
            .is_some_and(|c| c.state == DataChannelState::Closed && c.inbox.is_empty())
        {
            self.channels.remove(&id);
        }
    }

    /// `RTCPeerConnection.close()`: abort the association, close every channel.
    pub(crate) fn close_all(&mut self) {
        if let Some(sctp) = self.sctp.as_mut() {
            sctp.association_mut().abort("peer connection closed");
        }
        let ids: Vec<u32> = self.channels.keys().copied().collect();
        for id in ids {
            self.finish_close(id);
        }
    }

    /// Drops the association and every channel's buffers (after `close`); the transport
    /// stays stopped.
    pub(crate) fn release(&mut self) {
        if self.sctp.is_some() {
            self.set_state(SctpTransportState::Closed);
        }
        self.stopped = true;
        self.sctp = None;
        self.ending.clear();
        self.channels.clear();
        self.by_stream.clear();
        self.inbox_bytes = 0;
    }

    pub(crate) fn set_buffered_amount_low_threshold(&mut self, id: ChannelId, threshold: u64) {
        let Some(c) = self.channels.get_mut(&id.0) else {
            return;
        };
        c.low_threshold = threshold;
        if let (Some(stream), Some(sctp)) = (c.stream, self.sctp.as_mut()) {
            sctp.set_buffered_amount_low_threshold(
                stream,
                usize::try_from(threshold).unwrap_or(usize::MAX),
            );
        }
    }

    pub(crate) fn info(&self, id: ChannelId) -> Option<ChannelInfo> {
        let c = self.channels.get(&id.0)?;
        let buffered = match (c.stream, &self.sctp) {
            (Some(s), Some(sctp)) if c.state != DataChannelState::Closed => sctp.buffered_amount(s),
            _ => 0,
        };
        Some(ChannelInfo {
            label: c.init.label.clone(),
            protocol: c.init.protocol.clone(),
            ordered: c.init.ordered,
            max_packet_life_time: c.init.max_packet_life_time,
            max_retransmits: c.init.max_retransmits,
            negotiated: c.init.negotiated.is_some(),
            id: c.stream.or(c.init.negotiated),
            ready_state: c.state,
            buffered_amount: buffered as u64,
            buffered_amount_low_threshold: c.low_threshold,
        })
    }

    /// Traffic counters of every channel not yet forgotten.
    pub(crate) fn counters(&self) -> Vec<(ChannelId, ChannelInfo, ChannelCounters)> {
        self.channels
            .keys()
            .filter_map(|id| {
                let info = self.info(ChannelId(*id))?;
                Some((ChannelId(*id), info, self.channels.get(id)?.counters))
            })
            .collect()
    }

    pub(crate) fn ids(&self) -> Vec<ChannelId> {
        self.channels.keys().map(|id| ChannelId(*id)).collect()
    }

    pub(crate) fn handle_sctp_packet(&mut self, now: Instant, packet: &[u8]) {
        if self.sctp.is_none() {
            // The peer's INIT can beat our own start by a moment.
            self.start_sctp(now);
        }
        if let Some(sctp) = self.sctp.as_mut() {
            sctp.handle_receive(now, packet);
        }
        self.pump(now);
    }

    pub(crate) fn handle_timeout(&mut self, now: Instant) {
        if let Some(sctp) = self.sctp.as_mut()
            && sctp.poll_timeout().is_some_and(|t| t <= now)
        {
            sctp.handle_timeout(now);
        }
        self.pump(now);
    }

    pub(crate) fn poll_timeout(&self) -> Option<Instant> {
        self.sctp.as_ref().and_then(|s| s.poll_timeout())
    }

    pub(crate) fn poll_transmit(&mut self, now: Instant) -> Option<Vec<u8>> {
        self.sctp.as_mut()?.poll_transmit(now)
    }

    pub(crate) fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// Takes SCTP-layer events while the inboxes have room, turning them into channel state
    /// and W3C events.
    pub(crate) fn pump(&mut self, _now: Instant) {
        while self.inbox_bytes < MAX_INBOX_BYTES {
            let Some(e) = self.sctp.as_mut().and_then(|s| s.poll_event()) else {
                break;
            };
            match e {
                ChannelEvent::Connected => self.set_state(SctpTransportState::Connected),
                ChannelEvent::ChannelOpen { id: stream } => {
                    if let Some(&id) = self.by_stream.get(&stream)
                        && let Some(c) = self.channels.get_mut(&id)
                        && c.state == DataChannelState::Connecting
                    {
                        c.state = DataChannelState::Open;
                        self.opened += 1;
                        self.events.push_back(Event::ChannelOpen(ChannelId(id)));
                    }
                }
                ChannelEvent::IncomingChannel { id: stream, init } => {
                    let id = self.next_id;
                    self.next_id += 1;
                    self.channels.insert(
                        id,
                        Channel {
                            init,
                            stream: Some(stream),
                            state: DataChannelState::Open,
                            inbox: VecDeque::new(),
                            low_threshold: 0,
                            counters: ChannelCounters::default(),
                        },
                    );
                    self.by_stream.insert(stream, id);
                    self.opened += 1;
                    self.events.push_back(Event::DataChannel(ChannelId(id)));
                    self.events.push_back(Event::ChannelOpen(ChannelId(id)));
                }
                ChannelEvent::Message {
                    id: stream,
                    data,
                    binary,
                } => {
                    let Some(c) = self
                        .by_stream
                        .get(&stream)
                        .and_then(|id| self.channels.get_mut(id))
                    else {
                        continue;
                    };
                    self.inbox_bytes += data.len();
                    c.counters.messages_received += 1;
                    c.counters.bytes_received += data.len() as u64;
                    let was_empty = c.inbox.is_empty();
                    c.inbox.push_back(Message { data, binary });
                    if was_empty && let Some(&id) = self.by_stream.get(&stream) {
                        self.events.push_back(Event::ChannelMessage(ChannelId(id)));
                    }
                }
                ChannelEvent::BufferedAmountLow { id: stream } => {
                    if let Some(&id) = self.by_stream.get(&stream) {
                        self.events
                            .push_back(Event::ChannelBufferedAmountLow(ChannelId(id)));
                    }
                }
                ChannelEvent::ChannelClosed { id: stream } => {
                    if let Some(&id) = self.by_stream.get(&stream) {
                        if self
                            .sctp
                            .as_ref()
                            .is_some_and(|s| s.association().is_closed())
                        {
                            // The association ended: whether that is an error depends on the
                            // reason, which the `Closed` event right behind this one carries.
                            self.ending.push(id);
                        } else {
                            self.finish_close(id);
                        }
                    }
                }
                ChannelEvent::Closed { reason } => {
                    let failure = match reason {
                        CloseReason::Shutdown | CloseReason::LocalAbort => None,
                        CloseReason::PeerAbort(_) => Some("sctp-failure: the peer aborted"),
                        CloseReason::TooManyRetransmissions => {
                            Some("sctp-failure: the peer stopped acknowledging")
                        }
                        CloseReason::HandshakeTimeout => {
                            Some("sctp-failure: the association never came up")
                        }
                        CloseReason::ProtocolViolation => {
                            Some("sctp-failure: the peer broke the protocol")
                        }
                    };
                    self.set_state(SctpTransportState::Closed);
                    let mut ids = std::mem::take(&mut self.ending);
                    ids.extend(self.channels.keys().copied());
                    ids.sort_unstable();
                    ids.dedup();
                    for id in ids {
                        let open = self
                            .channels
                            .get(&id)
                            .is_some_and(|c| c.state != DataChannelState::Closed);
                        if let (Some(why), true) = (failure, open) {
                            self.events
                                .push_back(Event::ChannelError(ChannelId(id), why.to_string()));
                        }
                        self.finish_close(id);
                    }
                }
            }
        }
    }
}
