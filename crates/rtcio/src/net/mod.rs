//! Sockets and interfaces: the I/O the sans-IO core leaves to this layer.

mod interfaces;
mod udp;

pub use interfaces::{InterfaceFilter, host_addresses};
pub use udp::{RecvBatch, UdpSocket};
