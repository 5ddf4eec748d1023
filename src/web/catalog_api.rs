//! The catalog's JSON API: categories (a tree) and services with their forms.

use super::api::{Body, Document};
use super::error::ApiError;
use super::extract::{ApiAdmin, ApiUser};
use super::state::AppState;
use crate::domain::catalog::{TreeNode, tree};
use crate::domain::form::{FieldKind, FormField, Limits};
use crate::domain::service::{ApprovalRule, Delay, DelayUnit};
use crate::domain::{
    Category, CategoryId, CategoryInput, FieldErrors, Service, ServiceId, ServiceInput, TeamId,
    UserId,
};
use crate::ops::Error;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/categories", get(categories).post(category_create))
        .route(
            "/api/v1/categories/{id}",
            get(category).put(category_update).delete(category_delete),
        )
        .route("/api/v1/services", get(services).post(service_create))
        .route("/api/v1/services/{id}", get(service).put(service_update))
}

type ApiResult = Result<Response, ApiError>;

fn parse_id(raw: &str) -> Result<u64, ApiError> {
    raw.parse::<u64>().map_err(|_| Error::NotFound.into())
}

fn category_json(c: &Category, children: Vec<Value>) -> Value {
    json!({
        "id": c.id, "name": c.name, "description": c.description, "icon": c.icon,
        "order": c.order, "parent_id": c.parent_id, "children": children,
    })
}

fn node_json(node: &TreeNode<'_>) -> Value {
    category_json(node.category, node.children.iter().map(node_json).collect())
}

fn field_json(f: &FormField) -> Value {
    json!({
        "key": f.key, "label": f.label, "help": f.help, "kind": f.kind.code(),
        "required": f.required, "options": f.options,
        "max_length": f.limits.max_length, "min": f.limits.min, "max": f.limits.max,
        "not_in_past": f.limits.not_in_past, "max_size_mb": f.limits.max_size_mb,
        "allowed_types": f.limits.allowed_types,
    })
}

pub fn service_json(s: &Service) -> Value {
    let steps: Vec<Value> = s
        .approval_steps
        .iter()
        .map(|rule| match rule {
            ApprovalRule::Manager => json!({"rule": "manager"}),
            ApprovalRule::TeamLead => json!({"rule": "team_lead"}),
            ApprovalRule::User(id) => json!({"rule": "user", "user_id": id}),
        })
        .collect();
    json!({
        "id": s.id, "name": s.name, "description": s.description, "keywords": s.keywords,
        "category_id": s.category_id, "active": s.active, "requires_approval": s.requires_approval,
        "approval_steps": steps,
        "estimated_delay": s.estimated_delay.map(|d| json!({"value": d.value, "unit": d.unit.code()})),
        "sla_policy_id": s.sla_policy_id, "team_id": s.team_id, "order": s.order,
        "show_usual_time": s.show_usual_time, "on_behalf": s.on_behalf, "created_at": s.created_at.map(super::api::time),
        "form": s.form.iter().map(field_json).collect::<Vec<_>>(),
    })
}

async fn categories(State(state): State<AppState>, _api: ApiUser) -> ApiResult {
    let all = state.ops.categories()?;
    Ok(Json(tree(&all).iter().map(node_json).collect::<Vec<_>>()).into_response())
}

async fn category(
    State(state): State<AppState>,
    _api: ApiUser,
    Path(id): Path<String>,
) -> ApiResult {
    let id = CategoryId(parse_id(&id)?);
    Ok(Json(category_document(&state, id)?).into_response())
}

/// A category with its sub-tree, as its `GET` answers it.
fn category_document(state: &AppState, id: CategoryId) -> Result<Value, Error> {
    let all = state.ops.categories()?;
    let found = crate::domain::catalog::tree(&all);
    fn find<'a>(nodes: &'a [TreeNode<'a>], id: CategoryId) -> Option<&'a TreeNode<'a>> {
        nodes.iter().find_map(|n| {
            if n.category.id == id {
                Some(n)
            } else {
                find(&n.children, id)
            }
        })
    }
    let node = find(&found, id).ok_or(Error::NotFound)?;
    Ok(node_json(node))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CategoryBody {
    name: String,
    #[serde(default)]
    description: String,
    parent_id: Option<u64>,
    #[serde(default)]
    icon: String,
    #[serde(default)]
    order: i32,
}

impl From<CategoryBody> for CategoryInput {
    fn from(b: CategoryBody) -> CategoryInput {
        CategoryInput {
            name: b.name,
            description: b.description,
            parent_id: b.parent_id.map(CategoryId),
            icon: b.icon,
            order: b.order,
        }
    }
}

async fn category_create(
    State(state): State<AppState>,
    api: ApiAdmin,
    Body(body): Body<CategoryBody>,
) -> ApiResult {
    let category = state.ops.create_category(api.admin, body.into()).await?;
    Ok((StatusCode::CREATED, Json(category_json(&category, vec![]))).into_response())
}

async fn category_update(
    State(state): State<AppState>,
    api: ApiAdmin,
    Path(id): Path<String>,
    document: Document,
) -> ApiResult {
    let id = CategoryId(parse_id(&id)?);
    let body: CategoryBody =
        document.writable(&category_document(&state, id)?, &["id", "children"])?;
    let category = state
        .ops
        .update_category(api.admin, id, body.into())
        .await?;
    Ok(Json(category_json(&category, vec![])).into_response())
}

async fn category_delete(
    State(state): State<AppState>,
    api: ApiAdmin,
    Path(id): Path<String>,
) -> ApiResult {
    state
        .ops
        .delete_category(api.admin, CategoryId(parse_id(&id)?))
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize)]
struct CategoryFilter {
    category: Option<String>,
}

