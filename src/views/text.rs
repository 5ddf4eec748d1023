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

/// Appends `text` to `out` with `&`, `<`, `>` and `"` escaped, as maud does.
pub fn escape(text: &str, out: &mut String) {
    out.reserve(text.len());
    let mut from = 0;
    for (at, byte) in text.bytes().enumerate() {
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
        }
    }

    proptest! {
        #[test]
        fn renders_exactly_as_maud(text in "(.|[&<>\"'])*") {
            let mut out = String::new();
            escape(&text, &mut out);
            prop_assert_eq!(out, maud(&text));
        }
    }
}
