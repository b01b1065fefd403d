//! One name resolution in time: send the query, repeat it, give up (sans-IO).

use std::net::IpAddr;
use std::time::{Duration, Instant};

use super::{MdnsError, MdnsQuery};

/// First interval between transmissions of the query; it doubles (RFC 6762 §5.2 asks for at
/// least one second between repeats).
const FIRST_REPEAT: Duration = Duration::from_secs(1);

/// Where a [`Lookup`] stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LookupState {
    /// Waiting for a response.
    Pending,
    /// A response gave these addresses (at least one).
    Resolved(Vec<IpAddr>),
    /// No response before the deadline.
    TimedOut,
}

/// A one-shot resolution of a `.local` name: the query goes out at once, again after 1 s, 2 s
/// more, and so on until a response names an address or the timeout passes.
///
/// ```
/// use std::time::{Duration, Instant};
/// use rtcio_ice::mdns::{Lookup, LookupState, encode_response};
///
/// let now = Instant::now();
/// let mut lookup = Lookup::new(now, 7, "3f1c0b2e.local", Duration::from_secs(3)).unwrap();
/// let query = lookup.poll_transmit().unwrap(); // send to 224.0.0.251:5353 and ff02::fb
/// assert!(!query.is_empty());
/// let addr = "192.0.2.7".parse().unwrap();
/// let answer = encode_response(0, "3F1C0B2E.local", &[addr], 120).unwrap();
/// lookup.handle_receive(now, &answer);
/// assert_eq!(*lookup.state(), LookupState::Resolved(vec![addr]));
/// ```
#[derive(Debug, Clone)]
pub struct Lookup {
    query: MdnsQuery,
    deadline: Instant,
    next_send: Instant,
    repeat: Duration,
    due: bool,
    state: LookupState,
    malformed: u64,
}

impl Lookup {
    /// Starts resolving `name` with query ID `id`, giving up `timeout` after `now`.
    pub fn new(now: Instant, id: u16, name: &str, timeout: Duration) -> Result<Lookup, MdnsError> {
        Ok(Lookup {
            query: MdnsQuery::new(id, name)?,
            deadline: now + timeout,
            next_send: now + FIRST_REPEAT,
            repeat: FIRST_REPEAT,
            due: true,
            state: LookupState::Pending,
            malformed: 0,
        })
    }

    /// The query.
    pub fn query(&self) -> &MdnsQuery {
        &self.query
    }

    /// The state.
    pub fn state(&self) -> &LookupState {
        &self.state
    }

    /// Datagrams received that did not parse (dropped).
    pub fn malformed_dropped(&self) -> u64 {
        self.malformed
    }

    /// Feeds a datagram received on the lookup's socket. Returns `true` when it resolved the
    /// name.
    pub fn handle_receive(&mut self, _now: Instant, datagram: &[u8]) -> bool {
        if self.state != LookupState::Pending {
            return false;
        }
        match self.query.addresses(datagram) {
            Ok(addrs) if !addrs.is_empty() => {
                self.state = LookupState::Resolved(addrs);
                true
            }
            Ok(_) => false,
            Err(_) => {
                self.malformed += 1;
                false
            }
        }
    }

    /// Drives the repeats and the deadline.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.state != LookupState::Pending {
            return;
        }
        if now >= self.deadline {
            self.state = LookupState::TimedOut;
            self.due = false;
        } else if now >= self.next_send {
            self.due = true;
            self.repeat = self.repeat.saturating_mul(2);
            self.next_send = now + self.repeat;
        }
    }

    /// The query to send now, once per transmission (to every mDNS group the caller uses).
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        if !std::mem::take(&mut self.due) || self.state != LookupState::Pending {
            return None;
        }
        Some(self.query.to_bytes().to_vec())
    }

    /// When to call [`handle_timeout`](Lookup::handle_timeout) next; `None` once finished.
    pub fn poll_timeout(&self) -> Option<Instant> {
        (self.state == LookupState::Pending).then(|| self.next_send.min(self.deadline))
    }
}
