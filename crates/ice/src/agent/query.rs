//! Read-only views of the agent and the statistics the caller feeds.

use std::net::SocketAddr;

use super::{Agent, PairInfo};
use crate::candidate::Candidate;
use crate::checklist::Pair;
use crate::config::{Credentials, IceRole};
use crate::event::{IceConnectionState, SelectedPair};
use crate::pair::{CandidatePairStats, PairId};
use crate::stats::AgentStats;

impl Agent {
    /// The local credentials, to signal to the peer.
    pub fn local_credentials(&self) -> &Credentials {
        &self.local_creds
    }

    /// The remote credentials, once set.
    pub fn remote_credentials(&self) -> Option<&Credentials> {
        self.remote_creds.as_ref()
    }

    /// The current role.
    pub fn role(&self) -> IceRole {
        self.role
    }

    /// The tie-breaker sent in ICE-CONTROLLING/ICE-CONTROLLED.
    pub fn tie_breaker(&self) -> u64 {
        self.tie_breaker
    }

    /// The transport state.
    pub fn state(&self) -> IceConnectionState {
        self.state
    }

    /// The pair to send data on: the selected pair, or during an ICE restart the previous
    /// generation's until a new one is selected.
    pub fn selected_pair(&self) -> Option<&SelectedPair> {
        self.selected
            .as_ref()
            .or(self.legacy.as_ref().map(|l| &l.selected))
    }

    /// The local candidates (peer-reflexive ones included).
    pub fn local_candidates(&self) -> &[Candidate] {
        &self.checklist.local
    }

    /// The remote candidates (peer-reflexive ones included).
    pub fn remote_candidates(&self) -> &[Candidate] {
        &self.checklist.remote
    }

    /// The candidate pairs of the current generation.
    pub fn pairs(&self) -> impl Iterator<Item = PairInfo<'_>> {
        self.checklist.pairs.iter().map(|p| PairInfo {
            id: p.id,
            local: self.checklist.local_of(p),
            remote: self.checklist.remote_of(p),
            priority: p.priority,
            state: p.state,
            valid: p.valid,
            stats: export_stats(p),
        })
    }

    /// The statistics of pair `id` (the previous generation's selected pair included).
    pub fn pair_stats(&self, id: PairId) -> Option<CandidatePairStats> {
        if let Some(p) = self.checklist.pair(id) {
            return Some(export_stats(p));
        }
        self.legacy
            .as_ref()
            .filter(|l| l.selected.id == id)
            .map(|l| l.stats.clone())
    }

    /// Whether data-path packets (DTLS, SRTP) arriving on `local_addr` from `remote_addr` come
    /// over a path ICE has authenticated: a pair of this generation that is valid (our check on
    /// it succeeded) or on which the peer's authenticated check arrived (it knows our password
    /// and sent from that address), or the previous generation's selected pair during a
    /// restart. The caller drops data from anywhere else (RFC 8445 §12.2 lets an agent receive
    /// on any candidate pair, not from arbitrary addresses; RFC 7983 demultiplexes per 5-tuple).
    pub fn is_validated_source(&self, local_addr: SocketAddr, remote_addr: SocketAddr) -> bool {
        let current = self
            .checklist
            .find_pair(local_addr, remote_addr)
            .and_then(|id| self.checklist.pair(id))
            .is_some_and(|p| p.valid || p.stats.requests_received > 0);
        current
            || self.legacy.as_ref().is_some_and(|l| {
                l.selected.from_base() == local_addr && l.selected.to() == remote_addr
            })
    }

    /// Agent-wide counters.
    pub fn stats(&self) -> &AgentStats {
        &self.stats
    }

    /// Reports data-path bytes sent on the pair `from_base` → `to` (W3C `bytesSent`,
    /// `packetsSent`).
    pub fn record_data_sent(&mut self, from_base: SocketAddr, to: SocketAddr, bytes: usize) {
        if let Some(stats) = self.data_stats(from_base, to) {
            stats.packets_sent += 1;
            stats.bytes_sent += bytes as u64;
        }
    }

    /// Reports data-path bytes received on the pair `local_addr` ← `remote_addr` (W3C
    /// `bytesReceived`, `packetsReceived`).
    pub fn record_data_received(
        &mut self,
        local_addr: SocketAddr,
        remote_addr: SocketAddr,
        bytes: usize,
    ) {
        if let Some(stats) = self.data_stats(local_addr, remote_addr) {
            stats.packets_received += 1;
            stats.bytes_received += bytes as u64;
        }
    }

    fn data_stats(
        &mut self,
        base: SocketAddr,
        remote: SocketAddr,
    ) -> Option<&mut CandidatePairStats> {
        if let Some(id) = self.checklist.find_pair(base, remote) {
            return self.checklist.pair_mut(id).map(|p| &mut p.stats);
        }
        self.legacy
            .as_mut()
            .filter(|l| l.selected.from_base() == base && l.selected.to() == remote)
            .map(|l| &mut l.stats)
    }
}

/// A pair's statistics with its current state and nomination.
pub(super) fn export_stats(p: &Pair) -> CandidatePairStats {
    CandidatePairStats {
        state: p.state,
        nominated: p.nominated,
        ..p.stats.clone()
    }
}
