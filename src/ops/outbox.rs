//! The outbox: every notification also goes out by mail when SMTP is configured. The mail is
//! queued in the same transaction as the event that causes it; the sender (the `outbox` job,
//! and a task woken as soon as a mail is queued) renders and delivers what is due, outside any
//! request's path, and records each outcome: sent, retried after a back-off, or given up.
//!
//! A mail is marked sent only after the relay accepted it; a crash between the two sends it
//! again at the next start, with the same message id (at least once, never lost).

use super::listing::DeskFilter;
use super::mailer::{Mailer, Refused};
use super::request_views::RequestRow;
use super::{Admin, Error, Ops};
use crate::domain::mail::{Mail, MailBody};
use crate::domain::notification::{NoticeKind, Notification};
use crate::domain::request::{EventKind, RequestId};
use crate::domain::{FieldErrors, Locale, Timestamp, User, UserId};
use crate::storage::{Reader, Writer};
use crate::views::mail::{DigestMail, NoticeMail, Rendered, digest, notice, test};

/// How many due mails the sender reads at a time.
const BATCH: usize = 64;
/// How many connections to the relay the sender opens at once.
const CONNECTIONS: usize = 8;
/// How many requests of each list a digest shows.
const DIGEST_LINES: usize = 10;

/// What the outbox page shows.
pub struct OutboxView {
    /// `host:port` of the relay; `None`: mail is off.
    pub relay: Option<String>,
    pub pending: u64,
    /// The newest mails, newest first.
    pub mails: Vec<Mail>,
}

/// Queues a mail for each notification whose recipient is active, has an address and wants
/// that kind by mail.
pub(super) fn queue_notice_mails(
    w: &Writer,
    notifications: &[Notification],
    now: Timestamp,
) -> Result<usize, Error> {
    let mut queued = 0;
    let default_off = w.default_mail_off()?;
    for n in notifications {
        let Some(user) = w.user(n.user)? else {
            continue;
        };
        if !user.active || user.email.trim().is_empty() {
            continue;
        }
        // Their choice in "my account", else the admins' defaults.
        let off = w.mail_off(user.id)?.unwrap_or(default_off);
        if off & crate::storage::notice_bit(n.kind) != 0 {
            continue;
        }
        let body = MailBody::Notice {
            user: n.user,
            request: n.request,
            kind: n.kind,
            at: n.at,
            by: n.by,
        };
        w.put_mail(&Mail::new(user.email.clone(), body, now))?;
        queued += 1;
    }
    Ok(queued)
}

/// The words a notice quotes: the comment, question, reason or resolution of its event.
fn words_of(
    reader: &Reader,
    request: RequestId,
    kind: NoticeKind,
    at: Timestamp,
) -> Result<Option<String>, Error> {
    if !matches!(
        kind,
        NoticeKind::Comment
            | NoticeKind::WaitingForYou
            | NoticeKind::Rejected
            | NoticeKind::Completed
    ) {
        return Ok(None);
    }
    let events = reader.events(request)?;
    Ok(events
        .iter()
        .rev()
        .filter(|e| e.at == at)
        .find_map(|e| match &e.kind {
            EventKind::Comment {
                body,
                internal: false,
            }
            | EventKind::Waiting { body } => Some(body.clone()),
            EventKind::Rejected { reason, .. } => Some(reason.clone()),
            EventKind::Completed { resolution } => Some(resolution.clone()),
            _ => None,
        }))
}

impl Ops {
    fn mailer(&self) -> Option<&Mailer> {
        self.inner.mailer.as_ref()
    }

    /// Wakes the sender: a mail may have been queued.
    pub(super) fn mail_queued(&self) {
        if self.mailer().is_some() {
            self.inner.mail_wake.notify_one();
        }
    }

    /// Completes when a mail was queued since the last call (for the sender's task).
    pub async fn mail_wake(&self) {
        self.inner.mail_wake.notified().await;
    }

    /// Whether mail is configured.
    pub fn mail_on(&self) -> bool {
        self.mailer().is_some()
    }

