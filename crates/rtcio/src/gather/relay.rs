//! Relayed candidates: one TURN allocation per `turn:`/`turns:` URL, kept for the connection's
//! life. The task owns the connection to the server and the sans-IO [`TurnClient`]: it adds the
//! relayed candidate when allocated, sends what the core addresses from the relayed address,
//! feeds what peers send through the relay to the core, and releases the allocation on close.

use std::net::SocketAddr;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use rtcio_proto::peer::Receive;
use rtcio_turn::{ClientConfig, Event, Transport, TurnClient};
use tokio::sync::{mpsc, watch};

use super::hub::{RELAY_QUEUE, RelayedSend};
use super::plan::TurnServer;
use super::transport::{Conn, resolve};
use super::{GATHER_TIMEOUT, Hub, random_id};
use crate::peer_connection::{Core, Inner};

/// How long releasing the allocation may take on close.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(2);

/// What the task needs.
pub(super) struct Relay<C: Core> {
    pub(super) inner: Weak<Inner<C>>,
    pub(super) hub: Arc<Hub>,
    pub(super) server: TurnServer,
    /// Position among the TURN URLs (orders their candidates).
    pub(super) index: usize,
    /// Held until allocated or failed: the coordinator waits for every holder.
    pub(super) done: Option<mpsc::Sender<()>>,
    pub(super) shutdown: watch::Receiver<bool>,
}

/// Local preference: UDP relays before TCP before TLS (RFC 8421 spirit), then URL order.
fn preference(transport: Transport, index: usize) -> u16 {
    let class: u16 = match transport {
        Transport::Udp => 3,
        Transport::Tcp => 2,
        Transport::Tls => 1,
    };
    (class << 12) | 0x0FFFu16.saturating_sub(index.min(0x0FFF) as u16)
}

/// Allocates, then relays until the connection closes or the allocation fails.
pub(super) async fn run<C: Core>(mut task: Relay<C>) {
    let transport = task.server.url.effective_transport();
    let connected = tokio::time::timeout(GATHER_TIMEOUT, async {
        let server = resolve(&task.server.url, None).await?;
        let conn = Conn::connect(server, transport, &task.server.url.host).await?;
        Ok::<_, std::io::Error>((server, conn))
    })
    .await;
    let (server, mut conn) = match connected {
        Ok(Ok(c)) => c,
        Ok(Err(e)) => {
            tracing::debug!(
                "TURN {}:{}: {e}",
                task.server.url.host,
                task.server.url.port
            );
            return;
        }
        Err(_) => {
            tracing::debug!(
                "TURN {}:{}: connect timed out",
                task.server.url.host,
                task.server.url.port
            );
            return;
        }
    };
    let mut config = ClientConfig::new(transport, &task.server.username, &task.server.password);
    // A relayed address of the server's family (IPv4 servers give IPv4 by default).
    if server.is_ipv6() {
        config.requested_family = Some(rtcio_stun::AddressFamily::Ipv6);
    }
    let mut client = TurnClient::new(config, Instant::now(), Box::new(random_id));
    let (tx, mut outgoing) = mpsc::channel::<RelayedSend>(RELAY_QUEUE);
    let mut relayed: Option<SocketAddr> = None;
    let mut close_by: Option<Instant> = None;
    loop {
        let mut out = Vec::new();
        while let Some(data) = client.poll_transmit() {
            out.push(data);
        }
        if let Err(e) = conn.send_batch(out).await {
            tracing::debug!("TURN {server}: send: {e}");
        }
        // Data from peers is fed to the core in one batch (one lock, one flush).
        let mut received = Vec::new();
        while let Some(event) = client.poll_event() {
            match event {
                Event::Allocated {
                    relayed: addr,
                    mapped,
                } => {
                    if task.hub.gathering_ended() {
                        client.close(Instant::now());
                        close_by = Some(Instant::now() + CLOSE_TIMEOUT);
                        continue;
                    }
                    relayed = Some(addr);
                    task.hub.add_relay(addr, tx.clone());
                    let candidate = rtcio_ice::Candidate::relayed(
                        addr,
                        mapped.unwrap_or(addr),
                        server,
                        preference(transport, task.index),
                    );
                    let Some(inner) = task.inner.upgrade() else {
                        break;
                    };
                    tracing::debug!("TURN {server}: relayed candidate {addr}");
                    inner
                        .with_core(|core, now| core.add_local_candidate(now, candidate))
                        .await;
                    // Only now may the coordinator end gathering: the candidate is in.
                    task.done = None;
                }
                Event::Data { peer, data } => received.push((peer, data)),
                Event::Failed { reason } => {
                    tracing::debug!("TURN {server}: {reason}");
                }
                Event::Closed => {}
            }
        }
        if let (Some(local), Some(inner), false) =
            (relayed, task.inner.upgrade(), received.is_empty())
        {
            inner
                .with_core(|core, now| {
                    for (remote, data) in &received {
                        core.handle_receive(
                            now,
                            Receive {
                                local,
                                remote: *remote,
                                data,
                            },
                        );
                    }
                })
                .await;
        }
        if client.is_terminated() || close_by.is_some_and(|t| Instant::now() >= t) {
            break;
        }
        let deadline = [client.poll_timeout(), close_by]
            .into_iter()
            .flatten()
            .min();
        let sleep = async {
            match deadline {
                Some(t) => tokio::time::sleep_until(tokio::time::Instant::from_std(t)).await,
                None => std::future::pending().await,
            }
        };
        let closing = close_by.is_some();
        tokio::select! {
            _ = task.shutdown.wait_for(|closed| *closed), if !closing => {
                client.close(Instant::now());
                close_by = Some(Instant::now() + CLOSE_TIMEOUT);
            }
            received = conn.recv() => match received {
                Ok(frames) => {
                    let now = Instant::now();
                    for frame in frames {
                        client.handle_message(now, &frame);
                    }
                }
                Err(e) => {
                    tracing::debug!("TURN {server}: {e}");
                    break;
                }
            },
            Some((peer, data)) = outgoing.recv() => {
                let now = Instant::now();
                let _ = client.send_to(now, peer, &data);
                // What else is queued, at most one queue's worth per wake-up (refused sends
                // are counted by the client).
                for _ in 1..RELAY_QUEUE {
                    let Ok((peer, data)) = outgoing.try_recv() else {
                        break;
                    };
                    let _ = client.send_to(now, peer, &data);
                }
            }
            _ = sleep => client.handle_timeout(Instant::now()),
        }
    }
    if let Some(addr) = relayed {
        task.hub.remove_relay(addr);
    }
}
