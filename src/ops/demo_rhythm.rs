//! The rhythm of the demo organisation over its two years: how often each service is asked for,
//! in which months, how that grew, and how long each takes the IT team. The story it tells,
//! which the metrics page then finds on its own:
//! - accounts are made at the September and January arrivals, closed at the summer departures;
//!   passwords are forgotten after the holidays; training is booked in winter, never in August;
//! - remote work made VPN requests grow threefold;
//! - password resets and guest Wi-Fi are quick, regular and need no approval (automate them);
//! - a mobile phone takes two weeks (the operator), not the five days promised; a virtual
//!   machine a day, not three; guest Wi-Fi half an hour, not four (fix these estimates);
//! - Infrastructure (Léa alone) has been moving the server room for six weeks: its queue grows
//!   (reinforce it);
//! - nobody sends a fax any more (retire it).

/// How one service lives in the demo's history.
pub(super) struct Rhythm {
    pub name: &'static str,
    /// Requests per working week at the end of the two years, in tenths.
    pub per_week_tenths: u32,
    /// The months' multipliers in percent, January first.
    pub months: [u16; 12],
    /// The rate two years ago, in percent of today's (100: steady).
    pub start_percent: u16,
    /// From ready to taken, in working minutes: least and most.
    pub queue: (i64, i64),
    /// From taken to done, in working minutes: least and most.
    pub work: (i64, i64),
    /// Percent of requests where the technician has a question (the clocks pause).
    pub asks: u64,
    /// Handled at once whatever the hour (minutes of the clock, not working minutes).
    pub at_once: bool,
    /// Taken care of by Infrastructure, swamped for the last `SWAMPED_DAYS`.
    pub swamped: bool,
}

/// How many days the demo's history covers.
pub(super) const HISTORY_DAYS: i64 = 730;
/// For how many days Infrastructure has been moving the server room.
pub(super) const SWAMPED_DAYS: i64 = 42;
/// While it does, half of its requests wait this long to be taken (working minutes: 5 to 40
/// working days), and the others three times as long as usual.
pub(super) const SWAMPED_QUEUE: (i64, i64) = (2700, 21_600);

const STEADY: [u16; 12] = [100; 12];
const ARRIVALS: [u16; 12] = [160, 100, 90, 90, 80, 90, 60, 40, 230, 130, 100, 70];
const DEPARTURES: [u16; 12] = [80, 70, 80, 90, 100, 170, 190, 50, 90, 80, 80, 150];
const AFTER_HOLIDAYS: [u16; 12] = [170, 100, 90, 120, 100, 90, 80, 60, 170, 110, 120, 80];
const TRAINING: [u16; 12] = [170, 160, 140, 100, 80, 90, 20, 0, 80, 150, 160, 50];
const EVENTS: [u16; 12] = [60, 90, 150, 100, 110, 130, 50, 20, 100, 160, 120, 70];
const WINTER: [u16; 12] = [130, 120, 100, 90, 90, 90, 80, 60, 100, 100, 110, 120];
const BUDGET: [u16; 12] = [120, 90, 90, 90, 90, 100, 70, 40, 110, 100, 130, 170];
const SUMMER_OFF: [u16; 12] = [110, 110, 110, 100, 100, 100, 70, 30, 110, 110, 110, 90];

const fn rhythm(name: &'static str, per_week_tenths: u32, months: [u16; 12]) -> Rhythm {
    Rhythm {
        name,
        per_week_tenths,
        months,
        start_percent: 80,
        queue: (30, 240),
        work: (30, 360),
        asks: 10,
        at_once: false,
        swamped: false,
    }
}

const fn quick(mut r: Rhythm, queue: (i64, i64), work: (i64, i64)) -> Rhythm {
    r.queue = queue;
    r.work = work;
    r.asks = 0;
    r.at_once = true;
    r
}

const fn timed(mut r: Rhythm, queue: (i64, i64), work: (i64, i64), asks: u64) -> Rhythm {
    r.queue = queue;
    r.work = work;
    r.asks = asks;
    r
}

const fn infrastructure(mut r: Rhythm) -> Rhythm {
    r.swamped = true;
    r
}

const fn grew(mut r: Rhythm, start_percent: u16) -> Rhythm {
    r.start_percent = start_percent;
    r
}

