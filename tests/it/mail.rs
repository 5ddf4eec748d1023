//! Mail through a real SMTP conversation with a sink on loopback: every notification goes out
//! by mail in its recipient's language, threaded by request; the request path never waits for
//! the relay; a relay that is down is retried with back-off, with no mail lost or sent twice
//! across a restart; a refused mail is given up, shown to admins with the relay's answer, and
//! can be tried again; admins send a test mail; nobody else sees the outbox.

use crate::requests::{BROKEN_PC, VPN, service_id, submit, vpn_data};
use crate::support::smtp::{Answer, SmtpSink};
use crate::support::{Api, Browser, TestApp};
use guichet::config::{Config, Smtp, SmtpTls};
use reqwest::StatusCode;
use serde_json::json;
use std::net::SocketAddr;

pub const BASE: &str = "https://it.example.org";
const PENDING_BADGE: &str = "<span class=\"badge\">En attente";

fn with_mail(relay: SocketAddr) -> impl Fn(&mut Config) {
    move |c| {
        c.base_url = Some(BASE.into());
        c.smtp = Some(Smtp {
            host: "127.0.0.1".into(),
            port: relay.port(),
            tls: SmtpTls::None,
            username: None,
            password: None,
            from: "Guichet <guichet@example.org>".into(),
            ca_file: None,
            give_up_hours: 2,
        });
    }
}

/// The app with mail through `relay`, after the scheduler's first look (which starts the
/// jobs' schedules).
pub async fn mail_app(relay: SocketAddr) -> TestApp {
    let app = TestApp::spawn_configured(with_mail(relay)).await;
    app.ops()
        .run_due(app.ops().now())
        .await
        .expect("first look");
    app
}

/// Runs the scheduler a minute later (the `outbox` job runs every minute).
async fn a_minute_later(app: &TestApp) {
    app.clock.advance(60);
    let ran = app.ops().run_due(app.ops().now()).await.expect("jobs run");
    assert!(ran.iter().all(|(_, outcome)| outcome.is_ok()), "{ran:?}");
}

/// Posts the outbox page's test-mail form.
async fn test_mail(admin: &Browser, to: &str) -> reqwest::Response {
    admin
        .submit("/admin/outbox", "/admin/outbox/test", &[("to", to)])
        .await
}

fn header(m: &mail_parser::Message<'_>, name: &str) -> String {
    m.header_raw(name).unwrap_or_default().trim().to_owned()
}

#[tokio::test]
async fn each_notification_is_mailed_in_its_recipients_language_and_threaded_by_request() {
    let sink = SmtpSink::start().await;
    let app = mail_app(sink.addr).await;
    let admin = app.api_as("admin").await;
    // Bob reads English; Alice keeps the default, French.
    let response = admin.put("/api/v1/users/2", &json!({"locale": "en"})).await;
    assert_eq!(response.status(), StatusCode::OK);
    let alice = app.api_as("alice").await;
    let vpn = service_id(&alice, VPN).await;
    let created = submit(&alice, vpn, vpn_data()).await;
    let (id, number) = (
        created["id"].as_u64().expect("id"),
        created["number"].as_str().expect("number").to_owned(),
    );
    assert!(
        sink.received().is_empty(),
        "queued, not sent on the request's path"
    );

    a_minute_later(&app).await;
    let got = sink.received();
    assert_eq!(got.len(), 2, "{got:?}");
    let to = |address: &str| {
        got.iter()
            .find(|m| m.to == [address])
            .unwrap_or_else(|| panic!("a mail to {address}: {got:?}"))
    };
    let confirmation = to("alice@demo.guichet.test").parsed();
    assert_eq!(
        confirmation.subject(),
        Some(format!("[{number}] Votre demande a été enregistrée · Accès VPN").as_str())
    );
    let text = confirmation.body_text(0).expect("text part");
    assert!(text.contains("Bonjour Alice Durand"), "{text}");
    let link = format!("{BASE}/requests/{number}");
    assert!(text.contains(&link), "{text}");
    let html = confirmation.body_html(0).expect("html part");
    assert!(html.contains(&format!("href=\"{link}\"")), "{html}");
    assert_eq!(header(&confirmation, "Auto-Submitted"), "auto-generated");
    let thread = format!("<req-{id}@it.example.org>");
    assert_eq!(header(&confirmation, "In-Reply-To"), thread);
    assert_eq!(header(&confirmation, "References"), thread);
    assert!(header(&confirmation, "From").contains("guichet@example.org"));

    let approval = to("bob@demo.guichet.test").parsed();
    assert_eq!(
        approval.subject(),
        Some(format!("[{number}] Your approval is needed · Accès VPN").as_str()),
        "in Bob's language"
    );
    assert!(
        approval
            .body_text(0)
            .expect("text")
            .starts_with("Hello Bob Martin")
    );

    // Bob approves: Alice hears of it in the same conversation, quoting nothing.
    let bob = app.api_as("bob").await;
    let response = bob
        .post(&format!("/api/v1/requests/{id}/approve"), &json!({}))
        .await;
    assert!(response.status().is_success(), "{}", response.status());
    a_minute_later(&app).await;
    let got = sink.received();
    let approved = got[2..]
        .iter()
        .find(|m| m.to == ["alice@demo.guichet.test"])
        .expect("a mail to Alice")
        .parsed();
    assert!(
        approved
            .subject()
            .is_some_and(|s| s.contains("Votre demande a été validée"))
    );
    assert_eq!(header(&approved, "References"), thread);
    assert_ne!(approved.message_id(), confirmation.message_id());

    // Nothing is sent twice: the next run finds nothing due.
    a_minute_later(&app).await;
    assert_eq!(sink.received().len(), got.len());
}

