//! Transport-wide feedback between the two sides: sequence numbers and wraparound, loss,
//! reordered and duplicated feedback, feedback timing and size.

use std::time::{Duration, Instant};

use rtcio_bwe::twcc_receiver::{EARLY_FEEDBACK_PACKETS, FEEDBACK_INTERVAL, MAX_FEEDBACK_SPAN};
use rtcio_bwe::{TwccReceiver, TwccSender};
use rtcio_rtp::rtcp::{RtcpPacket, TransportFeedback, parse_compound, write_compound};

/// Serializes and parses back, as on the wire.
fn wire(fb: TransportFeedback) -> TransportFeedback {
    let bytes = write_compound(&[RtcpPacket::TransportFeedback(fb)]).unwrap();
    assert!(bytes.len() <= 1200, "feedback of {} bytes", bytes.len());
    match parse_compound(&bytes).unwrap().packets.remove(0) {
        RtcpPacket::TransportFeedback(f) => f,
        other => panic!("{other:?}"),
    }
}

#[test]
fn results_follow_sequence_numbers_across_the_wrap() {
    let start = Instant::now();
    let mut tx = TwccSender::new();
    let mut rx = TwccReceiver::new(start, 1, 2);
    let mut results = Vec::new();
    // 70 000 packets, one per ms, every tenth lost: sequence numbers wrap once.
    for i in 0..70_000u64 {
        let now = start + Duration::from_millis(i);
        let seq = tx.next_seq();
        tx.on_packet_sent(now, seq, 100 + (i % 7) as usize);
        if i % 10 != 3 {
            rx.on_packet(now + Duration::from_millis(20), seq);
        }
        while let Some(fb) = rx.poll_feedback(now + Duration::from_millis(20)) {
            tx.on_feedback(&wire(fb), &mut results);
        }
    }
    // Everything but the tail still in flight was reported, in order, once.
    assert!(results.len() > 69_800, "{}", results.len());
    for (k, w) in results.windows(2).enumerate() {
        assert_eq!(w[1].seq, w[0].seq + 1, "at {k}");
    }
    let first = results[0].seq;
    for r in &results {
        let i = r.seq - first;
        assert_eq!(r.size, 100 + (i % 7) as usize);
        assert_eq!(r.send_time, start + Duration::from_millis(i));
        assert_eq!(r.arrival_us.is_none(), i % 10 == 3, "packet {i}");
    }
    // Arrival deltas come back within the 250 µs tick.
    let received: Vec<_> = results
        .iter()
        .filter_map(|r| Some((r.send_time, r.arrival_us?)))
        .collect();
    for w in received.windows(2) {
        let sent = (w[1].0 - w[0].0).as_micros() as i64;
        assert!((w[1].1 - w[0].1 - sent).abs() <= 250, "{w:?}");
    }
    let s = tx.stats();
    assert_eq!(
        s.reported_lost,
        results.iter().filter(|r| r.arrival_us.is_none()).count() as u64
    );
    assert!(s.reported_lost > 6950);
    assert_eq!(
        s.duplicate_statuses + s.unknown_statuses + s.feedbacks_invalid + s.feedbacks_stale,
        0
    );
    assert!(tx.history_len() <= rtcio_bwe::twcc_sender::MAX_HISTORY_PACKETS);
}

#[test]
fn duplicated_and_reordered_feedback_reports_each_packet_once() {
    let start = Instant::now();
    let mut tx = TwccSender::new();
    let mut rx = TwccReceiver::new(start, 1, 2);
    let mut fbs = Vec::new();
    for i in 0..300u64 {
        let now = start + Duration::from_millis(2 * i);
        let seq = tx.next_seq();
        tx.on_packet_sent(now, seq, 1000);
        rx.on_packet(now + Duration::from_millis(10), seq);
        while let Some(fb) = rx.poll_feedback(now + Duration::from_millis(10)) {
            fbs.push(wire(fb));
        }
    }
    assert!(fbs.len() >= 5);
    let mut results = Vec::new();
    // Newest first, then everything again.
    for fb in fbs.iter().rev().chain(fbs.iter()) {
        tx.on_feedback(fb, &mut results);
    }
    let mut seqs: Vec<_> = results.iter().map(|r| r.seq).collect();
    let n = seqs.len();
    seqs.sort_unstable();
    seqs.dedup();
    assert_eq!(seqs.len(), n, "a packet reported twice");
    assert_eq!(tx.stats().feedbacks_stale, fbs.len() as u64);
    assert!(tx.stats().duplicate_statuses >= n as u64);
}

