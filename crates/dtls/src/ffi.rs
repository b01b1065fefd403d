//! The one OpenSSL call the `openssl` crate does not wrap.
#![allow(unsafe_code)]

use foreign_types::ForeignTypeRef;
use openssl::ssl::{SslRef, SslStream};

unsafe extern "C" {
    fn SSL_free_buffers(ssl: *mut std::ffi::c_void) -> std::ffi::c_int;
}

/// Frees the record-layer read and write buffers if they hold nothing (`SSL_free_buffers`);
/// returns whether they were freed. `SSL_MODE_RELEASE_BUFFERS` frees them after each record,
/// except the read buffer of a DTLS read that found no datagram, which is how every read loop
/// ends: without this an idle connection keeps 16 KiB.
///
/// Takes the stream, not the `SslRef` (which `SslStream` only lends shared), so the caller
/// must hold the stream exclusively.
pub(crate) fn free_buffers<S>(stream: &mut SslStream<S>) -> bool {
    let ssl: &SslRef = stream.ssl();
    // SAFETY: `ssl` is a valid SSL object that nothing else uses meanwhile (the stream is
    // borrowed mutably, and OpenSSL is not inside a call on it); SSL_free_buffers only frees
    // buffers it owns when they are empty and leaves the object usable.
    unsafe { SSL_free_buffers(ssl.as_ptr().cast()) == 1 }
}
