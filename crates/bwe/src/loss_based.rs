//! Loss-based controller (draft-ietf-rmcat-gcc-02 section 6): a cap on the target that drops
//! when more than 10 % of packets are lost, holds between 2 % and 10 %, and lifts again (8 %/s)
//! below 2 %.

/// Loss fraction above which the rate is cut.
pub const HIGH_LOSS: f64 = 0.10;
/// Loss fraction below which the cap is lifted.
pub const LOW_LOSS: f64 = 0.02;
/// Packets needed before a loss fraction is trusted.
const MIN_PACKETS: u64 = 20;
/// Extra spacing between two loss-based cuts beyond one round trip, in µs.
const DECREASE_SPACING_US: i64 = 300_000;

/// Controller state.
#[derive(Debug, Clone, Default)]
pub(crate) struct LossBased {
    lost: u64,
    expected: u64,
    limit_bps: Option<f64>,
    last_decrease_us: Option<i64>,
    last_update_us: Option<i64>,
    /// The loss fraction of the last complete measurement.
    pub last_loss: f64,
}

impl LossBased {
    /// Counts packets reported received or lost.
    pub(crate) fn on_packets(&mut self, received: u64, lost: u64) {
        self.expected = self.expected.saturating_add(received.saturating_add(lost));
        self.lost = self.lost.saturating_add(lost);
    }

    /// Counts a loss fraction reported without packet counts (an RTCP receiver report).
    pub(crate) fn on_fraction(&mut self, fraction: f64, packets: u64) {
        let packets = packets.max(MIN_PACKETS);
        self.on_packets(packets, (fraction.clamp(0.0, 1.0) * packets as f64) as u64);
    }

    /// Lifts the cap (a probe showed the path carries more while loss is low).
    pub(crate) fn release(&mut self) {
        self.limit_bps = None;
    }

    /// Updates the cap once enough packets were counted; `target` is the current target and
    /// `delay_bps` the delay-based estimate. Returns the cap (`None`: no cap).
    pub(crate) fn update(
        &mut self,
        now_us: i64,
        target: u64,
        delay_bps: u64,
        rtt_us: i64,
    ) -> Option<u64> {
        if self.expected >= MIN_PACKETS {
            let loss = self.lost as f64 / self.expected as f64;
            self.last_loss = loss;
            self.lost = 0;
            self.expected = 0;
            let dt_s = self.last_update_us.map_or(0.0, |t| {
                (now_us.saturating_sub(t) as f64 / 1e6).clamp(0.0, 1.0)
            });
            self.last_update_us = Some(now_us);
            if loss > HIGH_LOSS {
                let spacing = rtt_us.max(0).saturating_add(DECREASE_SPACING_US);
                let due = self
                    .last_decrease_us
                    .is_none_or(|t| now_us.saturating_sub(t) >= spacing);
                if due {
                    self.limit_bps = Some(target as f64 * (1.0 - loss / 2.0));
                    self.last_decrease_us = Some(now_us);
                }
            } else if loss < LOW_LOSS
                && let Some(l) = self.limit_bps
            {
                let grown = l * 1.08f64.powf(dt_s) + 1000.0 * dt_s;
                self.limit_bps = (grown < delay_bps as f64).then_some(grown);
            }
        }
        self.limit_bps.map(|l| l as u64)
    }
}
