//! An async UDP socket that moves many datagrams per system call.
//!
//! One `sendmsg`/`recvmsg` per 1200-byte datagram caps loopback near 230 MB/s; with UDP GSO
//! (several equal-sized datagrams handed to the kernel in one call) and GRO (several received in
//! one) the same machine reaches several GB/s. quinn-udp does the per-OS work; this type adds the
//! tokio readiness loop and a reusable receive batch.

use std::io::{self, IoSliceMut};
use std::net::{IpAddr, SocketAddr};

use quinn_udp::{RecvMeta, Transmit, UdpSocketState};
use socket2::{Domain, Protocol, Socket, Type};
use tokio::io::Interest;

/// Socket buffer size asked of the kernel. Bulk data-channel traffic overflows the default
/// (about 200 KiB) within a millisecond on loopback; the kernel caps the request at
/// `net.core.rmem_max`/`wmem_max`.
const SOCKET_BUFFER_BYTES: usize = 4 << 20;

/// A UDP socket with batched, segmentation-offloaded send and receive.
#[derive(Debug)]
pub struct UdpSocket {
    io: tokio::net::UdpSocket,
    state: UdpSocketState,
    local: SocketAddr,
}

impl UdpSocket {
    /// Binds to `addr` (port 0 picks a free port). Must be called inside a tokio runtime.
    pub fn bind(addr: SocketAddr) -> io::Result<Self> {
        let socket = Socket::new(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP))?;
        if addr.is_ipv6() {
            socket.set_only_v6(true)?;
        }
        socket.bind(&addr.into())?;
        let std: std::net::UdpSocket = socket.into();
        std.set_nonblocking(true)?;
        let state = UdpSocketState::new((&std).into())?;
        // Best effort: a smaller buffer than asked for only means more loss under load.
        let _ = state.set_recv_buffer_size((&std).into(), SOCKET_BUFFER_BYTES);
        let _ = state.set_send_buffer_size((&std).into(), SOCKET_BUFFER_BYTES);
        let io = tokio::net::UdpSocket::from_std(std)?;
        let local = io.local_addr()?;
        Ok(UdpSocket { io, state, local })
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// How many datagrams one [`send`](Self::send) may carry (1 without GSO).
    pub fn max_segments(&self) -> usize {
        self.state.max_gso_segments()
    }

    /// Sends `contents` to `to`. With `segment_size`, `contents` is several datagrams of that
    /// size back to back (the last may be shorter), sent in one call when the kernel supports
    /// it; callers must keep the count within [`max_segments`](Self::max_segments).
    pub async fn send(
        &self,
        to: SocketAddr,
        contents: &[u8],
        segment_size: Option<usize>,
    ) -> io::Result<()> {
        let transmit = Transmit {
            destination: to,
            ecn: None,
            contents,
            segment_size: segment_size.filter(|s| *s < contents.len()),
            src_ip: None,
        };
        loop {
            self.io.writable().await?;
            match self.io.try_io(Interest::WRITABLE, || {
                self.state.send((&self.io).into(), &transmit)
            }) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                other => return other,
            }
        }
    }

    /// Waits for datagrams and fills `batch` with as many as one call returns.
    pub async fn recv(&self, batch: &mut RecvBatch) -> io::Result<()> {
        loop {
            self.readable().await?;
            match self.try_recv(batch) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                other => return other,
            }
        }
    }

    /// Waits until datagrams may be queued, without holding any buffer meanwhile (the wake-up
    /// can be spurious: [`try_recv`](Self::try_recv) then says `WouldBlock`).
    pub async fn readable(&self) -> io::Result<()> {
        self.io.readable().await
    }

    /// Fills `batch` with as many datagrams as one call returns, without waiting;
    /// `WouldBlock` when none are queued.
    pub fn try_recv(&self, batch: &mut RecvBatch) -> io::Result<()> {
        batch.filled = 0;
        let mut slices: Vec<IoSliceMut<'_>> = batch
            .buffers
            .iter_mut()
            .map(|b| IoSliceMut::new(&mut b[..]))
            .collect();
        let n = self.io.try_io(Interest::READABLE, || {
            self.state
                .recv((&self.io).into(), &mut slices, &mut batch.meta)
        })?;
        batch.filled = n;
        Ok(())
    }
}