#[test]
fn a_packet_reported_lost_then_received_counts_as_received() {
    let start = Instant::now();
    let mut tx = TwccSender::new();
    for i in 0..3 {
        let seq = tx.next_seq();
        tx.on_packet_sent(start + Duration::from_millis(i), seq, 500);
    }
    let base = tx.next_seq().wrapping_sub(3);
    let ms = |m: u64| start + Duration::from_millis(m);
    let lost = TransportFeedback::from_arrival_instants(
        1,
        2,
        0,
        start,
        &[(base, ms(20)), (base.wrapping_add(2), ms(22))],
    )
    .unwrap();
    let late =
        TransportFeedback::from_arrival_instants(1, 2, 1, start, &[(base.wrapping_add(1), ms(40))])
            .unwrap();
    let mut results = Vec::new();
    tx.on_feedback(&lost, &mut results);
    assert_eq!(results.iter().filter(|r| r.arrival_us.is_none()).count(), 1);
    assert_eq!(tx.stats().reported_lost, 1);
    results.clear();
    tx.on_feedback(&late, &mut results);
    assert_eq!(results.len(), 1);
    assert!(results[0].arrival_us.is_some());
    assert_eq!(tx.stats().reported_lost, 0);
    assert_eq!(tx.stats().reported_received, 3);
}

#[test]
fn feedback_goes_out_on_the_interval_or_early_when_many_packets_wait() {
    let start = Instant::now();
    let mut rx = TwccReceiver::new(start, 1, 2);
    assert_eq!(rx.poll_timeout(), None);
    rx.on_packet(start, 0);
    // The first arrival is reported at once; then every interval.
    assert!(rx.poll_feedback(start).is_some());
    assert!(rx.poll_feedback(start).is_none());
    rx.on_packet(start + Duration::from_millis(1), 1);
    assert_eq!(rx.poll_timeout(), Some(start + FEEDBACK_INTERVAL));
    assert!(
        rx.poll_feedback(start + Duration::from_millis(50))
            .is_none()
    );
    let at = start + Duration::from_millis(50);
    for s in 2..(EARLY_FEEDBACK_PACKETS as u16 + 1) {
        rx.on_packet(at, s);
    }
    assert!(
        rx.poll_timeout().unwrap() <= at,
        "many packets waiting: due now"
    );
    let fb = rx.poll_feedback(at).unwrap();
    assert_eq!(fb.base_seq, 1);
    assert_eq!(fb.statuses.len(), EARLY_FEEDBACK_PACKETS);
}

#[test]
fn long_gaps_and_bursts_are_split_into_bounded_messages() {
    let start = Instant::now();
    let mut rx = TwccReceiver::new(start, 1, 2);
    // 1000 in a row, then a jump of 5000 (a gap no message should describe).
    for s in 0..1000u16 {
        rx.on_packet(start, s);
    }
    rx.on_packet(start, 6000);
    let mut msgs = Vec::new();
    for k in 0..3 {
        // Early messages while many wait, the rest on the next interval.
        while let Some(fb) = rx.poll_feedback(start + FEEDBACK_INTERVAL * k) {
            assert!(fb.statuses.len() as u64 <= MAX_FEEDBACK_SPAN);
            msgs.push(wire(fb));
        }
    }
    assert_eq!(rx.poll_timeout(), None);
    let covered: usize = msgs.iter().map(|m| m.statuses.len()).sum();
    assert_eq!(covered, 1001);
    assert_eq!(msgs.last().unwrap().base_seq, 6000);
    assert_eq!(rx.stats().skipped, 5000);
    // Late and duplicate packets are counted, not reported again.
    rx.on_packet(start, 10);
    rx.on_packet(start, 6001);
    rx.on_packet(start, 6001);
    assert_eq!(rx.stats().late, 1);
    assert_eq!(rx.stats().duplicates, 1);
}
