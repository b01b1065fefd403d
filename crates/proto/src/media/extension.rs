//! RTP header extensions negotiated by URI (RFC 8285 §5, RFC 8829 §5.3.1).
//!
//! Under BUNDLE every m-section shares one RTP session, so one id must mean the same extension
//! in every section (RFC 8843 §9.1). [`ExtensionIds`] keeps that binding for the connection: it
//! starts with the ids browsers use and takes the peer's ids from every description it sends,
//! so our later offers and all our answers reuse them.

use rtcio_rtp::{ExtensionKind, ExtensionMap};
use rtcio_sdp::{Direction, Extmap};

use super::TrackKind;

/// The extensions rtcio negotiates for `kind`, in the order an offer lists them.
pub fn supported(kind: TrackKind) -> &'static [ExtensionKind] {
    use ExtensionKind as E;
    match kind {
        TrackKind::Audio => &[E::AudioLevel, E::AbsSendTime, E::TransportCc, E::Mid],
        TrackKind::Video => &[
            E::TransmissionOffset,
            E::AbsSendTime,
            E::VideoOrientation,
            E::TransportCc,
            E::PlayoutDelay,
            E::Mid,
            E::Rid,
            E::RepairedRid,
        ],
    }
}

/// The connection-wide id of each extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtensionIds {
    ids: Vec<(ExtensionKind, u8)>,
}

impl Default for ExtensionIds {
    /// The ids Chromium uses, so a browser answering our offer keeps its own numbering.
    fn default() -> Self {
        use ExtensionKind as E;
        ExtensionIds {
            ids: vec![
                (E::AudioLevel, 1),
                (E::AbsSendTime, 2),
                (E::TransportCc, 3),
                (E::Mid, 4),
                (E::PlayoutDelay, 5),
                (E::Rid, 10),
                (E::RepairedRid, 11),
                (E::VideoOrientation, 13),
                (E::TransmissionOffset, 14),
            ],
        }
    }
}

impl ExtensionIds {
    /// The id of `kind`.
    pub fn id(&self, kind: ExtensionKind) -> Option<u8> {
        self.ids.iter().find(|(k, _)| *k == kind).map(|(_, i)| *i)
    }

    /// Adopts the peer's ids for the extensions we know: a kind the peer numbers differently
    /// takes its id, and an extension of ours that held that id moves to a free one.
    pub fn adopt(&mut self, remote: &[Extmap]) {
        for e in remote {
            let (Some(kind), Ok(id)) = (ExtensionKind::from_uri(&e.uri), u8::try_from(e.id)) else {
                continue;
            };
            if self.id(kind) == Some(id) {
                continue;
            }
            self.ids.retain(|(k, _)| *k != kind);
            if let Some(pos) = self.ids.iter().position(|(_, i)| *i == id) {
                let displaced = self.ids.remove(pos).0;
                if let Some(free) =
                    (1..=14).find(|i| self.ids.iter().all(|(_, x)| x != i) && *i != id)
                {
                    self.ids.push((displaced, free));
                }
            }
            self.ids.push((kind, id));
        }
    }

    /// The `a=extmap` lines an offer of `kind` carries.
    pub fn offer(&self, kind: TrackKind) -> Vec<Extmap> {
        supported(kind)
            .iter()
            .filter_map(|k| self.id(*k).map(|id| Extmap::new(u16::from(id), k.uri())))
            .collect()
    }
}

/// The extensions an answer to `remote` (an offered section of `kind`) takes: the known ones,
/// with the offerer's ids. An extension the offerer only sends (`/sendonly`) is answered
/// `recvonly` and so on (RFC 8285 §6).
pub fn answer(kind: TrackKind, remote: &[Extmap]) -> Vec<Extmap> {
    remote
        .iter()
        .filter(|e| {
            ExtensionKind::from_uri(&e.uri).is_some_and(|k| supported(kind).contains(&k))
                && e.direction != Some(Direction::Inactive)
        })
        .map(|e| Extmap {
            id: e.id,
            direction: e.direction.map(Direction::reverse),
            uri: e.uri.clone(),
            attributes: None,
        })
        .collect()
}

/// The `rtcio-rtp` extension map for negotiated `a=extmap` lines.
pub fn map_of(extmaps: &[Extmap]) -> ExtensionMap {
    let mut map = ExtensionMap::new();
    for e in extmaps {
        if let Ok(id) = u8::try_from(e.id) {
            map.insert_uri(id, &e.uri);
        }
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answer_keeps_known_uris_with_offerer_ids() {
        let remote = vec![
            Extmap::new(1, ExtensionKind::AudioLevel.uri()),
            Extmap {
                direction: Some(Direction::RecvOnly),
                ..Extmap::new(2, "urn:ietf:params:rtp-hdrext:csrc-audio-level")
            },
            Extmap::new(3, ExtensionKind::Mid.uri()),
            Extmap::new(9, ExtensionKind::VideoOrientation.uri()),
        ];
        let got = answer(TrackKind::Audio, &remote);
        let ids: Vec<u16> = got.iter().map(|e| e.id).collect();
        assert_eq!(ids, vec![1, 3]);
        let map = map_of(&got);
        assert_eq!(map.id(ExtensionKind::Mid), Some(3));
    }

    #[test]
    fn adopting_remote_ids_keeps_ids_unique() {
        let mut ids = ExtensionIds::default();
        // Firefox numbers mid 3 (our transport-cc) and transport-cc 7.
        ids.adopt(&[
            Extmap::new(3, ExtensionKind::Mid.uri()),
            Extmap::new(7, ExtensionKind::TransportCc.uri()),
        ]);
        assert_eq!(ids.id(ExtensionKind::Mid), Some(3));
        assert_eq!(ids.id(ExtensionKind::TransportCc), Some(7));
        let mut all: Vec<u8> = ExtensionKind::ALL
            .iter()
            .filter_map(|k| ids.id(*k))
            .collect();
        let n = all.len();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), n);
        assert_eq!(n, 9);
    }
}
