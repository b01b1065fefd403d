//! DNS names on the wire (RFC 1035 §3.1, §4.1.4): labels, compression pointers, bounds.

use super::MdnsError;

/// Longest name on the wire, length bytes and the root label included (RFC 1035 §2.3.4).
const MAX_NAME_LEN: usize = 255;
/// Longest label (RFC 1035 §2.3.4).
const MAX_LABEL_LEN: usize = 63;
/// Most compression pointers followed while reading one name.
const MAX_POINTERS: usize = 16;

/// Whether `host` is an mDNS name: it ends in `.local` (or `.local.`), case-insensitively, and
/// has at least one label before it.
pub fn is_mdns_hostname(host: &str) -> bool {
    let host = host.strip_suffix('.').unwrap_or(host);
    let Some(split) = host.len().checked_sub(".local".len()) else {
        return false;
    };
    split > 0 && host.is_char_boundary(split) && host[split..].eq_ignore_ascii_case(".local")
}

/// Normalizes a name for comparisons: ASCII lower case, no trailing dot.
pub(crate) fn normalize(name: &str) -> String {
    name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase()
}

/// Appends `name` (dotted, an optional trailing dot) in wire form.
pub(crate) fn encode(name: &str, out: &mut Vec<u8>) -> Result<(), MdnsError> {
    let name = name.strip_suffix('.').unwrap_or(name);
    let mut len = 1;
    let start = out.len();
    for label in name.split('.') {
        if label.is_empty() || label.len() > MAX_LABEL_LEN {
            out.truncate(start);
            return Err(MdnsError::BadLabel);
        }
        len += label.len() + 1;
        if len > MAX_NAME_LEN {
            out.truncate(start);
            return Err(MdnsError::NameTooLong);
        }
        out.push(label.len() as u8);
        out.extend_from_slice(label.as_bytes());
    }
    out.push(0);
    Ok(())
}

/// Reads the name at `pos` in `msg`. Returns it dotted and lower-cased (labels that are not
/// UTF-8 are replaced lossily) and the position just after it in the record.
pub(crate) fn decode(msg: &[u8], mut pos: usize) -> Result<(String, usize), MdnsError> {
    let mut name = String::new();
    let mut wire_len = 1;
    let mut pointers = 0;
    let mut end = None;
    loop {
        let len = *msg.get(pos).ok_or(MdnsError::Truncated)?;
        match len & 0xc0 {
            0x00 if len == 0 => break,
            0x00 => {}
            0xc0 => {
                let low = *msg.get(pos + 1).ok_or(MdnsError::Truncated)?;
                pointers += 1;
                if pointers > MAX_POINTERS {
                    return Err(MdnsError::TooManyPointers);
                }
                end.get_or_insert(pos + 2);
                pos = usize::from(len & 0x3f) << 8 | usize::from(low);
                continue;
            }
            _ => return Err(MdnsError::BadLabel),
        }
        let len = usize::from(len);
        wire_len += len + 1;
        if wire_len > MAX_NAME_LEN {
            return Err(MdnsError::NameTooLong);
        }
        let label = msg
            .get(pos + 1..pos + 1 + len)
            .ok_or(MdnsError::Truncated)?;
        if label.contains(&b'.') {
            return Err(MdnsError::BadLabel);
        }
        if !name.is_empty() {
            name.push('.');
        }
        name.push_str(&String::from_utf8_lossy(label).to_ascii_lowercase());
        pos += 1 + len;
    }
    Ok((name, end.unwrap_or(pos + 1)))
}
