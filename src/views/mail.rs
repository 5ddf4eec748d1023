//! Mails as their recipients read them: a subject with the request number, a plain-text part
//! and an HTML part (maud, no images, no styles to load), in the recipient's language, with a
//! link back to the request.

use super::i18n::texts;
use crate::domain::notification::NoticeKind;
use crate::domain::{Locale, Timestamp};
use crate::ops::RequestRow;
use maud::{DOCTYPE, html};

/// A mail ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// What a notice mail says, gathered from the store when it is sent.
pub struct NoticeMail<'a> {
    pub locale: Locale,
    pub org_name: &'a str,
    pub base_url: &'a str,
    pub recipient: &'a str,
    pub kind: NoticeKind,
    pub number: &'a str,
    pub service: &'a str,
    pub status: crate::domain::request::Status,
    /// Who caused it, when someone did.
    pub by: Option<&'a str>,
    /// The words of the comment, question or decision it is about, when there are some.
    pub words: Option<&'a str>,
    /// The approver's signed links: approve, reject.
    pub actions: Option<(&'a str, &'a str)>,
}

struct MailTexts {
    digest_subject: &'static str,
    digest_open: &'static str,
    digest_to_approve: &'static str,
    digest_mine: &'static str,
    digest_approvals: &'static str,
    digest_late: &'static str,
    open_desk: &'static str,
    open_approvals: &'static str,
    hello: &'static str,
    request: &'static str,
    approve: &'static str,
    reject: &'static str,
    links_note: &'static str,
    status: &'static str,
    by: &'static str,
    open: &'static str,
    automatic: &'static str,
    test_subject: &'static str,
    reset_subject: &'static str,
    reset_body: &'static str,
    reset_note: &'static str,
    test_body: &'static str,
}

const FR: MailTexts = MailTexts {
    digest_subject: "Votre semaine",
    digest_open: "en cours",
    digest_to_approve: "à valider",
    digest_mine: "Vos demandes en cours, les plus urgentes d'abord",
    digest_approvals: "Validations qui vous attendent",
    digest_late: "en retard",
    open_desk: "Ouvrir la file IT",
    open_approvals: "Ouvrir les validations",
    hello: "Bonjour",
    request: "Demande",
    approve: "Valider",
    reject: "Refuser",
    links_note: "Chaque lien ouvre une page de confirmation ; il vaut 7 jours et une seule décision.",
    status: "Statut",
    by: "Par",
    open: "Voir la demande",
    automatic: "Message automatique : pour répondre, ouvrez la demande dans Guichet.",
    test_subject: "Courriel d'essai",
    reset_subject: "Choisir un nouveau mot de passe",
    reset_body: "Quelqu'un (vous, sans doute) a demandé à changer le mot de passe de votre compte. Ce lien permet d'en choisir un nouveau :",
    reset_note: "Le lien vaut une heure et une seule fois. Si vous n'avez rien demandé, ignorez ce message : votre mot de passe ne change pas.",
    test_body: "Ce courriel d'essai montre que Guichet peut envoyer du courrier par ce relais.",
};

const EN: MailTexts = MailTexts {
    digest_subject: "Your week",
    digest_open: "open",
    digest_to_approve: "to approve",
    digest_mine: "Your open requests, most urgent first",
    digest_approvals: "Approvals waiting for you",
    digest_late: "late",
    open_desk: "Open the IT desk",
    open_approvals: "Open the approvals",
    hello: "Hello",
    request: "Request",
    approve: "Approve",
    reject: "Reject",
    links_note: "Each link opens a confirmation page; it is valid for 7 days and one decision.",
    status: "Status",
    by: "By",
    open: "Open the request",
    automatic: "Automatic message: to answer, open the request in Guichet.",
    test_subject: "Test e-mail",
    reset_subject: "Choose a new password",
    reset_body: "Someone (you, most likely) asked to change your account's password. This link lets you choose a new one:",
    reset_note: "The link works once, for an hour. If you asked for nothing, ignore this message: your password stays as it is.",
    test_body: "This test e-mail shows that Guichet can send mail through this relay.",
};

fn mail_texts(locale: Locale) -> &'static MailTexts {
    match locale {
        Locale::Fr => &FR,
        Locale::En => &EN,
    }
}

