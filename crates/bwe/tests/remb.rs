//! The REMB path for peers without transport-cc: the receiver estimates from abs-send-time and
//! reports REMB; the sender's target follows it.

mod common;

use std::time::{Duration, Instant};

use common::{Mode, Scenario};
use rtcio_bwe::{BweConfig, RembEstimator, SendSideBwe};
use rtcio_rtp::ext::AbsSendTime;

#[test]
fn remb_estimate_tracks_a_drop() {
    let config = BweConfig {
        start_bitrate: 1_500_000,
        ..BweConfig::default()
    };
    let mut s = Scenario::new(5, Mode::Remb, config, 2_000_000);
    s.run(10);
    s.set_capacity(300_000);
    s.run(20);
    s.print_table("2 Mbit/s → 300 kbit/s at t=10 s, REMB (abs-send-time at the receiver)");
    assert!(s.receiver.remb.stats().rembs >= 25);
    // Without transport feedback the target is the last REMB.
    assert_eq!(s.sender.bwe.stats().twcc.feedbacks, 0);
    assert_eq!(
        s.sender.bwe.stats().remb_bitrate,
        Some(s.sender.bwe.target_bitrate())
    );
    assert!(s.rows(6, 10).all(|r| r.target >= 1_200_000));
    assert!(s.rows(11, 14).any(|r| r.target <= 300_000));
    for r in s.rows(15, 30) {
        assert!(r.target <= 360_000, "{r:?}");
        assert!(r.loss < 0.02, "{r:?}");
    }
}

#[test]
fn remb_caps_the_send_side_target() {
    let now = Instant::now();
    let mut bwe = SendSideBwe::new(BweConfig::default(), now);
    assert_eq!(bwe.target_bitrate(), 300_000);
    bwe.on_remb(now, 120_000);
    assert_eq!(bwe.target_bitrate(), 120_000);
    bwe.on_remb(now, 900_000);
    assert_eq!(bwe.target_bitrate(), 900_000);
    // Absurd values are clamped to the configured bounds.
    bwe.on_remb(now, u64::MAX);
    assert_eq!(bwe.target_bitrate(), BweConfig::default().max_bitrate);
    bwe.on_remb(now, 0);
    assert_eq!(bwe.target_bitrate(), BweConfig::default().min_bitrate);
    // High loss from receiver reports lowers the target below the REMB.
    bwe.on_remb(now, 1_000_000);
    bwe.on_receiver_report(now + Duration::from_secs(1), 64, 100);
    assert!(bwe.target_bitrate() < 1_000_000, "{}", bwe.target_bitrate());
}

#[test]
fn remb_messages_are_periodic_and_fast_on_decrease() {
    let start = Instant::now();
    let config = BweConfig {
        start_bitrate: 2_000_000,
        ..BweConfig::default()
    };
    let mut est = RembEstimator::new(config, start, 9);
    assert_eq!(est.poll_timeout(), None);
    // 200 packets/s of 1000 bytes from two sources over an uncongested 30 ms path.
    let mut now = start;
    let mut rembs = Vec::new();
    for i in 0..220u64 {
        let sent = Duration::from_millis(5 * i);
        now = start + sent + Duration::from_millis(30);
        est.on_packet(
            now,
            1 + (i % 2) as u32,
            AbsSendTime::from_micros(sent.as_micros() as u64),
            1000,
        );
        rembs.extend(est.poll_remb(now).map(|r| (now, r)));
    }
    let (first_at, first) = rembs.first().cloned().expect("first REMB after one second");
    assert_eq!(first_at - start, Duration::from_millis(1030));
    assert_eq!(first.sender_ssrc, 9);
    assert_eq!(first.ssrcs, vec![1, 2]);
    assert_eq!(rembs.len(), 1);
    assert_eq!(est.poll_timeout(), Some(first_at + Duration::from_secs(1)));
    // The path halves: arrivals spread to 10 ms apart and the queue grows.
    let mut arrival = now;
    for i in 220..400u64 {
        let sent = Duration::from_millis(5 * i);
        arrival =
            (arrival + Duration::from_millis(10)).max(start + sent + Duration::from_millis(30));
        est.on_packet(
            arrival,
            1,
            AbsSendTime::from_micros(sent.as_micros() as u64),
            1000,
        );
        rembs.extend(est.poll_remb(arrival).map(|r| (arrival, r)));
    }
    let (at, lower) = rembs.get(1).cloned().expect("a REMB on the decrease");
    assert!(
        at - first_at < Duration::from_secs(1),
        "sent at once, not on the 1 s period"
    );
    assert!((lower.bitrate as f64) < first.bitrate as f64 * 0.97);
    assert!(lower.bitrate < 1_000_000, "{}", lower.bitrate);
}
