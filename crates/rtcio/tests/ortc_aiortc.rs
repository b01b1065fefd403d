//! rtcio's ORTC objects against aiortc's (`tests/aiortc/ortc_peer.py`): parameters and
//! candidates exchanged as JSON over the child's stdin/stdout, then ICE, DTLS and SCTP started
//! on both sides, channels opened from each side, messages echoed, and aiortc stopping its
//! transports, which rtcio sees as its association ending. Both ICE role assignments.

mod common;
mod interop;

use rtcio::{
    DataChannelInit, RTCDataChannelParameters, RTCDtlsParameters, RTCDtlsRole, RTCDtlsTransport,
    RTCDtlsTransportState, RTCIceCandidate, RTCIceGatherer, RTCIceParameters, RTCIceRole,
    RTCIceTransport, RTCSctpCapabilities, RTCSctpTransport, RTCSctpTransportState,
};
use serde_json::{Value, json};

use common::loopback;
use interop::Program;
use interop::session::STEP;

fn line(peer: &mut Program, what: &str, prefix: &str) -> String {
    tokio::task::block_in_place(|| peer.expect_line(what, |l| l.starts_with(prefix), STEP))
}

async fn bounded<T>(what: &str, f: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(STEP, f)
        .await
        .unwrap_or_else(|_| panic!("{what}: nothing within {STEP:?}"))
}

async fn run(rtcio_role: RTCIceRole) {
    let aiortc_role = match rtcio_role {
        RTCIceRole::Controlling => "controlled",
        RTCIceRole::Controlled => "controlling",
    };
    let mut peer = Program::aiortc("ortc_peer.py", &["--role", aiortc_role, "--timeout", "60"]);
    let gatherer = RTCIceGatherer::with_configuration(loopback()).unwrap();
    let mut ice = RTCIceTransport::new(&gatherer);
    ice.set_role(rtcio_role).unwrap();
    gatherer.gather().await.unwrap();
    let dtls = RTCDtlsTransport::new(&ice, vec![]).unwrap();
    let sctp = RTCSctpTransport::new(&dtls, 5000).unwrap();

    let theirs: Value = serde_json::from_str(&line(&mut peer, "local parameters", "local ")[6..])
        .expect("aiortc's parameters are JSON");
    let ours = json!({
        "ice": gatherer.local_parameters(),
        "candidates": gatherer.local_candidates(),
        "dtls": dtls.local_parameters(),
        "sctp": sctp.capabilities(),
        "port": sctp.port(),
    });
    tokio::task::block_in_place(|| peer.write_line(&format!("remote {ours}")));

    let candidates: Vec<RTCIceCandidate> =
        serde_json::from_value(theirs["candidates"].clone()).unwrap();
    assert!(!candidates.is_empty());
    for c in candidates {
        ice.add_remote_candidate(Some(c)).await.unwrap();
    }
    ice.add_remote_candidate(None).await.unwrap();
    let ice_params: RTCIceParameters = serde_json::from_value(theirs["ice"].clone()).unwrap();
    bounded("ICE", ice.start(ice_params)).await.unwrap();
    assert_eq!(ice.role(), rtcio_role);

    let dtls_params: RTCDtlsParameters = serde_json::from_value(theirs["dtls"].clone()).unwrap();
    assert_eq!(dtls_params.role, RTCDtlsRole::Auto);
    bounded("DTLS", dtls.start(dtls_params)).await.unwrap();
    assert_eq!(dtls.state(), RTCDtlsTransportState::Connected);
    line(&mut peer, "aiortc's DTLS connected", "dtls connected");

    let caps: RTCSctpCapabilities = serde_json::from_value(theirs["sctp"].clone()).unwrap();
    let port = theirs["port"].as_u64().unwrap() as u16;
    sctp.start(caps, port).await.unwrap();

    // aiortc's channel reaches us and says hello.
    let from_aiortc = bounded("aiortc's channel", sctp.next_data_channel())
        .await
        .expect("a channel");
    assert_eq!(from_aiortc.label(), "from-aiortc");
    let hello = bounded("hello", from_aiortc.recv()).await.unwrap();
    assert_eq!(&hello.data[..], b"hello from aiortc");
    assert_eq!(sctp.state(), RTCSctpTransportState::Connected);
    assert_eq!(sctp.max_message_size(), Some(caps.max_message_size));

    // Ours reaches aiortc, which echoes what we send.
    let mine = sctp
        .create_data_channel(RTCDataChannelParameters {
            label: "from-rtcio".into(),
            init: DataChannelInit::default(),
        })
        .await
        .unwrap();
    bounded("open", mine.opened()).await.unwrap();
    line(&mut peer, "our channel at aiortc", "datachannel from-rtcio");
    mine.send_text("ping").await.unwrap();
    let big: Vec<u8> = (0..60_000u32).map(|i| (i % 251) as u8).collect();
    mine.send_binary(&big).await.unwrap();
    let echo = bounded("text echo", mine.recv()).await.unwrap();
    assert_eq!((&echo.data[..], echo.binary), (&b"ping"[..], false));
    let echo = bounded("binary echo", mine.recv()).await.unwrap();
    assert!(echo.binary && echo.data[..] == big[..]);
    from_aiortc.send_text("pong").await.unwrap();
    let echo = bounded("echo on aiortc's channel", from_aiortc.recv())
        .await
        .unwrap();
    assert_eq!(&echo.data[..], b"pong");

    // aiortc stops its transports: its ABORT ends our association and channels.
    mine.send_text("cmd:stop").await.unwrap();
    line(&mut peer, "aiortc stopping", "stopped");
    bounded("association end", mine.closed()).await;
    assert_eq!(sctp.state(), RTCSctpTransportState::Closed);
    assert!(from_aiortc.recv().await.is_none());
    ice.stop().await.unwrap();
    tokio::task::block_in_place(|| peer.wait_success(STEP));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rtcio_controlling_against_aiortc_ortc() {
    run(RTCIceRole::Controlling).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aiortc_controlling_against_rtcio_ortc() {
    run(RTCIceRole::Controlled).await;
}
