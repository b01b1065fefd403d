//! The signaling messages and their JSON text, byte for byte what aiortc's
//! `object_to_string` writes and what its `object_from_string` reads.

use std::io;

use serde_json::Value;

use crate::description::{RTCIceCandidateInit, RTCSdpType, RTCSessionDescription};

/// One message of aiortc's signaling protocol: one JSON object per line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignalingMessage {
    /// `{"sdp": "…", "type": "offer"}` or `"answer"`.
    Description(RTCSessionDescription),
    /// `{"candidate": "candidate:…", "id": mid, "label": mline_index, "type": "candidate"}`.
    ///
    /// An empty `candidate` means end-of-candidates. aiortc cannot read that message, so rtcio
    /// programs talking to aiortc send complete descriptions instead (aiortc never trickles).
    Candidate(RTCIceCandidateInit),
    /// `{"type": "bye"}`: the peer is done.
    Bye,
}

impl SignalingMessage {
    /// The message as aiortc writes it: sorted keys, `", "` and `": "` separators, non-ASCII
    /// escaped (Python's `json.dumps(message, sort_keys=True)`), without the line feed.
    pub fn to_json(&self) -> String {
        match self {
            SignalingMessage::Description(d) => format!(
                "{{\"sdp\": {}, \"type\": {}}}",
                py_string(&d.sdp),
                py_string(sdp_type_name(d.sdp_type))
            ),
            SignalingMessage::Candidate(c) => {
                let candidate = if c.candidate.is_empty() || c.candidate.starts_with("candidate:") {
                    c.candidate.clone()
                } else {
                    format!("candidate:{}", c.candidate)
                };
                let id = c.sdp_mid.as_deref().map_or("null".into(), py_string);
                let label = c.sdp_mline_index.map_or("null".into(), |i| i.to_string());
                format!(
                    "{{\"candidate\": {}, \"id\": {id}, \"label\": {label}, \"type\": \"candidate\"}}",
                    py_string(&candidate)
                )
            }
            SignalingMessage::Bye => "{\"type\": \"bye\"}".into(),
        }
    }

    /// Reads one message (surrounding whitespace, such as the line feed, is ignored).
    ///
    /// Fails with [`io::ErrorKind::InvalidData`] on anything aiortc would not accept either,
    /// except that an empty candidate is read as end-of-candidates.
    pub fn from_json(text: &str) -> io::Result<SignalingMessage> {
        let value: Value = serde_json::from_str(text.trim()).map_err(invalid)?;
        let kind = value
            .get("type")
            .and_then(Value::as_str)
            .ok_or_else(|| invalid("signaling message without a \"type\""))?;
        match kind {
            "offer" | "answer" => {
                let sdp = value
                    .get("sdp")
                    .and_then(Value::as_str)
                    .ok_or_else(|| invalid("description without \"sdp\""))?;
                let sdp_type = if kind == "offer" {
                    RTCSdpType::Offer
                } else {
                    RTCSdpType::Answer
                };
                Ok(SignalingMessage::Description(RTCSessionDescription {
                    sdp_type,
                    sdp: sdp.to_owned(),
                }))
            }
            "candidate" => {
                let candidate = value
                    .get("candidate")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let sdp_mid = value.get("id").and_then(|v| match v {
                    Value::String(s) => Some(s.clone()),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                });
                let sdp_mline_index = value
                    .get("label")
                    .and_then(Value::as_u64)
                    .and_then(|i| u16::try_from(i).ok());
                Ok(SignalingMessage::Candidate(RTCIceCandidateInit {
                    candidate: candidate.to_owned(),
                    sdp_mid,
                    sdp_mline_index,
                    username_fragment: None,
                }))
            }
            "bye" => Ok(SignalingMessage::Bye),
            other => Err(invalid(format!("unknown signaling message type {other:?}"))),
        }
    }
}

fn sdp_type_name(t: RTCSdpType) -> &'static str {
    match t {
        RTCSdpType::Offer => "offer",
        RTCSdpType::Pranswer => "pranswer",
        RTCSdpType::Answer => "answer",
        RTCSdpType::Rollback => "rollback",
    }
}

fn invalid(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e)
}

/// A JSON string literal as Python's `json.dumps` writes it with `ensure_ascii=True`: printable
/// ASCII as is, the short escapes, everything else as lower-case `\uXXXX` (UTF-16 pairs above
/// the BMP).
fn py_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{u:04x}"));
                }
            }
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_string_escapes() {
        assert_eq!(py_string("a\"b\\c\r\n\t"), r#""a\"b\\c\r\n\t""#);
        assert_eq!(
            py_string("\u{1}\u{7f}é😀"),
            r#""\u0001\u007f\u00e9\ud83d\ude00""#
        );
    }
}
