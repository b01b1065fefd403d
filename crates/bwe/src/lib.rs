//! Sans-IO bandwidth estimation and pacing for rtcio (issue 10): transport-wide congestion
//! control feedback in both directions, a Google-congestion-control-style estimator
//! (draft-ietf-rmcat-gcc-02) whose target bitrate drives the encoders, REMB for peers without
//! transport-cc, and a leaky-bucket pacer.
//!
//! * [`SendSideBwe`]: transport-wide sequence numbers and send history ([`TwccSender`]),
//!   feedback → delay-based estimate (packet groups, trendline filter, adaptive-threshold
//!   over-use detector, AIMD) and loss-based cap → [`SendSideBwe::target_bitrate`]. REMB and
//!   receiver reports feed it when the peer has no transport-cc.
//! * [`TwccReceiver`]: records arrivals, produces [`TransportFeedback`] every 100 ms (sooner
//!   when many packets wait).
//! * [`RembEstimator`]: the same delay-based pipeline on the receiving side from abs-send-time,
//!   producing [`Remb`](rtcio_rtp::rtcp::Remb).
//! * [`Pacer`]: leaky bucket at the pacing rate, audio > retransmissions > video > padding,
//!   bounded queue with drop accounting.
//! * [`probe`]: probe clusters (3× and 6× the start rate, doubling while they succeed, and a
//!   periodic one at 2× the target while the path is calm) that the pacer sends at their rate,
//!   and the rate their arrivals show, which lifts the estimate at once.
//!
//! Nothing here reads a clock: every call takes `now`. Hostile feedback (unknown or absurd
//! sequence numbers, oversized status lists, clock jumps) is dropped and counted in
//! [`BweStats`], never a panic; every buffer has a `MAX_*` bound.
//!
//! ```
//! use std::time::{Duration, Instant};
//! use rtcio_bwe::{BweConfig, Paced, Pacer, PacerConfig, PacketKind, SendSideBwe, TwccReceiver};
//!
//! let start = Instant::now();
//! let mut bwe = SendSideBwe::new(BweConfig::default(), start);
//! let mut pacer = Pacer::new(PacerConfig::default(), bwe.pacing_rate());
//! let mut receiver = TwccReceiver::new(start, 1, 2);
//! for ms in 0..3000 {
//!     let now = start + Duration::from_millis(ms);
//!     if ms % 33 == 0 {
//!         // The encoder makes a frame at the target rate (30 fps) and queues its packets.
//!         let bytes = (bwe.target_bitrate() / 8 / 30) as usize;
//!         for _ in 0..bytes.div_ceil(1000) {
//!             pacer.enqueue(now, PacketKind::Video, 1000, ms);
//!         }
//!     }
//!     while let Some(paced) = pacer.poll_send(now) {
//!         // Write this into the transport-cc extension of the packet going out.
//!         let seq = bwe.next_twcc_seq();
//!         match paced {
//!             Paced::Packet { probe: None, .. } => bwe.on_packet_sent(now, seq, 1000),
//!             Paced::Packet { probe: Some(cluster), .. } => {
//!                 bwe.on_probe_packet_sent(now, seq, 1000, cluster)
//!             }
//!             // Make a padding packet of `size` bytes.
//!             Paced::Padding { size, probe } => bwe.on_probe_packet_sent(now, seq, size, probe),
//!         }
//!         receiver.on_packet(now, seq); // a perfect link
//!         while let Some(cluster) = bwe.poll_probe() {
//!             pacer.start_probe(now, cluster);
//!         }
//!     }
//!     while let Some(fb) = receiver.poll_feedback(now) {
//!         bwe.on_feedback(now, &fb);
//!         pacer.set_pacing_rate(now, bwe.pacing_rate());
//!     }
//! }
//! // Nothing limits the link: the probes (0.9, 1.8 Mbit/s, then doubling) lifted the estimate.
//! assert!(bwe.target_bitrate() > 1_000_000);
//! ```

mod aimd;
mod config;
mod delay_based;
mod inter_arrival;
mod loss_based;
mod overuse;
pub mod pacer;
pub mod probe;
mod rate;
pub mod remb;
pub mod send_side;
mod trendline;
pub mod twcc_receiver;
pub mod twcc_sender;

pub use config::BweConfig;
pub use overuse::BandwidthUsage;
pub use pacer::{Paced, Pacer, PacerConfig, PacerStats, PacketKind};
pub use probe::ProbeCluster;
pub use rate::MAX_RATE_SAMPLES;
pub use remb::{RembEstimator, RembStats};
pub use rtcio_rtp::rtcp::TransportFeedback;
pub use send_side::{BweStats, SendSideBwe};
pub use twcc_receiver::{TwccReceiver, TwccReceiverStats};
pub use twcc_sender::{PacketResult, TwccSender, TwccSenderStats};
