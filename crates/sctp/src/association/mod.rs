//! The SCTP association state machine (RFC 9260) with PR-SCTP (RFC 3758) and stream reset
//! (RFC 6525), sans-IO.

mod cookie;
mod handshake;
mod reconfig;
pub mod recv;
pub mod rto;
pub mod send;

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use bytes::Bytes;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::chunk::cause::{self, ErrorCause};
use crate::chunk::sack::MAX_GAP_BLOCKS;
use crate::chunk::{self, AbortChunk, Chunk, ErrorChunk, HeartbeatChunk, InitChunk, ShutdownChunk};
use crate::config::Config;
use crate::error::Error;
use crate::event::{CloseReason, Event};
use crate::packet::{COMMON_HEADER_LEN, CommonHeader, Packet, finish_packet};

use reconfig::ReconfigState;
use recv::{DataOutcome, Receiver};
use rto::Rto;
use send::Sender;

/// Smallest accepted MTU: room for a SACK with a few gap blocks and a useful DATA chunk.
pub const MIN_MTU: usize = 256;

/// Delivery guarantees of one message (RFC 8831 §6.1, RFC 3758).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reliability {
    /// Deliver in stream order.
    pub ordered: bool,
    /// Abandon after this many retransmissions (PR-SCTP "rtx" policy).
    pub max_retransmits: Option<u16>,
    /// Abandon once this long has passed since `send` (PR-SCTP "timed" policy).
    pub max_lifetime: Option<Duration>,
}

impl Reliability {
    /// Reliable, ordered.
    pub const RELIABLE: Reliability = Reliability {
        ordered: true,
        max_retransmits: None,
        max_lifetime: None,
    };

    /// Reliable, unordered.
    pub const UNORDERED: Reliability = Reliability {
        ordered: false,
        max_retransmits: None,
        max_lifetime: None,
    };
}

impl Default for Reliability {
    fn default() -> Self {
        Reliability::RELIABLE
    }
}

/// Association states (RFC 9260 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// No association; an INIT may arrive (or `connect` sends one).
    Closed,
    /// INIT sent.
    CookieWait,
    /// COOKIE-ECHO sent.
    CookieEchoed,
    /// Data flows.
    Established,
    /// Local shutdown requested; waiting for outstanding data.
    ShutdownPending,
    /// SHUTDOWN sent.
    ShutdownSent,
    /// SHUTDOWN received; waiting for outstanding data.
    ShutdownReceived,
    /// SHUTDOWN-ACK sent.
    ShutdownAckSent,
}

/// Counters for diagnostics and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Packets handed to `handle_receive`.
    pub packets_received: u64,
    /// Packets returned by `poll_transmit`.
    pub packets_sent: u64,
    /// Packets dropped whole (checksum, ports, verification tag, parse errors).
    pub packets_dropped: u64,
    /// Chunks that failed to parse.
    pub chunks_malformed: u64,
    /// DATA chunks received for the first time.
    pub data_received: u64,
    /// DATA chunks received again.
    pub data_duplicates: u64,
    /// DATA chunks dropped (window, buffer or stream).
    pub data_dropped: u64,
    /// SACKs ignored as stale or bogus.
    pub sacks_ignored: u64,
    /// T3-rtx expirations.
    pub t3_expirations: u64,
    /// DATA chunks retransmitted.
    pub retransmitted_chunks: u64,
    /// Messages abandoned by PR-SCTP (sent or unsent).
    pub abandoned_messages: u64,
    /// Received messages dropped by reassembly (too large or malformed).
    pub dropped_messages: u64,
}

/// A sans-IO SCTP association.
#[derive(Debug)]
pub struct Association {
    config: Config,
    state: State,
    terminated: bool,
    epoch: Instant,
    secret: [u8; 32],
    rng_counter: u64,
    local_tag: u32,
    peer_tag: u32,
    local_initial_tsn: u32,
    init: Option<InitChunk>,
    peer_init: Option<InitChunk>,
    cookie_echo: Option<Bytes>,
    t1: Option<Instant>,
    t1_count: u32,
    peer_forward_tsn: bool,
    peer_reconfig: bool,
    interleaving: bool,
    outbound_streams: u16,
    inbound_streams: u16,
    tx: Sender,
    rx: Receiver,
    rto: Rto,
    ctrl: VecDeque<Chunk>,
    packets: VecDeque<Vec<u8>>,
    events: VecDeque<Event>,
    event_bytes: usize,
    last_rwnd: usize,
    sack_due: bool,
    sack_timer: Option<Instant>,
    packets_unacked: u32,
    t2: Option<Instant>,
    hb_timer: Option<Instant>,
    hb_outstanding: Option<u64>,
    rc: ReconfigState,
    error_count: u32,
    stats: Stats,
}

