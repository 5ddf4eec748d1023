//! Admin use cases on services and their forms.

use super::audit::audit;
use super::{Admin, Error, Ops};
use crate::domain::audit::AuditKind;
use crate::domain::form::FormField;
use crate::domain::ordering::move_one;
use crate::domain::service::ApprovalRule;
use crate::domain::{FieldErrors, Service, ServiceId, ServiceInput};
use crate::storage::Writer;

/// Where a form field goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldMove {
    Up,
    Down,
    /// To this place in the form, from 0 (past the end: last).
    To(usize),
}

/// Checks what a service refers to: its category, team and designated approvers.
fn check_references(w: &Writer, input: &ServiceInput) -> Result<(), Error> {
    let mut errors = FieldErrors::new();
    if !w.categories()?.iter().any(|c| c.id == input.category_id) {
        errors.add("category_id", "no such category");
    }
    if let Some(team) = input.team_id
        && w.team(team)?.is_none()
    {
        errors.add("team_id", "no such team");
    }
    for rule in &input.approval_steps {
        if let ApprovalRule::User(user) = rule
            && w.user(*user)?.is_none()
        {
            errors.add("approval_steps", "no such user");
        }
    }
    if let Some(policy) = input.sla_policy_id
        && w.sla_policy(policy)?.is_none()
    {
        errors.add("sla_policy_id", "must name an existing SLA policy");
    }
    if input.approval_steps.contains(&ApprovalRule::TeamLead) && input.team_id.is_none() {
        errors.add(
            "approval_steps",
            "approval by the team lead needs a fulfilling team",
        );
    }
    errors.into_result(()).map_err(Error::from)
}

fn apply(service: &mut Service, input: ServiceInput) {
    service.name = input.name;
    service.description = input.description;
    service.keywords = input.keywords;
    service.category_id = input.category_id;
    service.active = input.active;
    service.requires_approval = input.requires_approval;
    service.approval_steps = input.approval_steps;
    service.estimated_delay = input.estimated_delay;
    service.sla_policy_id = input.sla_policy_id;
    service.team_id = input.team_id;
    service.order = input.order;
    service.show_usual_time = input.show_usual_time;
    service.on_behalf = input.on_behalf;
}

/// Checks a whole form: each field against the ones before it.
fn check_form(fields: Vec<FormField>) -> Result<Vec<FormField>, Error> {
    let mut checked: Vec<FormField> = Vec::with_capacity(fields.len());
    let mut errors = FieldErrors::new();
    for (i, field) in fields.into_iter().enumerate() {
        match field.check(&checked) {
            Ok(field) => checked.push(field),
            Err(field_errors) => {
                for (name, message) in field_errors.iter() {
                    errors.add(&format!("form[{i}].{name}"), message);
                }
            }
        }
    }
    errors.into_result(checked).map_err(Error::from)
}

impl Ops {
    /// A service for the admin pages, inactive or not.
    pub fn service(&self, _admin: Admin, id: ServiceId) -> Result<Service, Error> {
        self.store().read()?.service(id)?.ok_or(Error::NotFound)
    }

    pub fn all_services(&self, _admin: Admin) -> Result<Vec<Service>, Error> {
        Ok(self.store().read()?.services()?)
    }

    /// Creates a service; `form` may be empty and grow field by field later.
    pub async fn create_service(
        &self,
        admin: Admin,
        input: ServiceInput,
        form: Vec<FormField>,
    ) -> Result<Service, Error> {
        let input = input.check()?;
        let form = check_form(form)?;
        let service = self
            .blocking(move |ops| {
                ops.store().write(|w| {
                    check_references(w, &input)?;
                    let mut service = Service {
                        id: ServiceId(w.next_id("service")?),
                        name: String::new(),
                        description: String::new(),
                        keywords: String::new(),
                        category_id: input.category_id,
                        active: true,
                        requires_approval: false,
                        approval_steps: Vec::new(),
                        estimated_delay: None,
                        sla_policy_id: None,
                        team_id: None,
                        order: 0,
                        form,
                        created_at: Some(ops.now()),
                        show_usual_time: false,
                        on_behalf: true,
                    };
                    apply(&mut service, input);
                    w.put_service(&service)?;
                    let what = (AuditKind::Service, service.id.0, "created");
                    audit(w, admin.id, ops.now(), what, None, Some(&service))?;
                    Ok(service)
                })
            })
            .await?;
        self.after_service_change(service.id).await;
        Ok(service)
    }

    /// Changes a service; `form: Some(..)` replaces its form too (the API), `None` keeps it.
    pub async fn update_service(
        &self,
        admin: Admin,
        id: ServiceId,
        input: ServiceInput,
        form: Option<Vec<FormField>>,
    ) -> Result<Service, Error> {
        let input = input.check()?;
        let form = form.map(check_form).transpose()?;
        let service = self
            .blocking(move |ops| {
                let (rules, now) = (ops.sla_rules(), ops.now());
                ops.store().write(|w| {
                    let mut service = w.service(id)?.ok_or(Error::NotFound)?;
                    let before = service.clone();
                    check_references(w, &input)?;
                    let policy_changed = service.sla_policy_id != input.sla_policy_id;
                    apply(&mut service, input);
                    if let Some(form) = form {
                        service.form = form;
                    }
                    w.put_service(&service)?;
                    let what = (AuditKind::Service, id.0, "updated");
                    audit(w, admin.id, now, what, Some(&before), Some(&service))?;
                    if policy_changed {
                        // Open requests follow their service's policy at once.
                        super::sla::refresh_open(w, &rules, now, |s| s.service_id == id)?;
                    }
                    Ok(service)
                })
            })
            .await?;
        self.after_service_change(id).await;
        Ok(service)
    }

