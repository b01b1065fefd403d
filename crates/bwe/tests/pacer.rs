//! The pacer: spacing at the pacing rate, priorities, bounded queue with drop accounting.

use std::time::{Duration, Instant};

use rtcio_bwe::{Paced, Pacer, PacerConfig, PacketKind, ProbeCluster};

/// Sends everything queued, following `poll_timeout`; returns (time since `start`, item).
fn drain<T>(p: &mut Pacer<T>, start: Instant, limit: Duration) -> Vec<(Duration, T)> {
    let mut out = Vec::new();
    let mut now = start;
    loop {
        while let Some((_, item)) = p.poll_send(now).and_then(Paced::into_packet) {
            out.push((now - start, item));
        }
        match p.poll_timeout() {
            Some(t) if t - start <= limit => {
                assert!(t > now, "timeout without progress");
                now = t;
            }
            _ => return out,
        }
    }
}

#[test]
fn packets_are_spaced_at_the_pacing_rate() {
    let start = Instant::now();
    // 1 Mbit/s, 1250-byte packets: one every 10 ms.
    let mut p = Pacer::new(PacerConfig::default(), 1_000_000);
    for i in 0..100 {
        assert!(p.enqueue(start, PacketKind::Video, 1250, i).is_none());
    }
    assert_eq!(p.queued_bytes(), 125_000);
    let sent = drain(&mut p, start, Duration::from_secs(5));
    assert_eq!(sent.len(), 100);
    assert_eq!(sent[0].0, Duration::ZERO);
    for w in sent.windows(2) {
        let gap = w[1].0 - w[0].0;
        assert!(
            (Duration::from_micros(9_990)..=Duration::from_micros(10_010)).contains(&gap),
            "gap {gap:?}"
        );
        assert_eq!(w[1].1, w[0].1 + 1, "FIFO within a kind");
    }
    assert!(p.is_empty());
    assert_eq!(p.poll_timeout(), None);
    assert_eq!(p.stats().sent[2], 100);
    assert_eq!(p.stats().bytes_sent, 125_000);
}

#[test]
fn idle_time_buys_at_most_a_small_burst() {
    let start = Instant::now();
    let mut p = Pacer::new(PacerConfig::default(), 1_000_000);
    p.enqueue(start, PacketKind::Video, 100, 0);
    assert!(p.poll_send(start).is_some());
    // Ten idle seconds, then a burst: only 5 ms of budget (625 bytes) was saved up.
    let later = start + Duration::from_secs(10);
    for i in 0..10 {
        p.enqueue(later, PacketKind::Video, 300, i);
    }
    let mut burst = 0;
    while p.poll_send(later).is_some() {
        burst += 1;
    }
    assert!((2..=4).contains(&burst), "burst of {burst}");
}

#[test]
fn priority_is_audio_then_retransmissions_then_video_then_padding() {
    let start = Instant::now();
    let mut p = Pacer::new(PacerConfig::default(), 100_000);
    p.enqueue(start, PacketKind::Padding, 200, "padding");
    p.enqueue(start, PacketKind::Video, 1000, "video 1");
    p.enqueue(start, PacketKind::Video, 1000, "video 2");
    p.enqueue(start, PacketKind::Retransmission, 1000, "rtx");
    p.enqueue(start, PacketKind::Audio, 100, "audio");
    let order: Vec<_> = drain(&mut p, start, Duration::from_secs(5))
        .into_iter()
        .map(|(_, s)| s)
        .collect();
    assert_eq!(order, ["audio", "rtx", "video 1", "video 2", "padding"]);
}

#[test]
fn audio_is_not_held_back_by_a_spent_budget() {
    let start = Instant::now();
    let mut p = Pacer::new(PacerConfig::default(), 100_000);
    p.enqueue(start, PacketKind::Video, 1200, 1);
    p.enqueue(start, PacketKind::Video, 1200, 2);
    assert_eq!(
        p.poll_send(start).and_then(Paced::into_packet),
        Some((PacketKind::Video, 1))
    );
    assert_eq!(p.poll_send(start), None, "budget spent for ~96 ms");
    let now = start + Duration::from_millis(1);
    p.enqueue(now, PacketKind::Audio, 120, 3);
    assert_eq!(p.poll_timeout(), Some(now));
    assert_eq!(
        p.poll_send(now).and_then(Paced::into_packet),
        Some((PacketKind::Audio, 3))
    );
    assert_eq!(p.poll_send(now), None);
    // The audio bytes were spent too: video 2 waits for both packets' worth.
    let t = p.poll_timeout().unwrap();
    let expect = Duration::from_micros((1200 + 120) * 8 * 10);
    assert!(
        (t - start).abs_diff(expect) < Duration::from_micros(100),
        "{:?}",
        t - start
    );
}