#[tokio::test]
async fn a_relay_that_was_down_gets_every_mail_once_even_across_a_restart() {
    let relay = SmtpSink::start().await.stop().await;
    let mut app = mail_app(relay).await;
    let alice = app.api_as("alice").await;
    let vpn = service_id(&alice, VPN).await;
    let number = submit(&alice, vpn, vpn_data()).await["number"]
        .as_str()
        .expect("number")
        .to_owned();
    a_minute_later(&app).await;
    let admin = app.signed_in("admin").await;
    let (_, html) = admin.get_text("/admin/outbox").await;
    assert!(
        html.contains(&number) && html.contains(PENDING_BADGE),
        "{html}"
    );
    assert!(html.contains("prochain essai"), "the next attempt is shown");

    // The server stops in the middle of its retries and starts again; then the relay is back.
    app.shutdown().await;
    let app = TestApp::restart_on(app.data.clone(), with_mail(relay)).await;
    let sink = SmtpSink::start_on(relay).await;
    for _ in 0..5 {
        a_minute_later(&app).await;
    }
    let got = sink.received();
    assert_eq!(got.len(), 2, "each mail once: {got:?}");
    let mut addresses: Vec<&str> = got.iter().map(|m| m.to[0].as_str()).collect();
    addresses.sort_unstable();
    assert_eq!(
        addresses,
        ["alice@demo.guichet.test", "bob@demo.guichet.test"]
    );
    let admin = app.signed_in("admin").await;
    let (_, html) = admin.get_text("/admin/outbox").await;
    assert!(
        html.contains("Envoyé") && !html.contains(PENDING_BADGE),
        "{html}"
    );
}

#[tokio::test]
async fn a_refused_mail_is_given_up_shown_with_the_relays_answer_and_tried_again() {
    let sink = SmtpSink::start().await;
    sink.answer(Answer::Never);
    // Seeded with mail on (another time zone seeds the demo afresh): its two years of history
    // queue no mail.
    let app = TestApp::spawn_configured(|c| {
        with_mail(sink.addr)(c);
        c.time_zone = Some("Europe/Paris".into());
    })
    .await;
    app.ops()
        .run_due(app.ops().now())
        .await
        .expect("first look");
    let admin = app.signed_in("admin").await;
    let (status, html) = admin.get_text("/admin/outbox").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("127.0.0.1:") && html.contains("Aucun courriel"),
        "{html}"
    );

    // A test mail, refused for good by the relay: failed at the first attempt.
    let response = test_mail(&admin, "camille@example.org").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    a_minute_later(&app).await;
    let (_, html) = admin.get_text("/admin/outbox").await;
    assert!(
        html.contains("Échec") && html.contains("no such mailbox"),
        "{html}"
    );
    assert!(sink.received().is_empty());

    // Tried again once the relay accepts it.
    sink.answer(Answer::Accept);
    let retry = html
        .split("action=\"/admin/outbox/")
        .filter_map(|rest| rest.split('"').next())
        .find(|action| action.ends_with("/retry"))
        .expect("a retry button");
    let response = admin
        .submit("/admin/outbox", &format!("/admin/outbox/{retry}"), &[])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    a_minute_later(&app).await;
    let got = sink.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].to, ["camille@example.org"]);
    assert!(
        got[0]
            .parsed()
            .subject()
            .is_some_and(|s| s.contains("Courriel d'essai"))
    );

    // A relay that answers "later" keeps the mail pending with its answer, then gives up
    // after `give_up_hours`.
    sink.answer(Answer::Later);
    test_mail(&admin, "camille@example.org").await;
    a_minute_later(&app).await;
    let (_, html) = admin.get_text("/admin/outbox").await;
    assert!(
        html.contains("try again later") && html.contains(PENDING_BADGE),
        "{html}"
    );
    for _ in 0..130 {
        a_minute_later(&app).await;
    }
    let (_, html) = app.signed_in("admin").await.get_text("/admin/outbox").await;
    assert!(
        !html.contains(PENDING_BADGE),
        "given up after two hours: {html}"
    );
    assert_eq!(sink.received().len(), 1);

    // A bad address is refused on the form, with what was typed.
    let admin = app.signed_in("admin").await;
    let response = test_mail(&admin, "not an address").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response
            .text()
            .await
            .expect("body")
            .contains("not an address")
    );
}

