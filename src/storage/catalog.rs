//! Categories and services, with the by-category index and request counts.

use super::catalog_records::{CategoryRecord, ServiceRecord};
use super::records::{decode, encode};
use super::tables::{CATEGORIES, SERVICES_BY_CATEGORY};

const CATALOG_VERSION: &str = "catalog_version";
use super::{Error, Reader, Writer};
use crate::domain::{Category, CategoryId, Service, ServiceId};
use redb::{ReadableMultimapTable, ReadableTable};

macro_rules! catalog_reads {
    ($t:ty) => {
        impl $t {
            /// Every category: the tree is small (tens of entries) and always needed whole.
            pub fn categories(&self) -> Result<Vec<Category>, Error> {
                let table = self.txn.open_table(CATEGORIES)?;
                let mut found = Vec::new();
                for entry in table.iter()? {
                    let (key, bytes) = entry?;
                    found.push(decode::<CategoryRecord, _>(
                        "categories",
                        key.value(),
                        bytes.value(),
                    )?);
                }
                Ok(found)
            }

            pub fn service(&self, id: ServiceId) -> Result<Option<Service>, Error> {
                let table = self.services_table()?;
                let Some(bytes) = table.get(id.0)? else {
                    return Ok(None);
                };
                decode::<ServiceRecord, _>("services", id.0, bytes.value()).map(Some)
            }

            /// The services of one category, through the index.
            pub fn services_in(&self, category: CategoryId) -> Result<Vec<Service>, Error> {
                let index = self.txn.open_multimap_table(SERVICES_BY_CATEGORY)?;
                let mut found = Vec::new();
                for id in index.get(category.0)? {
                    if let Some(service) = self.service(ServiceId(id?.value()))? {
                        found.push(service);
                    }
                }
                Ok(found)
            }

            pub fn count_services_in(&self, category: CategoryId) -> Result<u64, Error> {
                let index = self.txn.open_multimap_table(SERVICES_BY_CATEGORY)?;
                Ok(index.get(category.0)?.len())
            }

            /// Every service. The catalog holds tens to a few thousand services.
            pub fn services(&self) -> Result<Vec<Service>, Error> {
                let table = self.services_table()?;
                let mut found = Vec::new();
                for entry in table.iter()? {
                    let (key, bytes) = entry?;
                    found.push(decode::<ServiceRecord, _>(
                        "services",
                        key.value(),
                        bytes.value(),
                    )?);
                }
                Ok(found)
            }

            /// A number that grows with every change of the catalog; the search index records
            /// the one it reflects.
            pub fn catalog_version(&self) -> Result<u64, Error> {
                let meta = self.meta_table()?;
                Ok(meta.get(CATALOG_VERSION)?.map_or(0, |v| v.value()))
            }

            /// (service, requests submitted) for every service that was requested at least once.
            pub fn request_counts(&self) -> Result<Vec<(ServiceId, u64)>, Error> {
                let table = self.service_requests_table()?;
                let mut found = Vec::new();
                for entry in table.iter()? {
                    let (id, count) = entry?;
                    found.push((ServiceId(id.value()), count.value()));
                }
                Ok(found)
            }
        }
    };
}

catalog_reads!(Reader);
catalog_reads!(Writer<'_>);

impl Writer<'_> {
    /// Marks the catalog as changed; every write of categories or services calls it.
    fn bump_catalog_version(&self) -> Result<(), Error> {
        let mut meta = self.meta_table()?;
        let next = meta.get(CATALOG_VERSION)?.map_or(0, |v| v.value()) + 1;
        meta.insert(CATALOG_VERSION, next)?;
        Ok(())
    }

    pub fn put_category(&self, category: &Category) -> Result<(), Error> {
        self.bump_catalog_version()?;
        let mut table = self.txn.open_table(CATEGORIES)?;
        table.insert(
            category.id.0,
            encode(&CategoryRecord::from(category))?.as_slice(),
        )?;
        Ok(())
    }

    pub fn delete_category(&self, id: CategoryId) -> Result<(), Error> {
        self.bump_catalog_version()?;
        self.txn.open_table(CATEGORIES)?.remove(id.0)?;
        Ok(())
    }

    /// Inserts or replaces a service and keeps the by-category index in step.
    pub fn put_service(&self, service: &Service) -> Result<(), Error> {
        self.bump_catalog_version()?;
        let previous = self.service(service.id)?;
        let mut index = self.txn.open_multimap_table(SERVICES_BY_CATEGORY)?;
        if let Some(previous) = previous.filter(|p| p.category_id != service.category_id) {
            index.remove(previous.category_id.0, service.id.0)?;
        }
        index.insert(service.category_id.0, service.id.0)?;
        let mut table = self.services_table()?;
        table.insert(
            service.id.0,
            encode(&ServiceRecord::from(service))?.as_slice(),
        )?;
        Ok(())
    }

    /// Counts one more request for a service.
    pub fn count_request(&self, id: ServiceId) -> Result<(), Error> {
        let mut table = self.service_requests_table()?;
        let count = table.get(id.0)?.map_or(0, |v| v.value());
        table.insert(id.0, count + 1)?;
        Ok(())
    }
}
