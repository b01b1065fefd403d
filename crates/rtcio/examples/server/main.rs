//! The rtcio demo server: a browser page talks to rtcio over a data channel, and its camera and
//! microphone come back to it (every received track is echoed on the same transceiver).
//! A video track the browser sends without receiving one back on the same transceiver (its
//! simulcast camera, sent `sendonly`) is forwarded instead, one layer at a time, on a
//! transceiver the browser only receives on (see `simulcast`).
//!
//! Same command line and HTTP contract as aiortc's `examples/server`, so pages written for one
//! work against the other: `GET /` serves the page, `POST /offer` takes `{"sdp", "type", …}`
//! and returns the answer `{"sdp", "type"}` with every candidate in it.
//!
//! It also serves the browser interop contract (`echo` and `bulk` channels, and the
//! browser-answers role through `POST /request-offer` and `POST /answer`).
//!
//! ```sh
//! cargo run --release --example server -- --host 127.0.0.1 --port 8080
//! ```

mod channels;
mod relay;
mod simulcast;

#[path = "../common/shutdown.rs"]
mod shutdown;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{ConnectInfo, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use clap::Parser;
use rtcio::media::{MediaStreamTrack, RTCRtpTransceiver, RTCRtpTransceiverDirection, TrackKind};
use rtcio::{
    DataChannelInit, PeerConnectionEvent, RTCConfiguration, RTCPeerConnection,
    RTCPeerConnectionState, RTCSessionDescription, RTCSignalingState,
};
use serde::Deserialize;

/// Command line, as aiortc's server.py.
#[derive(Parser, Debug)]
#[command(about = "WebRTC data-channels demo (rtcio)")]
struct Args {
    /// SSL certificate file (for HTTPS).
    #[arg(long)]
    cert_file: Option<String>,
    /// SSL key file (for HTTPS).
    #[arg(long)]
    key_file: Option<String>,
    /// Host for HTTP server.
    #[arg(long, default_value = "0.0.0.0")]
    host: String,
    /// Port for HTTP server.
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Write received media to a file (needs the codecs of a later rtcio release).
    #[arg(long)]
    record_to: Option<String>,
    /// More logging (repeat for more).
    #[arg(short, long, action = clap::ArgAction::Count)]
    verbose: u8,
}

#[derive(Clone, Default)]
struct App {
    /// The connection whose offer went out through `/request-offer`, waiting for `/answer`.
    pending: Arc<Mutex<Option<RTCPeerConnection>>>,
    /// Every live connection by a serial number, closed on shutdown.
    connections: Arc<Mutex<HashMap<u64, RTCPeerConnection>>>,
    next_id: Arc<AtomicU64>,
    config: Arc<RTCConfiguration>,
}

/// `POST /offer` body: aiortc's clients add fields such as `video_transform`; they are ignored.
#[derive(Deserialize)]
struct OfferRequest {
    sdp: String,
    #[serde(rename = "type")]
    sdp_type: String,
}

#[derive(Deserialize, Default)]
struct RequestOffer {
    #[serde(default)]
    audio: bool,
    #[serde(default)]
    video: bool,
    /// Beyond aiortc's contract: offer only this video codec (`vp8`, `h264`; `any` or absent
    /// for all), through `setCodecPreferences`.
    #[serde(default, rename = "videoCodec")]
    video_codec: Option<String>,
}

struct HttpError(StatusCode, String);

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        tracing::warn!("{}", self.1);
        (self.0, self.1).into_response()
    }
}

impl From<rtcio::Error> for HttpError {
    fn from(e: rtcio::Error) -> Self {
        HttpError(StatusCode::BAD_REQUEST, e.to_string())
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let level = match args.verbose {
        0 => "info",
        1 => "debug",
        _ => "trace",
    };
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(level))
        .with_writer(std::io::stderr)
        .init();
    if args.record_to.is_some() {
        return Err(
            "--record-to needs containers and codecs, which rtcio does not have yet".into(),
        );
    }

    let app = App {
        config: Arc::new(config_for_host(&args.host)),
        ..App::default()
    };
    let router = Router::new()
        .route("/", get(index))
        .route("/client.js", get(javascript))
        .route("/offer", post(offer))
        .route("/request-offer", post(request_offer))
        .route("/answer", post(answer))
        .with_state(app.clone());

