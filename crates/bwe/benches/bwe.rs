//! Cost of the estimator and pacer per packet: how many packets per second one core can pace,
//! record, report in transport feedback and feed back through the estimator. A video call at
//! 2 Mbit/s is ~200 packets/s, so the numbers say how many such streams one core carries.
//!
//! Run with `cargo bench -p rtcio-bwe` (optionally `-- <packets>`, default 2 000 000).

use std::time::{Duration, Instant};

use rtcio_bwe::{BweConfig, Pacer, PacerConfig, PacketKind, SendSideBwe, TwccReceiver};
use rtcio_rtp::rtcp::{RtcpPacket, parse_compound, write_compound};

/// CPU time consumed by this thread so far (Linux `schedstat`), if available.
fn thread_cpu_time() -> Option<Duration> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = s.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

/// Runs `f` and returns (wall, cpu) time.
fn measure(f: impl FnOnce()) -> (Duration, Option<Duration>) {
    let (wall, cpu) = (Instant::now(), thread_cpu_time());
    f();
    let cpu = thread_cpu_time().zip(cpu).map(|(b, a)| b - a);
    (wall.elapsed(), cpu)
}

fn row(name: &str, packets: u64, (wall, cpu): (Duration, Option<Duration>)) {
    let per_s = packets as f64 / cpu.unwrap_or(wall).as_secs_f64();
    let ns = cpu.unwrap_or(wall).as_nanos() as f64 / packets as f64;
    println!(
        "{name:<44} {packets:>10} {:>9.0} ms {:>12.0} {ns:>8.0}",
        wall.as_secs_f64() * 1e3,
        per_s
    );
}

fn main() {
    let packets: u64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(2_000_000);
    println!(
        "{:<44} {:>10} {:>12} {:>12} {:>8}",
        "workload", "packets", "wall", "packets/s", "ns/pkt"
    );

    // Pacer alone: enqueue a 30 fps frame's packets, drain at 20 Mbit/s in virtual time.
    let start = Instant::now();
    let mut pacer = Pacer::new(PacerConfig::default(), 20_000_000);
    let mut sent = 0u64;
    row(
        "pacer: enqueue + poll_send (20 Mbit/s)",
        packets,
        measure(|| {
            let mut now = start;
            while sent < packets {
                for i in 0..60 {
                    pacer.enqueue(now, PacketKind::Video, 1200, i);
                }
                let end = now + Duration::from_micros(33_333);
                while now < end {
                    while pacer.poll_send(now).is_some() {
                        sent += 1;
                    }
                    now = pacer.poll_timeout().map_or(end, |t| t.min(end));
                }
            }
        }),
    );

    // The whole loop: sequence numbers, send history, arrivals, feedback every 100 packets
    // serialized and parsed as on the wire, the estimator's update.
    let mut bwe = SendSideBwe::new(BweConfig::default(), start);
    bwe.set_probing(false);
    let mut rx = TwccReceiver::new(start, 1, 2);
    let mut feedbacks = 0u64;
    row(
        "twcc send+receive+feedback+estimate",
        packets,
        measure(|| {
            for i in 0..packets {
                let now = start + Duration::from_micros(i * 500);
                let seq = bwe.next_twcc_seq();
                bwe.on_packet_sent(now, seq, 1200);
                rx.on_packet(now + Duration::from_millis(20), seq);
                if i % 100 == 99 {
                    let at = now + Duration::from_millis(20);
                    while let Some(fb) = rx.poll_feedback(at + Duration::from_millis(100)) {
                        let bytes = write_compound(&[RtcpPacket::TransportFeedback(fb)]).unwrap();
                        for p in parse_compound(&bytes).unwrap().packets {
                            if let RtcpPacket::TransportFeedback(fb) = p {
                                bwe.on_feedback(at + Duration::from_millis(40), &fb);
                                feedbacks += 1;
                            }
                        }
                    }
                }
            }
        }),
    );
    assert!(feedbacks > 0 && bwe.target_bitrate() > 0);
}
