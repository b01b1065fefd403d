//! What the server does with each channel the browser opens.
//!
//! - `echo`: every message goes back unchanged, text as text and binary as binary.
//! - `bulk`: upload: binary messages are counted and hashed, and the text `done` is answered
//!   with `<bytes> <sha256 hex>`; download: the text `send <N>` is answered with N random bytes
//!   in binary messages of up to 16 KiB, then `done <sha256 hex>`.
//! - `simulcast`: picks the forwarded simulcast layer and reports the layers (see `simulcast`).
//! - anything else: aiortc's demo protocol, `ping <x>` is answered with `pong <x>`.

use openssl::sha::Sha256;
use std::sync::Arc;

use rtcio::{Message, RTCDataChannel};

use crate::simulcast::{self, Layers};

/// Pause a download while this much is queued, resume at the low threshold.
const HIGH_WATER: u64 = 4 << 20;
const LOW_WATER: u64 = 1 << 20;
const CHUNK: usize = 16 * 1024;

pub async fn serve(channel: RTCDataChannel, layers: Arc<Layers>) {
    let label = channel.label();
    tracing::info!("channel '{label}' opened by the peer");
    let result = match label.as_str() {
        "echo" => echo(&channel).await,
        "bulk" => bulk(&channel).await,
        "simulcast" => simulcast::control(&channel, &layers).await,
        _ => ping(&channel).await,
    };
    if let Err(e) = result {
        tracing::warn!("channel '{label}': {e}");
    }
    tracing::info!("channel '{label}' closed");
}

async fn echo(channel: &RTCDataChannel) -> Result<(), rtcio::Error> {
    while let Some(m) = channel.recv().await {
        if m.binary {
            channel.send_binary(&m.data).await?;
        } else {
            channel.send_text(text(&m)).await?;
        }
    }
    Ok(())
}

async fn ping(channel: &RTCDataChannel) -> Result<(), rtcio::Error> {
    while let Some(m) = channel.recv().await {
        if !m.binary
            && let Some(rest) = text(&m).strip_prefix("ping")
        {
            channel.send_text(&format!("pong{rest}")).await?;
        }
    }
    Ok(())
}

fn text(m: &Message) -> &str {
    std::str::from_utf8(&m.data).unwrap_or("")
}

async fn bulk(channel: &RTCDataChannel) -> Result<(), rtcio::Error> {
    let mut total: u64 = 0;
    let mut hash = Sha256::new();
    channel.set_buffered_amount_low_threshold(LOW_WATER);
    while let Some(m) = channel.recv().await {
        if m.binary {
            total += m.data.len() as u64;
            hash.update(&m.data);
            continue;
        }
        let t = text(&m);
        if t == "done" {
            let digest = std::mem::replace(&mut hash, Sha256::new()).finish();
            channel
                .send_text(&format!("{total} {}", hex(&digest)))
                .await?;
            total = 0;
        } else if let Some(n) = t
            .strip_prefix("send ")
            .and_then(|n| n.trim().parse::<u64>().ok())
        {
            send_random(channel, n).await?;
        }
    }
    Ok(())
}

async fn send_random(channel: &RTCDataChannel, mut remaining: u64) -> Result<(), rtcio::Error> {
    let mut hash = Sha256::new();
    let mut rng = Xorshift(0x9e37_79b9_7f4a_7c15 ^ remaining);
    let mut buf = vec![0u8; CHUNK];
    while remaining > 0 {
        let n = remaining.min(CHUNK as u64) as usize;
        rng.fill(&mut buf[..n]);
        hash.update(&buf[..n]);
        if channel.buffered_amount() > HIGH_WATER {
            channel.buffered_amount_low().await;
        }
        channel.send_binary(&buf[..n]).await?;
        remaining -= n as u64;
    }
    channel
        .send_text(&format!("done {}", hex(&hash.finish())))
        .await
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Test data needs no cryptographic randomness, only bytes that are not all alike.
struct Xorshift(u64);

impl Xorshift {
    fn fill(&mut self, out: &mut [u8]) {
        for chunk in out.chunks_mut(8) {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            chunk.copy_from_slice(&self.0.to_le_bytes()[..chunk.len()]);
        }
    }
}