    let addr: SocketAddr = format!("{}:{}", args.host, args.port).parse()?;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let scheme = if args.cert_file.is_some() {
        "https"
    } else {
        "http"
    };
    tracing::info!("serving on {scheme}://{addr}");
    let shutdown = shutdown::terminated();
    match (&args.cert_file, &args.key_file) {
        (Some(cert), Some(key)) => {
            tokio::select! {
                r = serve_tls(listener, router, cert, key) => r?,
                _ = shutdown => {}
            }
        }
        (None, None) => {
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .with_graceful_shutdown(shutdown)
            .await?
        }
        _ => return Err("--cert-file and --key-file go together".into()),
    }
    let connections: Vec<_> = app
        .connections
        .lock()
        .unwrap()
        .drain()
        .map(|(_, pc)| pc)
        .collect();
    for pc in connections {
        pc.close().await;
    }
    Ok(())
}

/// Host candidates follow the address the server listens on: a specific address is used
/// alone (the interop harness gives one), `0.0.0.0` means every interface.
fn config_for_host(host: &str) -> RTCConfiguration {
    let mut config = RTCConfiguration::default();
    if let Ok(ip) = host.parse::<std::net::IpAddr>()
        && !ip.is_unspecified()
    {
        config.interfaces.addresses = vec![ip];
    }
    config
}

async fn serve_tls(
    listener: tokio::net::TcpListener,
    router: Router,
    cert: &str,
    key: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    use openssl::ssl::{SslAcceptor, SslFiletype, SslMethod};
    let mut acceptor = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls_server())?;
    acceptor.set_certificate_chain_file(cert)?;
    acceptor.set_private_key_file(key, SslFiletype::PEM)?;
    let acceptor = Arc::new(acceptor.build());
    loop {
        let (tcp, peer) = listener.accept().await?;
        let acceptor = acceptor.clone();
        let router = router.clone();
        tokio::spawn(async move {
            let Ok(ssl) = openssl::ssl::Ssl::new(acceptor.context()) else {
                return;
            };
            let Ok(mut stream) = tokio_openssl::SslStream::new(ssl, tcp) else {
                return;
            };
            if std::pin::Pin::new(&mut stream).accept().await.is_err() {
                return;
            }
            let service = hyper_util::service::TowerToHyperService::new(
                router.layer(axum::Extension(ConnectInfo(peer))),
            );
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn index() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        include_str!("index.html"),
    )
}

async fn javascript() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/javascript")],
        include_str!("client.js"),
    )
}

/// A new connection, served by `watch`, and its simulcast state.
async fn new_connection(
    app: &App,
) -> Result<(RTCPeerConnection, Arc<simulcast::Layers>), HttpError> {
    let pc = RTCPeerConnection::new((*app.config).clone()).await?;
    let id = app.next_id.fetch_add(1, Ordering::Relaxed);
    app.connections.lock().unwrap().insert(id, pc.clone());
    let layers = Arc::new(simulcast::Layers::default());
    tokio::spawn(watch(app.clone(), id, pc.clone(), layers.clone()));
    Ok((pc, layers))
}

/// Serves a connection's events: channels the browser opens, and cleanup when it ends.
async fn watch(app: App, id: u64, pc: RTCPeerConnection, layers: Arc<simulcast::Layers>) {
    // W3C fires `track` during setRemoteDescription(offer), before our answer fixes each
    // transceiver's direction; what to do with a track (echo or forward) depends on that
    // direction, so tracks wait until the exchange is complete.
    let mut pending = Vec::new();
    while let Some(event) = pc.next_event().await {
        match event {
            PeerConnectionEvent::DataChannel(channel) => {
                tokio::spawn(channels::serve(channel, layers.clone()));
            }
            PeerConnectionEvent::Track(transceiver) => {
                pending.push(transceiver);
                if pc.signaling_state() == RTCSignalingState::Stable {
                    for t in pending.drain(..) {
                        serve_track(&pc, t, &layers);
                    }
                }
            }
            PeerConnectionEvent::SignalingStateChange(RTCSignalingState::Stable) => {
                for t in pending.drain(..) {
                    serve_track(&pc, t, &layers);
                }
            }
            PeerConnectionEvent::ConnectionStateChange(state) => {
                tracing::info!("connection state is {state}");
                if matches!(
                    state,
                    RTCPeerConnectionState::Failed | RTCPeerConnectionState::Closed
                ) {
                    pc.close().await;
                    break;
                }
            }
            _ => {}
        }
    }
    app.connections.lock().unwrap().remove(&id);
}

