//! Permissions (per peer IP, RFC 8656 §9) and channel bindings (per peer address, §12) of one
//! allocation, with their refresh times, and the bounded queue of data waiting for them.

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use rtcio_stun::channel_data::{MAX_CHANNEL_NUMBER, MIN_CHANNEL_NUMBER};

/// A permission lasts 300 s (RFC 8656 §9); it is refreshed after 240 s.
pub(crate) const PERMISSION_REFRESH: Duration = Duration::from_secs(240);
/// A channel binding lasts 600 s (RFC 8656 §12); it is refreshed after 540 s.
pub(crate) const CHANNEL_REFRESH: Duration = Duration::from_secs(540);
/// Most peer IPs with a permission.
pub(crate) const MAX_PERMISSIONS: usize = 256;
/// Most channel bindings (fewer than the 4096 numbers RFC 8656 allows).
pub(crate) const MAX_CHANNELS: usize = 256;
/// Most datagrams held while their permission is being installed.
pub(crate) const MAX_QUEUED: usize = 64;

/// Whether a permission or channel is usable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    /// Requested, no answer yet.
    Pending,
    /// Installed; refreshed at the time given (`None` while a refresh is in flight).
    Installed(Option<Instant>),
}

/// A bound channel.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Channel {
    pub(crate) number: u16,
    pub(crate) status: Status,
}

/// Permissions, channels and queued data.
#[derive(Debug, Default)]
pub(crate) struct Permissions {
    perms: HashMap<IpAddr, Status>,
    channels: HashMap<SocketAddr, Channel>,
    by_number: HashMap<u16, SocketAddr>,
    next_number: u16,
    queue: VecDeque<(SocketAddr, Vec<u8>)>,
}

impl Permissions {
    /// The permission status for `ip`.
    pub(crate) fn permission(&self, ip: IpAddr) -> Option<Status> {
        self.perms.get(&ip).copied()
    }

    /// Records a requested permission; false if the table is full.
    pub(crate) fn request_permission(&mut self, ip: IpAddr) -> bool {
        if self.perms.len() >= MAX_PERMISSIONS {
            return false;
        }
        self.perms.insert(ip, Status::Pending);
        true
    }

    /// A CreatePermission succeeded.
    pub(crate) fn permission_installed(&mut self, ip: IpAddr, now: Instant) {
        self.perms
            .insert(ip, Status::Installed(Some(now + PERMISSION_REFRESH)));
    }

    /// A CreatePermission failed: forget it and drop its queued data. Returns how many
    /// datagrams were dropped.
    pub(crate) fn permission_failed(&mut self, ip: IpAddr) -> usize {
        self.perms.remove(&ip);
        let before = self.queue.len();
        self.queue.retain(|(peer, _)| peer.ip() != ip);
        before - self.queue.len()
    }

    /// The channel bound (or being bound) to `peer`.
    pub(crate) fn channel(&self, peer: SocketAddr) -> Option<Channel> {
        self.channels.get(&peer).copied()
    }

    /// The peer of a channel number, if bound.
    pub(crate) fn peer_of(&self, number: u16) -> Option<SocketAddr> {
        let peer = self.by_number.get(&number)?;
        match self.channels.get(peer)?.status {
            Status::Installed(_) => Some(*peer),
            Status::Pending => None,
        }
    }

    /// Picks a number for `peer`; `None` when no more channels may be bound.
    pub(crate) fn request_channel(&mut self, peer: SocketAddr) -> Option<u16> {
        if self.channels.len() >= MAX_CHANNELS {
            return None;
        }
        let span = MAX_CHANNEL_NUMBER - MIN_CHANNEL_NUMBER + 1;
        let number = MIN_CHANNEL_NUMBER + self.next_number % span;
        if self.by_number.contains_key(&number) {
            return None;
        }
        self.next_number = self.next_number.wrapping_add(1);
        self.channels.insert(
            peer,
            Channel {
                number,
                status: Status::Pending,
            },
        );
        self.by_number.insert(number, peer);
        Some(number)
    }

    /// A ChannelBind succeeded (it also installs or refreshes the peer's permission).
    pub(crate) fn channel_bound(&mut self, peer: SocketAddr, now: Instant) {
        if let Some(c) = self.channels.get_mut(&peer) {
            c.status = Status::Installed(Some(now + CHANNEL_REFRESH));
        }
        if self.perms.contains_key(&peer.ip()) || self.perms.len() < MAX_PERMISSIONS {
            self.perms
                .insert(peer.ip(), Status::Installed(Some(now + PERMISSION_REFRESH)));
        }
    }

    /// A ChannelBind failed: the peer goes on with Send indications.
    pub(crate) fn channel_failed(&mut self, peer: SocketAddr) {
        if let Some(c) = self.channels.remove(&peer) {
            self.by_number.remove(&c.number);
        }
    }

    /// Queues data until the peer's permission is installed. False when the queue is full.
    pub(crate) fn enqueue(&mut self, peer: SocketAddr, data: &[u8]) -> bool {
        if self.queue.len() >= MAX_QUEUED {
            return false;
        }
        self.queue.push_back((peer, data.to_vec()));
        true
    }

    /// Takes the queued data whose peer can now be sent to.
    pub(crate) fn take_sendable(&mut self) -> Vec<(SocketAddr, Vec<u8>)> {
        let mut out = Vec::new();
        let mut keep = VecDeque::new();
        while let Some((peer, data)) = self.queue.pop_front() {
            if matches!(self.perms.get(&peer.ip()), Some(Status::Installed(_))) {
                out.push((peer, data));
            } else {
                keep.push_back((peer, data));
            }
        }
        self.queue = keep;
        out
    }

    /// Permissions due for refresh at `now`; each is marked as being refreshed.
    pub(crate) fn due_permissions(&mut self, now: Instant) -> Vec<IpAddr> {
        let mut due = Vec::new();
        for (ip, status) in &mut self.perms {
            if let Status::Installed(Some(t)) = status
                && *t <= now
            {
                *status = Status::Installed(None);
                due.push(*ip);
            }
        }
        due
    }

    /// Channels due for refresh at `now`; each is marked as being refreshed.
    pub(crate) fn due_channels(&mut self, now: Instant) -> Vec<(SocketAddr, u16)> {
        let mut due = Vec::new();
        for (peer, c) in &mut self.channels {
            if let Status::Installed(Some(t)) = c.status
                && t <= now
            {
                c.status = Status::Installed(None);
                due.push((*peer, c.number));
            }
        }
        due
    }

    /// The earliest refresh time.
    pub(crate) fn next_refresh(&self) -> Option<Instant> {
        let perms = self.perms.values().filter_map(|s| match s {
            Status::Installed(t) => *t,
            Status::Pending => None,
        });
        let chans = self.channels.values().filter_map(|c| match c.status {
            Status::Installed(t) => t,
            Status::Pending => None,
        });
        perms.chain(chans).min()
    }

    /// Forgets everything (the allocation is gone).
    pub(crate) fn clear(&mut self) {
        *self = Self::default();
    }
}
