//! Transfer accounting: a progress line on standard error, the SHA-256 of the bytes, the rate.

use std::io::Write;
use std::time::{Duration, Instant};

use openssl::sha::Sha256;

/// Counts and hashes the bytes of one transfer and shows how far it got.
pub struct Progress {
    verb: &'static str,
    total: Option<u64>,
    done: u64,
    hash: Sha256,
    started: Instant,
    last_draw: Option<Instant>,
}

impl Progress {
    /// Starts the clock; `total` is known to the sender only.
    pub fn start(verb: &'static str, total: Option<u64>) -> Self {
        Progress {
            verb,
            total,
            done: 0,
            hash: Sha256::new(),
            started: Instant::now(),
            last_draw: None,
        }
    }

    /// Accounts for a chunk, redrawing the bar at most ten times a second.
    pub fn add(&mut self, chunk: &[u8]) {
        self.done += chunk.len() as u64;
        self.hash.update(chunk);
        if self
            .last_draw
            .is_none_or(|t| t.elapsed() >= Duration::from_millis(100))
        {
            self.last_draw = Some(Instant::now());
            self.draw();
        }
    }

    /// Bytes so far.
    pub fn bytes(&self) -> u64 {
        self.done
    }

    /// Time since [`start`](Self::start).
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    fn draw(&self) {
        let mb = self.done as f64 / 1e6;
        let rate = mb / self.elapsed().as_secs_f64().max(1e-9);
        let line = match self.total {
            Some(total) if total > 0 => {
                let fraction = self.done as f64 / total as f64;
                let filled = (fraction * 30.0).round() as usize;
                format!(
                    "[{}{}] {:5.1}% {mb:.1}/{:.1} MB {rate:.1} MB/s",
                    "#".repeat(filled.min(30)),
                    " ".repeat(30 - filled.min(30)),
                    fraction * 100.0,
                    total as f64 / 1e6,
                )
            }
            _ => format!("{} {mb:.1} MB {rate:.1} MB/s", self.verb),
        };
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r{line}\x1b[K");
        let _ = err.flush();
    }

    /// Draws the final state and prints `<verb> N bytes in T s (R MB/s) sha256 H` on stdout;
    /// `elapsed` is the transfer time as this side measures it.
    pub fn finish(self, elapsed: Duration) {
        self.draw();
        eprintln!();
        let digest: String = self
            .hash
            .finish()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let secs = elapsed.as_secs_f64().max(1e-9);
        println!(
            "{} {} bytes in {:.3} s ({:.1} MB/s) sha256 {digest}",
            self.verb,
            self.done,
            secs,
            self.done as f64 / secs / 1e6
        );
    }
}
