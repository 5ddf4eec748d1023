//! The demo catalog of DESIGN §7: the reference categories and about twenty services with real
//! forms, in French as an organisation would write them.

use super::{Admin, Error, Ops};
use crate::domain::form::{FieldKind, FormField, Limits};
use crate::domain::service::{ApprovalRule, Delay, DelayUnit};
use crate::domain::{CategoryId, CategoryInput, ServiceInput, TeamId};

/// A top-level category: name, icon, description, and its sub-categories (name, icon).
type DemoCategory = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

const CATEGORIES: &[DemoCategory] = &[
    (
        "Accès et identité",
        "key-round",
        "Comptes, mots de passe, VPN et droits d'accès.",
        &[
            ("Création de compte", "user-plus"),
            ("Accès VPN", "shield-check"),
            ("Permissions applicatives", "lock"),
        ],
    ),
    (
        "Équipement",
        "laptop",
        "Postes de travail, périphériques et téléphones.",
        &[
            ("Poste de travail", "monitor"),
            ("Périphériques", "mouse"),
            ("Téléphonie", "smartphone"),
        ],
    ),
    (
        "Logiciels",
        "app-window",
        "Installations, licences et applications métier.",
        &[
            ("Suite bureautique", "file-text"),
            ("Applications métier", "briefcase"),
        ],
    ),
    (
        "Infrastructure",
        "server",
        "Serveurs, machines virtuelles et stockage.",
        &[("Serveurs virtuels", "cpu"), ("Stockage", "hard-drive")],
    ),
    (
        "Support",
        "life-buoy",
        "Formations et assistance au quotidien.",
        &[
            ("Formation", "graduation-cap"),
            ("Assistance", "headphones"),
        ],
    ),
];

fn field(key: &str, label: &str, kind: FieldKind, required: bool) -> FormField {
    FormField {
        key: key.into(),
        label: label.into(),
        help: String::new(),
        kind,
        required,
        options: Vec::new(),
        limits: Limits::default(),
    }
}

fn text(key: &str, label: &str, required: bool) -> FormField {
    field(key, label, FieldKind::Text, required)
}

fn long(key: &str, label: &str, required: bool) -> FormField {
    field(key, label, FieldKind::Textarea, required)
}

fn choice(key: &str, label: &str, required: bool, options: &[&str]) -> FormField {
    FormField {
        options: options.iter().map(|o| (*o).to_owned()).collect(),
        ..field(key, label, FieldKind::Select, required)
    }
}

fn choices(key: &str, label: &str, required: bool, options: &[&str]) -> FormField {
    FormField {
        options: options.iter().map(|o| (*o).to_owned()).collect(),
        ..field(key, label, FieldKind::Multiselect, required)
    }
}

fn number(key: &str, label: &str, required: bool, min: f64, max: f64) -> FormField {
    let mut f = field(key, label, FieldKind::Number, required);
    f.limits.min = Some(min);
    f.limits.max = Some(max);
    f
}

fn date(key: &str, label: &str, required: bool, future: bool) -> FormField {
    let mut f = field(key, label, FieldKind::Date, required);
    f.limits.not_in_past = future;
    f
}

fn file(key: &str, label: &str, types: &[&str], max_mb: u32) -> FormField {
    let mut f = field(key, label, FieldKind::File, false);
    f.limits.max_size_mb = Some(max_mb);
    f.limits.allowed_types = types.iter().map(|t| (*t).to_owned()).collect();
    f
}

fn help(mut f: FormField, help: &str) -> FormField {
    f.help = help.into();
    f
}

struct DemoService {
    name: &'static str,
    category: &'static str,
    description: &'static str,
    keywords: &'static str,
    approval: &'static [ApprovalRule],
    delay: (u32, DelayUnit),
    team: Option<&'static str>,
    form: fn() -> Vec<FormField>,
}

use ApprovalRule::{Manager, TeamLead};
use DelayUnit::{Days, Hours};

/// Services whose page says how long they usually take.
const USUAL_TIME_SHOWN: [&str; 2] = ["Réinitialisation du mot de passe", "Accès VPN"];

