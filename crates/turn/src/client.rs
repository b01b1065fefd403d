//! The TURN client state machine for one allocation (RFC 8656 §7–§12).
//!
//! ```text
//! Allocating ──401/438: sign, retry──▶ Allocating ──success──▶ Allocated ──close──▶ Closing ──▶ Closed
//!      └──────────── error / timeout ──▶ Failed ◀── refresh failed ──┘
//! ```
//!
//! All datagrams go to the one server; the caller knows its address and transport. Over TCP and
//! TLS the caller cuts the stream into messages with [`rtcio_stun::framing::turn_frame_len`]
//! and feeds them one by one.

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use rtcio_stun::{
    AddressFamily, Attribute, ChannelData, Class, ErrorCode, Framing, Message, MessageBuilder,
    Method, StunError, TransactionId, TransportProtocol,
};

use crate::IdSource;
use crate::auth::Auth;
use crate::permissions::{Permissions, Status};
use crate::retransmit::{Retransmit, Step};

/// Most datagrams waiting in [`TurnClient::poll_transmit`]'s queue.
const MAX_TRANSMITS: usize = 1024;
/// Most events waiting in [`TurnClient::poll_event`]'s queue.
const MAX_EVENTS: usize = 1024;
/// Most transactions in flight.
const MAX_TRANSACTIONS: usize = 512;
/// How often one request may be re-signed after 438 (Stale Nonce).
const MAX_STALE_RETRIES: u8 = 3;
/// Largest payload a ChannelData message or Send indication carries here.
pub const MAX_PAYLOAD: usize = 65_000;

/// The transport to the TURN server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transport {
    /// UDP: requests are retransmitted.
    Udp,
    /// TCP (RFC 8656 §12.5 framing).
    Tcp,
    /// TLS over TCP.
    Tls,
}

impl Transport {
    /// Whether the transport is a stream (no retransmissions, padded ChannelData).
    pub fn is_reliable(self) -> bool {
        !matches!(self, Transport::Udp)
    }

    fn framing(self) -> Framing {
        if self.is_reliable() {
            Framing::Stream
        } else {
            Framing::Datagram
        }
    }
}

/// What the client needs to know.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Transport to the server.
    pub transport: Transport,
    /// Long-term credential username.
    pub username: String,
    /// Long-term credential password.
    pub password: String,
    /// Allocation lifetime to ask for (the server may grant less).
    pub lifetime: Duration,
    /// SOFTWARE attribute, if any.
    pub software: Option<String>,
    /// REQUESTED-ADDRESS-FAMILY of the relayed address; `None` takes the server's default
    /// (IPv4). If the server answers 440 (Address Family not Supported) the Allocate is retried
    /// once without it.
    pub requested_family: Option<AddressFamily>,
}

impl ClientConfig {
    /// A configuration with the default lifetime (600 s) and no SOFTWARE.
    pub fn new(transport: Transport, username: &str, password: &str) -> Self {
        Self {
            transport,
            username: username.to_string(),
            password: password.to_string(),
            lifetime: Duration::from_secs(600),
            software: None,
            requested_family: None,
        }
    }
}

/// Why the allocation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FailReason {
    /// A request got no answer.
    Timeout(Method),
    /// The server rejected the credentials.
    Unauthorized,
    /// An error response (code and reason phrase).
    Error {
        /// Method of the failed request.
        method: Method,
        /// ERROR-CODE's number.
        code: u16,
        /// ERROR-CODE's reason phrase.
        reason: String,
    },
    /// A success response without the attributes it must carry.
    BadResponse(&'static str),
    /// A request could not be built (credentials too long, say).
    Encode(String),
}

impl std::fmt::Display for FailReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FailReason::Timeout(m) => write!(f, "{m:?} timed out"),
            FailReason::Unauthorized => f.write_str("credentials rejected"),
            FailReason::Error {
                method,
                code,
                reason,
            } => write!(f, "{method:?} error {code} {reason}"),
            FailReason::BadResponse(what) => write!(f, "bad response: {what}"),
            FailReason::Encode(e) => write!(f, "cannot encode request: {e}"),
        }
    }
}

