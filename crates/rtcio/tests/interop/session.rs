//! An rtcio `RTCPeerConnection` in the test process connected to the scriptable aiortc peer
//! (`tests/aiortc/api_peer.py`) through rtcio's TCP signaling.

use std::time::{Duration, Instant};

use rtcio::signaling::{Signaling, SignalingMessage};
use rtcio::{
    DataChannelInit, Message, PeerConnectionEvent, RTCConfiguration, RTCDataChannel,
    RTCPeerConnection, RTCSdpType,
};

use super::{Program, free_port, tcp_signaling};

/// How long any single step may take (loopback drops packets under load; peers retransmit).
pub const STEP: Duration = Duration::from_secs(20);

/// A connected pair: rtcio here, aiortc in a subprocess.
pub struct Session {
    /// rtcio's side.
    pub pc: RTCPeerConnection,
    /// aiortc's side.
    pub peer: Program,
    /// The signaling channel to aiortc.
    pub signaling: Signaling,
    /// From applying the peer's description to every channel being open: ICE, DTLS, SCTP and
    /// DCEP (process start-up and signaling excluded).
    pub connect_time: Duration,
}

/// Host candidates on 127.0.0.1 only (the aiortc peers use that address too).
pub fn loopback() -> RTCConfiguration {
    let mut config = RTCConfiguration::default();
    config.interfaces.addresses = vec!["127.0.0.1".parse().unwrap()];
    config
}

async fn step<T>(what: &str, f: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(STEP, f)
        .await
        .unwrap_or_else(|_| panic!("{what}: no result within {STEP:?}"))
}

impl Session {
    /// rtcio offers the given channels; aiortc answers (with `aiortc_args` extra flags).
    pub async fn rtcio_offers(
        channels: &[(&str, DataChannelInit)],
        aiortc_args: &[&str],
    ) -> (Session, Vec<RTCDataChannel>) {
        let signaling_args = tcp_signaling(free_port());
        let mut args = vec!["answer"];
        args.extend(signaling_args.iter().map(String::as_str));
        args.extend(aiortc_args);
        let peer = Program::aiortc("api_peer.py", &args);
        let mut signaling = Signaling::tcp_socket("127.0.0.1", signaling_args[3].parse().unwrap());
        let pc = RTCPeerConnection::new(loopback()).await.unwrap();
        let mut created = Vec::new();
        for (label, init) in channels {
            created.push(pc.create_data_channel(label, init.clone()).await.unwrap());
        }
        pc.set_local_description(None).await.unwrap();
        pc.gathering_complete().await;
        let offer = pc.local_description().unwrap();
        step(
            "sending the offer",
            signaling.send(&SignalingMessage::Description(offer)),
        )
        .await
        .unwrap();
        let answer = step("the answer", signaling.receive()).await.unwrap();
        let started = Instant::now();
        match answer {
            Some(SignalingMessage::Description(d)) if d.sdp_type == RTCSdpType::Answer => {
                pc.set_remote_description(d).await.unwrap()
            }
            other => panic!("expected an answer, got {other:?}\n{}", peer.transcript()),
        }
        for c in &created {
            step("a channel opening", c.opened()).await.unwrap();
        }
        let session = Session {
            pc,
            peer,
            signaling,
            connect_time: started.elapsed(),
        };
        (session, created)
    }

    /// aiortc offers (with its channel "api"); rtcio answers and gets that channel.
    pub async fn aiortc_offers() -> (Session, RTCDataChannel) {
        let signaling_args = tcp_signaling(free_port());
        let mut args = vec!["offer"];
        args.extend(signaling_args.iter().map(String::as_str));
        let peer = Program::aiortc("api_peer.py", &args);
        let mut signaling = Signaling::tcp_socket("127.0.0.1", signaling_args[3].parse().unwrap());
        let pc = RTCPeerConnection::new(loopback()).await.unwrap();
        let offer = step("the offer", signaling.receive()).await.unwrap();
        let started = Instant::now();
        match offer {
            Some(SignalingMessage::Description(d)) if d.sdp_type == RTCSdpType::Offer => {
                pc.set_remote_description(d).await.unwrap()
            }
            other => panic!("expected an offer, got {other:?}\n{}", peer.transcript()),
        }
        pc.set_local_description(None).await.unwrap();
        pc.gathering_complete().await;
        let answer = pc.local_description().unwrap();
        signaling
            .send(&SignalingMessage::Description(answer))
            .await
            .unwrap();
        let mut session = Session {
            pc,
            peer,
            signaling,
            connect_time: Duration::ZERO,
        };
        let channel = session.next_channel().await;
        step("the channel opening", channel.opened()).await.unwrap();
        session.connect_time = started.elapsed();
        (session, channel)
    }

    /// The next channel the aiortc side opens.
    pub async fn next_channel(&self) -> RTCDataChannel {
        step("a datachannel event", async {
            loop {
                match self.pc.next_event().await {
                    Some(PeerConnectionEvent::DataChannel(c)) => return c,
                    Some(_) => continue,
                    None => panic!("connection closed\n{}", self.peer.transcript()),
                }
            }
        })
        .await
    }

    /// Waits for a line of the aiortc peer's output.
    pub fn expect_peer(&mut self, line: &str) {
        let peer = &mut self.peer;
        tokio::task::block_in_place(|| {
            peer.expect_line(&format!("{line:?}"), |l| l == line, STEP);
        });
    }

    /// Says bye; the aiortc peer must leave cleanly.
    pub async fn finish(mut self) {
        self.signaling.close().await.unwrap();
        let mut peer = self.peer;
        tokio::task::block_in_place(|| {
            peer.expect_line("Exiting", |l| l == "Exiting", STEP);
            peer.wait_success(STEP);
        });
        self.pc.close().await;
    }
}

/// The next message on a channel, within a step.
pub async fn recv(channel: &RTCDataChannel) -> Message {
    step("a message", channel.recv())
        .await
        .unwrap_or_else(|| panic!("channel {} closed", channel.label()))
}

/// Sends `cmd:info` and parses the aiortc channel's properties.
pub async fn remote_info(channel: &RTCDataChannel) -> serde_json::Value {
    channel.send_text("cmd:info").await.unwrap();
    let m = recv(channel).await;
    assert!(!m.binary);
    serde_json::from_slice(&m.data).expect("info JSON")
}
