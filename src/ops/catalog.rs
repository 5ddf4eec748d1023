//! The catalog as people see it: the portal (home, category, service pages) with visibility
//! by role, and the admin use cases on categories.

use super::audit::audit;
use super::{Admin, Error, Ops};
use crate::domain::audit::AuditKind;
use crate::domain::catalog::{self, path};
use crate::domain::ordering::move_one;
use crate::domain::service::ApprovalRule;
use crate::domain::{Category, CategoryId, CategoryInput, Service, ServiceId, User};
use std::cmp::Reverse;
use std::sync::Arc;

/// How many services "most requested" shows.
pub const POPULAR: usize = 6;

pub struct PortalHome {
    pub top: Vec<Category>,
    pub popular: Vec<Arc<Service>>,
}

pub struct CategoryPage {
    /// From the top-level category down to this one.
    pub path: Vec<Category>,
    pub children: Vec<Category>,
    pub services: Vec<Arc<Service>>,
}

/// One approval step in words: the rule and, when known, who it is.
pub struct ApprovalStep {
    pub rule: ApprovalRule,
    pub approver: Option<String>,
}

pub struct ServicePage {
    pub service: Arc<Service>,
    pub path: Vec<Category>,
    pub approval: Vec<ApprovalStep>,
    pub team: Option<String>,
    /// The service's SLA policy: its deadlines replace the estimate.
    pub sla: Option<crate::domain::sla::SlaPolicy>,
    /// How long it usually takes (the median of the last 90 days), when the service shows it
    /// and enough requests were finished.
    pub usual_seconds: Option<i64>,
    /// Whom the viewer may file a request for besides themselves, by name: anyone active for
    /// the IT team, their reports for a manager.
    pub filing_for: Vec<(crate::domain::UserId, String)>,
}

impl Ops {
    /// Every category. Any signed-in user may read the tree.
    pub fn categories(&self) -> Result<Vec<Category>, Error> {
        Ok(self.store().read()?.categories()?)
    }

    pub fn portal_home(&self, viewer: &User) -> Result<PortalHome, Error> {
        // The generation first: a commit after it makes the next call read again.
        let generation = self.store().generation();
        let catalog = self.catalog_at(generation)?;
        let counts = self.inner.request_counts.get(generation, || {
            let mut counts = self.store().read()?.request_counts()?;
            counts.sort_by_key(|(id, count)| (Reverse(*count), *id));
            Ok(counts)
        })?;
        let popular = counts
            .iter()
            .filter_map(|(id, _)| catalog.service_for(viewer, *id).cloned())
            .take(POPULAR)
            .collect();
        Ok(PortalHome {
            top: catalog.children_for(viewer, None),
            popular,
        })
    }

    pub fn category_page(&self, viewer: &User, id: CategoryId) -> Result<CategoryPage, Error> {
        let catalog = self.catalog_at(self.store().generation())?;
        if !catalog.categories.iter().any(|c| c.id == id) {
            return Err(Error::NotFound);
        }
        Ok(CategoryPage {
            path: path(&catalog.categories, id).into_iter().cloned().collect(),
            children: catalog.children_for(viewer, Some(id)),
            services: catalog.services_for(viewer, Some(id)),
        })
    }

    /// A service as its page shows it. Inactive services do not exist for requesters.
    pub fn service_page(&self, viewer: &User, id: ServiceId) -> Result<ServicePage, Error> {
        let reader = self.store().read()?;
        let catalog = self.catalog(&reader)?;
        let service = Arc::clone(catalog.service_for(viewer, id).ok_or(Error::NotFound)?);
        let all = &catalog.categories;
        let team = match service.team_id {
            Some(team) => reader.team(team)?,
            None => None,
        };
        let name_of =
            |id| -> Result<Option<String>, Error> { Ok(reader.user(id)?.map(|u| u.display_name)) };
        let mut approval = Vec::new();
        for rule in &service.approval_steps {
            let approver = match rule {
                ApprovalRule::Manager => match viewer.manager_id {
                    Some(manager) => name_of(manager)?,
                    None => None,
                },
                ApprovalRule::TeamLead => match team.as_ref().and_then(|t| t.lead_id) {
                    Some(lead) => name_of(lead)?,
                    None => None,
                },
                ApprovalRule::User(user) => name_of(*user)?,
            };
            approval.push(ApprovalStep {
                rule: *rule,
                approver,
            });
        }
        let sla = match service.sla_policy_id {
            Some(policy) => reader.sla_policy(policy)?,
            None => None,
        };
        // The people are listed only when the service may be filed for someone else.
        let filing_for = match service.on_behalf {
            true => self
                .people(&reader)?
                .users
                .iter()
                .filter(|u| u.active && u.id != viewer.id)
                .filter(|u| viewer.role.is_staff() || u.manager_id == Some(viewer.id))
                .map(|u| (u.id, u.display_name.clone()))
                .collect(),
            false => Vec::new(),
        };
        let usual_seconds = if service.show_usual_time {
            self.usual_time(&reader, service.id)?
        } else {
            None
        };
        Ok(ServicePage {
            sla,
            usual_seconds,
            filing_for,
            path: path(all, service.category_id)
                .into_iter()
                .cloned()
                .collect(),
            approval,
            team: team.map(|t| t.name),
            service,
        })
    }