/// What the client reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The allocation exists.
    Allocated {
        /// The relayed transport address (the relayed candidate).
        relayed: SocketAddr,
        /// The client's address as the server saw it (XOR-MAPPED-ADDRESS), if given.
        mapped: Option<SocketAddr>,
    },
    /// The allocation could not be made or was lost.
    Failed {
        /// Why.
        reason: FailReason,
    },
    /// A peer sent data through the relay.
    Data {
        /// The peer's address.
        peer: SocketAddr,
        /// The payload.
        data: Vec<u8>,
    },
    /// The allocation was released after [`TurnClient::close`].
    Closed,
}

/// Why [`TurnClient::send_to`] refused data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendError {
    /// No allocation (yet, or any more).
    NotAllocated,
    /// The payload is larger than [`MAX_PAYLOAD`].
    TooLarge,
    /// Too many peers, or too much data waiting for permissions; the datagram was dropped.
    Full,
}

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SendError::NotAllocated => "no allocation",
            SendError::TooLarge => "payload too large",
            SendError::Full => "queue or permission table full",
        })
    }
}

impl std::error::Error for SendError {}

/// Counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Incoming messages dropped: malformed, unexpected, failed integrity, unknown channel.
    pub dropped_inbound: u64,
    /// Outgoing datagrams dropped: queues full, permission refused.
    pub dropped_outbound: u64,
    /// Request retransmissions.
    pub retransmissions: u64,
    /// ChannelData messages sent.
    pub channel_data_sent: u64,
    /// Send indications sent.
    pub send_indications_sent: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Allocating,
    Allocated {
        relayed: SocketAddr,
        mapped: Option<SocketAddr>,
    },
    Closing,
    Closed,
    Failed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Allocate,
    Refresh { lifetime: u32 },
    CreatePermission { ip: IpAddr },
    ChannelBind { peer: SocketAddr, number: u16 },
}

impl Kind {
    fn method(self) -> Method {
        match self {
            Kind::Allocate => Method::ALLOCATE,
            Kind::Refresh { .. } => Method::REFRESH,
            Kind::CreatePermission { .. } => Method::CREATE_PERMISSION,
            Kind::ChannelBind { .. } => Method::CHANNEL_BIND,
        }
    }
}

#[derive(Debug)]
struct Transaction {
    kind: Kind,
    request: Vec<u8>,
    retransmit: Retransmit,
    signed: bool,
    stale_retries: u8,
}

/// A TURN client for one allocation. See the [module docs](self).
pub struct TurnClient {
    config: ClientConfig,
    ids: IdSource,
    auth: Auth,
    state: State,
    transactions: HashMap<TransactionId, Transaction>,
    refresh_at: Option<Instant>,
    permissions: Permissions,
    transmits: VecDeque<Vec<u8>>,
    events: VecDeque<Event>,
    stats: Stats,
}

impl std::fmt::Debug for TurnClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TurnClient")
            .field("transport", &self.config.transport)
            .field("state", &self.state)
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

impl TurnClient {
    /// Starts allocating at `now`: the first Allocate (without credentials, to learn the realm
    /// and nonce) is queued for [`TurnClient::poll_transmit`].
    pub fn new(config: ClientConfig, now: Instant, ids: IdSource) -> Self {
        let auth = Auth::new(config.username.clone(), config.password.clone());
        let mut client = Self {
            config,
            ids,
            auth,
            state: State::Allocating,
            transactions: HashMap::new(),
            refresh_at: None,
            permissions: Permissions::default(),
            transmits: VecDeque::new(),
            events: VecDeque::new(),
            stats: Stats::default(),
        };
        client.start(now, Kind::Allocate, 0);
        client
    }

