//! HTML rendered with maud. Views take typed arguments, compute no permissions, and share
//! `layout::page`. Architecture invariant: only `views` and `web` name maud.

pub mod account;
pub mod admin;
pub mod audit;
pub mod auth;
pub mod catalog_admin;
pub mod charts;
pub mod confirm;
pub mod errors;
pub mod filter_html;
pub mod forms;
pub mod i18n;
pub mod inbox;
pub mod jobs;
pub mod layout;
mod listing_filters;
pub mod mail;
pub mod mail_links;
pub mod metrics;
pub mod metrics_tables;
pub mod outbox;
pub mod password_reset;
pub mod portal;
pub mod request_form;
pub mod request_lists;
pub mod requests;
pub mod row_html;
pub mod search;
pub mod services_admin;
pub mod sla;
pub mod sla_admin;
pub mod text;

pub use layout::{AssetUrls, PageCtx, Viewer};
pub use text::{Number, Reserve, Text, escaped};

use crate::domain::ids::fill_digits;
use crate::domain::{Locale, Timestamp};

/// A timestamp as a reader expects it in their language, in the server's time zone `tz`.
pub fn format_time(at: Timestamp, locale: Locale, tz: &jiff::tz::TimeZone) -> String {
    let mut out = String::with_capacity(16);
    write_time(at, locale, tz, &mut out);
    out
}

/// `format_time` written straight into a page: `(Time(at, ctx.locale, &ctx.tz))` where a
/// listing shows many. Digits and separators only, so nothing to escape.
pub struct Time<'a>(pub Timestamp, pub Locale, pub &'a jiff::tz::TimeZone);

impl maud::Render for Time<'_> {
    fn render_to(&self, buffer: &mut String) {
        write_time(self.0, self.1, self.2, buffer);
    }
}

/// Written digit by digit: listings show many times, and `format!` with its padding took a
/// tenth of the desk's time (`benches/README.md`).
fn write_time(at: Timestamp, locale: Locale, tz: &jiff::tz::TimeZone, out: &mut String) {
    let Ok(ts) = jiff::Timestamp::from_second(at.0) else {
        return;
    };
    let t = tz.to_datetime(ts);
    let field = |n: i8| u64::from(n.unsigned_abs());
    // Four digits of year: jiff's years end at 9999.
    let (y, mo, d) = (
        u64::from(t.year().unsigned_abs()),
        field(t.month()),
        field(t.day()),
    );
    // French dates are day first, English ones ISO 8601; either is 16 bytes, filled on the
    // stack and appended at once.
    let (mut text, [year, month, day]) = match locale {
        Locale::Fr => (*b"00/00/0000 00:00", [6..10, 3..5, 0..2]),
        Locale::En => (*b"0000-00-00 00:00", [0..4, 5..7, 8..10]),
    };
    fill_digits(&mut text[year], y);
    fill_digits(&mut text[month], mo);
    fill_digits(&mut text[day], d);
    fill_digits(&mut text[11..13], field(t.hour()));
    fill_digits(&mut text[14..16], field(t.minute()));
    out.push_str(std::str::from_utf8(&text).unwrap_or_default());
}

/// A date answer (`YYYY-MM-DD`, as forms store it) in the reader's format, like `format_time`'s
/// dates; anything else is shown as it is.
pub fn format_date(iso: &str, locale: Locale) -> String {
    match (locale, iso.parse::<jiff::civil::Date>()) {
        (Locale::Fr, Ok(date)) => date.strftime("%d/%m/%Y").to_string(),
        _ => iso.to_owned(),
    }
}

/// Text typed by someone, its line breaks kept.
pub fn lines(text: &str) -> maud::Markup {
    maud::html! {
        @for (i, line) in text.lines().enumerate() {
            @if i > 0 { br; }
            (Text(line))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_answers_read_like_every_other_date() {
        assert_eq!(format_date("2026-12-01", Locale::Fr), "01/12/2026");
        assert_eq!(format_date("2026-12-01", Locale::En), "2026-12-01");
        assert_eq!(
            format_date("bientôt", Locale::Fr),
            "bientôt",
            "not a date: as typed"
        );
    }

    proptest::proptest! {
        #[test]
        fn times_are_written_as_strftime_writes_them(at in 0i64..253_402_300_800) {
            let utc = jiff::tz::TimeZone::UTC;
            let zoned = utc.to_datetime(jiff::Timestamp::from_second(at).expect("in range"));
            proptest::prop_assert_eq!(
                format_time(Timestamp(at), Locale::Fr, &utc),
                zoned.strftime("%d/%m/%Y %H:%M").to_string()
            );
            proptest::prop_assert_eq!(
                format_time(Timestamp(at), Locale::En, &utc),
                zoned.strftime("%Y-%m-%d %H:%M").to_string()
            );
        }
    }

    #[test]
    fn times_read_in_the_zone_and_the_locale() {
        let paris = jiff::tz::TimeZone::get("Europe/Paris").expect("zone");
        // 2026-03-29 00:30 UTC is 01:30 in Paris (winter time), 02:30 UTC is 04:30 (summer).
        let winter = Timestamp(1_774_744_200);
        let summer = Timestamp(1_774_751_400);
        assert_eq!(format_time(winter, Locale::Fr, &paris), "29/03/2026 01:30");
        assert_eq!(format_time(summer, Locale::Fr, &paris), "29/03/2026 04:30");
        assert_eq!(format_time(summer, Locale::En, &paris), "2026-03-29 04:30");
        let utc = jiff::tz::TimeZone::UTC;
        assert_eq!(
            format_time(Timestamp(0), Locale::En, &utc),
            "1970-01-01 00:00"
        );
        assert_eq!(format_time(Timestamp(i64::MAX), Locale::En, &utc), "");
        // Years before 1000 keep four digits; the page form writes the same.
        assert_eq!(
            format_time(Timestamp(-30_610_224_000), Locale::Fr, &utc),
            "01/01/1000 00:00"
        );
        assert_eq!(
            format_time(Timestamp(-59_011_459_200), Locale::En, &utc),
            "0100-01-01 00:00"
        );
        assert_eq!(
            maud::html! { (Time(winter, Locale::Fr, &paris)) }.into_string(),
            "29/03/2026 01:30"
        );
    }
}
