//! The tables of the metrics page, as data: the page shows them beside their charts and the
//! exports write them to CSV, so both carry the same numbers under the same headers.

use super::i18n::Texts;
use super::i18n::metrics::MetricsTexts;
use super::sla::duration;
use crate::domain::Locale;
use crate::domain::metrics::conclusions::Conclusion;
use crate::domain::{CategoryId, TeamId};
use crate::ops::MetricsView;

/// One cell: text, a count, a duration in seconds, a share from 0 to 1.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    Seconds(Option<i64>),
    Share(Option<f64>),
    /// Counts per period, oldest first: a sparkline on the page.
    Trend(Vec<i64>),
}

impl Cell {
    /// As a page shows it.
    pub fn display(&self, locale: Locale) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Seconds(Some(s)) => duration(*s, locale),
            Cell::Share(Some(r)) => format!("{:.0} %", r * 100.0),
            Cell::Seconds(None) | Cell::Share(None) => "—".into(),
            Cell::Trend(values) => values
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(" "),
        }
    }
}

pub struct Table {
    pub key: &'static str,
    pub title: &'static str,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// Every table, by the key its export uses.
pub const KEYS: [&str; 10] = [
    "compliance",
    "conclusions",
    "top",
    "services",
    "flow",
    "backlog",
    "volume",
    "teams",
    "technicians",
    "never_requested",
];

fn team_name(view: &MetricsView, t: &MetricsTexts, id: Option<TeamId>) -> String {
    view.team_name(id).unwrap_or(t.no_team).to_owned()
}

fn category_name(view: &MetricsView, id: CategoryId) -> String {
    view.categories
        .iter()
        .find(|c| c.id == id)
        .map_or_else(|| "?".to_owned(), |c| c.name.clone())
}

/// A conclusion's subject and its reason, in the page's language.
pub fn conclusion_text(
    view: &MetricsView,
    t: &MetricsTexts,
    locale: Locale,
    c: &Conclusion,
) -> (String, String) {
    let d = |s: i64| duration(s, locale);
    match c {
        Conclusion::Automate {
            service,
            count,
            work_seconds,
            p90_seconds,
        } => (
            view.service_name(*service).to_owned(),
            format!(
                "{count}{}{}{}{}",
                t.why_automate[0],
                d(*work_seconds),
                t.why_automate[1],
                d(*p90_seconds)
            ),
        ),
        Conclusion::FixEstimate {
            service,
            median_seconds,
            estimate_seconds,
            suggested_seconds,
        } => (
            view.service_name(*service).to_owned(),
            format!(
                "{}{}{}{}{}{}",
                t.why_estimate[0],
                d(*median_seconds),
                t.why_estimate[1],
                d(*estimate_seconds),
                t.why_estimate[2],
                d(*suggested_seconds)
            ),
        ),
        Conclusion::Reinforce {
            team,
            growth,
            open,
            overdue,
        } => (
            team_name(view, t, *team),
            format!(
                "{}{growth}{}{overdue}{}{open}",
                t.why_reinforce[0], t.why_reinforce[1], t.why_reinforce[2]
            ),
        ),
        Conclusion::Retire { service, days } => (
            view.service_name(*service).to_owned(),
            format!("{}{days}{}", t.why_retire[0], t.why_retire[1]),
        ),
    }
}

fn conclusion_kind(t: &MetricsTexts, c: &Conclusion) -> &'static str {
    match c {
        Conclusion::Automate { .. } => t.automate,
        Conclusion::FixEstimate { .. } => t.fix_estimate,
        Conclusion::Reinforce { .. } => t.reinforce,
        Conclusion::Retire { .. } => t.retire,
    }
}

/// The label of an age group.
pub fn age_label(t: &MetricsTexts, group: u8) -> &'static str {
    t.ages[usize::from(group).min(t.ages.len() - 1)]
}

