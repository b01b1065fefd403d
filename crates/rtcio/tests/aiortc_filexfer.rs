//! rtcio's `datachannel-filexfer` against an aiortc peer playing aiortc's filexfer protocol, in
//! both directions, and against itself; every copy is checked byte for byte.

mod interop;

use std::path::Path;
use std::time::Duration;

use interop::{Program, free_port, scratch_dir, tcp_signaling};

/// Generous: aiortc moves a few MB/s, and debug builds of rtcio are slow too.
const PATIENCE: Duration = Duration::from_secs(120);

/// Deterministic bytes that do not compress or repeat within a chunk.
fn write_test_file(path: &Path, len: usize) {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15 ^ len as u64;
    let data: Vec<u8> = (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    std::fs::write(path, data).expect("write test file");
}

/// The `sha256 …` and byte count at the end of a `sent`/`received` summary line.
fn summary(program: &mut Program, verb: &str) -> (u64, String) {
    let line = program.expect_line(
        &format!("the {verb} summary"),
        |l| l.starts_with(&format!("{verb} ")) && l.contains(" sha256 "),
        PATIENCE,
    );
    let bytes = line
        .split(' ')
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("summary {line:?}"));
    let digest = line.rsplit(' ').next().unwrap_or_default().to_owned();
    (bytes, digest)
}

/// Runs a sender and a receiver (each rtcio or aiortc) and checks the copy.
fn transfer(sender_is_rtcio: bool, receiver_is_rtcio: bool, len: usize, name: &str) {
    let dir = scratch_dir(name);
    let (input, output) = (dir.join("input.bin"), dir.join("output.bin"));
    write_test_file(&input, len);
    let signaling = tcp_signaling(free_port());
    let start = |rtcio: bool, role: &str, file: &Path| {
        let mut args = vec![role.to_owned(), file.display().to_string()];
        args.extend(signaling.iter().cloned());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        if rtcio {
            Program::example("datachannel-filexfer", &args)
        } else {
            Program::aiortc("filexfer.py", &args)
        }
    };
    // The receiver first: it waits for the sender's listening socket.
    let mut receiver = start(receiver_is_rtcio, "receive", &output);
    let mut sender = start(sender_is_rtcio, "send", &input);

    let (received, received_digest) = summary(&mut receiver, "received");
    let (sent, sent_digest) = summary(&mut sender, "sent");
    sender.wait_success(PATIENCE);
    receiver.expect_line("Exiting", |l| l == "Exiting", PATIENCE);
    receiver.wait_success(PATIENCE);

    assert_eq!((sent, received), (len as u64, len as u64));
    assert_eq!(sent_digest, received_digest);
    let copy = std::fs::read(&output).expect("read the copy");
    assert!(
        copy == std::fs::read(&input).unwrap(),
        "the copy differs ({} bytes)",
        copy.len()
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn rtcio_sends_to_aiortc() {
    transfer(true, false, 3 * 1024 * 1024 + 17, "filexfer-rtcio-aiortc");
}

#[test]
fn aiortc_sends_to_rtcio() {
    transfer(false, true, 3 * 1024 * 1024 + 17, "filexfer-aiortc-rtcio");
}

#[test]
fn rtcio_sends_to_rtcio() {
    transfer(true, true, 16 * 1024 * 1024 + 1, "filexfer-rtcio-rtcio");
}

#[test]
fn empty_file_is_just_the_end_marker() {
    transfer(true, false, 0, "filexfer-empty");
}
