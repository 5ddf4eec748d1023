//! Administration pages: only admins reach them; users and teams are managed through forms.

use crate::support::{TestApp, location};
use reqwest::StatusCode;

const ADMIN_PAGES: &[&str] = &[
    "/admin",
    "/admin/users",
    "/admin/users/new",
    "/admin/users/1",
    "/admin/teams",
    "/admin/teams/new",
    "/admin/teams/1",
    "/admin/backup",
    "/admin/backup/download",
    "/admin/sla",
    "/admin/sla/policies/new",
    "/admin/sla/policies/1",
    "/admin/sla/calendars/new",
    "/admin/sla/calendars/1",
];

const ADMIN_FORMS: &[&str] = &[
    "/admin/sla/policies",
    "/admin/sla/policies/1",
    "/admin/sla/policies/1/delete",
    "/admin/sla/calendars",
    "/admin/sla/calendars/1",
    "/admin/sla/calendars/1/delete",
    "/admin/sla/default-calendar",
    "/admin/users",
    "/admin/users/1",
    "/admin/users/1/password",
    "/admin/teams",
    "/admin/teams/1",
];

#[tokio::test]
async fn only_admins_reach_the_administration() {
    let app = TestApp::spawn().await;
    for user in ["alice", "bob", "tom", "lea"] {
        let browser = app.signed_in(user).await;
        for page in ADMIN_PAGES {
            let response = browser.get(page).await;
            assert_eq!(response.status(), StatusCode::FORBIDDEN, "{user} on {page}");
            assert!(
                response
                    .text()
                    .await
                    .expect("body")
                    .contains("Accès refusé")
            );
        }
        // Forms are refused too, even with a valid form token.
        let (_, html) = browser.get_text("/account").await;
        let token = crate::support::csrf_of(&html).expect("token");
        for form in ADMIN_FORMS {
            let response = browser
                .post_raw(
                    form,
                    &[
                        ("_csrf", &token),
                        ("username", "mallory"),
                        ("display_name", "M"),
                        ("role", "admin"),
                        ("name", "X"),
                    ],
                )
                .await;
            assert_eq!(
                response.status(),
                StatusCode::FORBIDDEN,
                "{user} posting {form}"
            );
        }
        // The header offers no administration link to them.
        assert!(!html.contains("href=\"/admin\""));
    }
    let admin = app.signed_in("admin").await;
    let (status, html) = admin.get_text("/admin/users").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Alice Durand") && html.contains("href=\"/admin\""));
    assert!(!html.contains("mallory"), "refused forms changed nothing");
    let (_, html) = admin.get_text("/admin/sla").await;
    assert!(html.contains("Critique") && html.contains("Heures de bureau"));
    assert!(
        !html.contains(">X<"),
        "no policy or calendar named X was made"
    );
}

