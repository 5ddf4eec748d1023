//! What every page reads and rarely changes, decoded once per version rather than per page:
//! the catalog (every category and service, the services of each category in display order,
//! which categories hold services) and the people (users and teams, by name). Every write of a
//! category or a service bumps the catalog version, every write of a user or a team the people
//! version, in the same transaction (`storage/catalog.rs`, `storage/users.rs`); a page reads
//! the version in its own snapshot, so it sees a change on the very next request.

use super::{Error, Ops};
use crate::domain::catalog;
use crate::domain::{Category, CategoryId, Service, ServiceId, Team, User, UserId};
use crate::storage::Reader;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

pub struct Catalog {
    /// The catalog version it was read at.
    pub version: u64,
    pub categories: Vec<Category>,
    /// Every service, in display order (order, then name).
    services: Vec<Arc<Service>>,
    by_id: HashMap<ServiceId, Arc<Service>>,
    by_category: HashMap<CategoryId, Vec<Arc<Service>>>,
    /// Every service's id and name, by name: the services a list can be filtered by.
    pub choices: Arc<[(ServiceId, String)]>,
    /// Categories holding an active service, themselves or below.
    with_active: HashSet<CategoryId>,
    /// Categories holding any service, for those who see inactive ones.
    with_any: HashSet<CategoryId>,
    /// Listings already written for this version, by (sees inactive, category): the API's
    /// services listing is the same bytes for everyone of a kind until the catalog changes.
    written: std::sync::Mutex<HashMap<(bool, Option<CategoryId>), bytes::Bytes>>,
}

/// Technicians and admins see inactive services (marked); requesters do not.
pub fn sees_inactive(viewer: &User) -> bool {
    viewer.role.is_staff()
}

impl Catalog {
    fn read(reader: &Reader, version: u64) -> Result<Catalog, Error> {
        let categories = reader.categories()?;
        let mut services: Vec<Arc<Service>> =
            reader.services()?.into_iter().map(Arc::new).collect();
        services.sort_by(|a, b| a.order.cmp(&b.order).then_with(|| a.name.cmp(&b.name)));
        let mut by_category: HashMap<CategoryId, Vec<Arc<Service>>> = HashMap::new();
        for service in &services {
            by_category
                .entry(service.category_id)
                .or_default()
                .push(Arc::clone(service));
        }
        let active = services.iter().filter(|s| s.active).map(|s| s.category_id);
        let with_active = catalog::holding_services(&categories, active);
        let with_any =
            catalog::holding_services(&categories, services.iter().map(|s| s.category_id));
        let mut choices: Vec<_> = services.iter().map(|s| (s.id, s.name.clone())).collect();
        choices.sort_by(|a, b| a.1.cmp(&b.1));
        Ok(Catalog {
            version,
            choices: choices.into(),
            by_id: services.iter().map(|s| (s.id, Arc::clone(s))).collect(),
            categories,
            services,
            by_category,
            with_active,
            with_any,
            written: std::sync::Mutex::default(),
        })
    }

    /// Whether `viewer`, looking for a service, has anything to find in category `id`.
    pub fn shows(&self, viewer: &User, id: CategoryId) -> bool {
        let held = if sees_inactive(viewer) {
            &self.with_any
        } else {
            &self.with_active
        };
        held.contains(&id)
    }

    /// A service, active or not.
    pub fn service(&self, id: ServiceId) -> Option<&Arc<Service>> {
        self.by_id.get(&id)
    }

    /// A service that takes requests: an active one.
    pub fn active_service(&self, id: ServiceId) -> Option<&Arc<Service>> {
        self.by_id.get(&id).filter(|s| s.active)
    }

    /// A service as `viewer` may see it: inactive ones do not exist for requesters.
    pub fn service_for(&self, viewer: &User, id: ServiceId) -> Option<&Arc<Service>> {
        self.by_id
            .get(&id)
            .filter(|s| s.active || sees_inactive(viewer))
    }

