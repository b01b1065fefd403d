//! Running peers as separate programs: rtcio's examples and the aiortc peers in `tests/aiortc/`.
//! Every wait is bounded; a failure shows what each program printed.

#![allow(dead_code)] // each test file uses a part

pub mod session;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A running program whose standard output is read line by line.
pub struct Program {
    name: String,
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    transcript: Arc<Mutex<String>>,
}

impl Program {
    /// Starts `command` with piped standard streams.
    pub fn spawn(name: &str, mut command: Command) -> Program {
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name} ({command:?}): {e}"));
        let transcript = Arc::new(Mutex::new(String::new()));
        let (tx, lines) = channel();
        let stdout = child.stdout.take().expect("piped");
        let log = transcript.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                log.lock().unwrap().push_str(&format!("{line}\n"));
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        let mut stderr = child.stderr.take().expect("piped");
        let log = transcript.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stderr.read(&mut buf) {
                if n == 0 {
                    return;
                }
                let text = String::from_utf8_lossy(&buf[..n]).replace('\r', "\n");
                log.lock().unwrap().push_str(&text);
            }
        });
        let stdin = child.stdin.take();
        Program {
            name: name.into(),
            child,
            stdin,
            lines,
            transcript,
        }
    }

    /// One of rtcio's examples (built by `cargo test`, or `cargo build --examples`).
    pub fn example(name: &str, args: &[&str]) -> Program {
        let mut command = Command::new(example_path(name));
        command.args(args);
        Program::spawn(&format!("rtcio {name}"), command)
    }

    /// One of the aiortc peers in `tests/aiortc/`.
    pub fn aiortc(script: &str, args: &[&str]) -> Program {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/aiortc");
        let mut command = Command::new("python3");
        command.arg("-u").arg(dir.join(script)).args(args);
        Program::spawn(&format!("aiortc {script}"), command)
    }

    /// Everything printed so far (both streams).
    pub fn transcript(&self) -> String {
        self.transcript.lock().unwrap().clone()
    }

    /// The next output line for which `wanted` holds; the lines before it are skipped.
    pub fn expect_line(
        &mut self,
        what: &str,
        wanted: impl Fn(&str) -> bool,
        within: Duration,
    ) -> String {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if wanted(&line) => return line,
                Ok(_) => continue,
                Err(RecvTimeoutError::Timeout) => {
                    self.fail(&format!("no {what} within {within:?}"))
                }
                Err(RecvTimeoutError::Disconnected) => {
                    self.fail(&format!("exited before printing {what}"))
                }
            }
        }
    }

    /// The next output line, if one comes within `within`.
    pub fn next_line(&mut self, within: Duration) -> Option<String> {
        self.lines.recv_timeout(within).ok()
    }

    /// Writes a line to the program's standard input.
    pub fn write_line(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        writeln!(stdin, "{line}")
            .and_then(|_| stdin.flush())
            .unwrap_or_else(|e| panic!("writing to {}: {e}", self.name));
    }

    /// Sends SIGINT (Ctrl-C), which the programs handle by saying bye and closing.
    pub fn interrupt(&self) {
        let status = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .expect("kill(1)");
        assert!(status.success(), "kill -INT {} failed", self.name);
    }

    /// Sends SIGTERM (what `kill`, service managers and container runtimes send), which the
    /// programs handle like Ctrl-C.
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill(1)");
        assert!(status.success(), "kill -TERM {} failed", self.name);
    }

    /// Waits for the program to exit by itself and checks it succeeded.
    pub fn wait_success(&mut self, within: Duration) {
        let status = self.wait(within);
        if !status.success() {
            self.fail(&format!("exited with {status}"));
        }
    }

    fn wait(&mut self, within: Duration) -> ExitStatus {
        let deadline = Instant::now() + within;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => {
                    // Let the reader threads take the last output.
                    std::thread::sleep(Duration::from_millis(50));
                    return status;
                }
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20))
                }
                Ok(None) => self.fail(&format!("still running after {within:?}")),
                Err(e) => self.fail(&format!("wait failed: {e}")),
            }
        }
    }

    fn fail(&self, why: &str) -> ! {
        panic!(
            "{}: {why}\n--- {} printed ---\n{}",
            self.name,
            self.name,
            self.transcript()
        )
    }
}

impl Drop for Program {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The path of a built example of this crate, next to the test binary's directory.
pub fn example_path(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    // target/<profile>/deps/<test> → target/<profile>/examples/<name>
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("test binary in target/<profile>/deps");
    let path = profile_dir.join("examples").join(name);
    assert!(
        path.exists(),
        "{} is missing: run `cargo test -p rtcio` (which builds the examples) or \
         `cargo build -p rtcio --examples` first",
        path.display()
    );
    path
}

/// A TCP port nobody listens on right now (for the signaling socket).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("bind an ephemeral port")
}

/// `--signaling tcp-socket --signaling-port <port>` as arguments.
pub fn tcp_signaling(port: u16) -> Vec<String> {
    vec![
        "--signaling".into(),
        "tcp-socket".into(),
        "--signaling-port".into(),
        port.to_string(),
    ]
}

/// A fresh scratch directory under the system's temporary directory.
pub fn scratch_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rtcio-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch directory");
    dir
}