async fn services(
    State(state): State<AppState>,
    api: ApiUser,
    Query(filter): Query<CategoryFilter>,
) -> ApiResult {
    let category = filter
        .category
        .as_deref()
        .map(parse_id)
        .transpose()?
        .map(CategoryId);
    let body = state
        .ops
        .services_written(&api.user, category, |services| {
            let all: Vec<Value> = services.iter().map(|s| service_json(s)).collect();
            serde_json::to_vec(&all).unwrap_or_default()
        })?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

async fn service(State(state): State<AppState>, api: ApiUser, Path(id): Path<String>) -> ApiResult {
    let page = state
        .ops
        .service_page(&api.user, ServiceId(parse_id(&id)?))?;
    Ok(Json(service_json(&page.service)).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StepBody {
    rule: String,
    user_id: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DelayBody {
    value: u32,
    unit: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldBody {
    key: String,
    label: String,
    kind: String,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    options: Vec<String>,
    #[serde(default)]
    help: String,
    max_length: Option<u32>,
    min: Option<f64>,
    max: Option<f64>,
    #[serde(default)]
    not_in_past: bool,
    max_size_mb: Option<u32>,
    #[serde(default)]
    allowed_types: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ServiceBody {
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    keywords: String,
    category_id: u64,
    #[serde(default = "yes")]
    active: bool,
    #[serde(default)]
    requires_approval: bool,
    #[serde(default)]
    approval_steps: Vec<StepBody>,
    estimated_delay: Option<DelayBody>,
    sla_policy_id: Option<u64>,
    team_id: Option<u64>,
    #[serde(default)]
    order: i32,
    #[serde(default)]
    show_usual_time: bool,
    #[serde(default = "yes")]
    on_behalf: bool,
    form: Option<Vec<FieldBody>>,
}

fn yes() -> bool {
    true
}

impl ServiceBody {
    /// Parses the parts serde cannot (rule and kind spellings), naming each bad field.
    fn parse(self) -> Result<(ServiceInput, Option<Vec<FormField>>), ApiError> {
        let mut errors = FieldErrors::new();
        let mut steps = Vec::new();
        for step in &self.approval_steps {
            match (step.rule.as_str(), step.user_id) {
                ("manager", _) => steps.push(ApprovalRule::Manager),
                ("team_lead", _) => steps.push(ApprovalRule::TeamLead),
                ("user", Some(id)) => steps.push(ApprovalRule::User(UserId(id))),
                ("user", None) => errors.add("approval_steps", "a user step needs user_id"),
                _ => errors.add("approval_steps", "rule must be manager, team_lead or user"),
            }
        }
        let estimated_delay = match &self.estimated_delay {
            Some(delay) => match DelayUnit::parse(&delay.unit) {
                Some(unit) => Some(Delay {
                    value: delay.value,
                    unit,
                }),
                None => {
                    errors.add("estimated_delay", "unit must be hours or days");
                    None
                }
            },
            None => None,
        };
        let form = self.form.map(|fields| {
            fields
                .into_iter()
                .enumerate()
                .map(|(i, f)| FormField {
                    kind: FieldKind::parse(&f.kind).unwrap_or_else(|| {
                        errors.add(&format!("form[{i}].kind"), "must be text, textarea, number, select, multiselect, checkbox, date or file");
                        FieldKind::Text
                    }),
                    key: f.key,
                    label: f.label,
                    help: f.help,
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
                .collect()
        });
        if !errors.is_empty() {
            return Err(Error::Invalid(errors).into());
        }
        let input = ServiceInput {
            name: self.name,
            description: self.description,
            keywords: self.keywords,
            category_id: CategoryId(self.category_id),
            active: self.active,
            requires_approval: self.requires_approval,
            approval_steps: steps,
            estimated_delay,
            sla_policy_id: self.sla_policy_id,
            team_id: self.team_id.map(TeamId),
            order: self.order,
            show_usual_time: self.show_usual_time,
            on_behalf: self.on_behalf,
        };
        Ok((input, form))
    }
}

async fn service_create(
    State(state): State<AppState>,
    api: ApiAdmin,
    Body(body): Body<ServiceBody>,
) -> ApiResult {
    let (input, form) = body.parse()?;
    let service = state
        .ops
        .create_service(api.admin, input, form.unwrap_or_default())
        .await?;
    Ok((StatusCode::CREATED, Json(service_json(&service))).into_response())
}

async fn service_update(
    State(state): State<AppState>,
    api: ApiAdmin,
    Path(id): Path<String>,
    document: Document,
) -> ApiResult {
    let id = ServiceId(parse_id(&id)?);
    let current = service_json(&state.ops.service(api.admin, id)?);
    let body: ServiceBody = document.writable(&current, &["id", "created_at"])?;
    let (input, form) = body.parse()?;
    let service = state.ops.update_service(api.admin, id, input, form).await?;
    Ok(Json(service_json(&service)).into_response())
}
