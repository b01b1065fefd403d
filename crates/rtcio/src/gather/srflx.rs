//! Server-reflexive candidates: a STUN Binding request from every host socket to every `stun:`
//! server of its address family. Requests leave through the host sockets (the candidates'
//! bases); the responses come back on them and the [`Hub`] hands them over here.

use std::net::SocketAddr;
use std::sync::{Arc, Weak};
use std::time::Instant;

use rtcio_turn::{BindingClient, BindingEvent, IceServerUrl};
use tokio::sync::{mpsc, watch};

use super::{Hub, host_preference, random_id, transport::resolve};
use crate::net::UdpSocket;
use crate::peer_connection::{Core, Inner};

/// Responses waiting for this task.
const RESPONSE_QUEUE: usize = 64;

/// What the task needs.
pub(super) struct Srflx<C: Core> {
    pub(super) inner: Weak<Inner<C>>,
    pub(super) hub: Arc<Hub>,
    pub(super) sockets: Vec<Arc<UdpSocket>>,
    pub(super) servers: Vec<IceServerUrl>,
    /// Held until the task ends: the coordinator waits for every holder.
    pub(super) _done: mpsc::Sender<()>,
    pub(super) shutdown: watch::Receiver<bool>,
}

/// One Binding transaction: from which host socket, to which server.
struct Probe {
    client: BindingClient,
    socket: Arc<UdpSocket>,
    preference: u16,
    server: SocketAddr,
}

/// Runs every Binding transaction to its end, adding a candidate per new mapped address.
pub(super) async fn run<C: Core>(mut task: Srflx<C>) {
    let (tx, mut rx) = mpsc::channel(RESPONSE_QUEUE);
    let mut probes = Vec::new();
    let now = Instant::now();
    for url in &task.servers {
        let Ok(server) = resolve(url, None).await else {
            tracing::debug!("STUN server {}:{} does not resolve", url.host, url.port);
            continue;
        };
        for (index, socket) in task.sockets.iter().enumerate() {
            if socket.local_addr().is_ipv4() != server.is_ipv4() {
                continue;
            }
            let client = BindingClient::new(now, random_id(), false);
            task.hub.expect_stun(client.transaction_id(), tx.clone());
            probes.push(Probe {
                client,
                socket: socket.clone(),
                preference: host_preference(index),
                server,
            });
        }
    }
    drop(tx);
    loop {
        for probe in &mut probes {
            while let Some(data) = probe.client.poll_transmit() {
                if let Err(e) = probe.socket.send(probe.server, &data, None).await {
                    tracing::debug!("STUN request to {}: {e}", probe.server);
                }
            }
            if let Some(event) = probe.client.poll_event() {
                task.hub.forget_stun(probe.client.transaction_id());
                found(&task, probe, event).await;
            }
        }
        if probes.iter().all(|p| p.client.is_done()) {
            return;
        }
        let deadline = probes.iter().filter_map(|p| p.client.poll_timeout()).min();
        let sleep = async {
            match deadline {
                Some(t) => tokio::time::sleep_until(tokio::time::Instant::from_std(t)).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = task.shutdown.wait_for(|closed| *closed) => break,
            Some(data) = rx.recv() => {
                for probe in &mut probes {
                    if probe.client.handle_response(&data) {
                        break;
                    }
                }
            }
            _ = sleep => {
                let now = Instant::now();
                for probe in &mut probes {
                    probe.client.handle_timeout(now);
                }
            }
        }
    }
    for probe in &probes {
        task.hub.forget_stun(probe.client.transaction_id());
    }
}

/// Adds the server-reflexive candidate a Binding response revealed.
async fn found<C: Core>(task: &Srflx<C>, probe: &Probe, event: BindingEvent) {
    let base = probe.socket.local_addr();
    match event {
        BindingEvent::Mapped(addr) if addr != base && !task.hub.gathering_ended() => {
            let Some(inner) = task.inner.upgrade() else {
                return;
            };
            let candidate =
                rtcio_ice::Candidate::server_reflexive(addr, base, probe.server, probe.preference);
            inner
                .with_core(|core, now| core.add_local_candidate(now, candidate))
                .await;
        }
        BindingEvent::Mapped(_) => {}
        BindingEvent::Failed(reason) => {
            tracing::debug!("STUN {} from {base}: {reason}", probe.server);
        }
    }
}
