//! What the packet and frame selectors share: per-layer activity and bitrate, the target, the
//! pending switch with its keyframe requests, and the output timestamp mapping.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::rate::RateWindow;
use super::{
    MAX_PENDING_EVENTS, MAX_TIMESTAMP_JUMP, SelectorConfig, SelectorEvent, SelectorStats, Target,
    UPSWITCH_MARGIN_PERCENT,
};

/// One input layer.
#[derive(Debug, Clone)]
struct Layer {
    last_packet: Option<Instant>,
    /// Active as last reported by an event.
    reported_active: bool,
    rate: RateWindow,
    /// The layer's last RTP timestamp and when it arrived (timestamp jump checks).
    last_ts: Option<(u32, Instant)>,
}

/// The state both selectors are built on.
#[derive(Debug, Clone)]
pub(crate) struct Switcher {
    pub(crate) config: SelectorConfig,
    layers: Vec<Layer>,
    target: Target,
    /// The layer [`Target::Bitrate`] chose last (the reference for the upswitch margin).
    bitrate_choice: Option<usize>,
    /// The layer being forwarded.
    current: Option<usize>,
    /// The layer to forward, when it differs from `current`: a switch waits for its keyframe.
    pending: Option<Pending>,
    /// Layers to ask for a keyframe, one bit each.
    requests: u16,
    last_downstream_request: Option<Instant>,
    ts_offset: u32,
    /// Newest output timestamp and when it was forwarded.
    last_out: Option<(u32, Instant)>,
    events: VecDeque<SelectorEvent>,
    pub(crate) stats: SelectorStats,
    /// Until then, while nothing was forwarded yet, a target layer not seen yet is waited for
    /// rather than replaced by a lower one that happened to arrive first (`None` once over).
    start_grace: Option<Instant>,
}

#[derive(Debug, Clone, Copy)]
struct Pending {
    layer: usize,
    since: Instant,
    next_request: Instant,
}

/// True if RTP timestamp `a` is after `b` (serial number arithmetic).
fn ts_newer(a: u32, b: u32) -> bool {
    a != b && a.wrapping_sub(b) < 0x8000_0000
}

fn ticks(d: Duration, clock_rate: u32) -> u64 {
    u64::try_from(d.as_micros() * u128::from(clock_rate) / 1_000_000).unwrap_or(u64::MAX)
}

impl Switcher {
    pub(crate) fn new(config: SelectorConfig, now: Instant) -> Self {
        let n = config.rids.len();
        let config_timeout = config.layer_timeout;
        Self {
            layers: vec![
                Layer {
                    last_packet: None,
                    reported_active: false,
                    rate: RateWindow::new(now),
                    last_ts: None,
                };
                n
            ],
            target: Target::Layer(n.saturating_sub(1)),
            config,
            bitrate_choice: None,
            current: None,
            pending: None,
            requests: 0,
            last_downstream_request: None,
            ts_offset: 0,
            last_out: None,
            events: VecDeque::new(),
            stats: SelectorStats::default(),
            start_grace: Some(now + config_timeout),
        }
    }

    pub(crate) fn layer_count(&self) -> usize {
        self.layers.len()
    }

    pub(crate) fn current(&self) -> Option<usize> {
        self.current
    }

    pub(crate) fn pending(&self) -> Option<usize> {
        self.pending.map(|p| p.layer)
    }

    pub(crate) fn target(&self) -> Target {
        self.target
    }

    pub(crate) fn is_active(&self, now: Instant, layer: usize) -> bool {
        self.layers.get(layer).is_some_and(|l| {
            l.last_packet
                .is_some_and(|t| now < t + self.config.layer_timeout)
        })
    }

    pub(crate) fn bitrate(&self, now: Instant, layer: usize) -> u64 {
        self.layers.get(layer).map_or(0, |l| l.rate.bitrate(now))
    }