#[tokio::test]
async fn the_outbox_is_for_admins_and_says_when_mail_is_off() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin").await;
    let (status, html) = admin.get_text("/admin/outbox").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("aucun relais [smtp]") && !html.contains("name=\"to\""),
        "{html}"
    );
    let response = test_mail(&admin, "camille@example.org").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    for who in ["alice", "tom"] {
        let browser = app.signed_in(who).await;
        for path in [
            "/admin/outbox",
            "/admin/outbox/1/retry",
            "/admin/outbox/test",
            "/admin/outbox/release",
        ] {
            let response = if path == "/admin/outbox" {
                browser.get(path).await
            } else {
                browser.submit("/", path, &[("to", "x@example.org")]).await
            };
            assert!(
                matches!(
                    response.status(),
                    StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
                ),
                "{who} {path}: {}",
                response.status()
            );
        }
    }
}

#[tokio::test]
async fn the_it_team_gets_a_weekly_digest_of_its_requests_and_approvals() {
    let sink = SmtpSink::start().await;
    let app = mail_app(sink.addr).await;
    let alice = app.api_as("alice").await;
    let pc = service_id(&alice, BROKEN_PC).await;
    let created = submit(
        &alice,
        pc,
        json!({"inventaire": "PC-7", "panne": "Écran noir"}),
    )
    .await;
    let (id, number) = (
        created["id"].as_u64().expect("id"),
        created["number"].as_str().expect("number").to_owned(),
    );
    // The admin takes it: until now nothing was assigned to them.
    let admin = app.api_as("admin").await;
    let response = admin
        .post(&format!("/api/v1/requests/{id}/take"), &json!({}))
        .await;
    assert!(response.status().is_success(), "{}", response.status());

    // Monday morning (the tests start on a Saturday at 09:00 UTC): the digests are queued,
    // then sent.
    app.clock.advance(2 * 86_400);
    app.ops().run_due(app.ops().now()).await.expect("jobs run");
    a_minute_later(&app).await;
    let digests: Vec<_> = sink
        .received()
        .into_iter()
        .filter(|m| {
            m.parsed()
                .subject()
                .is_some_and(|s| s.starts_with("Votre semaine"))
        })
        .collect();
    let to: Vec<&str> = digests.iter().map(|m| m.to[0].as_str()).collect();
    assert!(
        to.contains(&"admin@demo.guichet.test") && to.contains(&"tom@demo.guichet.test"),
        "{to:?}"
    );
    assert!(
        !to.iter()
            .any(|t| t.starts_with("alice") || t.starts_with("bob")),
        "staff only: {to:?}"
    );
    let mail = digests
        .iter()
        .find(|m| m.to == ["admin@demo.guichet.test"])
        .expect("the admin's digest");
    let parsed = mail.parsed();
    assert!(
        parsed
            .subject()
            .is_some_and(|s| s.starts_with("Votre semaine\u{a0}: 1 en cours, 0 à valider")),
        "{:?}",
        parsed.subject()
    );
    let text = parsed.body_text(0).expect("text");
    assert!(
        text.contains(&format!("- {number} · Remplacement d'un poste en panne")),
        "{text}"
    );
    assert!(text.contains(&format!("{BASE}/desk")), "{text}");

    // Once a week: the next runs queue no other digest.
    let before = sink.received().len();
    a_minute_later(&app).await;
    a_minute_later(&app).await;
    let after: Vec<_> = sink.received()[before..]
        .iter()
        .filter(|m| {
            m.parsed()
                .subject()
                .is_some_and(|s| s.starts_with("Votre semaine"))
        })
        .map(|m| m.to.clone())
        .collect();
    assert!(after.is_empty(), "{after:?}");
}

