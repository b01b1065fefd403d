//! Trendline filter: the slope of the smoothed accumulated delay over the last
//! [`TRENDLINE_WINDOW`] group deltas, by least squares. A positive slope means the queue grows.

use std::collections::VecDeque;

/// Group deltas in the regression window.
pub const TRENDLINE_WINDOW: usize = 20;
/// Exponential smoothing of the accumulated delay.
const SMOOTHING: f64 = 0.9;
/// Gain applied to the slope before comparing it with the detector threshold.
const THRESHOLD_GAIN: f64 = 4.0;
/// The slope counts for more as deltas accumulate, up to this many.
const MAX_DELTAS_GAIN: u32 = 60;

/// Trendline estimator state.
#[derive(Debug, Clone, Default)]
pub(crate) struct Trendline {
    points: VecDeque<(f64, f64)>,
    first_arrival_us: Option<i64>,
    accumulated_ms: f64,
    smoothed_ms: f64,
    num_deltas: u32,
    /// Last computed slope (ms of delay per ms of time).
    pub trend: f64,
}

impl Trendline {
    /// Adds one group delta; returns the modified trend (slope × gain × sample count) in ms.
    pub(crate) fn update(
        &mut self,
        send_delta_us: i64,
        arrival_delta_us: i64,
        arrival_us: i64,
    ) -> f64 {
        let delta_ms = arrival_delta_us.saturating_sub(send_delta_us) as f64 / 1000.0;
        self.num_deltas = (self.num_deltas + 1).min(1000);
        let first = *self.first_arrival_us.get_or_insert(arrival_us);
        self.accumulated_ms += delta_ms;
        self.smoothed_ms = SMOOTHING * self.smoothed_ms + (1.0 - SMOOTHING) * self.accumulated_ms;
        let x = arrival_us.saturating_sub(first) as f64 / 1000.0;
        self.points.push_back((x, self.smoothed_ms));
        if self.points.len() > TRENDLINE_WINDOW {
            self.points.pop_front();
        }
        if self.points.len() == TRENDLINE_WINDOW
            && let Some(slope) = linear_fit_slope(&self.points)
        {
            self.trend = slope;
        }
        let m = f64::from(self.num_deltas.min(MAX_DELTAS_GAIN)) * self.trend * THRESHOLD_GAIN;
        if m.is_finite() { m } else { 0.0 }
    }

    /// Forgets everything (after a clock jump).
    pub(crate) fn reset(&mut self) {
        *self = Self::default();
    }
}

fn linear_fit_slope(points: &VecDeque<(f64, f64)>) -> Option<f64> {
    let n = points.len() as f64;
    let (sx, sy) = points
        .iter()
        .fold((0.0, 0.0), |(a, b), (x, y)| (a + x, b + y));
    let (mx, my) = (sx / n, sy / n);
    let (mut num, mut den) = (0.0, 0.0);
    for (x, y) in points {
        num += (x - mx) * (y - my);
        den += (x - mx) * (x - mx);
    }
    let slope = num / den;
    (den != 0.0 && slope.is_finite()).then_some(slope)
}
