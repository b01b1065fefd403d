//! In-memory datagram "BIO": the I/O object OpenSSL reads records from and writes records to.

use std::collections::VecDeque;
use std::io::{self, Read, Write};

/// A duplex datagram pipe with datagram semantics: each `read` returns exactly one queued
/// datagram (truncated to the caller's buffer, like `recv`), each `write` is one datagram.
///
/// Incoming datagrams are bounded by `max_incoming`; the owner drains `outgoing` after every
/// call into OpenSSL, so it only ever holds one flight or one record.
#[derive(Debug)]
pub(crate) struct DatagramBio {
    incoming: VecDeque<Vec<u8>>,
    outgoing: VecDeque<Vec<u8>>,
    max_incoming: usize,
}

impl DatagramBio {
    pub(crate) fn new(max_incoming: usize) -> DatagramBio {
        DatagramBio {
            incoming: VecDeque::new(),
            outgoing: VecDeque::new(),
            max_incoming,
        }
    }

    /// Queues a received datagram; `false` (and nothing stored) if the queue is full.
    pub(crate) fn push_incoming(&mut self, datagram: &[u8]) -> bool {
        if self.incoming.len() >= self.max_incoming {
            return false;
        }
        self.incoming.push_back(datagram.to_vec());
        true
    }

    /// Takes the next datagram OpenSSL wrote.
    pub(crate) fn pop_outgoing(&mut self) -> Option<Vec<u8>> {
        self.outgoing.pop_front()
    }

    /// Drops every queued received datagram; returns how many.
    pub(crate) fn clear_incoming(&mut self) -> usize {
        let n = self.incoming.len();
        self.incoming.clear();
        n
    }
}

impl Read for DatagramBio {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let Some(datagram) = self.incoming.pop_front() else {
            return Err(io::ErrorKind::WouldBlock.into());
        };
        let n = datagram.len().min(buf.len());
        buf[..n].copy_from_slice(&datagram[..n]);
        Ok(n)
    }
}

impl Write for DatagramBio {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.outgoing.push_back(buf.to_vec());
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
