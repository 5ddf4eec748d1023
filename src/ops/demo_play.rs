//! The life of one request in the demo's history: who decides it and when, who takes it, the
//! question asked and answered, the note, the resolution, each at a plausible working moment
//! and only once that moment has come.

use super::Error;
use super::demo_history::Dice;
use super::demo_rhythm::{Rhythm, SWAMPED_DAYS, SWAMPED_QUEUE};
use super::requests::act_in;
use super::sla::SlaRules;
use super::sla_scan::catch_up;
use crate::domain::calendar::Calendar;
use crate::domain::request::{Action, Approver, Request, Status};
use crate::domain::{Role, Service, Team, Timestamp, User};
use crate::storage::Writer;

const DAY: i64 = 86_400;

const QUESTIONS: &[&str] = &[
    "Pouvez-vous préciser pour quand vous en avez besoin ?",
    "Est-ce que la configuration standard vous convient ?",
    "Nous attendons la livraison du fournisseur, je vous tiens au courant.",
];
const ANSWERS: &[&str] = &[
    "Avant la fin de la semaine si possible, merci !",
    "Oui, la configuration standard convient.",
    "Merci pour le suivi.",
];
const NOTES: &[&str] = &[
    "Licence prise sur le stock du trimestre.",
    "Vérifier les droits avec l'équipe sécurité.",
    "Matériel réservé en salle serveur.",
];
const RESOLUTIONS: &[&str] = &[
    "C'est fait : accès créés et testés avec l'utilisateur.",
    "Installé et configuré, documentation envoyée par e-mail.",
    "Livré au bureau, session ouverte avec l'utilisateur.",
];
const REASONS: &[&str] = &[
    "Pas prévu au budget de ce trimestre.",
    "Un équivalent existe déjà dans l'équipe.",
];

/// Who decides a step, as the demo plays it.
pub(super) fn decider(request: &Request, users: &[User]) -> Option<User> {
    let wanted = match request.current_approver()? {
        Approver::User(id) => id,
        Approver::Admins => {
            users
                .iter()
                .find(|u| u.role == Role::Admin && u.id != request.requester)?
                .id
        }
    };
    users.iter().find(|u| u.id == wanted).cloned()
}

/// What the history plays on: the store being written, the people, the office hours.
pub(super) struct Stage<'a, 't> {
    pub w: &'a Writer<'t>,
    pub users: &'a [User],
    pub technicians: &'a [User],
    pub teams: &'a [Team],
    pub rules: &'a SlaRules,
    pub office: &'a Calendar,
    pub now: Timestamp,
}

impl Stage<'_, '_> {
    /// Some minutes after `from`, drawn in `range`: working minutes of the office calendar,
    /// or minutes of the clock when the job is done at once.
    fn after(
        &self,
        dice: &mut Dice,
        from: Timestamp,
        range: (i64, i64),
        at_once: bool,
    ) -> Timestamp {
        let spread = u64::try_from(range.1 - range.0 + 1).unwrap_or(1);
        let minutes = range.0 + i64::try_from(dice.below(spread)).unwrap_or(0);
        if at_once {
            return from.plus_seconds(minutes * 60);
        }
        self.office
            .add(from, minutes * 60, &[])
            .unwrap_or_else(|| from.plus_seconds(minutes * 60))
    }

    /// A member of the service's team most of the time, another technician otherwise.
    fn technician(&self, dice: &mut Dice, service: &Service) -> Option<User> {
        let team = self.teams.iter().find(|t| Some(t.id) == service.team_id);
        let members: Vec<User> = self
            .technicians
            .iter()
            .filter(|u| team.is_some_and(|t| t.member_ids.contains(&u.id)))
            .cloned()
            .collect();
        if !members.is_empty() && dice.chance(90) {
            return dice.pick(&members).cloned();
        }
        dice.pick(self.technicians).cloned()
    }

    /// Acts at `at` when that moment has come, after the SLA scan ran as it would have until
    /// then; answers `None` for a moment still in the future (the request stays where it is).
    fn act(
        &self,
        request: &Request,
        who: &User,
        action: Action,
        at: Timestamp,
    ) -> Result<Option<Request>, Error> {
        if at >= self.now {
            return Ok(None);
        }
        catch_up(self.w, request.id, self.rules, at)?;
        act_in(self.w, who, request.id, &action, self.rules, at).map(Some)
    }

    pub(super) fn play(
        &self,
        dice: &mut Dice,
        mut request: Request,
        service: &Service,
        rhythm: &Rhythm,
    ) -> Result<(), Error> {
        let Some(requester) = self.users.iter().find(|u| u.id == request.requester) else {
            return Ok(());
        };
        let mut at = request.created_at;
        if dice.chance(4) {
            at = self.after(dice, at, (10, 240), false);
            self.act(
                &request,
                requester,
                Action::Cancel {
                    reason: String::new(),
                },
                at,
            )?;
            return Ok(());
        }
        while request.status == Status::PendingApproval {
            let Some(approver) = decider(&request, self.users) else {
                return Ok(());
            };
            at = self.after(dice, at, (30, 240), false);
            let action = if dice.chance(8) {
                Action::Reject {
                    reason: dice.pick(REASONS).copied().unwrap_or_default().into(),
                }
            } else {
                Action::Approve {
                    comment: String::new(),
                }
            };
            let Some(decided) = self.act(&request, &approver, action, at)? else {
                return Ok(());
            };
            request = decided;
        }
        if request.status == Status::Rejected {
            return Ok(());
        }
        let Some(technician) = self.technician(dice, service) else {
            return Ok(());
        };
        let swamped = rhythm.swamped && request.created_at.0 > self.now.0 - SWAMPED_DAYS * DAY;
        let queue = match (swamped, dice.chance(50)) {
            (true, true) => SWAMPED_QUEUE,
            (true, false) => (rhythm.queue.0 * 3, rhythm.queue.1 * 3),
            (false, _) => rhythm.queue,
        };
        at = self.after(dice, at, queue, rhythm.at_once);
        let Some(taken) = self.act(&request, &technician, Action::Take, at)? else {
            return Ok(());
        };
        request = taken;
        if dice.chance(rhythm.asks) {
            at = self.after(dice, at, (15, 120), false);
            let body = dice.pick(QUESTIONS).copied().unwrap_or_default().into();
            if self
                .act(&request, &technician, Action::Wait { body }, at)?
                .is_none()
            {
                return Ok(());
            }
            at = self.after(dice, at, (30, 960), false);
            let body = dice.pick(ANSWERS).copied().unwrap_or_default().into();
            let answer = Action::Comment {
                body,
                internal: false,
            };
            if self.act(&request, requester, answer, at)?.is_none() {
                return Ok(());
            }
        }
        if dice.chance(20) {
            let body = dice.pick(NOTES).copied().unwrap_or_default().into();
            let note = Action::Comment {
                body,
                internal: true,
            };
            self.act(&request, &technician, note, at.plus_seconds(60))?;
        }
        at = self.after(dice, at, rhythm.work, rhythm.at_once);
        let resolution = dice.pick(RESOLUTIONS).copied().unwrap_or_default().into();
        self.act(&request, &technician, Action::Complete { resolution }, at)?;
        Ok(())
    }
}
