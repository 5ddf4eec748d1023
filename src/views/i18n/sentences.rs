//! Sentences built from numbers or names, in each language.

use super::Texts;
use crate::domain::Locale;

impl Texts {
    /// "1 service", "3 services" (in French, 0 and 1 take the singular).
    pub fn service_count(&self, n: usize) -> String {
        let one = match self.locale {
            Locale::Fr => n <= 1,
            Locale::En => n == 1,
        };
        format!("{n} {}", if one { "service" } else { "services" })
    }

    /// What a file field accepts, said before the upload: "PDF, PNG — at most 5 MiB."
    pub fn file_limits_for(&self, types: &[String], max_mb: Option<u32>) -> String {
        let types = if types.is_empty() {
            match self.locale {
                Locale::Fr => "Tout type de fichier".to_owned(),
                Locale::En => "Any type of file".to_owned(),
            }
        } else {
            types
                .iter()
                .map(|t| t.to_uppercase())
                .collect::<Vec<_>>()
                .join(", ")
        };
        match max_mb {
            Some(mb) => self
                .file_limits
                .replace("{types}", &types)
                .replace("{mb}", &mb.to_string()),
            None => format!("{types}."),
        }
    }

    /// "Try again in 8 s."
    pub fn throttled_for(&self, seconds: i64) -> String {
        self.throttled.replace("{}", &seconds.max(1).to_string())
    }

    pub fn too_many_top_level(&self, count: usize) -> String {
        if self.locale == Locale::Fr {
            format!(
                "Il y a {count} catégories de premier niveau : gardez-en 5 à 7 et utilisez des sous-catégories pour le détail."
            )
        } else {
            format!(
                "There are {count} top-level categories: keep 5 to 7 and use sub-categories for detail."
            )
        }
    }

    pub fn category_not_empty(&self, subcategories: usize, services: usize) -> String {
        if self.locale == Locale::Fr {
            format!(
                "Cette catégorie contient encore {subcategories} sous-catégorie(s) et {services} service(s) : déplacez-les ou supprimez-les d'abord."
            )
        } else {
            format!(
                "This category still holds {subcategories} sub-categories and {services} services: move or delete them first."
            )
        }
    }
}
