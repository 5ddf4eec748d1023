//! The demo's SLA setup: the calendar "Heures de bureau" (Monday to Friday, 9:00–18:00 in
//! Europe/Paris, with the French public holidays: fixed dates every year, and the Easter-based
//! ones computed for each year the demo covers) and two policies, "Standard" and "Critique".
//! The instance's default calendar stays 24/7.

use super::{Admin, Error, Ops};
use crate::domain::Timestamp;
use crate::domain::sla::{
    CalendarInput, Clock, PolicyInput, Recipient, Target, TargetUnit, Threshold,
};
use jiff::civil::Date;

/// The demo's office calendar.
pub(super) const OFFICE: &str = "Heures de bureau";

/// French public holidays on a fixed date, every year.
const FIXED: &[(i8, i8, &str)] = &[
    (1, 1, "Jour de l'an"),
    (5, 1, "Fête du Travail"),
    (5, 8, "Victoire 1945"),
    (7, 14, "Fête nationale"),
    (8, 15, "Assomption"),
    (11, 1, "Toussaint"),
    (11, 11, "Armistice 1918"),
    (12, 25, "Noël"),
];

/// Easter Sunday of `year` (the anonymous Gregorian algorithm).
pub fn easter(year: i16) -> Option<Date> {
    let y = i32::from(year);
    let (a, b, c) = (y % 19, y / 100, y % 100);
    let (d, e) = (b / 4, b % 4);
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let (i, k) = (c / 4, c % 4);
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = i8::try_from((h + l - 7 * m + 114) / 31).ok()?;
    let day = i8::try_from((h + l - 7 * m + 114) % 31 + 1).ok()?;
    Date::new(year, month, day).ok()
}

/// The Easter-based holidays of `year`: Easter Monday, Ascension, Whit Monday.
fn movable(year: i16) -> Vec<(Date, &'static str)> {
    let Some(easter) = easter(year) else {
        return Vec::new();
    };
    [
        (1, "Lundi de Pâques"),
        (39, "Ascension"),
        (50, "Lundi de Pentecôte"),
    ]
    .into_iter()
    .filter_map(|(days, name)| Some((easter.checked_add(jiff::Span::new().days(days)).ok()?, name)))
    .collect()
}

fn policy(
    name: &str,
    response: (u32, TargetUnit),
    resolution: (u32, TargetUnit),
    thresholds: Vec<Threshold>,
) -> PolicyInput {
    PolicyInput {
        name: name.into(),
        calendar_id: None,
        response: Some(Target {
            value: response.0,
            unit: response.1,
        }),
        resolution: Some(Target {
            value: resolution.0,
            unit: resolution.1,
        }),
        thresholds,
    }
}

fn threshold(target: Clock, percent: u16, notify: &[Recipient]) -> Threshold {
    Threshold {
        target,
        percent,
        notify: notify.to_vec(),
    }
}

impl Ops {
    /// Creates the demo calendar and policies; answers the policies' ids by name.
    pub(super) async fn seed_demo_sla(
        &self,
        admin: Admin,
        now: Timestamp,
    ) -> Result<Vec<(&'static str, u64)>, Error> {
        let year = jiff::Timestamp::from_second(now.0)
            .map_err(|e| Error::Internal(e.to_string()))?
            .to_zoned_datetime(self.time_zone().clone())
            .year();
        let mut holidays: Vec<(String, String, bool)> = FIXED
            .iter()
            .map(|(m, d, name)| (format!("2000-{m:02}-{d:02}"), (*name).to_owned(), true))
            .collect();
        // The history covers two years back.
        for y in year - 2..=year + 1 {
            for (date, name) in movable(y) {
                holidays.push((date.to_string(), name.to_owned(), false));
            }
        }
        let hours = ["mon", "tue", "wed", "thu", "fri"]
            .into_iter()
            .map(|d| (d.to_owned(), "09:00".to_owned(), "18:00".to_owned()))
            .collect();
        let office = CalendarInput {
            name: OFFICE.into(),
            time_zone: "Europe/Paris".into(),
            hours,
            holidays,
        };
        let office = self.save_calendar(admin, None, office).await?;
        use Clock::{Resolution, Response};
        use Recipient::{Admins, Assignee, Team, TeamLead};
        use TargetUnit::{Days, Hours};
        let mut standard = policy(
            "Standard",
            (4, Hours),
            (3, Days),
            vec![
                threshold(Response, 100, &[Team, TeamLead]),
                threshold(Resolution, 75, &[Assignee]),
                threshold(Resolution, 100, &[Assignee, TeamLead]),
                threshold(Resolution, 150, &[Admins]),
            ],
        );
        standard.calendar_id = Some(office.id);
        let mut critical = policy(
            "Critique",
            (1, Hours),
            (8, Hours),
            vec![
                threshold(Response, 50, &[Team]),
                threshold(Response, 100, &[Team, TeamLead]),
                threshold(Resolution, 75, &[Assignee, Team]),
                threshold(Resolution, 100, &[TeamLead, Admins]),
            ],
        );
        critical.calendar_id = Some(office.id);
        let standard = self.save_sla_policy(admin, None, standard).await?;
        let critical = self.save_sla_policy(admin, None, critical).await?;
        Ok(vec![
            ("Création de VM", standard.id),
            ("Nouveau PC", standard.id),
            ("Remplacement d'un poste en panne", critical.id),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn easter_and_the_holidays_it_moves() {
        assert_eq!(easter(2026), Some(date(2026, 4, 5)));
        assert_eq!(easter(2027), Some(date(2027, 3, 28)));
        assert_eq!(easter(2025), Some(date(2025, 4, 20)));
        let days: Vec<Date> = movable(2026).into_iter().map(|(d, _)| d).collect();
        assert_eq!(
            days,
            [date(2026, 4, 6), date(2026, 5, 14), date(2026, 5, 25)]
        );
    }
}