    /// The relayed address, once allocated.
    pub fn relayed_addr(&self) -> Option<SocketAddr> {
        match self.state {
            State::Allocated { relayed, .. } => Some(relayed),
            _ => None,
        }
    }

    /// The mapped address the server reported, once allocated.
    pub fn mapped_addr(&self) -> Option<SocketAddr> {
        match self.state {
            State::Allocated { mapped, .. } => mapped,
            _ => None,
        }
    }

    /// Whether the client is done (closed or failed): nothing more will be sent.
    pub fn is_terminated(&self) -> bool {
        matches!(self.state, State::Closed | State::Failed)
    }

    /// Counters.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// Whether `data` (one datagram from the server, or one frame cut from the stream) looks
    /// like something for this client: a STUN message whose transaction is in flight, a Data
    /// indication, or ChannelData on a bound channel.
    pub fn accepts(&self, data: &[u8]) -> bool {
        match data.first().map(|b| b >> 6) {
            Some(0b01) => ChannelData::decode(data)
                .is_ok_and(|cd| self.permissions.peer_of(cd.channel()).is_some()),
            Some(0b00) => match rtcio_stun::header::Header::parse(data) {
                Ok(h) => {
                    self.transactions.contains_key(&h.transaction_id)
                        || (h.class == Class::Indication && h.method == Method::DATA)
                }
                Err(_) => false,
            },
            _ => false,
        }
    }

    /// Feeds one message from the server (a datagram, or a frame of the stream).
    pub fn handle_message(&mut self, now: Instant, data: &[u8]) {
        if data.first().is_some_and(|b| b >> 6 == 0b01) {
            self.handle_channel_data(data);
            return;
        }
        let Ok(msg) = Message::decode(data) else {
            self.stats.dropped_inbound += 1;
            return;
        };
        match msg.class() {
            Class::Indication if msg.method() == Method::DATA => self.handle_data_indication(&msg),
            Class::SuccessResponse | Class::ErrorResponse => self.handle_response(now, &msg),
            _ => self.stats.dropped_inbound += 1,
        }
    }

    /// Sends `data` to `peer` through the relay: as ChannelData once a channel is bound, as a
    /// Send indication once the peer's IP has a permission, else queued (bounded) while the
    /// permission and channel are requested.
    pub fn send_to(
        &mut self,
        now: Instant,
        peer: SocketAddr,
        data: &[u8],
    ) -> Result<(), SendError> {
        if !matches!(self.state, State::Allocated { .. }) {
            self.stats.dropped_outbound += 1;
            return Err(SendError::NotAllocated);
        }
        if data.len() > MAX_PAYLOAD {
            self.stats.dropped_outbound += 1;
            return Err(SendError::TooLarge);
        }
        if self.permissions.permission(peer.ip()).is_none() {
            if !self.permissions.request_permission(peer.ip()) {
                self.stats.dropped_outbound += 1;
                return Err(SendError::Full);
            }
            self.start(now, Kind::CreatePermission { ip: peer.ip() }, 0);
        }
        match self.permissions.channel(peer) {
            Some(c) if matches!(c.status, Status::Installed(_)) => {
                return self.send_channel_data(c.number, data);
            }
            Some(_) => {}
            None => {
                if let Some(number) = self.permissions.request_channel(peer) {
                    self.start(now, Kind::ChannelBind { peer, number }, 0);
                }
            }
        }
        match self.permissions.permission(peer.ip()) {
            Some(Status::Installed(_)) => self.send_indication(peer, data),
            _ => {
                if self.permissions.enqueue(peer, data) {
                    Ok(())
                } else {
                    self.stats.dropped_outbound += 1;
                    Err(SendError::Full)
                }
            }
        }
    }

