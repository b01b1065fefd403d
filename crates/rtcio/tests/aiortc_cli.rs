//! rtcio's `datachannel-cli` against an aiortc peer playing aiortc's datachannel-cli protocol,
//! in both roles and over every signaling channel aiortc has.

mod interop;

use std::time::Duration;

use interop::{Program, free_port, scratch_dir, tcp_signaling};

/// Generous: loopback drops packets under load and the peers retransmit.
const PATIENCE: Duration = Duration::from_secs(30);

fn args<'a>(role: &'a str, signaling: &'a [String]) -> Vec<&'a str> {
    let mut v = vec![role];
    v.extend(signaling.iter().map(String::as_str));
    v
}

/// The offerer's first line.
fn expect_local_channel(offerer: &mut Program) {
    offerer.expect_line(
        "the channel",
        |l| l == "channel(chat) - created by local party",
        PATIENCE,
    );
}

/// Reads three round trips from an offerer's output: each ping answered with its own stamp, and
/// an RTT line that parses and is plausible.
fn expect_round_trips(offerer: &mut Program) {
    for _ in 0..3 {
        let ping = offerer.expect_line(
            "a ping",
            |l| l.starts_with("channel(chat) > ping "),
            PATIENCE,
        );
        let stamp = ping.trim_start_matches("channel(chat) > ping ").to_owned();
        let pong = offerer.expect_line(
            "a pong",
            |l| l.starts_with("channel(chat) < pong"),
            PATIENCE,
        );
        assert_eq!(pong, format!("channel(chat) < pong {stamp}"));
        let rtt = offerer.expect_line("an RTT", |l| l.starts_with(" RTT "), PATIENCE);
        let ms: f64 = rtt
            .trim_start_matches(" RTT ")
            .trim_end_matches(" ms")
            .parse()
            .unwrap_or_else(|_| panic!("RTT line {rtt:?}"));
        assert!((0.0..PATIENCE.as_millis() as f64).contains(&ms), "{rtt}");
    }
}

#[test]
fn rtcio_offers_aiortc_answers_over_tcp() {
    let signaling = tcp_signaling(free_port());
    let mut offerer = Program::example("datachannel-cli", &args("offer", &signaling));
    let mut answerer = Program::aiortc("cli.py", &args("answer", &signaling));
    expect_local_channel(&mut offerer);
    expect_round_trips(&mut offerer);
    answerer.expect_line(
        "the remote channel",
        |l| l == "channel(chat) - created by remote party",
        PATIENCE,
    );
    // Ctrl-C: rtcio closes, saying bye over signaling; aiortc leaves on the bye.
    offerer.interrupt();
    offerer.wait_success(PATIENCE);
    answerer.expect_line("Exiting", |l| l == "Exiting", PATIENCE);
    answerer.wait_success(PATIENCE);
}

#[test]
fn aiortc_offers_rtcio_answers_over_tcp() {
    let signaling = tcp_signaling(free_port());
    // Started first: rtcio's answerer waits for the offerer's listening socket.
    let mut answerer = Program::example("datachannel-cli", &args("answer", &signaling));
    let mut offerer = Program::aiortc("cli.py", &args("offer", &signaling));
    expect_local_channel(&mut offerer);
    expect_round_trips(&mut offerer);
    offerer.wait_success(PATIENCE);
    answerer.expect_line(
        "the remote channel",
        |l| l == "channel(chat) - created by remote party",
        PATIENCE,
    );
    answerer.expect_line(
        "a pong sent",
        |l| l.starts_with("channel(chat) > pong "),
        PATIENCE,
    );
    answerer.expect_line("Exiting", |l| l == "Exiting", PATIENCE);
    answerer.wait_success(PATIENCE);
}

#[test]
fn rtcio_offers_aiortc_answers_over_unix_socket() {
    let dir = scratch_dir("cli-unix");
    let path = dir.join("signaling.sock");
    let signaling = vec![
        "--signaling".to_owned(),
        "unix-socket".to_owned(),
        "--signaling-path".to_owned(),
        path.display().to_string(),
    ];
    let mut offerer = Program::example("datachannel-cli", &args("offer", &signaling));
    let mut answerer = Program::aiortc("cli.py", &args("answer", &signaling));
    expect_local_channel(&mut offerer);
    expect_round_trips(&mut offerer);
    // SIGTERM, as `kill` or a service manager sends it, closes as cleanly as Ctrl-C.
    offerer.terminate();
    offerer.wait_success(PATIENCE);
    answerer.expect_line("Exiting", |l| l == "Exiting", PATIENCE);
    answerer.wait_success(PATIENCE);
    assert!(!path.exists(), "the listening side removes its socket file");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn aiortc_offers_rtcio_answers_by_copy_and_paste() {
    let signaling = vec!["--signaling".to_owned(), "copy-and-paste".to_owned()];
    let mut offerer = Program::aiortc("cli.py", &args("offer", &signaling));
    let mut answerer = Program::example("datachannel-cli", &args("answer", &signaling));
    // The user's part: carry each printed message to the other side.
    let is_message = |l: &str| l.starts_with('{');
    expect_local_channel(&mut offerer);
    let offer = offerer.expect_line("the offer", is_message, PATIENCE);
    assert!(offer.contains("\"type\": \"offer\""), "{offer}");
    answerer.write_line(&offer);
    let answer = answerer.expect_line("the answer", is_message, PATIENCE);
    assert!(
        answer.starts_with("{\"sdp\": \"v=0\\r\\n"),
        "aiortc's format: {answer}"
    );
    assert!(answer.ends_with("\"type\": \"answer\"}"), "{answer}");
    offerer.write_line(&answer);
    expect_round_trips(&mut offerer);
    // aiortc's offerer leaves after three round trips, printing its bye to paste.
    let bye = offerer.expect_line("the bye", is_message, PATIENCE);
    assert_eq!(bye, "{\"type\": \"bye\"}");
    offerer.wait_success(PATIENCE);
    answerer.write_line(&bye);
    answerer.expect_line("Exiting", |l| l == "Exiting", PATIENCE);
    answerer.wait_success(PATIENCE);
}