pub fn table(view: &MetricsView, texts: &Texts, locale: Locale, key: &str) -> Option<Table> {
    let t = texts.metrics;
    let r = &view.report;
    let h = |names: &[&str]| names.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let secs = |label: &str| format!("{label} ({})", t.seconds);
    let (title, headers, rows) = match key {
        "compliance" => (
            t.compliance,
            h(&["", t.met, t.missed, t.compliance]),
            vec![
                vec![
                    Cell::Text(t.sla_rate.into()),
                    Cell::Int(r.sla.met),
                    Cell::Int(r.sla.missed),
                    Cell::Share(r.sla.rate()),
                ],
                vec![
                    Cell::Text(t.estimate_rate.into()),
                    Cell::Int(r.estimate.met),
                    Cell::Int(r.estimate.missed),
                    Cell::Share(r.estimate.rate()),
                ],
            ],
        ),
        "conclusions" => (
            t.conclusions,
            h(&[t.conclusions, t.name, t.reason]),
            view.conclusions
                .iter()
                .map(|c| {
                    let (subject, reason) = conclusion_text(view, t, locale, c);
                    vec![
                        Cell::Text(conclusion_kind(t, c).into()),
                        Cell::Text(subject),
                        Cell::Text(reason),
                    ]
                })
                .collect(),
        ),
        "top" => (
            t.top,
            h(&[t.service, t.count, t.previous]),
            r.top
                .iter()
                .map(|(s, n, before)| {
                    vec![
                        Cell::Text(view.service_name(*s).into()),
                        Cell::Int(*n),
                        Cell::Int(*before),
                    ]
                })
                .collect(),
        ),
        "services" => (
            t.services,
            vec![
                t.service.to_owned(),
                t.count.to_owned(),
                t.trend.to_owned(),
                t.finished.to_owned(),
                texts.life.reopened_count.to_owned(),
                secs(t.mean),
                secs(t.median),
                secs(t.p90),
                secs(t.approval),
                secs(t.queue),
                secs(t.work),
                secs(t.paused),
                secs(t.response),
                secs(t.estimate),
            ],
            r.services
                .iter()
                .map(|s| {
                    vec![
                        Cell::Text(s.name.clone()),
                        Cell::Int(s.count),
                        Cell::Trend(
                            r.flow
                                .keys()
                                .map(|p| {
                                    r.per_service_period
                                        .get(&(s.service, *p))
                                        .copied()
                                        .unwrap_or(0)
                                })
                                .collect(),
                        ),
                        Cell::Int(s.finished),
                        Cell::Int(s.reopened),
                        Cell::Seconds(s.mean_seconds),
                        Cell::Seconds(s.median_seconds),
                        Cell::Seconds(s.p90_seconds),
                        Cell::Seconds(s.approval_seconds),
                        Cell::Seconds(s.queue_seconds),
                        Cell::Seconds(s.work_seconds),
                        Cell::Seconds(s.paused_seconds),
                        Cell::Seconds(s.response_mean_seconds),
                        Cell::Seconds(s.estimate_seconds),
                    ]
                })
                .collect(),
        ),
        "flow" => (
            t.flow,
            h(&[t.period_col, t.submitted, t.finished]),
            r.flow
                .iter()
                .map(|(p, (submitted, finished))| {
                    vec![
                        Cell::Text(view.period_label(*p)),
                        Cell::Int(*submitted),
                        Cell::Int(*finished),
                    ]
                })
                .collect(),
        ),
        "backlog" => (
            t.backlog,
            h(&[t.status, t.age, t.count]),
            r.backlog
                .iter()
                .map(|((status, group), n)| {
                    vec![
                        Cell::Text(texts.status(*status).into()),
                        Cell::Text(age_label(t, *group).into()),
                        Cell::Int(*n),
                    ]
                })
                .collect(),
        ),
        "volume" => (
            t.volume,
            h(&[t.category, t.period_col, t.count]),
            r.volume
                .iter()
                .map(|((c, p), n)| {
                    vec![
                        Cell::Text(category_name(view, *c)),
                        Cell::Text(view.period_label(*p)),
                        Cell::Int(*n),
                    ]
                })
                .collect(),
        ),
        "teams" => (
            t.teams,
            h(&[t.team, t.open, t.overdue, t.finished, t.count]),
            r.teams
                .iter()
                .map(|(team, l)| {
                    vec![
                        Cell::Text(team_name(view, t, *team)),
                        Cell::Int(l.open),
                        Cell::Int(l.overdue),
                        Cell::Int(l.finished),
                        Cell::Int(l.submitted),
                    ]
                })
                .collect(),
        ),
        "technicians" => (
            t.technicians,
            h(&[t.name, t.open, t.taken, t.finished, t.overdue]),
            r.technicians
                .iter()
                .map(|(user, l)| {
                    vec![
                        Cell::Text(view.names.get(user).cloned().unwrap_or_default()),
                        Cell::Int(l.open),
                        Cell::Int(l.taken),
                        Cell::Int(l.finished),
                        Cell::Int(l.overdue),
                    ]
                })
                .collect(),
        ),
        "never_requested" => (
            t.never_requested,
            h(&[t.service]),
            r.never_requested
                .iter()
                .map(|s| vec![Cell::Text(view.service_name(*s).into())])
                .collect(),
        ),
        _ => return None,
    };
    Some(Table {
        key: KEYS.into_iter().find(|k| *k == key)?,
        title,
        headers,
        rows,
    })
}
