//! The outbox: every notification also goes out by mail when SMTP is configured. The mail is
//! queued in the same transaction as the event that causes it; the sender (the `outbox` job,
//! and a task woken as soon as a mail is queued) renders and delivers what is due, outside any
//! request's path, and records each outcome: sent, retried after a back-off, or given up.
//!
//! A mail is marked sent only after the relay accepted it; a crash between the two sends it
//! again at the next start, with the same message id (at least once, never lost).

use super::mailer::{Mailer, Refused};
use super::{Admin, Error, Ops};
use crate::domain::audit::{AuditKind, Setting};
use crate::domain::mail::{Mail, MailBody};
use crate::domain::{FieldErrors, Timestamp};
use crate::views::mail::Rendered;

/// How many due mails the sender reads at a time.
const BATCH: usize = 64;
/// How many connections to the relay the sender opens at once.
const CONNECTIONS: usize = 8;

/// What the outbox page shows.
pub struct OutboxView {
    /// `host:port` of the relay; `None`: mail is off.
    pub relay: Option<String>,
    pub pending: u64,
    /// The newest mails, newest first.
    pub mails: Vec<Mail>,
}

impl Ops {
    pub(super) fn mailer(&self) -> Option<&Mailer> {
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
        // Deliveries side by side share a commit, like submissions do.
        self.store()
            .write_batched(move |w| {
                let Some(mut mail) = w.mail(id)? else {
                    return Ok(false);
                };
                if mail.due_at().is_none() {
                    return Ok(false);
                }
                let accepted = match &outcome {
                    Ok(()) => {
                        mail.sent(now);
                        true
                    }
                    Err(refused) => {
                        mail.failed(now, refused.error.clone(), refused.permanent, give_up);
                        false
                    }
                };
                w.put_mail(&mail)?;
                Ok::<_, Error>(accepted)
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
    pub async fn release_outbox(&self, admin: Admin) -> Result<(), Error> {
        self.blocking(move |ops| {
            ops.store().write(|w| {
                w.hold_outbox(false)?;
                let (before, after) = (
                    Setting("outbox", "held".into()),
                    Setting("outbox", "sending".into()),
                );
                let what = (AuditKind::Settings, 0, "updated");
                super::audit::audit(w, admin.id, ops.now(), what, Some(&before), Some(&after))
            })
        })
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
