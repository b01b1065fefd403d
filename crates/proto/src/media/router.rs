//! BUNDLE demultiplexing of incoming RTP to transceivers (RFC 8843 §9.2).
//!
//! A packet goes to the transceiver whose mid its MID header extension names, which also binds
//! its SSRC to that transceiver; else to the transceiver its SSRC is bound to (by `a=ssrc`
//! lines or an earlier MID); else, if its payload type belongs to exactly one receiving
//! transceiver, to that one (binding the SSRC). Anything else is dropped and counted.
//!
//! A transceiver that receives simulcast also binds each SSRC to a rid (RFC 8852, RFC 8853):
//! the RtpStreamId extension names a media stream's layer, the RepairedRtpStreamId extension
//! an RTX stream's, which then repairs the media SSRC of that rid. Packets that no longer
//! carry the extensions keep the binding. The
//! binding table is bounded by [`MAX_SSRC_BINDINGS`]: an SSRC flood fills it no further and is
//! counted.

use std::collections::HashMap;

use super::transceiver::{Transceiver, TransceiverId};

/// Most SSRCs bound to transceivers at once. Three simulcast layers with RTX take six per
/// transceiver; this leaves room for tens of transceivers. Bindings of stopped transceivers are
/// released at renegotiation.
pub const MAX_SSRC_BINDINGS: usize = 512;

/// How an SSRC is bound.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// The transceiver.
    pub transceiver: TransceiverId,
    /// For an RTX stream: the media SSRC it repairs, when known (`a=ssrc-group:FID`, or the
    /// media SSRC of its repaired rid).
    pub repairs: Option<u32>,
    /// The simulcast layer (rid) of the stream, once a packet named it.
    pub rid: Option<String>,
}

impl Binding {
    fn new(transceiver: TransceiverId, repairs: Option<u32>) -> Binding {
        Binding {
            transceiver,
            repairs,
            rid: None,
        }
    }
}

/// The stream identifiers a packet carries, as the router needs them.
#[derive(Debug, Clone, Copy)]
pub struct PacketIds<'a> {
    /// SSRC.
    pub ssrc: u32,
    /// Payload type.
    pub payload_type: u8,
    /// The MID extension.
    pub mid: Option<&'a str>,
    /// The RtpStreamId extension (a media stream's rid).
    pub rid: Option<&'a str>,
    /// The RepairedRtpStreamId extension (the rid an RTX stream repairs).
    pub repaired_rid: Option<&'a str>,
}

/// Counters of packets the router could not place.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RouterStats {
    /// Packets with no MID, an unbound SSRC and an ambiguous or unknown payload type.
    pub unroutable: u64,
    /// Packets whose MID names no receiving transceiver.
    pub unknown_mid: u64,
    /// New SSRCs not bound because the table was full.
    pub bindings_full: u64,
}

/// The SSRC → transceiver table.
#[derive(Debug, Default)]
pub struct Router {
    bindings: HashMap<u32, Binding>,
    /// The media SSRC of each (transceiver, rid) seen in an RtpStreamId extension; at most
    /// one per binding.
    rid_ssrcs: HashMap<(TransceiverId, String), u32>,
    stats: RouterStats,
}

impl Router {
    /// Counters.
    pub fn stats(&self) -> RouterStats {
        self.stats
    }

    /// Number of bound SSRCs.
    pub fn len(&self) -> usize {
        self.bindings.len()
    }

    /// Whether nothing is bound.
    pub fn is_empty(&self) -> bool {
        self.bindings.is_empty()
    }

    /// The binding of `ssrc`.
    pub fn binding(&self, ssrc: u32) -> Option<&Binding> {
        self.bindings.get(&ssrc)
    }

    /// The media SSRC the peer sends layer `rid` of transceiver `id` on, once seen.
    pub fn rid_ssrc(&self, id: TransceiverId, rid: &str) -> Option<u32> {
        self.rid_ssrcs.get(&(id, rid.to_string())).copied()
    }

