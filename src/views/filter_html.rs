//! Listings' filter forms kept as written. The filters of "my requests" and of the desk offer
//! every service (and, on the desk, every user twice): written for each page, they were an
//! eighth of `/my/requests`' instructions (`benches/README.md`), though they change only with
//! the catalog, the people, the language and the filter chosen. Those are the key, compared
//! whole on every look-up: the services and people as the snapshots the page was given (a
//! catalog edit or a change of users makes new ones), so a form that would show anything
//! differently is written anew.

use crate::domain::{Locale, ServiceId};
use crate::ops::{DeskFilter, People};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

/// Most forms kept: the usual filters of both listings in both languages, with room to spare.
/// Beyond, the oldest goes.
const KEPT: usize = 16;

/// What a filter form depends on.
#[derive(Debug, Clone)]
pub struct FilterKey {
    /// Which listing's form.
    pub listing: &'static str,
    pub locale: Locale,
    /// The services offered, by the snapshot they came from: held weakly, so that the snapshot
    /// is not kept alive, but its address is not reused while the key is kept.
    pub services: Weak<[(ServiceId, String)]>,
    /// The people offered (the desk's), likewise.
    pub people: Option<Weak<People>>,
    /// The filter shown, without its page (cursor) and page size, which the form does not show.
    pub filter: DeskFilter,
    /// The desk's "assigned to me".
    pub mine: bool,
}

impl FilterKey {
    pub fn new(
        listing: &'static str,
        locale: Locale,
        services: &Arc<[(ServiceId, String)]>,
        people: Option<&Arc<People>>,
        filter: &DeskFilter,
        mine: bool,
    ) -> FilterKey {
        FilterKey {
            listing,
            locale,
            services: Arc::downgrade(services),
            people: people.map(Arc::downgrade),
            filter: DeskFilter {
                cursor: None,
                limit: 0,
                ..filter.clone()
            },
            mine,
        }
    }
}

impl PartialEq for FilterKey {
    fn eq(&self, other: &FilterKey) -> bool {
        let same_people = match (&self.people, &other.people) {
            (Some(a), Some(b)) => Weak::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        };
        self.listing == other.listing
            && self.locale == other.locale
            && Weak::ptr_eq(&self.services, &other.services)
            && same_people
            && self.filter == other.filter
            && self.mine == other.mine
    }
}

/// Filter forms by key, the most recently written last. One per server, beside the rows.
#[derive(Default)]
pub struct FilterHtml {
    kept: Mutex<Vec<(FilterKey, Arc<str>)>>,
}

/// Without the forms (and without taking the lock: a page's context is printed in logs).
impl std::fmt::Debug for FilterHtml {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FilterHtml")
    }
}

impl FilterHtml {
    fn lock(&self) -> MutexGuard<'_, Vec<(FilterKey, Arc<str>)>> {
        self.kept.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The form for `key`: as kept, or written by `write` (outside the lock) and kept.
    pub fn form(&self, key: FilterKey, write: impl FnOnce() -> String) -> Arc<str> {
        if let Some(html) = kept_for(&self.lock(), &key) {
            return html;
        }
        let html: Arc<str> = write().into();
        let mut kept = self.lock();
        // Another page may have written the same form meanwhile: one copy is kept.
        if let Some(earlier) = kept_for(&kept, &key) {
            return earlier;
        }
        // Forms whose services or people are gone can never be asked for again.
        kept.retain(|(k, _)| {
            k.services.strong_count() > 0 && k.people.as_ref().is_none_or(|p| p.strong_count() > 0)
        });
        if kept.len() >= KEPT {
            kept.remove(0);
        }
        kept.push((key, Arc::clone(&html)));
        html
    }

    /// How many forms are kept.
    #[cfg(test)]
    fn kept(&self) -> usize {
        self.lock().len()
    }
}

/// The form kept for `key`, if any.
fn kept_for(kept: &[(FilterKey, Arc<str>)], key: &FilterKey) -> Option<Arc<str>> {
    kept.iter()
        .find(|(k, _)| k == key)
        .map(|(_, html)| Arc::clone(html))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn services(names: &[&str]) -> Arc<[(ServiceId, String)]> {
        names
            .iter()
            .zip(1..)
            .map(|(name, id)| (ServiceId(id), (*name).to_owned()))
            .collect::<Vec<_>>()
            .into()
    }

    /// A form is written once for the same key, anew for another language, filter or set of
    /// services, and forgotten once its services are gone.
    #[test]
    fn a_form_is_kept_for_its_whole_key_only() {
        let memo = FilterHtml::default();
        let catalog = services(&["VPN"]);
        let written = std::cell::Cell::new(0);
        let form = |key: FilterKey, text: &str| {
            memo.form(key, || {
                written.set(written.get() + 1);
                text.to_owned()
            })
        };
        let filter = DeskFilter::default();
        let key = |locale, services: &Arc<_>, filter: &DeskFilter| {
            FilterKey::new("my", locale, services, None, filter, false)
        };
        assert_eq!(&*form(key(Locale::Fr, &catalog, &filter), "a"), "a");
        assert_eq!(&*form(key(Locale::Fr, &catalog, &filter), "b"), "a");
        assert_eq!(written.get(), 1);
        let next_page = DeskFilter {
            cursor: Some(crate::domain::request::RequestId(7)),
            ..DeskFilter::default()
        };
        assert_eq!(
            &*form(key(Locale::Fr, &catalog, &next_page), "c"),
            "a",
            "the page is not shown"
        );
        assert_eq!(&*form(key(Locale::En, &catalog, &filter), "d"), "d");
        let one_service = DeskFilter {
            service: Some(ServiceId(1)),
            ..DeskFilter::default()
        };
        assert_eq!(&*form(key(Locale::Fr, &catalog, &one_service), "e"), "e");
        // The same names in a new snapshot (a catalog edit): written anew.
        let edited = services(&["VPN"]);
        assert_eq!(&*form(key(Locale::Fr, &edited, &filter), "f"), "f");
        assert_eq!(written.get(), 4);
        // Another page writes the same form while this one writes it: one copy is kept, the
        // first.
        let before = memo.kept();
        let racing = key(Locale::En, &catalog, &one_service);
        let answer = memo.form(racing.clone(), || {
            memo.form(racing.clone(), || "first".to_owned());
            "second".to_owned()
        });
        assert_eq!(&*answer, "first");
        assert_eq!(memo.kept(), before + 1);
        drop(catalog);
        form(key(Locale::Fr, &edited, &one_service), "g");
        assert_eq!(memo.kept(), 2, "the forms of the old catalog are gone");
    }
}
