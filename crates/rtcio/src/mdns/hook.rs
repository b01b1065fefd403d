//! The `RTCPeerConnection` side: `.local` candidates of remote descriptions and of
//! `add_ice_candidate` are resolved in tasks and then added to the core as IP candidates.
//!
//! The core still sees (and counts as unusable) the `.local` form first, which keeps its
//! validation of the call. A remote end-of-candidates signalled with `add_ice_candidate` while
//! resolutions run is held back until they are done, so that ICE does not fail before the
//! resolved candidates arrive; so is the `a=end-of-candidates` of a description with `.local`
//! candidates (taken out of what the core sees: its remote description lacks it).

use std::net::IpAddr;
use std::sync::{Arc, Weak};

use rtcio_proto::peer::IceCandidateInit;
use rtcio_sdp::{Address, Attribute, Candidate, JsepDescription};

use super::{MdnsResolver, MdnsStats};
use crate::peer_connection::Inner;

/// A connection's resolutions.
#[derive(Debug, Default)]
pub(crate) struct MdnsState {
    pub(crate) stats: MdnsStats,
    /// A remote end-of-candidates waits for the running resolutions.
    deferred_end: bool,
}

impl MdnsState {
    /// Whether a remote end-of-candidates must wait (and is now waiting).
    pub(crate) fn defer_end_of_candidates(&mut self) -> bool {
        if self.stats.pending > 0 {
            self.deferred_end = true;
        }
        self.deferred_end
    }
}

/// The `.local` name of a candidate line (`candidate:…`, with or without `a=`), if it has one.
pub(crate) fn mdns_candidate(text: &str) -> Option<Candidate> {
    let text = text.trim();
    let text = text.strip_prefix("a=").unwrap_or(text);
    let c: Candidate = text.parse().ok()?;
    match &c.address {
        Address::Fqdn(name) if rtcio_ice::mdns::is_mdns_hostname(name) => Some(c),
        _ => None,
    }
}

/// Whether `c` has a `.local` address.
fn is_mdns(c: &Candidate) -> bool {
    matches!(&c.address, Address::Fqdn(n) if rtcio_ice::mdns::is_mdns_hostname(n))
}

/// Takes `a=end-of-candidates` out of a remote description that has `.local` candidates, so
/// that the core does not fail ICE before they are resolved. Returns whether it did; the end
/// is then applied by [`resolve_description`] once the resolutions are done.
pub(crate) fn hold_end_of_candidates(desc: &mut JsepDescription) -> bool {
    let sdp = &mut desc.sdp;
    if !sdp.media.iter().any(|m| m.candidates().any(is_mdns)) {
        return false;
    }
    let mut held = false;
    let attrs = sdp
        .media
        .iter_mut()
        .map(|m| &mut m.attributes)
        .chain(std::iter::once(&mut sdp.attributes));
    for attrs in attrs {
        let before = attrs.len();
        attrs.retain(|a| *a != Attribute::EndOfCandidates);
        held |= attrs.len() != before;
    }
    held
}

/// Starts resolving the `.local` candidates of a remote description; `held_end` says that
/// [`hold_end_of_candidates`] took its end-of-candidates, to apply after them.
pub(crate) fn resolve_description(inner: &Arc<Inner>, desc: &JsepDescription, held_end: bool) {
    if held_end {
        inner.lock().mdns.deferred_end = true;
    }
    let sdp = &desc.sdp;
    for (index, media) in sdp.media.iter().enumerate() {
        for c in media.candidates() {
            if !is_mdns(c) {
                continue;
            }
            let init = IceCandidateInit {
                candidate: String::new(),
                sdp_mid: media.mid().map(str::to_owned),
                sdp_mline_index: u16::try_from(index).ok(),
                username_fragment: media
                    .ice_ufrag()
                    .or_else(|| sdp.ice_ufrag())
                    .map(str::to_owned),
            };
            resolve_candidate(inner, init, c.clone());
        }
    }
    // Nothing is being resolved (no interface to query on): the end applies now.
    let end = {
        let mut st = inner.lock();
        st.mdns.stats.pending == 0 && std::mem::take(&mut st.mdns.deferred_end)
    };
    if end {
        let inner = inner.clone();
        tokio::spawn(async move {
            let _ = inner
                .with_core(|core, now| core.add_ice_candidate(now, None))
                .await;
        });
    }
}

/// Resolves `cand`'s name in a task, then adds it to the core with the address, as `init`.
pub(crate) fn resolve_candidate(inner: &Arc<Inner>, init: IceCandidateInit, cand: Candidate) {
    let Address::Fqdn(name) = cand.address.clone() else {
        return;
    };
    let hosts: Vec<IpAddr> = inner.local_addresses().iter().map(|a| a.ip()).collect();
    let resolver = MdnsResolver::for_addresses(&hosts);
    {
        let mut st = inner.lock();
        if !resolver.has_interfaces() {
            // No host socket (relay-only policy): nothing could reach the address anyway.
            st.mdns.stats.failed += 1;
            return;
        }
        st.mdns.stats.pending += 1;
    }
    let weak: Weak<Inner> = Arc::downgrade(inner);
    tokio::spawn(async move {
        let result = resolver.resolve(&name).await;
        let Some(inner) = weak.upgrade() else {
            return;
        };
        // An address of a family the connection has sockets for.
        let ip = result.ok().and_then(|addrs| {
            addrs
                .iter()
                .copied()
                .find(|a| hosts.iter().any(|h| h.is_ipv4() == a.is_ipv4()))
        });
        if let Some(ip) = ip {
            let mut cand = cand;
            cand.address = Address::Ip(ip);
            let init = IceCandidateInit {
                candidate: cand.to_string(),
                ..init
            };
            tracing::debug!(%name, %ip, "mDNS candidate resolved");
            let added = inner
                .with_core(|core, now| core.add_ice_candidate(now, Some(init)))
                .await;
            inner.lock().mdns.stats.resolved += u64::from(added.is_ok());
            inner.lock().mdns.stats.failed += u64::from(added.is_err());
        } else {
            tracing::debug!(%name, "mDNS candidate not resolved");
            inner.lock().mdns.stats.failed += 1;
        }
        let end = {
            let mut st = inner.lock();
            st.mdns.stats.pending = st.mdns.stats.pending.saturating_sub(1);
            st.mdns.stats.pending == 0 && std::mem::take(&mut st.mdns.deferred_end)
        };
        if end {
            let _ = inner
                .with_core(|core, now| core.add_ice_candidate(now, None))
                .await;
        }
    });
}
