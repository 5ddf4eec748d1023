//! The demo's past: two years of requests following the rhythm of `demo_rhythm` (seasons,
//! growth, each service's pace), each driven through the real workflow (submission, decisions,
//! take, questions, comments, completion) at working hours, so that every page, status, chart
//! and conclusion has something true to show. Deterministic: the same store every time.

use super::demo_play::{Stage, decider};
use super::demo_rhythm::{HISTORY_DAYS, RHYTHMS};
use super::demo_sla::OFFICE;
use super::requests::{Submission, act_in, submit_in};
use super::sla::SlaRules;
use super::sla_scan::catch_up;
use super::{Error, Ops};
use crate::domain::calendar::Calendar;
use crate::domain::form::{FieldKind, FileMeta, FormField, Submitted};
use crate::domain::request::{Action, Request, Status};
use crate::domain::{Role, Service, Timestamp, User};
use crate::storage::Writer;
use jiff::civil::Date;
use std::collections::BTreeMap;

const DAY: i64 = 86_400;
/// The content of every demo attachment.
const DEMO_FILE: &[u8] = b"Justificatif de la demande (fichier de demonstration).\n";
const HOUR: i64 = 3600;

/// A small deterministic generator (xorshift): the demo needs variety, not randomness.
pub(super) struct Dice(pub u64);

impl Dice {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        let n = u64::try_from(items.len()).ok()?;
        items.get(usize::try_from(self.below(n)).ok()?)
    }
}

const TEXTS: &[&str] = &[
    "Pour le nouveau projet client",
    "Suite à l'arrivée dans l'équipe",
    "Remplacement du matériel actuel",
    "Demande validée en réunion d'équipe",
];
/// Plausible answers for the demo catalog's text fields, by field key.
const SAMPLES: &[(&str, &str)] = &[
    ("compte", "a.durand"),
    ("collaborateur", "Jeanne Roux"),
    ("nom_complet", "Hugo Lefèvre"),
    ("invite", "Marc Dupuis (société Ardoise)"),
    ("inventaire", "PC-0417"),
    ("poste", "Comptable"),
    ("bureau", "Bâtiment B, bureau 204"),
    ("imprimante", "Imprimante du 2e étage"),
    ("chemin", "\\\\fichiers\\compta\\2026"),
    ("partage", "Partage Direction"),
    ("nom", "vm-recette-01"),
    ("logiciel", "Inkscape"),
    ("application", "Paie"),
    ("sujet", "Prise en main de la messagerie"),
    ("panne", "L'écran reste noir au démarrage."),
    ("usage", "Environnement de recette de l'application métier."),
];

/// Answers a demo requester could have given to `field`, valid on `day`.
fn answer(field: &FormField, dice: &mut Dice, day: &str) -> Option<Submitted> {
    let one = |s: &str| Some(Submitted::Values(vec![s.to_owned()]));
    if !field.required && field.kind != FieldKind::Checkbox && dice.chance(40) {
        return None;
    }
    match field.kind {
        FieldKind::Text | FieldKind::Textarea => {
            let sample = SAMPLES.iter().find(|(key, _)| *key == field.key);
            one(sample.map_or_else(|| dice.pick(TEXTS).copied().unwrap_or(""), |(_, v)| *v))
        }
        FieldKind::Number => {
            let value = field.limits.min.unwrap_or(1.0).max(1.0);
            one(&value.to_string())
        }
        FieldKind::Select | FieldKind::Multiselect => {
            dice.pick(&field.options).and_then(|o| one(o))
        }
        FieldKind::Checkbox => one("on"),
        FieldKind::Date => one(day),
        FieldKind::File => {
            let extension = field
                .limits
                .allowed_types
                .first()
                .map_or("pdf", String::as_str);
            Some(Submitted::File(FileMeta {
                name: format!("justificatif.{extension}"),
                size: DEMO_FILE.len() as u64,
            }))
        }
    }
}

