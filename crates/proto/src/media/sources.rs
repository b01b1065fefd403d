//! W3C `RTCRtpReceiver.getSynchronizationSources()` and `getContributingSources()`: per
//! receiver, the SSRCs and CSRCs whose packets arrived in the last [`SOURCE_LIFETIME`], each
//! with the arrival time, RTP timestamp and audio level of its latest packet.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use rtcio_rtp::ext::AudioLevel;
use rtcio_rtp::{ExtensionValues, RtpHeader};

use super::transceiver::TransceiverId;

/// How long a source is reported after its last packet (W3C: 10 seconds).
pub const SOURCE_LIFETIME: Duration = Duration::from_secs(10);

/// Most sources (SSRCs and CSRCs together) remembered per receiver; the least recently heard
/// is forgotten first. An RTP header holds at most 15 CSRCs, and a mixer rarely mixes more.
pub const MAX_SOURCES_PER_RECEIVER: usize = 32;

/// W3C `RTCRtpContributingSource` (and, with `source` an SSRC, `RTCRtpSynchronizationSource`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ContributingSource {
    /// When the latest packet from this source arrived (W3C `timestamp`, on this side's clock).
    pub timestamp: Instant,
    /// The SSRC or CSRC (W3C `source`).
    pub source: u32,
    /// W3C `audioLevel`: the RFC 6464 level of that packet as a linear value, 1.0 for 0 dBov
    /// down to 0.0 for silence (127); `None` without the audio level extension.
    pub audio_level: Option<f64>,
    /// W3C `rtpTimestamp`: that packet's RTP timestamp.
    pub rtp_timestamp: u32,
}

/// W3C `audioLevel` from an RFC 6464 level in -dBov: 10^(-level/20), with 127 (silence) as 0.
pub fn linear_audio_level(level: AudioLevel) -> f64 {
    match level.level {
        127.. => 0.0,
        l => 10f64.powf(-f64::from(l) / 20.0),
    }
}

#[derive(Debug, Default)]
struct ReceiverSources {
    ssrcs: Vec<ContributingSource>,
    csrcs: Vec<ContributingSource>,
}

/// The sources of every receiver of a session.
#[derive(Debug, Default)]
pub(crate) struct Sources {
    receivers: HashMap<TransceiverId, ReceiverSources>,
}

impl Sources {
    /// Records a packet `id`'s receiver got at `now` (the media header: after RTX repair).
    pub(crate) fn on_packet(
        &mut self,
        now: Instant,
        id: TransceiverId,
        header: &RtpHeader,
        extensions: &ExtensionValues,
    ) {
        let r = self.receivers.entry(id).or_default();
        let entry = |source| ContributingSource {
            timestamp: now,
            source,
            audio_level: extensions.audio_level.map(linear_audio_level),
            rtp_timestamp: header.timestamp,
        };
        update(&mut r.ssrcs, entry(header.ssrc));
        for &csrc in header.csrcs.iter().take(15) {
            // The per-CSRC levels (RFC 6465) are not negotiated: no level for contributors.
            update(
                &mut r.csrcs,
                ContributingSource {
                    audio_level: None,
                    ..entry(csrc)
                },
            );
        }
        let total = r.ssrcs.len() + r.csrcs.len();
        if total > MAX_SOURCES_PER_RECEIVER {
            evict_oldest(r);
        }
    }

    /// `id`'s synchronization sources heard within [`SOURCE_LIFETIME`] of `now`, most recent
    /// first.
    pub(crate) fn synchronization(
        &self,
        id: TransceiverId,
        now: Instant,
    ) -> Vec<ContributingSource> {
        self.receivers
            .get(&id)
            .map_or_else(Vec::new, |r| recent(&r.ssrcs, now))
    }

    /// `id`'s contributing sources heard within [`SOURCE_LIFETIME`] of `now`, most recent
    /// first.
    pub(crate) fn contributing(&self, id: TransceiverId, now: Instant) -> Vec<ContributingSource> {
        self.receivers
            .get(&id)
            .map_or_else(Vec::new, |r| recent(&r.csrcs, now))
    }

    /// Forgets a stopped receiver's sources.
    pub(crate) fn remove(&mut self, id: TransceiverId) {
        self.receivers.remove(&id);
    }
}

fn update(list: &mut Vec<ContributingSource>, s: ContributingSource) {
    match list.iter_mut().find(|e| e.source == s.source) {
        Some(e) => *e = s,
        None => list.push(s),
    }
}

fn evict_oldest(r: &mut ReceiverSources) {
    let oldest = |l: &[ContributingSource]| {
        l.iter()
            .enumerate()
            .min_by_key(|(_, s)| s.timestamp)
            .map(|(i, s)| (i, s.timestamp))
    };
    match (oldest(&r.ssrcs), oldest(&r.csrcs)) {
        (Some((i, a)), Some((_, b))) if a <= b => {
            r.ssrcs.remove(i);
        }
        (_, Some((j, _))) => {
            r.csrcs.remove(j);
        }
        (Some((i, _)), None) => {
            r.ssrcs.remove(i);
        }
        (None, None) => {}
    }
}

fn recent(list: &[ContributingSource], now: Instant) -> Vec<ContributingSource> {
    let mut out: Vec<ContributingSource> = list
        .iter()
        .filter(|s| now.saturating_duration_since(s.timestamp) <= SOURCE_LIFETIME)
        .copied()
        .collect();
    out.sort_by_key(|s| std::cmp::Reverse(s.timestamp));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audio_levels_are_linear() {
        let l = |level| {
            linear_audio_level(AudioLevel {
                voice_activity: true,
                level,
            })
        };
        assert_eq!(l(0), 1.0);
        assert!((l(20) - 0.1).abs() < 1e-12);
        assert!((l(40) - 0.01).abs() < 1e-12);
        assert_eq!(l(127), 0.0);
    }

    #[test]
    fn sources_expire_and_stay_bounded() {
        let t0 = Instant::now();
        let id = TransceiverId(1);
        let mut s = Sources::default();
        let header = |ssrc, csrcs: Vec<u32>| RtpHeader {
            ssrc,
            csrcs,
            timestamp: 7,
            ..Default::default()
        };
        let ext = ExtensionValues::default();
        s.on_packet(t0, id, &header(1, vec![10, 11]), &ext);
        s.on_packet(t0 + Duration::from_secs(5), id, &header(1, vec![10]), &ext);
        let later = t0 + Duration::from_secs(12);
        assert_eq!(s.synchronization(id, later).len(), 1);
        let c = s.contributing(id, later);
        assert_eq!(c.iter().map(|c| c.source).collect::<Vec<_>>(), [10]);
        assert!(s.contributing(id, t0 + Duration::from_secs(16)).is_empty());
        // A flood of CSRCs keeps at most the bound, the newest kept.
        for k in 0..200u32 {
            let at = t0 + Duration::from_millis(6000 + u64::from(k));
            s.on_packet(at, id, &header(1, vec![1000 + k]), &ext);
        }
        let r = &s.receivers[&id];
        assert_eq!(r.ssrcs.len() + r.csrcs.len(), MAX_SOURCES_PER_RECEIVER);
        assert!(r.csrcs.iter().any(|c| c.source == 1199));
        assert!(r.ssrcs.iter().any(|c| c.source == 1), "the live SSRC stays");
    }
}
