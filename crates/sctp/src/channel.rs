//! WebRTC data channels (RFC 8831) over one association: stream allocation by DTLS role,
//! in-band (DCEP) and negotiated channels, message framing by PPID, and close by resetting
//! both directions of the stream.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::association::{Association, Reliability};
use crate::config::Config;
use crate::dcep::{
    ChannelType, DataChannelOpen, DcepMessage, PPID_BINARY, PPID_BINARY_EMPTY, PPID_BINARY_PARTIAL,
    PPID_DCEP, PPID_STRING, PPID_STRING_EMPTY, PPID_STRING_PARTIAL,
};
use crate::error::Error;
use crate::event::{CloseReason, Event};
use crate::hash::StreamMap;

/// The DTLS role, which fixes the stream parity (RFC 8832 §6: the DTLS client uses even
/// stream identifiers, the server odd ones).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DtlsRole {
    /// DTLS client: even stream identifiers.
    Client,
    /// DTLS server: odd stream identifiers.
    Server,
}

/// Parameters of a new data channel (the W3C `RTCDataChannelInit`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelInit {
    /// Label.
    pub label: String,
    /// Sub-protocol.
    pub protocol: String,
    /// In-order delivery.
    pub ordered: bool,
    /// Partial reliability: retransmissions.
    pub max_retransmits: Option<u16>,
    /// Partial reliability: lifetime in milliseconds.
    pub max_packet_life_time: Option<u16>,
    /// Negotiated out of band on this stream identifier (no DCEP).
    pub negotiated: Option<u16>,
    /// DCEP priority.
    pub priority: u16,
}

impl Default for ChannelInit {
    fn default() -> Self {
        ChannelInit {
            label: String::new(),
            protocol: String::new(),
            ordered: true,
            max_retransmits: None,
            max_packet_life_time: None,
            negotiated: None,
            priority: 256,
        }
    }
}

/// W3C `RTCDataChannelState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadyState {
    /// Waiting for the association (or for the OPEN to be sent).
    Connecting,
    /// Messages flow.
    Open,
    /// Closing: the stream reset is in progress.
    Closing,
    /// Both directions are reset.
    Closed,
}

/// Per-channel counters (the W3C `RTCDataChannelStats` members).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChannelStats {
    /// Messages accepted by `send`.
    pub messages_sent: u64,
    /// Payload bytes accepted by `send`.
    pub bytes_sent: u64,
    /// Messages delivered.
    pub messages_received: u64,
    /// Payload bytes delivered.
    pub bytes_received: u64,
}

/// A data channel's parameters and state.
#[derive(Debug, Clone)]
pub struct Channel {
    /// Stream identifier (the W3C `id`).
    pub id: u16,
    /// Parameters.
    pub init: ChannelInit,
    /// State.
    pub state: ReadyState,
    /// Counters for `RTCDataChannelStats`.
    pub stats: ChannelStats,
    ack_received: bool,
    open_sent: bool,
    outgoing_reset: bool,
    incoming_reset: bool,
}

impl Channel {
    fn reliability(&self) -> Reliability {
        Reliability {
            // RFC 8832 §6: until the ACK arrives, messages are sent ordered.
            ordered: self.init.ordered || !self.ack_received,
            max_retransmits: self.init.max_retransmits,
            max_lifetime: self
                .init
                .max_packet_life_time
                .map(|ms| Duration::from_millis(u64::from(ms))),
        }
    }
}

/// What happened on the data channels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChannelEvent {
    /// The association is established.
    Connected,
    /// A locally created channel opened.
    ChannelOpen {
        /// Channel id.
        id: u16,
    },
    /// The peer opened a channel with DCEP; it is open.
    IncomingChannel {
        /// Channel id.
        id: u16,
        /// Its parameters as announced.
        init: ChannelInit,
    },
    /// A message arrived.
    Message {
        /// Channel id.
        id: u16,
        /// The message (empty for the RFC 8831 empty-message PPIDs).
        data: Bytes,
        /// Binary (true) or string (false).
        binary: bool,
    },
    /// The channel's buffered amount fell to its low threshold.
    BufferedAmountLow {
        /// Channel id.
        id: u16,
    },
    /// The channel closed (both stream directions reset).
    ChannelClosed {
        /// Channel id.
        id: u16,
    },
    /// The association ended; all channels are closed.
    Closed {
        /// Why.
        reason: CloseReason,
    },
}

/// Data channels on top of an [`Association`], sans-IO.
#[derive(Debug)]
pub struct DataChannels {
    assoc: Association,
    role: DtlsRole,
    channels: StreamMap<Channel>,
    events: VecDeque<ChannelEvent>,
    next_id: u16,
    /// Messages dropped because no channel uses their stream, or malformed DCEP.
    pub dropped_messages: u64,
}

