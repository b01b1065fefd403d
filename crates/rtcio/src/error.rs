//! Errors of the async API: the core's DOM-named errors, plus I/O failures as
//! `OperationError`.

pub use rtcio_proto::peer::Error;

pub(crate) fn io_error(context: &str, e: std::io::Error) -> Error {
    Error::Operation(format!("{context}: {e}"))
}