impl Association {
    /// Creates an association in the CLOSED state.
    ///
    /// `seed` is the only source of randomness: the verification tag, the initial TSN and the
    /// cookie secret are derived from it, so it must be unpredictable (at least 16 random bytes
    /// from the caller's CSPRNG) in production and fixed in tests.
    pub fn new(mut config: Config, now: Instant, seed: &[u8]) -> Self {
        config.mtu = config.mtu.clamp(MIN_MTU, 65_535);
        config.max_message_size = config.max_message_size.min(config.max_receive_buffer);
        config.sack_every = config.sack_every.max(1);
        let secret: [u8; 32] = Sha256::digest(seed).into();
        let mut a = Association {
            tx: Sender::new(0, config.mtu, config.max_send_buffer, 0, false),
            rx: Receiver::new(0, config.max_message_size),
            rto: Rto::new(config.rto_initial, config.rto_min, config.rto_max),
            outbound_streams: config.num_outbound_streams,
            inbound_streams: config.max_inbound_streams,
            last_rwnd: config.max_receive_buffer,
            config,
            state: State::Closed,
            terminated: false,
            epoch: now,
            secret,
            rng_counter: 0,
            local_tag: 0,
            peer_tag: 0,
            local_initial_tsn: 0,
            init: None,
            peer_init: None,
            cookie_echo: None,
            t1: None,
            t1_count: 0,
            peer_forward_tsn: false,
            peer_reconfig: false,
            interleaving: false,
            ctrl: VecDeque::new(),
            packets: VecDeque::new(),
            events: VecDeque::new(),
            event_bytes: 0,
            sack_due: false,
            sack_timer: None,
            packets_unacked: 0,
            t2: None,
            hb_timer: None,
            hb_outstanding: None,
            rc: ReconfigState::new(0),
            error_count: 0,
            stats: Stats::default(),
        };
        while a.local_tag == 0 {
            a.local_tag = a.random_u32();
        }
        a.local_initial_tsn = a.random_u32();
        a.tx = Sender::new(
            a.local_initial_tsn,
            a.config.mtu,
            a.config.max_send_buffer,
            a.config.max_receive_buffer as u32,
            true,
        );
        a.rc = ReconfigState::new(a.local_initial_tsn);
        a
    }