#[test]
fn a_full_queue_drops_the_least_important_oldest_packet() {
    let start = Instant::now();
    let config = PacerConfig {
        max_queue_packets: 4,
        ..PacerConfig::default()
    };
    let mut p = Pacer::new(config, 10_000);
    p.enqueue(start, PacketKind::Padding, 100, 0);
    p.enqueue(start, PacketKind::Video, 100, 1);
    p.enqueue(start, PacketKind::Video, 100, 2);
    p.enqueue(start, PacketKind::Retransmission, 100, 3);
    // Full: padding goes first, then the oldest video.
    assert_eq!(
        p.enqueue(start, PacketKind::Video, 100, 4),
        Some((PacketKind::Padding, 0))
    );
    assert_eq!(
        p.enqueue(start, PacketKind::Audio, 100, 5),
        Some((PacketKind::Video, 1))
    );
    // Padding never displaces media: the new padding packet itself is dropped.
    assert_eq!(
        p.enqueue(start, PacketKind::Padding, 100, 6),
        Some((PacketKind::Padding, 6))
    );
    // Video displaces video, never retransmissions or audio.
    assert_eq!(
        p.enqueue(start, PacketKind::Video, 100, 7),
        Some((PacketKind::Video, 2))
    );
    assert_eq!(
        p.enqueue(start, PacketKind::Video, 100, 8),
        Some((PacketKind::Video, 4))
    );
    assert_eq!(p.len(), 4);
    assert_eq!(p.queued_bytes(), 400);
    let s = p.stats();
    assert_eq!(s.enqueued, [1, 1, 5, 2]);
    assert_eq!(s.dropped, [0, 0, 3, 2]);
    let order: Vec<_> = drain(&mut p, start, Duration::from_secs(10))
        .into_iter()
        .map(|(_, i)| i)
        .collect();
    assert_eq!(order, [5, 3, 7, 8]);
}

#[test]
fn a_long_queue_raises_the_rate() {
    let start = Instant::now();
    // 1000 packets of 1250 bytes at 100 kbit/s would take 100 s.
    let mut p = Pacer::new(PacerConfig::default(), 100_000);
    for i in 0..1000 {
        p.enqueue(start, PacketKind::Video, 1250, i);
    }
    let sent = drain(&mut p, start, Duration::from_secs(100));
    assert_eq!(sent.len(), 1000);
    let took = sent.last().unwrap().0;
    // The rate follows queued bytes / 2 s: the queue shrinks exponentially (2 s time constant)
    // until the nominal rate takes over, ~10 s in all.
    assert!(took < Duration::from_secs(12), "{took:?}");
    // Still paced: never more than a few ms of the raised rate at once.
    let at_once = sent.iter().filter(|(t, _)| *t == Duration::ZERO).count();
    assert!(at_once <= 2, "{at_once}");
}

#[test]
fn a_probe_sends_at_its_rate_with_media_first_then_padding() {
    let start = Instant::now();
    let mut p = Pacer::new(PacerConfig::default(), 100_000);
    p.enqueue(start, PacketKind::Video, 500, 1);
    p.enqueue(start, PacketKind::Video, 500, 2);
    // 2 Mbit/s for at least 5 packets and 3000 bytes.
    let cluster = ProbeCluster {
        id: 7,
        bitrate: 2_000_000,
        min_packets: 5,
        min_bytes: 3000,
    };
    p.start_probe(start, cluster);
    assert!(p.is_probing());
    let mut now = start;
    let mut sent = Vec::new();
    while sent.len() < 5 {
        while let Some(x) = p.poll_send(now) {
            sent.push((now - start, x));
        }
        match p.poll_timeout() {
            Some(t) => now = t,
            None => break,
        }
    }
    assert!(!p.is_probing());
    let video = |i| Paced::Packet {
        kind: PacketKind::Video,
        item: i,
        probe: Some(7),
    };
    let padding = Paced::Padding {
        size: 1000,
        probe: 7,
    };
    let got: Vec<_> = sent.iter().map(|(_, x)| x.clone()).collect();
    assert_eq!(
        got,
        [
            video(1),
            video(2),
            padding.clone(),
            padding.clone(),
            padding
        ]
    );
    // 500 bytes at 2 Mbit/s is 2 ms, 1000 bytes 4 ms.
    let times: Vec<_> = sent.iter().map(|(t, _)| t.as_micros()).collect();
    let expect = [0, 2000, 4000, 8000, 12000];
    for (t, e) in times.iter().zip(expect) {
        assert!(t.abs_diff(e) <= 2, "{times:?}");
    }
    assert_eq!(p.stats().sent[3], 3);
    // Back to normal pacing: nothing queued, nothing to send.
    assert_eq!(p.poll_timeout(), None);
}

#[test]
fn absurd_sizes_and_rates_neither_panic_nor_wait_forever() {
    let start = Instant::now();
    let mut p = Pacer::new(PacerConfig::default(), 0);
    p.enqueue(start, PacketKind::Video, usize::MAX, 1);
    p.enqueue(start, PacketKind::Video, usize::MAX, 2);
    assert!(p.poll_send(start).is_some());
    let t = p.poll_timeout().unwrap();
    assert!(t - start <= Duration::from_secs(3600));
    let cluster = ProbeCluster {
        id: 1,
        bitrate: 0,
        min_packets: 3,
        min_bytes: 0,
    };
    p.start_probe(t, cluster);
    let sent = p.poll_send(t).unwrap();
    assert_eq!(
        sent,
        Paced::Packet {
            kind: PacketKind::Video,
            item: 2,
            probe: Some(1)
        }
    );
    assert!(p.is_probing());
    let u = p.poll_timeout().unwrap();
    assert!(u > t && u - t <= Duration::from_secs(3600));
}
