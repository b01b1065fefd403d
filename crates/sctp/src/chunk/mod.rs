//! SCTP chunks: one module per chunk type, and [`Chunk`], the parsed form of any of them.

pub mod abort;
pub mod cause;
pub mod cookie;
pub mod data;
pub mod error_chunk;
pub mod forward_tsn;
pub mod heartbeat;
pub mod idata;
pub mod iforward_tsn;
pub mod init;
pub mod reconfig;
pub mod sack;
pub mod shutdown;

use bytes::Bytes;

use crate::error::ParseError;
use crate::wire::pad4;

pub use abort::AbortChunk;
pub use cause::ErrorCause;
pub use cookie::CookieEchoChunk;
pub use data::DataChunk;
pub use error_chunk::ErrorChunk;
pub use forward_tsn::{ForwardTsnChunk, SkippedStream};
pub use heartbeat::HeartbeatChunk;
pub use idata::IDataChunk;
pub use iforward_tsn::{IForwardTsnChunk, SkippedMessage};
pub use init::InitChunk;
pub use reconfig::{ReConfigChunk, ReConfigParam, ReconfigResult};
pub use sack::{GapAckBlock, SackChunk};
pub use shutdown::ShutdownChunk;

/// Any SCTP chunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Chunk {
    /// DATA.
    Data(DataChunk),
    /// INIT.
    Init(InitChunk),
    /// INIT-ACK.
    InitAck(InitChunk),
    /// SACK.
    Sack(SackChunk),
    /// HEARTBEAT.
    Heartbeat(HeartbeatChunk),
    /// HEARTBEAT-ACK.
    HeartbeatAck(HeartbeatChunk),
    /// ABORT.
    Abort(AbortChunk),
    /// SHUTDOWN.
    Shutdown(ShutdownChunk),
    /// SHUTDOWN-ACK.
    ShutdownAck,
    /// ERROR.
    Error(ErrorChunk),
    /// COOKIE-ECHO.
    CookieEcho(CookieEchoChunk),
    /// COOKIE-ACK.
    CookieAck,
    /// SHUTDOWN-COMPLETE (with its T bit).
    ShutdownComplete {
        /// T bit: the verification tag is reflected.
        tag_reflected: bool,
    },
    /// FORWARD-TSN.
    ForwardTsn(ForwardTsnChunk),
    /// RE-CONFIG.
    ReConfig(ReConfigChunk),
    /// I-DATA.
    IData(IDataChunk),
    /// I-FORWARD-TSN.
    IForwardTsn(IForwardTsnChunk),
    /// A chunk type this stack does not implement.
    Unknown {
        /// Chunk type.
        chunk_type: u8,
        /// Chunk flags.
        flags: u8,
        /// Chunk value (without header).
        value: Bytes,
    },
}

impl Chunk {
    /// Parses one chunk from its header fields and value.
    pub fn parse(chunk_type: u8, flags: u8, value: Bytes) -> Result<Chunk, ParseError> {
        Ok(match chunk_type {
            data::TYPE => Chunk::Data(DataChunk::parse(flags, &value)?),
            init::TYPE_INIT => Chunk::Init(InitChunk::parse(&value)?),
            init::TYPE_INIT_ACK => Chunk::InitAck(InitChunk::parse(&value)?),
            sack::TYPE => Chunk::Sack(SackChunk::parse(&value)?),
            heartbeat::TYPE_HEARTBEAT => Chunk::Heartbeat(HeartbeatChunk::parse(&value)?),
            heartbeat::TYPE_HEARTBEAT_ACK => Chunk::HeartbeatAck(HeartbeatChunk::parse(&value)?),
            abort::TYPE => Chunk::Abort(AbortChunk::parse(flags, &value)?),
            shutdown::TYPE_SHUTDOWN => Chunk::Shutdown(ShutdownChunk::parse(&value)?),
            shutdown::TYPE_SHUTDOWN_ACK => Chunk::ShutdownAck,
            error_chunk::TYPE => Chunk::Error(ErrorChunk::parse(&value)?),
            cookie::TYPE_COOKIE_ECHO => Chunk::CookieEcho(CookieEchoChunk { cookie: value }),
            cookie::TYPE_COOKIE_ACK => Chunk::CookieAck,
            shutdown::TYPE_SHUTDOWN_COMPLETE => Chunk::ShutdownComplete {
                tag_reflected: flags & shutdown::FLAG_T != 0,
            },
            forward_tsn::TYPE => Chunk::ForwardTsn(ForwardTsnChunk::parse(&value)?),
            reconfig::TYPE => Chunk::ReConfig(ReConfigChunk::parse(&value)?),
            idata::TYPE => Chunk::IData(IDataChunk::parse(flags, &value)?),
            iforward_tsn::TYPE => Chunk::IForwardTsn(IForwardTsnChunk::parse(&value)?),
            _ => Chunk::Unknown {
                chunk_type,
                flags,
                value,
            },
        })
    }

