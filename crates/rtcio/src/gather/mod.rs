//! Candidate gathering beyond host candidates: server-reflexive candidates from STUN servers
//! (a Binding request from every host socket) and relayed candidates from TURN servers (one
//! allocation per `turn:`/`turns:` URL, over UDP, TCP or TLS).
//!
//! Each server is worked by its own task, so a slow or unreachable server never delays host
//! candidates (added by `RTCPeerConnection::new` before any task starts) or the other servers.
//! Candidates go to the core as they are found (trickle); a coordinator calls
//! `end_of_local_candidates` once every task finished or [`GATHER_TIMEOUT`] passed.
//!
//! Routing, through the [`Hub`] the connection's state holds:
//! * a STUN response arriving on a host socket whose transaction id is one of ours goes to the
//!   STUN task instead of the core ([`Hub::claim`]);
//! * a core transmit whose `from` is a relayed address goes to that allocation
//!   ([`Hub::divert`]); data arriving through an allocation is fed to the core with the relayed
//!   address as the local address.

mod hub;
mod plan;
mod relay;
mod srflx;
mod transport;

use std::sync::{Arc, Weak};
use std::time::Duration;

use tokio::sync::{mpsc, watch};

use crate::net::UdpSocket;
use crate::peer_connection::{Core, Inner};

pub(crate) use hub::Hub;
pub(crate) use plan::Plan;

/// Gathering ends at the latest this long after the connection is created; servers that have
/// not answered by then give no candidate.
pub(crate) const GATHER_TIMEOUT: Duration = Duration::from_secs(5);

/// The local preference of a host socket's candidates (its index among the host sockets), as
/// `RTCPeerConnection::new` computes it.
fn host_preference(index: usize) -> u16 {
    65535u16.saturating_sub((index as u16).saturating_mul(256))
}

/// A fresh random transaction id (a hashed fallback if the CSPRNG fails).
fn random_id() -> rtcio_stun::TransactionId {
    rtcio_stun::TransactionId::random().unwrap_or_else(|_| {
        use std::hash::BuildHasher;
        let state = std::collections::hash_map::RandomState::new();
        let mut id = [0u8; 12];
        id[..8].copy_from_slice(&state.hash_one(1u8).to_le_bytes());
        id[8..].copy_from_slice(&state.hash_one(2u8).to_le_bytes()[..4]);
        rtcio_stun::TransactionId::new(id)
    })
}

impl Plan {
    /// Starts the STUN and TURN tasks and the coordinator that ends gathering. Does nothing
    /// when there is nothing to gather (the caller already ended gathering).
    pub(crate) fn start<C: Core>(
        self,
        inner: &Arc<Inner<C>>,
        hub: Arc<Hub>,
        host_sockets: Vec<Arc<UdpSocket>>,
        shutdown: watch::Receiver<bool>,
    ) {
        if self.is_empty() {
            return;
        }
        // Each task holds a sender; the coordinator sees the channel close when all are done.
        let (done_tx, done_rx) = mpsc::channel::<()>(1);
        if !self.stun.is_empty() && !host_sockets.is_empty() {
            tokio::spawn(srflx::run(srflx::Srflx {
                inner: Arc::downgrade(inner),
                hub: hub.clone(),
                sockets: host_sockets,
                servers: self.stun,
                _done: done_tx.clone(),
                shutdown: shutdown.clone(),
            }));
        }
        for (index, server) in self.turn.into_iter().enumerate() {
            tokio::spawn(relay::run(relay::Relay {
                inner: Arc::downgrade(inner),
                hub: hub.clone(),
                server,
                index,
                done: Some(done_tx.clone()),
                shutdown: shutdown.clone(),
            }));
        }
        drop(done_tx);
        tokio::spawn(coordinate(Arc::downgrade(inner), hub, done_rx, shutdown));
    }
}

/// Waits for every gathering task (or the timeout) and ends gathering.
async fn coordinate<C: Core>(
    inner: Weak<Inner<C>>,
    hub: Arc<Hub>,
    mut done: mpsc::Receiver<()>,
    mut shutdown: watch::Receiver<bool>,
) {
    let all_done = async { while done.recv().await.is_some() {} };
    tokio::select! {
        _ = tokio::time::timeout(GATHER_TIMEOUT, all_done) => {}
        _ = shutdown.wait_for(|closed| *closed) => {}
    }
    hub.end_gathering();
    if let Some(inner) = inner.upgrade() {
        inner
            .with_core(|core, now| core.end_of_local_candidates(now))
            .await;
    }
}
