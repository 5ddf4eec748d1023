//! A short extract of a description around the first matching word, with the matches marked.

/// Text cut into pieces; `true` pieces are matches to highlight.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Snippet(pub Vec<(String, bool)>);

const WIDTH: usize = 160;

/// Folds a word as the index does (lower case, accents removed) for comparison.
fn fold(word: &str) -> String {
    word.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à' | 'â' | 'ä' | 'á' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' | 'í' => 'i',
            'ô' | 'ö' | 'ó' => 'o',
            'ù' | 'û' | 'ü' | 'ú' => 'u',
            'ç' => 'c',
            'ÿ' => 'y',
            other => other,
        })
        .collect()
}

/// Does a word of the text match one of the query words (same start, at least the shorter's
/// length up to 5 letters, so "formation" matches "formations" and "format")?
fn matches(word: &str, query: &[String]) -> bool {
    let word = fold(word);
    query.iter().any(|q| {
        let n = q.chars().count().min(word.chars().count()).min(5);
        n >= 3 && word.chars().take(n).eq(q.chars().take(n))
    })
}

/// Up to about 160 characters of `text` around its first match with `query` (folded words).
pub fn snippet(text: &str, query: &[String]) -> Snippet {
    let words: Vec<(usize, &str)> = text.split_word_bound_indices();
    let first = words
        .iter()
        .position(|(_, w)| matches(w, query))
        .unwrap_or(0);
    let start_byte = words.get(first).map_or(0, |(at, _)| *at);
    // Start a little before the match, on a word boundary.
    let mut begin = 0;
    for (at, _) in words.iter().take(first).rev() {
        if start_byte - at > WIDTH / 3 {
            break;
        }
        begin = *at;
    }
    let mut pieces: Vec<(String, bool)> = Vec::new();
    if begin > 0 {
        pieces.push(("…".into(), false));
    }
    let mut used = 0;
    let mut cut = false;
    for (at, word) in &words {
        if *at < begin {
            continue;
        }
        if used + word.len() > WIDTH {
            cut = true;
            break;
        }
        used += word.len();
        let hit = word.chars().any(char::is_alphanumeric) && matches(word, query);
        match pieces.last_mut() {
            Some((text, false)) if !hit => text.push_str(word),
            _ => pieces.push(((*word).to_owned(), hit)),
        }
    }
    if cut {
        pieces.push(("…".into(), false));
    }
    Snippet(pieces)
}

/// Splits text into words and the separators between them, with byte offsets.
trait WordBounds {
    fn split_word_bound_indices(&self) -> Vec<(usize, &str)>;
}

impl WordBounds for str {
    fn split_word_bound_indices(&self) -> Vec<(usize, &str)> {
        let mut parts = Vec::new();
        let mut start = 0;
        let mut in_word = None;
        for (at, c) in self.char_indices() {
            let is_word = c.is_alphanumeric();
            match in_word {
                Some(previous) if previous != is_word => {
                    parts.push((start, &self[start..at]));
                    start = at;
                }
                _ => {}
            }
            in_word = Some(is_word);
        }
        if start < self.len() {
            parts.push((start, &self[start..]));
        }
        parts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_are_marked_and_accents_folded() {
        let s = snippet(
            "Accès au réseau depuis l'extérieur.",
            &["acces".into(), "reseau".into()],
        );
        let marked: Vec<&str> =
            s.0.iter()
                .filter(|(_, hit)| *hit)
                .map(|(t, _)| t.as_str())
                .collect();
        assert_eq!(marked, ["Accès", "réseau"]);
        let text: String = s.0.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(text, "Accès au réseau depuis l'extérieur.");
    }

    #[test]
    fn long_texts_are_cut_around_the_first_match() {
        let text = format!("{} formation {}", "mot ".repeat(100), "fin ".repeat(100));
        let s = snippet(&text, &["formation".into()]);
        let joined: String = s.0.iter().map(|(t, _)| t.as_str()).collect();
        assert!(joined.starts_with('…') && joined.ends_with('…'));
        assert!(joined.len() < 200);
        assert!(s.0.iter().any(|(t, hit)| *hit && t == "formation"));
    }
}
