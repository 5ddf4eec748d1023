//! Service search: keeping the tantivy index in step with the catalog, and answering queries
//! with the services, their category path and a snippet.

use super::{Error, Ops};
use crate::domain::catalog::path;
use crate::domain::{Category, Service, ServiceId, User};
use crate::search::{SearchIndex, ServiceDoc, Snippet, snippet};

/// One result, ready to show.
pub struct SearchResult {
    pub service: Service,
    pub category_path: String,
    pub score: f32,
    pub snippet: Snippet,
}

fn category_path(all: &[Category], service: &Service) -> String {
    path(all, service.category_id)
        .iter()
        .map(|c| c.name.as_str())
        .collect::<Vec<_>>()
        .join(" › ")
}

fn doc_of(all: &[Category], service: &Service) -> ServiceDoc {
    ServiceDoc {
        id: service.id.0,
        name: service.name.clone(),
        keywords: service.keywords.clone(),
        category_path: category_path(all, service),
        description: service.description.clone(),
    }
}

impl Ops {
    /// Attaches the search index (the server does; the command line does not) and rebuilds it
    /// when it does not reflect the current catalog.
    pub fn attach_search(
        &self,
        index: SearchIndex,
        indexed_version: Option<u64>,
    ) -> Result<(), Error> {
        let current = self.store().read()?.catalog_version()?;
        if indexed_version != Some(current) {
            let started = std::time::Instant::now();
            self.rebuild_search_with(&index)?;
            tracing::info!(
                "search index rebuilt in {} ms",
                started.elapsed().as_millis()
            );
        }
        // A second attach keeps the first index; nothing else sets it.
        let _ = self.inner.search.set(index);
        Ok(())
    }

    fn rebuild_search_with(&self, index: &SearchIndex) -> Result<(), Error> {
        let reader = self.store().read()?;
        let version = reader.catalog_version()?;
        let all = reader.categories()?;
        let docs: Vec<ServiceDoc> = reader
            .services()?
            .iter()
            .filter(|s| s.active)
            .map(|s| doc_of(&all, s))
            .collect();
        index.rebuild(&docs, version).map_err(search_error)
    }

    /// After a category change: every service's category path may have changed.
    pub(super) fn reindex_all(&self) {
        if let Some(index) = self.inner.search.get()
            && let Err(e) = self.rebuild_search_with(index)
        {
            tracing::error!("search index not updated ({e}); it will be rebuilt at next start");
        }
    }

    /// After a service change: add, replace or remove its document.
    pub(super) fn reindex_service(&self, id: ServiceId) {
        let Some(index) = self.inner.search.get() else {
            return;
        };
        let result = (|| -> Result<(), Error> {
            let reader = self.store().read()?;
            let version = reader.catalog_version()?;
            let doc = match reader.service(id)?.filter(|s| s.active) {
                Some(service) => Some(doc_of(&reader.categories()?, &service)),
                None => None,
            };
            index
                .upsert(id.0, doc.as_ref(), version)
                .map_err(search_error)
        })();
        if let Err(e) = result {
            tracing::error!("search index not updated ({e}); it will be rebuilt at next start");
        }
    }

    /// Brings the index up to date after a service changed, off the async threads.
    pub(super) async fn after_service_change(&self, id: ServiceId) {
        let _ = self
            .blocking(move |ops| {
                ops.reindex_service(id);
                Ok(())
            })
            .await;
    }

    /// Brings the index up to date after a category changed, off the async threads.
    pub(super) async fn after_category_change(&self) {
        let _ = self
            .blocking(|ops| {
                ops.reindex_all();
                Ok(())
            })
            .await;
    }

    /// Services matching `query`, best first. `typing`: the last word may be unfinished. Every
    /// signed-in user searches the same active services: inactive ones are not indexed.
    pub fn search_services(
        &self,
        _viewer: &User,
        query: &str,
        limit: usize,
        typing: bool,
    ) -> Result<Vec<SearchResult>, Error> {
        let Some(index) = self.inner.search.get() else {
            return Err(Error::Internal("search is not available".into()));
        };
        let hits = match index.search(query, limit, typing) {
            Ok(hits) => hits,
            Err(e) => {
                // A damaged index is derived data: rebuild it from the store and answer anyway.
                tracing::error!("search failed ({e}); rebuilding the index");
                self.rebuild_search_with(index)?;
                index.search(query, limit, typing).map_err(search_error)?
            }
        };
        let words = index.words(query);
        let reader = self.store().read()?;
        let all = reader.categories()?;
        let mut results = Vec::with_capacity(hits.len());
        for hit in hits {
            // The index holds active services only; the check guards against a lagging index.
            let Some(service) = reader.service(ServiceId(hit.id))?.filter(|s| s.active) else {
                continue;
            };
            results.push(SearchResult {
                category_path: category_path(&all, &service),
                snippet: snippet(&service.description, &words),
                score: hit.score,
                service,
            });
        }
        Ok(results)
    }

    /// Rebuilds the whole index now (bench, tests); answers the number of services indexed.
    pub fn rebuild_search(&self) -> Result<usize, Error> {
        let index = self
            .inner
            .search
            .get()
            .ok_or_else(|| Error::Internal("search is not available".into()))?;
        self.rebuild_search_with(index)?;
        Ok(self
            .store()
            .read()?
            .services()?
            .iter()
            .filter(|s| s.active)
            .count())
    }
}

fn search_error(e: crate::search::Error) -> Error {
    Error::Internal(e.to_string())
}
