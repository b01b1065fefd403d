//! Which local addresses become host candidates.

use std::net::IpAddr;

/// Restricts which interfaces and addresses are used for host candidates.
///
/// The default takes every interface that is up, IPv4 and IPv6, and leaves out loopback unless
/// loopback is all there is: on a machine (or network namespace) whose only interface is `lo`,
/// 127.0.0.1 is the host candidate, so two peers on it still connect without a STUN server.
#[derive(Debug, Clone, Default)]
pub struct InterfaceFilter {
    /// Only these interface names (e.g. `eth0`); empty means all.
    pub interfaces: Vec<String>,
    /// Only these addresses; empty means all. Listing a loopback address here selects it.
    pub addresses: Vec<IpAddr>,
    /// Skip IPv6 addresses.
    pub ipv4_only: bool,
    /// Use loopback addresses even when other interfaces exist.
    pub include_loopback: bool,
}

impl InterfaceFilter {
    fn allows(&self, name: &str, ip: IpAddr) -> bool {
        if !self.interfaces.is_empty() && !self.interfaces.iter().any(|i| i == name) {
            return false;
        }
        if !self.addresses.is_empty() && !self.addresses.contains(&ip) {
            return false;
        }
        if self.ipv4_only && ip.is_ipv6() {
            return false;
        }
        match ip {
            // Link-local IPv6 needs a scope id that SDP cannot carry; browsers skip it too.
            IpAddr::V6(v6) => !v6.is_unicast_link_local() && !v6.is_multicast(),
            IpAddr::V4(v4) => !v4.is_multicast() && !v4.is_unspecified(),
        }
    }
}

/// Local addresses for host candidates, in a stable order (IPv4 first, then by name).
pub fn host_addresses(filter: &InterfaceFilter) -> std::io::Result<Vec<IpAddr>> {
    let mut all: Vec<(String, IpAddr)> = if_addrs::get_if_addrs()?
        .into_iter()
        .map(|i| (i.name.clone(), i.ip()))
        .filter(|(name, ip)| filter.allows(name, *ip))
        .collect();
    all.sort_by_key(|(name, ip)| (ip.is_ipv6(), name.clone(), *ip));
    let explicit_loopback = filter.addresses.iter().any(|a| a.is_loopback());
    let has_other = all.iter().any(|(_, ip)| !ip.is_loopback());
    let keep_loopback = filter.include_loopback || explicit_loopback || !has_other;
    let mut out: Vec<IpAddr> = all
        .into_iter()
        .map(|(_, ip)| ip)
        .filter(|ip| keep_loopback || !ip.is_loopback())
        .collect();
    out.dedup();
    Ok(out)
}
