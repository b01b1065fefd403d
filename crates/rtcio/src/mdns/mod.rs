//! Resolution of remote mDNS candidates (`<uuid>.local`, as browsers signal them) with one-shot
//! multicast DNS queries (RFC 6762 §5.1).
//!
//! [`MdnsResolver::resolve`] sends the query of [`rtcio_ice::mdns::Lookup`] from an ephemeral
//! socket to `224.0.0.251:5353` on each IPv4 interface it is given and to `[ff02::fb]:5353` on
//! each IPv6 one, with multicast loopback on (the peer may be on this host), repeats it after 1 s
//! and gives up after the timeout ([`MDNS_TIMEOUT`] by default). The questions ask for a
//! unicast response (QU), which RFC 6762 §6.7 makes responders send to the ephemeral port; for
//! responders that answer on the group anyway (aioice's does), the resolver also listens on
//! port 5353 in the group (the port shared with SO_REUSEADDR/SO_REUSEPORT; if it can not be
//! had, only direct answers are heard).
//!
//! `RTCPeerConnection` uses it for the `.local` candidates of remote descriptions and of
//! `add_ice_candidate` (see [`MdnsStats`]).

pub(crate) mod hook;

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::time::{Duration, Instant};

use rtcio_ice::mdns::{Lookup, LookupState, MDNS_IPV4, MDNS_IPV6, MDNS_PORT, MdnsError};
use socket2::{Domain, Protocol, SockRef, Socket, Type};
use tokio::net::UdpSocket;

/// How long a resolution waits for a response.
pub const MDNS_TIMEOUT: Duration = Duration::from_secs(3);

/// Counters of the `.local` candidates a connection met.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MdnsStats {
    /// Names resolved and handed to ICE as IP candidates.
    pub resolved: u64,
    /// Names that got no answer in time, or could not be queried: their candidates are dropped.
    pub failed: u64,
    /// Resolutions still running.
    pub pending: u64,
}

/// Why a name was not resolved.
#[derive(Debug)]
pub enum ResolveError {
    /// Not a `.local` name, or not encodable.
    Name(MdnsError),
    /// No response within the timeout.
    TimedOut,
    /// No socket could be opened, or no query could be sent.
    Io(io::Error),
}

impl std::fmt::Display for ResolveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ResolveError::Name(e) => write!(f, "mDNS name: {e}"),
            ResolveError::TimedOut => f.write_str("mDNS: no response in time"),
            ResolveError::Io(e) => write!(f, "mDNS socket: {e}"),
        }
    }
}

impl std::error::Error for ResolveError {}

/// Resolves `.local` names on chosen interfaces.
#[derive(Debug, Clone)]
pub struct MdnsResolver {
    v4: Vec<Option<Ipv4Addr>>,
    v6: Vec<u32>,
    timeout: Duration,
}

impl Default for MdnsResolver {
    /// Queries on the system's default multicast interface, IPv4 only.
    fn default() -> MdnsResolver {
        MdnsResolver {
            v4: vec![None],
            v6: Vec::new(),
            timeout: MDNS_TIMEOUT,
        }
    }
}

impl MdnsResolver {
    /// Queries on the interfaces that own `addrs` (the connection's host addresses): IPv4
    /// interfaces by address, IPv6 ones by index. Addresses of no interface are skipped.
    pub fn for_addresses(addrs: &[IpAddr]) -> MdnsResolver {
        let mut v4 = Vec::new();
        let mut v6 = Vec::new();
        let interfaces = if_addrs::get_if_addrs().unwrap_or_default();
        for ip in addrs {
            match ip {
                IpAddr::V4(a) if !a.is_unspecified() && !v4.contains(&Some(*a)) => {
                    v4.push(Some(*a))
                }
                IpAddr::V6(a) => {
                    let index = interfaces
                        .iter()
                        .find(|i| i.ip() == IpAddr::V6(*a))
                        .and_then(|i| i.index);
                    if let Some(index) = index.filter(|i| !v6.contains(i)) {
                        v6.push(index);
                    }
                }
                _ => {}
            }
        }
        MdnsResolver {
            v4,
            v6,
            timeout: MDNS_TIMEOUT,
        }
    }

