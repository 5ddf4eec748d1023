//! Text spliced into a page, escaped a run at a time. maud escapes a string byte by byte,
//! checking the buffer's room at each; on a listing of fifty rows that was a sixth of the
//! server's time (`benches/README.md`). `Text` escapes the same four characters, copying what
//! lies between them in one go, and renders exactly what maud would.

use crate::domain::request::RequestId;
use maud::{PreEscaped, Render};

/// `&str` to show as text: `(Text(&row.service_name))` where a page splices many.
pub struct Text<'a>(pub &'a str);

impl Render for Text<'_> {
    fn render_to(&self, buffer: &mut String) {
        escape(self.0, buffer);
    }
}

/// `text` escaped once, for a page that repeats it (a column's name in each row).
pub fn escaped(text: &str) -> PreEscaped<String> {
    let mut out = String::with_capacity(text.len());
    escape(text, &mut out);
    PreEscaped(out)
}

/// A request's tracking number, written straight into the page.
pub struct Number(pub RequestId);

impl Render for Number {
    fn render_to(&self, buffer: &mut String) {
        self.0.write_number(buffer);
    }
}

/// A link to a request named by its tracking number, the number written once for both.
pub struct TrackingLink(pub RequestId);

impl Render for TrackingLink {
    fn render_to(&self, buffer: &mut String) {
        let number = self.0.number_text();
        buffer.push_str("<a class=\"tracking\" href=\"/requests/");
        buffer.push_str(number.as_str());
        buffer.push_str("\">");
        buffer.push_str(number.as_str());
        buffer.push_str("</a>");
    }
}

/// Makes room for that many more bytes where it is spliced, writing nothing: a long listing then
/// grows its page once rather than doubling it row after row.
pub struct Reserve(pub usize);

impl Render for Reserve {
    fn render_to(&self, buffer: &mut String) {
        buffer.reserve(self.0);
    }
}

/// Appends `<span class="…">text</span>`, the class given in parts (`["badge ", "ok"]`), the
/// text escaped: how a listing writes its many badges without a `Markup` each.
pub fn push_span(out: &mut String, class: [&str; 2], text: &str) {
    out.push_str("<span class=\"");
    out.push_str(class[0]);
    out.push_str(class[1]);
    out.push_str("\">");
    escape(text, out);
    out.push_str("</span>");
}

/// Appends `text` to `out` with `&`, `<`, `>` and `"` escaped, as maud does. Most text holds
/// none of the four: it is looked through eight bytes at a time (the last few padded) and
/// then copied whole.
pub fn escape(text: &str, out: &mut String) {
    let bytes = text.as_bytes();
    let mut words = bytes.chunks_exact(8);
    for (n, word) in words.by_ref().enumerate() {
        if holds_special(u64::from_le_bytes(word.try_into().unwrap_or_default())) {
            return escape_from(text, n * 8, out);
        }
    }
    // The last few bytes, in a word padded with zeros (not one of the four).
    let rest = words.remainder();
    let word = rest
        .iter()
        .rev()
        .fold(0u64, |word, byte| (word << 8) | u64::from(*byte));
    if holds_special(word) {
        return escape_from(text, bytes.len() - rest.len(), out);
    }
    out.push_str(text);
}

/// `escape` for a text holding one of the four at or after `at`, byte by byte from there.
fn escape_from(text: &str, at: usize, out: &mut String) {
    out.reserve(text.len() + 8);
    let mut from = 0;
    for (at, byte) in text.bytes().enumerate().skip(at) {
        let entity = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => continue,
        };
        // The four are ASCII, so `at` is a character boundary.
        out.push_str(&text[from..at]);
        out.push_str(entity);
        from = at + 1;
    }
    out.push_str(&text[from..]);
}

/// Whether one of the eight bytes of `word` is `&`, `<`, `>` or `"` (the four tests or'ed,
/// not one after the other: a branch each cost the desk 5 % more instructions).
fn holds_special(word: u64) -> bool {
    bytes_equal(word, b'&')
        | bytes_equal(word, b'<')
        | bytes_equal(word, b'>')
        | bytes_equal(word, b'"')
        != 0
}

const ONES: u64 = u64::from_le_bytes([1; 8]);

/// Not zero exactly when one of the eight bytes of `word` is below `n` (at most 0x80): the
/// lowest such byte borrows through `x - n…` and comes out with its high bit set where its own
/// is clear, so `(x - n…) & !x & 0x80…` keeps that bit (bytes above it may keep theirs too,
/// which changes nothing to whether).
pub fn bytes_below(word: u64, n: u8) -> u64 {
    const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);
    word.wrapping_sub(ONES * u64::from(n)) & !word & HIGHS
}

/// Not zero exactly when one of the eight bytes of `word` is `byte`: `^` makes that byte zero.
pub fn bytes_equal(word: u64, byte: u8) -> u64 {
    bytes_below(word ^ (ONES * u64::from(byte)), 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::fmt::Write;

    fn maud(text: &str) -> String {
        let mut out = String::new();
        write!(maud::Escaper::new(&mut out), "{text}").expect("write");
        out
    }

    #[test]
    fn escapes_what_maud_escapes() {
        let mut out = String::from("before ");
        escape(r#"<a href="x">Tom & Léa</a>"#, &mut out);
        assert_eq!(
            out,
            "before &lt;a href=&quot;x&quot;&gt;Tom &amp; Léa&lt;/a&gt;"
        );
        assert_eq!(maud::html! { (Text("1 < 2")) }.into_string(), "1 &lt; 2");
    }

    #[test]
    fn numbers_are_written_as_tracking_numbers() {
        for id in [0, 7, 42, 999_999, 1_234_567, u64::MAX] {
            let written = maud::html! { (Number(RequestId(id))) }.into_string();
            assert_eq!(written, format!("REQ-{id:06}"));
            assert_eq!(RequestId(id).number(), written);
            let link = maud::html! { (TrackingLink(RequestId(id))) }.into_string();
            let number = RequestId(id).number();
            let by_maud = maud::html! { a.tracking href={ "/requests/" (number) } { (number) } };
            assert_eq!(link, by_maud.into_string());
        }
    }

    #[test]
    fn a_word_holds_a_special_byte_exactly_when_one_of_its_bytes_is_one() {
        for filler in [b'a', 0, 0x80, 0xff, b'%', b'=', b'?'] {
            for place in 0..8 {
                for byte in 0..=255u8 {
                    let mut word = [filler; 8];
                    word[place] = byte;
                    let special = |b: u8| matches!(b, b'&' | b'<' | b'>' | b'"');
                    assert_eq!(
                        holds_special(u64::from_le_bytes(word)),
                        word.iter().any(|b| special(*b)),
                        "{word:?}"
                    );
                }
            }
        }
    }

    proptest! {
        #[test]
        fn long_text_renders_exactly_as_maud(text in "[a-zé€😀&<>\"' ]{0,80}") {
            let mut out = String::from("<p>");
            escape(&text, &mut out);
            prop_assert_eq!(out, format!("<p>{}", maud(&text)));
        }

        #[test]
        fn renders_exactly_as_maud(text in "(.|[&<>\"'])*") {
            let mut out = String::new();
            escape(&text, &mut out);
            prop_assert_eq!(out, maud(&text));
        }
    }
}
