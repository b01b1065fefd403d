//! Sequence number and timestamp unwrapping.

use rtcio_rtp::seq::seq_newer;
use rtcio_rtp::{SeqUnwrapper, TimestampUnwrapper};

#[test]
fn sequence_numbers_unwrap_across_wraps() {
    let mut u = SeqUnwrapper::new();
    assert_eq!(u.unwrap(65534), 65534);
    assert_eq!(u.unwrap(65535), 65535);
    assert_eq!(u.unwrap(0), 65536);
    assert_eq!(u.unwrap(1), 65537);
    // Reordered packet from before the wrap.
    assert_eq!(u.unwrap(65535), 65535);
    assert_eq!(u.unwrap(2), 65538);
    assert_eq!(u.peek(3), 65539);
}

#[test]
fn reordering_before_the_first_value_never_goes_negative() {
    let mut u = SeqUnwrapper::new();
    assert_eq!(u.unwrap(2), 2);
    assert_eq!(u.unwrap(65535), 65535);
}

#[test]
fn many_wraps_accumulate() {
    let mut u = SeqUnwrapper::new();
    let mut last = 0;
    for i in 0..1_000_000u64 {
        last = u.unwrap((i * 1000 % 65536) as u16);
    }
    assert_eq!(last, 999_999 * 1000);
}

#[test]
fn timestamps_unwrap() {
    let mut u = TimestampUnwrapper::new();
    assert_eq!(u.unwrap(u32::MAX - 10), u64::from(u32::MAX - 10));
    assert_eq!(u.unwrap(5), (1 << 32) + 5);
    assert_eq!(u.unwrap(u32::MAX - 20), u64::from(u32::MAX - 20));
}

#[test]
fn serial_comparison() {
    assert!(seq_newer(1, 0));
    assert!(seq_newer(0, 65535));
    assert!(!seq_newer(65535, 0));
    assert!(!seq_newer(5, 5));
}