    /// Records a packet or frame of `layer` (false, and counted, for an unknown layer).
    pub(crate) fn on_input(&mut self, now: Instant, layer: usize, bytes: usize) -> bool {
        let Some(l) = self.layers.get_mut(layer) else {
            self.stats.unknown_layer += 1;
            return false;
        };
        l.last_packet = Some(l.last_packet.map_or(now, |t| t.max(now)));
        l.rate.add(now, bytes);
        true
    }

    /// Records `layer`'s timestamp `ts` at `now`; true if the step from its previous one is
    /// beyond the elapsed time plus [`MAX_TIMESTAMP_JUMP`].
    pub(crate) fn timestamp_jumped(&mut self, now: Instant, layer: usize, ts: u32) -> bool {
        let rate = self.config.clock_rate;
        let Some(l) = self.layers.get_mut(layer) else {
            return false;
        };
        let jumped = l.last_ts.is_some_and(|(prev, at)| {
            let step = i64::from(ts.wrapping_sub(prev) as i32).unsigned_abs();
            let allowed = ticks(now.saturating_duration_since(at) + MAX_TIMESTAMP_JUMP, rate);
            step > allowed
        });
        // The reference follows every packet, so one corrupt timestamp costs at most the packet
        // after it too, not every packet after it.
        l.last_ts = Some((ts, now));
        jumped
    }

    pub(crate) fn set_target(&mut self, now: Instant, target: Target) {
        self.target = target;
        if !matches!(target, Target::Bitrate(_)) {
            self.bitrate_choice = None;
        }
        self.refresh(now);
        self.issue_requests(now);
    }

    /// A downstream receiver asks for a keyframe: ask the forwarded layer, at most once per
    /// retry interval (a switch in progress brings a keyframe anyway).
    pub(crate) fn request_keyframe(&mut self, now: Instant) {
        if self.pending.is_some() {
            return;
        }
        let Some(cur) = self.current else { return };
        if self
            .last_downstream_request
            .is_some_and(|t| now < t + self.config.keyframe_retry)
        {
            return;
        }
        self.last_downstream_request = Some(now);
        self.ask(cur);
    }

    fn ask(&mut self, layer: usize) {
        self.requests |= 1 << layer;
        self.stats.keyframe_requests += 1;
    }

    pub(crate) fn poll_keyframe_request(&mut self) -> Option<usize> {
        if self.requests == 0 {
            return None;
        }
        let layer = self.requests.trailing_zeros() as usize;
        self.requests &= !(1 << layer);
        Some(layer)
    }

    pub(crate) fn poll_event(&mut self) -> Option<SelectorEvent> {
        self.events.pop_front()
    }

    fn event(&mut self, e: SelectorEvent) {
        if self.events.len() == MAX_PENDING_EVENTS {
            self.events.pop_front();
        }
        self.events.push_back(e);
    }

    /// The layer to forward now: the target, or the next lower active layer while it is not
    /// arriving (never a higher one: that would spend bandwidth the target rules out).
    fn desired(&mut self, now: Instant) -> Option<usize> {
        let n = self.layers.len();
        let want = match self.target {
            Target::Layer(l) => l.min(n - 1),
            Target::Bitrate(available) => {
                let mut best = None;
                for l in (0..n).filter(|&l| self.is_active(now, l)) {
                    let rate = self.bitrate(now, l);
                    let going_up = self.bitrate_choice.is_none_or(|c| l > c);
                    let needed = if going_up {
                        rate.saturating_mul(100 + UPSWITCH_MARGIN_PERCENT) / 100
                    } else {
                        rate
                    };
                    if available >= needed {
                        best = Some(l);
                    }
                }
                let choice = best.or_else(|| (0..n).find(|&l| self.is_active(now, l)));
                if choice.is_some() {
                    self.bitrate_choice = choice;
                }
                choice?
            }
        };
        if self.is_active(now, want) {
            return Some(want);
        }
        if self.start_grace.is_some() && self.layers[want].last_packet.is_none() {
            return None;
        }
        (0..want).rev().find(|&l| self.is_active(now, l))
    }

