//! A listing of requests as JSON, written by hand into one buffer. serde_json writes every key
//! and every string through its escaping loop a byte at a time, a call per fragment: 89,000 of
//! the 190,000 instructions of a listing of 25 requests (`benches/README.md`). Here the keys
//! are written as they are (they hold nothing to escape), a string is looked through eight
//! bytes at a time and copied whole when it holds nothing to escape, and numbers and times are
//! written digit by digit. `Listing`'s `Serialize` stays what the answer reads as: a property
//! test holds the two to the same bytes.

use super::request_json::{Listed, Listing, Rfc3339};
use crate::views::text::{bytes_below, bytes_equal};

impl Listing<'_> {
    /// The listing as `serde_json::to_vec` writes it.
    pub(super) fn to_json(&self) -> Vec<u8> {
        // About 350 bytes a request.
        let mut out = Vec::with_capacity(64 + self.items.len() * 400);
        out.extend_from_slice(b"{\"items\":[");
        for (n, item) in self.items.iter().enumerate() {
            if n > 0 {
                out.push(b',');
            }
            item.write(&mut out);
        }
        out.extend_from_slice(b"],\"next\":");
        match &self.next {
            Some(next) => string(&mut out, next),
            None => out.extend_from_slice(b"null"),
        }
        out.push(b'}');
        out
    }
}

impl Listed<'_> {
    /// The fields in the order they are declared, as the derived `Serialize` writes them.
    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"id\":");
        number(out, self.id);
        out.extend_from_slice(b",\"number\":");
        string(out, self.number.0.number_text().as_str());
        out.extend_from_slice(b",\"service_id\":");
        number(out, self.service_id);
        out.extend_from_slice(b",\"service_name\":");
        string(out, self.service_name);
        out.extend_from_slice(b",\"status\":");
        string(out, self.status);
        out.extend_from_slice(b",\"requester_id\":");
        number(out, self.requester_id);
        out.extend_from_slice(b",\"assignee_id\":");
        optional(out, self.assignee_id, number);
        out.extend_from_slice(b",\"created_at\":");
        time(out, &self.created_at);
        out.extend_from_slice(b",\"updated_at\":");
        time(out, &self.updated_at);
        out.extend_from_slice(b",\"expected_at\":");
        optional(out, self.expected_at.as_ref(), time);
        out.extend_from_slice(b",\"sla_policy_id\":");
        optional(out, self.sla_policy_id, number);
        out.extend_from_slice(b",\"due_at\":");
        optional(out, self.due_at.as_ref(), time);
        out.extend_from_slice(b",\"response_due_at\":");
        optional(out, self.response_due_at.as_ref(), time);
        out.extend_from_slice(b",\"breached\":");
        boolean(out, self.breached);
        out.extend_from_slice(b",\"paused\":");
        boolean(out, self.paused);
        out.push(b'}');
    }
}

pub(super) fn number(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

pub(super) fn boolean(out: &mut Vec<u8>, b: bool) {
    out.extend_from_slice(if b { b"true" } else { b"false" });
}

pub(super) fn time(out: &mut Vec<u8>, at: &Rfc3339) {
    match at.text() {
        Some(text) => string(out, text.as_str()),
        None => out.extend_from_slice(b"null"),
    }
}

pub(super) fn optional<T>(out: &mut Vec<u8>, value: Option<T>, write: impl Fn(&mut Vec<u8>, T)) {
    match value {
        Some(value) => write(out, value),
        None => out.extend_from_slice(b"null"),
    }
}

/// `text` as a JSON string, escaped as serde_json escapes it: `"` and `\` after a backslash,
/// the control characters with a short escape where JSON has one (`\n`…), else `\u00XX`.
pub(super) fn string(out: &mut Vec<u8>, text: &str) {
    out.push(b'"');
    let bytes = text.as_bytes();
    let mut words = bytes.chunks_exact(8);
    let plain = words
        .by_ref()
        .all(|word| !needs_escape(u64::from_le_bytes(word.try_into().unwrap_or([0; 8]))))
        && words.remainder().iter().all(|&b| escape_of(b).is_none());
    if plain {
        out.extend_from_slice(bytes);
    } else {
        escape_into(out, bytes);
    }
    out.push(b'"');
}

/// `bytes` escaped, byte by byte.
fn escape_into(out: &mut Vec<u8>, bytes: &[u8]) {
    let mut from = 0;
    for (at, &byte) in bytes.iter().enumerate() {
        let Some(escape) = escape_of(byte) else {
            continue;
        };
        // The bytes escaped are ASCII: `from..at` ends on a character boundary.
        out.extend_from_slice(&bytes[from..at]);
        match escape {
            Escape::Short(letter) => out.extend_from_slice(&[b'\\', letter]),
            Escape::Unicode => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                let (high, low) = (HEX[usize::from(byte >> 4)], HEX[usize::from(byte & 0xf)]);
                out.extend_from_slice(&[b'\\', b'u', b'0', b'0', high, low]);
            }
        }
        from = at + 1;
    }
    out.extend_from_slice(&bytes[from..]);
}

