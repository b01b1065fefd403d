//! Signaling helpers that speak aiortc's `aiortc.contrib.signaling` protocol, so rtcio programs
//! and aiortc programs can set up connections with each other.
//!
//! Three channels, as in aiortc: copy-and-paste (standard input/output), a TCP socket and a Unix
//! socket. Messages are JSON objects, one per line, exactly as aiortc writes them (see
//! [`SignalingMessage`]). On the sockets the first side to [`send`](Signaling::send) listens and
//! takes one connection and the first side to [`receive`](Signaling::receive) connects, which
//! makes the offerer the server in every aiortc example.
//!
//! ```no_run
//! use rtcio::signaling::{Signaling, SignalingMessage};
//! use rtcio::{RTCConfiguration, RTCPeerConnection};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let mut signaling = Signaling::tcp_socket("127.0.0.1", 1234);
//! let pc = RTCPeerConnection::new(RTCConfiguration::default()).await?;
//! // Answerer: wait for the offer, answer with every candidate in the description.
//! while let Some(message) = signaling.receive().await? {
//!     match message {
//!         SignalingMessage::Description(offer) => {
//!             pc.set_remote_description(offer).await?;
//!             pc.set_local_description(None).await?;
//!             pc.gathering_complete().await;
//!             let answer = pc.local_description().expect("set above");
//!             signaling.send(&SignalingMessage::Description(answer)).await?;
//!         }
//!         SignalingMessage::Candidate(c) => pc.add_ice_candidate(Some(c)).await?,
//!         SignalingMessage::Bye => break,
//!     }
//! }
//! signaling.close().await?;
//! # Ok(()) }
//! ```

#[cfg(feature = "cli")]
mod args;
mod message;
mod socket;
mod stdio;

use std::io;
use std::path::PathBuf;

#[cfg(feature = "cli")]
pub use args::{SignalingArgs, SignalingKind};
pub use message::SignalingMessage;

use socket::{Endpoint, SocketSignaling};
use stdio::CopyAndPasteSignaling;

/// aiortc's default TCP signaling port.
pub const DEFAULT_PORT: u16 = 1234;
/// aiortc's default TCP signaling host.
pub const DEFAULT_HOST: &str = "127.0.0.1";
/// aiortc's default Unix socket path.
pub const DEFAULT_PATH: &str = "aiortc.socket";

/// A signaling channel to one peer (aiortc's `BaseSignaling`).
pub struct Signaling {
    inner: Inner,
}

enum Inner {
    Socket(SocketSignaling),
    CopyAndPaste(CopyAndPasteSignaling),
}

impl std::fmt::Debug for Signaling {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.inner {
            Inner::Socket(_) => f.write_str("Signaling(socket)"),
            Inner::CopyAndPaste(_) => f.write_str("Signaling(copy-and-paste)"),
        }
    }
}

impl Signaling {
    /// TCP signaling (`TcpSocketSignaling`): the first sender listens on `host:port`, the first
    /// receiver connects there.
    pub fn tcp_socket(host: impl Into<String>, port: u16) -> Self {
        Self::socket(Endpoint::Tcp {
            host: host.into(),
            port,
        })
    }

    /// Unix socket signaling (`UnixSocketSignaling`) at `path`; the listening side removes the
    /// socket file on [`close`](Self::close).
    pub fn unix_socket(path: impl Into<PathBuf>) -> Self {
        Self::socket(Endpoint::Unix { path: path.into() })
    }

    /// Copy-and-paste signaling (`CopyAndPasteSignaling`): messages to send are printed on
    /// standard output between prompts, messages received are read from standard input.
    pub fn copy_and_paste() -> Self {
        Signaling {
            inner: Inner::CopyAndPaste(CopyAndPasteSignaling::new()),
        }
    }

    fn socket(endpoint: Endpoint) -> Self {
        Signaling {
            inner: Inner::Socket(SocketSignaling::new(endpoint)),
        }
    }

    /// Prepares the channel. Sockets connect lazily (on the first send or receive, which
    /// decides the role), so this only starts reading standard input for copy-and-paste.
    pub async fn connect(&mut self) -> io::Result<()> {
        match &mut self.inner {
            Inner::Socket(_) => Ok(()),
            Inner::CopyAndPaste(s) => s.connect(),
        }
    }

    /// Sends a message. On a socket not yet connected this listens and waits for the peer.
    pub async fn send(&mut self, message: &SignalingMessage) -> io::Result<()> {
        match &mut self.inner {
            Inner::Socket(s) => s.send(message).await,
            Inner::CopyAndPaste(s) => s.send(message),
        }
    }

    /// The next message, or `None` when the peer closed the channel. On a socket not yet
    /// connected this connects to the peer, retrying for up to 30 s while nobody listens
    /// (aiortc gives up at once; waiting lets either side start first).
    ///
    /// Cancel safe: a partly read message is kept for the next call, so this can race other
    /// futures in `tokio::select!`.
    pub async fn receive(&mut self) -> io::Result<Option<SignalingMessage>> {
        match &mut self.inner {
            Inner::Socket(s) => s.receive().await,
            Inner::CopyAndPaste(s) => s.receive().await,
        }
    }

    /// Says goodbye (`{"type": "bye"}`) if connected, and closes the channel. A peer that
    /// already hung up is not an error.
    pub async fn close(&mut self) -> io::Result<()> {
        match &mut self.inner {
            Inner::Socket(s) => s.close().await,
            Inner::CopyAndPaste(s) => s.close(),
        }
    }
}
