//! File transfer over a data channel, interoperable with aiortc's
//! `examples/datachannel-filexfer/filexfer.py`: the same arguments and the same protocol. The
//! sender offers a channel named `filexfer` and sends the file as binary messages, then one empty
//! message as end-of-file; the receiver answers, writes what arrives, and says `bye` over
//! signaling when the empty message comes.
//!
//! ```sh
//! datachannel-filexfer send    big.bin  --signaling tcp-socket   # listens on 127.0.0.1:1234
//! datachannel-filexfer receive copy.bin --signaling tcp-socket   # connects there
//! ```
//!
//! aiortc sends 16 KiB chunks one at a time; rtcio sends chunks as large as the receiver accepts
//! (its `max-message-size`, up to 256 KiB) and keeps a few MiB queued, so two rtcio ends are
//! fast while an aiortc receiver still gets what it expects.

mod progress;

#[path = "../common/shutdown.rs"]
mod shutdown;

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use clap::Parser;
use progress::Progress;
use rtcio::signaling::{Signaling, SignalingArgs, SignalingMessage};
use rtcio::{
    DataChannelInit, PeerConnectionEvent, RTCConfiguration, RTCDataChannel, RTCPeerConnection,
};
use tokio::sync::oneshot;

/// Largest chunk sent, when the receiver accepts it.
const MAX_CHUNK: u64 = 256 * 1024;
/// Queue more while less than this is buffered…
const LOW_WATER: u64 = 1024 * 1024;
/// …and wait when more than this is.
const HIGH_WATER: u64 = 4 * 1024 * 1024;

