//! The audit trail over HTTP: every admin change is recorded with who, when and the fields
//! before and after; admins read it with filters; nobody else reads it, nobody edits it.

use crate::support::{Api, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn trail(api: &Api, query: &str) -> Vec<Value> {
    let (status, body) = Api::json(api.get(&format!("/api/v1/audit?{query}")).await).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"].as_array().cloned().expect("items")
}

#[tokio::test]
async fn every_admin_change_is_recorded_with_its_values_before_and_after() {
    let app = TestApp::spawn().await;
    let admin = app.api_as("admin").await;
    let latest = trail(&admin, "")
        .await
        .first()
        .map_or(0, |e| e["id"].as_u64().expect("id"));
    // One change of each kind.
    let (_, alice) = Api::json(admin.get("/api/v1/users/3").await).await;
    let (status, _) = Api::json(
        admin
            .put("/api/v1/users/3", &json!({ "role": "technician" }))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, created) = Api::json(
        admin
            .post(
                "/api/v1/categories",
                &json!({ "name": "Téléphonie", "icon": "phone" }),
            )
            .await,
    )
    .await;
    let category = created["id"].as_u64().expect("id");
    let (status, _) = Api::json(
        admin
            .delete(&format!("/api/v1/categories/{category}"))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, teams) = Api::json(admin.get("/api/v1/teams").await).await;
    let team = teams[0].clone();
    let renamed = json!({ "name": "Support de proximité", "lead_id": team["lead_id"], "member_ids": team["member_ids"] });
    let (status, _) = Api::json(
        admin
            .put(&format!("/api/v1/teams/{}", team["id"]), &renamed)
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, policies) = Api::json(admin.get("/api/v1/sla-policies").await).await;
    let mut policy = policies["items"][0].clone();
    policy["name"] = json!("Critique (revue)");
    let path = format!("/api/v1/sla-policies/{}", policy["id"]);
    assert_eq!(
        Api::json(admin.put(&path, &policy).await).await.0,
        StatusCode::OK
    );
    let (_, calendars) = Api::json(admin.get("/api/v1/calendars").await).await;
    let calendar = calendars["items"][0].clone();
    let default = json!({ "calendar_id": calendar["id"] });
    let (status, _) = Api::json(admin.put("/api/v1/calendars/default", &default).await).await;
    assert_eq!(status, StatusCode::OK);
    let (_, services) = Api::json(admin.get("/api/v1/services").await).await;
    let mut service = services[0].clone();
    service["active"] = json!(false);
    let path = format!("/api/v1/services/{}", service["id"]);
    assert_eq!(
        Api::json(admin.put(&path, &service).await).await.0,
        StatusCode::OK
    );

    let night = json!({ "name": "Astreinte", "time_zone": "Europe/Paris" });
    let (status, made) = Api::json(admin.post("/api/v1/calendars", &night).await).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let night = format!("/api/v1/calendars/{}", made["id"]);
    assert_eq!(admin.delete(&night).await.status(), StatusCode::NO_CONTENT);
    let squad = json!({ "name": "Réseau", "lead_id": null, "member_ids": [] });
    let (status, _) = Api::json(admin.post("/api/v1/teams", &squad).await).await;
    assert_eq!(status, StatusCode::CREATED);
    let entries: Vec<Value> = trail(&admin, "")
        .await
        .into_iter()
        .filter(|e| e["id"].as_u64().expect("id") > latest)
        .collect();
    let found = |kind: &str, action: &str| -> Value {
        entries
            .iter()
            .find(|e| e["kind"] == kind && e["action"] == action)
            .cloned()
            .unwrap_or_else(|| panic!("no {kind} {action} in {entries:?}"))
    };
    let role = found("user", "updated");
    assert_eq!(
        (role["user_id"].as_u64(), role["target_id"].as_u64()),
        (Some(1), Some(3))
    );
    assert_eq!(role["before"]["role"], alice["role"]);
    assert_eq!(role["after"]["role"], "technician");
    assert_eq!(found("category", "created")["after"]["name"], "Téléphonie");
    assert_eq!(
        found("calendar", "created")["after"]["time_zone"],
        "Europe/Paris"
    );
    assert_eq!(found("calendar", "deleted")["target_name"], "Astreinte");
    assert_eq!(found("team", "created")["after"]["name"], "Réseau");
    let deleted = found("category", "deleted");
    assert_eq!(
        (deleted["target_name"].as_str(), &deleted["after"]),
        (Some("Téléphonie"), &json!({}))
    );
    assert_eq!(
        found("team", "updated")["after"]["name"],
        "Support de proximité"
    );
    assert_eq!(
        found("sla_policy", "updated")["after"]["name"],
        "Critique (revue)"
    );
    assert_eq!(
        found("settings", "updated")["after"]["default_calendar"],
        calendar["name"]
    );
    let service = found("service", "updated");
    assert_eq!(
        (
            service["before"]["active"].as_str(),
            service["after"]["active"].as_str()
        ),
        (Some("true"), Some("false"))
    );
    // A password reset is recorded; the password never is.
    let reset = json!({ "password": "Un-nouveau-mot-2-passe" });
    assert_eq!(
        Api::json(admin.put("/api/v1/users/5", &reset).await)
            .await
            .0,
        StatusCode::OK
    );
    let recent = trail(&admin, "kind=user").await;
    assert_eq!(recent[0]["action"], "password_reset");
    assert!(
        !recent[0].to_string().contains("Un-nouveau"),
        "{}",
        recent[0]
    );
    assert!(recent.iter().all(|e| e["kind"] == "user"));
    // Writing back an unchanged document records nothing.
    let before = trail(&admin, "").await.len();
    let (_, team) = Api::json(admin.get(&format!("/api/v1/teams/{}", team["id"])).await).await;
    assert_eq!(
        Api::json(
            admin
                .put(&format!("/api/v1/teams/{}", team["id"]), &team)
                .await
        )
        .await
        .0,
        StatusCode::OK
    );
    assert_eq!(trail(&admin, "").await.len(), before);
}

#[tokio::test]
async fn the_trail_filters_by_kind_person_and_days_and_is_for_admins_only() {
    let app = TestApp::spawn().await;
    let admin = app.api_as("admin").await;
    for n in 1..=5 {
        let name = json!({ "display_name": format!("Tom B. {n}") });
        let (status, _) = Api::json(admin.put("/api/v1/users/4", &name).await).await;
        assert_eq!(status, StatusCode::OK);
    }
    let today = "2026-11-28";
    let entries = trail(&admin, &format!("kind=user&user=1&from={today}&to={today}")).await;
    assert_eq!(entries.len(), 5, "{entries:?}");
    assert_eq!(entries[0]["after"]["display_name"], "Tom B. 5");
    assert!(
        trail(&admin, "from=2026-11-29").await.is_empty(),
        "nothing from tomorrow on"
    );
    assert!(
        trail(&admin, "user=4").await.is_empty(),
        "Tom changed nothing"
    );
    for bad in ["kind=salaries", "from=hier", "user=tom", "cursor=x"] {
        let (status, body) = Api::json(admin.get(&format!("/api/v1/audit?{bad}")).await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
    }
    // Pages of 50, newest first, following on from the cursor.
    let (_, first) = Api::json(admin.get("/api/v1/audit").await).await;
    let next = first["next"]
        .as_u64()
        .expect("the demo's set-up and these changes fill more than a page");
    let (_, second) = Api::json(admin.get(&format!("/api/v1/audit?cursor={next}")).await).await;
    let last_of_first = first["items"][49]["id"].as_u64().expect("id");
    assert!(second["items"][0]["id"].as_u64().expect("id") < last_of_first);
    // The page shows it to admins; nobody else reads it, and nothing edits or removes it.
    let (status, html) = app
        .signed_in("admin")
        .await
        .get_text("/admin/audit?kind=user")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Journal des modifications") && html.contains("Tom B. 5"),
        "{html}"
    );
    let tom = app.api_as("tom").await;
    assert_ne!(tom.get("/api/v1/audit").await.status(), StatusCode::OK);
    let (status, _) = app.signed_in("tom").await.get_text("/admin/audit").await;
    assert_ne!(status, StatusCode::OK);
    let id = entries[0]["id"].as_u64().expect("id");
    for response in [
        admin.delete(&format!("/api/v1/audit/{id}")).await,
        admin.put(&format!("/api/v1/audit/{id}"), &json!({})).await,
    ] {
        assert!(matches!(
            response.status(),
            StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED
        ));
    }
    assert_eq!(trail(&admin, "kind=user&user=1").await[0]["id"], id);
}

/// The changes made from the pages are recorded too: a form field added, a service moved,
/// the default mail choices.
#[tokio::test]
async fn changes_made_from_the_pages_are_recorded() {
    let app = TestApp::spawn().await;
    let admin = app.api_as("admin").await;
    let (_, services) = Api::json(admin.get("/api/v1/services").await).await;
    let service = services[0]["id"].as_u64().expect("id");
    let browser = app.signed_in("admin").await;
    let base = format!("/admin/services/{service}");
    let field = [("key", "bureau"), ("label", "Bureau"), ("kind", "text")];
    let response = browser
        .submit(
            &format!("{base}/fields/new"),
            &format!("{base}/fields"),
            &field,
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let response = browser
        .submit(
            "/admin/outbox",
            "/admin/outbox/defaults",
            &[("mail", "completed")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let entries = trail(&admin, "user=1").await;
    let form = entries
        .iter()
        .find(|e| e["action"] == "form_changed")
        .expect("the field added");
    assert_eq!(form["target_id"].as_u64(), Some(service));
    assert!(
        form["after"]["form"]
            .as_str()
            .is_some_and(|f| f.contains("Bureau")),
        "{form}"
    );
    let defaults = entries
        .iter()
        .find(|e| e["kind"] == "settings")
        .expect("the mail defaults");
    assert_eq!(defaults["after"]["mail_defaults"], "completed");
}
