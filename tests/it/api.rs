//! The JSON API: sign-in, tokens, users and teams, and its error format.

use crate::support::{Api, TestApp};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn login_answers_a_token_and_the_user() {
    let app = TestApp::spawn().await;
    let body = json!({"username": "lea", "password": "demo"});
    let (status, value) = Api::json(app.api(None).post("/api/v1/login", &body).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(value["user"]["username"], "lea");
    assert_eq!(value["user"]["role"], "technician");
    assert!(
        value["user"].get("password_hash").is_none() && value["user"].get("password").is_none()
    );
    let token = value["token"].as_str().expect("token");
    let (status, me) = Api::json(app.api(Some(token)).get("/api/v1/me").await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["display_name"], "Léa Petit");
    // Logging out through the API ends the token.
    let api = app.api(Some(token));
    assert_eq!(
        api.post("/api/v1/logout", &json!({})).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        api.get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn bad_credentials_and_bad_bodies_get_clear_errors() {
    let app = TestApp::spawn().await;
    let api = app.api(None);
    let (status, value) = Api::json(
        api.post(
            "/api/v1/login",
            &json!({"username": "lea", "password": "x"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(value["error"]["code"], "bad_credentials");

    let (status, value) = Api::json(api.post_raw("/api/v1/login", "{not json").await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(value["error"]["code"], "malformed");

    let (status, value) = Api::json(
        api.post("/api/v1/login", &json!({"username": 5, "password": "x"}))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        value["error"]["message"]
            .as_str()
            .expect("message")
            .contains("username"),
        "{value}"
    );

    let response = api
        .client
        .post(app.url("/api/v1/login"))
        .body("username=lea")
        .send()
        .await
        .expect("request");
    assert_eq!(
        response.status(),
        StatusCode::BAD_REQUEST,
        "a body that is not JSON"
    );

    let (status, value) = Api::json(app.api(Some("forged")).get("/api/v1/me").await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(value["error"]["code"], "unauthenticated");
    assert_eq!(
        api.get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn admin_routes_of_the_api_refuse_everyone_else() {
    let app = TestApp::spawn().await;
    let routes: &[(&str, &str)] = &[
        ("GET", "/api/v1/users"),
        ("POST", "/api/v1/users"),
        ("GET", "/api/v1/users/1"),
        ("PUT", "/api/v1/users/1"),
        ("GET", "/api/v1/teams"),
        ("POST", "/api/v1/teams"),
        ("GET", "/api/v1/teams/1"),
        ("PUT", "/api/v1/teams/1"),
    ];
    let body = json!({"username": "mallory", "display_name": "M", "role": "admin", "name": "Evil"});
    for user in ["alice", "tom"] {
        let api = app.api_as(user).await;
        for (method, path) in routes {
            let response = match *method {
                "GET" => api.get(path).await,
                "POST" => api.post(path, &body).await,
                _ => api.put(path, &body).await,
            };
            let (status, value) = Api::json(response).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{user}: {method} {path}");
            assert_eq!(value["error"]["code"], "forbidden");
        }
    }
    let anonymous = app.api(None);
    for (_, path) in routes {
        assert_eq!(
            anonymous.get(path).await.status(),
            StatusCode::UNAUTHORIZED,
            "{path}"
        );
    }
    let admin = app.api_as("admin").await;
    let (_, users) = Api::json(admin.get("/api/v1/users").await).await;
    assert_eq!(
        users.as_array().expect("array").len(),
        5,
        "nothing was created"
    );
}

#[tokio::test]
async fn users_are_managed_through_the_api() {
    let app = TestApp::spawn().await;
    let admin = app.api_as("admin").await;
    let (status, created) = Api::json(
        admin
            .post("/api/v1/users", &json!({"username": "nina", "display_name": "Nina Roy", "role": "technician", "manager_id": 2, "password": "nina's password"}))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(created["manager_id"], 2);
    assert_eq!(created["must_change_password"], true);
    assert!(created.get("password").is_none());
    assert!(
        created.get("generated_password").is_none(),
        "a chosen password is never sent back"
    );
    let id = created["id"].as_u64().expect("id");

    // Partial update: only what is sent changes; null clears the manager.
    let (status, updated) = Api::json(
        admin
            .put(
                &format!("/api/v1/users/{id}"),
                &json!({"email": "nina@example.org", "manager_id": null}),
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(updated["email"], "nina@example.org");
    assert_eq!(updated["manager_id"], serde_json::Value::Null);
    assert_eq!(updated["role"], "technician");

    let (status, errors) = Api::json(
        admin
            .post(
                "/api/v1/users",
                &json!({"username": "x", "display_name": "", "role": "boss", "locale": "de"}),
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = &errors["error"]["fields"];
    for field in ["username", "display_name", "role", "locale"] {
        assert!(fields.get(field).is_some(), "{field} named in {errors}");
    }

    let (status, _) = Api::json(
        admin
            .post("/api/v1/users", &json!({"username": "y", "surprise": true}))
            .await,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown fields are refused"
    );

    let (status, generated) = Api::json(
        admin
            .post(
                "/api/v1/users",
                &json!({"username": "omar", "display_name": "Omar"}),
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let password = generated["generated_password"]
        .as_str()
        .expect("a generated password is returned once");
    let body = json!({"username": "omar", "password": password});
    assert_eq!(
        app.api(None).post("/api/v1/login", &body).await.status(),
        StatusCode::OK
    );

    assert_eq!(
        admin.get("/api/v1/users/999").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        admin.get("/api/v1/users/abc").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn teams_are_managed_through_the_api() {
    let app = TestApp::spawn().await;
    let admin = app.api_as("admin").await;
    let (status, team) = Api::json(
        admin
            .post(
                "/api/v1/teams",
                &json!({"name": "Postes de travail", "lead_id": 4, "member_ids": [5]}),
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(team["member_ids"], json!([4, 5]));
    let id = team["id"].as_u64().expect("id");
    let (status, team) = Api::json(
        admin
            .put(
                &format!("/api/v1/teams/{id}"),
                &json!({"name": "Postes", "member_ids": [4]}),
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(team["lead_id"], serde_json::Value::Null);
    let (status, errors) = Api::json(
        admin
            .post(
                "/api/v1/teams",
                &json!({"name": "SUPPORT", "member_ids": [42]}),
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(errors["error"]["fields"].get("name").is_some());
    assert!(errors["error"]["fields"].get("member_ids").is_some());
    let (_, teams) = Api::json(admin.get("/api/v1/teams").await).await;
    assert_eq!(teams.as_array().expect("array").len(), 3);
}

#[tokio::test]
async fn personal_tokens_work_until_revoked() {
    let app = TestApp::spawn().await;
    let bob = app.api_as("bob").await;
    let (status, created) = Api::json(
        bob.post("/api/v1/me/tokens", &json!({"name": "backup script"}))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let secret = created["token"]
        .as_str()
        .expect("secret shown once")
        .to_owned();
    let id = created["id"].as_u64().expect("id");

    let script = app.api(Some(&secret));
    let (_, me) = Api::json(script.get("/api/v1/me").await).await;
    assert_eq!(me["username"], "bob");
    // The token outlives a browser session.
    app.clock.advance(30 * 24 * 3600);
    assert_eq!(script.get("/api/v1/me").await.status(), StatusCode::OK);
    let (_, list) = Api::json(script.get("/api/v1/me/tokens").await).await;
    assert_eq!(list.as_array().expect("array").len(), 1);
    assert!(list[0].get("token").is_none(), "the secret is never listed");

    // Someone else cannot revoke it.
    let alice = app.api_as("alice").await;
    assert_eq!(
        alice
            .delete(&format!("/api/v1/me/tokens/{id}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        script
            .delete(&format!("/api/v1/me/tokens/{id}"))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        script.get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn personal_tokens_are_managed_from_the_account_page() {
    let app = TestApp::spawn().await;
    let browser = app.signed_in("tom").await;
    let response = browser
        .submit("/account", "/account/tokens", &[("name", "  ")])
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let response = browser
        .submit("/account", "/account/tokens", &[("name", "inventaire")])
        .await;
    let html = response.text().await.expect("body");
    let start = html.find("class=\"secret\">").expect("secret shown") + "class=\"secret\">".len();
    let secret = &html[start..start + 64];
    assert_eq!(
        app.api(Some(secret)).get("/api/v1/me").await.status(),
        StatusCode::OK
    );
    let (_, page) = browser.get_text("/account").await;
    assert!(
        page.contains("inventaire") && !page.contains(secret),
        "listed, secret not shown again"
    );
    let at = page.find("/account/tokens/").expect("revoke form");
    let action = &page[at..at + page[at..].find('"').expect("end")];
    let response = browser.submit("/account", action, &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.api(Some(secret)).get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_password_change_or_reset_ends_personal_tokens() {
    let app = TestApp::spawn().await;
    let bob = app.api_as("bob").await;
    let token = |api: &Api| {
        let api = api.clone();
        async move {
            let (_, created) = Api::json(
                api.post("/api/v1/me/tokens", &json!({"name": "script"}))
                    .await,
            )
            .await;
            created["token"].as_str().expect("secret").to_owned()
        }
    };
    let script = app.api(Some(&token(&bob).await));
    assert_eq!(script.get("/api/v1/me").await.status(), StatusCode::OK);
    let change = json!({"current": "demo", "new": "bob's new passphrase"});
    assert_eq!(
        bob.post("/api/v1/me/password", &change).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        script.get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED,
        "a token made with the old password ends"
    );
    assert_eq!(
        bob.get("/api/v1/me").await.status(),
        StatusCode::OK,
        "this session stays"
    );

    let script = app.api(Some(&token(&bob).await));
    let admin = app.api_as("admin").await;
    let (_, users) = Api::json(admin.get("/api/v1/users").await).await;
    let id = users
        .as_array()
        .and_then(|all| all.iter().find(|u| u["username"] == "bob"))
        .and_then(|u| u["id"].as_u64())
        .expect("bob");
    let (status, body) = Api::json(
        admin
            .put(
                &format!("/api/v1/users/{id}"),
                &json!({"password": "a password set by IT"}),
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.get("generated_password").is_none());
    assert_eq!(
        script.get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

/// "Read, change, write back": each resource's `PUT` takes the very document its `GET`
/// answers; a read-only field sent with another value is refused, named, and changes nothing.
#[tokio::test]
async fn put_takes_back_the_document_get_answers() {
    let app = TestApp::spawn().await;
    let admin = app.api_as("admin").await;
    for list in [
        "/api/v1/users",
        "/api/v1/teams",
        "/api/v1/categories",
        "/api/v1/services",
        "/api/v1/calendars",
        "/api/v1/sla-policies",
    ] {
        let (status, all) = Api::json(admin.get(list).await).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        let items = all.get("items").unwrap_or(&all);
        let first = items
            .as_array()
            .and_then(|a| a.first())
            .cloned()
            .unwrap_or_else(|| panic!("{list}: {all}"));
        let path = format!("{list}/{}", first["id"]);
        let (_, document) = Api::json(admin.get(&path).await).await;
        let (status, body) = Api::json(admin.put(&path, &document).await).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        let (_, again) = Api::json(admin.get(&path).await).await;
        assert_eq!(again, document, "{path}: writing it back changes nothing");
        let mut changed = document.clone();
        changed["id"] = json!(999_999);
        let (status, body) = Api::json(admin.put(&path, &changed).await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {body}");
        assert!(body.to_string().contains("read-only"), "{path}: {body}");
    }
}

/// `mine=true` keeps its desk meaning for the IT team (assigned to me) and means "my own
/// requests" for a requester; `requester=me` means "my own" for everyone.
#[tokio::test]
async fn mine_and_requester_me_list_what_each_person_means() {
    use crate::requests::{PASSWORD, service_id, submit};
    let app = TestApp::spawn().await;
    let (alice, tom) = (app.api_as("alice").await, app.api_as("tom").await);
    let service = service_id(&alice, PASSWORD).await;
    let data = json!({ "compte": "x", "contact": "Par SMS" });
    let hers = submit(&alice, service, data.clone()).await["id"].clone();
    let his = submit(&tom, service, data).await["id"].clone();
    let ids = |page: &serde_json::Value, key: &str| -> Vec<serde_json::Value> {
        page["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|r| r[key].clone())
            .collect()
    };
    for query in ["mine=true", "requester=me"] {
        let path = format!("/api/v1/requests?status=all&limit=100&{query}");
        let (status, page) = Api::json(alice.get(&path).await).await;
        assert_eq!(status, StatusCode::OK);
        let requesters = ids(&page, "requester_id");
        assert!(ids(&page, "id").contains(&hers), "{query}: {page}");
        assert!(requesters.iter().all(|r| r == 3), "{query}: {requesters:?}");
    }
    let (_, page) = Api::json(
        tom.get("/api/v1/requests?status=all&limit=100&requester=me")
            .await,
    )
    .await;
    assert_eq!(
        ids(&page, "id").first(),
        Some(&his),
        "his newest request first"
    );
    let requesters = ids(&page, "requester_id");
    assert!(requesters.iter().all(|r| r == 4), "{requesters:?}");
    let (_, page) = Api::json(
        tom.get("/api/v1/requests?status=all&limit=100&mine=true")
            .await,
    )
    .await;
    let assignees = ids(&page, "assignee_id");
    assert!(
        !assignees.is_empty() && assignees.iter().all(|a| a == 4),
        "{assignees:?}"
    );
}

#[tokio::test]
async fn a_listing_item_is_the_summary_of_the_request_document() {
    let app = TestApp::spawn().await;
    let tom = app.api_as("tom").await;
    // Open and finished requests of the demo's history, with and without an SLA.
    for status in ["open", "done"] {
        let (code, listing) = Api::json(
            tom.get(&format!("/api/v1/requests?status={status}&limit=25"))
                .await,
        )
        .await;
        assert_eq!(code, StatusCode::OK);
        let items = listing["items"].as_array().expect("items");
        assert!(!items.is_empty(), "the demo has {status} requests");
        for item in items {
            let fields = item.as_object().expect("an object");
            assert!(
                fields.get("data").is_none() && fields.get("form").is_none(),
                "a listing carries no answers nor form"
            );
            let (_, document) =
                Api::json(tom.get(&format!("/api/v1/requests/{}", item["id"])).await).await;
            for (key, value) in fields {
                assert_eq!(&document[key], value, "{key} of {}", item["number"]);
            }
        }
    }
}
