//! Data channel ping/pong, interoperable with aiortc's `examples/datachannel-cli/cli.py`: the same
//! arguments, the same channel (`chat`), the same messages (`ping <µs>` / `pong <µs>`) and the
//! same output, so either side can be rtcio or aiortc.
//!
//! ```sh
//! datachannel-cli offer  --signaling tcp-socket     # listens on 127.0.0.1:1234
//! datachannel-cli answer --signaling tcp-socket     # connects there
//! ```

#[path = "../common/shutdown.rs"]
mod shutdown;

use std::time::{Duration, Instant};

use clap::Parser;
use rtcio::signaling::{Signaling, SignalingArgs, SignalingMessage};
use rtcio::{
    DataChannelInit, Message, PeerConnectionEvent, RTCConfiguration, RTCDataChannel,
    RTCPeerConnection,
};

/// Data channels ping/pong.
#[derive(Parser)]
struct Cli {
    /// Which side of the exchange to play.
    #[arg(value_enum)]
    role: Role,
    /// Log more (repeat for even more).
    #[arg(short, long, action = clap::ArgAction::Count)]
    verbose: u8,
    #[command(flatten)]
    signaling: SignalingArgs,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Role {
    Offer,
    Answer,
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    let mut signaling = cli.signaling.create();
    let pc = RTCPeerConnection::new(RTCConfiguration::default()).await?;
    let run = async {
        match cli.role {
            Role::Offer => run_offer(&pc, &mut signaling).await,
            Role::Answer => run_answer(&pc, &mut signaling).await,
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

fn init_logging(verbose: u8) {
    if verbose > 0 {
        let level = if verbose > 1 { "trace" } else { "debug" };
        tracing_subscriber::fmt()
            .with_env_filter(level)
            .with_writer(std::io::stderr)
            .init();
    }
}

fn channel_log(channel: &RTCDataChannel, direction: &str, message: &str) {
    println!("channel({}) {direction} {message}", channel.label());
}

async fn channel_send(channel: &RTCDataChannel, message: &str) -> Result<(), BoxError> {
    channel_log(channel, ">", message);
    channel.send_text(message).await?;
    Ok(())
}

/// How a message is shown: text as is, binary as Python shows `bytes`.
fn show(m: &Message) -> String {
    if m.binary {
        let escaped: String = m.data.escape_ascii().to_string();
        format!("b'{escaped}'")
    } else {
        String::from_utf8_lossy(&m.data).into_owned()
    }
}

async fn run_offer(pc: &RTCPeerConnection, signaling: &mut Signaling) -> Result<(), BoxError> {
    signaling.connect().await?;
    let channel = pc
        .create_data_channel("chat", DataChannelInit::default())
        .await?;
    channel_log(&channel, "-", "created by local party");

    pc.set_local_description(None).await?;
    pc.gathering_complete().await;
    let offer = pc.local_description().ok_or("no local description")?;
    signaling
        .send(&SignalingMessage::Description(offer))
        .await?;

    // Stamps count microseconds from the first ping, as aiortc's do.
    let start = std::sync::OnceLock::<Instant>::new();
    let stamp = || start.get_or_init(Instant::now).elapsed().as_micros();
    let pinger = {
        let channel = channel.clone();
        async move {
            if channel.opened().await.is_err() {
                return std::future::pending().await;
            }
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            loop {
                tick.tick().await;
                let ping = format!("ping {}", stamp());
                if channel_send(&channel, &ping).await.is_err() {
                    return std::future::pending::<()>().await;
                }
            }
        }
    };
    let ponger = {
        let channel = channel.clone();
        async move {
            while let Some(m) = channel.recv().await {
                let text = show(&m);
                channel_log(&channel, "<", &text);
                if let Some(sent) = text.strip_prefix("pong ")
                    && !m.binary
                    && let Ok(sent) = sent.trim().parse::<u128>()
                {
                    let elapsed_ms = (stamp() as f64 - sent as f64) / 1000.0;
                    println!(" RTT {elapsed_ms:.2} ms");
                }
            }
            std::future::pending::<()>().await
        }
    };
    tokio::select! {
        r = consume_signaling(pc, signaling) => r,
        _ = pinger => Ok(()),
        _ = ponger => Ok(()),
    }
}

async fn run_answer(pc: &RTCPeerConnection, signaling: &mut Signaling) -> Result<(), BoxError> {
    signaling.connect().await?;
    let events = async {
        while let Some(event) = pc.next_event().await {
            if let PeerConnectionEvent::DataChannel(channel) = event {
                channel_log(&channel, "-", "created by remote party");
                tokio::spawn(answer_pings(channel));
            }
        }
        std::future::pending::<()>().await
    };
    tokio::select! {
        r = consume_signaling(pc, signaling) => r,
        _ = events => Ok(()),
    }
}

async fn answer_pings(channel: RTCDataChannel) {
    while let Some(m) = channel.recv().await {
        let text = show(&m);
        channel_log(&channel, "<", &text);
        if !m.binary
            && let Some(rest) = text.strip_prefix("ping")
            && channel_send(&channel, &format!("pong{rest}"))
                .await
                .is_err()
        {
            return;
        }
    }
}

/// Applies what the peer signals until it says bye (or hangs up).
async fn consume_signaling(
    pc: &RTCPeerConnection,
    signaling: &mut Signaling,
) -> Result<(), BoxError> {
    while let Some(message) = signaling.receive().await? {
        match message {
            SignalingMessage::Description(d) => {
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
            }
            SignalingMessage::Candidate(c) => pc.add_ice_candidate(Some(c)).await?,
            SignalingMessage::Bye => {
                println!("Exiting");
                return Ok(());
            }
        }
    }
    Ok(())
}
