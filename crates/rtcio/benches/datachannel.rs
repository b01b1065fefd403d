//! Data-channel throughput, rtcio beside aiortc in the same run.
//!
//! ```sh
//! cargo bench -p rtcio --bench datachannel            # rtcio and aiortc (pip install aiortc)
//! RTCIO_BENCH_MIB=256 cargo bench -p rtcio --bench datachannel
//! ```
//!
//! Two peer connections in one process over real UDP on 127.0.0.1, one channel, messages sent
//! with bufferedAmount backpressure (pause above 1 MiB, resume at 512 KiB) — the same program
//! shape for both stacks (`benches/aiortc_throughput.py` is aiortc's). Variants: 16 KiB
//! reliable ordered, 64 KiB reliable ordered, 16 KiB reliable unordered. Prints MB/s (10^6 B/s,
//! first to last byte received) and the process CPU seconds spent, then the ratio.
//!
//! The sans-IO ceiling (two SCTP associations in memory, no sockets, no crypto) is
//! `cargo bench -p rtcio-sctp`.

mod common;

use std::time::{Duration, Instant};

use common::{Pair, cpu_seconds};
use rtcio::DataChannelInit;

struct Result {
    mbps: f64,
    cpu_s: f64,
}

async fn rtcio_run(mib: u64, size: usize, ordered: bool) -> Result {
    let init = DataChannelInit {
        ordered,
        ..DataChannelInit::default()
    };
    let pair = Pair::connect(init).await;
    let tx = pair.tx.clone();
    let rx = pair.rx.clone();

    let total = mib * 1024 * 1024;
    let cpu0 = cpu_seconds();
    let sender = tokio::spawn(async move {
        tx.set_buffered_amount_low_threshold(512 * 1024);
        let payload = vec![0u8; size];
        let mut sent = 0u64;
        while sent < total {
            if tx.buffered_amount() > 1024 * 1024 {
                tx.buffered_amount_low().await;
            }
            tx.send_binary(&payload).await.unwrap();
            sent += size as u64;
        }
        tx
    });
    let mut bytes = 0u64;
    let mut first = None;
    let mut last = Instant::now();
    while bytes < total {
        let m = tokio::time::timeout(Duration::from_secs(30), rx.recv())
            .await
            .expect("receiver stalled for 30 s")
            .expect("channel closed");
        last = Instant::now();
        first.get_or_insert(last);
        bytes += m.data.len() as u64;
    }
    let _tx = sender.await.unwrap();
    let cpu_s = cpu_seconds() - cpu0;
    let secs = (last - first.unwrap()).as_secs_f64();
    pair.close().await;
    Result {
        mbps: bytes as f64 / secs / 1e6,
        cpu_s,
    }
}

fn aiortc_run(mib: u64, size: usize, ordered: bool) -> Option<Result> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/aiortc_throughput.py");
    let order = if ordered { "ordered" } else { "unordered" };
    let out = std::process::Command::new("python3")
        .args([script, &mib.to_string(), &size.to_string(), order])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().find(|l| l.starts_with("RESULT"))?;
    let field = |k: &str| -> Option<f64> {
        line.split_whitespace()
            .find_map(|kv| kv.strip_prefix(k)?.strip_prefix('=')?.parse().ok())
    };
    Some(Result {
        mbps: field("mbps")?,
        cpu_s: field("cpu_s")?,
    })
}

fn main() {
    let mib: u64 = std::env::var("RTCIO_BENCH_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(128);
    // aiortc moves about 5-10 MB/s: a smaller transfer keeps its runs to seconds.
    let aiortc_mib = (mib / 8).max(8);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    println!(
        "data channel throughput over UDP on 127.0.0.1 (rtcio {mib} MiB, aiortc {aiortc_mib} MiB per variant)"
    );
    println!(
        "| variant | rtcio MB/s | rtcio CPU s/GB | aiortc MB/s | aiortc CPU s/GB | rtcio / aiortc |"
    );
    println!("|---|---|---|---|---|---|");
    for (name, size, ordered) in [
        ("16 KiB ordered", 16 * 1024, true),
        ("64 KiB ordered", 64 * 1024, true),
        ("16 KiB unordered", 16 * 1024, false),
    ] {
        let r = rt.block_on(rtcio_run(mib, size, ordered));
        let gb = mib as f64 * 1.048_576e-3;
        let (a_mbps, a_cpu) = match aiortc_run(aiortc_mib, size, ordered) {
            Some(a) => (
                format!("{:.1}", a.mbps),
                format!("{:.1}", a.cpu_s / (aiortc_mib as f64 * 1.048_576e-3)),
            ),
            None => ("n/a".into(), "n/a".into()),
        };
        let ratio = a_mbps
            .parse::<f64>()
            .map(|a| format!("{:.0}×", r.mbps / a))
            .unwrap_or_else(|_| "n/a".into());
        println!(
            "| {name} | {:.1} | {:.2} | {a_mbps} | {a_cpu} | {ratio} |",
            r.mbps,
            r.cpu_s / gb
        );
    }
}