impl DataChannels {
    /// Creates the association (see [`Association::new`]) and the channel layer.
    pub fn new(config: Config, now: Instant, seed: &[u8], role: DtlsRole) -> Self {
        DataChannels {
            assoc: Association::new(config, now, seed),
            role,
            channels: StreamMap::default(),
            events: VecDeque::new(),
            next_id: match role {
                DtlsRole::Client => 0,
                DtlsRole::Server => 1,
            },
            dropped_messages: 0,
        }
    }

    /// The association underneath.
    pub fn association(&self) -> &Association {
        &self.assoc
    }

    /// Mutable access to the association underneath.
    pub fn association_mut(&mut self) -> &mut Association {
        &mut self.assoc
    }

    /// Sends INIT (see [`Association::connect`]).
    pub fn connect(&mut self, now: Instant) {
        self.assoc.connect(now);
    }

    /// A channel by id.
    pub fn channel(&self, id: u16) -> Option<&Channel> {
        self.channels.get(&id)
    }

    /// Ids of all channels not yet closed.
    pub fn channel_ids(&self) -> Vec<u16> {
        let mut v: Vec<u16> = self.channels.keys().copied().collect();
        v.sort_unstable();
        v
    }

    /// The channel's state.
    pub fn ready_state(&self, id: u16) -> Option<ReadyState> {
        self.channels.get(&id).map(|c| c.state)
    }

    /// Bytes queued on the channel and not yet transmitted.
    pub fn buffered_amount(&self, id: u16) -> usize {
        self.assoc.buffered_amount(id)
    }

    /// Sets the channel's `bufferedAmountLowThreshold`.
    pub fn set_buffered_amount_low_threshold(&mut self, id: u16, threshold: usize) {
        self.assoc.set_buffered_amount_low_threshold(id, threshold);
    }

    fn stream_limit(&self) -> u16 {
        self.assoc
            .outbound_streams()
            .min(self.assoc.inbound_streams())
    }

    fn allocate_id(&mut self) -> Result<u16, Error> {
        let limit = u32::from(self.stream_limit());
        let start = u32::from(self.next_id);
        let parity = match self.role {
            DtlsRole::Client => 0,
            DtlsRole::Server => 1,
        };
        let mut id = start;
        for _ in 0..=limit / 2 {
            if id >= limit {
                id = parity;
            }
            if let Ok(i) = u16::try_from(id)
                && !self.channels.contains_key(&i)
            {
                self.next_id = u16::try_from(id + 2).unwrap_or(parity as u16);
                return Ok(i);
            }
            id += 2;
        }
        Err(Error::NoFreeStream)
    }

    /// Creates a channel; returns its id. In-band channels send DATA_CHANNEL_OPEN as soon as the
    /// association is up and are open from then on.
    pub fn create_channel(&mut self, now: Instant, init: ChannelInit) -> Result<u16, Error> {
        if self.assoc.is_closed() {
            return Err(Error::Closed);
        }
        let id = match init.negotiated {
            Some(id) => {
                if self.channels.contains_key(&id) || id >= self.stream_limit() {
                    return Err(Error::UnknownChannel);
                }
                id
            }
            None => self.allocate_id()?,
        };
        let negotiated = init.negotiated.is_some();
        self.assoc.set_stream_priority(id, init.priority);
        self.channels.insert(
            id,
            Channel {
                id,
                init,
                state: ReadyState::Connecting,
                stats: ChannelStats::default(),
                ack_received: negotiated,
                open_sent: negotiated,
                outgoing_reset: false,
                incoming_reset: false,
            },
        );
        if self.assoc.is_established() {
            self.open_channel(now, id)?;
        }
        Ok(id)
    }

    fn open_channel(&mut self, now: Instant, id: u16) -> Result<(), Error> {
        let Some(ch) = self.channels.get_mut(&id) else {
            return Err(Error::UnknownChannel);
        };
        if ch.state != ReadyState::Connecting {
            return Ok(());
        }
        if !ch.open_sent {
            let i = &ch.init;
            let (channel_type, param) = match (i.ordered, i.max_retransmits, i.max_packet_life_time)
            {
                (true, Some(n), _) => (ChannelType::PartialReliableRexmit, u32::from(n)),
                (false, Some(n), _) => (ChannelType::PartialReliableRexmitUnordered, u32::from(n)),
                (true, None, Some(ms)) => (ChannelType::PartialReliableTimed, u32::from(ms)),
                (false, None, Some(ms)) => {
                    (ChannelType::PartialReliableTimedUnordered, u32::from(ms))
                }
                (true, None, None) => (ChannelType::Reliable, 0),
                (false, None, None) => (ChannelType::ReliableUnordered, 0),
            };
            let open = DcepMessage::Open(DataChannelOpen {
                channel_type,
                priority: i.priority,
                reliability_parameter: param,
                label: i.label.clone(),
                protocol: i.protocol.clone(),
            });
            self.assoc.send(
                now,
                id,
                PPID_DCEP,
                Bytes::from(open.encode()),
                Reliability::RELIABLE,
            )?;
            ch.open_sent = true;
        }
        ch.state = ReadyState::Open;
        self.events.push_back(ChannelEvent::ChannelOpen { id });
        Ok(())
    }

