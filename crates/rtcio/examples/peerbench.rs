//! rtcio's program for `peerbench` (the data-channel benchmark that compares WebRTC stacks):
//! two peers in one process over real UDP on 127.0.0.1, written against rtcio's public API the
//! way a user would.
//!
//! ```sh
//! cargo build --release -p rtcio --example peerbench
//! target/release/examples/peerbench connect|throughput|small|memory|all
//! ```
//!
//! Prints `RESULT impl=rtcio metric=… value=…` lines; knobs are the `PEERBENCH_*` variables
//! every peerbench program reads (`PEERBENCH_CONNECT_N`, `PEERBENCH_THROUGHPUT_MB`,
//! `PEERBENCH_THROUGHPUT_RUNS`, `PEERBENCH_SMALL_SECS`, `PEERBENCH_SMALL_MAX`,
//! `PEERBENCH_MEM_PAIRS`, `PEERBENCH_HIGH_KIB`, `PEERBENCH_LOW_KIB`).

// malloc_trim is the one FFI call: it separates memory the allocator keeps from memory held.
#![allow(unsafe_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rtcio::{
    DataChannelInit, PeerConnectionEvent, RTCConfiguration, RTCDataChannel, RTCPeerConnection,
};

const IMPL: &str = "rtcio";
type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

fn env_num<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn result(metric: &str, value: String, extra: &[(&str, String)]) {
    let tail: String = extra.iter().map(|(k, v)| format!(" {k}={v}")).collect();
    println!("RESULT impl={IMPL} metric={metric} value={value}{tail}");
}

fn median(v: &[f64]) -> f64 {
    percentile(v, 0.5)
}

fn percentile(v: &[f64], p: f64) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(|a, b| a.total_cmp(b));
    if s.is_empty() {
        return f64::NAN;
    }
    let rank = p * (s.len() - 1) as f64;
    let (lo, hi) = (rank.floor() as usize, rank.ceil() as usize);
    s[lo] + (s[hi] - s[lo]) * (rank - lo as f64)
}

fn rss_kib() -> i64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(-1)
}

/// The system-wide count of UDP datagrams dropped for a full receive buffer.
fn udp_rcvbuf_errors() -> i64 {
    let snmp = std::fs::read_to_string("/proc/net/snmp").unwrap_or_default();
    let mut udp = snmp.lines().filter(|l| l.starts_with("Udp:"));
    let (Some(names), Some(values)) = (udp.next(), udp.next()) else {
        return 0;
    };
    names
        .split_whitespace()
        .zip(values.split_whitespace())
        .find(|(n, _)| *n == "RcvbufErrors")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0)
}

fn config() -> RTCConfiguration {
    let mut c = RTCConfiguration::default();
    c.interfaces.addresses = vec!["127.0.0.1".parse().unwrap()];
    c
}

struct Pair {
    a: RTCPeerConnection,
    b: RTCPeerConnection,
    tx: RTCDataChannel,
    rx: RTCDataChannel,
}

impl Pair {
    /// Connects a pair; returns it and the milliseconds from createOffer to both channels open.
    async fn connect() -> Res<(Pair, f64)> {
        let a = RTCPeerConnection::new(config()).await?;
        let b = RTCPeerConnection::new(config()).await?;
        let tx = a
            .create_data_channel("bench", DataChannelInit::default())
            .await?;
        let start = Instant::now();
        let offer = a.create_offer().await?;
        a.set_local_description(Some(offer)).await?;
        a.gathering_complete().await;
        b.set_remote_description(a.local_description().ok_or("no offer")?)
            .await?;
        let answer = b.create_answer().await?;
        b.set_local_description(Some(answer)).await?;
        b.gathering_complete().await;
        a.set_remote_description(b.local_description().ok_or("no answer")?)
            .await?;
        let rx = loop {
            match b.next_event().await.ok_or("answerer closed")? {
                PeerConnectionEvent::DataChannel(c) => break c,
                _ => continue,
            }
        };
        rx.opened().await?;
        tx.opened().await?;
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        Ok((Pair { a, b, tx, rx }, ms))
    }

