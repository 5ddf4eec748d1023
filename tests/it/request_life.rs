//! A request's later life over HTTP: reopening (who, until when, a new resolution cycle, the
//! metrics' count), giving back to the queue, moving to another team, cancelling with a reason
//! that reaches the people concerned; each through the API and the pages, with what is refused.

use crate::requests::{PASSWORD, service_id, submit};
use crate::support::{Api, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn act(api: &Api, id: u64, verb: &str, body: Value) -> (StatusCode, Value) {
    Api::json(
        api.post(&format!("/api/v1/requests/{id}/{verb}"), &body)
            .await,
    )
    .await
}

/// A new password request of `requester`'s.
async fn password_request(requester: &Api) -> Value {
    let service = service_id(requester, PASSWORD).await;
    submit(
        requester,
        service,
        json!({ "compte": "a.durand", "contact": "Par SMS" }),
    )
    .await
}

/// Alice's password request, taken and completed by Tom; answers its id.
async fn done_by_tom(app: &TestApp) -> u64 {
    let alice = app.api_as("alice").await;
    let tom = app.api_as("tom").await;
    let id = password_request(&alice).await["id"].as_u64().expect("id");
    assert_eq!(act(&tom, id, "take", json!({})).await.0, StatusCode::OK);
    let (status, body) = act(&tom, id, "complete", json!({ "resolution": "Fait" })).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("done"))
    );
    id
}

