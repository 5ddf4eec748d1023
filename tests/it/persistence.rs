//! What is acknowledged stays: across a restart of the server on the same data directory.

use crate::support::{Api, TestApp};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn users_teams_and_sessions_survive_a_restart() {
    let app = TestApp::spawn().await;
    let admin = app.api_as("admin").await;
    let (status, _) = Api::json(
        admin.post("/api/v1/users", &json!({"username": "paul", "display_name": "Paul Henry", "password": "paul's password"})).await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let browser = app.signed_in("alice").await;
    let token = admin.token.clone();

    let app = app.restart().await;
    // The browser session and the API token are still valid: sessions are stored.
    let browser = crate::support::Browser {
        base: app.base.clone(),
        client: browser.client,
    };
    assert_eq!(browser.get("/account").await.status(), StatusCode::OK);
    let admin = app.api(token.as_deref());
    let (_, users) = Api::json(admin.get("/api/v1/users").await).await;
    let names: Vec<&str> = users
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|u| u["username"].as_str())
        .collect();
    assert!(names.contains(&"paul"), "{names:?}");
    let (_, teams) = Api::json(admin.get("/api/v1/teams").await).await;
    assert_eq!(
        teams.as_array().expect("array").len(),
        2,
        "demo seeding did not run twice"
    );
    assert_eq!(users.as_array().expect("array").len(), 6);
}

#[tokio::test]
async fn the_first_admin_is_created_once() {
    let app = TestApp::spawn_empty().await;
    assert!(app.initial_admin_password.is_some());
    let app = app.restart().await;
    assert!(
        app.initial_admin_password.is_none(),
        "no new password on the second start"
    );
}

#[tokio::test]
async fn demo_users_have_salts_of_their_own() {
    let mut app = TestApp::spawn().await;
    app.shutdown().await;
    let store = guichet::storage::Store::open(&app.data.path().join("guichet.redb"), 4 << 20)
        .expect("store");
    let users = store.read().expect("read").users().expect("users");
    let hashes: std::collections::HashSet<&str> =
        users.iter().map(|u| u.password_hash.as_str()).collect();
    assert_eq!(users.len(), 5);
    assert_eq!(
        hashes.len(),
        users.len(),
        "every demo user has a salt of their own"
    );
}