    /// The services `viewer` may see, of one category or all, in display order.
    pub fn services_for(&self, viewer: &User, category: Option<CategoryId>) -> Vec<Arc<Service>> {
        let all = match category {
            Some(id) => self.by_category.get(&id).map_or(&[][..], Vec::as_slice),
            None => &self.services,
        };
        all.iter()
            .filter(|s| s.active || sees_inactive(viewer))
            .cloned()
            .collect()
    }

    /// The top-level or child categories of `parent` that hold something for `viewer`.
    pub fn children_for(&self, viewer: &User, parent: Option<CategoryId>) -> Vec<Category> {
        catalog::children(&self.categories, parent)
            .into_iter()
            .filter(|c| self.shows(viewer, c.id))
            .cloned()
            .collect()
    }
}

impl Ops {
    /// The services `viewer` may see (of one category or all) as `write` puts them, written
    /// once per catalog version and kind of viewer. A category that does not exist is written
    /// each time and not kept, so that made-up ids cannot fill the memory.
    pub fn services_written(
        &self,
        viewer: &User,
        category: Option<CategoryId>,
        write: impl FnOnce(&[Arc<Service>]) -> Vec<u8>,
    ) -> Result<bytes::Bytes, Error> {
        let reader = self.store().read()?;
        let catalog = self.catalog(&reader)?;
        let key = (sees_inactive(viewer), category);
        let keep = category.is_none_or(|id| catalog.categories.iter().any(|c| c.id == id));
        let lock = || catalog.written.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(written) = lock().get(&key) {
            return Ok(written.clone());
        }
        let written = bytes::Bytes::from(write(&catalog.services_for(viewer, category)));
        if keep {
            lock().insert(key, written.clone());
        }
        Ok(written)
    }
}

/// The last value read of something versioned (a catalog or people version, or the store's
/// generation for what any commit may change), shared by every page.
pub struct Versioned<T>(std::sync::Mutex<Option<(u64, Arc<T>)>>);

impl<T> Default for Versioned<T> {
    fn default() -> Self {
        Versioned(std::sync::Mutex::new(None))
    }
}

impl<T> Versioned<T> {
    /// The value at `version`: the one kept if it is of that version, else `read` (outside
    /// the lock: two pages that miss together both read, the same thing), kept unless a newer
    /// one was kept meanwhile.
    pub(super) fn get(
        &self,
        version: u64,
        read: impl FnOnce() -> Result<T, Error>,
    ) -> Result<Arc<T>, Error> {
        let lock = || self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, value)) = lock().as_ref().filter(|(v, _)| *v == version) {
            return Ok(Arc::clone(value));
        }
        let value = Arc::new(read()?);
        let mut kept = lock();
        if kept.as_ref().is_none_or(|(v, _)| *v < version) {
            *kept = Some((version, Arc::clone(&value)));
        }
        Ok(value)
    }
}

/// Values read from the store at one generation, by key (a session, a user): every page's frame
/// asks the same questions (who is this token, how many unread notices) and nothing changes
/// them but a commit, which bumps the generation and so empties the memo. Only what was found
/// is kept, so made-up keys cannot fill it, and at most `MEMO_ENTRIES` at once (or the bound
/// it was made with).
pub struct ByGeneration<K, V> {
    kept: std::sync::Mutex<(u64, HashMap<K, V>)>,
    bound: usize,
}

/// Most values a `ByGeneration` keeps: beyond, it starts again empty.
const MEMO_ENTRIES: usize = 4096;

impl<K, V> Default for ByGeneration<K, V> {
    fn default() -> Self {
        ByGeneration::bounded(MEMO_ENTRIES)
    }
}

impl<K, V> ByGeneration<K, V> {
    /// A memo that keeps at most `entries` values (for values larger than a session's).
    pub(super) fn bounded(entries: usize) -> Self {
        ByGeneration {
            kept: std::sync::Mutex::new((0, HashMap::new())),
            bound: entries,
        }
    }

    /// The generation of what is kept, and how many values (for tests).
    #[cfg(test)]
    pub(super) fn held(&self) -> (u64, usize) {
        let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        (kept.0, kept.1.len())
    }
}