    /// Rebuilds the signalled bindings after a negotiation: SSRCs of transceivers that no
    /// longer receive are released, announced SSRCs are bound (RTX ones to their media SSRC).
    pub fn update(&mut self, transceivers: &[Transceiver]) {
        self.bindings.retain(|_, b| {
            transceivers
                .iter()
                .any(|t| t.id == b.transceiver && !t.stopped && t.mid.is_some())
        });
        let bindings = &self.bindings;
        self.rid_ssrcs
            .retain(|(id, _), ssrc| bindings.get(ssrc).is_some_and(|b| b.transceiver == *id));
        for t in transceivers
            .iter()
            .filter(|t| !t.stopped && t.mid.is_some())
        {
            for &ssrc in &t.receiver.remote_ssrcs {
                let repairs = t
                    .receiver
                    .remote_rtx
                    .iter()
                    .find(|(_, rtx)| *rtx == ssrc)
                    .map(|(media, _)| *media);
                self.bind(ssrc, Binding::new(t.id, repairs));
            }
        }
    }

    fn bind(&mut self, ssrc: u32, binding: Binding) -> bool {
        if let Some(b) = self.bindings.get_mut(&ssrc) {
            // RFC 8843 §9.2: the MID wins over an earlier binding.
            if b.transceiver != binding.transceiver {
                b.rid = None;
            }
            b.transceiver = binding.transceiver;
            if binding.repairs.is_some() {
                b.repairs = binding.repairs;
            }
            if binding.rid.is_some() {
                b.rid = binding.rid;
            }
            return true;
        }
        if self.bindings.len() >= MAX_SSRC_BINDINGS {
            self.stats.bindings_full += 1;
            return false;
        }
        self.bindings.insert(ssrc, binding);
        true
    }

    /// The transceiver (and layer) of a packet, binding its SSRC when the MID or a unique
    /// payload type placed it and its rid when it names one. `None` means drop (counted).
    pub fn route(&mut self, transceivers: &[Transceiver], p: PacketIds<'_>) -> Option<Binding> {
        let binding = self.place(transceivers, p)?;
        let Some(t) = transceivers.iter().find(|t| t.id == binding.transceiver) else {
            return Some(binding);
        };
        if t.receiver.rids.is_empty() {
            return Some(binding);
        }
        let known = |r: &&str| t.receiver.rids.iter().any(|x| x == r);
        // An RTX packet's rid is the one it repairs, whichever extension carries it (some
        // senders copy the original's RtpStreamId onto the retransmission).
        let rtx = t
            .codecs
            .iter()
            .any(|c| c.rtx_payload_type == Some(p.payload_type));
        let (rid, repaired_rid) = if rtx {
            (None, p.repaired_rid.or(p.rid))
        } else {
            (p.rid, None)
        };
        if let Some(rid) = rid.filter(known) {
            if binding.rid.as_deref() == Some(rid) {
                return Some(binding);
            }
            let mut named = Binding::new(t.id, None);
            named.rid = Some(rid.to_string());
            if self.bind(p.ssrc, named) {
                self.rid_ssrcs.insert((t.id, rid.to_string()), p.ssrc);
            }
        } else if let Some(rid) = repaired_rid.filter(known) {
            if binding.rid.as_deref() == Some(rid) && binding.repairs.is_some() {
                return Some(binding);
            }
            let mut named = Binding::new(t.id, self.rid_ssrc(t.id, rid));
            named.rid = Some(rid.to_string());
            self.bind(p.ssrc, named);
        } else {
            return Some(binding);
        }
        self.bindings.get(&p.ssrc).cloned().or(Some(binding))
    }

