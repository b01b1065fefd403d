//! Hostile and absurd feedback is dropped and counted; the estimate stays within bounds and
//! memory stays bounded.

use std::time::{Duration, Instant};

use rtcio_bwe::twcc_receiver::MAX_PENDING_ARRIVALS;
use rtcio_bwe::twcc_sender::MAX_HISTORY_PACKETS;
use rtcio_bwe::{BweConfig, SendSideBwe, TwccReceiver};
use rtcio_netsim::Rng;
use rtcio_rtp::rtcp::{MAX_TWCC_PACKETS, PacketStatus, TransportFeedback};

fn sent(n: u64) -> (SendSideBwe, Instant) {
    let start = Instant::now();
    let mut bwe = SendSideBwe::new(BweConfig::default(), start);
    for i in 0..n {
        let seq = bwe.next_twcc_seq();
        bwe.on_packet_sent(start + Duration::from_millis(i), seq, 1000);
    }
    (bwe, start)
}

fn feedback(base_seq: u16, statuses: Vec<PacketStatus>) -> TransportFeedback {
    TransportFeedback {
        base_seq,
        statuses,
        ..TransportFeedback::default()
    }
}

#[test]
fn malformed_feedback_is_dropped_whole() {
    let start = Instant::now();
    let mut bwe = SendSideBwe::new(BweConfig::default(), start);
    // Nothing sent yet.
    assert!(
        bwe.on_feedback(start, &feedback(0, vec![PacketStatus::SmallDelta(1)]))
            .is_empty()
    );
    let (mut bwe, start) = sent(100);
    // No statuses; more statuses than the wire format allows.
    bwe.on_feedback(start, &feedback(0, vec![]));
    let huge = vec![PacketStatus::SmallDelta(1); MAX_TWCC_PACKETS + 1];
    assert!(bwe.on_feedback(start, &feedback(0, huge)).is_empty());
    let s = bwe.stats();
    assert_eq!(s.twcc.feedbacks_invalid, 2);
    assert_eq!(s.target_bitrate, 300_000);
}

#[test]
fn statuses_for_packets_never_sent_are_counted_not_used() {
    let (mut bwe, start) = sent(100);
    // The 100 packets sent are 0..100; these sequence numbers are far ahead or long gone.
    for base in [1000u16, 20_000, 40_000, 65_000] {
        let r = bwe.on_feedback(
            start + Duration::from_secs(1),
            &feedback(base, vec![PacketStatus::SmallDelta(4); 50]),
        );
        assert!(r.is_empty(), "base {base}");
    }
    // A feedback straddling the newest packet: only the sent ones count.
    let r = bwe.on_feedback(
        start + Duration::from_secs(1),
        &feedback(90, vec![PacketStatus::SmallDelta(4); 5000]),
    );
    assert_eq!(r.len(), 10);
    let s = bwe.stats();
    assert_eq!(s.twcc.unknown_statuses, 4 * 50 + 4990);
    assert_eq!(s.twcc.feedbacks_stale, 4);
    assert!(s.target_bitrate <= BweConfig::default().max_bitrate);
}

#[test]
fn a_full_size_feedback_of_huge_deltas_and_clock_jumps_keeps_the_estimate_in_bounds() {
    let (mut bwe, start) = sent(20_000);
    assert_eq!(bwe.stats().twcc.packets_sent, 20_000);
    let config = BweConfig::default();
    let mut rng = Rng::new(11);
    let mut now = start + Duration::from_secs(20);
    for round in 0..200 {
        let n = 1 + rng.below(MAX_TWCC_PACKETS as u64) as usize;
        let statuses = (0..n)
            .map(|_| match rng.below(3) {
                0 => PacketStatus::NotReceived,
                1 => PacketStatus::SmallDelta(rng.next_u64() as u8),
                _ => PacketStatus::LargeDelta(rng.next_u64() as i16),
            })
            .collect();
        let fb = TransportFeedback {
            base_seq: rng.next_u64() as u16,
            reference_time: (rng.next_u64() as i32) >> 8,
            fb_pkt_count: round as u8,
            statuses,
            ..TransportFeedback::default()
        };
        bwe.on_feedback(now, &fb);
        let t = bwe.target_bitrate();
        assert!(
            (config.min_bitrate..=config.max_bitrate).contains(&t),
            "{t}"
        );
        now += Duration::from_millis(rng.below(200));
        bwe.handle_timeout(now);
    }
    let s = bwe.stats();
    assert!(s.twcc.unknown_statuses > 0);
    assert!(
        s.clock_resets > 0,
        "absurd reference times reset the delay estimator"
    );
    assert!(s.twcc.feedbacks_stale > 0);
}

