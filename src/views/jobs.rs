//! The scheduled jobs page (`/admin/jobs`): each job, when it runs, how its last run went, when
//! it runs next.

use super::admin::admin_tabs;
use super::layout::page;
use super::{PageCtx, format_time};
use crate::domain::schedule::Job;
use crate::ops::JobStatus;
use maud::{Markup, html};

fn job_name(ctx: &PageCtx, job: Job) -> &'static str {
    match job {
        Job::PurgeSessions => ctx.t.job_purge_sessions,
        Job::SlaScan => ctx.t.sla.job_sla_scan,
        Job::Rollups => ctx.t.sla.job_rollups,
        Job::Outbox => ctx.t.mail.job,
        Job::Digest => ctx.t.mail.job_digest,
    }
}

pub fn jobs(ctx: &PageCtx, jobs: &[JobStatus]) -> Markup {
    let t = ctx.t;
    let body = html! {
        (admin_tabs(ctx))
        h1 { (t.jobs_title) }
        p.muted { (t.jobs_intro) " " code { (ctx.tz.iana_name().unwrap_or("UTC")) } "." }
        div.table-scroll {
            table.requests {
                thead { tr {
                    th { (t.job) } th { (t.job_when) } th { (t.job_last_run) } th { (t.job_outcome) } th { (t.job_next_run) }
                } }
                tbody {
                    @for status in jobs {
                        tr {
                            td data-label=(t.job) { (job_name(ctx, status.job)) br; small.muted { code { (status.job.name()) } } }
                            td data-label=(t.job_when) { code { (status.expression) } }
                            @match status.last {
                                Some(run) => {
                                    td data-label=(t.job_last_run) { (format_time(run.at, ctx.locale, &ctx.tz)) " (" (run.duration_ms) " ms)" }
                                    td data-label=(t.job_outcome) {
                                        @if run.failed { span.badge.late-badge { (t.job_failed) } } @else { span.badge.ok { (t.job_ok) } }
                                    }
                                }
                                None => {
                                    td data-label=(t.job_last_run) { (t.job_never) }
                                    td data-label=(t.job_outcome) { "—" }
                                }
                            }
                            td data-label=(t.job_next_run) {
                                @match status.next {
                                    Some(next) => (format_time(next, ctx.locale, &ctx.tz)),
                                    None => "—",
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    page(ctx, t.jobs_title, body)
}