impl<K: std::hash::Hash + Eq, V: Clone> ByGeneration<K, V> {
    /// The value of `key` at `generation` (read before the snapshot `read` looks at, so that
    /// what is kept is never older than its generation): the kept one, else `read`'s, kept
    /// when it is `Some` and no newer generation was seen meanwhile.
    pub(super) fn get(
        &self,
        generation: u64,
        key: K,
        read: impl FnOnce() -> Result<Option<V>, Error>,
    ) -> Result<Option<V>, Error> {
        let lock = || self.kept.lock().unwrap_or_else(|e| e.into_inner());
        {
            let kept = lock();
            if kept.0 == generation
                && let Some(value) = kept.1.get(&key)
            {
                return Ok(Some(value.clone()));
            }
        }
        let value = read()?;
        if let Some(found) = &value {
            let mut kept = lock();
            if kept.0 < generation {
                *kept = (generation, HashMap::new());
            }
            if kept.0 == generation {
                if kept.1.len() >= self.bound {
                    kept.1.clear();
                }
                kept.1.insert(key, found.clone());
            }
        }
        Ok(value)
    }
}

/// Users and teams as lists and pickers show them.
pub struct People {
    /// Every user, by display name.
    pub users: Vec<User>,
    /// Every team, by name.
    pub teams: Vec<Team>,
    /// Where each user is in `users`, by id: a listing looks up two people a row, and a
    /// binary search over a few hundred ids costs less than hashing each.
    by_id: Vec<(UserId, usize)>,
    /// Each user's display name, shared by the rows of every listing that names them.
    names: Vec<Arc<str>>,
}

impl People {
    fn new(mut users: Vec<User>, mut teams: Vec<Team>) -> People {
        users.sort_by(|a, b| a.display_name.cmp(&b.display_name));
        teams.sort_by(|a, b| a.name.cmp(&b.name));
        let mut by_id: Vec<_> = users.iter().enumerate().map(|(at, u)| (u.id, at)).collect();
        by_id.sort_unstable();
        let names = users
            .iter()
            .map(|u| Arc::from(u.display_name.as_str()))
            .collect();
        People {
            users,
            teams,
            by_id,
            names,
        }
    }

    /// `id`'s display name, shared rather than copied.
    pub fn name(&self, id: UserId) -> Option<&Arc<str>> {
        self.at(id).map(|at| &self.names[at])
    }

    pub fn user(&self, id: UserId) -> Option<&User> {
        self.at(id).map(|at| &self.users[at])
    }

    fn at(&self, id: UserId) -> Option<usize> {
        let found = self.by_id.binary_search_by_key(&id, |&(id, _)| id).ok()?;
        Some(self.by_id[found].1)
    }

    /// The active members of the IT team, by name: whom a request can be assigned to.
    pub fn staff(&self) -> impl Iterator<Item = &User> {
        self.users.iter().filter(|u| u.active && u.role.is_staff())
    }
}

impl Ops {
    /// The catalog at the version `reader` sees, decoded once per version, and kept by the
    /// store generation the reader began at, so that while no commit has come the version is
    /// not even read (2 % of the desk's time at 100,000 requests).
    pub(super) fn catalog(&self, reader: &Reader) -> Result<Arc<Catalog>, Error> {
        at_generation(
            &self.inner.catalog_at,
            &self.inner.catalog,
            reader,
            || Ok(reader.catalog_version()?),
            |version| Catalog::read(reader, version),
        )
    }

    /// The catalog at store `generation` (read by the caller before anything else): without a
    /// read transaction while no commit has come since the last page asked.
    pub(super) fn catalog_at(&self, generation: u64) -> Result<Arc<Catalog>, Error> {
        let kept = self.inner.catalog_at.get(generation, || {
            let reader = self.store().read()?;
            self.catalog(&reader)
        })?;
        Ok(Arc::clone(&kept))
    }

    /// Users and teams at the version `reader` sees, decoded once per version, and kept by
    /// store generation so that, while no commit has come, the version is not even read.
    pub(super) fn people(&self, reader: &Reader) -> Result<Arc<People>, Error> {
        at_generation(
            &self.inner.people_at,
            &self.inner.people,
            reader,
            || Ok(reader.people_version()?),
            |_| Ok(People::new(reader.users()?, reader.teams()?)),
        )
    }
}