/// The mail of one notification.
pub fn notice(m: &NoticeMail<'_>) -> Rendered {
    let t = texts(m.locale);
    let mt = mail_texts(m.locale);
    let colon = t.colon;
    let headline = t.notice(m.kind);
    let link = format!("{}/requests/{}", m.base_url, m.number);
    let subject = format!("[{}] {headline} · {}", m.number, m.service);
    let status = t.status(m.status);
    let mut text = format!("{} {},\n\n{headline}.\n\n", mt.hello, m.recipient);
    if let Some(words) = m.words {
        for line in words.lines() {
            text.push_str("> ");
            text.push_str(line);
            text.push('\n');
        }
        text.push('\n');
    }
    text.push_str(&format!(
        "{} · {}\n{}{colon}{status}\n",
        m.number, m.service, mt.status
    ));
    if let Some(by) = m.by {
        text.push_str(&format!("{}{colon}{by}\n", mt.by));
    }
    if let Some((approve, reject)) = m.actions {
        text.push_str(&format!(
            "\n{}{colon}{approve}\n{}{colon}{reject}\n{}\n",
            mt.approve, mt.reject, mt.links_note
        ));
    }
    text.push_str(&format!(
        "\n{}{colon}{link}\n\n-- \n{}\n{}\n",
        mt.open, m.org_name, mt.automatic
    ));
    let html = html! {
        (DOCTYPE)
        html lang=(m.locale.code()) {
            head { meta charset="utf-8"; title { (subject) } }
            body {
                p { (mt.hello) " " (m.recipient) "," }
                p { strong { (headline) "." } }
                @if let Some(words) = m.words {
                    blockquote { @for line in words.lines() { (line) br; } }
                }
                table role="presentation" {
                    tr { th scope="row" align="left" { (mt.request) } td { (m.number) " · " (m.service) } }
                    tr { th scope="row" align="left" { (mt.status) } td { (status) } }
                    @if let Some(by) = m.by {
                        tr { th scope="row" align="left" { (mt.by) } td { (by) } }
                    }
                }
                @if let Some((approve, reject)) = m.actions {
                    p {
                        a href=(approve) { strong { (mt.approve) } }
                        " · "
                        a href=(reject) { strong { (mt.reject) } }
                    }
                    p { small { (mt.links_note) } }
                }
                p { a href=(link) { (mt.open) } }
                hr;
                p { small { (m.org_name) " · " (mt.automatic) } }
            }
        }
    };
    Rendered {
        subject,
        text,
        html: html.into_string(),
    }
}

/// What a member of the IT team's weekly digest shows.
pub struct DigestMail<'a> {
    pub locale: Locale,
    pub org_name: &'a str,
    pub base_url: &'a str,
    pub recipient: &'a str,
    pub mine: &'a [RequestRow],
    pub approvals: &'a [RequestRow],
    pub now: Timestamp,
}

/// A row past its expected date or SLA deadline.
fn overdue(row: &RequestRow, now: Timestamp) -> bool {
    row.late || row.sla_due.is_some_and(|due| due < now)
}

/// The weekly digest: the recipient's open requests and the approvals waiting for them.
pub fn digest(d: &DigestMail<'_>) -> Rendered {
    let t = texts(d.locale);
    let mt = mail_texts(d.locale);
    let late = d.mine.iter().filter(|r| overdue(r, d.now)).count();
    let subject = format!(
        "{}{}{} {}, {} {}",
        mt.digest_subject,
        t.colon,
        d.mine.len(),
        mt.digest_open,
        d.approvals.len(),
        mt.digest_to_approve,
    );
    let line = |r: &RequestRow| {
        let mut text = format!(
            "{} · {} · {}",
            r.id.number(),
            r.service_name,
            t.status(r.status)
        );
        if overdue(r, d.now) {
            text.push_str(&format!(" ({})", mt.digest_late));
        }
        text
    };
    let (desk, approvals) = (
        format!("{}/desk", d.base_url),
        format!("{}/approvals", d.base_url),
    );
    let mut text = format!("{} {},\n", mt.hello, d.recipient);
    for (title, rows, link, open) in [
        (mt.digest_mine, d.mine, &desk, mt.open_desk),
        (
            mt.digest_approvals,
            d.approvals,
            &approvals,
            mt.open_approvals,
        ),
    ] {
        if rows.is_empty() {
            continue;
        }
        text.push_str(&format!("\n{title}{}{}\n", t.colon, rows.len()));
        for r in rows {
            text.push_str(&format!("- {}\n", line(r)));
        }
        text.push_str(&format!("{open}{}{link}\n", t.colon));
    }
    if late > 0 {
        text.push_str(&format!("\n{}{}{late}\n", mt.digest_late, t.colon));
    }
    text.push_str(&format!("\n-- \n{}\n{}\n", d.org_name, mt.automatic));
    let html = html! {
        (DOCTYPE)
        html lang=(d.locale.code()) {
            head { meta charset="utf-8"; title { (subject) } }
            body {
                p { (mt.hello) " " (d.recipient) "," }
                @for (title, rows, link, open) in [
                    (mt.digest_mine, d.mine, &desk, mt.open_desk),
                    (mt.digest_approvals, d.approvals, &approvals, mt.open_approvals),
                ] {
                    @if !rows.is_empty() {
                        h2 { (title) (t.colon) (rows.len()) }
                        ul {
                            @for r in rows {
                                li {
                                    a href={ (d.base_url) "/requests/" (r.id.number()) } { (r.id.number()) }
                                    " · " (r.service_name) " · " (t.status(r.status))
                                    @if overdue(r, d.now) { " " strong { "(" (mt.digest_late) ")" } }
                                }
                            }
                        }
                        p { a href=(link) { (open) } }
                    }
                }
                hr;
                p { small { (d.org_name) " · " (mt.automatic) } }
            }
        }
    };
    Rendered {
        subject,
        text,
        html: html.into_string(),
    }
}

