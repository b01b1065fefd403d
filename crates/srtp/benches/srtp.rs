//! Single-core throughput of SRTP protect and unprotect for 1200-byte RTP packets, per profile,
//! side by side with webrtc-rs `webrtc-srtp` (feature `compare-webrtc-srtp`) and libsrtp through
//! pylibsrtp (when `python3 -c 'import pylibsrtp'` works), measured in the same run.
//!
//! `cargo bench -p rtcio-srtp --features compare-webrtc-srtp --bench srtp`
//! Environment: `SRTP_BENCH_SECS` (per repetition, default 0.3), `SRTP_BENCH_REPS` (default 5),
//! `SRTP_BENCH_PRIMITIVES_ONLY=1` to measure only the primitive alternatives.
//! Each cell is the best repetition in million packets per second, with the worst after `/`.

use std::hint::black_box;
use std::process::Command;
use std::time::{Duration, Instant};

use rtcio_srtp::primitives::{AesCm, AesGcm, HmacSha1};
use rtcio_srtp::{ProtectionProfile, SrtpContext};

const PACKET_LEN: usize = 1200;
/// Packets per timed span; unprotect cycles through this many distinct packets (1.2 MB).
const BATCH: usize = 1024;
const SSRC: u32 = 0x1122_3344;

struct Settings {
    secs: f64,
    reps: usize,
}

/// Best and worst rate over the repetitions, in million operations per second.
#[derive(Clone, Copy)]
struct Rate {
    best: f64,
    worst: f64,
}

impl Rate {
    fn of(rates: &[f64]) -> Self {
        Rate {
            best: rates.iter().copied().fold(0.0, f64::max),
            worst: rates.iter().copied().fold(f64::INFINITY, f64::min),
        }
    }
}

impl std::fmt::Display for Rate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.3} / {:.3}", self.best, self.worst)
    }
}

/// Rates by the thread's CPU time (what one core does while it runs this code) and by the wall
/// clock (which also counts time the scheduler gave to other processes on a loaded machine).
#[derive(Clone, Copy)]
struct Rates {
    cpu: Option<Rate>,
    wall: Rate,
}

/// Nanoseconds this thread has run on a CPU (`/proc/thread-self/schedstat`), if available.
fn cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
        .filter(|&ns| ns > 0)
}

/// Wall and CPU time of a timed section.
struct Span {
    wall: Instant,
    cpu: Option<u64>,
}

impl Span {
    fn start() -> Self {
        let cpu = cpu_ns();
        Span {
            wall: Instant::now(),
            cpu,
        }
    }

    fn stop(self) -> (Duration, Option<Duration>) {
        let wall = self.wall.elapsed();
        let cpu = match (self.cpu, cpu_ns()) {
            (Some(a), Some(b)) => Some(Duration::from_nanos(b.saturating_sub(a))),
            _ => None,
        };
        (wall, cpu)
    }
}

/// Runs `batch` (which times `BATCH` operations with a [`Span`]) until the repetition's wall
/// time is used, `reps` times.
fn measure(s: &Settings, mut batch: impl FnMut() -> (Duration, Option<Duration>)) -> Rates {
    let (mut wall_rates, mut cpu_rates) = (Vec::new(), Vec::new());
    batch(); // warm up
    for _ in 0..s.reps {
        let (mut n, mut wall, mut cpu) = (0usize, Duration::ZERO, Some(Duration::ZERO));
        while wall.as_secs_f64() < s.secs {
            let (w, c) = batch();
            wall += w;
            cpu = cpu.zip(c).map(|(a, b)| a + b);
            n += BATCH;
        }
        wall_rates.push(n as f64 / wall.as_secs_f64() / 1e6);
        if let Some(cpu) = cpu.filter(|c| !c.is_zero()) {
            cpu_rates.push(n as f64 / cpu.as_secs_f64() / 1e6);
        }
    }
    Rates {
        cpu: (cpu_rates.len() == s.reps).then(|| Rate::of(&cpu_rates)),
        wall: Rate::of(&wall_rates),
    }
}