    async fn close(self) {
        self.a.close().await;
        self.b.close().await;
    }
}

async fn connect_workload() {
    let n: usize = env_num("PEERBENCH_CONNECT_N", 20);
    let mut times = Vec::new();
    let mut fails = 0;
    for _ in 0..n {
        match tokio::time::timeout(Duration::from_secs(30), Pair::connect()).await {
            Ok(Ok((pair, ms))) => {
                times.push(ms);
                pair.close().await;
            }
            Ok(Err(e)) => {
                fails += 1;
                eprintln!("# connect failed: {e}");
            }
            Err(_) => {
                fails += 1;
                eprintln!("# connect timed out");
            }
        }
    }
    let min = times.iter().copied().fold(f64::INFINITY, f64::min);
    let max = times.iter().copied().fold(0.0, f64::max);
    result(
        "connect_ms_median",
        format!("{:.2}", median(&times)),
        &[
            ("n", n.to_string()),
            ("fails", fails.to_string()),
            ("min", format!("{min:.2}")),
            ("max", format!("{max:.2}")),
        ],
    );
    result(
        "connect_ms_p90",
        format!("{:.2}", percentile(&times, 0.9)),
        &[("n", n.to_string()), ("fails", fails.to_string())],
    );
}

struct Received {
    bytes: u64,
    messages: u64,
    secs: f64,
}

/// Sends up to `total` messages of `size` bytes (stopping after `max_secs`) on a fresh pair;
/// returns what the receiver got, how many were sent, and the UDP drops meanwhile.
async fn stream(size: usize, total: u64, max_secs: f64) -> Res<(Received, u64, i64)> {
    let (pair, _) = Pair::connect().await?;
    let drops_before = udp_rcvbuf_errors();
    let high = env_num("PEERBENCH_HIGH_KIB", 1024u64) * 1024;
    let low = env_num("PEERBENCH_LOW_KIB", 512u64) * 1024;
    let sent = Arc::new(AtomicU64::new(0));

    let tx = pair.tx.clone();
    let sent_count = sent.clone();
    let sender = tokio::spawn(async move {
        tx.set_buffered_amount_low_threshold(low);
        let payload = vec![0xa5u8; size];
        let start = Instant::now();
        for _ in 0..total {
            if tx.buffered_amount() > high {
                tx.buffered_amount_low().await;
            }
            if start.elapsed().as_secs_f64() > max_secs || tx.send_binary(&payload).await.is_err() {
                break;
            }
            sent_count.fetch_add(1, Ordering::Relaxed);
        }
    });

    let mut bytes = 0u64;
    let mut messages = 0u64;
    let mut first = None;
    let mut last = Instant::now();
    loop {
        let target = if sender.is_finished() {
            sent.load(Ordering::Relaxed)
        } else {
            total
        };
        if messages >= target {
            break;
        }
        let next = tokio::time::timeout(Duration::from_secs(5), pair.rx.recv()).await;
        let Ok(Some(m)) = next else {
            eprintln!("# stream: receiver stalled or closed after {messages} messages");
            break;
        };
        let now = Instant::now();
        first.get_or_insert(now);
        last = now;
        bytes += m.data.len() as u64;
        messages += 1;
    }
    let _ = sender.await;
    let secs = first.map_or(f64::NAN, |f| (last - f).as_secs_f64());
    let drops = udp_rcvbuf_errors() - drops_before;
    pair.close().await;
    Ok((
        Received {
            bytes,
            messages,
            secs,
        },
        sent.load(Ordering::Relaxed),
        drops,
    ))
}