const SERVICES: &[DemoService] = &[
    DemoService {
        name: "Création de compte utilisateur",
        category: "Création de compte",
        description: "Compte informatique, messagerie et accès de base pour une personne qui arrive.\n\nFaites la demande au moins une semaine avant l'arrivée.",
        keywords: "arrivée nouvel embauche compte messagerie onboarding",
        approval: &[Manager],
        delay: (3, Days),
        team: Some("Support"),
        form: || {
            vec![
                text("nom_complet", "Nom et prénom de la personne", true),
                date("date_arrivee", "Date d'arrivée", true, true),
                text("poste", "Poste occupé", true),
                field(
                    "avec_poste",
                    "Prévoir aussi un poste de travail",
                    FieldKind::Checkbox,
                    false,
                ),
            ]
        },
    },
    DemoService {
        name: "Réinitialisation du mot de passe",
        category: "Création de compte",
        description: "Mot de passe oublié ou compte bloqué : un technicien vous recontacte pour vérifier votre identité.",
        keywords: "mot de passe oublié bloqué verrouillé password reset mdp",
        approval: &[],
        delay: (1, Hours),
        team: Some("Support"),
        form: || {
            vec![
                text("compte", "Identifiant concerné", true),
                choice(
                    "contact",
                    "Comment vous joindre",
                    true,
                    &[
                        "Par téléphone",
                        "Par SMS",
                        "Je passe au service informatique",
                    ],
                ),
            ]
        },
    },
    DemoService {
        name: "Départ d'un collaborateur",
        category: "Création de compte",
        description: "Fermeture des accès, récupération du matériel et transfert des fichiers d'une personne qui part.",
        keywords: "départ fin de contrat sortie offboarding",
        approval: &[Manager],
        delay: (2, Days),
        team: Some("Support"),
        form: || {
            vec![
                text("collaborateur", "Nom de la personne", true),
                date("date_depart", "Dernier jour", true, false),
                help(
                    text(
                        "transfert",
                        "À qui transférer les fichiers et la messagerie",
                        false,
                    ),
                    "Laissez vide pour archiver.",
                ),
            ]
        },
    },
    DemoService {
        name: "Accès VPN",
        category: "Accès VPN",
        description: "Accès au réseau de l'organisation depuis l'extérieur (télétravail, déplacement).",
        keywords: "vpn télétravail distance maison réseau externe",
        approval: &[Manager],
        delay: (2, Days),
        team: Some("Infrastructure"),
        form: || {
            vec![
                long(
                    "motif",
                    "Pourquoi avez-vous besoin d'un accès à distance ?",
                    true,
                ),
                choice(
                    "duree",
                    "Durée",
                    true,
                    &["1 mois", "3 mois", "6 mois", "Permanent"],
                ),
                choice(
                    "equipement",
                    "Depuis quel ordinateur",
                    true,
                    &["Ordinateur de l'organisation", "Ordinateur personnel"],
                ),
            ]
        },
    },
    DemoService {
        name: "Accès Wi-Fi invité",
        category: "Accès VPN",
        description: "Un code Wi-Fi temporaire pour un visiteur.",
        keywords: "wifi invité visiteur internet code",
        approval: &[],
        delay: (4, Hours),
        team: Some("Infrastructure"),
        form: || {
            vec![
                text("invite", "Nom du visiteur", true),
                date("date_visite", "Premier jour de visite", true, true),
                number("jours", "Nombre de jours", true, 1.0, 30.0),
            ]
        },
    },
    DemoService {
        name: "Accès à un dossier partagé",
        category: "Permissions applicatives",
        description: "Droits de lecture ou d'écriture sur un dossier du serveur de fichiers.",
        keywords: "dossier partage répertoire droits fichier serveur",
        approval: &[Manager],
        delay: (1, Days),
        team: Some("Support"),
        form: || {
            vec![
                help(
                    text("chemin", "Chemin du dossier", true),
                    "Par exemple \\\\fichiers\\compta\\2026",
                ),
                choice(
                    "droits",
                    "Droits souhaités",
                    true,
                    &["Lecture", "Lecture et écriture"],
                ),
                long("justification", "Justification", false),
            ]
        },
    },
    DemoService {
        name: "Droits sur une application métier",
        category: "Permissions applicatives",
        description: "Ouvrir ou modifier un profil dans une application métier.",
        keywords: "habilitation profil droits application",
        approval: &[Manager, TeamLead],
        delay: (2, Days),
        team: Some("Support"),
        form: || {
            vec![
                choice(
                    "application",
                    "Application",
                    true,
                    &[
                        "Comptabilité",
                        "Paie",
                        "Gestion des stocks",
                        "Gestion du courrier",
                    ],
                ),
                text("profil", "Profil souhaité", true),
            ]
        },
    },
    DemoService {
        name: "Nouveau PC",
        category: "Poste de travail",
        description: "Un ordinateur neuf, installé avec les logiciels standard et vos données.\n\nLe délai court à partir de la validation.",
        keywords: "ordinateur portable laptop pc poste machine nouveau",
        approval: &[Manager],
        delay: (3, Days),
        team: Some("Support"),
        form: || {
            vec![
                choice(
                    "modele",
                    "Modèle",
                    true,
                    &["Portable standard", "Portable performance", "Poste fixe"],
                ),
                field(
                    "second_ecran",
                    "Avec un second écran",
                    FieldKind::Checkbox,
                    false,
                ),
                choices(
                    "logiciels",
                    "Logiciels particuliers",
                    false,
                    &[
                        "Outils de développement",
                        "Logiciel de dessin",
                        "Logiciel de statistiques",
                    ],
                ),
                date("date_souhaitee", "Date souhaitée", false, true),
                long("justification", "Justification", true),
            ]
        },
    },
    DemoService {
        name: "Remplacement d'un poste en panne",
        category: "Poste de travail",
        description: "Votre ordinateur ne démarre plus ou est endommagé : nous le remplaçons temporairement.",
        keywords: "panne cassé ordinateur ne démarre plus écran noir réparation",
        approval: &[],
        delay: (1, Days),
        team: Some("Support"),
        form: || {
            vec![
                help(
                    text("inventaire", "Numéro d'inventaire", true),
                    "Sur l'étiquette sous l'appareil.",
                ),
                long("panne", "Que se passe-t-il ?", true),
                file("photo", "Photo du problème", &["jpg", "jpeg", "png"], 5),
            ]
        },
    },
    DemoService {
        name: "Écran, clavier ou souris",
        category: "Périphériques",
        description: "Périphériques standard livrés à votre bureau.",
        keywords: "écran moniteur clavier souris casque périphérique",
        approval: &[],
        delay: (3, Days),
        team: Some("Support"),
        form: || {
            vec![
                choices(
                    "articles",
                    "Articles",
                    true,
                    &[
                        "Écran 24 pouces",
                        "Écran 27 pouces",
                        "Clavier",
                        "Souris",
                        "Casque audio",
                    ],
                ),
                number("quantite", "Quantité de chaque article", true, 1.0, 5.0),
            ]
        },
    },
    DemoService {
        name: "Imprimante : ajout ou dépannage",
        category: "Périphériques",
        description: "Installer une imprimante sur votre poste, ou signaler une imprimante en panne.",
        keywords: "imprimante impression scanner copieur bourrage",
        approval: &[],
        delay: (1, Days),
        team: Some("Support"),
        form: || {
            vec![
                text("imprimante", "Imprimante (nom ou emplacement)", true),
                choice(
                    "demande",
                    "Demande",
                    true,
                    &[
                        "Installer sur mon poste",
                        "Bourrage ou panne",
                        "Qualité d'impression",
                    ],
                ),
                long("details", "Détails", false),
            ]
        },
    },
    DemoService {
        name: "Téléphone mobile professionnel",
        category: "Téléphonie",
        description: "Un smartphone et une ligne professionnelle.",
        keywords: "téléphone portable mobile smartphone forfait ligne",
        approval: &[Manager],
        delay: (5, Days),
        team: Some("Support"),
        form: || {
            vec![
                choice("modele", "Modèle", true, &["Standard", "Haut de gamme"]),
                choice(
                    "forfait",
                    "Forfait",
                    true,
                    &["Voix seule", "Voix et données"],
                ),
                long("justification", "Justification", true),
            ]
        },
    },
    DemoService {
        name: "Ligne fixe ou transfert d'appels",
        category: "Téléphonie",
        description: "Nouvelle ligne fixe, changement de numéro ou renvoi d'appels.",
        keywords: "téléphone fixe ligne renvoi transfert numéro poste",
        approval: &[],
        delay: (2, Days),
        team: Some("Support"),
        form: || {
            vec![
                text("bureau", "Bureau concerné", true),
                long("demande", "Votre demande", true),
            ]
        },
    },
    DemoService {
        name: "Installation de la suite bureautique",
        category: "Suite bureautique",
        description: "Traitement de texte, tableur, présentation et messagerie.",
        keywords: "bureautique traitement de texte tableur excel word office installation",
        approval: &[],
        delay: (1, Days),
        team: Some("Support"),
        form: || {
            vec![
                text("poste", "Nom du poste", true),
                choice("version", "Version", true, &["Standard", "Professionnelle"]),
            ]
        },
    },
    DemoService {
        name: "Licence logicielle",
        category: "Suite bureautique",
        description: "Achat ou attribution d'une licence pour un logiciel payant.",
        keywords: "licence achat logiciel abonnement",
        approval: &[Manager],
        delay: (3, Days),
        team: Some("Support"),
        form: || {
            vec![
                text("logiciel", "Logiciel", true),
                number("licences", "Nombre de licences", true, 1.0, 50.0),
                file("devis", "Devis", &["pdf"], 10),
            ]
        },
    },
    DemoService {
        name: "Accès au logiciel de comptabilité",
        category: "Applications métier",
        description: "Ouverture d'un compte dans le logiciel de comptabilité.",
        keywords: "comptabilité compta finance logiciel accès",
        approval: &[Manager],
        delay: (2, Days),
        team: Some("Support"),
        form: || {
            vec![
                choice(
                    "profil",
                    "Profil",
                    true,
                    &["Consultation", "Saisie", "Validation"],
                ),
                long("motif", "Motif", false),
            ]
        },
    },
    DemoService {
        name: "Signaler une anomalie applicative",
        category: "Applications métier",
        description: "Une application métier ne fonctionne pas comme prévu.",
        keywords: "bug erreur anomalie plantage application incident",
        approval: &[],
        delay: (4, Hours),
        team: Some("Support"),
        form: || {
            vec![
                text("application", "Application", true),
                long("description", "Que s'est-il passé ?", true),
                file("capture", "Capture d'écran", &["png", "jpg", "jpeg"], 5),
            ]
        },
    },
    DemoService {
        name: "Création de VM",
        category: "Serveurs virtuels",
        description: "Une machine virtuelle sur l'infrastructure de l'organisation, sauvegardée et supervisée.",
        keywords: "vm machine virtuelle serveur virtualisation linux windows",
        approval: &[TeamLead],
        delay: (3, Days),
        team: Some("Infrastructure"),
        form: || {
            vec![
                help(
                    text("nom", "Nom de la machine", true),
                    "En minuscules, sans espace.",
                ),
                choice(
                    "systeme",
                    "Système",
                    true,
                    &["Debian 12", "Ubuntu 24.04", "Windows Server 2022"],
                ),
                number("vcpu", "Processeurs virtuels", true, 1.0, 16.0),
                number("memoire_go", "Mémoire (Go)", true, 1.0, 64.0),
                number("disque_go", "Disque (Go)", true, 10.0, 500.0),
                long("usage", "À quoi servira-t-elle ?", true),
                date("date_fin", "Date de fin d'utilisation", false, true),
            ]
        },
    },
    DemoService {
        name: "Extension d'espace de stockage",
        category: "Stockage",
        description: "Plus de place sur un partage réseau ou une machine virtuelle.",
        keywords: "stockage espace disque plein quota partage",
        approval: &[TeamLead],
        delay: (2, Days),
        team: Some("Infrastructure"),
        form: || {
            vec![
                text("partage", "Partage ou machine", true),
                number("volume_go", "Espace supplémentaire (Go)", true, 1.0, 2000.0),
                long("motif", "Motif", false),
            ]
        },
    },
    DemoService {
        name: "Restauration de fichiers",
        category: "Stockage",
        description: "Récupérer un fichier supprimé ou une version précédente depuis les sauvegardes.",
        keywords: "restauration sauvegarde fichier supprimé perdu backup récupérer",
        approval: &[],
        delay: (1, Days),
        team: Some("Infrastructure"),
        form: || {
            vec![
                text("chemin", "Chemin du fichier ou du dossier", true),
                date("date_version", "Version du", true, false),
                long("details", "Détails", false),
            ]
        },
    },
    DemoService {
        name: "Formation",
        category: "Formation",
        description: "Une formation aux outils informatiques, en groupe ou individuelle.",
        keywords: "formation apprendre cours tableur excel messagerie sécurité",
        approval: &[Manager],
        delay: (10, Days),
        team: Some("Support"),
        form: || {
            vec![
                choice(
                    "theme",
                    "Thème",
                    true,
                    &[
                        "Tableur (débutant)",
                        "Tableur (avancé)",
                        "Messagerie et agenda",
                        "Sécurité informatique",
                    ],
                ),
                date("date_souhaitee", "À partir du", false, true),
                choice("modalite", "Modalité", true, &["Présentiel", "À distance"]),
                long("commentaire", "Commentaire", false),
            ]
        },
    },
    DemoService {
        name: "Assistance informatique",
        category: "Assistance",
        description: "Pour tout autre problème ou question : un technicien vous répond.",
        keywords: "aide problème question assistance support dépannage",
        approval: &[],
        delay: (4, Hours),
        team: Some("Support"),
        form: || {
            vec![
                text("sujet", "Sujet", true),
                choice("urgence", "Urgence", true, &["Faible", "Normale", "Haute"]),
                long("description", "Description", true),
            ]
        },
    },
    DemoService {
        name: NEVER_REQUESTED,
        category: "Téléphonie",
        description: "Envoi de télécopies depuis le télécopieur du rez-de-chaussée.",
        keywords: "fax télécopie télécopieur",
        approval: &[],
        delay: (1, Days),
        team: Some("Support"),
        form: || vec![text("destinataire", "Numéro du destinataire", true)],
    },
];