    /// RFC 8843 §9.2: by MID, else by bound SSRC, else by a payload type unique to one
    /// receiving transceiver.
    fn place(&mut self, transceivers: &[Transceiver], p: PacketIds<'_>) -> Option<Binding> {
        let receiving = |t: &&Transceiver| !t.stopped && t.mid.is_some();
        if let Some(mid) = p.mid {
            let Some(t) = transceivers
                .iter()
                .filter(receiving)
                .find(|t| t.mid.as_deref() == Some(mid))
            else {
                self.stats.unknown_mid += 1;
                return None;
            };
            let repairs = self.bindings.get(&p.ssrc).and_then(|b| b.repairs);
            self.bind(p.ssrc, Binding::new(t.id, repairs));
            return Some(
                self.bindings
                    .get(&p.ssrc)
                    .cloned()
                    .unwrap_or(Binding::new(t.id, repairs)),
            );
        }
        if let Some(b) = self.bindings.get(&p.ssrc) {
            return Some(b.clone());
        }
        let mut owners = transceivers
            .iter()
            .filter(receiving)
            .filter(|t| t.has_payload_type(p.payload_type));
        match (owners.next(), owners.next()) {
            (Some(t), None) => {
                let binding = Binding::new(t.id, None);
                self.bind(p.ssrc, binding.clone()).then_some(binding)
            }
            _ => {
                self.stats.unroutable += 1;
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::TrackKind;
    use crate::media::codec::default_codecs;
    use rtcio_sdp::Direction;

    fn transceiver(id: u32, mid: &str, kind: TrackKind) -> Transceiver {
        let mut t = Transceiver::new(
            TransceiverId(id),
            kind,
            Direction::SendRecv,
            id,
            id + 100,
            0,
        );
        t.mid = Some(mid.into());
        t.codecs = default_codecs(kind);
        t
    }

    fn ids(ssrc: u32, payload_type: u8, mid: Option<&str>) -> PacketIds<'_> {
        PacketIds {
            ssrc,
            payload_type,
            mid,
            rid: None,
            repaired_rid: None,
        }
    }

    #[test]
    fn mid_then_ssrc_then_unique_payload_type() {
        let ts = vec![
            transceiver(1, "0", TrackKind::Audio),
            transceiver(2, "1", TrackKind::Video),
            transceiver(3, "2", TrackKind::Video),
        ];
        let mut r = Router::default();
        // MID binds.
        assert_eq!(
            r.route(&ts, ids(77, 96, Some("1"))).unwrap().transceiver,
            TransceiverId(2)
        );
        // Then the SSRC alone routes.
        assert_eq!(
            r.route(&ts, ids(77, 96, None)).unwrap().transceiver,
            TransceiverId(2)
        );
        // A later MID moves it.
        assert_eq!(
            r.route(&ts, ids(77, 96, Some("2"))).unwrap().transceiver,
            TransceiverId(3)
        );
        // Opus PT is unique to the audio transceiver.
        assert_eq!(
            r.route(&ts, ids(5, 111, None)).unwrap().transceiver,
            TransceiverId(1)
        );
        // VP8 PT is shared by two video transceivers: dropped.
        assert!(r.route(&ts, ids(6, 96, None)).is_none());
        assert!(r.route(&ts, ids(6, 96, Some("9"))).is_none());
        assert_eq!(r.stats().unroutable, 1);
        assert_eq!(r.stats().unknown_mid, 1);
    }

    #[test]
    fn signalled_ssrcs_bind_rtx_and_floods_are_bounded() {
        let mut ts = vec![transceiver(1, "0", TrackKind::Video)];
        ts[0].receiver.remote_ssrcs = vec![10, 11];
        ts[0].receiver.remote_rtx = vec![(10, 11)];
        let mut r = Router::default();
        r.update(&ts);
        assert_eq!(r.binding(11).unwrap().repairs, Some(10));
        for ssrc in 1000..(1000 + 2 * MAX_SSRC_BINDINGS as u32) {
            r.route(&ts, ids(ssrc, 96, Some("0")));
        }
        assert_eq!(r.len(), MAX_SSRC_BINDINGS);
        assert!(r.stats().bindings_full >= MAX_SSRC_BINDINGS as u64);
        // A stopped transceiver releases its bindings.
        ts[0].stopped = true;
        r.update(&ts);
        assert!(r.is_empty());
    }
}
