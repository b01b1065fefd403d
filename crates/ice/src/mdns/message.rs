//! mDNS messages (RFC 1035 §4.1 with RFC 6762 §18): parsing, the A/AAAA query, and responses.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::{MdnsError, name};

/// Record type A (RFC 1035).
pub const TYPE_A: u16 = 1;
/// Record type AAAA (RFC 3596).
pub const TYPE_AAAA: u16 = 28;
/// Class IN.
const CLASS_IN: u16 = 1;
/// The top bit of a question's class asks for a unicast response (RFC 6762 §5.4); of a
/// record's class, it is the cache-flush bit (§10.2).
const CLASS_TOP_BIT: u16 = 0x8000;
/// Flags of a response: QR and AA (RFC 6762 §18.2, §18.4).
const RESPONSE_FLAGS: u16 = 0x8400;
/// Most questions and records read from one message; the rest is ignored.
pub const MAX_RECORDS: usize = 64;

/// A question (RFC 1035 §4.1.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    /// The name, lower case, without trailing dot.
    pub name: String,
    /// The record type asked for.
    pub qtype: u16,
    /// Whether a unicast response is asked for (the QU bit, RFC 6762 §5.4).
    pub unicast_response: bool,
}

/// What a resource record holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordData {
    /// An IPv4 address (class IN, type A).
    A(Ipv4Addr),
    /// An IPv6 address (class IN, type AAAA).
    Aaaa(Ipv6Addr),
    /// Any other type or class: only its type is kept.
    Other(u16),
}

/// A resource record of the answer, authority or additional section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The owner name, lower case, without trailing dot.
    pub name: String,
    /// Time to live, in seconds.
    pub ttl: u32,
    /// The data.
    pub data: RecordData,
}

/// A parsed mDNS message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The query ID (zero in multicast messages, RFC 6762 §18.1).
    pub id: u16,
    /// Whether it is a response (QR).
    pub is_response: bool,
    /// The opcode (must be zero in mDNS, RFC 6762 §18.3).
    pub opcode: u8,
    /// The response code (must be zero in mDNS, RFC 6762 §18.11).
    pub rcode: u8,
    /// The questions (at most [`MAX_RECORDS`] are read).
    pub questions: Vec<Question>,
    /// Answer, authority and additional records in order (with the questions, at most
    /// [`MAX_RECORDS`] are read).
    pub records: Vec<Record>,
}

fn u16_at(msg: &[u8], pos: usize) -> Result<u16, MdnsError> {
    let b = msg.get(pos..pos + 2).ok_or(MdnsError::Truncated)?;
    Ok(u16::from_be_bytes([b[0], b[1]]))
}

fn u32_at(msg: &[u8], pos: usize) -> Result<u32, MdnsError> {
    let b = msg.get(pos..pos + 4).ok_or(MdnsError::Truncated)?;
    Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

impl Message {
    /// Parses a datagram. Never panics; reads at most [`MAX_RECORDS`] entries.
    pub fn parse(msg: &[u8]) -> Result<Message, MdnsError> {
        let flags = u16_at(msg, 2)?;
        let mut out = Message {
            id: u16_at(msg, 0)?,
            is_response: flags & 0x8000 != 0,
            opcode: ((flags >> 11) & 0xf) as u8,
            rcode: (flags & 0xf) as u8,
            questions: Vec::new(),
            records: Vec::new(),
        };
        let qdcount = usize::from(u16_at(msg, 4)?);
        let mut rrcount = 0;
        for i in 0..3 {
            rrcount += usize::from(u16_at(msg, 6 + 2 * i)?);
        }
        let mut pos = 12;
        for _ in 0..qdcount.min(MAX_RECORDS) {
            let (name, next) = name::decode(msg, pos)?;
            let qtype = u16_at(msg, next)?;
            let qclass = u16_at(msg, next + 2)?;
            out.questions.push(Question {
                name,
                qtype,
                unicast_response: qclass & CLASS_TOP_BIT != 0,
            });
            pos = next + 4;
        }
        if qdcount > MAX_RECORDS {
            return Ok(out);
        }
        for _ in 0..rrcount.min(MAX_RECORDS - qdcount) {
            let (name, next) = name::decode(msg, pos)?;
            let rtype = u16_at(msg, next)?;
            let class = u16_at(msg, next + 2)? & !CLASS_TOP_BIT;
            let ttl = u32_at(msg, next + 4)?;
            let rdlen = usize::from(u16_at(msg, next + 8)?);
            let rdata = msg
                .get(next + 10..next + 10 + rdlen)
                .ok_or(MdnsError::Truncated)?;
            let data = match (class, rtype) {
                (CLASS_IN, TYPE_A) => {
                    let b: [u8; 4] = rdata.try_into().map_err(|_| MdnsError::BadRecordLength)?;
                    RecordData::A(Ipv4Addr::from(b))
                }
                (CLASS_IN, TYPE_AAAA) => {
                    let b: [u8; 16] = rdata.try_into().map_err(|_| MdnsError::BadRecordLength)?;
                    RecordData::Aaaa(Ipv6Addr::from(b))
                }
                _ => RecordData::Other(rtype),
            };
            out.records.push(Record { name, ttl, data });
            pos = next + 10 + rdlen;
        }
        Ok(out)
    }
}

/// A one-shot query for the A and AAAA records of a `.local` name (RFC 6762 §5.1), and the
/// matcher of its responses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MdnsQuery {
    id: u16,
    name: String,
    wire: Vec<u8>,
}