fn rtp(seq: u16) -> Vec<u8> {
    let mut p = vec![0x80, 96];
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&(u32::from(seq) * 960).to_be_bytes());
    p.extend_from_slice(&SSRC.to_be_bytes());
    p.extend((0..PACKET_LEN - 12).map(|i| (i as u8).wrapping_add(seq as u8)));
    p
}

fn master(profile: ProtectionProfile) -> (Vec<u8>, Vec<u8>) {
    let key: Vec<u8> = (0..profile.master_key_len() as u8).collect();
    let salt: Vec<u8> = (0..profile.master_salt_len() as u8)
        .map(|b| b ^ 0x5a)
        .collect();
    (key, salt)
}

fn rtcio_protect(s: &Settings, profile: ProtectionProfile) -> Rates {
    let (key, salt) = master(profile);
    let mut ctx = SrtpContext::new(profile, &key, &salt).unwrap();
    let mut packet = rtp(0);
    let mut out = Vec::with_capacity(PACKET_LEN + 16);
    let mut seq = 0u16;
    measure(s, || {
        let span = Span::start();
        for _ in 0..BATCH {
            packet[2..4].copy_from_slice(&seq.to_be_bytes());
            seq = seq.wrapping_add(1);
            ctx.protect_rtp(&packet, &mut out).unwrap();
            black_box(&out);
        }
        span.stop()
    })
}

fn rtcio_unprotect(s: &Settings, profile: ProtectionProfile) -> Rates {
    let (key, salt) = master(profile);
    let mut tx = SrtpContext::new(profile, &key, &salt).unwrap();
    let protected: Vec<Vec<u8>> = (0..BATCH as u16)
        .map(|seq| {
            let mut out = Vec::new();
            tx.protect_rtp(&rtp(seq), &mut out).unwrap();
            out
        })
        .collect();
    let mut out = Vec::with_capacity(PACKET_LEN + 16);
    measure(s, || {
        let mut rx = SrtpContext::new(profile, &key, &salt).unwrap();
        let span = Span::start();
        for p in &protected {
            rx.unprotect_rtp(p, &mut out).unwrap();
            black_box(&out);
        }
        span.stop()
    })
}

#[cfg(feature = "compare-webrtc-srtp")]
mod webrtc {
    use super::*;
    use webrtc_srtp::context::Context;
    use webrtc_srtp::option::{srtcp_replay_protection, srtp_replay_protection};
    use webrtc_srtp::protection_profile::ProtectionProfile as P;

    fn context(profile: ProtectionProfile) -> Context {
        let (key, salt) = master(profile);
        let p = match profile {
            ProtectionProfile::Aes128CmHmacSha1_80 => P::Aes128CmHmacSha1_80,
            ProtectionProfile::Aes128CmHmacSha1_32 => P::Aes128CmHmacSha1_32,
            ProtectionProfile::AeadAes128Gcm => P::AeadAes128Gcm,
            ProtectionProfile::AeadAes256Gcm => P::AeadAes256Gcm,
        };
        Context::new(
            &key,
            &salt,
            p,
            Some(srtp_replay_protection(128)),
            Some(srtcp_replay_protection(128)),
        )
        .unwrap()
    }

    pub fn protect(s: &Settings, profile: ProtectionProfile) -> Rates {
        let mut ctx = context(profile);
        let mut packet = rtp(0);
        let mut seq = 0u16;
        measure(s, || {
            let span = Span::start();
            for _ in 0..BATCH {
                packet[2..4].copy_from_slice(&seq.to_be_bytes());
                seq = seq.wrapping_add(1);
                black_box(ctx.encrypt_rtp(&packet).unwrap());
            }
            span.stop()
        })
    }

    pub fn unprotect(s: &Settings, profile: ProtectionProfile) -> Rates {
        let mut tx = context(profile);
        let protected: Vec<_> = (0..BATCH as u16)
            .map(|seq| tx.encrypt_rtp(&rtp(seq)).unwrap())
            .collect();
        // Ours must read theirs: the comparison is between equivalent work.
        let (key, salt) = master(profile);
        let mut check = SrtpContext::new(profile, &key, &salt).unwrap();
        let mut out = Vec::new();
        check.unprotect_rtp(&protected[0], &mut out).unwrap();
        assert_eq!(out, rtp(0));
        measure(s, || {
            let mut rx = context(profile);
            let span = Span::start();
            for p in &protected {
                black_box(rx.decrypt_rtp(p).unwrap());
            }
            span.stop()
        })
    }
}