    fn random_u32(&mut self) -> u32 {
        self.rng_counter += 1;
        let mut m =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.secret).expect("HMAC takes any key");
        m.update(b"rtcio-sctp random");
        m.update(&self.rng_counter.to_be_bytes());
        let out = m.finalize().into_bytes();
        u32::from_be_bytes([out[0], out[1], out[2], out[3]])
    }

    /// The current state.
    pub fn state(&self) -> State {
        self.state
    }

    /// Whether the association reached ESTABLISHED and has not ended.
    pub fn is_established(&self) -> bool {
        !self.terminated
            && matches!(
                self.state,
                State::Established | State::ShutdownPending | State::ShutdownReceived
            )
    }

    /// Whether the association has ended (a [`Event::Closed`] was queued).
    pub fn is_closed(&self) -> bool {
        self.terminated
    }

    /// Counters.
    pub fn stats(&self) -> Stats {
        Stats {
            retransmitted_chunks: self.tx.retransmitted_chunks,
            abandoned_messages: self.tx.abandoned_messages,
            dropped_messages: self.rx.dropped_messages,
            ..self.stats
        }
    }

    /// Bytes held by the receive side: reassembly, ordering and undelivered events.
    pub fn receive_buffered(&self) -> usize {
        self.rx.buffered + self.event_bytes
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Our verification tag.
    pub fn local_tag(&self) -> u32 {
        self.local_tag
    }

    /// Negotiated number of outbound streams.
    pub fn outbound_streams(&self) -> u16 {
        self.outbound_streams
    }

    /// Negotiated number of inbound streams.
    pub fn inbound_streams(&self) -> u16 {
        self.inbound_streams
    }

    /// The peer supports PR-SCTP (FORWARD-TSN).
    pub fn peer_supports_pr(&self) -> bool {
        self.peer_forward_tsn
    }

    /// I-DATA (RFC 8260) is in use: messages of different streams interleave.
    pub fn interleaving(&self) -> bool {
        self.interleaving
    }

    /// Current RTO.
    pub fn rto(&self) -> Duration {
        self.rto.rto()
    }

    /// Smoothed RTT, once measured.
    pub fn srtt(&self) -> Option<Duration> {
        self.rto.srtt()
    }

    /// Congestion window, bytes.
    pub fn cwnd(&self) -> usize {
        self.tx.cwnd()
    }

    /// Bytes sent and not yet acknowledged.
    pub fn flight_size(&self) -> usize {
        self.tx.flight_size()
    }

    /// Bytes queued on `stream` and not yet transmitted.
    pub fn buffered_amount(&self, stream: u16) -> usize {
        self.tx.buffered_amount(stream)
    }

    /// Bytes queued on all streams and not yet transmitted.
    pub fn total_buffered_amount(&self) -> usize {
        self.tx.total_buffered()
    }

    /// Sets the low-water mark of `stream`: [`Event::BufferedAmountLow`] is reported when its
    /// buffered amount falls from above to at or below it.
    pub fn set_buffered_amount_low_threshold(&mut self, stream: u16, threshold: usize) {
        self.tx.set_low_threshold(stream, threshold);
    }

    /// Bytes the receive buffer still takes: the a_rwnd we advertise.
    pub fn receive_window(&self) -> usize {
        self.config
            .max_receive_buffer
            .saturating_sub(self.rx.buffered + self.event_bytes)
    }

    /// Sends an INIT (the active side; in WebRTC both sides may do so, RFC 9260 §5.2.1 handles
    /// the collision).
    pub fn connect(&mut self, now: Instant) {
        if self.state != State::Closed || self.terminated {
            return;
        }
        let init = self.our_init(None);
        self.queue_packet(0, &[Chunk::Init(init.clone())]);
        self.init = Some(init);
        self.state = State::CookieWait;
        self.t1 = Some(now + self.rto.rto());
        self.t1_count = 0;
    }

    /// Queues a user message.
    pub fn send(
        &mut self,
        now: Instant,
        stream: u16,
        ppid: u32,
        data: Bytes,
        reliability: Reliability,
    ) -> Result<(), Error> {
        if self.terminated
            || matches!(
                self.state,
                State::ShutdownPending
                    | State::ShutdownSent
                    | State::ShutdownReceived
                    | State::ShutdownAckSent
            )
        {
            return Err(Error::Closed);
        }
        if data.is_empty() {
            return Err(Error::EmptyMessage);
        }
        if data.len() > self.config.max_message_size {
            return Err(Error::MessageTooLarge);
        }
        if stream >= self.outbound_streams {
            return Err(Error::InvalidStream);
        }
        self.tx.enqueue(now, stream, ppid, data, reliability)
    }

    /// Resets outgoing streams (RFC 6525): queued messages are sent first, then an Outgoing
    /// SSN Reset Request goes out; [`Event::OutgoingStreamsReset`] reports completion. The
    /// streams refuse new messages until then.
    pub fn reset_streams(&mut self, streams: &[u16]) -> Result<(), Error> {
        if self.terminated {
            return Err(Error::Closed);
        }
        if self.is_established() && !self.peer_reconfig {
            return Err(Error::InvalidState);
        }
        self.tx.mark_reset(streams);
        Ok(())
    }

    /// Starts a graceful SHUTDOWN once all queued data is acknowledged.
    pub fn shutdown(&mut self, now: Instant) {
        match self.state {
            State::Established => {
                self.state = State::ShutdownPending;
                self.progress_shutdown(now);
            }
            State::Closed | State::CookieWait | State::CookieEchoed if !self.terminated => {
                self.terminate(CloseReason::Shutdown);
            }
            _ => {}
        }
    }

    /// Aborts the association: an ABORT with a User-Initiated Abort cause is sent and
    /// [`Event::Closed`] follows.
    pub fn abort(&mut self, reason: &str) {
        if self.terminated {
            return;
        }
        if self.peer_tag != 0 {
            let mut info = reason.as_bytes().to_vec();
            info.truncate(256);
            let abort = AbortChunk {
                tag_reflected: false,
                causes: vec![ErrorCause::with_info(cause::USER_INITIATED_ABORT, info)],
            };
            self.queue_packet(self.peer_tag, &[Chunk::Abort(abort)]);
        }
        self.terminate(CloseReason::LocalAbort);
    }

    fn terminate(&mut self, reason: CloseReason) {
        self.terminated = true;
        self.state = State::Closed;
        self.t1 = None;
        self.t2 = None;
        self.tx.t3 = None;
        self.sack_timer = None;
        self.hb_timer = None;
        self.rc.timer = None;
        self.ctrl.clear();
        self.events.push_back(Event::Closed { reason });
    }

    fn protocol_violation(&mut self, what: &str) {
        if self.peer_tag != 0 {
            let abort = AbortChunk {
                tag_reflected: false,
                causes: vec![ErrorCause::with_info(
                    cause::PROTOCOL_VIOLATION,
                    what.as_bytes().to_vec(),
                )],
            };
            self.queue_packet(self.peer_tag, &[Chunk::Abort(abort)]);
        }
        self.terminate(CloseReason::ProtocolViolation);
    }

    /// Serializes a standalone packet (handshake, ABORT, SHUTDOWN-COMPLETE).
    fn queue_packet(&mut self, vtag: u32, chunks: &[Chunk]) {
        let header = self.header(vtag);
        self.packets
            .push_back(crate::packet::write_packet(&header, chunks));
    }

    fn header(&self, vtag: u32) -> CommonHeader {
        CommonHeader {
            source_port: self.config.local_port,
            destination_port: self.config.remote_port,
            verification_tag: vtag,
        }
    }

    /// Takes the next event.
    pub fn poll_event(&mut self) -> Option<Event> {
        let e = self.events.pop_front()?;
        if let Event::StreamData { data, .. } = &e {
            self.event_bytes -= data.len();
            // Window update: tell the peer when a mostly closed window reopened.
            if self.is_established()
                && self.last_rwnd < self.config.max_receive_buffer / 4
                && self.receive_window() >= self.config.max_receive_buffer / 2
            {
                self.sack_due = true;
            }
        }
        Some(e)
    }

    /// When `handle_timeout` must be called next.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.terminated {
            return None;
        }
        [
            self.t1,
            self.t2,
            self.tx.t3,
            self.sack_timer,
            self.hb_timer,
            self.rc.timer,
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Fires every timer due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.terminated {
            return;
        }
        if self.t1.is_some_and(|t| t <= now) {
            self.t1_count += 1;
            if self.t1_count > self.config.max_init_retransmits {
                self.terminate(CloseReason::HandshakeTimeout);
                return;
            }
            self.rto.back_off();
            match self.state {
                State::CookieWait => {
                    if let Some(init) = self.init.clone() {
                        self.queue_packet(0, &[Chunk::Init(init)]);
                    }
                }
                State::CookieEchoed => {
                    if let Some(cookie) = self.cookie_echo.clone() {
                        let c = Chunk::CookieEcho(chunk::CookieEchoChunk { cookie });
                        self.queue_packet(self.peer_tag, &[c]);
                    }
                }
                _ => {}
            }
            self.t1 = Some(now + self.rto.rto());
        }
        if self.tx.t3.is_some_and(|t| t <= now) {
            self.stats.t3_expirations += 1;
            if self.count_error() {
                return;
            }
            self.rto.back_off();
            self.tx.on_t3_expired(now, self.rto.rto());
        }
        if self.sack_timer.is_some_and(|t| t <= now) {
            self.sack_timer = None;
            self.sack_due = true;
        }
        if self.t2.is_some_and(|t| t <= now) {
            if self.count_error() {
                return;
            }
            self.rto.back_off();
            match self.state {
                State::ShutdownSent => self.ctrl.push_back(Chunk::Shutdown(ShutdownChunk {
                    cumulative_tsn_ack: self.rx.cumulative_tsn(),
                })),
                State::ShutdownAckSent => self.ctrl.push_back(Chunk::ShutdownAck),
                _ => {}
            }
            self.t2 = Some(now + self.rto.rto());
        }
        if self.hb_timer.is_some_and(|t| t <= now) {
            if self.hb_outstanding.is_some() && self.count_error() {
                return;
            }
            self.send_heartbeat(now);
        }
        if self.rc.timer.is_some_and(|t| t <= now) {
            self.rto.back_off();
            self.resend_reconfig(now);
        }
    }

    /// Counts an unanswered retransmission; true when the association was declared dead.
    fn count_error(&mut self) -> bool {
        self.error_count += 1;
        if self.error_count > self.config.max_retransmits {
            self.abort_with(CloseReason::TooManyRetransmissions);
            return true;
        }
        false
    }

    fn abort_with(&mut self, reason: CloseReason) {
        if self.peer_tag != 0 {
            self.queue_packet(self.peer_tag, &[Chunk::Abort(AbortChunk::default())]);
        }
        self.terminate(reason);
    }

    fn send_heartbeat(&mut self, now: Instant) {
        let nonce = u64::from(self.random_u32()) << 32 | u64::from(self.random_u32());
        let micros = now.saturating_duration_since(self.epoch).as_micros() as u64;
        let mut info = Vec::with_capacity(16);
        info.extend_from_slice(&nonce.to_be_bytes());
        info.extend_from_slice(&micros.to_be_bytes());
        self.ctrl.push_back(Chunk::Heartbeat(HeartbeatChunk {
            info: Bytes::from(info),
        }));
        self.hb_outstanding = Some(nonce);
        self.hb_timer = self
            .config
            .heartbeat_interval
            .map(|i| now + i + self.rto.rto());
    }

    fn handle_heartbeat_ack(&mut self, now: Instant, hb: &HeartbeatChunk) {
        let Some(nonce) = self.hb_outstanding else {
            return;
        };
        let Some(info) = hb.info.get(..16) else {
            return;
        };
        let (n, t) = info.split_at(8);
        let n = u64::from_be_bytes(n.try_into().unwrap_or([0; 8]));
        let t = u64::from_be_bytes(t.try_into().unwrap_or([0; 8]));
        if n != nonce {
            return;
        }
        self.hb_outstanding = None;
        self.error_count = 0;
        let sent = self.epoch + Duration::from_micros(t);
        if sent <= now {
            self.rto.on_measurement(now - sent);
        }
    }

    /// Feeds one received SCTP packet (a DTLS record payload); the bytes are copied once.
    pub fn handle_receive(&mut self, now: Instant, packet: &[u8]) {
        self.handle_receive_bytes(now, Bytes::copy_from_slice(packet));
    }

    /// Feeds one received SCTP packet without copying; DATA payloads keep referencing it.
    pub fn handle_receive_bytes(&mut self, now: Instant, packet: Bytes) {
        self.stats.packets_received += 1;
        let pkt = match Packet::parse(packet) {
            Ok(p) => p,
            Err(_) => {
                self.stats.packets_dropped += 1;
                return;
            }
        };
        if pkt.header.destination_port != self.config.local_port
            || pkt.header.source_port != self.config.remote_port
        {
            self.stats.packets_dropped += 1;
            return;
        }
        let vtag = pkt.header.verification_tag;
        if self.terminated {
            self.out_of_the_blue(vtag, &pkt);
            return;
        }
        let mut chunks = pkt.chunks();
        let mut first = true;
        let mut got_data = false;
        let mut sack_now = false;
        while let Some(raw) = chunks.next_raw() {
            let Ok((ty, flags, value)) = raw else {
                self.stats.chunks_malformed += 1;
                break;
            };
            let tag_ok = match ty {
                chunk::init::TYPE_INIT => first && vtag == 0,
                chunk::abort::TYPE | chunk::shutdown::TYPE_SHUTDOWN_COMPLETE => {
                    if flags & 1 != 0 {
                        vtag == self.peer_tag && self.peer_tag != 0
                    } else {
                        vtag == self.local_tag
                    }
                }
                // Checked against the cookie's contents.
                chunk::cookie::TYPE_COOKIE_ECHO => true,
                _ => vtag == self.local_tag,
            };
            if !tag_ok {
                self.stats.packets_dropped += 1;
                break;
            }
            first = false;
            let parsed = match Chunk::parse(ty, flags, value) {
                Ok(c) => c,
                Err(crate::ParseError::NoUserData) if self.is_established() => {
                    self.stats.chunks_malformed += 1;
                    self.protocol_violation("DATA without user data");
                    return;
                }
                Err(_) => {
                    self.stats.chunks_malformed += 1;
                    break;
                }
            };
            match parsed {
                Chunk::Data(_) | Chunk::ForwardTsn(_) if self.interleaving => {
                    // RFC 8260 §2.2: with I-DATA negotiated, DATA must not be used.
                    self.protocol_violation("DATA with I-DATA negotiated");
                    return;
                }
                Chunk::IData(_) | Chunk::IForwardTsn(_) if !self.interleaving => {
                    // Not negotiated: RFC 8260 §2.2 requires an ABORT.
                    self.protocol_violation("I-DATA not negotiated");
                    return;
                }
                Chunk::IData(d) => {
                    if !matches!(
                        self.state,
                        State::Established | State::ShutdownPending | State::ShutdownSent
                    ) {
                        self.stats.data_dropped += 1;
                        continue;
                    }
                    got_data = true;
                    sack_now |= d.immediate;
                    sack_now |= self.handle_idata(d);
                }
                Chunk::IForwardTsn(f) => {
                    if self.is_established() || self.state == State::ShutdownSent {
                        let n = self.rx.iforward_tsn(
                            f.new_cumulative_tsn,
                            &f.messages,
                            &mut self.events,
                        );
                        self.event_bytes += n;
                        sack_now = true;
                        got_data = true;
                        self.check_deferred_reset();
                    }
                }
                Chunk::Data(d) => {
                    if !matches!(
                        self.state,
                        State::Established | State::ShutdownPending | State::ShutdownSent
                    ) || self.terminated
                    {
                        self.stats.data_dropped += 1;
                        continue;
                    }
                    got_data = true;
                    sack_now |= d.immediate;
                    sack_now |= self.handle_data(d);
                }
                Chunk::Init(init) => {
                    self.handle_init(now, init);
                    // INIT must be alone in its packet.
                    break;
                }
                Chunk::InitAck(ack) => self.handle_init_ack(now, ack),
                Chunk::CookieEcho(c) => self.handle_cookie_echo(now, vtag, &c.cookie),
                Chunk::CookieAck => self.handle_cookie_ack(now),
                Chunk::Sack(s) => self.handle_sack(now, &s),
                Chunk::Heartbeat(hb) => {
                    if self.peer_tag != 0 {
                        self.ctrl.push_back(Chunk::HeartbeatAck(hb));
                    }
                }
                Chunk::HeartbeatAck(hb) => self.handle_heartbeat_ack(now, &hb),
                Chunk::Abort(a) => {
                    self.terminate(CloseReason::PeerAbort(a.causes));
                    return;
                }
                Chunk::Shutdown(s) => self.handle_shutdown(now, s),
                Chunk::ShutdownAck => self.handle_shutdown_ack(),
                Chunk::ShutdownComplete { .. } => {
                    if self.state == State::ShutdownAckSent {
                        self.terminate(CloseReason::Shutdown);
                        return;
                    }
                }
                Chunk::Error(_) => {}
                Chunk::ForwardTsn(f) => {
                    if self.is_established() || self.state == State::ShutdownSent {
                        let n =
                            self.rx
                                .forward_tsn(f.new_cumulative_tsn, &f.streams, &mut self.events);
                        self.event_bytes += n;
                        sack_now = true;
                        got_data = true;
                        self.check_deferred_reset();
                    }
                }
                Chunk::ReConfig(rc) => self.handle_reconfig(now, rc),
                Chunk::Unknown { value, .. } => {
                    let action = ty >> 6;
                    if action & 1 == 1 && self.peer_tag != 0 {
                        // The cause carries the unrecognized chunk (RFC 9260 §3.3.10.6), cut to
                        // keep the ERROR well inside one packet.
                        let value = value.get(..value.len().min(256)).unwrap_or(&[]);
                        let mut info = Vec::with_capacity(4 + value.len());
                        info.extend_from_slice(&[ty, flags]);
                        info.extend_from_slice(&((4 + value.len()) as u16).to_be_bytes());
                        info.extend_from_slice(value);
                        self.ctrl.push_back(Chunk::Error(ErrorChunk {
                            causes: vec![ErrorCause::with_info(
                                cause::UNRECOGNIZED_CHUNK_TYPE,
                                info,
                            )],
                        }));
                    }
                    if action & 2 == 0 {
                        break;
                    }
                }
            }
            if self.terminated {
                return;
            }
        }
        if got_data {
            if sack_now || self.rx.has_gaps() || self.rx.has_dups() {
                self.sack_due = true;
            } else {
                self.packets_unacked += 1;
                if self.packets_unacked >= self.config.sack_every {
                    self.sack_due = true;
                } else if self.sack_timer.is_none() {
                    self.sack_timer = Some(now + self.config.delayed_ack);
                }
            }
            self.check_deferred_reset();
            if self.state == State::ShutdownSent {
                // RFC 9260 §9.2: answer DATA in SHUTDOWN-SENT with SHUTDOWN.
                self.ctrl.push_back(Chunk::Shutdown(ShutdownChunk {
                    cumulative_tsn_ack: self.rx.cumulative_tsn(),
                }));
            }
        }
        self.progress_shutdown(now);
    }

    /// A packet for an association that no longer exists (RFC 9260 §8.4): answer a
    /// SHUTDOWN-ACK with SHUTDOWN-COMPLETE (our own was lost) and anything else but ABORT,
    /// SHUTDOWN-COMPLETE or INIT with an ABORT, both with the T bit and the packet's tag.
    fn out_of_the_blue(&mut self, vtag: u32, pkt: &Packet) {
        self.stats.packets_dropped += 1;
        if vtag != self.local_tag || self.packets.len() >= 16 {
            return;
        }
        let mut shutdown_ack = false;
        let mut iter = pkt.chunks();
        while let Some(Ok((ty, _, _))) = iter.next_raw() {
            match ty {
                chunk::abort::TYPE
                | chunk::shutdown::TYPE_SHUTDOWN_COMPLETE
                | chunk::init::TYPE_INIT => return,
                chunk::shutdown::TYPE_SHUTDOWN_ACK => shutdown_ack = true,
                _ => {}
            }
        }
        let reply = if shutdown_ack {
            Chunk::ShutdownComplete {
                tag_reflected: true,
            }
        } else {
            Chunk::Abort(AbortChunk {
                tag_reflected: true,
                causes: Vec::new(),
            })
        };
        self.queue_packet(vtag, &[reply]);
    }

    /// Returns true when the chunk calls for an immediate SACK.
    fn handle_idata(&mut self, d: chunk::IDataChunk) -> bool {
        let Some(in_order) = self.admit(d.tsn, d.stream_id, d.payload.len()) else {
            return true;
        };
        self.stats.data_received += 1;
        let n = self.rx.accept_idata(d, &mut self.events);
        self.event_bytes += n;
        !in_order
    }

    /// Checks a DATA or I-DATA chunk against duplicates, stream bounds and the receive buffer;
    /// `Some(in_order)` when it is to be stored.
    fn admit(&mut self, tsn: u32, stream: u16, len: usize) -> Option<bool> {
        match self.rx.check(tsn) {
            DataOutcome::Duplicate => {
                self.stats.data_duplicates += 1;
                return None;
            }
            DataOutcome::Dropped => {
                self.stats.data_dropped += 1;
                return None;
            }
            DataOutcome::New => {}
        }
        let in_order = self.rx.is_next(tsn);
        if stream >= self.inbound_streams {
            self.rx.accept_discarded(tsn);
            let mut info = stream.to_be_bytes().to_vec();
            info.extend_from_slice(&[0, 0]);
            self.ctrl.push_back(Chunk::Error(ErrorChunk {
                causes: vec![ErrorCause::with_info(
                    cause::INVALID_STREAM_IDENTIFIER,
                    info,
                )],
            }));
            self.stats.data_dropped += 1;
            return None;
        }
        let used = self.rx.buffered + self.event_bytes;
        let cap = self.config.max_receive_buffer;
        // RFC 9260 §6.2: with no room, only data filling a hole below the highest TSN held is
        // taken (so reassembly cannot deadlock), still within a hard bound.
        if used + len > cap && !(self.rx.fills_hole(tsn) && used + len <= 2 * cap) {
            self.stats.data_dropped += 1;
            return None;
        }
        Some(in_order)
    }

    /// Returns true when the chunk calls for an immediate SACK.
    fn handle_data(&mut self, d: chunk::DataChunk) -> bool {
        let Some(in_order) = self.admit(d.tsn, d.stream_id, d.payload.len()) else {
            return true;
        };
        self.stats.data_received += 1;
        let n = self.rx.accept(d, &mut self.events);
        self.event_bytes += n;
        !in_order
    }

    fn handle_sack(&mut self, now: Instant, sack: &chunk::SackChunk) {
        if !matches!(
            self.state,
            State::Established
                | State::ShutdownPending
                | State::ShutdownReceived
                | State::ShutdownSent
        ) {
            return;
        }
        let out = self.tx.handle_sack(now, sack, self.rto.rto());
        if out.ignored {
            self.stats.sacks_ignored += 1;
            return;
        }
        if out.bytes_acked > 0 || out.cum_advanced {
            self.error_count = 0;
        }
        if let Some(r) = out.rtt {
            self.rto.on_measurement(r);
        }
        self.progress_shutdown(now);
    }

    fn handle_shutdown(&mut self, now: Instant, s: ShutdownChunk) {
        match self.state {
            State::Established | State::ShutdownPending | State::ShutdownReceived => {
                let sack = chunk::SackChunk {
                    cumulative_tsn_ack: s.cumulative_tsn_ack,
                    a_rwnd: self.config.max_receive_buffer as u32,
                    ..Default::default()
                };
                self.tx.handle_sack(now, &sack, self.rto.rto());
                self.state = State::ShutdownReceived;
                self.progress_shutdown(now);
            }
            State::ShutdownSent => {
                self.ctrl.push_back(Chunk::ShutdownAck);
                self.state = State::ShutdownAckSent;
                self.t2 = Some(now + self.rto.rto());
            }
            _ => {}
        }
    }

    fn handle_shutdown_ack(&mut self) {
        if matches!(self.state, State::ShutdownSent | State::ShutdownAckSent) {
            self.queue_packet(
                self.peer_tag,
                &[Chunk::ShutdownComplete {
                    tag_reflected: false,
                }],
            );
            self.terminate(CloseReason::Shutdown);
        }
    }

    fn progress_shutdown(&mut self, now: Instant) {
        if self.terminated || !self.tx.is_idle() {
            return;
        }
        match self.state {
            State::ShutdownPending => {
                self.ctrl.push_back(Chunk::Shutdown(ShutdownChunk {
                    cumulative_tsn_ack: self.rx.cumulative_tsn(),
                }));
                self.state = State::ShutdownSent;
                self.t2 = Some(now + self.rto.rto());
            }
            State::ShutdownReceived => {
                self.ctrl.push_back(Chunk::ShutdownAck);
                self.state = State::ShutdownAckSent;
                self.t2 = Some(now + self.rto.rto());
            }
            _ => {}
        }
    }

    /// Writes the next packet into `out` (cleared first); returns false when there is nothing
    /// to send. Reusing `out` across calls avoids an allocation per packet.
    pub fn poll_transmit_into(&mut self, now: Instant, out: &mut Vec<u8>) -> bool {
        out.clear();
        if let Some(p) = self.packets.pop_front() {
            *out = p;
            self.stats.packets_sent += 1;
            return true;
        }
        if self.terminated || self.peer_tag == 0 {
            return false;
        }
        let established = matches!(
            self.state,
            State::Established
                | State::ShutdownPending
                | State::ShutdownReceived
                | State::ShutdownSent
                | State::ShutdownAckSent
        );
        if !established {
            return false;
        }
        if self.rc.outstanding.is_none() && self.peer_reconfig {
            self.send_reset_request(now);
        }
        let mtu = self.config.mtu;
        out.reserve(mtu);
        self.header(self.peer_tag).write(out);
        let sending_data = self.tx.has_pending()
            && matches!(
                self.state,
                State::Established | State::ShutdownPending | State::ShutdownReceived
            );
        if self.sack_due || (self.sack_timer.is_some() && (sending_data || !self.ctrl.is_empty())) {
            let rwnd = self.receive_window();
            let max_blocks =
                (mtu.saturating_sub(COMMON_HEADER_LEN + 16 + 4 * 32) / 4).clamp(1, MAX_GAP_BLOCKS);
            let sack = self
                .rx
                .build_sack(rwnd.min(u32::MAX as usize) as u32, max_blocks);
            sack.write(out);
            self.last_rwnd = rwnd;
            self.sack_due = false;
            self.sack_timer = None;
            self.packets_unacked = 0;
        }
        while let Some(c) = self.ctrl.front() {
            let len = c.encoded_len();
            if out.len() + len > mtu {
                if out.len() == COMMON_HEADER_LEN {
                    // Can never fit: drop it rather than stall.
                    self.ctrl.pop_front();
                    continue;
                }
                break;
            }
            if let Some(c) = self.ctrl.pop_front() {
                c.write(out);
            }
        }
        if self.tx.forward_tsn_needed && self.peer_forward_tsn {
            // Sized so the chunk always fits in a packet of its own.
            let room = mtu - COMMON_HEADER_LEN - 8;
            let f = if self.interleaving {
                self.tx.build_iforward_tsn(room / 8).map(Chunk::IForwardTsn)
            } else {
                self.tx.build_forward_tsn(room / 4).map(Chunk::ForwardTsn)
            };
            if let Some(f) = f
                && out.len() + f.encoded_len() <= mtu
            {
                f.write(out);
                self.tx.forward_tsn_needed = false;
            }
        }
        if sending_data {
            self.tx
                .write_data(now, out, self.rto.rto(), &mut self.events);
        }
        if out.len() == COMMON_HEADER_LEN {
            out.clear();
            return false;
        }
        finish_packet(out);
        self.stats.packets_sent += 1;
        true
    }

    /// Returns the next packet to send, if any.
    pub fn poll_transmit(&mut self, now: Instant) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        self.poll_transmit_into(now, &mut out).then_some(out)
    }
}