    /// The mail `mail` as its recipient reads it; `Err` with a reason when it can no longer be
    /// written (its recipient or request is gone).
    fn render(
        &self,
        reader: &Reader,
        mail: &Mail,
        base_url: &str,
    ) -> Result<Result<Rendered, String>, Error> {
        let settings = &self.inner.settings;
        let locale_of = |id: UserId| -> Result<Locale, Error> {
            Ok(reader
                .user(id)?
                .and_then(|u| u.locale)
                .unwrap_or(settings.default_locale))
        };
        match &mail.body {
            MailBody::Test { by } => Ok(Ok(test(locale_of(*by)?, &settings.org_name, base_url))),
            MailBody::Digest { user } => {
                let Some(recipient) = reader
                    .user(*user)?
                    .filter(|u| u.active && u.role.is_staff())
                else {
                    return Ok(Err(
                        "the recipient's account is gone, deactivated or no longer in the IT team"
                            .into(),
                    ));
                };
                let (mine, approvals) = self.plate(&recipient)?;
                Ok(Ok(digest(&DigestMail {
                    locale: recipient.locale.unwrap_or(settings.default_locale),
                    org_name: &settings.org_name,
                    base_url,
                    recipient: &recipient.display_name,
                    mine: &mine,
                    approvals: &approvals,
                    now: self.now(),
                })))
            }
            MailBody::Notice {
                user,
                request,
                kind,
                at,
                by,
            } => {
                let Some(recipient) = reader.user(*user)?.filter(|u| u.active) else {
                    return Ok(Err("the recipient's account is gone or deactivated".into()));
                };
                let Some(found) = reader.request(*request)? else {
                    return Ok(Err("the request is gone".into()));
                };
                // "By" names someone else: never the recipient themself.
                let by = match by.filter(|id| id != user) {
                    Some(id) => reader.user(id)?.map(|u| u.display_name),
                    None => None,
                };
                let words = words_of(reader, *request, *kind, *at)?;
                let actions = if *kind == NoticeKind::ApprovalNeeded {
                    self.approval_links(&found, &recipient, base_url)?
                } else {
                    None
                };
                Ok(Ok(notice(&NoticeMail {
                    locale: recipient.locale.unwrap_or(settings.default_locale),
                    org_name: &settings.org_name,
                    base_url,
                    recipient: &recipient.display_name,
                    kind: *kind,
                    number: &found.id.number(),
                    service: &found.service_name,
                    status: found.status,
                    by: by.as_deref(),
                    words: words.as_deref(),
                    actions: actions.as_ref().map(|(a, r)| (a.as_str(), r.as_str())),
                })))
            }
        }
    }

    /// Sends every mail due at `now`, one at a time; answers how many the relay accepted.
    /// Nothing happens when mail is off or while a restored outbox is held.
    pub async fn send_outbox(&self, now: Timestamp) -> Result<usize, Error> {
        let Some(base_url) = self.mailer().map(|m| m.base_url.clone()) else {
            return Ok(0);
        };
        let _one_sender = self.inner.outbox_running.lock().await;
        let mut accepted = 0;
        loop {
            // Read and render a batch, then let go of the snapshot before talking to the relay.
            let base_url = base_url.clone();
            let batch = self
                .blocking(move |ops| {
                    let reader = ops.store().read()?;
                    if reader.outbox_held()? {
                        return Ok(Vec::new());
                    }
                    let mut batch = Vec::new();
                    for id in reader.due_mails(now, BATCH)? {
                        if let Some(mail) = reader.mail(id)? {
                            let rendered = ops.render(&reader, &mail, &base_url)?;
                            batch.push((mail, rendered));
                        }
                    }
                    Ok(batch)
                })
                .await?;
            let full = batch.len() == BATCH;
            // The mails of one request go one after the other, in order; different requests'
            // mails go side by side, a few connections at a time.
            let mut threads: Vec<Vec<(Mail, Result<Rendered, String>)>> = Vec::new();
            for (mail, rendered) in batch {
                match threads.iter_mut().find(|t| {
                    t.first().is_some_and(|(m, _)| {
                        m.request() == mail.request() && m.request().is_some()
                    })
                }) {
                    Some(thread) => thread.push((mail, rendered)),
                    None => threads.push(vec![(mail, rendered)]),
                }
            }
            let mut running = tokio::task::JoinSet::new();
            for thread in threads {
                if running.len() >= CONNECTIONS
                    && let Some(done) = running.join_next().await
                {
                    accepted += done.map_err(|e| Error::Internal(e.to_string()))??;
                }
                let ops = self.clone();
                running.spawn(async move { ops.deliver_in_order(thread, now).await });
            }
            while let Some(done) = running.join_next().await {
                accepted += done.map_err(|e| Error::Internal(e.to_string()))??;
            }
            if !full {
                return Ok(accepted);
            }
        }
    }

    /// Sends the mails of one thread in order and records each outcome; answers how many the
    /// relay accepted.
    async fn deliver_in_order(
        &self,
        thread: Vec<(Mail, Result<Rendered, String>)>,
        now: Timestamp,
    ) -> Result<usize, Error> {
        let mut accepted = 0;
        for (mail, rendered) in thread {
            let outcome = match (rendered, self.mailer()) {
                (Ok(rendered), Some(mailer)) => {
                    let thread = mail.request().map(|r| format!("req-{}", r.0));
                    mailer
                        .send(mail.id, &mail.to, thread.as_deref(), rendered)
                        .await
                }
                (Ok(_), None) => Err(Refused {
                    error: "mail is off".into(),
                    permanent: true,
                }),
                (Err(error), _) => Err(Refused {
                    error,
                    permanent: true,
                }),
            };
            if let Err(refused) = &outcome {
                tracing::warn!(
                    "mail {} to {} not delivered: {}",
                    mail.id,
                    mail.to,
                    refused.error
                );
            }
            accepted += usize::from(self.record_delivery(mail.id, outcome, now).await?);
        }
        Ok(accepted)
    }

