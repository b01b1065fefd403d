//! Per-direction link behaviour.

use std::time::Duration;

/// How one direction of a link treats packets.
///
/// The stages apply in this order: loss, then the bottleneck queue (`bandwidth` and
/// `queue_bytes`), then propagation (`latency` plus a uniform `jitter`), then `reorder` (an extra
/// `reorder_delay` for a random share of packets), then `duplicate`. Jitter larger than the gap
/// between packets also reorders them, as on real networks.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkConfig {
    /// One-way propagation delay.
    pub latency: Duration,
    /// Extra delay drawn uniformly from `[0, jitter]` per packet.
    pub jitter: Duration,
    /// Probability in `[0, 1]` that a packet is dropped.
    pub loss: f64,
    /// Probability in `[0, 1]` that a delivered packet arrives a second time.
    pub duplicate: f64,
    /// Probability in `[0, 1]` that a packet is held back by `reorder_delay`.
    pub reorder: f64,
    /// Hold-back applied to reordered packets.
    pub reorder_delay: Duration,
    /// Bottleneck rate in bits per second; `None` means unlimited.
    pub bandwidth: Option<u64>,
    /// Bottleneck queue size in bytes: a packet that would wait behind more than this is dropped
    /// (tail drop, like a router buffer). Only meaningful with `bandwidth`.
    pub queue_bytes: usize,
}

impl Default for LinkConfig {
    /// A perfect link: no delay, no loss, unlimited rate.
    fn default() -> Self {
        LinkConfig {
            latency: Duration::ZERO,
            jitter: Duration::ZERO,
            loss: 0.0,
            duplicate: 0.0,
            reorder: 0.0,
            reorder_delay: Duration::from_millis(10),
            bandwidth: None,
            queue_bytes: 64 * 1024,
        }
    }
}

impl LinkConfig {
    /// A link with only propagation delay.
    pub fn with_latency(latency: Duration) -> Self {
        LinkConfig {
            latency,
            ..LinkConfig::default()
        }
    }

    /// A link that drops everything, e.g. to cut a peer off mid-session.
    pub fn cut() -> Self {
        LinkConfig {
            loss: 1.0,
            ..LinkConfig::default()
        }
    }

    /// The hostile preset used by the protocol tests: 20% loss, reordering and duplication over
    /// 10 ms ± 5 ms.
    pub fn lossy() -> Self {
        LinkConfig {
            latency: Duration::from_millis(10),
            jitter: Duration::from_millis(5),
            loss: 0.2,
            duplicate: 0.05,
            reorder: 0.1,
            reorder_delay: Duration::from_millis(15),
            ..LinkConfig::default()
        }
    }
}
