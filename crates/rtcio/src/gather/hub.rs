//! Routing between the connection's sockets and core on one side and the gathering tasks on the
//! other. Both hooks run under the connection's lock on every datagram, so each starts with a
//! lock-free check that is false when there is nothing to route.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use rtcio_proto::peer::Transmit;
use rtcio_stun::{Class, TransactionId, header::Header};
use tokio::sync::mpsc;

/// Datagrams a relayed address may have waiting for its allocation task.
pub(crate) const RELAY_QUEUE: usize = 1024;

/// A datagram for a peer, sent through an allocation.
pub(crate) type RelayedSend = (SocketAddr, Vec<u8>);

/// The routing tables.
#[derive(Debug, Default)]
pub(crate) struct Hub {
    pending_stun: AtomicUsize,
    stun: Mutex<HashMap<TransactionId, mpsc::Sender<Vec<u8>>>>,
    has_relays: AtomicBool,
    relays: Mutex<HashMap<SocketAddr, mpsc::Sender<RelayedSend>>>,
    gathering_ended: AtomicBool,
    dropped: AtomicU64,
}

impl Hub {
    /// Offers a datagram that arrived on a host socket: true if it is the response to one of
    /// the STUN tasks' Binding requests (it is then theirs, not the core's).
    pub(crate) fn claim(&self, data: &[u8]) -> bool {
        if self.pending_stun.load(Ordering::Acquire) == 0 {
            return false;
        }
        let Ok(header) = Header::parse(data) else {
            return false;
        };
        if !matches!(header.class, Class::SuccessResponse | Class::ErrorResponse) {
            return false;
        }
        let map = self.stun.lock().unwrap_or_else(|e| e.into_inner());
        let Some(tx) = map.get(&header.transaction_id) else {
            return false;
        };
        if tx.try_send(data.to_vec()).is_err() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
        true
    }

    /// Takes a core transmit whose `from` is a relayed address (handing it to the allocation)
    /// and gives every other one back.
    pub(crate) fn divert(&self, t: Transmit) -> Option<Transmit> {
        if !self.has_relays.load(Ordering::Acquire) {
            return Some(t);
        }
        let map = self.relays.lock().unwrap_or_else(|e| e.into_inner());
        let Some(tx) = map.get(&t.from) else {
            return Some(t);
        };
        if tx.try_send((t.to, t.data)).is_err() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
        None
    }

    /// Routes responses with this transaction id to `tx`.
    pub(crate) fn expect_stun(&self, id: TransactionId, tx: mpsc::Sender<Vec<u8>>) {
        let mut map = self.stun.lock().unwrap_or_else(|e| e.into_inner());
        map.insert(id, tx);
        self.pending_stun.store(map.len(), Ordering::Release);
    }

    /// Stops routing responses with this transaction id.
    pub(crate) fn forget_stun(&self, id: TransactionId) {
        let mut map = self.stun.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(&id);
        self.pending_stun.store(map.len(), Ordering::Release);
    }

    /// Routes transmits from `relayed` to `tx`.
    pub(crate) fn add_relay(&self, relayed: SocketAddr, tx: mpsc::Sender<RelayedSend>) {
        let mut map = self.relays.lock().unwrap_or_else(|e| e.into_inner());
        map.insert(relayed, tx);
        self.has_relays.store(true, Ordering::Release);
    }

    /// Stops routing transmits from `relayed` (they are dropped by the send path: no socket).
    pub(crate) fn remove_relay(&self, relayed: SocketAddr) {
        let mut map = self.relays.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(&relayed);
        self.has_relays.store(!map.is_empty(), Ordering::Release);
    }

    /// Marks gathering as over: allocations completing later give no candidate.
    pub(crate) fn end_gathering(&self) {
        self.gathering_ended.store(true, Ordering::Release);
    }

    /// Gathering starts again (an ICE restart with other servers).
    pub(crate) fn begin_gathering(&self) {
        self.gathering_ended.store(false, Ordering::Release);
    }

    /// Whether gathering is over.
    pub(crate) fn gathering_ended(&self) -> bool {
        self.gathering_ended.load(Ordering::Acquire)
    }
}
