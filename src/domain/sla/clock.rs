//! What an SLA policy means for one request, derived from its timeline: when the clocks
//! started (at submission, or at the final approval: time waiting for approval never counts),
//! when they stopped, when they paused (waiting for the requester), which escalations already
//! fired. Deadlines, breaches and the escalations due now follow from those facts, the policy
//! and the calendar, so a changed policy or calendar gives new deadlines at once.

use super::{Clock, Recipient, SlaPolicy, Target, TargetUnit};
use crate::domain::Timestamp;
use crate::domain::calendar::{Calendar, Pause};
use crate::domain::request::{Event, EventKind};

const DAY: i64 = 86_400;

/// The request is waiting for its requester since `since`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Waiting {
    pub since: Timestamp,
    /// The half-way reminder was sent.
    pub reminded: bool,
}

/// The facts of a timeline that SLA clocks depend on.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SlaClock {
    /// When both clocks started; `None` while the request waits for approval.
    pub start: Option<Timestamp>,
    /// When the resolution clock started again: the request was reopened (its last cycle).
    pub reopened_at: Option<Timestamp>,
    /// The first take: it alone meets the response target.
    pub responded_at: Option<Timestamp>,
    pub resolved_at: Option<Timestamp>,
    /// Cancelled, rejected or closed without an answer: no result.
    pub stopped_at: Option<Timestamp>,
    /// Finished pauses.
    pub pauses: Vec<Pause>,
    pub waiting: Option<Waiting>,
    /// Escalations raised: clock, percent, and the instant the threshold fell on then.
    pub fired: Vec<(Clock, u16, Timestamp)>,
}

/// Replays a timeline. `approval_steps`: how many steps the request must pass first.
pub fn replay(events: &[Event], approval_steps: usize) -> SlaClock {
    let mut c = SlaClock::default();
    for e in events {
        match &e.kind {
            EventKind::Submitted if approval_steps == 0 => c.start = Some(e.at),
            EventKind::Approved { step, .. } if step + 1 == approval_steps => {
                c.start = Some(e.at);
            }
            EventKind::Taken => {
                c.responded_at.get_or_insert(e.at);
            }
            EventKind::Waiting { .. } => {
                c.waiting.get_or_insert(Waiting {
                    since: e.at,
                    reminded: false,
                });
            }
            EventKind::Reminded => {
                if let Some(w) = &mut c.waiting {
                    w.reminded = true;
                }
            }
            EventKind::Resumed => c.end_pause(e.at),
            EventKind::Completed { .. } => {
                c.end_pause(e.at);
                c.resolved_at.get_or_insert(e.at);
            }
            EventKind::Reopened { .. } => {
                // A new resolution cycle; the response stays met by the first take.
                c.resolved_at = None;
                c.reopened_at = Some(e.at);
            }
            // Back in a queue: waiting for the requester ends with the assignee.
            EventKind::Released | EventKind::Transferred { .. } => c.end_pause(e.at),
            EventKind::Cancelled { .. }
            | EventKind::Rejected { .. }
            | EventKind::ClosedUnanswered { .. } => {
                c.end_pause(e.at);
                c.stopped_at.get_or_insert(e.at);
            }
            EventKind::Escalated {
                target,
                percent,
                due,
                ..
            } => c.fired.push((*target, *percent, *due)),
            _ => {}
        }
    }
    c
}

/// One deadline of a request, with what explains it.
#[derive(Debug, Clone, PartialEq)]
pub struct Due {
    pub clock: Clock,
    pub target: Target,
    pub start: Timestamp,
    /// `None` when the calendar has no working time left to reach it.
    pub at: Option<Timestamp>,
    pub met_at: Option<Timestamp>,
    pub breached: bool,
    /// Wall-clock seconds the clock stood still, waiting for the requester.
    pub paused_seconds: i64,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SlaState {
    pub response: Option<Due>,
    pub resolution: Option<Due>,
    /// Waiting for the requester: the clocks stand still.
    pub paused: bool,
}

impl SlaState {
    /// The earliest deadline still running (not met, not stopped, not paused).
    pub fn next_due(&self) -> Option<Timestamp> {
        if self.paused {
            return None;
        }
        [&self.response, &self.resolution]
            .into_iter()
            .flatten()
            .filter(|d| d.met_at.is_none())
            .filter_map(|d| d.at)
            .min()
    }