impl MdnsQuery {
    /// A query for `name` (which must be a valid `.local` name) with the query ID `id`.
    ///
    /// The questions carry the QU bit (RFC 6762 §5.4), and the query is meant to be sent from
    /// an ephemeral port, so responders answer the sender directly (§6.7) as well as, possibly,
    /// the group.
    pub fn new(id: u16, name: &str) -> Result<MdnsQuery, MdnsError> {
        if !name::is_mdns_hostname(name) {
            return Err(MdnsError::NotLocal);
        }
        let name = name::normalize(name);
        let mut wire = Vec::with_capacity(name.len() + 30);
        wire.extend_from_slice(&id.to_be_bytes());
        wire.extend_from_slice(&[0, 0, 0, 2, 0, 0, 0, 0, 0, 0]);
        name::encode(&name, &mut wire)?;
        wire.extend_from_slice(&TYPE_A.to_be_bytes());
        wire.extend_from_slice(&(CLASS_IN | CLASS_TOP_BIT).to_be_bytes());
        // The second question points at the first name (offset 12).
        wire.extend_from_slice(&[0xc0, 12]);
        wire.extend_from_slice(&TYPE_AAAA.to_be_bytes());
        wire.extend_from_slice(&(CLASS_IN | CLASS_TOP_BIT).to_be_bytes());
        Ok(MdnsQuery { id, name, wire })
    }

    /// The name asked for (lower case, no trailing dot).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The query ID.
    pub fn id(&self) -> u16 {
        self.id
    }

    /// The datagram to send.
    pub fn to_bytes(&self) -> &[u8] {
        &self.wire
    }

    /// The addresses a received datagram gives for the name: the A and AAAA records owned by
    /// it, in order. Empty when the datagram is a valid message that does not answer it (a
    /// query, another name, an error code, another query ID); an error when it does not parse.
    pub fn addresses(&self, datagram: &[u8]) -> Result<Vec<IpAddr>, MdnsError> {
        let msg = Message::parse(datagram)?;
        // Multicast responses carry ID zero; direct (legacy unicast) ones repeat the query's.
        if !msg.is_response || msg.opcode != 0 || msg.rcode != 0 {
            return Ok(Vec::new());
        }
        if msg.id != 0 && msg.id != self.id {
            return Ok(Vec::new());
        }
        let mut out: Vec<IpAddr> = Vec::new();
        for r in msg.records.iter().filter(|r| r.name == self.name) {
            let ip = match r.data {
                RecordData::A(ip) => IpAddr::V4(ip),
                RecordData::Aaaa(ip) => IpAddr::V6(ip),
                RecordData::Other(_) => continue,
            };
            if !out.contains(&ip) {
                out.push(ip);
            }
        }
        Ok(out)
    }
}

/// Encodes a response with ID `id` answering `name` with `addrs` (A and AAAA records, class IN
/// with the cache-flush bit, time to live `ttl` seconds), as a responder would (RFC 6762 §6).
pub fn encode_response(
    id: u16,
    name: &str,
    addrs: &[IpAddr],
    ttl: u32,
) -> Result<Vec<u8>, MdnsError> {
    let count = u16::try_from(addrs.len().min(MAX_RECORDS)).unwrap_or(0);
    let mut out = Vec::new();
    out.extend_from_slice(&id.to_be_bytes());
    out.extend_from_slice(&RESPONSE_FLAGS.to_be_bytes());
    out.extend_from_slice(&[0, 0]);
    out.extend_from_slice(&count.to_be_bytes());
    out.extend_from_slice(&[0, 0, 0, 0]);
    for (i, ip) in addrs.iter().take(MAX_RECORDS).enumerate() {
        if i == 0 {
            name::encode(name, &mut out)?;
        } else {
            out.extend_from_slice(&[0xc0, 12]);
        }
        let (rtype, data): (u16, Vec<u8>) = match ip {
            IpAddr::V4(v4) => (TYPE_A, v4.octets().to_vec()),
            IpAddr::V6(v6) => (TYPE_AAAA, v6.octets().to_vec()),
        };
        out.extend_from_slice(&rtype.to_be_bytes());
        out.extend_from_slice(&(CLASS_IN | CLASS_TOP_BIT).to_be_bytes());
        out.extend_from_slice(&ttl.to_be_bytes());
        out.extend_from_slice(&(data.len() as u16).to_be_bytes());
        out.extend_from_slice(&data);
    }
    Ok(out)
}