/// libsrtp via pylibsrtp: (profile id, op, rates), or why not.
fn libsrtp(s: &Settings) -> Result<Vec<(u16, String, Rates)>, String> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/libsrtp_bench.py");
    let out = Command::new("python3")
        .arg(script)
        .arg(s.secs.to_string())
        .arg(s.reps.to_string())
        .arg(BATCH.to_string())
        .arg((PACKET_LEN - 12).to_string())
        .output()
        .map_err(|e| format!("python3: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(err.lines().last().unwrap_or("failed").to_string());
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let f: Vec<f64> = l
                .split_whitespace()
                .enumerate()
                .filter(|(i, _)| *i != 1)
                .filter_map(|(_, x)| x.parse().ok())
                .collect();
            let op = l.split_whitespace().nth(1)?.to_string();
            let rate = |i: usize| -> Option<Rate> {
                Some(Rate {
                    best: *f.get(i)?,
                    worst: *f.get(i + 1)?,
                })
            };
            let rates = Rates {
                cpu: rate(1),
                wall: rate(3)?,
            };
            Some((*f.first()? as u16, op, rates))
        })
        .collect())
}

/// The primitive choices behind the packet path: reused contexts against per-packet ones.
fn primitives(s: &Settings) {
    use openssl::hash::MessageDigest;
    use openssl::pkey::PKey;
    use openssl::sign::Signer;
    use openssl::symm::{Cipher, Crypter, Mode};

    let data = vec![7u8; PACKET_LEN];
    let key = [9u8; 20];
    let hmac = HmacSha1::new(&key);
    let ours = measure(s, || {
        let span = Span::start();
        for _ in 0..BATCH {
            black_box(hmac.mac(&[&data, &[0, 0, 0, 1]]));
        }
        span.stop()
    });
    let pkey = PKey::hmac(&key).unwrap();
    let signer = measure(s, || {
        let span = Span::start();
        for _ in 0..BATCH {
            let mut sg = Signer::new(MessageDigest::sha1(), &pkey).unwrap();
            sg.update(&data).unwrap();
            sg.update(&[0, 0, 0, 1]).unwrap();
            black_box(sg.sign_to_vec().unwrap());
        }
        span.stop()
    });
    let mut cm = AesCm::new(&[1u8; 16]).unwrap();
    let mut buf = data.clone();
    let reused = measure(s, || {
        let span = Span::start();
        for i in 0..BATCH {
            let mut iv = [0u8; 16];
            iv[8..16].copy_from_slice(&(i as u64).to_be_bytes());
            cm.apply_keystream(&iv, &mut buf).unwrap();
        }
        black_box(&buf);
        span.stop()
    });
    let mut out = vec![0u8; PACKET_LEN + 16];
    let fresh = measure(s, || {
        let span = Span::start();
        for i in 0..BATCH {
            let mut iv = [0u8; 16];
            iv[8..16].copy_from_slice(&(i as u64).to_be_bytes());
            let mut c =
                Crypter::new(Cipher::aes_128_ctr(), Mode::Encrypt, &[1u8; 16], Some(&iv)).unwrap();
            c.update(&data, &mut out).unwrap();
        }
        black_box(&out);
        span.stop()
    });
    let mut gcm = AesGcm::new(&[1u8; 16]).unwrap();
    let mut payload = vec![7u8; PACKET_LEN - 12];
    let seal = measure(s, || {
        let span = Span::start();
        for i in 0..BATCH {
            let mut iv = [0u8; 12];
            iv[4..12].copy_from_slice(&(i as u64).to_be_bytes());
            black_box(gcm.seal(&iv, &[&data[..12]], &mut payload).unwrap());
        }
        span.stop()
    });
    let mut small = [7u8; 16];
    let seal16 = measure(s, || {
        let span = Span::start();
        for i in 0..BATCH {
            let mut iv = [0u8; 12];
            iv[4..12].copy_from_slice(&(i as u64).to_be_bytes());
            black_box(gcm.seal(&iv, &[&data[..12]], &mut small).unwrap());
        }
        span.stop()
    });
    println!("\nPrimitive alternatives, 1200 bytes, M op/s by CPU time (best / worst):");
    for (name, r) in [
        (
            "HMAC-SHA1, precomputed pads + SHA-1 state copy (used)",
            ours,
        ),
        (
            "HMAC-SHA1, openssl::sign::Signer created per packet",
            signer,
        ),
        (
            "AES-128-CTR, one CipherCtx, IV re-set per packet (used)",
            reused,
        ),
        (
            "AES-128-CTR, openssl::symm::Crypter created per packet",
            fresh,
        ),
        (
            "AES-128-GCM seal of a 1188-byte payload, one CipherCtx",
            seal,
        ),
        ("AES-128-GCM seal of a 16-byte payload (fixed cost)", seal16),
    ] {
        println!("  {name:<56} {}", cell(r.cpu));
    }
}

