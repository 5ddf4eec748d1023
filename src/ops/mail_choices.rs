//! Which notifications a user also gets by mail: their own choice in "my account", or, until
//! they make one, the defaults an admin sets on the outbox page. The inbox always gets them all.

use super::audit::audit;
use super::{Admin, Error, Ops};
use crate::domain::audit::{AuditKind, Setting};
use crate::domain::notification::NoticeKind;
use crate::domain::{Role, User};
use crate::storage::notice_bit;

/// The kinds a requester can receive (the others concern the IT team).
const REQUESTER_KINDS: [NoticeKind; 12] = [
    NoticeKind::Submitted,
    NoticeKind::ApprovalNeeded,
    NoticeKind::Approved,
    NoticeKind::Rejected,
    NoticeKind::Taken,
    NoticeKind::Completed,
    NoticeKind::Comment,
    NoticeKind::WaitingForYou,
    NoticeKind::Reminder,
    NoticeKind::ClosedUnanswered,
    NoticeKind::Reopened,
    NoticeKind::Cancelled,
];

/// Each kind a user may receive, and whether it comes by mail.
pub struct MailChoices {
    pub kinds: Vec<(NoticeKind, bool)>,
    /// Whether these are the user's own choices (else the defaults).
    pub own: bool,
}

fn kinds_for(role: Role) -> Vec<NoticeKind> {
    if role == Role::Requester {
        REQUESTER_KINDS.to_vec()
    } else {
        NoticeKind::ALL.to_vec()
    }
}

fn mask(on: &[NoticeKind]) -> u64 {
    NoticeKind::ALL
        .iter()
        .filter(|k| !on.contains(k))
        .fold(0, |off, k| off | notice_bit(*k))
}

impl Ops {
    pub fn mail_choices(&self, user: &User) -> Result<MailChoices, Error> {
        let reader = self.store().read()?;
        let own = reader.mail_off(user.id)?;
        let off = own.map_or_else(|| reader.default_mail_off(), Ok)?;
        Ok(MailChoices {
            kinds: kinds_for(user.role)
                .into_iter()
                .map(|k| (k, off & notice_bit(k) == 0))
                .collect(),
            own: own.is_some(),
        })
    }

    /// Keeps `on` as the kinds `user` gets by mail (those of their role not in it stop).
    pub async fn set_mail_choices(&self, user: &User, on: Vec<NoticeKind>) -> Result<(), Error> {
        let id = user.id;
        self.blocking(move |ops| Ok(ops.store().write(|w| w.set_mail_off(id, Some(mask(&on))))?))
            .await
    }

    /// The defaults, for every kind.
    pub fn default_mail_choices(&self, _admin: Admin) -> Result<Vec<(NoticeKind, bool)>, Error> {
        let off = self.store().read()?.default_mail_off()?;
        Ok(NoticeKind::ALL
            .into_iter()
            .map(|k| (k, off & notice_bit(k) == 0))
            .collect())
    }

    pub async fn set_default_mail_choices(
        &self,
        admin: Admin,
        on: Vec<NoticeKind>,
    ) -> Result<(), Error> {
        let listed = |off: u64| -> String {
            let on: Vec<&str> = NoticeKind::ALL
                .into_iter()
                .filter(|k| off & notice_bit(*k) == 0)
                .map(NoticeKind::code)
                .collect();
            on.join(", ")
        };
        self.blocking(move |ops| {
            ops.store().write(|w| {
                let before = Setting("mail_defaults", listed(w.default_mail_off()?));
                w.set_default_mail_off(mask(&on))?;
                let after = Setting("mail_defaults", listed(mask(&on)));
                let what = (AuditKind::Settings, 0, "updated");
                audit(w, admin.id, ops.now(), what, Some(&before), Some(&after))
            })
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mask_holds_the_kinds_left_out() {
        assert_eq!(mask(&NoticeKind::ALL), 0);
        let off = mask(&[NoticeKind::Completed]);
        assert_eq!(off & notice_bit(NoticeKind::Completed), 0);
        assert_ne!(off & notice_bit(NoticeKind::Comment), 0);
        assert!(kinds_for(Role::Requester).len() < kinds_for(Role::Technician).len());
    }
}
