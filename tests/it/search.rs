//! Service search over HTTP with the demo catalog.

use crate::support::{Api, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn names(api: &Api, q: &str) -> Vec<String> {
    let response = api
        .client
        .get(format!("{}/api/v1/search", api.base))
        .query(&[("q", q)])
        .bearer_auth(api.token.as_deref().unwrap_or(""))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK, "{q}");
    let body: Value = response.json().await.expect("json");
    body.as_array()
        .expect("array")
        .iter()
        .filter_map(|s| s["name"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn users_find_services_in_their_own_words() {
    let app = TestApp::spawn().await;
    let alice = app.api_as("alice").await;
    assert_eq!(
        names(&alice, "acces vpn").await.first().map(String::as_str),
        Some("Accès VPN")
    );
    assert_eq!(
        names(&alice, "ACCÈS VPN").await.first().map(String::as_str),
        Some("Accès VPN")
    );
    assert_eq!(
        names(&alice, "nouveau pc")
            .await
            .first()
            .map(String::as_str),
        Some("Nouveau PC")
    );
    assert!(
        names(&alice, "ordinateur")
            .await
            .iter()
            .any(|n| n == "Nouveau PC"),
        "through keywords"
    );
    assert_eq!(
        names(&alice, "formaton").await.first().map(String::as_str),
        Some("Formation"),
        "a typo"
    );
    assert_eq!(
        names(&alice, "réinit").await.first().map(String::as_str),
        Some("Réinitialisation du mot de passe"),
        "prefix while typing"
    );
    assert_eq!(
        names(&alice, "machines virtuelles")
            .await
            .first()
            .map(String::as_str),
        Some("Création de VM"),
        "stemming"
    );
    assert!(names(&alice, "xylophone").await.is_empty());
}

#[tokio::test]
async fn hostile_queries_answer_sanely() {
    let app = TestApp::spawn().await;
    let alice = app.api_as("alice").await;
    let long = "vpn ".repeat(5000);
    for q in [
        "\"); DROP TABLE services; --",
        "+-&&||!(){}[]^\"~*?:\\/",
        "title:vpn AND (",
        "*",
        "   ",
        "",
        "\u{0}\u{1}",
        "🙂🙂",
        long.as_str(),
        "a b c d e f g h i j k l m n o p",
    ] {
        let found = names(&alice, q).await;
        assert!(found.len() <= 20, "{q:?}");
    }
    assert!(
        names(&alice, "vpn OR imprimante NOT wifi")
            .await
            .contains(&"Accès VPN".to_owned()),
        "operators are plain words"
    );
    let browser = app.signed_in("alice").await;
    for q in ["%", "\"", "<script>alert(1)</script>"] {
        let response = browser
            .client
            .get(app.url("/search"))
            .query(&[("q", q)])
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), StatusCode::OK);
        assert!(
            !response
                .text()
                .await
                .expect("body")
                .contains("<script>alert"),
            "escaped"
        );
    }
}

#[tokio::test]
async fn the_results_page_shows_paths_and_highlights_and_suggests_browsing() {
    let app = TestApp::spawn().await;
    let browser = app.signed_in("alice").await;
    let (status, html) = browser.get_text("/search?q=restauration+sauvegardes").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Restauration de fichiers") && html.contains("Infrastructure › Stockage")
    );
    assert!(html.contains("<mark>sauvegardes</mark>"), "{html}");
    let (_, empty) = browser.get_text("/search?q=xylophone").await;
    assert!(empty.contains("Aucun service ne correspond") && empty.contains("href=\"/catalog/1\""));
    // Suggestions for search-as-you-type, with the session cookie.
    let response = browser.get("/search/suggest?q=imprim").await;
    assert_eq!(response.status(), StatusCode::OK);
    let suggestions: Value = response.json().await.expect("json");
    assert_eq!(suggestions[0]["name"], "Imprimante : ajout ou dépannage");
    // The search box is on every portal page, with the script that enhances it.
    let (_, home) = browser.get_text("/").await;
    assert!(home.contains("action=\"/search\"") && home.contains("/assets/search.js?v="));
    assert_eq!(
        app.browser().get("/search?q=vpn").await.status(),
        StatusCode::SEE_OTHER,
        "signed in only"
    );
    assert_eq!(
        app.api(None).get("/api/v1/search?q=vpn").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn the_index_follows_every_catalog_change_at_once() {
    let app = TestApp::spawn().await;
    let admin = app.api_as("admin").await;
    let alice = app.api_as("alice").await;
    // Deactivated: gone for requesters at once.
    let (status, _) = Api::json(
        admin
            .put(
                "/api/v1/services/4",
                &json!({"name": "Accès VPN", "category_id": 3, "active": false}),
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(!names(&alice, "vpn").await.contains(&"Accès VPN".to_owned()));
    // Renamed: found under the new name right after.
    let body = json!({"name": "Tunnel sécurisé", "category_id": 3, "active": true, "keywords": "distance"});
    assert_eq!(
        admin.put("/api/v1/services/4", &body).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        names(&alice, "tunnel").await.first().map(String::as_str),
        Some("Tunnel sécurisé")
    );
    assert!(
        names(&alice, "télétravail")
            .await
            .iter()
            .all(|n| n != "Tunnel sécurisé"),
        "old keywords gone"
    );
    // A category renamed: its services are found by the new path.
    let body = json!({"name": "Connexion à distance", "parent_id": 1, "icon": "globe"});
    assert_eq!(
        admin.put("/api/v1/categories/3", &body).await.status(),
        StatusCode::OK
    );
    assert!(
        names(&alice, "connexion")
            .await
            .contains(&"Tunnel sécurisé".to_owned())
    );
    // A new service is found immediately.
    let body = json!({"name": "Coffre-fort de mots de passe", "category_id": 2});
    assert_eq!(
        admin.post("/api/v1/services", &body).await.status(),
        StatusCode::CREATED
    );
    assert_eq!(
        names(&alice, "coffre").await.first().map(String::as_str),
        Some("Coffre-fort de mots de passe")
    );
}

#[tokio::test]
async fn a_missing_or_damaged_index_is_rebuilt_at_start() {
    let app = TestApp::spawn().await;
    let admin = app.api_as("admin").await;
    let body = json!({"name": "Traceur de plans", "category_id": 7});
    assert_eq!(
        admin.post("/api/v1/services", &body).await.status(),
        StatusCode::CREATED
    );
    let mut app = app;
    app.shutdown().await;
    let index = app.data.path().join("search");
    std::fs::remove_dir_all(&index).expect("delete the index");
    let app = app.restart().await;
    let alice = app.api_as("alice").await;
    assert_eq!(
        names(&alice, "traceur").await.first().map(String::as_str),
        Some("Traceur de plans")
    );

    // Damage every file of the index: it is detected and rebuilt, not trusted.
    let mut app = app;
    app.shutdown().await;
    for entry in std::fs::read_dir(&index).expect("index") {
        let path = entry.expect("entry").path();
        std::fs::write(&path, b"garbage").expect("overwrite");
    }
    let app = app.restart().await;
    let alice = app.api_as("alice").await;
    assert_eq!(
        names(&alice, "acces vpn").await.first().map(String::as_str),
        Some("Accès VPN")
    );
}

/// A request number in the header search: `REQ-…` goes straight to the request for those who
/// may see it; a bare number offers it first, above the services it also matches; nobody else
/// learns anything about it.
#[tokio::test]
async fn a_request_number_finds_the_request_only_for_those_who_may_see_it() {
    use crate::requests::{PASSWORD, service_id, submit};
    let app = TestApp::spawn().await;
    let alice = app.api_as("alice").await;
    let service = service_id(&alice, PASSWORD).await;
    let data = json!({ "compte": "x", "contact": "Par SMS" });
    let id = submit(&alice, service, data).await["id"]
        .as_u64()
        .expect("id");
    let number = format!("REQ-{id:06}");
    let link = format!("href=\"/requests/{number}\"");
    let page = app.signed_in("alice").await;
    for asked in [
        number.clone(),
        format!("req-{id}"),
        format!(" Req-{id:08} "),
    ] {
        let response = page.get(&format!("/search?q={asked}")).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{asked}");
        assert_eq!(
            crate::support::location(&response),
            format!("/requests/{number}")
        );
    }
    let (status, html) = page.get_text(&format!("/search?q={id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&link), "a bare number offers it");
    // Bob is neither its requester nor on the IT team: no redirect, no link, no number.
    let bob = app.signed_in("bob").await;
    let (status, html) = bob.get_text(&format!("/search?q={number}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains(&link) && !html.contains("Réinitialisation du mot de passe ·"));
    // A bare number above the services it matches: "Office 365" still shows.
    let admin = app.api_as("admin").await;
    let (_, categories) = Api::json(admin.get("/api/v1/categories").await).await;
    let category = categories[0]["id"].as_u64().expect("a category");
    let office = json!({ "name": "Office 365", "category_id": category, "description": "Suite bureautique" });
    let (status, _) = Api::json(admin.post("/api/v1/services", &office).await).await;
    assert_eq!(status, StatusCode::CREATED);
    let tom = app.signed_in("tom").await;
    let (_, html) = tom.get_text("/search?q=365").await;
    let request = html
        .find("href=\"/requests/REQ-000365\"")
        .expect("the request first");
    let service = html.find(">Office 365<").expect("and the service");
    assert!(request < service);
    // Whoever asks, the page links to a request exactly when its API answers them.
    for user in ["admin", "bob", "alice", "tom", "lea"] {
        let browser = app.signed_in(user).await;
        let api = app.api_as(user).await;
        for n in [1, 7, 120, 365, 1200, 2000, id] {
            let visible =
                api.get(&format!("/api/v1/requests/{n}")).await.status() == StatusCode::OK;
            let (_, html) = browser.get_text(&format!("/search?q={n}")).await;
            let linked = html.contains(&format!("href=\"/requests/REQ-{n:06}\""));
            assert_eq!(linked, visible, "{user} searching {n}");
        }
    }
}
