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

use std::time::{Duration, Instant};

use rtcio::{DataChannelInit, PeerConnectionEvent, RTCConfiguration, RTCPeerConnection};

fn cpu_seconds() -> f64 {
    // utime + stime of this process, in clock ticks (fields 14 and 15 of /proc/self/stat).
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_comm = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<&str> = after_comm.split_whitespace().collect();
    let ticks: f64 = fields
        .get(11..13)
        .map(|f| f.iter().filter_map(|v| v.parse::<f64>().ok()).sum())
        .unwrap_or(0.0);
    ticks / 100.0
}

fn loopback() -> RTCConfiguration {
    let mut c = RTCConfiguration::default();
    c.interfaces.addresses = vec!["127.0.0.1".parse().unwrap()];
    c
}

struct Result {
    mbps: f64,
    cpu_s: f64,
}

async fn rtcio_run(mib: u64, size: usize, ordered: bool) -> Result {
    let a = RTCPeerConnection::new(loopback()).await.unwrap();
    let b = RTCPeerConnection::new(loopback()).await.unwrap();
    let init = DataChannelInit {
        ordered,
        ..DataChannelInit::default()
    };
    let tx = a.create_data_channel("bench", init).await.unwrap();
    a.set_local_description(None).await.unwrap();
    b.set_remote_description(a.local_description().unwrap())
        .await
        .unwrap();
    b.set_local_description(None).await.unwrap();
    a.set_remote_description(b.local_description().unwrap())
        .await
        .unwrap();
    let rx = loop {
        if let Some(PeerConnectionEvent::DataChannel(c)) = b.next_event().await {
            break c;
        }
    };
    tx.opened().await.unwrap();

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
    a.close().await;
    b.close().await;
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