/// A service nobody asks for any more: the demo's history never draws it, so the metrics
/// suggest retiring it.
pub(super) const NEVER_REQUESTED: &str = "Télécopie";

/// The names of the demo services, in catalog order.
#[cfg(test)]
pub(super) fn service_names() -> impl Iterator<Item = &'static str> {
    SERVICES.iter().map(|s| s.name)
}

impl Ops {
    /// Creates the demo categories and services; `admin` is the demo administrator.
    pub(super) async fn seed_demo_catalog(
        &self,
        admin: Admin,
        teams: &[(String, TeamId)],
        policies: &[(&str, u64)],
    ) -> Result<(), Error> {
        let mut ids: Vec<(&str, CategoryId)> = Vec::new();
        for (order, (name, icon, description, children)) in CATEGORIES.iter().enumerate() {
            let order = i32::try_from(order * 10 + 10).unwrap_or(0);
            let top = CategoryInput {
                name: (*name).into(),
                description: (*description).into(),
                parent_id: None,
                icon: (*icon).into(),
                order,
            };
            let top = self.create_category(admin, top).await?;
            for (child_order, (child, child_icon)) in children.iter().enumerate() {
                let input = CategoryInput {
                    name: (*child).into(),
                    description: String::new(),
                    parent_id: Some(top.id),
                    icon: (*child_icon).into(),
                    order: i32::try_from(child_order * 10 + 10).unwrap_or(0),
                };
                ids.push((child, self.create_category(admin, input).await?.id));
            }
        }
        for (order, demo) in SERVICES.iter().enumerate() {
            let category_id = ids
                .iter()
                .find(|(name, _)| *name == demo.category)
                .map(|(_, id)| *id)
                .ok_or_else(|| {
                    Error::Internal(format!("demo category {} missing", demo.category))
                })?;
            let input = ServiceInput {
                name: demo.name.into(),
                description: demo.description.into(),
                keywords: demo.keywords.into(),
                category_id,
                active: true,
                requires_approval: !demo.approval.is_empty(),
                approval_steps: demo.approval.to_vec(),
                estimated_delay: Some(Delay {
                    value: demo.delay.0,
                    unit: demo.delay.1,
                }),
                sla_policy_id: policies
                    .iter()
                    .find(|(name, _)| *name == demo.name)
                    .map(|(_, id)| *id),
                team_id: demo
                    .team
                    .and_then(|t| teams.iter().find(|(name, _)| name == t).map(|(_, id)| *id)),
                order: i32::try_from(order * 10 + 10).unwrap_or(0),
                show_usual_time: USUAL_TIME_SHOWN.contains(&demo.name),
                on_behalf: true,
            };
            self.create_service(admin, input, (demo.form)()).await?;
        }
        Ok(())
    }
}
