//! The connection to a TURN server: a connected UDP socket, or a TCP or TLS stream cut into
//! STUN and ChannelData messages (RFC 8656 §12.5 framing).

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::pin::Pin;

use openssl::ssl::{SslConnector, SslMethod};
use rtcio_stun::framing::turn_frame_len;
use rtcio_turn::Transport;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadHalf, WriteHalf};
use tokio::net::{TcpStream, UdpSocket};

/// Largest UDP datagram read.
const DATAGRAM_MAX: usize = 65_536;
/// Most datagrams taken per [`Conn::recv`].
const UDP_BATCH: usize = 32;
/// Bytes read from a stream at a time.
const READ_CHUNK: usize = 16 * 1024;
/// Most bytes buffered from a stream: one maximal message plus one read.
const STREAM_BUFFER_MAX: usize = 20 + 65_535 + READ_CHUNK;

/// A byte stream (TCP or TLS).
pub(super) trait Io: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> Io for T {}

/// An open connection to the server.
pub(super) enum Conn {
    /// UDP, connected to the server.
    Udp { socket: UdpSocket, buf: Box<[u8]> },
    /// TCP or TLS.
    Stream {
        reader: ReadHalf<Box<dyn Io>>,
        writer: WriteHalf<Box<dyn Io>>,
        chunk: Box<[u8]>,
        pending: Vec<u8>,
    },
}

impl Conn {
    /// Connects to `server` over `transport`; `host` is the name TLS verifies.
    pub(super) async fn connect(
        server: SocketAddr,
        transport: Transport,
        host: &str,
    ) -> io::Result<Conn> {
        match transport {
            Transport::Udp => {
                let any = match server.ip() {
                    IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
                    IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
                };
                let socket = UdpSocket::bind(SocketAddr::new(any, 0)).await?;
                socket.connect(server).await?;
                Ok(Conn::Udp {
                    socket,
                    buf: vec![0; DATAGRAM_MAX].into_boxed_slice(),
                })
            }
            Transport::Tcp => {
                let tcp = TcpStream::connect(server).await?;
                tcp.set_nodelay(true)?;
                Ok(Self::stream(Box::new(tcp)))
            }
            Transport::Tls => {
                let tcp = TcpStream::connect(server).await?;
                tcp.set_nodelay(true)?;
                let tls = tls_connect(tcp, host).await?;
                Ok(Self::stream(Box::new(tls)))
            }
        }
    }

    fn stream(io: Box<dyn Io>) -> Conn {
        let (reader, writer) = tokio::io::split(io);
        Conn::Stream {
            reader,
            writer,
            chunk: vec![0; READ_CHUNK].into_boxed_slice(),
            pending: Vec::new(),
        }
    }

    /// Sends messages: one datagram each over UDP, one write for all of them on a stream.
    pub(super) async fn send_batch(&mut self, messages: Vec<Vec<u8>>) -> io::Result<()> {
        match self {
            Conn::Udp { socket, .. } => {
                for m in &messages {
                    socket.send(m).await?;
                }
                Ok(())
            }
            Conn::Stream { writer, .. } => match messages.len() {
                0 => Ok(()),
                1 => writer.write_all(&messages[0]).await,
                _ => writer.write_all(&messages.concat()).await,
            },
        }
    }

    /// Reads once and returns the complete messages now available (maybe none). Cancel-safe:
    /// the only await is the read itself. End of stream and corrupt framing are errors.
    pub(super) async fn recv(&mut self) -> io::Result<Vec<Vec<u8>>> {
        match self {
            Conn::Udp { socket, buf } => {
                let n = socket.recv(buf).await?;
                let mut datagrams = vec![buf[..n].to_vec()];
                // Whatever else is already queued, without waiting (batched into the core).
                while datagrams.len() < UDP_BATCH {
                    match socket.try_recv(buf) {
                        Ok(n) => datagrams.push(buf[..n].to_vec()),
                        Err(_) => break,
                    }
                }
                Ok(datagrams)
            }
            Conn::Stream {
                reader,
                chunk,
                pending,
                ..
            } => {
                let n = reader.read(chunk).await?;
                if n == 0 {
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
                pending.extend_from_slice(&chunk[..n]);
                let mut frames = Vec::new();
                loop {
                    let len = turn_frame_len(pending)
                        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?;
                    match len {
                        Some(len) if pending.len() >= len => {
                            frames.push(pending.drain(..len).collect());
                        }
                        _ => break,
                    }
                }
                if pending.len() > STREAM_BUFFER_MAX {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        "TURN stream message too long",
                    ));
                }
                Ok(frames)
            }
        }
    }
}

/// TLS client handshake, verifying the server's certificate against the default trust store
/// (OpenSSL's, which `SSL_CERT_FILE`/`SSL_CERT_DIR` override) and `host`.
async fn tls_connect(
    tcp: TcpStream,
    host: &str,
) -> io::Result<tokio_openssl::SslStream<TcpStream>> {
    let to_io = |e: openssl::error::ErrorStack| io::Error::other(e.to_string());
    let connector = SslConnector::builder(SslMethod::tls_client())
        .map_err(to_io)?
        .build();
    let ssl = connector
        .configure()
        .map_err(to_io)?
        .into_ssl(host)
        .map_err(to_io)?;
    let mut stream = tokio_openssl::SslStream::new(ssl, tcp).map_err(to_io)?;
    Pin::new(&mut stream)
        .connect()
        .await
        .map_err(|e| io::Error::other(format!("TLS handshake: {e}")))?;
    Ok(stream)
}

/// The server's address: the URL's IP, or the first address its host name resolves to
/// (preferring `family` when given).
pub(super) async fn resolve(
    url: &rtcio_turn::IceServerUrl,
    family_v4: Option<bool>,
) -> io::Result<SocketAddr> {
    if let Some(ip) = url.ip() {
        return Ok(SocketAddr::new(ip, url.port));
    }
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((url.host.as_str(), url.port))
        .await?
        .collect();
    let preferred = addrs
        .iter()
        .find(|a| family_v4.is_none_or(|v4| a.is_ipv4() == v4));
    preferred
        .or(addrs.first())
        .copied()
        .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "host has no address"))
}