    /// Sends a message; an empty message is carried as one 0 byte with PPID 56/57.
    pub fn send(&mut self, now: Instant, id: u16, data: Bytes, binary: bool) -> Result<(), Error> {
        let Some(ch) = self.channels.get(&id) else {
            return Err(Error::UnknownChannel);
        };
        if ch.state != ReadyState::Open {
            return Err(Error::ChannelNotOpen);
        }
        let (ppid, data) = match (binary, data.is_empty()) {
            (true, false) => (PPID_BINARY, data),
            (false, false) => (PPID_STRING, data),
            (true, true) => (PPID_BINARY_EMPTY, Bytes::from_static(&[0])),
            (false, true) => (PPID_STRING_EMPTY, Bytes::from_static(&[0])),
        };
        let rel = ch.reliability();
        let len = if ppid == PPID_BINARY_EMPTY || ppid == PPID_STRING_EMPTY {
            0
        } else {
            data.len()
        };
        self.assoc.send(now, id, ppid, data, rel)?;
        if let Some(ch) = self.channels.get_mut(&id) {
            ch.stats.messages_sent += 1;
            ch.stats.bytes_sent += len as u64;
        }
        Ok(())
    }

    /// Closes a channel: its outgoing stream is reset (after queued messages are sent); the
    /// peer then resets its side, and [`ChannelEvent::ChannelClosed`] follows.
    pub fn close(&mut self, id: u16) -> Result<(), Error> {
        let Some(ch) = self.channels.get_mut(&id) else {
            return Err(Error::UnknownChannel);
        };
        match ch.state {
            ReadyState::Closing | ReadyState::Closed => return Ok(()),
            ReadyState::Connecting if !self.assoc.is_established() => {
                self.channels.remove(&id);
                self.events.push_back(ChannelEvent::ChannelClosed { id });
                return Ok(());
            }
            _ => {}
        }
        ch.state = ReadyState::Closing;
        self.assoc.reset_streams(&[id])
    }

    /// Feeds a received SCTP packet.
    pub fn handle_receive(&mut self, now: Instant, packet: &[u8]) {
        self.assoc.handle_receive(now, packet);
        self.pump(now);
    }

    /// Feeds a received SCTP packet without copying.
    pub fn handle_receive_bytes(&mut self, now: Instant, packet: Bytes) {
        self.assoc.handle_receive_bytes(now, packet);
        self.pump(now);
    }

    /// Next packet to send.
    pub fn poll_transmit(&mut self, now: Instant) -> Option<Vec<u8>> {
        let p = self.assoc.poll_transmit(now);
        self.pump(now);
        p
    }

    /// Next packet to send, written into `out`.
    pub fn poll_transmit_into(&mut self, now: Instant, out: &mut Vec<u8>) -> bool {
        let r = self.assoc.poll_transmit_into(now, out);
        self.pump(now);
        r
    }