    pub async fn create_category(
        &self,
        admin: Admin,
        input: CategoryInput,
    ) -> Result<Category, Error> {
        let category = self
            .blocking(move |ops| {
                ops.store().write(|w| {
                    let all = w.categories()?;
                    let input = input.check(None, &all)?;
                    let category = input.into_category(CategoryId(w.next_id("category")?));
                    w.put_category(&category)?;
                    let what = (AuditKind::Category, category.id.0, "created");
                    audit(w, admin.id, ops.now(), what, None, Some(&category))?;
                    Ok(category)
                })
            })
            .await?;
        self.after_category_change().await;
        Ok(category)
    }

    pub async fn update_category(
        &self,
        admin: Admin,
        id: CategoryId,
        input: CategoryInput,
    ) -> Result<Category, Error> {
        let category = self
            .blocking(move |ops| {
                ops.store().write(|w| {
                    let all = w.categories()?;
                    let before = all.iter().find(|c| c.id == id).ok_or(Error::NotFound)?;
                    let input = input.check(Some(id), &all)?;
                    let category = input.into_category(id);
                    w.put_category(&category)?;
                    let what = (AuditKind::Category, id.0, "updated");
                    audit(w, admin.id, ops.now(), what, Some(before), Some(&category))?;
                    Ok(category)
                })
            })
            .await?;
        self.after_category_change().await;
        Ok(category)
    }

    /// Deletes an empty category; one that holds sub-categories or services is refused.
    pub async fn delete_category(&self, admin: Admin, id: CategoryId) -> Result<(), Error> {
        self.blocking(move |ops| {
            ops.store().write(|w| {
                let all = w.categories()?;
                let before = all.iter().find(|c| c.id == id).ok_or(Error::NotFound)?;
                let subcategories = all.iter().filter(|c| c.parent_id == Some(id)).count();
                let services = usize::try_from(w.count_services_in(id)?).unwrap_or(usize::MAX);
                if subcategories > 0 || services > 0 {
                    return Err(Error::CategoryNotEmpty {
                        subcategories,
                        services,
                    });
                }
                w.delete_category(id)?;
                let what = (AuditKind::Category, id.0, "deleted");
                audit(w, admin.id, ops.now(), what, Some(before), None)?;
                Ok(())
            })
        })
        .await?;
        self.after_category_change().await;
        Ok(())
    }

    /// Moves a category one place up or down among its siblings. The siblings' display orders
    /// are renumbered 10, 20, 30… so that later inserts have room.
    pub async fn move_category(&self, admin: Admin, id: CategoryId, up: bool) -> Result<(), Error> {
        self.blocking(move |ops| {
            ops.store().write(|w| {
                let all = w.categories()?;
                let parent = all
                    .iter()
                    .find(|c| c.id == id)
                    .ok_or(Error::NotFound)?
                    .parent_id;
                let siblings: Vec<Category> = catalog::children(&all, parent)
                    .into_iter()
                    .cloned()
                    .collect();
                let at = siblings
                    .iter()
                    .position(|c| c.id == id)
                    .ok_or(Error::NotFound)?;
                for category in move_one(siblings, at, up, |c| &mut c.order) {
                    let before = all.iter().find(|c| c.id == category.id);
                    w.put_category(&category)?;
                    let what = (AuditKind::Category, category.id.0, "moved");
                    audit(w, admin.id, ops.now(), what, before, Some(&category))?;
                }
                Ok(())
            })
        })
        .await
    }
}