    /// Records how an attempt went; answers whether the mail was accepted.
    async fn record_delivery(
        &self,
        id: u64,
        outcome: Result<(), Refused>,
        now: Timestamp,
    ) -> Result<bool, Error> {
        let give_up = self.mailer().map_or(48, |m| m.give_up_hours);
        self.blocking(move |ops| {
            ops.store().write(|w| {
                let Some(mut mail) = w.mail(id)? else {
                    return Ok(false);
                };
                if mail.due_at().is_none() {
                    return Ok(false);
                }
                let accepted = match outcome {
                    Ok(()) => {
                        mail.sent(now);
                        true
                    }
                    Err(refused) => {
                        mail.failed(now, refused.error, refused.permanent, give_up);
                        false
                    }
                };
                w.put_mail(&mail)?;
                Ok(accepted)
            })
        })
        .await
    }

    /// What a member of the IT team has on their plate: their open requests, most urgent
    /// first, and the approvals waiting for them (at most `DIGEST_LINES` of each).
    fn plate(&self, user: &User) -> Result<(Vec<RequestRow>, Vec<RequestRow>), Error> {
        let filter = DeskFilter {
            assignee: Some(Some(user.id)),
            urgent: true,
            newest_first: false,
            limit: DIGEST_LINES,
            ..DeskFilter::default()
        };
        let mine = self.list_requests(user, filter)?.items;
        let mut approvals = self.approvals(user)?;
        approvals.truncate(DIGEST_LINES);
        Ok((mine, approvals))
    }

    /// Queues the weekly digest of every active member of the IT team with an address and
    /// something on their plate; answers how many.
    pub async fn queue_digests(&self, now: Timestamp) -> Result<usize, Error> {
        if self.mailer().is_none() {
            return Ok(0);
        }
        self.blocking(move |ops| {
            let mut wanted = Vec::new();
            for user in ops.store().read()?.users()? {
                if !user.active || !user.role.is_staff() || user.email.trim().is_empty() {
                    continue;
                }
                let (mine, approvals) = ops.plate(&user)?;
                if !mine.is_empty() || !approvals.is_empty() {
                    wanted.push(user);
                }
            }
            Ok(ops.store().write(|w| {
                for user in &wanted {
                    let body = MailBody::Digest { user: user.id };
                    w.put_mail(&Mail::new(user.email.clone(), body, now))?;
                }
                Ok::<_, crate::storage::Error>(wanted.len())
            })?)
        })
        .await
    }

    /// The outbox as its page shows it: the relay, the pending count, the newest mails.
    pub fn outbox(&self, _admin: Admin) -> Result<OutboxView, Error> {
        let reader = self.store().read()?;
        let relay = self
            .inner
            .settings
            .mail
            .as_ref()
            .map(|m| format!("{}:{}", m.smtp.host, m.smtp.port));
        Ok(OutboxView {
            relay,
            pending: reader.pending_mails()?,
            mails: reader.latest_mails(100)?,
        })
    }

    /// Whether the outbox of a restored store waits for an admin's release.
    pub fn outbox_held(&self) -> Result<bool, Error> {
        Ok(self.store().read()?.outbox_held()?)
    }

    /// Lets a held outbox (after a restore) send again.
    pub async fn release_outbox(&self, _admin: Admin) -> Result<(), Error> {
        self.blocking(|ops| Ok(ops.store().write(|w| w.hold_outbox(false))?))
            .await?;
        self.mail_queued();
        Ok(())
    }

    /// Tries a failed mail again, at once.
    pub async fn retry_mail(&self, _admin: Admin, id: u64) -> Result<(), Error> {
        let now = self.now();
        self.blocking(move |ops| {
            ops.store().write(|w| {
                let mut mail = w.mail(id)?.ok_or(Error::NotFound)?;
                if !mail.retry(now) {
                    return Err(Error::Conflict(
                        "only a failed mail can be tried again".into(),
                    ));
                }
                w.put_mail(&mail)?;
                Ok(())
            })
        })
        .await?;
        self.mail_queued();
        Ok(())
    }

    /// Queues a test mail to `to`.
    pub async fn queue_test_mail(&self, admin: Admin, to: &str) -> Result<u64, Error> {
        let to = to.trim().to_owned();
        if self.mailer().is_none() {
            return Err(
                FieldErrors::single("to", "mail is off: no [smtp] relay is configured").into(),
            );
        }
        if to.parse::<lettre::message::Mailbox>().is_err() {
            return Err(FieldErrors::single("to", "is not an e-mail address").into());
        }
        let now = self.now();
        let id = self
            .blocking(move |ops| {
                Ok(ops.store().write(|w| {
                    w.put_mail(&Mail::new(to.clone(), MailBody::Test { by: admin.id }, now))
                })?)
            })
            .await?;
        self.mail_queued();
        Ok(id)
    }
}
