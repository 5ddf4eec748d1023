//! Stored forms of categories and services (schema 3). Frozen: a change is a new version.

use super::Error;
use super::codes::{delay_unit_code, delay_unit_from, field_kind_code, field_kind_from};
use crate::domain::form::{FormField, Limits};
use crate::domain::service::{ApprovalRule, Delay};
use crate::domain::{Category, CategoryId, Service, ServiceId, TeamId, Timestamp, UserId};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
pub enum CategoryRecord {
    V1(CategoryV1),
}

#[derive(Serialize, Deserialize)]
pub struct CategoryV1 {
    pub id: u64,
    pub name: String,
    pub description: String,
    pub parent_id: Option<u64>,
    pub icon: String,
    pub order: i32,
}

impl From<&Category> for CategoryRecord {
    fn from(c: &Category) -> Self {
        CategoryRecord::V1(CategoryV1 {
            id: c.id.0,
            name: c.name.clone(),
            description: c.description.clone(),
            parent_id: c.parent_id.map(|p| p.0),
            icon: c.icon.clone(),
            order: c.order,
        })
    }
}

impl TryFrom<CategoryRecord> for Category {
    type Error = Error;
    fn try_from(record: CategoryRecord) -> Result<Category, Error> {
        let CategoryRecord::V1(c) = record;
        Ok(Category {
            id: CategoryId(c.id),
            name: c.name,
            description: c.description,
            parent_id: c.parent_id.map(CategoryId),
            icon: c.icon,
            order: c.order,
        })
    }
}

#[derive(Serialize, Deserialize)]
pub enum ServiceRecord {
    V1(ServiceV1),
    /// Issue 14: when the service was made, and whether its page shows its usual time.
    V2(ServiceV2),
    /// Issue 16: whether it may be filed for someone else.
    V3(ServiceV3),
}

#[derive(Serialize, Deserialize)]
pub struct ServiceV3 {
    pub v2: ServiceV2,
    pub on_behalf: bool,
}

#[derive(Serialize, Deserialize)]
pub struct ServiceV2 {
    pub base: ServiceV1,
    /// Seconds since the epoch; `None` for services made before schema 6's release.
    pub created_at: Option<i64>,
    pub show_usual_time: bool,
}

#[derive(Serialize, Deserialize)]
pub struct ServiceV1 {
    pub id: u64,
    pub name: String,
    pub description: String,
    pub keywords: String,
    pub category_id: u64,
    pub active: bool,
    pub requires_approval: bool,
    pub approval_steps: Vec<ApprovalStepV1>,
    pub estimated_delay: Option<DelayV1>,
    pub sla_policy_id: Option<u64>,
    pub team_id: Option<u64>,
    pub order: i32,
    pub form: Vec<FieldV1>,
}

#[derive(Serialize, Deserialize)]
pub enum ApprovalStepV1 {
    Manager,
    TeamLead,
    User(u64),
}

#[derive(Serialize, Deserialize)]
pub struct DelayV1 {
    pub value: u32,
    /// `codes::delay_unit_code`.
    pub unit: u8,
}

#[derive(Serialize, Deserialize)]
pub struct FieldV1 {
    pub key: String,
    pub label: String,
    pub help: String,
    /// `codes::field_kind_code`.
    pub kind: u8,
    pub required: bool,
    pub options: Vec<String>,
    pub max_length: Option<u32>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub not_in_past: bool,
    pub max_size_mb: Option<u32>,
    pub allowed_types: Vec<String>,
}

impl From<&Service> for ServiceRecord {
    fn from(s: &Service) -> Self {
        ServiceRecord::V3(ServiceV3 {
            v2: ServiceV2 {
                base: service_v1(s),
                created_at: s.created_at.map(|t| t.0),
                show_usual_time: s.show_usual_time,
            },
            on_behalf: s.on_behalf,
        })
    }
}

fn service_v1(s: &Service) -> ServiceV1 {
    {
        ServiceV1 {
            id: s.id.0,
            name: s.name.clone(),
            description: s.description.clone(),
            keywords: s.keywords.clone(),
            category_id: s.category_id.0,
            active: s.active,
            requires_approval: s.requires_approval,
            approval_steps: s
                .approval_steps
                .iter()
                .map(|r| match r {
                    ApprovalRule::Manager => ApprovalStepV1::Manager,
                    ApprovalRule::TeamLead => ApprovalStepV1::TeamLead,
                    ApprovalRule::User(id) => ApprovalStepV1::User(id.0),
                })
                .collect(),
            estimated_delay: s.estimated_delay.map(|d| DelayV1 {
                value: d.value,
                unit: delay_unit_code(d.unit),
            }),
            sla_policy_id: s.sla_policy_id,
            team_id: s.team_id.map(|t| t.0),
            order: s.order,
            form: s.form.iter().map(field_record).collect(),
        }
    }
}

pub(super) fn field_record(f: &FormField) -> FieldV1 {
    FieldV1 {
        key: f.key.clone(),
        label: f.label.clone(),
        help: f.help.clone(),
        kind: field_kind_code(f.kind),
        required: f.required,
        options: f.options.clone(),
        max_length: f.limits.max_length,
        min: f.limits.min,
        max: f.limits.max,
        not_in_past: f.limits.not_in_past,
        max_size_mb: f.limits.max_size_mb,
        allowed_types: f.limits.allowed_types.clone(),
    }
}

impl TryFrom<ServiceRecord> for Service {
    type Error = Error;
    fn try_from(record: ServiceRecord) -> Result<Service, Error> {
        let (v2, on_behalf) = match record {
            ServiceRecord::V1(s) => (
                ServiceV2 {
                    base: s,
                    created_at: None,
                    show_usual_time: false,
                },
                true,
            ),
            ServiceRecord::V2(v) => (v, true),
            ServiceRecord::V3(v) => (v.v2, v.on_behalf),
        };
        let (s, created_at, show_usual_time) =
            (v2.base, v2.created_at.map(Timestamp), v2.show_usual_time);
        let form = s
            .form
            .into_iter()
            .map(|f| field_from_record(f, "services"))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Service {
            id: ServiceId(s.id),
            name: s.name,
            description: s.description,
            keywords: s.keywords,
            category_id: CategoryId(s.category_id),
            active: s.active,
            requires_approval: s.requires_approval,
            approval_steps: s
                .approval_steps
                .into_iter()
                .map(|step| match step {
                    ApprovalStepV1::Manager => ApprovalRule::Manager,
                    ApprovalStepV1::TeamLead => ApprovalRule::TeamLead,
                    ApprovalStepV1::User(id) => ApprovalRule::User(UserId(id)),
                })
                .collect(),
            estimated_delay: match s.estimated_delay {
                Some(d) => Some(Delay {
                    value: d.value,
                    unit: delay_unit_from("services", d.unit)?,
                }),
                None => None,
            },
            sla_policy_id: s.sla_policy_id,
            team_id: s.team_id.map(TeamId),
            order: s.order,
            form,
            created_at,
            show_usual_time,
            on_behalf,
        })
    }
}

/// A stored field back into the domain; `table` names where it was read, for the error.
pub(super) fn field_from_record(f: FieldV1, table: &'static str) -> Result<FormField, Error> {
    let kind = field_kind_from(table, f.kind)?;
    Ok(FormField {
        key: f.key,
        label: f.label,
        help: f.help,
        kind,
        required: f.required,
        options: f.options,
        limits: Limits {
            max_length: f.max_length,
            min: f.min,
            max: f.max,
            not_in_past: f.not_in_past,
            max_size_mb: f.max_size_mb,
            allowed_types: f.allowed_types,
        },
    })
}
