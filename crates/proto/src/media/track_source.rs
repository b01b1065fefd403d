//! What the application hands each sender, for the W3C `media-source` statistics
//! (`RTCVideoSourceStats.frames` / `framesPerSecond`). rtcio takes encoded frames, so the
//! source is counted where they enter the core (`send_frame`); raw-sample fields (audio level,
//! resolution before encoding) belong to the encoder and are not reported.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use super::transceiver::TransceiverId;

/// Most frame times kept per sender for `framesPerSecond` (one second at 240 fps); faster
/// sources report at most this.
pub const MAX_FRAME_TIMES: usize = 240;

const RATE_WINDOW: Duration = Duration::from_secs(1);

/// Per-sender frame counters.
#[derive(Debug, Default)]
pub struct TrackSources {
    /// Bounded by the transceivers a session may have ([`MAX_TRANSCEIVERS`](super::session::MAX_TRANSCEIVERS)).
    senders: HashMap<TransceiverId, Counter>,
}

#[derive(Debug, Default)]
struct Counter {
    frames: u64,
    /// RTP timestamp of the last frame counted: simulcast sends one source frame once per
    /// layer, with the same timestamp, and it is one frame of the source.
    last_timestamp: Option<u32>,
    recent: VecDeque<Instant>,
}

impl TrackSources {
    /// A frame with RTP timestamp `timestamp` was handed to transceiver `id`'s sender.
    pub fn on_frame(&mut self, id: TransceiverId, now: Instant, timestamp: u32) {
        let c = self.senders.entry(id).or_default();
        if c.last_timestamp == Some(timestamp) {
            return;
        }
        c.last_timestamp = Some(timestamp);
        c.frames += 1;
        if c.recent.len() == MAX_FRAME_TIMES {
            c.recent.pop_front();
        }
        c.recent.push_back(now);
    }

    /// W3C `frames`: frames the source gave, once any was sent.
    pub fn frames(&self, id: TransceiverId) -> Option<u64> {
        self.senders.get(&id).map(|c| c.frames)
    }

    /// W3C `framesPerSecond`: frames in the second before `now`.
    pub fn frames_per_second(&self, id: TransceiverId, now: Instant) -> Option<f64> {
        let c = self.senders.get(&id)?;
        let n = c
            .recent
            .iter()
            .filter(|&&t| now.saturating_duration_since(t) < RATE_WINDOW)
            .count();
        Some(n as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_source_frames_once_across_layers_and_rates_over_one_second() {
        let mut s = TrackSources::default();
        let id = TransceiverId(0);
        let t0 = Instant::now();
        assert_eq!(s.frames(id), None);
        for i in 0..60u32 {
            let now = t0 + Duration::from_millis(u64::from(i) * 33);
            // Three simulcast layers of the same source frame.
            for _ in 0..3 {
                s.on_frame(id, now, i * 3000);
            }
        }
        assert_eq!(s.frames(id), Some(60));
        let end = t0 + Duration::from_millis(59 * 33);
        assert_eq!(s.frames_per_second(id, end), Some(31.0));
        assert_eq!(
            s.frames_per_second(id, end + Duration::from_secs(2)),
            Some(0.0)
        );
    }

    #[test]
    fn frame_times_are_bounded() {
        let mut s = TrackSources::default();
        let id = TransceiverId(1);
        let now = Instant::now();
        for i in 0..10_000u32 {
            s.on_frame(id, now, i);
        }
        assert_eq!(s.frames(id), Some(10_000));
        assert_eq!(s.frames_per_second(id, now), Some(MAX_FRAME_TIMES as f64));
    }
}