    /// Releases the allocation (Refresh with LIFETIME 0). [`Event::Closed`] follows the answer
    /// or its timeout; a client still allocating closes at once.
    pub fn close(&mut self, now: Instant) {
        match self.state {
            State::Allocated { .. } => {
                self.transactions.clear();
                self.permissions.clear();
                self.refresh_at = None;
                self.state = State::Closing;
                self.start(now, Kind::Refresh { lifetime: 0 }, 0);
            }
            State::Allocating => {
                self.transactions.clear();
                self.state = State::Closed;
                self.push_event(Event::Closed);
            }
            State::Closing | State::Closed | State::Failed => {}
        }
    }

    /// When to call [`TurnClient::handle_timeout`].
    pub fn poll_timeout(&self) -> Option<Instant> {
        let tx = self.transactions.values().map(|t| t.retransmit.deadline());
        tx.chain(self.refresh_at)
            .chain(self.permissions.next_refresh())
            .min()
    }

    /// Retransmits, gives up on transactions, and refreshes what is due.
    pub fn handle_timeout(&mut self, now: Instant) {
        let mut failed = Vec::new();
        for (id, t) in &mut self.transactions {
            match t.retransmit.on_timeout(now) {
                Step::Wait => {}
                Step::Retransmit => {
                    self.stats.retransmissions += 1;
                    if self.transmits.len() < MAX_TRANSMITS {
                        self.transmits.push_back(t.request.clone());
                    }
                }
                Step::GiveUp => failed.push(*id),
            }
        }
        for id in failed {
            if let Some(t) = self.transactions.remove(&id) {
                self.transaction_failed(now, t.kind, FailReason::Timeout(t.kind.method()));
            }
        }
        if !matches!(self.state, State::Allocated { .. }) {
            return;
        }
        if self.refresh_at.is_some_and(|t| t <= now) {
            self.refresh_at = None;
            let lifetime = self.requested_lifetime();
            self.start(now, Kind::Refresh { lifetime }, 0);
        }
        for ip in self.permissions.due_permissions(now) {
            self.start(now, Kind::CreatePermission { ip }, 0);
        }
        for (peer, number) in self.permissions.due_channels(now) {
            self.start(now, Kind::ChannelBind { peer, number }, 0);
        }
    }

    /// The next datagram (or stream chunk) to send to the server.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.transmits.pop_front()
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    // ---- requests ------------------------------------------------------------------------

    fn requested_lifetime(&self) -> u32 {
        u32::try_from(self.config.lifetime.as_secs()).unwrap_or(u32::MAX)
    }

    /// Builds, queues and tracks a request.
    fn start(&mut self, now: Instant, kind: Kind, stale_retries: u8) {
        if self.transactions.len() >= MAX_TRANSACTIONS {
            self.stats.dropped_outbound += 1;
            return;
        }
        let id = (self.ids)();
        let (request, signed) = match self.build(kind, id) {
            Ok(built) => built,
            Err(e) => {
                self.transaction_failed(now, kind, FailReason::Encode(e.to_string()));
                return;
            }
        };
        self.push_transmit(request.clone());
        self.transactions.insert(
            id,
            Transaction {
                kind,
                request,
                retransmit: Retransmit::new(now, self.config.transport.is_reliable()),
                signed,
                stale_retries,
            },
        );
    }

    fn build(&self, kind: Kind, id: TransactionId) -> Result<(Vec<u8>, bool), StunError> {
        let mut b = MessageBuilder::new(Class::Request, kind.method(), id);
        match kind {
            Kind::Allocate => {
                b.add(&Attribute::RequestedTransport(TransportProtocol::UDP))?
                    .add(&Attribute::Lifetime(self.requested_lifetime()))?;
                if let Some(family) = self.config.requested_family {
                    b.add(&Attribute::RequestedAddressFamily(family.code()))?;
                }
            }
            Kind::Refresh { lifetime } => {
                b.add(&Attribute::Lifetime(lifetime))?;
            }
            Kind::CreatePermission { ip } => {
                b.add(&Attribute::XorPeerAddress(SocketAddr::new(ip, 0)))?;
            }
            Kind::ChannelBind { peer, number } => {
                b.add(&Attribute::ChannelNumber(number))?
                    .add(&Attribute::XorPeerAddress(peer))?;
            }
        }
        if let Some(software) = &self.config.software {
            b.add(&Attribute::Software(software))?;
        }
        let signed = self.auth.sign(&mut b)?;
        b.add_fingerprint()?;
        Ok((b.build(), signed))
    }

