//! What each mail of the outbox says, gathered from the store when it is sent (so that it
//! speaks of the request as it is then, in the recipient's language): a notice, with the
//! approver's signed links; a test mail; a password reset link; the IT team's weekly digest.

use super::listing::DeskFilter;
use super::request_views::RequestRow;
use super::{Error, Ops};
use crate::domain::mail::{Mail, MailBody};
use crate::domain::notification::NoticeKind;
use crate::domain::request::{EventKind, RequestId};
use crate::domain::{Locale, Timestamp, User, UserId};
use crate::storage::Reader;
use crate::views::mail::{DigestMail, NoticeMail, Rendered, digest, notice, test};

/// How many requests of each list a digest shows.
const DIGEST_LINES: usize = 10;

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
            | NoticeKind::Reopened
            | NoticeKind::Cancelled
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
            EventKind::Reopened { reason, .. } => Some(reason.clone()),
            EventKind::Cancelled { reason } if !reason.is_empty() => Some(reason.clone()),
            _ => None,
        }))
}

impl Ops {
    /// The mail `mail` as its recipient reads it; `Err` with a reason when it can no longer be
    /// written (its recipient or request is gone).
    pub(super) fn render(
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
            MailBody::PasswordReset { user } => {
                let Some(account) = reader.user(*user)?.filter(|u| u.active) else {
                    return Ok(Err("the account is gone or deactivated".into()));
                };
                let expires = mail
                    .created_at
                    .plus_seconds(super::password_reset::RESET_SECONDS);
                let token =
                    super::password_reset::reset_token(&self.link_key()?, &account, expires);
                let locale = account.locale.unwrap_or(settings.default_locale);
                let link = format!("{base_url}/password/reset/{token}");
                Ok(Ok(crate::views::mail::password_reset(
                    locale,
                    &settings.org_name,
                    &account.display_name,
                    &link,
                )))
            }
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
}
