//! The SLA scan, run by the scheduler: for each open request whose next due instant has come
//! (read through the due index, never every request), raise the escalations reached and not
//! raised before, mark deadlines breached, remind a requester half-way through
//! `waiting_close_days`, and close a request left unanswered. Each escalation is a timeline
//! event written in the same transaction as its notifications, so it fires exactly once, even
//! across restarts and repeated scans.

use super::requests::record_with;
use super::sla::{SlaReads, SlaRules, sla_of};
use super::sla_reads::Remembered;
use super::{Error, Ops};
use crate::domain::Timestamp;
use crate::domain::request::{EventKind, RequestId, apply_system};
use crate::domain::sla::{WaitingStep, replay};
use crate::storage::{DueKind, Writer};

/// Requests one scan transaction handles; a scan runs as many as needed.
const CHUNK: usize = 500;

/// Handles one request due at `now`, its SLA read through `reads` (those of its transaction,
/// remembered); answers how many events it caused.
fn scan_one(
    w: &Writer,
    reads: &impl SlaReads,
    id: RequestId,
    rules: &SlaRules,
    now: Timestamp,
) -> Result<usize, Error> {
    let Some(request) = w.request(id)? else {
        return Ok(0);
    };
    let events = w.events(id)?;
    let clock = replay(&events, request.steps.len());
    let mut kinds = Vec::new();
    if let Some((policy, calendar)) = sla_of(reads, request.service_id, &rules.zone)? {
        for e in clock.due_escalations(&policy, &calendar, now) {
            kinds.push(EventKind::Escalated {
                target: e.target,
                percent: e.percent,
                due: e.due,
                notify: e.notify,
            });
        }
    }
    match clock.waiting_step(rules.close_days, now) {
        Some(WaitingStep::Remind) => kinds.push(EventKind::Reminded),
        Some(WaitingStep::Close) => kinds.push(EventKind::ClosedUnanswered {
            days: rules.close_days,
        }),
        None => {}
    }
    let mut changed = request.clone();
    let new = apply_system(&mut changed, kinds, now);
    // Without events, the summary is still refreshed: a deadline passed is marked breached and
    // the next due instant moves on.
    record_with(w, reads, Some(&request), &changed, &new, rules, now)?;
    Ok(new.len())
}

/// Runs the scan for one request at each instant it was due until `until`, as the scheduler
/// would have: the demo's history plays its past this way.
pub(super) fn catch_up(
    w: &Writer,
    id: RequestId,
    rules: &SlaRules,
    until: Timestamp,
) -> Result<(), Error> {
    let reads = Remembered::new(w);
    while let Some(at) = w
        .summary(id)?
        .and_then(|s| s.wake_at)
        .filter(|at| *at <= until)
    {
        scan_one(w, &reads, id, rules, at)?;
    }
    Ok(())
}

impl Ops {
    /// The SLA scan at `now`; answers how many timeline entries it wrote.
    pub async fn sla_scan(&self, now: Timestamp) -> Result<usize, Error> {
        let rules = self.sla_rules();
        let mut written = 0;
        let mut after = None;
        loop {
            let rules = rules.clone();
            let (count, last) = self
                .store()
                .write_batched(move |w| {
                    let due = w.due_ids(DueKind::Wake, Timestamp(i64::MIN), now, after, CHUNK)?;
                    let reads = Remembered::new(w);
                    let mut count = 0;
                    for (_, id) in &due {
                        count += scan_one(w, &reads, *id, &rules, now)?;
                    }
                    Ok::<_, Error>((count, due.last().copied()))
                })
                .await?;
            written += count;
            match last {
                Some(last) => after = Some(last),
                None => return Ok(written),
            }
        }
    }
}
