//! The metrics page: the period and filters, what the figures suggest, then each figure as a
//! chart beside its table, each table exportable to CSV with the same filters.

use super::PageCtx;
use super::charts::{bars, sparkline, stacked, trend};
use super::layout::page;
use super::metrics_tables::{Cell, Table, age_label, conclusion_text, table};
use crate::domain::metrics::conclusions::Conclusion;
use crate::domain::metrics::day_number;
use crate::ops::MetricsView;
use maud::{Markup, html};
use std::collections::BTreeMap;

/// The query string of a period and filters, for links and exports.
pub fn query_string(view: &MetricsView) -> String {
    let q = &view.query;
    let mut s = format!("from={}&to={}", q.from, q.to);
    if let Some(c) = q.filter.category {
        s.push_str(&format!("&category={c}"));
    }
    if let Some(t) = q.filter.team {
        s.push_str(&format!("&team={t}"));
    }
    if let Some(x) = q.filter.service {
        s.push_str(&format!("&service={x}"));
    }
    s
}

fn data_table(ctx: &PageCtx, t: &Table, query: &str) -> Markup {
    let m = ctx.t.metrics;
    html! {
        div.overflow-auto {
            table.striped.cards.metrics-table {
                thead { tr { @for h in &t.headers { th scope="col" { (h) } } } }
                tbody {
                    @for row in &t.rows {
                        tr {
                            @for (i, cell) in row.iter().enumerate() {
                                @let label = t.headers.get(i).map_or("", String::as_str);
                                td data-label=(label) {
                                    @if let Cell::Trend(values) = cell {
                                        (sparkline(&format!("{label}{}{}", ctx.t.colon, cell.display(ctx.locale)), values))
                                    } @else {
                                        (cell.display(ctx.locale))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        p.export { a href={ "/metrics/export/" (t.key) "?" (query) } download { (m.export) } }
    }
}

fn presets(ctx: &PageCtx, view: &MetricsView, today: jiff::civil::Date) -> Markup {
    let m = ctx.t.metrics;
    let back = |days: i64| today.saturating_sub(jiff::Span::new().days(days));
    let first = today.first_of_month();
    let last_month_end = first.yesterday().unwrap_or(first);
    let ranges = [
        (m.last_7, back(6), today),
        (m.last_30, back(29), today),
        (m.last_90, back(89), today),
        (m.this_month, first, today),
        (
            m.last_month,
            last_month_end.first_of_month(),
            last_month_end,
        ),
        (m.last_year, back(364), today),
    ];
    html! {
        ul.presets {
            @for (label, from, to) in ranges {
                @let current = (from, to) == (view.query.from, view.query.to);
                li { a href={ "/metrics?from=" (from) "&to=" (to) } aria-current=[current.then_some("true")] { (label) } }
            }
        }
    }
}

fn filters(ctx: &PageCtx, view: &MetricsView) -> Markup {
    let (m, q) = (ctx.t.metrics, &view.query);
    html! {
        form.metrics-filters method="get" action="/metrics" {
            div.grid {
                label { (m.from) input type="date" name="from" value=(q.from); }
                label { (m.to) input type="date" name="to" value=(q.to); }
                label { (m.category)
                    select name="category" {
                        option value="" { (m.all) }
                        @for c in &view.categories {
                            option value=(c.id) selected[q.filter.category == Some(c.id)] { (c.name) }
                        }
                    }
                }
                label { (m.team)
                    select name="team" {
                        option value="" { (m.all) }
                        @for t in &view.teams {
                            option value=(t.id) selected[q.filter.team == Some(t.id)] { (t.name) }
                        }
                    }
                }
                label { (m.service)
                    select name="service" {
                        option value="" { (m.all_services) }
                        @for s in &view.services {
                            option value=(s.id) selected[q.filter.service == Some(s.id)] { (s.name) }
                        }
                    }
                }
            }
            button type="submit" { (m.show) }
        }
    }
}

fn rate_card(label: &str, rate: Option<f64>, detail: String) -> Markup {
    html! {
        article.figure {
            p.big { @match rate { Some(r) => { (format!("{:.0} %", r * 100.0)) }, None => { "—" } } }
            p { strong { (label) } }
            p.muted { (detail) }
        }
    }
}

/// A list of conclusions: its title, its rule, and which conclusions it holds.
type Kind = (&'static str, &'static str, fn(&Conclusion) -> bool);

fn conclusions(ctx: &PageCtx, view: &MetricsView) -> Markup {
    let m = ctx.t.metrics;
    let kinds: [Kind; 4] = [
        (m.automate, m.automate_rule, |c| {
            matches!(c, Conclusion::Automate { .. })
        }),
        (m.fix_estimate, m.fix_estimate_rule, |c| {
            matches!(c, Conclusion::FixEstimate { .. })
        }),
        (m.reinforce, m.reinforce_rule, |c| {
            matches!(c, Conclusion::Reinforce { .. })
        }),
        (m.retire, m.retire_rule, |c| {
            matches!(c, Conclusion::Retire { .. })
        }),
    ];
    html! {
        section #conclusions {
            h2 { (m.conclusions) }
            div.conclusions {
                @for (title, rule, of_kind) in kinds {
                    article {
                        h3 { (title) }
                        @let items: Vec<&Conclusion> = view.conclusions.iter().filter(|c| of_kind(c)).collect();
                        @if items.is_empty() {
                            p.muted { (m.none_found) }
                        } @else {
                            ul {
                                @for c in items {
                                    @let (subject, reason) = conclusion_text(view, m, ctx.locale, c);
                                    li { a href=(link_of(c)) { strong { (subject) } } (ctx.t.colon) (reason) }
                                }
                            }
                        }
                        small.muted { (rule) }
                    }
                }
            }
        }
    }
}

/// Where a conclusion's figures are on the page.
fn link_of(c: &Conclusion) -> &'static str {
    match c {
        Conclusion::Automate { .. } | Conclusion::FixEstimate { .. } => "#services",
        Conclusion::Reinforce { .. } => "#teams",
        Conclusion::Retire { .. } => "#never_requested",
    }
}

pub fn metrics(ctx: &PageCtx, view: &MetricsView, today: jiff::civil::Date) -> Markup {
    let (m, r) = (ctx.t.metrics, &view.report);
    let query = query_string(view);
    let t = |key: &str| table(view, ctx.t, ctx.locale, key);
    let section = |key: &str, chart: Option<Markup>| -> Markup {
        let Some(tb) = t(key) else { return html! {} };
        html! {
            section id=(key) {
                h2 { (tb.title) }
                @if let Some(chart) = chart { figure.chart-box { (chart) } }
                (data_table(ctx, &tb, &query))
            }
        }
    };
    let top: Vec<(String, i64)> = r
        .top
        .iter()
        .map(|(s, n, _)| (view.service_name(*s).to_owned(), *n))
        .collect();
    let split: Vec<(String, Vec<i64>)> = r
        .services
        .iter()
        .filter(|s| s.finished > 0)
        .map(|s| {
            let parts = [
                s.approval_seconds,
                s.queue_seconds,
                s.work_seconds,
                s.paused_seconds,
            ];
            (
                s.name.clone(),
                parts.iter().map(|p| p.unwrap_or(0)).collect(),
            )
        })
        .collect();
    let labels: Vec<String> = r.flow.keys().map(|p| view.period_label(*p)).collect();
    let flow = [
        (
            m.submitted,
            r.flow.values().map(|f| f.0).collect::<Vec<_>>(),
        ),
        (m.finished, r.flow.values().map(|f| f.1).collect()),
    ];
    let mut by_age: BTreeMap<u8, i64> = BTreeMap::new();
    for ((_, group), n) in &r.backlog {
        *by_age.entry(*group).or_default() += n;
    }
    let ages: Vec<(String, i64)> = by_age
        .into_iter()
        .map(|(g, n)| (age_label(m, g).to_owned(), n))
        .collect();
    let days = day_number(view.query.to) - day_number(view.query.from) + 1;
    let body = html! {
        h1 { (m.title) }
        p.muted { (m.intro) }
        (presets(ctx, view, today))
        (filters(ctx, view))
        p.muted { (m.period) (ctx.t.colon) (view.query.from) " – " (view.query.to) " (" (days) " " (m.days) ")" }
        section #compliance {
            h2 { (m.compliance) }
            div.grid.figures {
                (rate_card(m.sla_rate, r.sla.rate(), format!("{} {} · {} {}", r.sla.met, m.met, r.sla.missed, m.breached)))
                (rate_card(m.estimate_rate, r.estimate.rate(), format!("{} {} · {} {}", r.estimate.met, m.met, r.estimate.missed, m.late)))
            }
            p.muted { (m.excluded) }
        }
        (conclusions(ctx, view))
        (section("top", (!top.is_empty()).then(|| bars("chart-top", m.top, &top))))
        (section("services", (!split.is_empty()).then(|| stacked("chart-split", m.split, &[m.approval, m.queue, m.work, m.paused], &split))))
        p.muted { (m.quantiles_note) }
        (section("flow", (labels.len() > 1).then(|| trend("chart-flow", m.flow, &labels, &flow))))
        (section("backlog", (!ages.is_empty()).then(|| bars("chart-backlog", m.backlog, &ages))))
        (section("volume", None))
        (section("teams", None))
        (section("technicians", None))
        (section("never_requested", None))
    };
    page(ctx, m.title, body)
}