    /// Encoded size including header and trailing padding.
    pub fn encoded_len(&self) -> usize {
        match self {
            Chunk::Data(c) => c.encoded_len(),
            Chunk::Init(c) | Chunk::InitAck(c) => c.encoded_len(),
            Chunk::Sack(c) => c.encoded_len(),
            Chunk::Heartbeat(c) | Chunk::HeartbeatAck(c) => c.encoded_len(),
            Chunk::Abort(c) => c.encoded_len(),
            Chunk::Shutdown(_) => 8,
            Chunk::ShutdownAck | Chunk::CookieAck | Chunk::ShutdownComplete { .. } => 4,
            Chunk::Error(c) => c.encoded_len(),
            Chunk::CookieEcho(c) => c.encoded_len(),
            Chunk::ForwardTsn(c) => c.encoded_len(),
            Chunk::ReConfig(c) => c.encoded_len(),
            Chunk::IData(c) => c.encoded_len(),
            Chunk::IForwardTsn(c) => c.encoded_len(),
            Chunk::Unknown { value, .. } => pad4(4 + value.len()),
        }
    }

    /// Appends the padded chunk to `out`.
    pub fn write(&self, out: &mut Vec<u8>) {
        match self {
            Chunk::Data(c) => c.write(out),
            Chunk::Init(c) => c.write(init::TYPE_INIT, out),
            Chunk::InitAck(c) => c.write(init::TYPE_INIT_ACK, out),
            Chunk::Sack(c) => c.write(out),
            Chunk::Heartbeat(c) => c.write(heartbeat::TYPE_HEARTBEAT, out),
            Chunk::HeartbeatAck(c) => c.write(heartbeat::TYPE_HEARTBEAT_ACK, out),
            Chunk::Abort(c) => c.write(out),
            Chunk::Shutdown(c) => c.write(out),
            Chunk::ShutdownAck => shutdown::write_shutdown_ack(out),
            Chunk::Error(c) => c.write(out),
            Chunk::CookieEcho(c) => c.write(out),
            Chunk::CookieAck => cookie::write_cookie_ack(out),
            Chunk::ShutdownComplete { tag_reflected } => {
                shutdown::write_shutdown_complete(*tag_reflected, out)
            }
            Chunk::ForwardTsn(c) => c.write(out),
            Chunk::ReConfig(c) => c.write(out),
            Chunk::IData(c) => c.write(out),
            Chunk::IForwardTsn(c) => c.write(out),
            Chunk::Unknown {
                chunk_type,
                flags,
                value,
            } => {
                out.push(*chunk_type);
                out.push(*flags);
                out.extend_from_slice(&((4 + value.len()) as u16).to_be_bytes());
                out.extend_from_slice(value);
                crate::wire::pad_to4(out);
            }
        }
    }
}