/// Every requested demo service (the fax is not among them). The times are chosen so that most
/// requests meet their estimate and each median lands near it, except where the story says
/// otherwise. The estimate counts hours of the clock, the work hours of the office: a "1 day"
/// job takes 5 to 9 working hours (approval included), which spans a night, and is late only
/// when it spans a weekend too.
pub(super) const RHYTHMS: &[Rhythm] = &[
    timed(
        rhythm("Création de compte utilisateur", 12, ARRIVALS),
        (60, 240),
        (800, 1200),
        10,
    ),
    quick(
        grew(
            rhythm("Réinitialisation du mot de passe", 50, AFTER_HOLIDAYS),
            70,
        ),
        (10, 40),
        (5, 20),
    ),
    timed(
        rhythm("Départ d'un collaborateur", 8, DEPARTURES),
        (60, 240),
        (400, 600),
        0,
    ),
    infrastructure(timed(
        grew(rhythm("Accès VPN", 16, WINTER), 30),
        (240, 500),
        (60, 240),
        10,
    )),
    infrastructure(quick(
        rhythm("Accès Wi-Fi invité", 10, EVENTS),
        (10, 40),
        (5, 15),
    )),
    timed(
        rhythm("Accès à un dossier partagé", 10, STEADY),
        (60, 120),
        (200, 300),
        5,
    ),
    timed(
        rhythm("Droits sur une application métier", 6, STEADY),
        (60, 240),
        (240, 450),
        15,
    ),
    timed(rhythm("Nouveau PC", 10, BUDGET), (60, 240), (800, 1200), 30),
    timed(
        rhythm("Remplacement d'un poste en panne", 15, WINTER),
        (15, 60),
        (360, 420),
        0,
    ),
    timed(
        rhythm("Écran, clavier ou souris", 15, WINTER),
        (60, 240),
        (900, 1300),
        5,
    ),
    timed(
        rhythm("Imprimante : ajout ou dépannage", 15, SUMMER_OFF),
        (60, 120),
        (270, 400),
        10,
    ),
    timed(
        rhythm("Téléphone mobile professionnel", 8, BUDGET),
        (120, 540),
        (4500, 6300),
        20,
    ),
    timed(
        rhythm("Ligne fixe ou transfert d'appels", 4, STEADY),
        (60, 240),
        (500, 750),
        10,
    ),
    timed(
        rhythm("Installation de la suite bureautique", 6, ARRIVALS),
        (60, 120),
        (270, 400),
        5,
    ),
    timed(
        rhythm("Licence logicielle", 8, BUDGET),
        (60, 240),
        (800, 1200),
        10,
    ),
    timed(
        rhythm("Accès au logiciel de comptabilité", 3, STEADY),
        (60, 240),
        (350, 600),
        10,
    ),
    timed(
        rhythm("Signaler une anomalie applicative", 10, SUMMER_OFF),
        (30, 90),
        (60, 150),
        10,
    ),
    infrastructure(timed(
        rhythm("Création de VM", 8, SUMMER_OFF),
        (30, 120),
        (30, 150),
        5,
    )),
    infrastructure(timed(
        rhythm("Extension d'espace de stockage", 5, STEADY),
        (60, 240),
        (350, 600),
        5,
    )),
    infrastructure(timed(
        rhythm("Restauration de fichiers", 6, STEADY),
        (60, 120),
        (270, 400),
        0,
    )),
    timed(
        rhythm("Formation", 6, TRAINING),
        (60, 240),
        (2300, 3600),
        20,
    ),
    timed(
        grew(rhythm("Assistance informatique", 30, SUMMER_OFF), 90),
        (30, 90),
        (60, 150),
        15,
    ),
];

impl Rhythm {
    /// Requests expected on a working day, in thousandths: `month` counts from 1, `elapsed`
    /// is the day's place in the history in days.
    pub fn expected_milli(&self, month: i8, elapsed: i64) -> i64 {
        let months = usize::try_from(month - 1).map_or(100, |m| self.months[m % 12]);
        let start = i64::from(self.start_percent);
        let trend = start + (100 - start) * elapsed.clamp(0, HISTORY_DAYS) / HISTORY_DAYS;
        i64::from(self.per_week_tenths) * 100 / 5 * i64::from(months) / 100 * trend / 100
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_follow_the_season_and_the_growth() {
        let vpn = RHYTHMS.iter().find(|r| r.name == "Accès VPN").expect("vpn");
        // 1.6 a week is 320 thousandths a working day; January weighs 130 %, and two years ago
        // the rate was 30 % of today's.
        assert_eq!(vpn.expected_milli(1, HISTORY_DAYS), 416);
        assert_eq!(vpn.expected_milli(1, 0), 124);
        let training = RHYTHMS
            .iter()
            .find(|r| r.name == "Formation")
            .expect("training");
        assert_eq!(
            training.expected_milli(8, HISTORY_DAYS),
            0,
            "nobody trains in August"
        );
        assert!(training.expected_milli(1, 365) > training.expected_milli(5, 365));
    }

    #[test]
    fn every_demo_service_but_the_fax_has_one_rhythm() {
        let names: std::collections::BTreeSet<&str> = RHYTHMS.iter().map(|r| r.name).collect();
        assert_eq!(names.len(), RHYTHMS.len());
        let catalog: std::collections::BTreeSet<&str> = super::super::demo_catalog::service_names()
            .filter(|n| *n != super::super::demo_catalog::NEVER_REQUESTED)
            .collect();
        assert_eq!(names, catalog);
        for rhythm in RHYTHMS {
            assert!(rhythm.queue.0 <= rhythm.queue.1 && rhythm.work.0 <= rhythm.work.1);
        }
    }
}