fn cell(r: Option<Rate>) -> String {
    r.map_or("n/a".into(), |r| r.to_string())
}

fn main() {
    let env = |k: &str| std::env::var(k).ok().and_then(|v| v.parse().ok());
    let s = Settings {
        secs: env("SRTP_BENCH_SECS").unwrap_or(0.3),
        reps: env("SRTP_BENCH_REPS").map_or(5, |r: f64| r as usize).max(1),
    };
    println!(
        "SRTP, {PACKET_LEN}-byte RTP packets, one thread, Mpps, best / worst of {} x {}s",
        s.reps, s.secs
    );
    if std::env::var_os("SRTP_BENCH_PRIMITIVES_ONLY").is_some() {
        primitives(&s);
        return;
    }
    let libsrtp = libsrtp(&s);
    let mut rows = Vec::new();
    for profile in ProtectionProfile::ALL {
        for op in ["protect", "unprotect"] {
            let ours = if op == "protect" {
                rtcio_protect(&s, profile)
            } else {
                rtcio_unprotect(&s, profile)
            };
            #[cfg(feature = "compare-webrtc-srtp")]
            let theirs = Some(if op == "protect" {
                webrtc::protect(&s, profile)
            } else {
                webrtc::unprotect(&s, profile)
            });
            #[cfg(not(feature = "compare-webrtc-srtp"))]
            let theirs: Option<Rates> = None;
            let lib = libsrtp.as_ref().ok().and_then(|rows| {
                rows.iter()
                    .find(|(id, o, _)| *id == profile.id() && o == op)
                    .map(|(_, _, r)| *r)
            });
            rows.push((profile, op, ours, theirs, lib));
        }
    }
    type Pick = fn(&Rates) -> Option<Rate>;
    let tables: [(&str, Pick); 2] = [
        ("by thread CPU time (throughput of one core)", |r| r.cpu),
        ("by wall clock (includes time other processes took)", |r| {
            Some(r.wall)
        }),
    ];
    for (title, pick) in tables {
        println!("\n{title}");
        println!(
            "{:<28} {:<10} {:>15} {:>15} {:>15}",
            "profile", "op", "rtcio", "webrtc-srtp", "libsrtp(py)"
        );
        for (profile, op, ours, theirs, lib) in &rows {
            println!(
                "{:<28} {:<10} {:>15} {:>15} {:>15}",
                profile.name(),
                op,
                cell(pick(ours)),
                theirs
                    .as_ref()
                    .map_or("(feature off)".into(), |r| cell(pick(r))),
                lib.as_ref().map_or("n/a".into(), |r| cell(pick(r))),
            );
        }
    }
    match &libsrtp {
        Ok(rows) => {
            if let Some((_, _, r)) = rows.iter().find(|(_, o, _)| o == "pycall") {
                println!(
                    "libsrtp(py): every call crosses Python; an identity call loop runs at {} M/s",
                    cell(r.cpu)
                );
            }
        }
        Err(e) => println!("libsrtp(py) not measured: {e}"),
    }
    primitives(&s);
}
