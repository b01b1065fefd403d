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
//!
//! Nothing here reads a clock: every call takes `now`. Hostile feedback (unknown or absurd
//! sequence numbers, oversized status lists, clock jumps) is dropped and counted in
//! [`BweStats`], never a panic; every buffer has a `MAX_*` bound.
//!
//! ```
//! use std::time::{Duration, Instant};
//! use rtcio_bwe::{BweConfig, Pacer, PacerConfig, PacketKind, SendSideBwe, TwccReceiver};
//!
//! let start = Instant::now();
//! let mut bwe = SendSideBwe::new(BweConfig::default(), start);
//! let mut pacer = Pacer::new(PacerConfig::default(), bwe.pacing_rate());
//! let mut receiver = TwccReceiver::new(start, 1, 2);
//! let mut now = start;
//! for frame in 0..100u32 {
//!     // The encoder makes a frame at the target rate (30 fps) and hands its packets over.
//!     let bytes = (bwe.target_bitrate() / 8 / 30) as usize;
//!     for _ in 0..bytes.div_ceil(1000) {
//!         pacer.enqueue(now, PacketKind::Video, 1000, frame);
//!     }
//!     let frame_end = now + Duration::from_micros(33_333);
//!     while now < frame_end {
//!         while let Some((_kind, _frame)) = pacer.poll_send(now) {
//!             let seq = bwe.next_twcc_seq();
//!             bwe.on_packet_sent(now, seq, 1000);
//!             receiver.on_packet(now + Duration::from_millis(20), seq); // a perfect link
//!         }
//!         while let Some(fb) = receiver.poll_feedback(now) {
//!             bwe.on_feedback(now + Duration::from_millis(20), &fb);
//!             pacer.set_pacing_rate(now, bwe.pacing_rate());
//!         }
//!         now = pacer.poll_timeout().unwrap_or(frame_end).clamp(now + Duration::from_millis(1), frame_end);
//!     }
//! }
//! // Nothing limits the link, so the estimate only grew.
//! assert!(bwe.target_bitrate() > 300_000);
//! ```

mod aimd;
mod config;
mod delay_based;
mod inter_arrival;
mod loss_based;
mod overuse;
pub mod pacer;
mod rate;
pub mod remb;
pub mod send_side;
mod trendline;
pub mod twcc_receiver;
pub mod twcc_sender;

pub use config::BweConfig;
pub use overuse::BandwidthUsage;
pub use pacer::{Pacer, PacerConfig, PacerStats, PacketKind};
pub use rate::MAX_RATE_SAMPLES;
pub use remb::{RembEstimator, RembStats};
pub use rtcio_rtp::rtcp::TransportFeedback;
pub use send_side::{BweStats, SendSideBwe};
pub use twcc_receiver::{TwccReceiver, TwccReceiverStats};
pub use twcc_sender::{PacketResult, TwccSender, TwccSenderStats};