/// Reusable receive buffers for [`UdpSocket::recv`] and [`UdpSocket::try_recv`].
///
/// Owned by the caller so one batch can serve every socket a task reads; see
/// [`RecvBatch::with_thread_local`] for one batch per thread serving every socket.
#[derive(Debug)]
pub struct RecvBatch {
    buffers: Vec<Box<[u8]>>,
    meta: Vec<RecvMeta>,
    filled: usize,
}

/// Largest GRO-coalesced buffer the kernel hands up.
const GRO_BUFFER_BYTES: usize = 64 * 1024;

impl RecvBatch {
    /// Buffers for `slots` receive calls' worth of data per system call, each large enough for a
    /// GRO-coalesced run of datagrams.
    pub fn new(slots: usize) -> Self {
        let slots = slots.clamp(1, quinn_udp::BATCH_SIZE);
        RecvBatch {
            buffers: (0..slots)
                .map(|_| vec![0u8; GRO_BUFFER_BYTES].into_boxed_slice())
                .collect(),
            meta: vec![RecvMeta::default(); slots],
            filled: 0,
        }
    }

    /// Runs `f` with this thread's batch of `slots` slots (created on first use).
    ///
    /// A connection waits for datagrams far more than it reads them, so its receive task waits
    /// with [`UdpSocket::readable`] and borrows buffers only to read and process one batch:
    /// memory is one batch per runtime thread (`slots` × 64 KiB) instead of one per socket.
    /// `f` must not call `with_thread_local` itself (it gets a fresh batch if it does).
    pub fn with_thread_local<R>(slots: usize, f: impl FnOnce(&mut RecvBatch) -> R) -> R {
        thread_local! {
            static BATCH: std::cell::Cell<Option<Box<RecvBatch>>> =
                const { std::cell::Cell::new(None) };
        }
        let mut batch = BATCH
            .take()
            .filter(|b| b.buffers.len() == slots.clamp(1, quinn_udp::BATCH_SIZE))
            .unwrap_or_else(|| Box::new(RecvBatch::new(slots)));
        let result = f(&mut batch);
        batch.filled = 0;
        BATCH.set(Some(batch));
        result
    }

    /// The datagrams of the last receive: (source, local destination address if known, bytes).
    pub fn datagrams(&self) -> impl Iterator<Item = (SocketAddr, Option<IpAddr>, &[u8])> {
        self.meta[..self.filled]
            .iter()
            .zip(&self.buffers)
            .flat_map(|(meta, buf)| {
                let data = &buf[..meta.len.min(buf.len())];
                let stride = if meta.stride == 0 {
                    data.len().max(1)
                } else {
                    meta.stride
                };
                data.chunks(stride)
                    .map(move |d| (meta.addr, meta.dst_ip, d))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_batch_is_reused_and_resized_per_slot_count() {
        let first = RecvBatch::with_thread_local(2, |b| b.buffers[0].as_ptr() as usize);
        let again = RecvBatch::with_thread_local(2, |b| {
            assert_eq!(b.buffers.len(), 2);
            assert_eq!(b.datagrams().count(), 0, "nothing left from an earlier use");
            b.buffers[0].as_ptr() as usize
        });
        assert_eq!(
            first, again,
            "the same buffers serve every call on a thread"
        );
        let other = RecvBatch::with_thread_local(3, |b| b.buffers.len());
        assert_eq!(other, 3);
    }

    #[tokio::test]
    async fn try_recv_says_would_block_until_a_datagram_is_queued() {
        let a = UdpSocket::bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let b = UdpSocket::bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let empty = RecvBatch::with_thread_local(2, |batch| b.try_recv(batch).map(|_| ()));
        assert_eq!(empty.unwrap_err().kind(), io::ErrorKind::WouldBlock);
        a.send(b.local_addr(), b"hello", None).await.unwrap();
        // Loopback may drop a datagram under load: resend until one arrives (bounded).
        let mut got = Vec::new();
        for _ in 0..50 {
            let ready =
                tokio::time::timeout(std::time::Duration::from_millis(100), b.readable()).await;
            if ready.is_ok() {
                got = RecvBatch::with_thread_local(2, |batch| match b.try_recv(batch) {
                    Ok(()) => batch.datagrams().map(|(_, _, d)| d.to_vec()).collect(),
                    Err(_) => Vec::new(),
                });
                if !got.is_empty() {
                    break;
                }
            } else {
                a.send(b.local_addr(), b"hello", None).await.unwrap();
            }
        }
        assert_eq!(got, vec![b"hello".to_vec()]);
    }
}
