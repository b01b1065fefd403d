//! Data-channel throughput with many pairs at once, beside one pair alone in the same run.
//!
//! ```sh
//! cargo bench -p rtcio --bench pairs                          # 10 pairs, 32 MiB each
//! RTCIO_BENCH_PAIRS=20 RTCIO_BENCH_PAIR_MIB=16 cargo bench -p rtcio --bench pairs
//! ```
//!
//! Every pair is two peer connections in this process over real UDP on 127.0.0.1 (each its own
//! sockets, driver and receive tasks), one reliable ordered channel, 16 KiB binary messages
//! with bufferedAmount backpressure (pause above 1 MiB, resume at 512 KiB), as in
//! `benches/datachannel.rs`. All pairs connect first, then all send at once on a 2-worker
//! runtime. Prints the aggregate MB/s (10^6 B/s, all bytes over first to last byte received
//! by any pair), each pair's own MB/s, the CPU seconds per GB, the CPUs kept busy (process CPU
//! time over the transfers' wall time) and the UDP datagrams the kernel dropped for full
//! receive buffers (system-wide counter, so indicative).

mod common;

use std::time::{Duration, Instant};

use common::{Pair, cpu_seconds, env_num, load_average};
use rtcio::DataChannelInit;

const MESSAGE: usize = 16 * 1024;

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

/// What one pair's receiver saw.
struct Received {
    bytes: u64,
    first: Instant,
    last: Instant,
}

impl Received {
    fn mbps(&self) -> f64 {
        self.bytes as f64 / (self.last - self.first).as_secs_f64() / 1e6
    }
}

/// Moves `bytes` from the pair's offerer to its answerer; returns what arrived when.
async fn transfer(pair: Pair, bytes: u64) -> Received {
    let tx = pair.tx.clone();
    let sender = tokio::spawn(async move {
        tx.set_buffered_amount_low_threshold(512 * 1024);
        let payload = vec![0x5au8; MESSAGE];
        let mut sent = 0u64;
        while sent < bytes {
            if tx.buffered_amount() > 1024 * 1024 {
                tx.buffered_amount_low().await;
            }
            tx.send_binary(&payload).await.unwrap();
            sent += MESSAGE as u64;
        }
    });
    let mut got = 0u64;
    let mut first = None;
    let mut last = Instant::now();
    while got < bytes {
        let m = tokio::time::timeout(Duration::from_secs(30), pair.rx.recv())
            .await
            .expect("a receiver stalled for 30 s")
            .expect("channel closed");
        last = Instant::now();
        first.get_or_insert(last);
        got += m.data.len() as u64;
    }
    sender.await.unwrap();
    pair.close().await;
    Received {
        bytes: got,
        first: first.unwrap_or(last),
        last,
    }
}

/// Connects `n` pairs, then runs all their transfers at once; returns what each received, the
/// CPU seconds, the wall seconds of the transfers and the UDP drops.
async fn run(n: usize, mib: u64) -> (Vec<Received>, f64, f64, i64) {
    let connects: Vec<_> = (0..n)
        .map(|_| tokio::spawn(Pair::connect(DataChannelInit::default())))
        .collect();
    let mut pairs = Vec::new();
    for c in connects {
        pairs.push(c.await.unwrap());
    }
    let (cpu0, drops0, started) = (cpu_seconds(), udp_rcvbuf_errors(), Instant::now());
    let transfers: Vec<_> = pairs
        .into_iter()
        .map(|p| tokio::spawn(transfer(p, mib * 1024 * 1024)))
        .collect();
    let mut received = Vec::new();
    for t in transfers {
        received.push(t.await.unwrap());
    }
    let wall = started.elapsed().as_secs_f64();
    (
        received,
        cpu_seconds() - cpu0,
        wall,
        udp_rcvbuf_errors() - drops0,
    )
}

fn main() {
    let pairs: usize = env_num("RTCIO_BENCH_PAIRS", 10);
    let mib: u64 = env_num("RTCIO_BENCH_PAIR_MIB", 32);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    println!(
        "data channel throughput, pairs sending at once over UDP on 127.0.0.1 ({mib} MiB per \
         pair, 16 KiB messages, 2 runtime workers, {} CPUs, load average {})",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load_average()
    );
    println!(
        "| pairs | aggregate MB/s | per pair MB/s min / median / max | CPU s/GB | CPUs busy | \
         udp drops |"
    );
    println!("|---|---|---|---|---|---|");
    for n in [1, pairs] {
        let (received, cpu_s, wall, drops) = rt.block_on(run(n, mib));
        let bytes: u64 = received.iter().map(|r| r.bytes).sum();
        let first = received.iter().map(|r| r.first).min().unwrap();
        let last = received.iter().map(|r| r.last).max().unwrap();
        let aggregate = bytes as f64 / (last - first).as_secs_f64() / 1e6;
        let mut each: Vec<f64> = received.iter().map(Received::mbps).collect();
        each.sort_by(f64::total_cmp);
        println!(
            "| {n} | {aggregate:.1} | {:.1} / {:.1} / {:.1} | {:.2} | {:.2} | {drops} |",
            each[0],
            each[each.len() / 2],
            each[each.len() - 1],
            cpu_s / (bytes as f64 / 1e9),
            cpu_s / wall,
        );
    }
}