    // ---- responses -----------------------------------------------------------------------

    fn handle_response(&mut self, now: Instant, msg: &Message<'_>) {
        let id = msg.transaction_id();
        let Some(t) = self.transactions.get(&id) else {
            self.stats.dropped_inbound += 1;
            return;
        };
        let (kind, signed, stale_retries) = (t.kind, t.signed, t.stale_retries);
        if msg.method() != kind.method() {
            self.stats.dropped_inbound += 1;
            return;
        }
        if msg.class() == Class::SuccessResponse && signed {
            // RFC 8489 §9.2.5: a success to a signed request must be signed with the same key.
            let ok = self
                .auth
                .key()
                .is_some_and(|key| msg.verify_integrity(key).is_ok());
            if !ok {
                self.stats.dropped_inbound += 1;
                return;
            }
        }
        self.transactions.remove(&id);
        if msg.class() == Class::SuccessResponse {
            self.transaction_succeeded(now, kind, msg);
            return;
        }
        let Some(error) = msg.error_code() else {
            self.transaction_failed(now, kind, FailReason::BadResponse("no ERROR-CODE"));
            return;
        };
        match error.code {
            ErrorCode::UNAUTHENTICATED if !signed && self.auth.learn(msg) => {
                self.start(now, kind, stale_retries);
            }
            ErrorCode::STALE_NONCE if stale_retries < MAX_STALE_RETRIES && self.auth.learn(msg) => {
                self.start(now, kind, stale_retries + 1);
            }
            ErrorCode::ADDRESS_FAMILY_NOT_SUPPORTED
                if kind == Kind::Allocate && self.config.requested_family.is_some() =>
            {
                self.config.requested_family = None;
                self.start(now, kind, stale_retries);
            }
            ErrorCode::UNAUTHENTICATED | ErrorCode::WRONG_CREDENTIALS => {
                self.transaction_failed(now, kind, FailReason::Unauthorized);
            }
            code => {
                let reason = FailReason::Error {
                    method: kind.method(),
                    code,
                    reason: error.reason.to_string(),
                };
                self.transaction_failed(now, kind, reason);
            }
        }
    }

    fn transaction_succeeded(&mut self, now: Instant, kind: Kind, msg: &Message<'_>) {
        match kind {
            Kind::Allocate => {
                if self.state != State::Allocating {
                    return;
                }
                let Some(relayed) = msg.xor_relayed_address() else {
                    self.fail(FailReason::BadResponse(
                        "Allocate success without XOR-RELAYED-ADDRESS",
                    ));
                    return;
                };
                let mapped = msg.xor_mapped_address();
                self.schedule_refresh(now, msg.lifetime());
                self.state = State::Allocated { relayed, mapped };
                self.push_event(Event::Allocated { relayed, mapped });
            }
            Kind::Refresh { lifetime: 0 } => self.closed(),
            Kind::Refresh { .. } => self.schedule_refresh(now, msg.lifetime()),
            Kind::CreatePermission { ip } => {
                self.permissions.permission_installed(ip, now);
                self.flush_queue();
            }
            Kind::ChannelBind { peer, .. } => {
                self.permissions.channel_bound(peer, now);
                self.flush_queue();
            }
        }
    }

    fn transaction_failed(&mut self, _now: Instant, kind: Kind, reason: FailReason) {
        match kind {
            Kind::Allocate => self.fail(reason),
            Kind::Refresh { lifetime: 0 } => self.closed(),
            Kind::Refresh { .. } => self.fail(reason),
            Kind::CreatePermission { ip } => {
                let dropped = self.permissions.permission_failed(ip);
                self.stats.dropped_outbound += dropped as u64;
            }
            Kind::ChannelBind { peer, .. } => self.permissions.channel_failed(peer),
        }
    }