    /// Applies `change` to a service's form in one transaction; refusals change nothing.
    async fn edit_form(
        &self,
        admin: Admin,
        id: ServiceId,
        change: impl FnOnce(&mut Vec<FormField>) -> Result<(), Error> + Send + 'static,
    ) -> Result<Service, Error> {
        let service = self
            .blocking(move |ops| {
                ops.store().write(|w| {
                    let mut service = w.service(id)?.ok_or(Error::NotFound)?;
                    let before = service.clone();
                    change(&mut service.form)?;
                    w.put_service(&service)?;
                    let what = (AuditKind::Service, id.0, "form_changed");
                    audit(w, admin.id, ops.now(), what, Some(&before), Some(&service))?;
                    Ok(service)
                })
            })
            .await?;
        self.after_service_change(id).await;
        Ok(service)
    }

    pub async fn add_field(
        &self,
        admin: Admin,
        id: ServiceId,
        field: FormField,
    ) -> Result<Service, Error> {
        self.edit_form(admin, id, move |form| {
            let field = field.check(form)?;
            form.push(field);
            Ok(())
        })
        .await
    }

    /// Replaces the field `key` (its key may change, if still unique).
    pub async fn update_field(
        &self,
        admin: Admin,
        id: ServiceId,
        key: String,
        field: FormField,
    ) -> Result<Service, Error> {
        self.edit_form(admin, id, move |form| {
            let at = form
                .iter()
                .position(|f| f.key == key)
                .ok_or(Error::NotFound)?;
            let others: Vec<FormField> = form.iter().filter(|f| f.key != key).cloned().collect();
            form[at] = field.check(&others)?;
            Ok(())
        })
        .await
    }

    pub async fn move_field(
        &self,
        admin: Admin,
        id: ServiceId,
        key: String,
        to: FieldMove,
    ) -> Result<Service, Error> {
        self.edit_form(admin, id, move |form| {
            let at = form
                .iter()
                .position(|f| f.key == key)
                .ok_or(Error::NotFound)?;
            let other = match to {
                FieldMove::Up => at.checked_sub(1),
                FieldMove::Down => Some(at + 1).filter(|i| *i < form.len()),
                FieldMove::To(place) => {
                    let field = form.remove(at);
                    form.insert(place.min(form.len()), field);
                    return Ok(());
                }
            };
            if let Some(other) = other {
                form.swap(at, other);
            }
            Ok(())
        })
        .await
    }

    pub async fn remove_field(
        &self,
        admin: Admin,
        id: ServiceId,
        key: String,
    ) -> Result<Service, Error> {
        self.edit_form(admin, id, move |form| {
            let at = form
                .iter()
                .position(|f| f.key == key)
                .ok_or(Error::NotFound)?;
            form.remove(at);
            Ok(())
        })
        .await
    }

    pub async fn set_service_active(
        &self,
        admin: Admin,
        id: ServiceId,
        active: bool,
    ) -> Result<Service, Error> {
        let service = self
            .blocking(move |ops| {
                ops.store().write(|w| {
                    let mut service = w.service(id)?.ok_or(Error::NotFound)?;
                    let before = service.clone();
                    service.active = active;
                    w.put_service(&service)?;
                    let action = if active { "activated" } else { "deactivated" };
                    let what = (AuditKind::Service, id.0, action);
                    audit(w, admin.id, ops.now(), what, Some(&before), Some(&service))?;
                    Ok(service)
                })
            })
            .await?;
        self.after_service_change(id).await;
        Ok(service)
    }

    /// Moves a service one place up or down among the services of its category.
    pub async fn move_service(&self, admin: Admin, id: ServiceId, up: bool) -> Result<(), Error> {
        self.blocking(move |ops| {
            ops.store().write(|w| {
                let service = w.service(id)?.ok_or(Error::NotFound)?;
                let mut siblings = w.services_in(service.category_id)?;
                siblings.sort_by(|a, b| a.order.cmp(&b.order).then_with(|| a.name.cmp(&b.name)));
                let at = siblings
                    .iter()
                    .position(|s| s.id == id)
                    .ok_or(Error::NotFound)?;
                let before = siblings.clone();
                for sibling in move_one(siblings, at, up, |s| &mut s.order) {
                    w.put_service(&sibling)?;
                    let old = before.iter().find(|b| b.id == sibling.id);
                    let what = (AuditKind::Service, sibling.id.0, "moved");
                    audit(w, admin.id, ops.now(), what, old, Some(&sibling))?;
                }
                Ok(())
            })
        })
        .await
    }
}
