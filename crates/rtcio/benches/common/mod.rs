//! What the connection benchmarks share: a connected pair over UDP on 127.0.0.1 and the
//! process's resource readings (RSS, CPU time, open descriptors, threads).

#![allow(dead_code)]
// each bench uses a part
// malloc_trim and mallinfo2 are the FFI calls: they separate memory the allocator keeps from
// memory in use.
#![allow(unsafe_code)]

use rtcio::{
    DataChannelInit, PeerConnectionEvent, RTCConfiguration, RTCDataChannel, RTCPeerConnection,
};

/// Host candidates on 127.0.0.1 only, no STUN/TURN server.
pub fn loopback() -> RTCConfiguration {
    let mut c = RTCConfiguration::default();
    c.interfaces.addresses = vec!["127.0.0.1".parse().unwrap()];
    c
}

/// Two peer connections in this process and one open channel between them.
pub struct Pair {
    /// The offerer.
    pub a: RTCPeerConnection,
    /// The answerer.
    pub b: RTCPeerConnection,
    /// The channel `a` opened.
    pub tx: RTCDataChannel,
    /// The same channel as `b` sees it.
    pub rx: RTCDataChannel,
}

impl Pair {
    /// Connects a pair (full offer/answer, non-trickle) and waits for both ends of the channel.
    pub async fn connect(init: DataChannelInit) -> Pair {
        let a = RTCPeerConnection::new(loopback()).await.unwrap();
        let b = RTCPeerConnection::new(loopback()).await.unwrap();
        let tx = a.create_data_channel("bench", init).await.unwrap();
        a.set_local_description(None).await.unwrap();
        a.gathering_complete().await;
        b.set_remote_description(a.local_description().unwrap())
            .await
            .unwrap();
        b.set_local_description(None).await.unwrap();
        b.gathering_complete().await;
        a.set_remote_description(b.local_description().unwrap())
            .await
            .unwrap();
        let rx = loop {
            match b.next_event().await.expect("answerer alive") {
                PeerConnectionEvent::DataChannel(c) => break c,
                _ => continue,
            }
        };
        rx.opened().await.unwrap();
        tx.opened().await.unwrap();
        Pair { a, b, tx, rx }
    }

    /// Closes both ends.
    pub async fn close(self) {
        self.a.close().await;
        self.b.close().await;
    }
}

fn status_field(name: &str) -> i64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(-1)
}

/// Resident set size (VmRSS), KiB.
pub fn rss_kib() -> i64 {
    status_field("VmRSS:")
}

/// Threads of this process.
pub fn threads() -> i64 {
    status_field("Threads:")
}

/// Open file descriptors (sockets included) of this process.
pub fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").map_or(0, |d| d.count())
}

/// Returns freed heap pages to the OS, so that RSS afterwards is memory still in use (or
/// fragmented), not memory the allocator merely keeps.
pub fn malloc_trim() {
    // SAFETY: malloc_trim takes no pointers; it only releases free pages of the heap.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Heap in use right now as glibc counts it, KiB (`mallinfo2`: `uordblks` over every arena
/// plus `hblkhd`, the blocks it mmapped): live allocations plus the freed chunks parked in its
/// per-thread caches, so it ignores free pages the allocator keeps but not those caches.
pub fn heap_in_use_kib() -> i64 {
    // SAFETY: mallinfo2 takes no arguments and returns a plain struct.
    let m = unsafe { libc::mallinfo2() };
    ((m.uordblks + m.hblkhd) / 1024) as i64
}

/// User + system CPU seconds of this process (fields 14 and 15 of /proc/self/stat).
pub fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_comm = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<&str> = after_comm.split_whitespace().collect();
    let ticks: f64 = fields
        .get(11..13)
        .map(|f| f.iter().filter_map(|v| v.parse::<f64>().ok()).sum())
        .unwrap_or(0.0);
    ticks / 100.0
}

/// The machine's 1-minute load average: other work on a shared machine moves every figure.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

/// An environment knob with a default.
pub fn env_num<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
