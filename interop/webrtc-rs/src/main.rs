//! webrtc-rs (the `webrtc` crate) as the remote peer of rtcio's interop test
//! (`crates/rtcio/tests/webrtc_rs.rs`), written against webrtc-rs's public API only.
//!
//! ```text
//! webrtc-rs-peer offer|answer [--timeout SECONDS]
//! ```
//!
//! Signaling is one JSON object per line: the peer prints its description
//! (`{"type":"offer","sdp":"…"}`, every candidate inside: no trickle) on stdout and reads the
//! other side's from stdin; `{"type":"bye"}` or the end of stdin closes the peer connection and
//! exits with status 0. Other stdout lines report events: `datachannel LABEL`, `open LABEL`,
//! `closed LABEL`, `connection STATE`, `Exiting`; `TIMEOUT` and status 3 when `--timeout`
//! (default 60 s) passes first.
//!
//! Channels behave as in `../shared/interop`'s browser contract, whichever side opened them:
//! - `bulk`: binary messages are counted and hashed (SHA-256); the text `done` is answered with
//!   `<bytes> <sha256 hex>` and resets the count; `send <N>` sends N pseudo-random bytes as
//!   binary messages of up to 16 KiB, then `done <sha256 hex>`; `close` closes the channel.
//! - any other label: every message is echoed back with its type (text stays text).
//!
//! The `offer` role opens `echo` before offering; the `answer` role opens nothing.

use std::sync::Arc;
use std::time::Duration;

use bytes::BytesMut;
use ring::digest::{Context, SHA256};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::{mpsc, watch};
use webrtc::data_channel::{DataChannel, DataChannelEvent};
use webrtc::peer_connection::{
    PeerConnection, PeerConnectionBuilder, PeerConnectionEventHandler, RTCConfigurationBuilder,
    RTCIceGatheringState, RTCPeerConnectionState, RTCSessionDescription,
};
use webrtc::runtime::default_runtime;

type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// Largest message the `send` download uses, as the browser contract's.
const CHUNK: usize = 16 * 1024;
/// The download pauses above this many bytes buffered and resumes on the low event.
const HIGH: u32 = 1024 * 1024;
/// Buffered-amount-low threshold of the download.
const LOW: u32 = 256 * 1024;

struct Handler {
    gathered: mpsc::UnboundedSender<()>,
}

#[async_trait::async_trait]
impl PeerConnectionEventHandler for Handler {
    async fn on_ice_gathering_state_change(&self, state: RTCIceGatheringState) {
        if state == RTCIceGatheringState::Complete {
            let _ = self.gathered.send(());
        }
    }

    async fn on_connection_state_change(&self, state: RTCPeerConnectionState) {
        println!("connection {state}");
    }

    async fn on_data_channel(&self, channel: Arc<dyn DataChannel>) {
        let label = channel.label().await.unwrap_or_default();
        println!("datachannel {label}");
        // The handler runs on webrtc-rs's driver: serve the channel elsewhere.
        tokio::spawn(serve(channel, label));
    }
}

/// Serves one channel until it closes: echo, or the bulk protocol.
async fn serve(channel: Arc<dyn DataChannel>, label: String) {
    if let Err(e) = serve_events(&channel, &label).await {
        println!("error on {label}: {e}");
    }
    println!("closed {label}");
}

async fn serve_events(channel: &Arc<dyn DataChannel>, label: &str) -> Res<()> {
    use webrtc::data_channel::RTCDataChannelState;
    if channel.ready_state().await? == RTCDataChannelState::Open {
        println!("open {label}");
    }
    channel.set_buffered_amount_high_threshold(HIGH).await?;
    channel.set_buffered_amount_low_threshold(LOW).await?;
    let (paused_tx, paused_rx) = watch::channel(false);
    let mut upload = (0u64, Context::new(&SHA256));
    while let Some(event) = channel.poll().await {
        match event {
            DataChannelEvent::OnOpen => println!("open {label}"),
            DataChannelEvent::OnClose => return Ok(()),
            DataChannelEvent::OnBufferedAmountHigh => {
                let _ = paused_tx.send(true);
            }
            DataChannelEvent::OnBufferedAmountLow => {
                let _ = paused_tx.send(false);
            }
            DataChannelEvent::OnMessage(m) if label != "bulk" => {
                if m.is_string {
                    channel.send_text(std::str::from_utf8(&m.data)?).await?;
                } else {
                    channel.send(m.data).await?;
                }
            }
            DataChannelEvent::OnMessage(m) if !m.is_string => {
                upload.0 += m.data.len() as u64;
                upload.1.update(&m.data);
            }
            DataChannelEvent::OnMessage(m) => {
                let text = String::from_utf8_lossy(&m.data).into_owned();
                if text == "done" {
                    let (bytes, hash) = std::mem::replace(&mut upload, (0, Context::new(&SHA256)));
                    channel
                        .send_text(&format!("{bytes} {}", hex(hash.finish().as_ref())))
                        .await?;
                } else if text == "close" {
                    channel.close().await?;
                } else if let Some(n) = text.strip_prefix("send ") {
                    let n: u64 = n.parse()?;
                    let (channel, paused) = (channel.clone(), paused_rx.clone());
                    // Its own task: this loop must go on taking the buffered-amount events.
                    tokio::spawn(async move {
                        if let Err(e) = download(&channel, n, paused).await {
                            println!("download failed: {e}");
                        }
                    });
                } else {
                    println!("unknown bulk command {text:?}");
                }
            }
            _ => {} // OnError, OnClosing: the close that follows ends the loop
        }
    }
    Ok(())
}