    /// The same resolver with another timeout.
    pub fn with_timeout(mut self, timeout: Duration) -> MdnsResolver {
        self.timeout = timeout;
        self
    }

    /// Whether the resolver has an interface to query on.
    pub fn has_interfaces(&self) -> bool {
        !self.v4.is_empty() || !self.v6.is_empty()
    }

    /// Resolves `name`: its addresses, IPv4 and IPv6, in the order of the first response.
    pub async fn resolve(&self, name: &str) -> Result<Vec<IpAddr>, ResolveError> {
        let mut id = [0u8; 2];
        // A predictable ID only weakens the (already weak) match of direct responses.
        let _ = openssl::rand::rand_bytes(&mut id);
        let mut lookup = Lookup::new(Instant::now(), u16::from_be_bytes(id), name, self.timeout)
            .map_err(ResolveError::Name)?;
        let v4 = if self.v4.is_empty() {
            None
        } else {
            Some(open(Domain::IPV4).map_err(ResolveError::Io)?)
        };
        let v6 = if self.v6.is_empty() {
            None
        } else {
            open(Domain::IPV6).ok()
        };
        // Responders that answer on the group only (not to the querier, against §6.7) are
        // heard on the mDNS port, when it can be shared.
        let group4 = self.listen_v4();
        let group6 = self.listen_v6();
        let mut bufs = [[0u8; 1500]; 4];
        let [b4, b6, g4, g6] = &mut bufs;
        loop {
            if let Some(query) = lookup.poll_transmit() {
                self.send(v4.as_ref(), v6.as_ref(), &query)
                    .await
                    .map_err(ResolveError::Io)?;
            }
            match lookup.state() {
                LookupState::Resolved(addrs) => return Ok(addrs.clone()),
                LookupState::TimedOut => return Err(ResolveError::TimedOut),
                LookupState::Pending => {}
            }
            let Some(wake) = lookup.poll_timeout() else {
                return Err(ResolveError::TimedOut);
            };
            tokio::select! {
                r = recv(v4.as_ref(), b4) => if let Some(n) = r {
                    lookup.handle_receive(Instant::now(), &b4[..n]);
                },
                r = recv(v6.as_ref(), b6) => if let Some(n) = r {
                    lookup.handle_receive(Instant::now(), &b6[..n]);
                },
                r = recv(group4.as_ref(), g4) => if let Some(n) = r {
                    lookup.handle_receive(Instant::now(), &g4[..n]);
                },
                r = recv(group6.as_ref(), g6) => if let Some(n) = r {
                    lookup.handle_receive(Instant::now(), &g6[..n]);
                },
                _ = tokio::time::sleep_until(wake.into()) => lookup.handle_timeout(Instant::now()),
            }
        }
    }

    /// A socket on the IPv4 mDNS port in the group on every IPv4 interface, if it can be had.
    fn listen_v4(&self) -> Option<UdpSocket> {
        if self.v4.is_empty() {
            return None;
        }
        let socket = shared_port(Domain::IPV4).ok()?;
        let mut joined = false;
        for iface in &self.v4 {
            let iface = iface.unwrap_or(Ipv4Addr::UNSPECIFIED);
            joined |= socket.join_multicast_v4(&MDNS_IPV4, &iface).is_ok();
        }
        joined.then(|| UdpSocket::from_std(socket.into()).ok())?
    }

    /// A socket on the IPv6 mDNS port in the group on every IPv6 interface, if it can be had.
    fn listen_v6(&self) -> Option<UdpSocket> {
        if self.v6.is_empty() {
            return None;
        }
        let socket = shared_port(Domain::IPV6).ok()?;
        let mut joined = false;
        for &index in &self.v6 {
            joined |= socket.join_multicast_v6(&MDNS_IPV6, index).is_ok();
        }
        joined.then(|| UdpSocket::from_std(socket.into()).ok())?
    }

