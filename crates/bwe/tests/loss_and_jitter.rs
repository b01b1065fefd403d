//! Random (non-congestive) loss and jitter: the loss-based controller backs off only when loss
//! is high, and jitter that reorders packets does not read as congestion.

mod common;

use std::time::Duration;

use common::{Mode, Scenario, bottleneck};
use rtcio_bwe::BweConfig;

fn run(seed: u64, loss: f64, jitter_ms: u64) -> Scenario {
    let mut s = Scenario::new(seed, Mode::Twcc, BweConfig::default(), 2_000_000);
    s.set_link(rtcio_netsim::LinkConfig {
        loss,
        jitter: Duration::from_millis(jitter_ms),
        ..bottleneck(2_000_000)
    });
    s.run(30);
    s
}

#[test]
fn one_percent_random_loss_and_jitter_keep_the_estimate_near_capacity() {
    let s = run(7, 0.01, 5);
    s.print_table("2 Mbit/s, 1 % random loss, 5 ms jitter (reordering), transport-cc");
    let mean = s.rows(5, 30).map(|r| r.target).sum::<u64>() / 26;
    assert!(mean >= 1_300_000, "mean estimate {mean}");
    assert!(s.rows(5, 30).all(|r| r.target <= 2_200_000));
    assert_eq!(s.sender.bwe.stats().loss_based_limit, None);
}

#[test]
fn twenty_percent_random_loss_lowers_the_target() {
    let s = run(8, 0.2, 1);
    s.print_table("2 Mbit/s, 20 % random loss, transport-cc");
    let stats = s.sender.bwe.stats();
    assert!(stats.loss_fraction > 0.1, "{stats:?}");
    // Each cut halves the loss share (10 %) at most every RTT + 300 ms: the target ends at the
    // minimum instead of filling the link with packets that are lost anyway.
    assert!(s.rows(20, 30).all(|r| r.target < 300_000), "{stats:?}");
    assert!(stats.loss_based_limit.is_some());
}
