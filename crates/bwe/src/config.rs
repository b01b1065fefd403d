//! Estimator configuration.

/// Bitrate bounds and pacing for an estimator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BweConfig {
    /// The target never goes below this, in bit/s.
    pub min_bitrate: u64,
    /// The target never goes above this, in bit/s.
    pub max_bitrate: u64,
    /// The target before any feedback, in bit/s.
    pub start_bitrate: u64,
    /// Pacing rate as a multiple of the target (so an encoder overshoot drains quickly).
    pub pacing_factor: f64,
}

impl Default for BweConfig {
    /// 30 kbit/s to 20 Mbit/s, starting at 300 kbit/s, pacing at 2.5 × the target.
    fn default() -> Self {
        Self {
            min_bitrate: 30_000,
            max_bitrate: 20_000_000,
            start_bitrate: 300_000,
            pacing_factor: 2.5,
        }
    }
}

impl BweConfig {
    /// The configuration with its bounds made consistent (min ≤ start ≤ max, min ≥ 1 kbit/s,
    /// a pacing factor of at least 1).
    pub(crate) fn normalized(mut self) -> Self {
        self.min_bitrate = self.min_bitrate.max(1_000);
        self.max_bitrate = self.max_bitrate.max(self.min_bitrate);
        self.start_bitrate = self.start_bitrate.clamp(self.min_bitrate, self.max_bitrate);
        if !(self.pacing_factor >= 1.0 && self.pacing_factor.is_finite()) {
            self.pacing_factor = 1.0;
        }
        self
    }
}