/// The link to choose a new password.
pub fn password_reset(locale: Locale, org_name: &str, recipient: &str, link: &str) -> Rendered {
    let mt = mail_texts(locale);
    let subject = format!("{} · {org_name}", mt.reset_subject);
    let text = format!(
        "{} {recipient},\n\n{}\n\n{link}\n\n{}\n\n-- \n{org_name}\n",
        mt.hello, mt.reset_body, mt.reset_note
    );
    let html = html! {
        (DOCTYPE)
        html lang=(locale.code()) {
            head { meta charset="utf-8"; title { (subject) } }
            body {
                p { (mt.hello) " " (recipient) "," }
                p { (mt.reset_body) }
                p { a href=(link) { strong { (mt.reset_subject) } } }
                p { small { (mt.reset_note) } }
                hr;
                p { small { (org_name) } }
            }
        }
    };
    Rendered {
        subject,
        text,
        html: html.into_string(),
    }
}

/// The test mail an admin sends from the outbox page.
pub fn test(locale: Locale, org_name: &str, base_url: &str) -> Rendered {
    let mt = mail_texts(locale);
    let subject = format!("{} · {org_name}", mt.test_subject);
    let text = format!("{}\n\n{base_url}\n", mt.test_body);
    let html = html! {
        (DOCTYPE)
        html lang=(locale.code()) {
            head { meta charset="utf-8"; title { (subject) } }
            body { p { (mt.test_body) } p { a href=(base_url) { (base_url) } } }
        }
    };
    Rendered {
        subject,
        text,
        html: html.into_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::request::Status;

    fn mail(locale: Locale, words: Option<&str>) -> Rendered {
        notice(&NoticeMail {
            locale,
            org_name: "Mairie de Test",
            base_url: "https://it.example.org",
            recipient: "Alice Durand",
            kind: NoticeKind::Comment,
            number: "REQ-000042",
            service: "Accès VPN",
            status: Status::InProgress,
            by: Some("Tom <Bernard>"),
            words,
            actions: None,
        })
    }

    #[test]
    fn a_notice_names_the_request_in_its_subject_and_links_to_it_in_both_parts() {
        let fr = mail(Locale::Fr, Some("Quel poste ?\nMerci"));
        assert_eq!(fr.subject, "[REQ-000042] Nouveau commentaire · Accès VPN");
        assert!(fr.text.contains("Bonjour Alice Durand,"));
        assert!(fr.text.contains("> Quel poste ?\n> Merci\n"));
        assert!(
            fr.text
                .contains("https://it.example.org/requests/REQ-000042")
        );
        assert!(
            fr.html
                .contains("href=\"https://it.example.org/requests/REQ-000042\"")
        );
        // Text is escaped in the HTML part, never markup.
        assert!(fr.html.contains("Tom &lt;Bernard&gt;") && !fr.html.contains("<Bernard>"));
        assert!(!fr.html.contains("<img"));
        let en = mail(Locale::En, None);
        assert!(
            en.subject.starts_with("[REQ-000042] New comment"),
            "{}",
            en.subject
        );
        assert!(en.text.starts_with("Hello Alice Durand,") && en.html.contains("lang=\"en\""));
    }
}
