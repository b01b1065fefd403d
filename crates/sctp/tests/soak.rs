//! Randomised soak over many seeds: data channels of every reliability kind opened, used and
//! closed from both sides over a hostile link. Reliable channels must deliver exactly what was
//! sent, partially reliable ones a subsequence (ordered) or a subset (unordered), and every
//! channel must end closed on both sides.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use bytes::Bytes;
use common::dc::{DcPair, channel_messages};
use common::payload;
use rtcio_netsim::{LinkConfig, Rng};
use rtcio_sctp::{ChannelEvent, ChannelInit, Config};

#[derive(Clone, Copy, Debug)]
enum Kind {
    Reliable,
    ReliableUnordered,
    Rexmit,
    Timed,
}

fn init(kind: Kind, label: String) -> ChannelInit {
    let mut i = ChannelInit {
        label,
        ..ChannelInit::default()
    };
    match kind {
        Kind::Reliable => {}
        Kind::ReliableUnordered => i.ordered = false,
        Kind::Rexmit => i.max_retransmits = Some(1),
        Kind::Timed => {
            i.ordered = false;
            i.max_packet_life_time = Some(30);
        }
    }
    i
}

#[test]
fn random_channels_over_hostile_links() {
    for seed in 100..112u64 {
        let cfg = Config {
            max_message_size: 1 << 20,
            // Half the seeds run with I-DATA.
            enable_interleaving: seed % 2 == 1,
            ..Config::default()
        };
        let mut p = DcPair::new(seed, LinkConfig::lossy(), cfg);
        let mut rng = Rng::new(seed);
        p.connect();
        // (id, opener is a, kind) -> messages sent by the opener.
        let mut sent: HashMap<u16, (bool, Kind, Vec<Vec<u8>>)> = HashMap::new();
        for round in 0..6u32 {
            for _ in 0..8 {
                let from_a = rng.chance(0.5);
                let kind = match rng.below(4) {
                    0 => Kind::Reliable,
                    1 => Kind::ReliableUnordered,
                    2 => Kind::Rexmit,
                    _ => Kind::Timed,
                };
                let side = if from_a { &mut p.a } else { &mut p.b };
                let id = side
                    .create_channel(p.now, init(kind, format!("s{seed}r{round}")))
                    .unwrap();
                let mut msgs = Vec::new();
                for i in 0..(1 + rng.below(20) as u32) {
                    let len = match rng.below(10) {
                        0 => 0,
                        1 => 100_000 + rng.below(200_000) as usize,
                        _ => 1 + rng.below(3000) as usize,
                    };
                    let m = payload(id, i, len);
                    side.send(p.now, id, Bytes::from(m.clone()), true).unwrap();
                    msgs.push(m);
                }
                sent.insert(id, (from_a, kind, msgs));
            }
            // Let some traffic flow, then close a random half of the open channels.
            p.run_until(Duration::from_millis(200 + rng.below(2000)), |_| false);
            let ids: Vec<u16> = sent.keys().copied().collect();
            for id in ids {
                if rng.chance(0.5) {
                    let side = if rng.chance(0.5) { &mut p.a } else { &mut p.b };
                    let _ = side.close(id);
                }
            }
        }
        // Close everything from the side that opened it (the other may not know it yet).
        for (id, (from_a, _, _)) in &sent {
            let side = if *from_a { &mut p.a } else { &mut p.b };
            let _ = side.close(*id);
        }
        let ok = p.run_until(Duration::from_secs(3600), |p| {
            p.a.channel_ids().is_empty() && p.b.channel_ids().is_empty()
        });
        if !ok {
            for id in p.a.channel_ids() {
                eprintln!(
                    "seed {seed} {id}: a {:?} b {:?} sent {:?}",
                    p.a.ready_state(id),
                    p.b.ready_state(id),
                    sent.get(&id).map(|s| (s.0, s.1, s.2.len()))
                );
            }
            eprintln!(
                "a {:?} {:?}\nb {:?} {:?}",
                p.a.association().state(),
                p.a.association().stats(),
                p.b.association().state(),
                p.b.association().stats()
            );
        }
        assert!(
            ok,
            "seed {seed}: channels did not all close: a={:?} b={:?}",
            p.a.channel_ids(),
            p.b.channel_ids()
        );
        for (id, (from_a, kind, msgs)) in &sent {
            let events: &[ChannelEvent] = if *from_a { &p.b_events } else { &p.a_events };
            let got: Vec<Vec<u8>> = channel_messages(events, *id)
                .into_iter()
                .map(|(m, _)| m)
                .collect();
            match kind {
                Kind::Reliable => assert!(&got == msgs, "seed {seed} channel {id} reliable"),
                Kind::ReliableUnordered => {
                    let mut g = got.clone();
                    let mut w = msgs.clone();
                    g.sort();
                    w.sort();
                    assert!(g == w, "seed {seed} channel {id} unordered");
                }
                Kind::Rexmit | Kind::Timed => {
                    // Each delivered message was sent, at most once.
                    let mut seen = vec![false; msgs.len()];
                    for m in &got {
                        let i = (0..msgs.len())
                            .find(|&i| !seen[i] && msgs[i] == *m)
                            .unwrap_or_else(|| panic!("seed {seed} channel {id}: unknown message"));
                        seen[i] = true;
                    }
                }
            }
        }
    }
}
