//! The audit trail page's words, in French and English.

use crate::domain::audit::AuditKind;

#[derive(Debug)]
pub struct AuditTexts {
    pub nav: &'static str,
    pub title: &'static str,
    pub intro: &'static str,
    pub when: &'static str,
    pub who: &'static str,
    pub what: &'static str,
    pub action: &'static str,
    pub changes: &'static str,
    pub any_kind: &'static str,
    pub anyone: &'static str,
    pub from: &'static str,
    pub to: &'static str,
    pub none: &'static str,
    pub command_line: &'static str,
    pub kinds: [&'static str; 7],
    /// Each action's code and words.
    pub actions: [(&'static str, &'static str); 8],
}

impl AuditTexts {
    pub fn kind(&self, kind: AuditKind) -> &'static str {
        let at = AuditKind::ALL.iter().position(|k| *k == kind).unwrap_or(0);
        self.kinds[at]
    }

    /// An action in words; an unknown code as it is.
    pub fn action<'a>(&self, code: &'a str) -> &'a str {
        self.actions
            .iter()
            .find(|(c, _)| *c == code)
            .map_or(code, |(_, words)| words)
    }
}

pub static FR: AuditTexts = AuditTexts {
    nav: "Journal",
    title: "Journal des modifications",
    intro: "Chaque modification du catalogue, des personnes, des équipes, des calendriers, des politiques SLA et des réglages, avec son auteur et les valeurs avant et après. Le journal ne se modifie pas et ne s'efface pas.",
    when: "Quand",
    who: "Qui",
    what: "Quoi",
    action: "Action",
    changes: "Changements",
    any_kind: "Tout",
    anyone: "Tout le monde",
    from: "Du",
    to: "Au",
    none: "Aucune modification ne correspond.",
    command_line: "ligne de commande",
    kinds: [
        "Catégorie",
        "Service",
        "Utilisateur",
        "Équipe",
        "Calendrier",
        "Politique SLA",
        "Réglages",
    ],
    actions: [
        ("created", "créé"),
        ("updated", "modifié"),
        ("deleted", "supprimé"),
        ("moved", "déplacé"),
        ("activated", "activé"),
        ("deactivated", "désactivé"),
        ("form_changed", "formulaire modifié"),
        ("password_reset", "mot de passe réinitialisé"),
    ],
};

pub static EN: AuditTexts = AuditTexts {
    nav: "Audit trail",
    title: "Audit trail",
    intro: "Every change to the catalog, people, teams, calendars, SLA policies and settings, with who made it and the values before and after. The trail cannot be edited or erased.",
    when: "When",
    who: "Who",
    what: "What",
    action: "Action",
    changes: "Changes",
    any_kind: "Everything",
    anyone: "Anyone",
    from: "From",
    to: "To",
    none: "No change matches.",
    command_line: "command line",
    kinds: [
        "Category",
        "Service",
        "User",
        "Team",
        "Calendar",
        "SLA policy",
        "Settings",
    ],
    actions: [
        ("created", "created"),
        ("updated", "changed"),
        ("deleted", "deleted"),
        ("moved", "moved"),
        ("activated", "activated"),
        ("deactivated", "deactivated"),
        ("form_changed", "form changed"),
        ("password_reset", "password reset"),
    ],
};
