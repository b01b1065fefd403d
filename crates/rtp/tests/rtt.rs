//! Round-trip time from report blocks (RFC 3550 section 6.4.1) and XR DLRR (RFC 3611 section 4.5).

use std::time::Duration;

use rtcio_rtp::rtcp::{DlrrItem, NtpTime, ReportBlock, round_trip_time};

#[test]
fn rfc_3550_example() {
    // Section 6.4.1's example: A = 0xb710:8000 (46864.500 s), LSR = 0xb705:2000
    // (46853.125 s), DLSR = 0x0005:4000 (5.250 s): RTT 6.125 s.
    let arrival = NtpTime(0x0000_b710_8000_0000);
    assert_eq!(arrival.middle_32(), 0xb710_8000);
    let block = ReportBlock {
        last_sr: 0xb705_2000,
        delay_since_last_sr: 0x0005_4000,
        ..Default::default()
    };
    assert_eq!(
        block.round_trip_time(arrival),
        Some(Duration::from_millis(6125))
    );
}

#[test]
fn dlrr_and_edge_cases() {
    let item = DlrrItem {
        ssrc: 1,
        last_rr: 0x0001_0000,
        delay_since_last_rr: 0x0000_8000,
    };
    let arrival = NtpTime(0x0000_0002_0000_0000);
    assert_eq!(
        item.round_trip_time(arrival),
        Some(Duration::from_millis(500))
    );
    // Nothing echoed yet.
    assert_eq!(round_trip_time(0, 0, arrival), None);
    // Negative (clock trouble).
    assert_eq!(round_trip_time(0x0003_0000, 0, arrival), None);
}

#[test]
fn ntp_from_duration() {
    let t = NtpTime::from_duration(Duration::from_millis(1500));
    assert_eq!(t.0, (1 << 32) | (1 << 31));
}