/// Data channel file transfer.
#[derive(Parser)]
struct Cli {
    /// Send the file (offer) or receive it (answer).
    #[arg(value_enum)]
    role: Role,
    /// The file to send, or where to write the received one.
    filename: PathBuf,
    /// Log more (repeat for even more).
    #[arg(short, long, action = clap::ArgAction::Count)]
    verbose: u8,
    #[command(flatten)]
    signaling: SignalingArgs,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Role {
    Send,
    Receive,
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let cli = Cli::parse();
    if cli.verbose > 0 {
        let level = if cli.verbose > 1 { "trace" } else { "debug" };
        tracing_subscriber::fmt()
            .with_env_filter(level)
            .with_writer(std::io::stderr)
            .init();
    }
    let mut signaling = cli.signaling.create();
    let pc = RTCPeerConnection::new(RTCConfiguration::default()).await?;
    let run = async {
        match cli.role {
            Role::Send => run_send(&pc, &mut signaling, &cli.filename).await,
            Role::Receive => run_receive(&pc, &mut signaling, &cli.filename).await,
        }
    };
    let result = tokio::select! {
        r = run => r,
        _ = shutdown::terminated() => Ok(()),
    };
    pc.close().await;
    // Best effort: the peer may already be gone.
    let _ = signaling.close().await;
    result
}

async fn run_send(
    pc: &RTCPeerConnection,
    signaling: &mut Signaling,
    path: &Path,
) -> Result<(), BoxError> {
    let file = File::open(path)?;
    signaling.connect().await?;
    let channel = pc
        .create_data_channel("filexfer", DataChannelInit::default())
        .await?;
    pc.set_local_description(None).await?;
    pc.gathering_complete().await;
    let offer = pc.local_description().ok_or("no local description")?;
    signaling
        .send(&SignalingMessage::Description(offer))
        .await?;

    let send = send_file(pc, &channel, file);
    let consume = consume_signaling(pc, signaling);
    tokio::pin!(send, consume);
    let mut progress = None;
    loop {
        tokio::select! {
            r = &mut consume => {
                r?;
                break;
            }
            r = &mut send, if progress.is_none() => progress = Some(r?),
        }
    }
    // The receiver says bye once it has the end-of-file marker: the transfer is complete.
    if let Some(progress) = progress {
        let elapsed = progress.elapsed();
        progress.finish(elapsed);
    }
    Ok(())
}

/// Sends the file once the channel is open, then the empty end-of-file message.
async fn send_file(
    pc: &RTCPeerConnection,
    channel: &RTCDataChannel,
    mut file: File,
) -> Result<Progress, BoxError> {
    let total = file.metadata()?.len();
    channel.opened().await?;
    let chunk = pc
        .sctp_max_message_size()
        .unwrap_or(16 * 1024)
        .min(MAX_CHUNK) as usize;
    channel.set_buffered_amount_low_threshold(LOW_WATER);
    let mut progress = Progress::start("sent", Some(total));
    let mut buf = vec![0; chunk];
    loop {
        if channel.buffered_amount() > HIGH_WATER {
            channel.buffered_amount_low().await;
        }
        let n = read_full(&mut file, &mut buf)?;
        channel.send_binary(&buf[..n]).await?;
        if n == 0 {
            return Ok(progress);
        }
        progress.add(&buf[..n]);
    }
}

/// Fills `buf` unless the file ends first; 0 at end of file.
fn read_full(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match file.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

async fn run_receive(
    pc: &RTCPeerConnection,
    signaling: &mut Signaling,
    path: &Path,
) -> Result<(), BoxError> {
    let mut file = Some(BufWriter::with_capacity(1 << 20, File::create(path)?));
    signaling.connect().await?;
    let (done_tx, mut done_rx) = oneshot::channel();
    let mut done_tx = Some(done_tx);
    let mut said_bye = false;
    loop {
        tokio::select! {
            message = signaling.receive() => {
                if !handle_signal(pc, signaling, message?).await? {
                    return Ok(());
                }
            }
            Some(event) = pc.next_event() => {
                if let PeerConnectionEvent::DataChannel(channel) = event
                    && let (Some(file), Some(done)) = (file.take(), done_tx.take())
                {
                    tokio::spawn(async move {
                        let _ = done.send(receive_file(channel, file).await);
                    });
                }
            }
            result = &mut done_rx, if !said_bye => {
                said_bye = true;
                result.map_err(|_| "receiver stopped")??;
                signaling.send(&SignalingMessage::Bye).await?;
            }
        }
    }
}

/// Writes every message until the empty one, then reports as aiortc's receiver does.
async fn receive_file(channel: RTCDataChannel, mut file: BufWriter<File>) -> Result<(), BoxError> {
    let mut progress = Progress::start("received", None);
    while let Some(message) = channel.recv().await {
        if !message.data.is_empty() {
            file.write_all(&message.data)?;
            progress.add(&message.data);
            continue;
        }
        file.flush()?;
        let elapsed = progress.elapsed();
        let secs = elapsed.as_secs_f64().max(1e-9);
        println!(
            "received {} bytes in {:.1} s ({:.3} Mbps)",
            progress.bytes(),
            secs,
            progress.bytes() as f64 * 8.0 / secs / 1e6
        );
        progress.finish(elapsed);
        return Ok(());
    }
    Err("channel closed before the end-of-file message".into())
}

/// Applies what the peer signals until it says bye (or hangs up).
async fn consume_signaling(
    pc: &RTCPeerConnection,
    signaling: &mut Signaling,
) -> Result<(), BoxError> {
    loop {
        let message = signaling.receive().await?;
        if !handle_signal(pc, signaling, message).await? {
            return Ok(());
        }
    }
}

/// Applies one signaling message; `false` once the peer is done.
async fn handle_signal(
    pc: &RTCPeerConnection,
    signaling: &mut Signaling,
    message: Option<SignalingMessage>,
) -> Result<bool, BoxError> {
    match message {
        Some(SignalingMessage::Description(d)) => {
            let is_offer = d.sdp_type == rtcio::RTCSdpType::Offer;
            pc.set_remote_description(d).await?;
            if is_offer {
                pc.set_local_description(None).await?;
                pc.gathering_complete().await;
                let answer = pc.local_description().ok_or("no local description")?;
                signaling
                    .send(&SignalingMessage::Description(answer))
                    .await?;
            }
            Ok(true)
        }
        Some(SignalingMessage::Candidate(c)) => {
            pc.add_ice_candidate(Some(c)).await?;
            Ok(true)
        }
        Some(SignalingMessage::Bye) => {
            println!("Exiting");
            Ok(false)
        }
        None => Ok(false),
    }
}
