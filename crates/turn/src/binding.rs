//! A STUN Binding client (RFC 8489 §6.2): one request to a STUN server, retransmitted on its own
//! timers, whose success response gives the server-reflexive (mapped) address.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::Instant;

use rtcio_stun::{Class, Message, MessageBuilder, Method, TransactionId};

use crate::retransmit::{Retransmit, Step};

/// The outcome of a Binding transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BindingEvent {
    /// The server saw the request come from this address.
    Mapped(SocketAddr),
    /// No usable answer: timed out, an error response, or a success without an address.
    Failed(String),
}

/// One Binding request and its retransmissions.
#[derive(Debug)]
pub struct BindingClient {
    transaction_id: TransactionId,
    request: Vec<u8>,
    retransmit: Option<Retransmit>,
    transmit: VecDeque<Vec<u8>>,
    event: Option<BindingEvent>,
    dropped: u64,
}

impl BindingClient {
    /// Starts a Binding request at `now` with transaction id `id`; `reliable` is TCP/TLS (no
    /// retransmissions).
    pub fn new(now: Instant, id: TransactionId, reliable: bool) -> Self {
        let mut builder = MessageBuilder::new(Class::Request, Method::BINDING, id);
        // A bare header with FINGERPRINT always fits; if it did not, the bare header is sent.
        let _ = builder.add_fingerprint();
        let request = builder.build();
        Self {
            transaction_id: id,
            transmit: VecDeque::from([request.clone()]),
            request,
            retransmit: Some(Retransmit::new(now, reliable)),
            event: None,
            dropped: 0,
        }
    }

    /// The transaction id, to route responses to this client.
    pub fn transaction_id(&self) -> TransactionId {
        self.transaction_id
    }

    /// Whether the transaction ended.
    pub fn is_done(&self) -> bool {
        self.retransmit.is_none()
    }

    /// Responses that did not belong to this transaction or were malformed.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Feeds a datagram from the server. Returns whether it was this transaction's response.
    pub fn handle_response(&mut self, data: &[u8]) -> bool {
        let Ok(msg) = Message::decode(data) else {
            self.dropped += 1;
            return false;
        };
        if msg.transaction_id() != self.transaction_id
            || msg.method() != Method::BINDING
            || self.retransmit.is_none()
        {
            self.dropped += 1;
            return false;
        }
        if msg.has_fingerprint() && msg.verify_fingerprint().is_err() {
            self.dropped += 1;
            return false;
        }
        let event = match msg.class() {
            Class::SuccessResponse => match msg.xor_mapped_address().or(msg.mapped_address()) {
                Some(addr) => BindingEvent::Mapped(addr),
                None => BindingEvent::Failed("success response without a mapped address".into()),
            },
            Class::ErrorResponse => BindingEvent::Failed(match msg.error_code() {
                Some(e) => format!("error {} {}", e.code, e.reason),
                None => "error response without ERROR-CODE".into(),
            }),
            Class::Request | Class::Indication => {
                self.dropped += 1;
                return false;
            }
        };
        self.finish(event);
        true
    }

    /// When to call [`BindingClient::handle_timeout`].
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.retransmit.as_ref().map(Retransmit::deadline)
    }

    /// Retransmits or gives up.
    pub fn handle_timeout(&mut self, now: Instant) {
        let Some(r) = self.retransmit.as_mut() else {
            return;
        };
        match r.on_timeout(now) {
            Step::Wait => {}
            Step::Retransmit => self.transmit.push_back(self.request.clone()),
            Step::GiveUp => self.finish(BindingEvent::Failed("timed out".into())),
        }
    }

    /// The next datagram to send to the server.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.transmit.pop_front()
    }

    /// The outcome, once.
    pub fn poll_event(&mut self) -> Option<BindingEvent> {
        self.event.take()
    }

    fn finish(&mut self, event: BindingEvent) {
        self.retransmit = None;
        self.transmit.clear();
        self.event = Some(event);
    }
}