    pub fn breached(&self) -> bool {
        [&self.response, &self.resolution]
            .into_iter()
            .flatten()
            .any(|d| d.breached)
    }
}

/// An escalation to raise now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Escalation {
    pub target: Clock,
    pub percent: u16,
    /// The instant the threshold fell on.
    pub due: Timestamp,
    pub notify: Vec<Recipient>,
}

/// What a request waiting for its requester needs now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitingStep {
    Remind,
    Close,
}

/// Working seconds a target stands for, counted from `start`: days are working days to the
/// same time of day.
fn target_seconds(calendar: &Calendar, start: Timestamp, target: Target) -> Option<i64> {
    let value = i64::from(target.value);
    match target.unit {
        TargetUnit::Minutes => Some(value * 60),
        TargetUnit::Hours => Some(value * 3600),
        TargetUnit::Days => {
            let end = calendar.add_days(start, target.value)?;
            Some(calendar.elapsed(start, end, &[]))
        }
    }
}

impl SlaClock {
    fn end_pause(&mut self, at: Timestamp) {
        if let Some(w) = self.waiting.take() {
            self.pauses.push((w.since, at));
        }
    }

    /// Every pause, the current one counted until `now`.
    fn pauses_until(&self, now: Timestamp) -> Vec<Pause> {
        let mut pauses = self.pauses.clone();
        if let Some(w) = self.waiting {
            pauses.push((w.since, now.max(w.since)));
        }
        pauses
    }

    fn met_at(&self, clock: Clock) -> Option<Timestamp> {
        match clock {
            Clock::Response => self.responded_at,
            Clock::Resolution => self.resolved_at,
        }
    }

    /// When `clock` started: the resolution clock starts again at a reopening.
    fn start_of(&self, clock: Clock) -> Option<Timestamp> {
        match clock {
            Clock::Response => self.start,
            Clock::Resolution => self.start.map(|s| self.reopened_at.unwrap_or(s)),
        }
    }

    /// Where `percent` of a clock's target falls, pauses taken out.
    fn instant(
        &self,
        calendar: &Calendar,
        clock: Clock,
        target: Target,
        percent: u16,
        pauses: &[Pause],
    ) -> Option<Timestamp> {
        let start = self.start_of(clock)?;
        let seconds = target_seconds(calendar, start, target)?;
        calendar.add(start, seconds * i64::from(percent) / 100, pauses)
    }

    /// The deadlines of `policy` for this request at `now`.
    pub fn state(&self, policy: &SlaPolicy, calendar: &Calendar, now: Timestamp) -> SlaState {
        let pauses = self.pauses_until(now);
        let due = |clock: Clock| -> Option<Due> {
            let target = policy.target(clock)?;
            let start = self.start_of(clock)?;
            let at = self.instant(calendar, clock, target, 100, &pauses);
            let met_at = self.met_at(clock);
            let end = met_at.or(self.stopped_at).unwrap_or(now);
            let breached = match (at, met_at) {
                (Some(at), Some(met)) => met > at,
                (Some(at), None) => self.stopped_at.is_none() && now > at,
                (None, _) => false,
            };
            let paused_seconds = pauses
                .iter()
                .map(|(p, q)| (q.0.min(end.0) - p.0.max(start.0)).max(0))
                .sum();
            Some(Due {
                clock,
                target,
                start,
                at,
                met_at,
                breached,
                paused_seconds,
            })
        };
        SlaState {
            response: due(Clock::Response),
            resolution: due(Clock::Resolution),
            paused: self.waiting.is_some() && self.stopped_at.is_none(),
        }
    }