/// A demo request for `service` by `requester` at `at`, its form answered as the history's.
fn submit_demo(
    w: &Writer,
    dice: &mut Dice,
    service: &Service,
    requester: &User,
    day: &str,
    rules: &SlaRules,
    at: Timestamp,
) -> Result<Request, Error> {
    let mut values = BTreeMap::new();
    for field in &service.form {
        if let Some(value) = answer(field, dice, day) {
            values.insert(field.key.clone(), value);
        }
    }
    let files = values
        .iter()
        .filter(|(_, v)| matches!(v, Submitted::File(_)))
        .map(|(k, _)| (k.clone(), DEMO_FILE.to_vec()))
        .collect();
    let submission = Submission {
        requester_id: None,
        service_id: service.id,
        values,
        files,
    };
    submit_in(w, requester, &submission, day, rules, at)
}

/// Under SLA when the demo opens: a broken PC nobody has taken yet (its response deadline
/// passed, its alerts raised), and a virtual machine whose technician waits for the
/// requester's answer since yesterday.
fn open_sla_requests(
    w: &Writer,
    ops: &Ops,
    dice: &mut Dice,
    services: &[Service],
    users: &[User],
    rules: &SlaRules,
    now: Timestamp,
) -> Result<(), Error> {
    let user = |name: &str| users.iter().find(|u| u.username.as_str() == name);
    let service = |name: &str| services.iter().find(|s| s.name == name);
    if let (Some(alice), Some(pc)) = (user("alice"), service("Remplacement d'un poste en panne")) {
        let at = now.plus_seconds(-26 * HOUR);
        submit_demo(w, dice, pc, alice, &ops.date_of(at), rules, at)?;
    }
    if let (Some(bob), Some(lea), Some(vm)) = (user("bob"), user("lea"), service("Création de VM"))
    {
        let at = now.plus_seconds(-3 * DAY);
        let mut request = submit_demo(w, dice, vm, bob, &ops.date_of(at), rules, at)?;
        let mut decided = at;
        while let (Status::PendingApproval, Some(approver)) =
            (request.status, decider(&request, users))
        {
            decided = decided.plus_seconds(HOUR);
            let approve = Action::Approve {
                comment: String::new(),
            };
            request = act_in(w, &approver, request.id, &approve, rules, decided)?;
        }
        let taken = decided.plus_seconds(2 * HOUR);
        catch_up(w, request.id, rules, taken)?;
        act_in(w, lea, request.id, &Action::Take, rules, taken)?;
        let asked = now.plus_seconds(-DAY);
        catch_up(w, request.id, rules, asked)?;
        let body =
            "Quelle taille de disque et combien de mémoire faut-il pour cette VM ?".to_owned();
        act_in(w, lea, request.id, &Action::Wait { body }, rules, asked)?;
    }
    Ok(())
}

/// The requests of one working date: (submitted at, rhythm), in order.
fn day_plan(dice: &mut Dice, office: &Calendar, date: Date, elapsed: i64) -> Vec<(i64, usize)> {
    let Some(&(open, _)) = office.working_on(date).first() else {
        return Vec::new();
    };
    let close = office.working_on(date).last().map_or(open, |r| r.1);
    let mut plan = Vec::new();
    for (index, rhythm) in RHYTHMS.iter().enumerate() {
        let expected = rhythm.expected_milli(date.month(), elapsed);
        let extra = i64::from(dice.below(1000) < u64::try_from(expected % 1000).unwrap_or(0));
        for _ in 0..expected / 1000 + extra {
            let spread = u64::try_from(close - open).unwrap_or(1);
            plan.push((open + i64::try_from(dice.below(spread)).unwrap_or(0), index));
        }
    }
    plan.sort_unstable();
    plan
}