    /// Sends `query` on every interface; fails only when it went out nowhere.
    async fn send(
        &self,
        v4: Option<&UdpSocket>,
        v6: Option<&UdpSocket>,
        query: &[u8],
    ) -> io::Result<()> {
        let mut last_err = None;
        let mut sent = false;
        // The interface is a socket option: set it right before each send.
        let mut targets: Vec<Target> = Vec::new();
        if v4.is_some() {
            targets.extend(self.v4.iter().map(|i| Target::V4(*i)));
        }
        if v6.is_some() {
            targets.extend(self.v6.iter().map(|i| Target::V6(*i)));
        }
        for target in targets {
            let Some(sock) = (match target {
                Target::V4(_) => v4,
                Target::V6(_) => v6,
            }) else {
                continue;
            };
            let r = match target {
                Target::V4(iface) => SockRef::from(sock)
                    .set_multicast_if_v4(&iface.unwrap_or(Ipv4Addr::UNSPECIFIED))
                    .map(|()| SocketAddr::V4(SocketAddrV4::new(MDNS_IPV4, MDNS_PORT))),
                Target::V6(index) => SockRef::from(sock)
                    .set_multicast_if_v6(index)
                    .map(|()| SocketAddr::V6(SocketAddrV6::new(MDNS_IPV6, MDNS_PORT, 0, index))),
            };
            let r = match r {
                Ok(to) => sock.send_to(query, to).await.map(|_| ()),
                Err(e) => Err(e),
            };
            match r {
                Ok(()) => sent = true,
                Err(e) => last_err = Some(e),
            }
        }
        match (sent, last_err) {
            (false, Some(e)) => Err(e),
            (false, None) => Err(io::Error::other("no interface to query on")),
            (true, _) => Ok(()),
        }
    }
}

/// Where one copy of a query goes: an IPv4 interface address (`None`: the system's default),
/// or an IPv6 interface index.
#[derive(Debug, Clone, Copy)]
enum Target {
    V4(Option<Ipv4Addr>),
    V6(u32),
}

/// An ephemeral UDP socket for queries: multicast loopback on, hop limit 255 (RFC 6762 §11).
fn open(domain: Domain) -> io::Result<UdpSocket> {
    let socket = Socket::new(domain, Type::DGRAM, Some(Protocol::UDP))?;
    if domain == Domain::IPV6 {
        socket.set_only_v6(true)?;
        socket.set_multicast_loop_v6(true)?;
        socket.set_multicast_hops_v6(255)?;
        socket.bind(&SocketAddr::from((Ipv6Addr::UNSPECIFIED, 0)).into())?;
    } else {
        socket.set_multicast_loop_v4(true)?;
        socket.set_multicast_ttl_v4(255)?;
        socket.bind(&SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0)).into())?;
    }
    socket.set_nonblocking(true)?;
    UdpSocket::from_std(socket.into())
}

/// A socket bound to the mDNS port, shared with other mDNS software on the host.
fn shared_port(domain: Domain) -> io::Result<Socket> {
    let socket = Socket::new(domain, Type::DGRAM, Some(Protocol::UDP))?;
    socket.set_reuse_address(true)?;
    socket.set_reuse_port(true)?;
    if domain == Domain::IPV6 {
        socket.set_only_v6(true)?;
        socket.bind(&SocketAddr::from((Ipv6Addr::UNSPECIFIED, MDNS_PORT)).into())?;
    } else {
        socket.bind(&SocketAddr::from((Ipv4Addr::UNSPECIFIED, MDNS_PORT)).into())?;
    }
    socket.set_nonblocking(true)?;
    Ok(socket)
}

/// The length of one datagram from `sock`, `None` on an error (an ICMP report); never returns
/// when there is no socket.
async fn recv(sock: Option<&UdpSocket>, buf: &mut [u8]) -> Option<usize> {
    match sock {
        Some(s) => s.recv_from(buf).await.ok().map(|(n, _)| n),
        None => std::future::pending().await,
    }
}