/// Echoes a received track on its own transceiver, or forwards one simulcast layer of a video
/// track received only (see `forward_to`).
fn serve_track(
    pc: &RTCPeerConnection,
    transceiver: RTCRtpTransceiver,
    layers: &Arc<simulcast::Layers>,
) {
    if let Some(output) = forward_to(pc, &transceiver) {
        tracing::info!(
            "video track on mid {:?} is received only: forwarding one layer to mid {:?}",
            transceiver.mid(),
            output.mid()
        );
        tokio::spawn(simulcast::forward(transceiver, output, layers.clone()));
    } else {
        tracing::info!(
            "{} track on mid {:?} ({:?}): echoing it",
            transceiver.kind(),
            transceiver.mid(),
            transceiver.current_direction()
        );
        tokio::spawn(relay::echo(transceiver));
    }
}

/// Where a received track goes when it cannot be echoed: a video track received on a
/// `recvonly` transceiver goes to the first video transceiver that only sends.
fn forward_to(pc: &RTCPeerConnection, input: &RTCRtpTransceiver) -> Option<RTCRtpTransceiver> {
    if input.kind() != TrackKind::Video
        || input.current_direction() != Some(RTCRtpTransceiverDirection::RecvOnly)
    {
        return None;
    }
    pc.get_transceivers().into_iter().find(|t| {
        t.kind() == TrackKind::Video
            && t.current_direction() == Some(RTCRtpTransceiverDirection::SendOnly)
    })
}

async fn offer(
    State(app): State<App>,
    Json(req): Json<OfferRequest>,
) -> Result<Json<RTCSessionDescription>, HttpError> {
    if req.sdp_type != "offer" {
        return Err(HttpError(
            StatusCode::BAD_REQUEST,
            format!("expected an offer, got '{}'", req.sdp_type),
        ));
    }
    let (pc, layers) = new_connection(&app).await?;
    layers.read_offer(&req.sdp);
    pc.set_remote_description(RTCSessionDescription::offer(req.sdp))
        .await?;
    // A sending track on every offered audio/video transceiver makes the answer sendrecv: what
    // the browser sends comes back on the same m-section (see `relay`).
    for t in pc.get_transceivers() {
        pc.add_track(&MediaStreamTrack::new(t.kind())).await?;
    }
    let answer = pc.create_answer().await?;
    pc.set_local_description(Some(answer)).await?;
    pc.gathering_complete().await;
    let local = pc
        .local_description()
        .ok_or_else(|| HttpError(StatusCode::INTERNAL_SERVER_ERROR, "no answer".into()))?;
    Ok(Json(local))
}

async fn request_offer(
    State(app): State<App>,
    body: Option<Json<RequestOffer>>,
) -> Result<Json<RTCSessionDescription>, HttpError> {
    let req = body.map(|Json(r)| r).unwrap_or_default();
    let (pc, _) = new_connection(&app).await?;
    // Requested media is offered sendrecv; the browser's answer attaches its tracks and what
    // it sends is echoed back once the `track` events arrive.
    for (wanted, kind) in [(req.audio, TrackKind::Audio), (req.video, TrackKind::Video)] {
        if !wanted {
            continue;
        }
        pc.add_track(&MediaStreamTrack::new(kind)).await?;
        if let Some(name) = req.video_codec.as_deref().filter(|c| *c != "any")
            && kind == TrackKind::Video
        {
            let codecs: Vec<_> = rtcio::media::default_codecs(kind)
                .into_iter()
                .filter(|c| c.name.eq_ignore_ascii_case(name))
                .collect();
            if let Some(t) = pc.get_transceivers().into_iter().find(|t| t.kind() == kind) {
                t.set_codec_preferences(codecs).await?;
            }
        }
    }
    // A data section needs a channel; the browser opens `echo` and `bulk` itself once
    // connected, this one only says hello.
    let hello = pc
        .create_data_channel("peer-hello", DataChannelInit::default())
        .await?;
    tokio::spawn(async move {
        if hello.opened().await.is_ok() {
            let _ = hello.send_text("hello from rtcio").await;
        }
    });
    pc.set_local_description(None).await?;
    pc.gathering_complete().await;
    let offer = pc
        .local_description()
        .ok_or_else(|| HttpError(StatusCode::INTERNAL_SERVER_ERROR, "no offer".into()))?;
    if let Some(old) = app.pending.lock().unwrap().replace(pc) {
        tokio::spawn(async move { old.close().await });
    }
    Ok(Json(offer))
}

async fn answer(
    State(app): State<App>,
    Json(desc): Json<RTCSessionDescription>,
) -> Result<&'static str, HttpError> {
    let pc = app.pending.lock().unwrap().take().ok_or_else(|| {
        HttpError(
            StatusCode::CONFLICT,
            "no offer is waiting for an answer".into(),
        )
    })?;
    pc.set_remote_description(desc).await?;
    Ok("ok")
}