impl Ops {
    /// Plays the demo's two years of requests, then marks read every notification older than
    /// two days (a demo user has read their old mail).
    pub(super) async fn seed_demo_history(&self) -> Result<(), Error> {
        let now = self.now();
        // The past is not mailed: nobody should receive two years of notifications at once.
        let rules = SlaRules {
            mail: false,
            ..self.sla_rules()
        };
        self.blocking(move |ops| {
            ops.store().write(|w| {
                let users = w.users()?;
                let technicians: Vec<User> = users
                    .iter()
                    .filter(|u| u.role == Role::Technician)
                    .cloned()
                    .collect();
                let requesters: Vec<User> = users
                    .iter()
                    .filter(|u| u.role == Role::Requester)
                    .cloned()
                    .collect();
                let office = w
                    .calendars()?
                    .into_iter()
                    .find(|c| c.name == OFFICE)
                    .ok_or_else(|| Error::Internal("the demo calendar is missing".into()))?
                    .calendar;
                let first = now.plus_seconds(-HISTORY_DAYS * DAY);
                let mut services: Vec<Service> = w.services()?;
                for service in &mut services {
                    // The catalog was there before the history began.
                    service.created_at = Some(first.plus_seconds(-30 * DAY));
                    w.put_service(service)?;
                }
                let teams = w.teams()?;
                let stage = Stage {
                    w,
                    users: &users,
                    technicians: &technicians,
                    teams: &teams,
                    rules: &rules,
                    office: &office,
                    now,
                };
                let by_rhythm: Vec<Option<&Service>> = RHYTHMS
                    .iter()
                    .map(|r| services.iter().find(|s| s.name == r.name))
                    .collect();
                let mut dice = Dice(0x9E37_79B9_7F4A_7C15);
                let zone = office.time_zone.clone();
                let first_date = jiff::Timestamp::from_second(first.0)
                    .map_err(|e| Error::Internal(e.to_string()))?
                    .to_zoned_datetime(zone)
                    .date();
                let mut date = first_date;
                for elapsed in 0..HISTORY_DAYS {
                    for (at, index) in day_plan(&mut dice, &office, date, elapsed) {
                        let created = Timestamp(at);
                        let requester = if dice.chance(85) {
                            dice.pick(&requesters)
                        } else {
                            dice.pick(&users)
                        };
                        let (Some(requester), Some(Some(service)), Some(rhythm)) =
                            (requester, by_rhythm.get(index), RHYTHMS.get(index))
                        else {
                            continue;
                        };
                        if created >= now {
                            continue;
                        }
                        let day = ops.date_of(created);
                        let request =
                            submit_demo(w, &mut dice, service, requester, &day, &rules, created)?;
                        stage.play(&mut dice, request, service, rhythm)?;
                    }
                    date = date
                        .tomorrow()
                        .map_err(|e| Error::Internal(e.to_string()))?;
                }
                // Something waits for Bob's decision when the demo opens: Alice's VPN access.
                let alice = users.iter().find(|u| u.username.as_str() == "alice");
                let vpn = services.iter().find(|s| s.name == "Accès VPN");
                if let (Some(alice), Some(vpn)) = (alice, vpn) {
                    let at = now.plus_seconds(-3 * HOUR);
                    let mut values = BTreeMap::new();
                    for (key, value) in [
                        (
                            "motif",
                            "Télétravail deux jours par semaine à partir de janvier.",
                        ),
                        ("duree", "6 mois"),
                        ("equipement", "Ordinateur de l'organisation"),
                    ] {
                        values.insert(key.to_owned(), Submitted::Values(vec![value.to_owned()]));
                    }
                    let submission = Submission {
                        requester_id: None,
                        service_id: vpn.id,
                        values,
                        files: BTreeMap::new(),
                    };
                    submit_in(w, alice, &submission, &ops.date_of(at), &rules, at)?;
                }
                open_sla_requests(w, ops, &mut dice, &services, &users, &rules, now)?;
                let mut open = w.request_ids(crate::storage::Listing::Open, None, false, 10_000)?;
                open.sort();
                for id in open {
                    catch_up(w, id, &rules, now)?;
                }
                for user in &users {
                    w.mark_read_before(user.id, now.plus_seconds(-2 * DAY))?;
                }
                w.order_notifications_by_time()?;
                Ok(())
            })
        })
        .await
    }
}