#[tokio::test]
async fn an_admin_creates_a_user_who_must_change_the_temporary_password() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin").await;
    let response = admin
        .submit(
            "/admin/users/new",
            "/admin/users",
            &[
                ("username", "Zoe"),
                ("display_name", "Zoé Lambert"),
                ("email", "zoe@example.org"),
                ("role", "technician"),
                ("manager_id", "2"),
                ("locale", "en"),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.expect("body");
    assert!(html.contains("Mot de passe provisoire"));
    let start = html.find("class=\"secret\">").expect("password shown") + "class=\"secret\">".len();
    let password = &html[start..start + 16];

    let zoe = app.browser();
    let response = zoe.login("zoe", password).await;
    assert_eq!(location(&response), "/account/password");
    let response = zoe
        .submit(
            "/account/password",
            "/account/password",
            &[("current", password), ("new", "zoe's own secret")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, html) = zoe.get_text("/account").await;
    assert!(
        html.contains("Zoé Lambert") && html.contains("Technician"),
        "English, as set"
    );
}

#[tokio::test]
async fn invalid_user_forms_come_back_with_messages_and_values() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin").await;
    let response = admin
        .submit(
            "/admin/users/new",
            "/admin/users",
            &[
                ("username", "ALICE"),
                ("display_name", "Another Alice"),
                ("email", "not-an-email"),
                ("role", "requester"),
                ("locale", "fr"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.expect("body");
    assert!(html.contains("Le formulaire contient des erreurs"));
    assert!(html.contains("Adresse e-mail invalide."));
    assert!(html.contains("value=\"Another Alice\""), "input kept");
    // The password is checked first; fixing it reveals the taken username.
    let response = admin
        .submit(
            "/admin/users/new",
            "/admin/users",
            &[
                ("username", "ALICE"),
                ("display_name", "Another Alice"),
                ("role", "requester"),
                ("locale", "fr"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response
            .text()
            .await
            .expect("body")
            .contains("Déjà utilisé.")
    );
    let (_, list) = admin.get_text("/admin/users").await;
    assert!(!list.contains("Another Alice"));
}

#[tokio::test]
async fn manager_loops_and_losing_the_last_admin_are_refused() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin").await;
    // bob (2) manages alice (3); making alice bob's manager would be a loop.
    let response = admin
        .submit(
            "/admin/users/2",
            "/admin/users/2",
            &[
                ("username", "bob"),
                ("display_name", "Bob Martin"),
                ("role", "requester"),
                ("manager_id", "3"),
                ("locale", "fr"),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response
            .text()
            .await
            .expect("body")
            .contains("Créerait une boucle de responsables.")
    );

    let response = admin
        .submit(
            "/admin/users/1",
            "/admin/users/1",
            &[
                ("username", "admin"),
                ("display_name", "Camille Admin"),
                ("role", "requester"),
                ("locale", "fr"),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response
            .text()
            .await
            .expect("body")
            .contains("dernier administrateur actif")
    );
    let response = admin
        .submit(
            "/admin/users/1",
            "/admin/users/1",
            &[
                ("username", "admin"),
                ("display_name", "Camille Admin"),
                ("role", "admin"),
                ("locale", "fr"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response
            .text()
            .await
            .expect("body")
            .contains("vous désactiver vous-même")
    );
}

#[tokio::test]
async fn a_deactivated_user_is_signed_out_and_cannot_sign_in() {
    let app = TestApp::spawn().await;
    let alice = app.signed_in("alice").await;
    let alice_api = app.api_as("alice").await;
    let admin = app.signed_in("admin").await;
    let response = admin
        .submit(
            "/admin/users/3",
            "/admin/users/3",
            &[
                ("username", "alice"),
                ("display_name", "Alice Durand"),
                ("role", "requester"),
                ("manager_id", "2"),
                ("locale", "fr"),
            ],
        )
        .await;
    assert_eq!(location(&response), "/admin/users/3?done=saved");
    let (_, html) = admin.get_text("/admin/users").await;
    assert!(html.contains("Désactivé"));

    assert_eq!(alice.get("/account").await.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        alice_api.get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let response = app.browser().login("alice", "demo").await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(
        response
            .text()
            .await
            .expect("body")
            .contains("Ce compte est désactivé")
    );
}

#[tokio::test]
async fn an_admin_resets_a_password_and_ends_the_sessions() {
    let app = TestApp::spawn().await;
    let bob = app.signed_in("bob").await;
    let admin = app.signed_in("admin").await;
    let response = admin
        .submit("/admin/users/2", "/admin/users/2/password", &[])
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.expect("body");
    let start = html.find("class=\"secret\">").expect("password shown") + "class=\"secret\">".len();
    let password = html[start..start + 16].to_owned();
    assert_eq!(bob.get("/").await.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.browser().login("bob", "demo").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let response = app.browser().login("bob", &password).await;
    assert_eq!(location(&response), "/account/password");
}

#[tokio::test]
async fn teams_are_created_and_edited_through_forms() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin").await;
    let (_, html) = admin.get_text("/admin/teams").await;
    assert!(
        html.contains("Support") && html.contains("Infrastructure") && html.contains("Léa Petit")
    );

    let response = admin
        .submit(
            "/admin/teams/new",
            "/admin/teams",
            &[("name", "Réseau"), ("lead_id", "4"), ("member_ids", "5")],
        )
        .await;
    assert_eq!(location(&response), "/admin/teams");
    let (_, html) = admin.get_text("/admin/teams/3").await;
    assert!(html.contains("value=\"Réseau\""));
    assert!(
        html.contains("value=\"4\" checked") && html.contains("value=\"5\" checked"),
        "lead made a member"
    );

    let response = admin
        .submit(
            "/admin/teams/3",
            "/admin/teams/3",
            &[("name", "support"), ("lead_id", "")],
        )
        .await;
    assert_eq!(
        response.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "names are unique, whatever the case"
    );
    assert!(
        response
            .text()
            .await
            .expect("body")
            .contains("Déjà utilisé.")
    );
    let response = admin
        .submit(
            "/admin/teams/3",
            "/admin/teams/3",
            &[
                ("name", "Réseau et sécurité"),
                ("lead_id", ""),
                ("member_ids", "4"),
            ],
        )
        .await;
    assert_eq!(location(&response), "/admin/teams");
    let (_, html) = admin.get_text("/admin/teams").await;
    assert!(html.contains("Réseau et sécurité"));
    assert_eq!(
        admin.get("/admin/teams/99").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        admin.get("/admin/users/abc").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn admins_download_a_working_backup_while_the_server_runs() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin").await;
    let (status, page) = admin.get_text("/admin/backup").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Aucune sauvegarde n’a encore été faite."),
        "{page}"
    );
    assert!(page.contains("href=\"/admin/backup/download\""));
    assert!(page.contains("guichet restore --from"));

    let response = admin.get("/admin/backup/download").await;
    assert_eq!(response.status(), StatusCode::OK);
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .expect("text")
        .to_owned();
    assert!(
        disposition.starts_with("attachment; filename=\"guichet-")
            && disposition.ends_with(".redb")
    );
    let length: u64 = response.headers()["content-length"]
        .to_str()
        .expect("text")
        .parse()
        .expect("number");
    let bytes = response.bytes().await.expect("body");
    assert_eq!(bytes.len() as u64, length);
    let dir = tempfile::tempdir().expect("tempdir");
    let copy = dir.path().join("guichet.redb");
    std::fs::write(&copy, &bytes).expect("write");
    let report = guichet::storage::check(&copy).expect("the backup is an intact store");
    assert_eq!(report.entries("users"), 5);
    assert!(report.entries("requests") > 300);
    assert_eq!(
        report.entries("sessions"),
        0,
        "sign-ins are not in the backup"
    );
    // No temporary copy is left next to the live store.
    let leftovers = std::fs::read_dir(app.data.path())
        .expect("data dir")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(".backup-"))
        .count();
    assert_eq!(leftovers, 0);
    let (_, page) = admin.get_text("/admin/backup").await;
    assert!(page.contains("Dernière sauvegarde :"), "{page}");

    let api = app.api_as("admin").await;
    let response = api.get("/api/v1/backup").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.bytes().await.expect("body").len() > 4096);
    for user in ["alice", "tom"] {
        for path in ["/admin/backup", "/admin/backup/download"] {
            assert_eq!(
                app.signed_in(user).await.get(path).await.status(),
                StatusCode::FORBIDDEN
            );
        }
        assert_eq!(
            app.api_as(user).await.get("/api/v1/backup").await.status(),
            StatusCode::FORBIDDEN
        );
    }
    assert_eq!(
        app.api(None).get("/api/v1/backup").await.status(),
        StatusCode::UNAUTHORIZED
    );
}
