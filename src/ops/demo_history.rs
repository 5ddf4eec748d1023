//! The demo's past: a few hundred requests over the last 90 days, each driven through the real
//! workflow (submission, decisions, take, comments, completion) at plausible moments, so that
//! every page and status has something to show. Deterministic: the same store every time.

use super::requests::{Submission, act_in, submit_in};
use super::sla::SlaRules;
use super::sla_scan::catch_up;
use super::{Error, Ops};
use crate::domain::form::{FieldKind, FileMeta, FormField, Submitted};
use crate::domain::request::{Action, Approver, Request, Status};
use crate::domain::{Role, Service, Timestamp, User};
use crate::storage::Writer;
use std::collections::BTreeMap;

const DAY: i64 = 86_400;
/// The content of every demo attachment.
const DEMO_FILE: &[u8] = b"Justificatif de la demande (fichier de demonstration).\n";
const HOUR: i64 = 3600;
/// How many requests the demo's history holds.
pub const DEMO_REQUESTS: usize = 320;

/// A small deterministic generator (xorshift): the demo needs variety, not randomness.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
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

/// Who decides a step, as the demo plays it.
fn decider(request: &Request, users: &[User]) -> Option<User> {
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

fn play(
    w: &Writer,
    dice: &mut Dice,
    mut request: Request,
    users: &[User],
    technicians: &[User],
    rules: &SlaRules,
    now: Timestamp,
) -> Result<(), Error> {
    let Some(requester) = users.iter().find(|u| u.id == request.requester).cloned() else {
        return Ok(());
    };
    let mut at = request.created_at;
    let step = |at: &mut Timestamp, hours: i64, dice: &mut Dice| {
        *at = at.plus_seconds(
            HOUR + i64::try_from(dice.below(u64::try_from(hours * HOUR).unwrap_or(1))).unwrap_or(0),
        );
        *at < now
    };
    let act = |request: &Request, who: &User, action: Action, at: Timestamp| {
        // The SLA scan runs as it would have until that moment.
        catch_up(w, request.id, rules, at)?;
        act_in(w, who, request.id, &action, rules, at)
    };
    if dice.chance(5) && step(&mut at, 6, dice) {
        act(&request, &requester, Action::Cancel, at)?;
        return Ok(());
    }
    while request.status == Status::PendingApproval {
        if !step(&mut at, 30, dice) {
            return Ok(());
        }
        let Some(approver) = decider(&request, users) else {
            return Ok(());
        };
        let action = if dice.chance(12) {
            Action::Reject {
                reason: dice.pick(REASONS).copied().unwrap_or_default().into(),
            }
        } else {
            Action::Approve {
                comment: String::new(),
            }
        };
        request = act(&request, &approver, action, at)?;
    }
    if request.status == Status::Rejected {
        return Ok(());
    }
    let Some(technician) = dice.pick(technicians).cloned() else {
        return Ok(());
    };
    if !step(&mut at, 20, dice) {
        return Ok(());
    }
    request = act(&request, &technician, Action::Take, at)?;
    if dice.chance(35) && step(&mut at, 8, dice) {
        let body = dice.pick(QUESTIONS).copied().unwrap_or_default().into();
        act(
            &request,
            &technician,
            Action::Comment {
                body,
                internal: false,
            },
            at,
        )?;
        if step(&mut at, 8, dice) {
            let body = dice.pick(ANSWERS).copied().unwrap_or_default().into();
            act(
                &request,
                &requester,
                Action::Comment {
                    body,
                    internal: false,
                },
                at,
            )?;
        }
    }
    if dice.chance(25) && step(&mut at, 4, dice) {
        let body = dice.pick(NOTES).copied().unwrap_or_default().into();
        act(
            &request,
            &technician,
            Action::Comment {
                body,
                internal: true,
            },
            at,
        )?;
    }
    if step(&mut at, 72, dice) {
        let resolution = dice.pick(RESOLUTIONS).copied().unwrap_or_default().into();
        act(&request, &technician, Action::Complete { resolution }, at)?;
    }
    Ok(())
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

impl Ops {
    /// Plays `count` past requests spread over the 90 days before now, then marks read every
    /// notification older than two days (a demo user has read their old mail).
    pub(super) async fn seed_demo_history(&self, count: usize) -> Result<(), Error> {
        let now = self.now();
        let rules = self.sla_rules();
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
                let mut services: Vec<Service> = w.services()?;
                services.retain(|s| s.active && s.name != super::demo_catalog::NEVER_REQUESTED);
                // The first services of the catalog are drawn more often, so that "most
                // requested" has a clear top.
                services.sort_by_key(|s| s.id);
                let mut dice = Dice(0x9E37_79B9_7F4A_7C15);
                let span = 90 * DAY;
                let step = span / i64::try_from(count.max(1)).unwrap_or(1);
                for i in 0..count {
                    let offset = i64::try_from(i).unwrap_or(0) * step;
                    let jitter =
                        i64::try_from(dice.below(u64::try_from(step).unwrap_or(1))).unwrap_or(0);
                    let created = Timestamp(now.0 - span + offset + jitter);
                    let requester = if dice.chance(85) {
                        dice.pick(&requesters)
                    } else {
                        dice.pick(&users)
                    };
                    let popular = services.len().min(6);
                    let service = if dice.chance(50) {
                        dice.pick(&services[..popular])
                    } else {
                        dice.pick(&services)
                    };
                    let (Some(requester), Some(service)) = (requester, service) else {
                        continue;
                    };
                    let day = ops.date_of(created);
                    let request =
                        submit_demo(w, &mut dice, service, requester, &day, &rules, created)?;
                    play(w, &mut dice, request, &users, &technicians, &rules, now)?;
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
