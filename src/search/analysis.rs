//! Text analysis: words split, lower-cased and folded ("Accès" → "acces"), then stemmed in
//! French and in English for two of the three copies of each field.

use tantivy::Index;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer,
};

pub const FRENCH: &str = "guichet_fr";
pub const ENGLISH: &str = "guichet_en";
pub const PLAIN: &str = "guichet_plain";

/// Longest query the search looks at, and most words: enough for any real need, bounded cost.
const MAX_QUERY_CHARS: usize = 200;
const MAX_WORDS: usize = 12;

fn plain() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

fn stemmed(language: Language) -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(language))
        .build()
}

/// The analyzers, kept to analyse queries exactly as documents were.
pub struct Analyzers {
    plain: TextAnalyzer,
    french: TextAnalyzer,
    english: TextAnalyzer,
}

pub fn register(index: &Index) -> Analyzers {
    let tokenizers = index.tokenizers();
    tokenizers.register(FRENCH, stemmed(Language::French));
    tokenizers.register(ENGLISH, stemmed(Language::English));
    tokenizers.register(PLAIN, plain());
    Analyzers {
        plain: plain(),
        french: stemmed(Language::French),
        english: stemmed(Language::English),
    }
}

fn first_token(analyzer: &TextAnalyzer, word: &str) -> Option<String> {
    let mut analyzer = analyzer.clone();
    let mut stream = analyzer.token_stream(word);
    stream.advance().then(|| stream.token().text.clone())
}

impl Analyzers {
    /// The folded words of a query, at most `MAX_WORDS` of them, from its first
    /// `MAX_QUERY_CHARS` characters. Punctuation and operators are just separators.
    pub fn words(&self, text: &str) -> Vec<String> {
        let text: String = text.chars().take(MAX_QUERY_CHARS).collect();
        let mut analyzer = self.plain.clone();
        let mut stream = analyzer.token_stream(&text);
        let mut words = Vec::new();
        while stream.advance() && words.len() < MAX_WORDS {
            words.push(stream.token().text.clone());
        }
        words
    }

    pub fn stem_fr(&self, word: &str) -> Option<String> {
        first_token(&self.french, word)
    }

    pub fn stem_en(&self, word: &str) -> Option<String> {
        first_token(&self.english, word)
    }
}