/// The kinds of `user`'s notifications about `request`, newest first.
async fn notices(app: &TestApp, user: &str, request: u64) -> Vec<String> {
    let api = app.api_as(user).await;
    let (_, inbox) = Api::json(api.get("/api/v1/notifications?limit=100").await).await;
    inbox["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|n| n["request_id"] == request)
        .filter_map(|n| n["kind"].as_str().map(str::to_owned))
        .collect()
}

async fn last_event(api: &Api, id: u64) -> Value {
    let (_, events) = Api::json(api.get(&format!("/api/v1/requests/{id}/events")).await).await;
    events
        .as_array()
        .and_then(|e| e.last())
        .cloned()
        .expect("an event")
}

#[tokio::test]
async fn the_requester_reopens_within_the_window_and_the_it_team_at_any_time() {
    let app = TestApp::spawn().await;
    let id = done_by_tom(&app).await;
    let (alice, bob, tom) = (
        app.api_as("alice").await,
        app.api_as("bob").await,
        app.api_as("tom").await,
    );
    // A reason is required; someone else's request is not even visible.
    let (status, body) = act(&alice, id, "reopen", json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        act(&bob, id, "reopen", json!({ "reason": "x" })).await.0,
        StatusCode::NOT_FOUND
    );
    let (status, body) = act(
        &alice,
        id,
        "reopen",
        json!({ "reason": "Le code ne marche pas" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "in_progress");
    assert_eq!(body["assignee_id"], 4, "back to the same technician");
    let event = last_event(&alice, id).await;
    assert_eq!(event["type"], "reopened");
    assert_eq!(event["reason"], "Le code ne marche pas");
    assert_eq!(
        notices(&app, "tom", id).await.first().map(String::as_str),
        Some("reopened")
    );
    // Open again: reopening is refused until it is done.
    let (status, _) = act(&alice, id, "reopen", json!({ "reason": "encore" })).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = act(
        &tom,
        id,
        "complete",
        json!({ "resolution": "Vraiment fait" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // Fifteen days later the requester may no longer, the IT team still may.
    app.clock.advance(15 * 86_400);
    let (alice, tom) = (app.api_as("alice").await, app.api_as("tom").await);
    let (status, body) = act(&alice, id, "reopen", json!({ "reason": "encore" })).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body.to_string().contains("reopen_days"), "{body}");
    let (status, body) = act(
        &tom,
        id,
        "reopen",
        json!({ "reason": "Rappel de l'utilisatrice" }),
    )
    .await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("in_progress"))
    );
    assert_eq!(
        notices(&app, "alice", id).await.first().map(String::as_str),
        Some("reopened")
    );
}

#[tokio::test]
async fn the_reopening_window_follows_the_configuration() {
    let app = TestApp::spawn_configured(|c| c.reopen_days = 0).await;
    let id = done_by_tom(&app).await;
    app.clock.advance(60);
    let alice = app.api_as("alice").await;
    let (status, _) = act(&alice, id, "reopen", json!({ "reason": "encore" })).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_metrics_count_a_reopened_request_once_finished_and_once_reopened() {
    let app = TestApp::spawn().await;
    let id = done_by_tom(&app).await;
    let alice = app.api_as("alice").await;
    let tom = app.api_as("tom").await;
    let day = "2026-11-28";
    let password = |metrics: &Value| -> Value {
        metrics["services"]
            .as_array()
            .and_then(|all| all.iter().find(|s| s["name"] == PASSWORD))
            .cloned()
            .expect("the password service")
    };
    let path = format!("/api/v1/metrics?from={day}&to={day}");
    let (_, before) = Api::json(tom.get(&path).await).await;
    let before = password(&before);
    assert_eq!(
        act(&alice, id, "reopen", json!({ "reason": "encore" }))
            .await
            .0,
        StatusCode::OK
    );
    let (_, body) = act(
        &tom,
        id,
        "complete",
        json!({ "resolution": "Fait, cette fois" }),
    )
    .await;
    assert_eq!(body["status"], "done");
    let (_, after) = Api::json(tom.get(&path).await).await;
    let after = password(&after);
    assert_eq!(
        after["reopened"],
        before["reopened"].as_i64().expect("n") + 1
    );
    assert_eq!(
        after["finished"], before["finished"],
        "finished once, at its first resolution"
    );
}

#[tokio::test]
async fn a_technician_gives_a_request_back_and_staff_move_it_to_another_team() {
    let app = TestApp::spawn().await;
    let (alice, tom, admin) = (
        app.api_as("alice").await,
        app.api_as("tom").await,
        app.api_as("admin").await,
    );
    let created = password_request(&alice).await;
    let id = created["id"].as_u64().expect("id");
    let team = created["team_id"].as_u64().expect("a team");
    // Nothing to give back before anyone took it; the requester never may.
    assert_eq!(
        act(&tom, id, "release", json!({})).await.0,
        StatusCode::CONFLICT
    );
    assert_eq!(act(&tom, id, "take", json!({})).await.0, StatusCode::OK);
    assert_eq!(
        act(&alice, id, "release", json!({})).await.0,
        StatusCode::FORBIDDEN
    );
    let (status, body) = act(&tom, id, "release", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body["status"].as_str(), &body["assignee_id"]),
        (Some("new"), &Value::Null)
    );
    assert_eq!(last_event(&tom, id).await["type"], "released");
    // Taken again, then moved to another team's queue.
    assert_eq!(act(&tom, id, "take", json!({})).await.0, StatusCode::OK);
    let (_, teams) = Api::json(admin.get("/api/v1/teams").await).await;
    let other = teams
        .as_array()
        .and_then(|all| all.iter().find(|t| t["id"] != team))
        .cloned()
        .expect("another team");
    let other_id = other["id"].as_u64().expect("id");
    let (status, body) = act(&tom, id, "assign", json!({ "team_id": 999 })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("team_id"), "{body}");
    let both = json!({ "team_id": other_id, "user_id": 4 });
    assert_eq!(
        act(&tom, id, "assign", both).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        act(&alice, id, "assign", json!({ "team_id": other_id }))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (status, body) = act(&tom, id, "assign", json!({ "team_id": other_id })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["team_id"], other_id);
    assert_eq!(
        (body["status"].as_str(), &body["assignee_id"]),
        (Some("new"), &Value::Null)
    );
    let event = last_event(&tom, id).await;
    assert_eq!(
        (event["type"].as_str(), event["team_id"].as_u64()),
        (Some("transferred"), Some(other_id))
    );
    // The new team's members hear of it.
    let member = other["member_ids"][0].as_u64().expect("a member");
    let (_, users) = Api::json(admin.get("/api/v1/users").await).await;
    let name = users
        .as_array()
        .and_then(|all| all.iter().find(|u| u["id"] == member))
        .and_then(|u| u["username"].as_str())
        .expect("the member's name")
        .to_owned();
    if name != "tom" {
        assert!(
            notices(&app, &name, id)
                .await
                .contains(&"in_queue".to_owned())
        );
    }
    // Moving to the team it is in already is refused.
    let (status, _) = act(&tom, id, "assign", json!({ "team_id": other_id })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_cancellation_tells_the_requester_and_the_assignee_why() {
    let app = TestApp::spawn().await;
    let (alice, tom, admin) = (
        app.api_as("alice").await,
        app.api_as("tom").await,
        app.api_as("admin").await,
    );
    let created = password_request(&alice).await;
    let id = created["id"].as_u64().expect("id");
    assert_eq!(act(&tom, id, "take", json!({})).await.0, StatusCode::OK);
    let (_, body) = act(
        &tom,
        id,
        "wait",
        json!({ "comment": "Quel compte exactement ?" }),
    )
    .await;
    assert_eq!(body["status"], "waiting_for_requester");
    let reason = "Doublon d'une autre demande";
    let (status, body) = act(&admin, id, "cancel", json!({ "reason": reason })).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("cancelled")),
        "{body}"
    );
    let event = last_event(&admin, id).await;
    assert_eq!(
        (event["type"].as_str(), event["reason"].as_str()),
        (Some("cancelled"), Some(reason))
    );
    assert_eq!(
        notices(&app, "alice", id).await.first().map(String::as_str),
        Some("cancelled")
    );
    assert_eq!(
        notices(&app, "tom", id).await.first().map(String::as_str),
        Some("cancelled")
    );
    // Cancelled by the requester without a reason: nobody else was concerned, nobody is told.
    let other = password_request(&alice).await;
    let other = other["id"].as_u64().expect("id");
    assert_eq!(
        act(&alice, other, "cancel", json!({})).await.0,
        StatusCode::OK
    );
    assert!(
        !notices(&app, "alice", other)
            .await
            .contains(&"cancelled".to_owned())
    );
}

#[tokio::test]
async fn the_pages_reopen_give_back_move_and_cancel_with_a_reason() {
    let app = TestApp::spawn().await;
    let id = done_by_tom(&app).await;
    let number = format!("REQ-{id:06}");
    let page = format!("/requests/{number}");
    let alice = app.signed_in("alice").await;
    let (_, html) = alice.get_text(&page).await;
    assert!(
        html.contains(&format!("action=\"{page}/reopen\"")),
        "the requester may reopen"
    );
    let response = alice
        .submit(&page, &format!("{page}/reopen"), &[("reason", "")])
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let response = alice
        .submit(
            &page,
            &format!("{page}/reopen"),
            &[("reason", "Toujours bloqué")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, html) = alice.get_text(&page).await;
    assert!(
        html.contains("a rouvert la demande") && html.contains("Toujours bloqué"),
        "{html}"
    );
    assert!(!html.contains(&format!("action=\"{page}/reopen\"")));
    assert!(
        !html.contains(&format!("action=\"{page}/release\"")),
        "not for the requester"
    );
    // The technician gives it back, then moves it to another team.
    let tom = app.signed_in("tom").await;
    let (_, html) = tom.get_text(&page).await;
    assert!(html.contains(&format!("action=\"{page}/release\"")));
    assert!(html.contains("name=\"team_id\""));
    let response = tom.submit(&page, &format!("{page}/release"), &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, html) = tom.get_text(&page).await;
    assert!(html.contains("a remis la demande dans la file"), "{html}");
    let team = html
        .split("name=\"team_id\"")
        .nth(1)
        .and_then(|rest| rest.split("option value=\"").nth(1))
        .and_then(|rest| rest.split('"').next())
        .expect("a team to move it to")
        .to_owned();
    let response = tom
        .submit(&page, &format!("{page}/assign"), &[("team_id", &team)])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, html) = tom.get_text(&page).await;
    assert!(html.contains("a transféré la demande"), "{html}");
    // An administrator cancels: the confirmation asks for a reason, which the timeline keeps.
    let admin = app.signed_in("admin").await;
    let response = admin.submit(&page, &format!("{page}/cancel"), &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let confirmation = response.text().await.expect("page");
    assert!(confirmation.contains("name=\"reason\""), "{confirmation}");
    let response = admin
        .submit(
            &page,
            &format!("{page}/cancel"),
            &[("confirm", "yes"), ("reason", "Plus nécessaire")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, html) = alice.get_text(&page).await;
    assert!(html.contains("Plus nécessaire"), "the requester reads why");
}

#[tokio::test]
async fn a_manager_or_the_it_team_files_for_someone_else() {
    use crate::requests::{VPN, vpn_data};
    let app = TestApp::spawn().await;
    let (alice, bob, tom) = (
        app.api_as("alice").await,
        app.api_as("bob").await,
        app.api_as("tom").await,
    );
    let vpn = service_id(&bob, VPN).await;
    let for_alice = |by: u64| json!({ "service_id": by, "data": vpn_data(), "requester_id": 3 });
    // Bob is Alice's manager, and the VPN needs her manager's approval: filing is approving.
    let (status, filed) = Api::json(bob.post("/api/v1/requests", &for_alice(vpn)).await).await;
    assert_eq!(status, StatusCode::CREATED, "{filed}");
    assert_eq!(
        (filed["requester_id"].as_u64(), filed["status"].as_str()),
        (Some(3), Some("approved"))
    );
    let id = filed["id"].as_u64().expect("id");
    let (_, events) = Api::json(alice.get(&format!("/api/v1/requests/{id}/events")).await).await;
    let kinds: Vec<(&str, u64)> = events
        .as_array()
        .expect("events")
        .iter()
        .map(|e| {
            (
                e["type"].as_str().unwrap_or(""),
                e["by"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("submitted", 2),
            ("approved", 2),
            ("approved_when_filed", 2)
        ],
        "Bob filed it and approved it by filing"
    );
    assert!(
        notices(&app, "alice", id)
            .await
            .contains(&"submitted".to_owned()),
        "it is hers"
    );
    // The IT team files for her: her manager still approves.
    let (status, filed) = Api::json(tom.post("/api/v1/requests", &for_alice(vpn)).await).await;
    assert_eq!(status, StatusCode::CREATED, "{filed}");
    assert_eq!(filed["status"], "pending_approval");
    let id = filed["id"].as_u64().expect("id");
    assert_eq!(
        notices(&app, "bob", id).await,
        vec!["approval_needed".to_owned()]
    );
    // Nobody else files for anyone, and only for an active user.
    let for_lea = json!({ "service_id": vpn, "data": vpn_data(), "requester_id": 5 });
    let (status, _) = Api::json(alice.post("/api/v1/requests", &for_lea).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = Api::json(bob.post("/api/v1/requests", &for_lea).await).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "Léa is not one of Bob's reports"
    );
    let nobody = json!({ "service_id": vpn, "data": vpn_data(), "requester_id": 999 });
    let (status, body) = Api::json(tom.post("/api/v1/requests", &nobody).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.to_string().contains("requester_id"), "{body}");
    // The form offers a manager their reports, and the request says for whom it was filed.
    let page = format!("/services/{vpn}");
    let browser = app.signed_in("bob").await;
    let (_, html) = browser.get_text(&page).await;
    assert!(html.contains("name=\"requester_id\"") && html.contains("Alice Durand"));
    let response = browser
        .submit(
            &page,
            &page,
            &[
                ("requester_id", "3"),
                ("motif", "Télétravail"),
                ("duree", "3 mois"),
                ("equipement", "Ordinateur de l'organisation"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, html) = browser.get_text(&crate::support::location(&response)).await;
    assert!(
        html.contains("pour") && html.contains("Approuvée par son responsable en la déposant"),
        "{html}"
    );
    let (_, html) = app
        .signed_in("alice")
        .await
        .get_text(&format!("/services/{vpn}"))
        .await;
    assert!(
        !html.contains("name=\"requester_id\""),
        "a requester without reports files for herself"
    );
    // A service can refuse to be filed for someone else.
    let admin = app.api_as("admin").await;
    let path = format!("/api/v1/services/{vpn}");
    let (_, mut service) = Api::json(admin.get(&path).await).await;
    assert_eq!(service["on_behalf"], true);
    service["on_behalf"] = json!(false);
    assert_eq!(
        Api::json(admin.put(&path, &service).await).await.0,
        StatusCode::OK
    );
    let (status, body) = Api::json(bob.post("/api/v1/requests", &for_alice(vpn)).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("requester_id"), "{body}");
    let (_, html) = browser.get_text(&page).await;
    assert!(
        !html.contains("name=\"requester_id\""),
        "no picker on that service"
    );
}

#[tokio::test]
async fn my_requests_filter_by_status_and_service_and_page_through_everything() {
    let app = TestApp::spawn().await;
    let alice = app.api_as("alice").await;
    // More open requests than the first view shows.
    for _ in 0..55 {
        password_request(&alice).await;
    }
    let page = app.signed_in("alice").await;
    let (status, html) = page.get_text("/my/requests").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("href=\"/my/requests?status=open\""),
        "a way to see them all"
    );
    // Every page of "all", one after the other, is exactly the API's listing of her requests.
    let mut seen = Vec::new();
    let mut next = Some("/my/requests?status=all".to_owned());
    while let Some(path) = next.take() {
        let (status, html) = page.get_text(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        for part in html.split("class=\"tracking\" href=\"/requests/").skip(1) {
            seen.push(part.split('"').next().expect("number").to_owned());
        }
        next = html
            .split("href=\"/my/requests?status=all&amp;before=")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .map(|cursor| format!("/my/requests?status=all&before={cursor}"));
    }
    let mut listed = Vec::new();
    let mut cursor = String::new();
    loop {
        let path = format!("/api/v1/requests?status=all&requester=me&limit=100{cursor}");
        let (_, body) = Api::json(alice.get(&path).await).await;
        for item in body["items"].as_array().expect("items") {
            listed.push(item["number"].as_str().expect("number").to_owned());
        }
        match body["next"].as_str() {
            Some(n) => cursor = format!("&cursor={n}"),
            None => break,
        }
    }
    assert!(seen.len() > 55, "{}", seen.len());
    assert_eq!(seen, listed);
    // A status and a service narrow it.
    let service = service_id(&alice, PASSWORD).await;
    let (_, html) = page
        .get_text(&format!("/my/requests?status=done&service={service}"))
        .await;
    let rows = html.matches("class=\"tracking\"").count();
    assert!(rows > 0 && rows <= 25, "{rows}");
    assert_eq!(
        html.matches("Réinitialisation du mot de passe</td>")
            .count(),
        rows,
        "{html}"
    );
    assert_eq!(html.matches("class=\"status s-done\"").count(), rows);
    let (status, _) = page.get_text("/my/requests?status=lost").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}
