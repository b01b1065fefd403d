//! Memory across connection churn: RSS after 10,000 connect/close cycles against RSS after the
//! first 100, with the leak indicators beside it (descriptors, threads, live tasks).
//!
//! ```sh
//! cargo bench -p rtcio --bench churn
//! RTCIO_CHURN_CYCLES=2000 cargo bench -p rtcio --bench churn
//! ```
//!
//! One cycle: two peer connections over real UDP on 127.0.0.1 connect (offer/answer, ICE,
//! DTLS, SCTP, a channel opened), one message crosses, both close. Cycles run one after
//! another on a 2-worker runtime. At each checkpoint (after a 200 ms pause so closing tasks can
//! finish) the table shows RSS as it is and again after `malloc_trim(0)`, which returns the
//! allocator's free pages: memory still counted after it is in use or fragmented, and the heap
//! in use as glibc counts it (`mallinfo2`: live allocations and its per-thread caches of freed
//! chunks). Flat heap, descriptors, threads and tasks across the run mean close releases
//! everything. For the live allocations alone, run the bench binary under heaptrack: what is
//! still allocated at exit is the same after 1,000 and 4,000 cycles.

mod common;

use std::time::{Duration, Instant};

use common::{
    Pair, env_num, heap_in_use_kib, load_average, malloc_trim, open_fds, rss_kib, threads,
};
use rtcio::DataChannelInit;

/// One connect / message / close cycle.
async fn cycle() {
    let pair = Pair::connect(DataChannelInit::default()).await;
    pair.tx.send_text("churn").await.unwrap();
    let m = pair.rx.recv().await.expect("the message arrives");
    assert_eq!(&m.data[..], b"churn");
    pair.close().await;
}

/// One checkpoint's readings.
struct Reading {
    cycles: usize,
    rss: i64,
    trimmed: i64,
    heap: i64,
    fds: usize,
    threads: i64,
    tasks: usize,
    secs: f64,
}

async fn reading(cycles: usize, started: Instant) -> Reading {
    let secs = started.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let rss = rss_kib();
    malloc_trim();
    Reading {
        cycles,
        rss,
        trimmed: rss_kib(),
        heap: heap_in_use_kib(),
        fds: open_fds(),
        threads: threads(),
        tasks: tokio::runtime::Handle::current()
            .metrics()
            .num_alive_tasks(),
        secs,
    }
}

async fn run(total: usize) -> (Reading, Vec<Reading>) {
    let checkpoints: Vec<usize> = [100, total / 10, total / 4, total / 2, 3 * total / 4, total]
        .into_iter()
        .filter(|&c| c >= 100 && c <= total)
        .collect();
    // A warm-up cycle: one-time allocations (certificates' tables, runtime, ...) are not churn.
    cycle().await;
    let start = reading(0, Instant::now()).await;
    let started = Instant::now();
    let mut readings = Vec::new();
    for i in 1..=total {
        tokio::time::timeout(Duration::from_secs(30), cycle())
            .await
            .unwrap_or_else(|_| panic!("cycle {i} took over 30 s"));
        if checkpoints.contains(&i) && readings.last().is_none_or(|r: &Reading| r.cycles != i) {
            readings.push(reading(i, started).await);
        }
    }
    (start, readings)
}

fn main() {
    let total: usize = env_num("RTCIO_CHURN_CYCLES", 10_000).max(100);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (start, readings) = rt.block_on(run(total));
    println!(
        "connect/close churn over UDP on 127.0.0.1: {total} cycles of one pair (connect, one \
         message, close); after the warm-up cycle RSS was {} KiB ({} KiB trimmed, heap in use {} \
         KiB), {} fds, {} threads, {} tasks; load average {}",
        start.rss,
        start.trimmed,
        start.heap,
        start.fds,
        start.threads,
        start.tasks,
        load_average()
    );
    println!(
        "| cycles | RSS KiB | RSS after malloc_trim KiB | heap in use KiB | open fds | threads | \
         live tasks | cycles/s |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    let mut previous = (0usize, 0.0f64);
    for r in &readings {
        let rate = (r.cycles - previous.0) as f64 / (r.secs - previous.1);
        previous = (r.cycles, r.secs);
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {rate:.0} |",
            r.cycles, r.rss, r.trimmed, r.heap, r.fds, r.threads, r.tasks
        );
    }
    // From the first checkpoint (the question asked), and over the second half (past the
    // warm-up of allocator and runtime structures, where a per-cycle leak shows as a slope).
    let last = &readings[readings.len() - 1];
    let middle = readings
        .iter()
        .find(|r| r.cycles >= total / 2)
        .unwrap_or(last);
    for first in [&readings[0], middle] {
        if first.cycles == last.cycles {
            continue;
        }
        let per_cycle =
            |a: i64, b: i64| (b - a) as f64 * 1024.0 / (last.cycles - first.cycles) as f64;
        println!(
            "from {} to {} cycles: RSS {:+} KiB, after malloc_trim {:+} KiB, heap in use {:+} KiB \
             ({:+.1} bytes per cycle)",
            first.cycles,
            last.cycles,
            last.rss - first.rss,
            last.trimmed - first.trimmed,
            last.heap - first.heap,
            per_cycle(first.heap, last.heap),
        );
    }
}
