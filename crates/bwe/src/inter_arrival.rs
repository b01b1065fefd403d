//! Packet groups and the delay variation between them (draft-ietf-rmcat-gcc-02 section 5.2).
//!
//! Packets sent within [`GROUP_US`] of a group's first packet form one group (a video frame is
//! sent as a burst). For two consecutive groups the detector looks at how much longer (or
//! shorter) the second took to arrive than to send: `d = arrival delta - send delta`. Positive
//! values mean a queue is growing somewhere on the path.

/// Send-time span of one group, in µs.
pub const GROUP_US: i64 = 5_000;
/// Packets arriving within this many µs of the group's last one, with a negative propagation
/// delta, join the group: they were queued together and tell nothing about the path.
const BURST_US: i64 = 5_000;
/// Longest arrival span of one group, in µs.
const MAX_BURST_US: i64 = 100_000;
/// An arrival delta this far from its send delta (µs) is a receiver clock jump, not queuing:
/// the groups are reset.
pub const ARRIVAL_JUMP_US: i64 = 3_000_000;

/// When one packet was sent (sender clock) and arrived (receiver clock), in µs, and its size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PacketTiming {
    pub send_us: i64,
    pub arrival_us: i64,
    pub size: usize,
}

/// The deltas between two completed groups.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct GroupDelta {
    pub send_delta_us: i64,
    pub arrival_delta_us: i64,
    /// Arrival time of the later group's last packet.
    pub arrival_us: i64,
}

#[derive(Debug, Clone, Copy)]
struct Group {
    first_send: i64,
    last_send: i64,
    first_arrival: i64,
    last_arrival: i64,
}

impl Group {
    fn new(p: PacketTiming) -> Self {
        Self {
            first_send: p.send_us,
            last_send: p.send_us,
            first_arrival: p.arrival_us,
            last_arrival: p.arrival_us,
        }
    }
}

/// Groups packets (fed in arrival order) and produces deltas between consecutive groups.
#[derive(Debug, Clone, Default)]
pub(crate) struct InterArrival {
    current: Option<Group>,
    prev: Option<Group>,
    /// Times the groups were reset because of an arrival clock jump.
    pub resets: u64,
    /// Group pairs skipped because the later group arrived before the earlier one.
    pub reordered: u64,
}

impl InterArrival {
    fn belongs_to(g: &Group, p: PacketTiming) -> bool {
        if p.send_us.saturating_sub(g.first_send) <= GROUP_US {
            return true;
        }
        let arrival_delta = p.arrival_us.saturating_sub(g.last_arrival);
        let send_delta = p.send_us.saturating_sub(g.last_send);
        arrival_delta <= BURST_US
            && arrival_delta.saturating_sub(send_delta) < 0
            && p.arrival_us.saturating_sub(g.first_arrival) < MAX_BURST_US
    }

    /// Adds one received packet; returns the deltas when it completes a group that has a
    /// predecessor.
    pub(crate) fn on_packet(&mut self, p: PacketTiming) -> Option<GroupDelta> {
        let Some(cur) = self.current.as_mut() else {
            self.current = Some(Group::new(p));
            return None;
        };
        if p.send_us < cur.first_send {
            // Sent before the group being built: its information is already stale.
            return None;
        }
        if Self::belongs_to(cur, p) {
            cur.last_send = cur.last_send.max(p.send_us);
            cur.last_arrival = cur.last_arrival.max(p.arrival_us);
            return None;
        }
        let cur = *cur;
        let mut out = None;
        if let Some(prev) = self.prev {
            let send_delta_us = cur.last_send.saturating_sub(prev.last_send);
            let arrival_delta_us = cur.last_arrival.saturating_sub(prev.last_arrival);
            if arrival_delta_us
                .saturating_sub(send_delta_us)
                .saturating_abs()
                > ARRIVAL_JUMP_US
            {
                self.resets += 1;
                self.prev = None;
                self.current = Some(Group::new(p));
                return None;
            }
            if arrival_delta_us < 0 {
                self.reordered += 1;
            } else {
                out = Some(GroupDelta {
                    send_delta_us,
                    arrival_delta_us,
                    arrival_us: cur.last_arrival,
                });
            }
        }
        self.prev = Some(cur);
        self.current = Some(Group::new(p));
        out
    }
}