/// What `reader` sees of something versioned: the value kept in `at` for the store generation
/// the reader began at, else the one `by_version` keeps for the version `version` reads, else
/// `read` of that version.
fn at_generation<T>(
    at: &Versioned<Arc<T>>,
    by_version: &Versioned<T>,
    reader: &Reader,
    version: impl FnOnce() -> Result<u64, Error>,
    read: impl FnOnce(u64) -> Result<T, Error>,
) -> Result<Arc<T>, Error> {
    let kept = at.get(reader.generation(), || {
        let version = version()?;
        by_version.get(version, || read(version))
    })?;
    Ok(Arc::clone(&kept))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    /// `memo.get` at `generation`, counting the reads it makes.
    fn get(
        memo: &ByGeneration<u32, u32>,
        generation: u64,
        key: u32,
        found: Option<u32>,
        reads: &Cell<u32>,
    ) -> Option<u32> {
        memo.get(generation, key, || {
            reads.set(reads.get() + 1);
            Ok(found)
        })
        .expect("get")
    }

    proptest::proptest! {
        #[test]
        fn people_are_found_by_id_whatever_their_names(
            ids in proptest::collection::btree_set(1u64..10_000, 0..40),
            names in proptest::collection::vec("[a-zé ]{1,8}", 40),
            missing in 1u64..10_000,
        ) {
            let users: Vec<User> = ids.iter().zip(&names).map(|(id, name)| User {
                id: UserId(*id),
                username: crate::domain::Username::parse(&format!("u{id}")).expect("valid"),
                display_name: name.clone(),
                email: format!("u{id}@example.org"),
                password_hash: String::new(),
                role: crate::domain::Role::Requester,
                manager_id: None,
                locale: None,
                active: true,
                must_change_password: false,
                created_at: crate::domain::Timestamp(0),
            }).collect();
            let people = People::new(users.clone(), Vec::new());
            for user in &users {
                proptest::prop_assert_eq!(people.user(user.id).map(|u| u.id), Some(user.id));
                proptest::prop_assert_eq!(people.name(user.id).map(|n| &**n), Some(user.display_name.as_str()));
            }
            if !ids.contains(&missing) {
                proptest::prop_assert!(people.user(UserId(missing)).is_none());
                proptest::prop_assert!(people.name(UserId(missing)).is_none());
            }
        }
    }

    #[test]
    fn a_memo_keeps_what_was_found_until_the_next_generation() {
        let memo = ByGeneration::default();
        let reads = Cell::new(0);
        assert_eq!(get(&memo, 1, 7, Some(70), &reads), Some(70));
        assert_eq!(get(&memo, 1, 7, Some(71), &reads), Some(70), "kept");
        assert_eq!(reads.get(), 1);
        // A commit: read again.
        assert_eq!(get(&memo, 2, 7, Some(72), &reads), Some(72));
        assert_eq!(reads.get(), 2);
        // A page that read its generation before that commit reads, and keeps nothing.
        assert_eq!(get(&memo, 1, 7, Some(70), &reads), Some(70));
        assert_eq!(get(&memo, 2, 7, Some(0), &reads), Some(72));
        assert_eq!(reads.get(), 3);
        // What was not found is not kept: made-up keys cannot fill the memo.
        assert_eq!(get(&memo, 2, 8, None, &reads), None);
        assert_eq!(get(&memo, 2, 8, None, &reads), None);
        assert_eq!(reads.get(), 5);
    }

    #[test]
    fn a_full_memo_starts_again_empty() {
        let memo = ByGeneration::default();
        let reads = Cell::new(0);
        let entries = u32::try_from(MEMO_ENTRIES).expect("a few thousand");
        for key in 0..entries {
            get(&memo, 1, key, Some(key), &reads);
        }
        get(&memo, 1, 0, Some(0), &reads);
        assert_eq!(reads.get(), entries, "all kept");
        get(&memo, 1, u32::MAX, Some(1), &reads);
        get(&memo, 1, 0, Some(0), &reads);
        assert_eq!(reads.get(), entries + 2, "emptied when full");
        let kept = memo.held().1;
        assert_eq!(kept, 2);
    }
}
