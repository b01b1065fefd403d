//! BUNDLE demultiplexing of incoming RTP to transceivers (RFC 8843 §9.2).
//!
//! A packet goes to the transceiver whose mid its MID header extension names, which also binds
//! its SSRC to that transceiver; else to the transceiver its SSRC is bound to (by `a=ssrc`
//! lines or an earlier MID); else, if its payload type belongs to exactly one receiving
//! transceiver, to that one (binding the SSRC). Anything else is dropped and counted. The
//! binding table is bounded by [`MAX_SSRC_BINDINGS`]: an SSRC flood fills it no further and is
//! counted.

use std::collections::HashMap;

use super::transceiver::{Transceiver, TransceiverId};

/// Most SSRCs bound to transceivers at once. Three simulcast layers with RTX take six per
/// transceiver; this leaves room for tens of transceivers. Bindings of stopped transceivers are
/// released at renegotiation.
pub const MAX_SSRC_BINDINGS: usize = 512;

/// How an SSRC is bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Binding {
    /// The transceiver.
    pub transceiver: TransceiverId,
    /// For an RTX stream: the media SSRC it repairs, when known (`a=ssrc-group:FID`).
    pub repairs: Option<u32>,
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
    pub fn binding(&self, ssrc: u32) -> Option<Binding> {
        self.bindings.get(&ssrc).copied()
    }

    /// Rebuilds the signalled bindings after a negotiation: SSRCs of transceivers that no
    /// longer receive are released, announced SSRCs are bound (RTX ones to their media SSRC).
    pub fn update(&mut self, transceivers: &[Transceiver]) {
        self.bindings.retain(|_, b| {
            transceivers
                .iter()
                .any(|t| t.id == b.transceiver && !t.stopped && t.mid.is_some())
        });
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
                self.bind(
                    ssrc,
                    Binding {
                        transceiver: t.id,
                        repairs,
                    },
                );
            }
        }
    }

    fn bind(&mut self, ssrc: u32, binding: Binding) -> bool {
        if let Some(b) = self.bindings.get_mut(&ssrc) {
            // RFC 8843 §9.2: the MID wins over an earlier binding.
            b.transceiver = binding.transceiver;
            if binding.repairs.is_some() {
                b.repairs = binding.repairs;
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

    /// The transceiver for a packet with `ssrc`, payload type `pt` and MID `mid` (if the packet
    /// carried one), binding the SSRC when the MID or a unique payload type placed it. `None`
    /// means drop (counted).
    pub fn route(
        &mut self,
        transceivers: &[Transceiver],
        ssrc: u32,
        pt: u8,
        mid: Option<&str>,
    ) -> Option<Binding> {
        let receiving = |t: &&Transceiver| !t.stopped && t.mid.is_some();
        if let Some(mid) = mid {
            let Some(t) = transceivers
                .iter()
                .filter(receiving)
                .find(|t| t.mid.as_deref() == Some(mid))
            else {
                self.stats.unknown_mid += 1;
                return None;
            };
            let repairs = self.bindings.get(&ssrc).and_then(|b| b.repairs);
            let binding = Binding {
                transceiver: t.id,
                repairs,
            };
            self.bind(ssrc, binding);
            return Some(binding);
        }
        if let Some(b) = self.bindings.get(&ssrc) {
            return Some(*b);
        }
        let mut owners = transceivers
            .iter()
            .filter(receiving)
            .filter(|t| t.has_payload_type(pt));
        match (owners.next(), owners.next()) {
            (Some(t), None) => {
                let binding = Binding {
                    transceiver: t.id,
                    repairs: None,
                };
                if self.bind(ssrc, binding) {
                    Some(binding)
                } else {
                    None
                }
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
            r.route(&ts, 77, 96, Some("1")).unwrap().transceiver,
            TransceiverId(2)
        );
        // Then the SSRC alone routes.
        assert_eq!(
            r.route(&ts, 77, 96, None).unwrap().transceiver,
            TransceiverId(2)
        );
        // A later MID moves it.
        assert_eq!(
            r.route(&ts, 77, 96, Some("2")).unwrap().transceiver,
            TransceiverId(3)
        );
        // Opus PT is unique to the audio transceiver.
        assert_eq!(
            r.route(&ts, 5, 111, None).unwrap().transceiver,
            TransceiverId(1)
        );
        // VP8 PT is shared by two video transceivers: dropped.
        assert!(r.route(&ts, 6, 96, None).is_none());
        assert!(r.route(&ts, 6, 96, Some("9")).is_none());
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
            r.route(&ts, ssrc, 96, Some("0"));
        }
        assert_eq!(r.len(), MAX_SSRC_BINDINGS);
        assert!(r.stats().bindings_full >= MAX_SSRC_BINDINGS as u64);
        // A stopped transceiver releases its bindings.
        ts[0].stopped = true;
        r.update(&ts);
        assert!(r.is_empty());
    }
}