/// Sends `n` pseudo-random bytes, pausing while the channel's buffer is above `HIGH`, then
/// `done <sha256>`.
async fn download(
    channel: &Arc<dyn DataChannel>,
    n: u64,
    mut paused: watch::Receiver<bool>,
) -> Res<()> {
    let mut hash = Context::new(&SHA256);
    let mut state = 0x9e37_79b9_7f4a_7c15u64 ^ n;
    let mut left = n;
    while left > 0 {
        paused.wait_for(|p| !*p).await?;
        let len = left.min(CHUNK as u64) as usize;
        let mut chunk = BytesMut::with_capacity(len);
        while chunk.len() < len {
            // xorshift64: the content only has to differ from message to message.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let take = (len - chunk.len()).min(8);
            chunk.extend_from_slice(&state.to_le_bytes()[..take]);
        }
        hash.update(&chunk);
        channel.send(chunk).await?;
        left -= len as u64;
    }
    channel
        .send_text(&format!("done {}", hex(hash.finish().as_ref())))
        .await?;
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn description_line(d: &RTCSessionDescription) -> String {
    json!({"type": d.sdp_type.to_string(), "sdp": d.sdp}).to_string()
}

async fn run(offer: bool) -> Res<()> {
    let (gathered_tx, mut gathered) = mpsc::unbounded_channel();
    let runtime = default_runtime().ok_or("no webrtc-rs runtime")?;
    let pc = PeerConnectionBuilder::new()
        .with_configuration(RTCConfigurationBuilder::new().build())
        .with_handler(Arc::new(Handler {
            gathered: gathered_tx,
        }))
        .with_runtime(runtime)
        .with_udp_addrs(vec!["127.0.0.1:0".to_string()])
        .build()
        .await?;
    if offer {
        let echo = pc.create_data_channel("echo", None).await?;
        tokio::spawn(serve(echo, "echo".into()));
        let offer = pc.create_offer(None).await?;
        pc.set_local_description(offer).await?;
        gathered.recv().await;
        let local = pc.local_description().await.ok_or("no local offer")?;
        println!("{}", description_line(&local));
    }
    let mut stdin = BufReader::new(tokio::io::stdin()).lines();
    while let Some(line) = stdin.next_line().await? {
        if line.trim().is_empty() {
            continue;
        }
        let message: Value = serde_json::from_str(&line)?;
        let sdp = message["sdp"].as_str().unwrap_or_default().to_string();
        match message["type"].as_str() {
            Some("offer") if !offer => {
                pc.set_remote_description(RTCSessionDescription::offer(sdp)?)
                    .await?;
                let answer = pc.create_answer(None).await?;
                pc.set_local_description(answer).await?;
                gathered.recv().await;
                let local = pc.local_description().await.ok_or("no local answer")?;
                println!("{}", description_line(&local));
            }
            Some("answer") if offer => {
                pc.set_remote_description(RTCSessionDescription::answer(sdp)?)
                    .await?;
            }
            Some("bye") => break,
            _ => return Err(format!("unexpected signaling message {line}").into()),
        }
    }
    pc.close().await?;
    Ok(())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let offer = match args.first().map(String::as_str) {
        Some("offer") => true,
        Some("answer") => false,
        _ => {
            eprintln!("usage: webrtc-rs-peer offer|answer [--timeout SECONDS]");
            std::process::exit(2);
        }
    };
    let timeout = match args.get(1).map(String::as_str) {
        Some("--timeout") => args.get(2).and_then(|s| s.parse().ok()).unwrap_or(60.0),
        _ => 60.0,
    };
    match tokio::time::timeout(Duration::from_secs_f64(timeout), run(offer)).await {
        Ok(Ok(())) => println!("Exiting"),
        Ok(Err(e)) => {
            println!("error: {e}");
            std::process::exit(1);
        }
        Err(_) => {
            println!("TIMEOUT");
            std::process::exit(3);
        }
    }
}