    fn schedule_refresh(&mut self, now: Instant, granted: Option<u32>) {
        let secs = u64::from(granted.unwrap_or(self.requested_lifetime()));
        // Refresh a minute early, or halfway through short lifetimes.
        let early = if secs > 120 { secs - 60 } else { secs / 2 };
        self.refresh_at = Some(now + Duration::from_secs(early.max(1)));
    }

    fn fail(&mut self, reason: FailReason) {
        if self.is_terminated() {
            return;
        }
        self.state = State::Failed;
        self.transactions.clear();
        self.permissions.clear();
        self.refresh_at = None;
        self.push_event(Event::Failed { reason });
    }

    fn closed(&mut self) {
        if self.state == State::Closing {
            self.state = State::Closed;
            self.transactions.clear();
            self.push_event(Event::Closed);
        }
    }

    // ---- data ----------------------------------------------------------------------------

    fn handle_channel_data(&mut self, data: &[u8]) {
        let Ok(cd) = ChannelData::decode(data) else {
            self.stats.dropped_inbound += 1;
            return;
        };
        match self.permissions.peer_of(cd.channel()) {
            Some(peer) => self.push_event(Event::Data {
                peer,
                data: cd.data().to_vec(),
            }),
            None => self.stats.dropped_inbound += 1,
        }
    }

    fn handle_data_indication(&mut self, msg: &Message<'_>) {
        let peer = msg.xor_peer_addresses().next();
        match (peer, msg.data(), self.state) {
            (Some(peer), Some(data), State::Allocated { .. }) => self.push_event(Event::Data {
                peer,
                data: data.to_vec(),
            }),
            _ => self.stats.dropped_inbound += 1,
        }
    }

    fn send_channel_data(&mut self, number: u16, data: &[u8]) -> Result<(), SendError> {
        let cd = ChannelData::new(number, data).map_err(|_| SendError::TooLarge)?;
        let mut out = Vec::with_capacity(cd.encoded_len(self.config.transport.framing()));
        cd.encode(self.config.transport.framing(), &mut out);
        self.stats.channel_data_sent += 1;
        self.push_transmit_checked(out)
    }

    fn send_indication(&mut self, peer: SocketAddr, data: &[u8]) -> Result<(), SendError> {
        let id = (self.ids)();
        let mut b = MessageBuilder::new(Class::Indication, Method::SEND, id);
        let built = b
            .add(&Attribute::XorPeerAddress(peer))
            .and_then(|b| b.add(&Attribute::Data(data)));
        if built.is_err() {
            self.stats.dropped_outbound += 1;
            return Err(SendError::TooLarge);
        }
        self.stats.send_indications_sent += 1;
        self.push_transmit_checked(b.build())
    }

    fn flush_queue(&mut self) {
        for (peer, data) in self.permissions.take_sendable() {
            let result = match self.permissions.channel(peer) {
                Some(c) if matches!(c.status, Status::Installed(_)) => {
                    self.send_channel_data(c.number, &data)
                }
                _ => self.send_indication(peer, &data),
            };
            // Counted where dropped; queued data has no caller left to tell.
            let _ = result;
        }
    }

    fn push_transmit(&mut self, data: Vec<u8>) {
        let _ = self.push_transmit_checked(data);
    }

    fn push_transmit_checked(&mut self, data: Vec<u8>) -> Result<(), SendError> {
        if self.transmits.len() >= MAX_TRANSMITS {
            self.stats.dropped_outbound += 1;
            return Err(SendError::Full);
        }
        self.transmits.push_back(data);
        Ok(())
    }

    fn push_event(&mut self, event: Event) {
        if self.events.len() >= MAX_EVENTS {
            self.stats.dropped_inbound += 1;
            return;
        }
        self.events.push_back(event);
    }
}
