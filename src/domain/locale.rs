//! Interface languages.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    #[default]
    Fr,
    En,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::Fr, Locale::En];

    pub fn code(self) -> &'static str {
        match self {
            Locale::Fr => "fr",
            Locale::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Locale> {
        match s.trim().to_ascii_lowercase().as_str() {
            "fr" => Some(Locale::Fr),
            "en" => Some(Locale::En),
            _ => None,
        }
    }

    /// A language choice as forms and the API give it: `fr`, `en`, or `auto` (or nothing) to
    /// follow the browser. `None` when it is none of these.
    pub fn parse_choice(s: &str) -> Option<Option<Locale>> {
        match s.trim() {
            "" | "auto" => Some(None),
            other => Locale::parse(other).map(Some),
        }
    }

    /// The code of a choice: the language's, or `auto`.
    pub fn choice_code(choice: Option<Locale>) -> &'static str {
        choice.map_or("auto", Locale::code)
    }

    /// Picks the first supported language of an `Accept-Language` header, honouring q-values.
    pub fn from_accept_language(header: &str) -> Option<Locale> {
        let mut best: Option<(f32, Locale)> = None;
        for part in header.split(',') {
            let mut pieces = part.trim().split(';');
            let tag = pieces.next().unwrap_or("").trim();
            let quality = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or("");
            if let Some(locale) = Locale::parse(primary)
                && best.is_none_or(|(q, _)| quality > q)
            {
                best = Some((quality, locale));
            }
        }
        best.filter(|(q, _)| *q > 0.0).map(|(_, l)| l)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_prefers_highest_quality_supported_tag() {
        assert_eq!(
            Locale::from_accept_language("de-DE,en;q=0.8,fr;q=0.9"),
            Some(Locale::Fr)
        );
        assert_eq!(
            Locale::from_accept_language("en-GB,en;q=0.9"),
            Some(Locale::En)
        );
        assert_eq!(Locale::from_accept_language("de, es"), None);
        assert_eq!(Locale::from_accept_language("fr;q=0"), None);
        assert_eq!(Locale::from_accept_language(""), None);
    }
}
