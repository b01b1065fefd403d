//! Echo peer for interop runs: SCTP packets straight over UDP on loopback (no DTLS).
//! Usage: rtcio-sctp-interop LOCAL REMOTE [open]
use std::net::UdpSocket;
use std::time::{Duration, Instant};

use rtcio_sctp::{ChannelEvent, Config, DataChannels, DtlsRole};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let local = &args[1];
    let remote = &args[2];
    let sock = UdpSocket::bind(local).unwrap();
    sock.connect(remote).unwrap();
    let now = Instant::now();
    let cfg = Config {
        max_message_size: 1 << 20,
        ..Config::default()
    };
    let mut dc = DataChannels::new(
        cfg,
        now,
        &std::process::id().to_be_bytes(),
        DtlsRole::Server,
    );
    dc.connect(now);
    let opener = args.get(3).is_some_and(|a| a == "open");
    let mut opened: Option<u16> = None;
    let mut echoes = 0;
    let mut buf = vec![0u8; 65536];
    let start = Instant::now();
    loop {
        let now = Instant::now();
        while let Some(p) = dc.poll_transmit(now) {
            let _ = sock.send(&p);
        }
        while let Some(e) = dc.poll_event() {
            match &e {
                ChannelEvent::Connected if opener => {
                    let init = rtcio_sctp::ChannelInit {
                        label: "from-rust".into(),
                        protocol: "p1".into(),
                        ..Default::default()
                    };
                    let id = dc.create_channel(now, init).unwrap();
                    for m in [&b"one"[..], b"", &[7u8; 100_000][..]] {
                        dc.send(now, id, rtcio_sctp::bytes::Bytes::copy_from_slice(m), true)
                            .unwrap();
                    }
                    opened = Some(id);
                }
                ChannelEvent::Message { id, data, binary } if opened == Some(*id) => {
                    echoes += 1;
                    eprintln!(
                        "rust: echo {echoes} on {id}: {} bytes binary={binary}",
                        data.len()
                    );
                    if echoes == 3 {
                        dc.close(*id).unwrap();
                    }
                }
                ChannelEvent::Message { id, data, binary } => {
                    eprintln!(
                        "rust: message on {id}: {} bytes binary={binary}",
                        data.len()
                    );
                    if let Err(err) = dc.send(now, *id, data.clone(), *binary) {
                        eprintln!("rust: echo failed: {err}");
                    }
                }
                ChannelEvent::Closed { reason } => {
                    eprintln!("rust: closed {reason:?}");
                    return;
                }
                other => eprintln!("rust: {other:?}"),
            }
        }
        while let Some(p) = dc.poll_transmit(now) {
            let _ = sock.send(&p);
        }
        let timeout = dc
            .poll_timeout()
            .map(|t| t.saturating_duration_since(now))
            .unwrap_or(Duration::from_millis(50))
            .clamp(Duration::from_millis(1), Duration::from_millis(50));
        sock.set_read_timeout(Some(timeout)).unwrap();
        if let Ok(n) = sock.recv(&mut buf) {
            dc.handle_receive(Instant::now(), &buf[..n]);
        }
        let now = Instant::now();
        if dc.poll_timeout().is_some_and(|t| t <= now) {
            dc.handle_timeout(now);
        }
        if start.elapsed() > Duration::from_secs(60) {
            eprintln!("rust: timeout");
            return;
        }
    }
}