#[tokio::test]
async fn a_restored_store_sends_nothing_until_an_admin_resumes_sending() {
    let sink = SmtpSink::start().await;
    let mut app = mail_app(sink.addr).await;
    app.shutdown().await;
    // A backup restored in place, with the server stopped.
    let backup = app.data.path().join("copy.redb");
    let backup_arg = backup.to_str().expect("utf-8");
    let out = crate::cli::guichet(app.data.path(), &["backup", "--to", backup_arg], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = crate::cli::guichet(app.data.path(), &["restore", "--from", backup_arg], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let app = TestApp::restart_on(app.data.clone(), with_mail(sink.addr)).await;
    app.ops()
        .run_due(app.ops().now())
        .await
        .expect("first look");
    let alice = app.api_as("alice").await;
    let vpn = service_id(&alice, VPN).await;
    submit(&alice, vpn, vpn_data()).await;
    a_minute_later(&app).await;
    a_minute_later(&app).await;
    assert!(sink.received().is_empty(), "held after the restore");
    let admin = app.signed_in("admin").await;
    let (_, html) = admin.get_text("/admin/outbox").await;
    assert!(html.contains("Cette base a été restaurée"), "{html}");

    let response = admin
        .submit("/admin/outbox", "/admin/outbox/release", &[])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    a_minute_later(&app).await;
    assert_eq!(sink.received().len(), 2, "sent once resumed");
    let (_, html) = admin.get_text("/admin/outbox").await;
    assert!(!html.contains("Cette base a été restaurée"), "{html}");
}

#[tokio::test]
async fn each_user_chooses_which_notifications_come_by_mail_over_the_admins_defaults() {
    let sink = SmtpSink::start().await;
    let app = mail_app(sink.addr).await;
    let all = [
        "submitted",
        "approval_needed",
        "in_queue",
        "approved",
        "rejected",
        "taken",
        "assigned",
        "completed",
        "comment",
        "waiting_for_you",
        "escalation",
        "reminder",
        "closed_unanswered",
    ];
    let ticks = |except: &str| -> Vec<(&str, &str)> {
        all.iter()
            .filter(|k| **k != except)
            .map(|k| ("mail", *k))
            .collect()
    };
    // By default nobody gets "taken" by mail.
    let admin = app.signed_in("admin").await;
    let response = admin
        .submit("/admin/outbox", "/admin/outbox/defaults", &ticks("taken"))
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    // Alice chooses her own: everything but the confirmation of her submissions.
    let alice_web = app.signed_in("alice").await;
    let (_, html) = alice_web.get_text("/account").await;
    assert!(html.contains("Réglages par défaut"), "{html}");
    assert!(
        !html.contains("value=\"taken\" checked"),
        "the default shows: {html}"
    );
    let response = alice_web
        .submit("/account", "/account/mail", &ticks("submitted"))
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, html) = alice_web.get_text("/account").await;
    assert!(
        html.contains("value=\"taken\" checked") && !html.contains("value=\"submitted\" checked")
    );
    assert!(
        !html.contains("value=\"in_queue\""),
        "a requester is not offered the IT team's kinds"
    );

    // Alice and Bob each file a request that Tom takes.
    let tom = app.api_as("tom").await;
    for who in ["alice", "bob"] {
        let api = app.api_as(who).await;
        let pc = service_id(&api, BROKEN_PC).await;
        let id = submit(&api, pc, json!({"inventaire": "PC-9", "panne": "Bruit"})).await["id"]
            .as_u64()
            .expect("id");
        let response = tom
            .post(&format!("/api/v1/requests/{id}/take"), &json!({}))
            .await;
        assert!(response.status().is_success());
    }
    a_minute_later(&app).await;
    let got: Vec<(String, String)> = sink
        .received()
        .iter()
        .map(|m| {
            (
                m.to[0].clone(),
                m.parsed().subject().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let to = |who: &str, what: &str| {
        got.iter()
            .any(|(t, s)| t.starts_with(who) && s.contains(what))
    };
    assert!(
        !to("alice", "enregistrée"),
        "Alice turned confirmations off: {got:?}"
    );
    assert!(
        to("alice", "prise en charge"),
        "her own choice keeps 'taken': {got:?}"
    );
    assert!(to("bob", "enregistrée"), "Bob keeps the defaults: {got:?}");
    assert!(
        !to("bob", "prise en charge"),
        "which leave 'taken' out: {got:?}"
    );
    assert!(to("tom", "attend dans la file"), "{got:?}");
    // The inbox still has everything.
    let (_, inbox) = Api::json(app.api_as("bob").await.get("/api/v1/notifications").await).await;
    assert!(inbox.to_string().contains("taken"), "{inbox}");
}

/// The path (under `prefix`, such as `/approve/`) of the link in the last mail sent to `to`.
pub fn mailed_link(sink: &SmtpSink, to: &str, prefix: &str) -> String {
    let mails = sink.received();
    let mail = mails.iter().rev().find(|m| m.to == [to]).expect("a mail");
    let text = mail.parsed().body_text(0).expect("text").into_owned();
    text.split_whitespace()
        .find(|w| w.starts_with(&format!("{BASE}{prefix}")))
        .unwrap_or_else(|| panic!("a {prefix} link in {text}"))
        .trim_start_matches(BASE)
        .to_owned()
}

#[tokio::test]
async fn a_forgotten_password_is_reset_once_from_a_mailed_link() {
    let sink = SmtpSink::start().await;
    let app = mail_app(sink.addr).await;
    let visitor = app.browser();
    let (_, login) = visitor.get_text("/login").await;
    assert!(
        login.contains("href=\"/password/forgot\""),
        "offered when mail is on"
    );

    // The same answer whether the account exists or not; only Alice gets a mail.
    for who in ["nobody", "alice@demo.guichet.test"] {
        let response = visitor
            .submit("/password/forgot", "/password/forgot", &[("who", who)])
            .await;
        assert_eq!(response.status(), StatusCode::OK, "{who}");
        assert!(
            response
                .text()
                .await
                .expect("body")
                .contains("Si un compte correspond")
        );
    }
    a_minute_later(&app).await;
    let got = sink.received();
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(
        got[0]
            .parsed()
            .subject()
            .is_some_and(|s| s.starts_with("Choisir un nouveau mot de passe"))
    );
    let link = mailed_link(&sink, "alice@demo.guichet.test", "/password/reset/");

    // Following the link changes nothing; a weak password is refused.
    let alice = app.api_as("alice").await;
    let (status, html) = visitor.get_text(&link).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("name=\"password\""), "{html}");
    let response = visitor.submit(&link, &link, &[("password", "court")]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(alice.get("/api/v1/me").await.status(), StatusCode::OK);

    // The new password works, and every other sign-in of Alice ends.
    let new = "une phrase de passe toute neuve";
    let response = visitor.submit(&link, &link, &[("password", new)]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        alice.get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.browser().login("alice", "demo").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.browser().login("alice", new).await.status(),
        StatusCode::SEE_OTHER
    );

    // Used once; and a link asked for more than an hour ago has expired.
    let (status, html) = visitor.get_text(&link).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(html.contains("déjà servi"), "{html}");
    visitor
        .submit("/password/forgot", "/password/forgot", &[("who", "alice")])
        .await;
    a_minute_later(&app).await;
    let second = mailed_link(&sink, "alice@demo.guichet.test", "/password/reset/");
    assert_ne!(second, link);
    app.clock.advance(3600);
    let (status, html) = visitor.get_text(&second).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(html.contains("expiré"), "{html}");

    // Asking again and again is throttled.
    let mut throttled = false;
    for _ in 0..20 {
        let response = visitor
            .submit("/password/forgot", "/password/forgot", &[("who", "bob")])
            .await;
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            throttled = true;
            break;
        }
    }
    assert!(throttled);
}

#[tokio::test]
async fn without_mail_there_is_no_forgotten_password_page() {
    let app = TestApp::spawn().await;
    let visitor = app.browser();
    let (_, login) = visitor.get_text("/login").await;
    assert!(!login.contains("/password/forgot"));
    assert_eq!(
        visitor.get("/password/forgot").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        visitor.get("/password/reset/00").await.status(),
        StatusCode::NOT_FOUND
    );
}