async fn throughput_workload() -> Res<()> {
    let mib: u64 = env_num("PEERBENCH_THROUGHPUT_MB", 256);
    let runs: usize = env_num("PEERBENCH_THROUGHPUT_RUNS", 3);
    let size = 16 * 1024;
    let mut rates = Vec::new();
    let mut drops = Vec::new();
    for _ in 0..runs {
        let (r, _, d) = stream(size, mib * 1024 * 1024 / size as u64, 600.0).await?;
        rates.push(r.bytes as f64 / r.secs / 1e6);
        drops.push(d.to_string());
    }
    let list = |v: &[f64]| {
        format!(
            "[{}]",
            v.iter()
                .map(|x| format!("{x:.1}"))
                .collect::<Vec<_>>()
                .join(",")
        )
    };
    let min = rates.iter().copied().fold(f64::INFINITY, f64::min);
    let max = rates.iter().copied().fold(0.0, f64::max);
    result(
        "throughput_mbps",
        format!("{:.1}", median(&rates)),
        &[
            ("runs", list(&rates)),
            ("min", format!("{min:.1}")),
            ("max", format!("{max:.1}")),
            ("mib", mib.to_string()),
            ("msg", size.to_string()),
            ("udp_drops", format!("[{}]", drops.join(","))),
        ],
    );
    Ok(())
}

async fn small_workload() -> Res<()> {
    let secs: f64 = env_num("PEERBENCH_SMALL_SECS", 10.0);
    let max: u64 = env_num("PEERBENCH_SMALL_MAX", 200_000);
    let (r, sent, drops) = stream(64, max, secs).await?;
    result(
        "small_msgs_per_s",
        format!("{:.0}", r.messages as f64 / r.secs),
        &[
            ("msgs", r.messages.to_string()),
            ("sent", sent.to_string()),
            ("secs", format!("{:.2}", r.secs)),
            ("msg", "64".into()),
            ("udp_drops", drops.to_string()),
        ],
    );
    Ok(())
}

async fn memory_workload() -> Res<()> {
    let n: usize = env_num("PEERBENCH_MEM_PAIRS", 100);
    // A warm-up pair, so one-time allocations are not charged per pair.
    let (warm, _) = Pair::connect().await?;
    warm.close().await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let before = rss_kib();
    let mut pairs = Vec::new();
    let mut fails = 0;
    for _ in 0..n {
        match Pair::connect().await {
            Ok((p, _)) => pairs.push(p),
            Err(e) => {
                fails += 1;
                eprintln!("# memory: connect failed: {e}");
            }
        }
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let open = rss_kib();
    for p in pairs {
        p.close().await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let closed = rss_kib();
    // SAFETY: malloc_trim only returns free heap pages to the OS; it takes no pointers.
    unsafe {
        libc::malloc_trim(0);
    }
    let trimmed = rss_kib();
    let per = |kib: i64| format!("{:.1}", kib as f64 / n as f64);
    result(
        "mem_kib_per_pair",
        per(open - before),
        &[
            ("pairs", n.to_string()),
            ("fails", fails.to_string()),
            ("rss_before_kib", before.to_string()),
            ("rss_open_kib", open.to_string()),
            ("rss_closed_kib", closed.to_string()),
        ],
    );
    result(
        "mem_after_close_kib_per_pair",
        per(closed - before),
        &[
            ("pairs", n.to_string()),
            ("rss_closed_kib", closed.to_string()),
            ("rss_closed_trimmed_kib", trimmed.to_string()),
            ("trimmed_kib_per_pair", per(trimmed - before)),
        ],
    );
    Ok(())
}

#[tokio::main]
async fn main() -> Res<()> {
    let which = std::env::args().next_back().unwrap_or_else(|| "all".into());
    let all = ["connect", "throughput", "small", "memory"];
    if which != "all" && !all.contains(&which.as_str()) {
        eprintln!("usage: peerbench [connect|throughput|small|memory|all]");
        std::process::exit(2);
    }
    println!(
        "INFO impl={IMPL} version={} tokio_workers={}",
        env!("CARGO_PKG_VERSION"),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    for w in all {
        if which != "all" && which != w {
            continue;
        }
        match w {
            "connect" => connect_workload().await,
            "throughput" => throughput_workload().await?,
            "small" => small_workload().await?,
            _ => memory_workload().await?,
        }
    }
    Ok(())
}
