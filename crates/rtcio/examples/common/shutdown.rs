//! Shared by the examples (included with `#[path]`; not an example itself).

/// Resolves on Ctrl-C (SIGINT) or, on Unix, SIGTERM, which `kill`, service managers and
/// container runtimes send: a program stopped either way closes its peer connections, so the
/// peer sees the close at once instead of waiting for consent freshness to expire.
pub async fn terminated() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
