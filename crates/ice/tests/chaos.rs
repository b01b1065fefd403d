//! Randomized scenarios: many seeds of network conditions, roles, nomination modes, NATs and
//! trickle timings. Every run must connect, agree on the path and never livelock.

mod common;

use std::time::Duration;

use common::*;
use rtcio_ice::{IceConnectionState, IceRole, Nomination};
use rtcio_netsim::{LinkConfig, Network, Rng};

fn ms(v: u64) -> Duration {
    Duration::from_millis(v)
}

#[test]
fn random_scenarios_connect_and_agree() {
    for seed in 0..40u64 {
        let mut rng = Rng::new(1000 + seed);
        let role = |r: &mut Rng| {
            if r.chance(0.5) {
                IceRole::Controlling
            } else {
                IceRole::Controlled
            }
        };
        let mut ca = config(role(&mut rng), "aaaa", rng.next_u64());
        let mut cb = config(role(&mut rng), "bbbb", rng.next_u64());
        if rng.chance(0.3) {
            ca.nomination = Nomination::Aggressive;
        }
        if rng.chance(0.3) {
            cb.nomination = Nomination::Aggressive;
        }
        let mut a = Node::new(ca, seed, &["10.0.0.1:5000", "10.1.0.1:5000"]);
        let mut b = Node::new(cb, seed + 1, &["192.168.0.2:6000"]);
        let mut net = Network::new(seed);
        net.set_default_link(LinkConfig {
            latency: ms(rng.below(80)),
            jitter: ms(rng.below(20)),
            loss: rng.below(25) as f64 / 100.0,
            duplicate: rng.below(10) as f64 / 100.0,
            reorder: rng.below(20) as f64 / 100.0,
            ..LinkConfig::default()
        });
        let behind_nat = rng.chance(0.5);
        if behind_nat {
            net.add_nat(
                "192.168.0.2:6000".parse().unwrap(),
                "203.0.113.2:7000".parse().unwrap(),
            );
        }
        let mut sim = sim(net);
        let t0 = start();
        a.add_hosts(t0);
        // b gathers late, after a random signaling delay.
        signal(t0, &mut a, &mut b);
        sim.run_for(&mut [&mut a, &mut b], ms(rng.below(500)))
            .unwrap();
        b.add_hosts(sim.now());
        trickle(sim.now(), &b, &mut a);
        if rng.chance(0.5) {
            end_of_candidates(sim.now(), &mut a, &mut b);
        }
        run_until_connected(&mut sim, &mut a, &mut b, Duration::from_secs(30));
        // Let nomination settle (aggressive nomination may move up once more).
        sim.run_for(&mut [&mut a, &mut b], Duration::from_secs(3))
            .unwrap();

        assert_ne!(
            a.agent.role(),
            b.agent.role(),
            "seed {seed}: roles resolved"
        );
        let (sa, sb) = (
            a.agent.selected_pair().unwrap(),
            b.agent.selected_pair().unwrap(),
        );
        let b_public = if behind_nat {
            "203.0.113.2:7000".parse().unwrap()
        } else {
            sb.from_base()
        };
        assert_eq!(sa.to(), b_public, "seed {seed}");
        assert_eq!(sb.to(), sa.from_base(), "seed {seed}");
        assert!(
            !a.log().saw(IceConnectionState::Failed) && !b.log().saw(IceConnectionState::Failed)
        );
    }
}

#[test]
fn random_restarts_and_outages_never_livelock() {
    for seed in 0..20u64 {
        let mut rng = Rng::new(2000 + seed);
        let (mut a, mut b) = pair_of_nodes();
        let mut net = Network::new(seed);
        net.set_default_link(LinkConfig::lossy());
        let mut sim = sim(net);
        let t0 = start();
        a.add_hosts(t0);
        b.add_hosts(t0);
        signal(t0, &mut a, &mut b);
        a.start_data(t0, ms(50));
        for step in 0..12u32 {
            match rng.below(4) {
                0 => {
                    let g = seed as u32 * 100 + step;
                    a.agent.restart(
                        sim.now(),
                        &format!("aa{g:04}"),
                        &format!("aaRestart{g:016}"),
                    );
                    b.agent.restart(
                        sim.now(),
                        &format!("bb{g:04}"),
                        &format!("bbRestart{g:016}"),
                    );
                    a.drain(sim.now());
                    b.drain(sim.now());
                    if rng.chance(0.8) {
                        signal(sim.now(), &mut a, &mut b);
                    }
                }
                1 => sim.net.set_default_link(LinkConfig::cut()),
                2 => sim.net.set_default_link(LinkConfig::lossy()),
                _ => end_of_candidates(sim.now(), &mut a, &mut b),
            }
            sim.run_for(&mut [&mut a, &mut b], ms(rng.below(15_000)))
                .expect("no livelock");
        }
        // Whatever happened, a final restart on a good link reconnects.
        sim.net.set_default_link(LinkConfig::with_latency(ms(10)));
        a.agent
            .restart(sim.now(), "aaFinal", "aaFinalPassword0123456789");
        b.agent
            .restart(sim.now(), "bbFinal", "bbFinalPassword0123456789");
        signal(sim.now(), &mut a, &mut b);
        let (la, lb) = (a.log.clone(), b.log.clone());
        let (na, nb) = (la.borrow().selected.len(), lb.borrow().selected.len());
        sim.run_until(&mut [&mut a, &mut b], Duration::from_secs(10), |_| {
            // A pair of the new generation is selected on both sides.
            let (la, lb) = (la.borrow(), lb.borrow());
            la.selected.len() > na && lb.selected.len() > nb && la.connected() && lb.connected()
        })
        .unwrap_or_else(|e| panic!("seed {seed}: {e} {:?}", la.borrow().state));
    }
}
