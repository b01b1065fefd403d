//! TCP and Unix socket signaling: newline-separated JSON over one stream.
//!
//! The roles are aiortc's: the first side to *send* listens and takes one connection (the
//! offerer, in every aiortc example), the first side to *receive* connects.

use std::io;
use std::path::PathBuf;
use std::time::Duration;

use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader,
};
use tokio::net::{TcpListener, TcpStream, UnixListener, UnixStream};

use super::SignalingMessage;

/// Longest line accepted; a description with every candidate is a few KiB.
const MAX_LINE: u64 = 1 << 20;

/// How long the connecting side keeps retrying while the listener is not up yet.
pub(super) const CONNECT_PATIENCE: Duration = Duration::from_secs(30);

/// Where the stream is.
#[derive(Debug, Clone)]
pub(super) enum Endpoint {
    Tcp { host: String, port: u16 },
    Unix { path: PathBuf },
}

type Reader = Box<dyn AsyncBufRead + Send + Unpin>;
type Writer = Box<dyn AsyncWrite + Send + Unpin>;

/// One stream-based signaling channel.
pub(super) struct SocketSignaling {
    endpoint: Endpoint,
    stream: Option<(Reader, Writer)>,
    /// The line being read, kept across calls so that a cancelled `receive` loses nothing.
    partial: Vec<u8>,
    /// Set when this side listened: a Unix socket file to remove on close.
    bound_path: Option<PathBuf>,
}

impl SocketSignaling {
    pub(super) fn new(endpoint: Endpoint) -> Self {
        SocketSignaling {
            endpoint,
            stream: None,
            partial: Vec::new(),
            bound_path: None,
        }
    }

    pub(super) async fn send(&mut self, message: &SignalingMessage) -> io::Result<()> {
        if self.stream.is_none() {
            self.accept().await?;
        }
        let (_, writer) = self.stream.as_mut().expect("connected above");
        let mut line = message.to_json();
        line.push('\n');
        writer.write_all(line.as_bytes()).await?;
        writer.flush().await
    }

    pub(super) async fn receive(&mut self) -> io::Result<Option<SignalingMessage>> {
        if self.stream.is_none() {
            self.connect().await?;
        }
        let (reader, _) = self.stream.as_mut().expect("connected above");
        let room = MAX_LINE.saturating_sub(self.partial.len() as u64);
        AsyncReadExt::take(&mut *reader, room)
            .read_until(b'\n', &mut self.partial)
            .await?;
        let line = std::mem::take(&mut self.partial);
        if line.last() != Some(&b'\n') {
            if line.len() as u64 >= MAX_LINE {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "signaling line too long",
                ));
            }
            // End of stream (a partial last line counts as none, as in aiortc).
            return Ok(None);
        }
        let text =
            String::from_utf8(line).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        SignalingMessage::from_json(&text).map(Some)
    }

    pub(super) async fn close(&mut self) -> io::Result<()> {
        let mut result = Ok(());
        if self.stream.is_some() {
            result = match self.send(&SignalingMessage::Bye).await {
                // The peer hung up first: there is nobody left to say bye to.
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::BrokenPipe
                            | io::ErrorKind::ConnectionReset
                            | io::ErrorKind::NotConnected
                    ) =>
                {
                    Ok(())
                }
                r => r,
            };
            if let Some((_, mut writer)) = self.stream.take() {
                let _ = writer.shutdown().await;
            }
        }
        if let Some(path) = self.bound_path.take() {
            let _ = std::fs::remove_file(path);
        }
        result
    }

    /// Listens and waits for the peer (aiortc's server side).
    async fn accept(&mut self) -> io::Result<()> {
        match &self.endpoint {
            Endpoint::Tcp { host, port } => {
                let listener = TcpListener::bind((host.as_str(), *port)).await?;
                let (stream, _) = listener.accept().await?;
                stream.set_nodelay(true)?;
                let (r, w) = stream.into_split();
                self.stream = Some(boxed(r, w));
            }
            Endpoint::Unix { path } => {
                remove_stale_socket(path);
                let listener = UnixListener::bind(path)?;
                self.bound_path = Some(path.clone());
                let (stream, _) = listener.accept().await?;
                let (r, w) = stream.into_split();
                self.stream = Some(boxed(r, w));
            }
        }
        Ok(())
    }

    /// Connects to the peer (aiortc's client side), retrying while nobody listens yet.
    async fn connect(&mut self) -> io::Result<()> {
        let deadline = tokio::time::Instant::now() + CONNECT_PATIENCE;
        loop {
            let attempt = match &self.endpoint {
                Endpoint::Tcp { host, port } => TcpStream::connect((host.as_str(), *port))
                    .await
                    .and_then(|s| {
                        s.set_nodelay(true)?;
                        let (r, w) = s.into_split();
                        Ok(boxed(r, w))
                    }),
                Endpoint::Unix { path } => UnixStream::connect(path).await.map(|s| {
                    let (r, w) = s.into_split();
                    boxed(r, w)
                }),
            };
            match attempt {
                Ok(stream) => {
                    self.stream = Some(stream);
                    return Ok(());
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::ConnectionRefused | io::ErrorKind::NotFound
                    ) && tokio::time::Instant::now() < deadline =>
                {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => return Err(e),
            }
        }
    }
}

fn boxed(
    r: impl AsyncRead + Send + Unpin + 'static,
    w: impl AsyncWrite + Send + Unpin + 'static,
) -> (Reader, Writer) {
    (Box::new(BufReader::new(r)), Box::new(w))
}

/// Removes a socket file left by an earlier run (as Python's asyncio does before binding);
/// anything that is not a socket is left alone and binding fails.
fn remove_stale_socket(path: &std::path::Path) {
    use std::os::unix::fs::FileTypeExt;
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_socket()) {
        let _ = std::fs::remove_file(path);
    }
}