#[test]
fn history_and_pending_arrivals_stay_bounded() {
    let (bwe, _) = sent(3 * MAX_HISTORY_PACKETS as u64);
    assert_eq!(
        bwe.stats().twcc.packets_sent,
        3 * MAX_HISTORY_PACKETS as u64
    );
    let start = Instant::now();
    let mut rx = TwccReceiver::new(start, 1, 2);
    let mut rng = Rng::new(3);
    // Random sequence numbers at one instant, never polled: the waiting set is capped.
    for _ in 0..(4 * MAX_PENDING_ARRIVALS) {
        rx.on_packet(start, rng.next_u64() as u16);
    }
    let s = rx.stats();
    assert!(s.overflow > 0);
    assert_eq!(s.packets, 4 * MAX_PENDING_ARRIVALS as u64);
    // Draining produces bounded messages and ends.
    let mut msgs = 0;
    while let Some(fb) = rx.poll_feedback(start) {
        assert!(!fb.statuses.is_empty() && fb.statuses.len() <= 400);
        msgs += 1;
        assert!(msgs <= MAX_PENDING_ARRIVALS);
    }
}

#[test]
fn the_feedback_timeout_cuts_the_target_when_feedback_stops() {
    let (mut bwe, start) = sent(10);
    let fb = TransportFeedback::from_arrival_instants(
        1,
        2,
        0,
        start,
        &[(0, start + Duration::from_millis(30))],
    )
    .unwrap();
    let at = start + Duration::from_millis(60);
    bwe.on_feedback(at, &fb);
    let before = bwe.target_bitrate();
    // Still sending, no feedback.
    let seq = bwe.next_twcc_seq();
    bwe.on_packet_sent(at + Duration::from_millis(10), seq, 1000);
    let t = bwe.poll_timeout().unwrap();
    assert_eq!(t, at + Duration::from_secs(1));
    bwe.handle_timeout(t);
    assert!(bwe.target_bitrate() < before);
    assert_eq!(bwe.stats().feedback_timeouts, 1);
    assert_eq!(bwe.poll_timeout(), Some(t + Duration::from_secs(1)));
}

#[test]
fn the_remb_estimator_survives_absurd_send_times_and_many_sources() {
    use rtcio_bwe::RembEstimator;
    use rtcio_bwe::remb::MAX_REMB_SSRCS;
    use rtcio_rtp::ext::AbsSendTime;
    use rtcio_rtp::rtcp::{RtcpPacket, write_compound};

    let start = Instant::now();
    let config = BweConfig::default();
    let mut est = RembEstimator::new(config, start, 1);
    let mut rng = Rng::new(5);
    let mut now = start;
    let mut rembs = 0;
    for _ in 0..50_000 {
        now += Duration::from_micros(rng.below(5_000));
        let abs = AbsSendTime(rng.next_u64() as u32);
        est.on_packet(now, rng.next_u64() as u32, abs, rng.below(70_000) as usize);
        let e = est.estimate();
        assert!(
            (config.min_bitrate..=config.max_bitrate).contains(&e),
            "{e}"
        );
        if let Some(remb) = est.poll_remb(now) {
            assert!(remb.ssrcs.len() <= MAX_REMB_SSRCS);
            write_compound(&[RtcpPacket::Remb(remb)]).unwrap();
            rembs += 1;
        }
    }
    let s = est.stats();
    assert!(rembs > 10);
    assert!(s.ssrcs_over_limit > 0);
    assert!(s.clock_resets > 0);
}
