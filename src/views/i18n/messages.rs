//! Field messages: the domain writes them in English; French readers get them translated.

use crate::domain::Locale;

/// Field messages come from the domain in English; this translates the known ones so a French
/// user never reads a mixed-language form. Unknown messages are shown as they are.
pub fn field_message(locale: Locale, message: &str) -> String {
    if locale == Locale::En {
        return capitalise(message);
    }
    let fr = match message {
        "is required" => "Ce champ est obligatoire.",
        "is already taken" => "Déjà utilisé.",
        "no such user" => "Utilisateur inconnu.",
        "must be 2 to 32 characters long" => "Entre 2 et 32 caractères.",
        "must start with a letter or a digit" => "Doit commencer par une lettre ou un chiffre.",
        "may contain only letters a-z, digits, '.', '-' and '_'" => {
            "Seulement des lettres a-z, des chiffres, « . », « - » et « _ »."
        }
        "must be at most 100 characters long" => "100 caractères au plus.",
        "is not a valid e-mail address" => "Adresse e-mail invalide.",
        "must be requester, technician or admin" => "Rôle inconnu.",
        "must be fr or en" => "Langue inconnue.",
        "a user cannot be their own manager" => {
            "Un utilisateur ne peut être son propre responsable."
        }
        "would make a loop in the manager chain" => "Créerait une boucle de responsables.",
        "this is the last active administrator" => "C'est le dernier administrateur actif.",
        "you cannot deactivate yourself" => "Vous ne pouvez pas vous désactiver vous-même.",
        "must be at least 8 characters long" => "Au moins 8 caractères.",
        "must be at most 256 characters long" => "256 caractères au plus.",
        "must not be the username" => "Ne doit pas être l'identifiant.",
        "is not your current password" => "Ce n'est pas votre mot de passe actuel.",
        "must differ from the current password" => "Doit différer du mot de passe actuel.",
        "must be 1 to 60 characters long" => "Entre 1 et 60 caractères.",
        "must be at most 80 characters long" => "80 caractères au plus.",
        "must be at most 120 characters long" => "120 caractères au plus.",
        "must be at most 500 characters long" => "500 caractères au plus.",
        "is not an icon of the bundled set" => "Icône inconnue.",
        "no such category" => "Catégorie inconnue.",
        "no such team" => "Équipe inconnue.",
        "would put the category inside itself" => "Placerait la catégorie dans elle-même.",
        "would make the tree deeper than 4 levels" => "L'arborescence dépasserait 4 niveaux.",
        "must be between 1 and 1000" => "Entre 1 et 1000.",
        "at most 3 steps" => "3 étapes au plus.",
        "approval by the team lead needs a fulfilling team" => {
            "La validation par le responsable d'équipe demande une équipe responsable."
        }
        "must be 1 to 40 characters a-z, 0-9 or _, starting with a letter" => {
            "1 à 40 caractères a-z, 0-9 ou _, commençant par une lettre."
        }
        "is already used in this form" => "Déjà utilisée dans ce formulaire.",
        "a choice field needs at least one option" => "Un champ à choix demande au moins un choix.",
        "must be at least 1" => "Au moins 1.",
        "must be an active technician or administrator" => {
            "Doit être un technicien ou un administrateur actif."
        }
        "must be open, all or a status" => "Doit être open, all ou un statut.",
        "must be newest or oldest" => "Doit être newest ou oldest.",
        "must be newest, oldest or urgent" => "Doit être newest, oldest ou urgent.",
        "must be soon, overdue or late" => "Doit être soon, overdue ou late.",
        "must be a request number" => "Doit être un numéro de demande.",
        "must be a text, a number, a boolean or a list" => {
            "Doit être un texte, un nombre, un booléen ou une liste."
        }
        "must not be above the maximum" => "Ne doit pas dépasser le maximum.",
        "must be a number" => "Doit être un nombre.",
        "must be checked" => "Doit être coché.",
        "takes a single value" => "Une seule valeur.",
        "is not one of the choices" => "Ne fait pas partie des choix.",
        "must be a date (YYYY-MM-DD)" => "Doit être une date (AAAA-MM-JJ).",
        "must not be in the past" => "Ne doit pas être dans le passé.",
        "is not a field of this form" => "N'est pas un champ de ce formulaire.",
        "must name an existing SLA policy" => "Doit désigner une politique SLA existante.",
        "must name an existing calendar" => "Doit désigner un calendrier existant.",
        "a policy needs a response or a resolution target" => {
            "Une politique demande un délai de prise en charge ou de résolution."
        }
        "at most 10 thresholds" => "10 alertes au plus.",
        "a percentage must be between 1 and 1000" => "Un pourcentage est compris entre 1 et 1000.",
        "a threshold needs its target to be set" => "Une alerte demande que son délai soit fixé.",
        "a threshold must notify someone" => "Une alerte doit prévenir quelqu'un.",
        "a response threshold fires before anyone has taken the request: notify the team, its lead or the administrators too" => {
            "Une alerte de prise en charge part avant que quelqu'un ait pris la demande : prévenez aussi l'équipe, son responsable ou les administrateurs."
        }
        "each threshold must be listed once" => "Chaque alerte ne figure qu'une fois.",
        "must be an IANA time zone, such as Europe/Paris" => {
            "Doit être un fuseau horaire IANA, par exemple Europe/Paris."
        }
        "a day must be one of mon, tue, wed, thu, fri, sat, sun" => {
            "Un jour est l'un de mon, tue, wed, thu, fri, sat, sun."
        }
        "a range must end after it starts" => "Une plage doit finir après son début.",
        "times are written HH:MM, from 00:00 to 24:00" => {
            "Les heures s'écrivent HH:MM, de 00:00 à 24:00, par plages 09:00-12:00."
        }
        "at most 400 holidays" => "400 jours fériés au plus.",
        "a date is written YYYY-MM-DD" => "Une date s'écrit AAAA-MM-JJ (MM-JJ pour chaque année).",
        "each holiday needs a name of at most 100 characters" => {
            "Chaque jour férié demande un nom de 100 caractères au plus."
        }
        other => return translate_pattern(other).unwrap_or_else(|| capitalise(other)),
    };
    fr.to_owned()
}

fn capitalise(message: &str) -> String {
    let mut chars = message.chars();
    let mut out: String = chars
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default();
    out.push_str(chars.as_str());
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

/// Messages that carry a number or a list: "must be at most 5 MiB", "must be one of: pdf".
fn translate_pattern(message: &str) -> Option<String> {
    if let Some(rest) = message.strip_prefix("must be between 1 and ") {
        let (n, unit) = rest.split_once(' ')?;
        let unit = match unit {
            "minutes" => "minutes",
            "hours" => "heures",
            _ => "jours",
        };
        return Some(format!("Entre 1 et {n} {unit}."));
    }
    if let Some(list) = message.strip_prefix("must be one of: ") {
        return Some(format!("Doit être l'un de : {list}."));
    }
    if let Some(n) = message.strip_prefix("must be at least ") {
        return Some(format!("Au moins {n}."));
    }
    let rest = message.strip_prefix("must be at most ")?;
    if let Some(n) = rest.strip_suffix(" MiB") {
        return Some(format!("{n} Mio au plus."));
    }
    if let Some(n) = rest.strip_suffix(" characters long") {
        return Some(format!("{n} caractères au plus."));
    }
    Some(format!("Au plus {rest}."))
}
