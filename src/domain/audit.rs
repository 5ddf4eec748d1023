//! The audit trail: who changed what in the catalog, the people and the settings, when, with
//! the values before and after. An entry is written in the same transaction as the change and
//! never edited or removed through the product.

use super::catalog::Category;
use super::service::Service;
use super::sla::{CalendarDef, SlaPolicy};
use super::{Team, Timestamp, User, UserId};

/// What an entry is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuditKind {
    Category,
    Service,
    User,
    Team,
    Calendar,
    SlaPolicy,
    /// Instance-wide settings: the default calendar, the default mail choices, the outbox.
    Settings,
}

impl AuditKind {
    pub const ALL: [AuditKind; 7] = [
        AuditKind::Category,
        AuditKind::Service,
        AuditKind::User,
        AuditKind::Team,
        AuditKind::Calendar,
        AuditKind::SlaPolicy,
        AuditKind::Settings,
    ];

    pub fn code(self) -> &'static str {
        match self {
            AuditKind::Category => "category",
            AuditKind::Service => "service",
            AuditKind::User => "user",
            AuditKind::Team => "team",
            AuditKind::Calendar => "calendar",
            AuditKind::SlaPolicy => "sla_policy",
            AuditKind::Settings => "settings",
        }
    }

    pub fn parse(s: &str) -> Option<AuditKind> {
        AuditKind::ALL.into_iter().find(|k| k.code() == s)
    }
}

/// One change, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: u64,
    pub at: Timestamp,
    pub by: UserId,
    pub kind: AuditKind,
    /// The id of what changed (0 for settings).
    pub target: u64,
    /// Its name when the change was made, to read the trail after it is gone.
    pub target_name: String,
    /// `created`, `updated`, `deleted`, `moved`, `password_reset`…
    pub action: String,
    /// Every field before and after, as text; empty before a creation and after a deletion.
    pub before: Vec<(String, String)>,
    pub after: Vec<(String, String)>,
}

impl AuditEntry {
    /// The fields that differ: name, value before, value after.
    pub fn changes(&self) -> Vec<(&str, Option<&str>, Option<&str>)> {
        fn find<'a>(fields: &'a [(String, String)], key: &str) -> Option<&'a str> {
            fields
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        }
        let mut keys: Vec<&str> = self.before.iter().map(|(k, _)| k.as_str()).collect();
        for (k, _) in &self.after {
            if !keys.contains(&k.as_str()) {
                keys.push(k);
            }
        }
        keys.into_iter()
            .filter_map(|key| {
                let (old, new) = (find(&self.before, key), find(&self.after, key));
                (old != new).then_some((key, old, new))
            })
            .collect()
    }
}

/// What an audited thing shows of itself: its name, and each field as text.
pub trait Audited {
    fn audit_name(&self) -> String;
    fn audit_fields(&self) -> Vec<(String, String)>;
}

