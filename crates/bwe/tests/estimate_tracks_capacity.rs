//! The send-side estimate follows a simulated bottleneck: convergence at 2 Mbit/s, a drop to
//! 300 kbit/s, and recovery when capacity returns. Run with `--nocapture` for the per-second
//! tables (time, capacity, estimate, goodput, loss, queueing delay).

mod common;

use common::{Mode, Scenario};
use rtcio_bwe::BweConfig;

fn config(start: u64) -> BweConfig {
    BweConfig {
        start_bitrate: start,
        ..BweConfig::default()
    }
}

fn loss_over(s: &Scenario, from: u64, to: u64) -> f64 {
    let rows: Vec<_> = s.rows(from, to).collect();
    rows.iter().map(|r| r.loss).sum::<f64>() / rows.len() as f64
}

#[test]
fn converges_near_capacity() {
    // The default start (300 kbit/s); the initial probes find the capacity within a second.
    let mut s = Scenario::new(1, Mode::Twcc, BweConfig::default(), 2_000_000);
    s.run(40);
    s.print_table("2 Mbit/s bottleneck, transport-cc, start 300 kbit/s, probing");
    assert!(
        s.rows(1, 1).all(|r| r.target >= 1_200_000),
        "probing did not ramp up"
    );
    for r in s.rows(3, 40) {
        assert!((1_400_000..=2_200_000).contains(&r.target), "{r:?}");
        assert!(r.queue_ms_avg < 60.0, "{r:?}");
    }
    let mean = s.rows(3, 40).map(|r| r.target).sum::<u64>() / 38;
    assert!(mean >= 1_650_000, "mean estimate {mean}");
    assert!(loss_over(&s, 1, 40) < 0.005);
    assert!(s.sender.bwe.stats().probe_results >= 2);
}

#[test]
fn converges_without_probing_by_multiplicative_increase() {
    // From 500 kbit/s at 8 %/s the estimate needs ~20 s.
    let mut s = Scenario::new(1, Mode::Twcc, config(500_000), 2_000_000);
    s.sender.bwe.set_probing(false);
    s.run(40);
    s.print_table("2 Mbit/s bottleneck, transport-cc, start 500 kbit/s, no probing");
    assert!(
        s.rows(1, 10).all(|r| r.target < 1_200_000),
        "grew too fast without probes"
    );
    for r in s.rows(25, 40) {
        assert!((1_300_000..=2_200_000).contains(&r.target), "{r:?}");
        assert!(r.queue_ms_avg < 100.0, "{r:?}");
    }
    let mean = s.rows(25, 40).map(|r| r.target).sum::<u64>() / 16;
    assert!(mean >= 1_600_000, "mean estimate {mean}");
    assert!(loss_over(&s, 1, 40) < 0.01);
    assert_eq!(s.sender.bwe.stats().probe_results, 0);
}

/// 2 Mbit/s, then 300 kbit/s from t = 10 s.
fn drop_scenario(seed: u64) -> Scenario {
    let mut s = Scenario::new(seed, Mode::Twcc, config(1_500_000), 2_000_000);
    s.run(10);
    s.set_capacity(300_000);
    s.run(20);
    s
}

#[test]
fn follows_a_drop_from_2_mbits_to_300_kbits() {
    for seed in 1..=3 {
        let s = drop_scenario(seed);
        if seed == 1 {
            s.print_table("2 Mbit/s → 300 kbit/s at t=10 s, transport-cc");
        }
        // Near capacity before the drop.
        assert!(s.rows(6, 10).all(|r| r.target >= 1_300_000), "seed {seed}");
        // Below ~300 kbit/s within three seconds, and it stays there.
        assert!(s.rows(11, 13).any(|r| r.target <= 300_000), "seed {seed}");
        for r in s.rows(14, 30) {
            assert!(r.target <= 360_000, "seed {seed}: {r:?}");
            assert!(r.goodput >= 200_000, "seed {seed}: link left idle {r:?}");
            assert!(r.loss < 0.02, "seed {seed}: sustained loss {r:?}");
        }
        assert!(loss_over(&s, 14, 30) < 0.005, "seed {seed}");
        // The router buffer (60 kB: 1.6 s at 300 kbit/s) filled before the feedback showed
        // the drop; the estimate stays below capacity until it has drained.
        for r in s.rows(25, 30) {
            assert!(r.queue_ms_avg < 150.0, "seed {seed}: standing queue {r:?}");
        }
    }
}

#[test]
fn recovers_when_capacity_returns() {
    let mut s = drop_scenario(4);
    s.set_capacity(2_000_000);
    s.run(30);
    s.print_table("2 Mbit/s → 300 kbit/s at t=10 s → 2 Mbit/s at t=30 s, transport-cc");
    // The first second after the switch loses what the simulator's queue held at 300 kbit/s
    // (its backlog is re-measured at the new rate), so loss is checked from t = 33 s.
    assert!(loss_over(&s, 33, 60) < 0.01);
    // Without probing, the way back up is the 8 %/s multiplicative increase: ~25 s from 300 k.
    assert!(
        s.rows(55, 60).all(|r| r.target >= 1_300_000),
        "slow recovery"
    );
    assert!(
        s.rows(31, 60).any(|r| r.target >= 1_800_000),
        "never back near capacity"
    );
    assert!(s.rows(31, 60).all(|r| r.target <= 2_300_000));
}