    /// Whether a clock still runs toward its target.
    fn running(&self, clock: Clock) -> bool {
        self.start.is_some()
            && self.stopped_at.is_none()
            && self.resolved_at.is_none()
            && self.met_at(clock).is_none()
    }

    /// Each threshold's current instant, for the clocks still running.
    fn thresholds<'p>(
        &self,
        policy: &'p SlaPolicy,
        calendar: &Calendar,
        now: Timestamp,
    ) -> Vec<(&'p super::Threshold, Timestamp)> {
        let pauses = self.pauses_until(now);
        policy
            .thresholds
            .iter()
            .filter(|t| self.running(t.target))
            .filter_map(|t| {
                let target = policy.target(t.target)?;
                Some((
                    t,
                    self.instant(calendar, t.target, target, t.percent, &pauses)?,
                ))
            })
            .collect()
    }

    /// Fired already for this instant or a later one: a threshold re-arms only when its
    /// instant moves later than where it fell when it fired.
    fn has_fired(&self, clock: Clock, percent: u16, instant: Timestamp) -> bool {
        self.fired
            .iter()
            .any(|(c, p, due)| *c == clock && *p == percent && *due >= instant)
    }

    /// The escalations to raise at `now`: reached, and not raised before.
    pub fn due_escalations(
        &self,
        policy: &SlaPolicy,
        calendar: &Calendar,
        now: Timestamp,
    ) -> Vec<Escalation> {
        self.thresholds(policy, calendar, now)
            .into_iter()
            .filter(|(t, at)| *at <= now && !self.has_fired(t.target, t.percent, *at))
            .map(|(t, at)| Escalation {
                target: t.target,
                percent: t.percent,
                due: at,
                notify: t.notify.clone(),
            })
            .collect()
    }

    /// What waiting for the requester calls for at `now`: a reminder half-way to
    /// `close_days`, closing at `close_days` (0: never).
    pub fn waiting_step(&self, close_days: u32, now: Timestamp) -> Option<WaitingStep> {
        let w = self.waiting.filter(|_| self.stopped_at.is_none())?;
        if close_days == 0 {
            return None;
        }
        let close = w.since.plus_seconds(i64::from(close_days) * DAY);
        if now >= close {
            Some(WaitingStep::Close)
        } else if !w.reminded && now >= w.since.plus_seconds(i64::from(close_days) * DAY / 2) {
            Some(WaitingStep::Remind)
        } else {
            None
        }
    }

    /// The next instant after `now` at which the scan has something to do for this request: a
    /// threshold to raise, a deadline to mark breached, a reminder or a closing.
    pub fn next_wake(
        &self,
        sla: Option<(&SlaPolicy, &Calendar)>,
        close_days: u32,
        now: Timestamp,
    ) -> Option<Timestamp> {
        let mut next: Option<Timestamp> = None;
        let mut consider = |at: Timestamp| {
            if next.is_none_or(|n| at < n) {
                next = Some(at);
            }
        };
        if let Some(w) = self.waiting.filter(|_| self.stopped_at.is_none()) {
            if close_days > 0 {
                let close = i64::from(close_days) * DAY;
                if !w.reminded {
                    consider(w.since.plus_seconds(close / 2));
                }
                consider(w.since.plus_seconds(close));
            }
            // Paused: deadlines and thresholds move with the pause; the answer re-arms them.
            return next;
        }
        let Some((policy, calendar)) = sla else {
            return next;
        };
        for (t, at) in self.thresholds(policy, calendar, now) {
            if !self.has_fired(t.target, t.percent, at) {
                consider(at);
            }
        }
        let state = self.state(policy, calendar, now);
        for due in [&state.response, &state.resolution].into_iter().flatten() {
            if let Some(at) = due.at.filter(|at| *at > now && due.met_at.is_none())
                && self.running(due.clock)
            {
                consider(at.plus_seconds(1));
            }
        }
        next
    }
}