fn fields<const N: usize>(pairs: [(&str, String); N]) -> Vec<(String, String)> {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

fn opt<T: std::fmt::Display>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

impl Audited for Category {
    fn audit_name(&self) -> String {
        self.name.clone()
    }

    fn audit_fields(&self) -> Vec<(String, String)> {
        fields([
            ("name", self.name.clone()),
            ("description", self.description.clone()),
            ("parent_id", opt(self.parent_id.map(|p| p.0))),
            ("icon", self.icon.clone()),
            ("order", self.order.to_string()),
        ])
    }
}

impl Audited for Service {
    fn audit_name(&self) -> String {
        self.name.clone()
    }

    fn audit_fields(&self) -> Vec<(String, String)> {
        let form: Vec<String> = self
            .form
            .iter()
            .map(|f| {
                format!(
                    "{} ({:?}{})",
                    f.label,
                    f.kind,
                    if f.required { ", *" } else { "" }
                )
            })
            .collect();
        fields([
            ("name", self.name.clone()),
            ("description", self.description.clone()),
            ("keywords", self.keywords.clone()),
            ("category_id", self.category_id.0.to_string()),
            ("active", self.active.to_string()),
            ("requires_approval", self.requires_approval.to_string()),
            ("approval_steps", format!("{:?}", self.approval_steps)),
            (
                "estimated_delay",
                opt(self.estimated_delay.map(|d| format!("{d:?}"))),
            ),
            ("sla_policy_id", opt(self.sla_policy_id)),
            ("team_id", opt(self.team_id.map(|t| t.0))),
            ("order", self.order.to_string()),
            ("show_usual_time", self.show_usual_time.to_string()),
            ("on_behalf", self.on_behalf.to_string()),
            ("form", form.join(" · ")),
        ])
    }
}

impl Audited for User {
    fn audit_name(&self) -> String {
        self.username.to_string()
    }

    fn audit_fields(&self) -> Vec<(String, String)> {
        fields([
            ("username", self.username.to_string()),
            ("display_name", self.display_name.clone()),
            ("email", self.email.clone()),
            ("role", self.role.code().to_owned()),
            ("manager_id", opt(self.manager_id.map(|m| m.0))),
            ("locale", opt(self.locale.map(|l| l.code()))),
            ("active", self.active.to_string()),
        ])
    }
}

impl Audited for Team {
    fn audit_name(&self) -> String {
        self.name.clone()
    }

    fn audit_fields(&self) -> Vec<(String, String)> {
        let members: Vec<String> = self.member_ids.iter().map(|m| m.0.to_string()).collect();
        fields([
            ("name", self.name.clone()),
            ("lead_id", opt(self.lead_id.map(|l| l.0))),
            ("member_ids", members.join(", ")),
        ])
    }
}

impl Audited for CalendarDef {
    fn audit_name(&self) -> String {
        self.name.clone()
    }

    fn audit_fields(&self) -> Vec<(String, String)> {
        let c = &self.calendar;
        let hours: Vec<String> = c
            .hours
            .iter()
            .map(|h| format!("{:?} {}–{}", h.day, h.from, h.to))
            .collect();
        let holidays: Vec<String> = c
            .holidays
            .iter()
            .map(|h| {
                format!(
                    "{} {}{}",
                    h.date,
                    h.name,
                    if h.yearly { " (yearly)" } else { "" }
                )
            })
            .collect();
        fields([
            ("name", self.name.clone()),
            (
                "time_zone",
                c.time_zone.iana_name().unwrap_or("UTC").to_owned(),
            ),
            ("hours", hours.join(", ")),
            ("holidays", holidays.join(", ")),
        ])
    }
}

impl Audited for SlaPolicy {
    fn audit_name(&self) -> String {
        self.name.clone()
    }

    fn audit_fields(&self) -> Vec<(String, String)> {
        let target =
            |t: Option<super::sla::Target>| opt(t.map(|t| format!("{} {:?}", t.value, t.unit)));
        fields([
            ("name", self.name.clone()),
            ("calendar_id", opt(self.calendar_id)),
            ("response_target", target(self.response)),
            ("resolution_target", target(self.resolution)),
            ("thresholds", format!("{:?}", self.thresholds)),
        ])
    }
}

/// A setting by name and value, for the settings' entries.
pub struct Setting<'a>(pub &'a str, pub String);

impl Audited for Setting<'_> {
    fn audit_name(&self) -> String {
        self.0.to_owned()
    }

    fn audit_fields(&self) -> Vec<(String, String)> {
        vec![(self.0.to_owned(), self.1.clone())]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_name_each_field_that_differs_with_both_values() {
        let entry = AuditEntry {
            id: 1,
            at: Timestamp(0),
            by: UserId(1),
            kind: AuditKind::User,
            target: 3,
            target_name: "alice".into(),
            action: "updated".into(),
            before: fields([("role", "requester".into()), ("active", "true".into())]),
            after: fields([
                ("role", "admin".into()),
                ("active", "true".into()),
                ("locale", "fr".into()),
            ]),
        };
        assert_eq!(
            entry.changes(),
            vec![
                ("role", Some("requester"), Some("admin")),
                ("locale", None, Some("fr"))
            ]
        );
        for kind in AuditKind::ALL {
            assert_eq!(AuditKind::parse(kind.code()), Some(kind));
        }
        assert_eq!(AuditKind::parse("salary"), None);
    }
}
