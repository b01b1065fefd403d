//! Feeds arbitrary datagrams to an ICE agent's STUN handling: it must never panic, and its
//! queues and candidate lists must stay bounded.
//!
//! Each record of the input is either raw bytes, or a Binding message built from fuzzed fields
//! and signed with the right key (so that the authenticated paths are reached: requests with
//! every role/priority/USE-CANDIDATE combination, and responses to the agent's own outstanding
//! transactions).
#![no_main]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use rtcio_ice::{
    Agent, AgentConfig, Candidate, CandidateKind, Credentials, DeterministicRandom, IceRole,
    Receive,
};
use rtcio_stun::{Attribute, Class, ErrorCode, MessageBuilder, Method, TransactionId, integrity};

const LOCAL_PWD: &str = "fuzzPassword0123456789xyz";
const PEER_PWD: &str = "peerPassword0123456789xyz";

/// A Binding message from fuzzed fields; `None` if the builder refuses them.
fn structured(f: &[u8], last_tid: Option<[u8; 12]>, mapped: SocketAddr) -> Option<Vec<u8>> {
    let get = |i: usize| f.get(i).copied().unwrap_or(0);
    let class = match get(0) % 3 {
        0 => Class::Request,
        1 => Class::SuccessResponse,
        _ => Class::ErrorResponse,
    };
    let tid = match (get(1) % 2, last_tid) {
        (0, Some(t)) => t,
        _ => [get(2); 12],
    };
    let mut b = MessageBuilder::new(class, Method::BINDING, TransactionId::new(tid));
    let flags = get(3);
    if class == Class::Request {
        let user = if flags & 1 == 0 {
            "fuzz:peer"
        } else {
            "peer:fuzz"
        };
        b.add(&Attribute::Username(user)).ok()?;
        if flags & 2 != 0 {
            let p = u32::from_be_bytes([get(4), get(5), get(6), get(7)]);
            b.add(&Attribute::Priority(p)).ok()?;
        }
        let tb = u64::from(get(8)) << 56 | u64::from(get(9));
        match (flags >> 2) & 3 {
            0 => b.add(&Attribute::IceControlling(tb)).ok()?,
            1 => b.add(&Attribute::IceControlled(tb)).ok()?,
            2 => b
                .add(&Attribute::IceControlling(tb))
                .ok()?
                .add(&Attribute::IceControlled(tb))
                .ok()?,
            _ => &mut b,
        };
        if flags & 16 != 0 {
            b.add(&Attribute::UseCandidate).ok()?;
        }
    } else if class == Class::SuccessResponse {
        if flags & 1 == 0 {
            b.add(&Attribute::XorMappedAddress(mapped)).ok()?;
        } else {
            let port = u16::from_be_bytes([get(4), get(5)]);
            let other = SocketAddr::from(([10, get(6), get(7), 1], port));
            b.add(&Attribute::XorMappedAddress(other)).ok()?;
        }
    } else {
        let code = [400, 401, 487, 500][usize::from(get(4) % 4)];
        b.add(&Attribute::ErrorCode(ErrorCode { code, reason: "x" }))
            .ok()?;
    }
    if flags & 32 == 0 {
        let pwd = if class == Class::Request {
            LOCAL_PWD
        } else {
            PEER_PWD
        };
        let key = if flags & 64 == 0 {
            pwd
        } else {
            "wrongPassword0123456789xyz"
        };
        b.add_message_integrity(&integrity::short_term_key(key))
            .ok()?;
    }
    if flags & 128 == 0 {
        b.add_fingerprint().ok()?;
    }
    Some(b.build())
}

fuzz_target!(|data: &[u8]| {
    let now = Instant::now();
    let config = AgentConfig {
        role: IceRole::Controlled,
        local_credentials: Some(Credentials::new("fuzz", LOCAL_PWD)),
        tie_breaker: Some(7),
        max_remote_candidates: 8,
        ..AgentConfig::default()
    };
    let mut agent = Agent::new(config, Box::new(DeterministicRandom::new(1)));
    let local: SocketAddr = "10.0.0.1:5000".parse().unwrap();
    let remote: SocketAddr = "10.0.0.2:6000".parse().unwrap();
    agent.add_local_candidate(now, Candidate::host(local, 65535));
    agent.set_remote_credentials(now, "peer", PEER_PWD);
    agent.add_remote_candidate(
        now,
        Candidate::remote(CandidateKind::Host, remote, 2_130_706_431, "1"),
    );
    // Records: a mode byte, a 2-byte length, then that many bytes.
    let mut t = now;
    let mut rest = data;
    let mut last_tid = None;
    while let [mode, hi, lo, tail @ ..] = rest {
        let len = usize::from(u16::from_be_bytes([*hi, *lo])).min(tail.len());
        let (chunk, next) = tail.split_at(len);
        rest = next;
        let from = match mode % 4 {
            0 | 1 => remote,
            2 => SocketAddr::from(([10, 9, 9, mode >> 2], 9999)),
            _ => SocketAddr::from(([10, 8, 8, 8], u16::from(*mode) + 1000)),
        };
        let built;
        let datagram = if mode & 0x80 != 0 {
            match structured(chunk, last_tid, from) {
                Some(d) => {
                    built = d;
                    &built[..]
                }
                None => chunk,
            }
        } else {
            chunk
        };
        agent.handle_receive(
            t,
            Receive {
                local_addr: local,
                remote_addr: from,
                data: datagram,
            },
        );
        t += Duration::from_millis(u64::from(*mode & 0x3f) * 10);
        if agent.poll_timeout().is_some_and(|d| d <= t) {
            agent.handle_timeout(t);
        }
        let mut n = 0;
        while let Some(tx) = agent.poll_transmit() {
            if let Some(id) = tx.data.get(8..20) {
                let mut tid = [0u8; 12];
                tid.copy_from_slice(id);
                last_tid = Some(tid);
            }
            n += 1;
            assert!(n <= 256, "transmit queue is bounded");
        }
        while agent.poll_event().is_some() {}
    }
    assert!(agent.remote_candidates().len() <= 8);
    assert!(agent.pairs().count() <= AgentConfig::default().max_pairs);
});