    /// When to call [`DataChannels::handle_timeout`].
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.assoc.poll_timeout()
    }

    /// Fires due timers.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.assoc.handle_timeout(now);
        self.pump(now);
    }

    /// Next event.
    pub fn poll_event(&mut self) -> Option<ChannelEvent> {
        self.events.pop_front()
    }

    fn pump(&mut self, now: Instant) {
        while let Some(e) = self.assoc.poll_event() {
            match e {
                Event::Connected => {
                    self.events.push_back(ChannelEvent::Connected);
                    let mut ids: Vec<u16> = self
                        .channels
                        .values()
                        .filter(|c| c.state == ReadyState::Connecting)
                        .map(|c| c.id)
                        .collect();
                    ids.sort_unstable();
                    for id in ids {
                        if self.open_channel(now, id).is_err() {
                            self.channels.remove(&id);
                            self.events.push_back(ChannelEvent::ChannelClosed { id });
                        }
                    }
                }
                Event::StreamData {
                    stream, ppid, data, ..
                } => self.on_message(now, stream, ppid, data),
                Event::IncomingStreamsReset(streams) => {
                    for id in streams {
                        let Some(ch) = self.channels.get_mut(&id) else {
                            // A channel we never saw (its OPEN may have been refused): reset
                            // our direction as well so the peer's close completes.
                            let _ = self.assoc.reset_streams(&[id]);
                            continue;
                        };
                        ch.incoming_reset = true;
                        if !matches!(ch.state, ReadyState::Closing) {
                            ch.state = ReadyState::Closing;
                            // Remote close: reset our direction too.
                            let _ = self.assoc.reset_streams(&[id]);
                        }
                        self.maybe_closed(id);
                    }
                }
                Event::OutgoingStreamsReset(streams) => {
                    for id in streams {
                        if let Some(ch) = self.channels.get_mut(&id) {
                            ch.outgoing_reset = true;
                            self.maybe_closed(id);
                        }
                    }
                }
                Event::BufferedAmountLow { stream } => {
                    if self.channels.contains_key(&stream) {
                        self.events
                            .push_back(ChannelEvent::BufferedAmountLow { id: stream });
                    }
                }
                Event::Closed { reason } => {
                    let mut ids: Vec<u16> = self.channels.keys().copied().collect();
                    ids.sort_unstable();
                    for id in ids {
                        self.events.push_back(ChannelEvent::ChannelClosed { id });
                    }
                    self.channels.clear();
                    self.events.push_back(ChannelEvent::Closed { reason });
                }
            }
        }
    }

    fn maybe_closed(&mut self, id: u16) {
        if self
            .channels
            .get(&id)
            .is_some_and(|c| c.incoming_reset && c.outgoing_reset)
        {
            self.channels.remove(&id);
            self.events.push_back(ChannelEvent::ChannelClosed { id });
        }
    }

    fn on_message(&mut self, now: Instant, id: u16, ppid: u32, data: Bytes) {
        if ppid == PPID_DCEP {
            self.on_dcep(now, id, &data);
            return;
        }
        let Some(ch) = self.channels.get_mut(&id) else {
            self.dropped_messages += 1;
            return;
        };
        if ch.state == ReadyState::Closed {
            self.dropped_messages += 1;
            return;
        }
        // Any user message implies the peer received our OPEN (RFC 8832 §6).
        ch.ack_received = true;
        let (data, binary) = match ppid {
            PPID_STRING | PPID_STRING_PARTIAL => (data, false),
            PPID_BINARY | PPID_BINARY_PARTIAL => (data, true),
            PPID_STRING_EMPTY => (Bytes::new(), false),
            PPID_BINARY_EMPTY => (Bytes::new(), true),
            _ => {
                self.dropped_messages += 1;
                return;
            }
        };
        ch.stats.messages_received += 1;
        ch.stats.bytes_received += data.len() as u64;
        self.events
            .push_back(ChannelEvent::Message { id, data, binary });
    }

    fn on_dcep(&mut self, now: Instant, id: u16, data: &[u8]) {
        match DcepMessage::parse(data) {
            Ok(DcepMessage::Ack) => {
                if let Some(ch) = self.channels.get_mut(&id) {
                    ch.ack_received = true;
                }
            }
            Ok(DcepMessage::Open(open)) => {
                let peer_parity = match self.role {
                    DtlsRole::Client => 1,
                    DtlsRole::Server => 0,
                };
                if id % 2 != peer_parity || self.channels.contains_key(&id) {
                    self.dropped_messages += 1;
                    return;
                }
                let ordered = open.channel_type.ordered();
                let param = open.reliability_parameter;
                let clamp = |v: u32| u16::try_from(v).unwrap_or(u16::MAX);
                let (max_retransmits, max_packet_life_time) = match open.channel_type {
                    ChannelType::PartialReliableRexmit
                    | ChannelType::PartialReliableRexmitUnordered => (Some(clamp(param)), None),
                    ChannelType::PartialReliableTimed
                    | ChannelType::PartialReliableTimedUnordered => (None, Some(clamp(param))),
                    ChannelType::Reliable | ChannelType::ReliableUnordered => (None, None),
                };
                let init = ChannelInit {
                    label: open.label,
                    protocol: open.protocol,
                    ordered,
                    max_retransmits,
                    max_packet_life_time,
                    negotiated: None,
                    priority: open.priority,
                };
                self.assoc.set_stream_priority(id, init.priority);
                let ack = Bytes::from(DcepMessage::Ack.encode());
                if self
                    .assoc
                    .send(now, id, PPID_DCEP, ack, Reliability::RELIABLE)
                    .is_err()
                {
                    self.dropped_messages += 1;
                    return;
                }
                self.channels.insert(
                    id,
                    Channel {
                        id,
                        init: init.clone(),
                        state: ReadyState::Open,
                        stats: ChannelStats::default(),
                        ack_received: true,
                        open_sent: true,
                        outgoing_reset: false,
                        incoming_reset: false,
                    },
                );
                self.events
                    .push_back(ChannelEvent::IncomingChannel { id, init });
            }
            Err(_) => self.dropped_messages += 1,
        }
    }
}