enum Escape {
    /// A backslash and this letter (or the character itself: `"`, `\`).
    Short(u8),
    /// `\u00XX`.
    Unicode,
}

/// How serde_json escapes `byte` (`ESCAPE` in its `ser.rs`), if it does.
fn escape_of(byte: u8) -> Option<Escape> {
    match byte {
        b'"' => Some(Escape::Short(b'"')),
        b'\\' => Some(Escape::Short(b'\\')),
        0x08 => Some(Escape::Short(b'b')),
        0x09 => Some(Escape::Short(b't')),
        0x0a => Some(Escape::Short(b'n')),
        0x0c => Some(Escape::Short(b'f')),
        0x0d => Some(Escape::Short(b'r')),
        0x00..=0x1f => Some(Escape::Unicode),
        _ => None,
    }
}

/// Whether one of the eight bytes of `word` is below a space, a `"` or a `\\`.
fn needs_escape(word: u64) -> bool {
    bytes_below(word, 0x20) | bytes_equal(word, b'"') | bytes_equal(word, b'\\') != 0
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::domain::request::{RequestId, SlaSummary, Status, Summary};
    use crate::domain::{ServiceId, Timestamp, UserId};
    use proptest::prelude::*;

    fn written(text: &str) -> String {
        let mut out = Vec::new();
        string(&mut out, text);
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        for text in [
            "",
            "Réinitialisation du mot de passe",
            "a \"quoted\" name",
            "back\\slash",
            "tab\there, line\nthere, \r\u{8}\u{c}",
            "\u{0}\u{1}\u{1f}\u{7f} ok",
            "exactly8",
            "sixteen bytes!!!",
            "seventeen\" bytes!",
            "emoji 🎉 and \u{2028}",
        ] {
            assert_eq!(
                written(text),
                serde_json::to_string(text).expect("json"),
                "{text:?}"
            );
        }
        // Every ASCII byte at every place of the eight-byte words and of what follows them.
        for byte in 0..0x80u8 {
            for at in 0..19 {
                let mut text = vec![b'x'; 19];
                text[at] = byte;
                let text = String::from_utf8(text).expect("ascii");
                let json = serde_json::to_string(&text).expect("json");
                assert_eq!(written(&text), json, "{byte:#x} at {at}");
            }
        }
    }

    /// Times jiff writes as digits, before year 0, and outside its range (`null`).
    pub(in crate::web) fn times() -> impl Strategy<Value = Timestamp> {
        prop_oneof![
            (0i64..4_102_444_800).prop_map(Timestamp),
            (-377_705_116_800i64..0).prop_map(Timestamp),
            any::<i64>().prop_map(Timestamp),
        ]
    }

    fn summaries() -> impl Strategy<Value = Summary> {
        let sla = (
            any::<u64>(),
            proptest::option::of(times()),
            proptest::option::of(times()),
        )
            .prop_flat_map(|(policy_id, response_due, resolution_due)| {
                (proptest::option::of(times()), any::<bool>()).prop_map(
                    move |(next_due, breached)| SlaSummary {
                        policy_id,
                        response_due,
                        resolution_due,
                        next_due,
                        breached,
                    },
                )
            });
        (
            (any::<u64>(), any::<u64>(), any::<String>(), any::<u64>()),
            (
                0..Status::ALL.len(),
                proptest::option::of(any::<u64>()),
                times(),
                times(),
            ),
            (
                proptest::option::of(times()),
                proptest::option::of(sla),
                any::<bool>(),
            ),
        )
            .prop_map(
                |(
                    (id, service, name, requester),
                    (status, assignee, created, updated),
                    (due, sla, paused),
                )| Summary {
                    id: RequestId(id),
                    service_id: ServiceId(service),
                    service_name: name,
                    requester: UserId(requester),
                    status: Status::ALL[status],
                    assignee: assignee.map(UserId),
                    created_at: created,
                    updated_at: updated,
                    due_at: due,
                    sla,
                    paused,
                    wake_at: None,
                },
            )
    }

    proptest! {
        /// Whatever the requests hold, the listing reads byte for byte as serde_json writes it.
        #[test]
        fn a_listing_is_written_as_serde_json_writes_it(
            summaries in proptest::collection::vec(summaries(), 0..6),
            next in proptest::option::of(any::<u64>()),
        ) {
            let listing = Listing {
                items: summaries.iter().map(Listed::of).collect(),
                next: next.map(|n| RequestId(n).number()),
            };
            let by_hand = listing.to_json();
            prop_assert_eq!(
                String::from_utf8(by_hand).expect("utf-8"),
                serde_json::to_string(&listing).expect("json")
            );
        }

        #[test]
        fn any_string_is_escaped_as_serde_json_escapes_it(text in any::<String>()) {
            prop_assert_eq!(written(&text), serde_json::to_string(&text).expect("json"));
        }
    }
}
