//! Copy-and-paste signaling: messages are printed for the user to carry to the other side, and
//! the other side's messages are pasted on standard input, one per line.

use std::io::{self, BufRead, Write};

use tokio::sync::mpsc;

use super::SignalingMessage;

const SEND_PROMPT: &str = "-- Please send this message to the remote party --";
const RECEIVE_PROMPT: &str = "-- Please enter a message from remote party --";

/// Standard input is read by a detached thread (a blocking read cannot be cancelled, and a
/// runtime must not wait for one at exit); lines arrive on a channel.
pub(super) struct CopyAndPasteSignaling {
    lines: Option<mpsc::Receiver<io::Result<String>>>,
    /// The receive prompt is on screen (a cancelled `receive` does not print it twice).
    prompted: bool,
}

impl CopyAndPasteSignaling {
    pub(super) fn new() -> Self {
        CopyAndPasteSignaling {
            lines: None,
            prompted: false,
        }
    }

    pub(super) fn connect(&mut self) -> io::Result<()> {
        if self.lines.is_some() {
            return Ok(());
        }
        let (tx, rx) = mpsc::channel(16);
        std::thread::Builder::new()
            .name("signaling-stdin".into())
            .spawn(move || {
                let stdin = io::stdin();
                for line in stdin.lock().lines() {
                    if tx.blocking_send(line).is_err() {
                        return;
                    }
                }
            })?;
        self.lines = Some(rx);
        Ok(())
    }

    pub(super) fn send(&mut self, message: &SignalingMessage) -> io::Result<()> {
        let mut out = io::stdout().lock();
        writeln!(out, "{SEND_PROMPT}")?;
        writeln!(out, "{}", message.to_json())?;
        writeln!(out)?;
        out.flush()
    }

    pub(super) async fn receive(&mut self) -> io::Result<Option<SignalingMessage>> {
        self.connect()?;
        if !self.prompted {
            let mut out = io::stdout().lock();
            writeln!(out, "{RECEIVE_PROMPT}")?;
            out.flush()?;
            self.prompted = true;
        }
        let lines = self.lines.as_mut().expect("connected above");
        loop {
            let Some(line) = lines.recv().await else {
                return Ok(None);
            };
            let line = line?;
            // A blank line (an extra Enter) is not a message.
            if line.trim().is_empty() {
                continue;
            }
            self.prompted = false;
            println!();
            return SignalingMessage::from_json(&line).map(Some);
        }
    }

    pub(super) fn close(&mut self) -> io::Result<()> {
        if self.lines.take().is_some() {
            self.send(&SignalingMessage::Bye)?;
        }
        Ok(())
    }
}