    /// Re-evaluates activity and the layer to forward; starts, retargets or cancels the pending
    /// switch.
    pub(crate) fn refresh(&mut self, now: Instant) {
        if self.current.is_some() || self.start_grace.is_some_and(|t| now >= t) {
            self.start_grace = None;
        }
        for layer in 0..self.layers.len() {
            let active = self.is_active(now, layer);
            if active != self.layers[layer].reported_active {
                self.layers[layer].reported_active = active;
                self.event(if active {
                    SelectorEvent::LayerActive { layer }
                } else {
                    SelectorEvent::LayerInactive { layer }
                });
            }
        }
        let desired = self.desired(now);
        match desired {
            Some(d) if Some(d) != self.current => {
                if self.pending.is_none_or(|p| p.layer != d) {
                    self.pending = Some(Pending {
                        layer: d,
                        since: now,
                        next_request: now,
                    });
                }
            }
            _ => self.pending = None,
        }
    }

    /// Issues the keyframe request that is due for the pending switch, if any (after the
    /// packet at hand had its chance to complete the switch, so no request is made for a
    /// keyframe arriving right now).
    pub(crate) fn issue_requests(&mut self, now: Instant) {
        if let Some(p) = &mut self.pending
            && now >= p.next_request
        {
            p.next_request = now + self.config.keyframe_retry;
            let layer = p.layer;
            self.ask(layer);
        }
    }

    /// True if a keyframe of `layer` arriving now completes a pending switch.
    pub(crate) fn switch_wanted(&self, layer: usize) -> bool {
        self.pending.is_some_and(|p| p.layer == layer)
    }

    /// Forwards `layer` from now on, its keyframe with timestamp `ts` arriving at `now` first:
    /// the output timestamp continues from the newest forwarded one by the arrival-time gap.
    pub(crate) fn switch(&mut self, now: Instant, layer: usize, ts: u32) {
        let waited = self
            .pending
            .take()
            .map_or(Duration::ZERO, |p| now.saturating_duration_since(p.since));
        let out = match self.last_out {
            Some((last, at)) => {
                let gap = ticks(now.saturating_duration_since(at), self.config.clock_rate);
                // At least one tick: the keyframe is a new frame, never the last one's timestamp.
                last.wrapping_add(gap.clamp(1, u64::from(i32::MAX as u32)) as u32)
            }
            None => ts,
        };
        self.ts_offset = out.wrapping_sub(ts);
        self.event(SelectorEvent::LayerSwitched {
            from: self.current,
            to: layer,
            waited,
        });
        self.current = Some(layer);
        self.stats.switches += 1;
    }

    /// Stops forwarding until the next switch (the forwarded layer restarted its sequence or
    /// timestamps, so only a keyframe can resync).
    pub(crate) fn lose_sync(&mut self, now: Instant) {
        self.current = None;
        self.refresh(now);
        self.issue_requests(now);
    }

    /// Output minus input timestamp of the forwarded layer (mod 2^32).
    pub(crate) fn ts_offset(&self) -> u32 {
        self.ts_offset
    }

    /// The output timestamp of input timestamp `ts` of the forwarded layer.
    pub(crate) fn map_timestamp(&mut self, now: Instant, ts: u32) -> u32 {
        let out = ts.wrapping_add(self.ts_offset);
        if self.last_out.is_none_or(|(last, _)| ts_newer(out, last)) {
            self.last_out = Some((out, now));
        }
        out
    }

    pub(crate) fn forwarded(&mut self, layer: usize) {
        self.stats.forwarded += 1;
        self.stats.forwarded_by_layer[layer] += 1;
    }

    /// When `handle_timeout` is next due: a keyframe request to repeat, or an active layer that
    /// would time out.
    pub(crate) fn poll_timeout(&self) -> Option<Instant> {
        let retry = self.pending.map(|p| p.next_request).or(self.start_grace);
        let timeouts = self
            .layers
            .iter()
            .filter(|l| l.reported_active)
            .filter_map(|l| l.last_packet.map(|t| t + self.config.layer_timeout));
        retry.into_iter().chain(timeouts).min()
    }
}
