//! SLA policies over HTTP with the manual clock: calendars and policies validated and guarded
//! (only admins change them, 409 when in use), escalations raised exactly once even across a
//! restart, waiting for the requester pauses the clock and the answer resumes it, unanswered
//! requests reminded then closed, a policy change moves open deadlines and leaves finished ones,
//! "most urgent first" and the due filters, and what a requester never sees.

use crate::requests::{BROKEN_PC, service_id, submit};
use crate::support::{Api, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

const HOUR: i64 = 3600;

/// "Critique" made 24/7 (the default calendar) with round targets: respond in 1 h, resolve in
/// 4 h; alerts at 100 % of the response (team) and 50 % / 100 % of the resolution.
async fn simple_policy(admin: &Api, resolution_hours: u32) -> u64 {
    let (_, list) = Api::json(admin.get("/api/v1/sla-policies").await).await;
    let id = list["items"]
        .as_array()
        .and_then(|p| p.iter().find(|p| p["name"] == "Critique"))
        .and_then(|p| p["id"].as_u64())
        .expect("Critique");
    let body = json!({
        "name": "Critique", "calendar_id": null,
        "response_target": { "value": 1, "unit": "hours" },
        "resolution_target": { "value": resolution_hours, "unit": "hours" },
        "thresholds": [
            { "target": "response", "percent": 100, "notify": ["team", "team_lead"] },
            { "target": "resolution", "percent": 50, "notify": ["assignee"] },
            { "target": "resolution", "percent": 100, "notify": ["assignee", "admins"] },
        ],
    });
    let (status, saved) = Api::json(
        admin
            .put(&format!("/api/v1/sla-policies/{id}"), &body)
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    id
}

async fn get(api: &Api, number: &str) -> Value {
    let (status, body) = Api::json(api.get(&format!("/api/v1/requests/{number}")).await).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn act(api: &Api, number: &str, action: &str, body: Value) -> Value {
    let (status, body) = Api::json(
        api.post(&format!("/api/v1/requests/{number}/{action}"), &body)
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{action}: {body}");
    body
}

fn escalations(request: &Value) -> Vec<(String, u64)> {
    request["escalations"]
        .as_array()
        .map(|e| {
            e.iter()
                .map(|x| {
                    (
                        x["target"].as_str().unwrap_or("").to_owned(),
                        x["percent"].as_u64().unwrap_or(0),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Alice reports a broken PC (under "Critique"); answers the request.
async fn broken_pc(app: &TestApp, inventory: &str) -> Value {
    let alice = app.api_as("alice").await;
    let pc = service_id(&alice, BROKEN_PC).await;
    submit(
        &alice,
        pc,
        json!({ "inventaire": inventory, "panne": "En panne" }),
    )
    .await
}

async fn scan(app: &TestApp) {
    let now = app.ops().now();
    app.ops().run_due(now).await.expect("run");
}

#[tokio::test]
async fn policies_and_calendars_are_checked_and_guarded() {
    let app = TestApp::spawn().await;
    let admin = app.api_as("admin").await;
    let tom = app.api_as("tom").await;
    let alice = app.api_as("alice").await;

    let (status, list) = Api::json(tom.get("/api/v1/sla-policies").await).await;
    assert_eq!(status, StatusCode::OK, "the IT team reads policies");
    assert_eq!(list["items"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        alice.get("/api/v1/sla-policies").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        alice.get("/api/v1/calendars").await.status(),
        StatusCode::FORBIDDEN
    );
    let body = json!({ "name": "X", "resolution_target": { "value": 2, "unit": "hours" } });
    assert_eq!(
        tom.post("/api/v1/sla-policies", &body).await.status(),
        StatusCode::FORBIDDEN
    );

    // Bad input: every field named, nothing created.
    let bad = json!({
        "name": "", "calendar_id": 999,
        "response_target": { "value": 0, "unit": "hours" },
        "thresholds": [{ "target": "response", "percent": 75, "notify": ["assignee"] }],
    });
    let (status, error) = Api::json(admin.post("/api/v1/sla-policies", &bad).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    let fields = &error["error"]["fields"];
    for field in ["name", "calendar_id", "response_target", "thresholds"] {
        assert!(fields[field].is_string(), "{field}: {error}");
    }
    let (status, _) = Api::json(
        admin
            .post("/api/v1/sla-policies", &json!({ "name": "X", "unit": 1 }))
            .await,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown keys are refused"
    );
    let (_, list) = Api::json(admin.get("/api/v1/sla-policies").await).await;
    assert_eq!(
        list["items"].as_array().map(Vec::len),
        Some(2),
        "nothing created"
    );

    let bad_calendar = json!({ "name": "Lune", "time_zone": "Mars/Olympus",
        "hours": [{ "day": "lun", "from": "9h", "to": "18:00" }] });
    let (status, error) = Api::json(admin.post("/api/v1/calendars", &bad_calendar).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        error["error"]["fields"]["time_zone"].is_string()
            && error["error"]["fields"]["hours"].is_string()
    );

    // A calendar, then a policy in it.
    let calendar = json!({ "name": "New York", "time_zone": "America/New_York",
        "hours": [{ "day": "mon", "from": "08:00", "to": "12:00" }, { "day": "mon", "from": "13:00", "to": "17:00" }],
        "holidays": [{ "date": "2026-07-04", "name": "Independence Day", "yearly": true }] });
    let (status, created) = Api::json(admin.post("/api/v1/calendars", &calendar).await).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["hours"][1]["from"], "13:00");
    assert_eq!(created["holidays"][0]["yearly"], true);
    let calendar_id = created["id"].as_u64().expect("id");
    let policy = json!({ "name": "Lundi", "calendar_id": calendar_id,
        "resolution_target": { "value": 2, "unit": "days" }, "thresholds": [] });
    let (status, created) = Api::json(admin.post("/api/v1/sla-policies", &policy).await).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let policy_id = created["id"].as_u64().expect("id");
    assert_eq!(created["response_target"], Value::Null);

    // In use: 409 naming who uses it.
    let (status, error) = Api::json(
        admin
            .delete(&format!("/api/v1/calendars/{calendar_id}"))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("Lundi"),
        "{error}"
    );
    let (_, list) = Api::json(admin.get("/api/v1/sla-policies").await).await;
    let critique = list["items"]
        .as_array()
        .and_then(|p| p.iter().find(|p| p["name"] == "Critique"))
        .expect("Critique")["id"]
        .as_u64()
        .expect("id");
    let (status, error) = Api::json(
        admin
            .delete(&format!("/api/v1/sla-policies/{critique}"))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains(BROKEN_PC),
        "{error}"
    );
    // Unused: deleted, then the calendar can go too.
    assert_eq!(
        admin
            .delete(&format!("/api/v1/sla-policies/{policy_id}"))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        admin
            .delete(&format!("/api/v1/calendars/{calendar_id}"))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        admin
            .get(&format!("/api/v1/calendars/{calendar_id}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn escalations_fire_exactly_once_even_across_a_restart() {
    let app = TestApp::spawn().await;
    let admin = app.api_as("admin").await;
    simple_policy(&admin, 4).await;
    let created = broken_pc(&app, "PC-1").await;
    let number = created["number"].as_str().expect("number").to_owned();
    assert!(created["sla_policy_id"].is_u64(), "{created}");
    assert!(created["response_due_at"].is_string() && created["due_at"].is_string());
    assert!(
        created.get("escalations").is_none(),
        "not for the requester"
    );
    scan(&app).await;
    let tom = app.api_as("tom").await;
    assert!(escalations(&get(&tom, &number).await).is_empty());

    // 70 minutes on: the response deadline has passed, once.
    app.clock.advance(70 * 60);
    scan(&app).await;
    scan(&app).await;
    let seen = get(&tom, &number).await;
    assert_eq!(escalations(&seen), vec![("response".to_owned(), 100)]);
    assert_eq!(seen["breached"], true);
    let (_, inbox) = Api::json(tom.get("/api/v1/notifications").await).await;
    assert!(
        inbox.to_string().contains("escalation"),
        "the team is told: {inbox}"
    );

    // A restart and another scan at the same time: nothing twice.
    let app = app.restart().await;
    scan(&app).await;
    let tom = app.api_as("tom").await;
    assert_eq!(escalations(&get(&tom, &number).await).len(), 1);

    // Taken, then half the resolution target: the 50 % alert, once.
    act(&tom, &number, "take", json!({})).await;
    app.clock.advance(HOUR);
    scan(&app).await;
    scan(&app).await;
    let seen = get(&tom, &number).await;
    assert_eq!(
        escalations(&seen),
        vec![("response".to_owned(), 100), ("resolution".to_owned(), 50)]
    );

    // The requester never sees escalation entries.
    let alice = app.api_as("alice").await;
    let (_, events) = Api::json(
        alice
            .get(&format!("/api/v1/requests/{number}/events"))
            .await,
    )
    .await;
    assert!(!events.to_string().contains("escalated"), "{events}");
    let (_, events) = Api::json(tom.get(&format!("/api/v1/requests/{number}/events")).await).await;
    assert!(events.to_string().contains("escalated"), "{events}");
    let (_, html) = app
        .signed_in("alice")
        .await
        .get_text(&format!("/requests/{number}"))
        .await;
    assert!(
        !html.contains("Alerte SLA"),
        "no alert on the requester's page"
    );
    let (_, html) = app
        .signed_in("tom")
        .await
        .get_text(&format!("/requests/{number}"))
        .await;
    assert!(
        html.contains("Alerte SLA") && html.contains("Engagement de service"),
        "{html}"
    );
}

/// The answer to a submission takes its SLA facts from what the submission stored, not from a
/// read of its own: it must read exactly as the request read back at once, for a requester
/// (no escalations field) and for the IT team (an empty list), with a policy and without.
#[tokio::test]
async fn a_submissions_answer_is_the_request_as_read_back() {
    let app = TestApp::spawn().await;
    let admin = app.api_as("admin").await;
    simple_policy(&admin, 4).await;
    for who in ["alice", "tom"] {
        let api = app.api_as(who).await;
        let pc = service_id(&api, BROKEN_PC).await;
        let password = service_id(&api, crate::requests::PASSWORD).await;
        let under_policy = submit(
            &api,
            pc,
            json!({ "inventaire": "PC-9", "panne": "En panne" }),
        )
        .await;
        let without = submit(
            &api,
            password,
            json!({ "compte": "a.durand", "contact": "Par SMS" }),
        )
        .await;
        assert!(under_policy["sla_policy_id"].is_u64(), "{under_policy}");
        assert!(
            under_policy["response_due_at"].is_string(),
            "{under_policy}"
        );
        assert!(without["sla_policy_id"].is_null(), "{without}");
        for created in [under_policy, without] {
            let number = created["number"].as_str().expect("number");
            assert_eq!(created, get(&api, number).await, "{who}");
            assert_eq!(
                created.get("escalations").is_some(),
                who == "tom",
                "{who}: {created}"
            );
        }
    }
}

#[tokio::test]
async fn waiting_for_the_requester_pauses_the_clock_until_the_answer() {
    let app = TestApp::spawn().await;
    let admin = app.api_as("admin").await;
    simple_policy(&admin, 4).await;
    let created = broken_pc(&app, "PC-2").await;
    let alice = app.api_as("alice").await;
    let number = created["number"].as_str().expect("number").to_owned();
    let tom = app.api_as("tom").await;
    act(&tom, &number, "take", json!({})).await;
    let before = get(&tom, &number).await["due_at"].clone();
    // The requester cannot ask themselves; the team can.
    let (status, _) = Api::json(
        alice
            .post(
                &format!("/api/v1/requests/{number}/wait"),
                &json!({ "comment": "?" }),
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let waiting = act(
        &tom,
        &number,
        "wait",
        json!({ "comment": "Quel est le numéro d'inventaire exact ?" }),
    )
    .await;
    assert_eq!(waiting["status"], "waiting_for_requester");
    assert_eq!(waiting["paused"], true);
    let (_, html) = app.signed_in("alice").await.get_text("/my/requests").await;
    assert!(html.contains("Attend votre réponse"), "my requests say it");
    let (_, inbox) = Api::json(alice.get("/api/v1/notifications").await).await;
    assert!(inbox.to_string().contains("waiting_for_you"), "{inbox}");

    // Three hours later she answers: the clock runs again, three hours later than before.
    app.clock.advance(3 * HOUR);
    let (status, _) = Api::json(
        alice
            .post(
                &format!("/api/v1/requests/{number}/comments"),
                &json!({ "body": "PC-0417" }),
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let resumed = get(&tom, &number).await;
    assert_eq!(resumed["status"], "in_progress");
    assert_eq!(resumed["paused"], false);
    let moved = |v: &Value| {
        v.as_str()
            .and_then(|s| s.parse::<jiff::Timestamp>().ok())
            .map_or(0, |t| t.as_second())
    };
    assert_eq!(
        moved(&resumed["due_at"]) - moved(&before),
        3 * HOUR,
        "{before} → {}",
        resumed["due_at"]
    );

    // The team can also resume by itself.
    act(
        &tom,
        &number,
        "wait",
        json!({ "comment": "Et le bureau ?" }),
    )
    .await;
    let back = act(&tom, &number, "resume", json!({})).await;
    assert_eq!(back["status"], "in_progress");
    let (status, _) = Api::json(
        tom.post(&format!("/api/v1/requests/{number}/resume"), &json!({}))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "not waiting any more");
}

#[tokio::test]
async fn an_unanswered_request_is_reminded_then_closed() {
    let app = TestApp::spawn_configured(|c| c.waiting_close_days = 2).await;
    let created = broken_pc(&app, "PC-3").await;
    let number = created["number"].as_str().expect("number").to_owned();
    let tom = app.api_as("tom").await;
    act(&tom, &number, "take", json!({})).await;
    act(
        &tom,
        &number,
        "wait",
        json!({ "comment": "Pouvez-vous redémarrer ?" }),
    )
    .await;
    scan(&app).await;
    app.clock.advance(25 * HOUR);
    scan(&app).await;
    scan(&app).await;
    let alice = app.api_as("alice").await;
    let (_, events) = Api::json(
        alice
            .get(&format!("/api/v1/requests/{number}/events"))
            .await,
    )
    .await;
    let kinds: Vec<&str> = events
        .as_array()
        .map(|e| e.iter().filter_map(|x| x["type"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        kinds.iter().filter(|k| **k == "reminded").count(),
        1,
        "{kinds:?}"
    );
    assert_eq!(
        get(&alice, &number).await["status"],
        "waiting_for_requester"
    );
    app.clock.advance(24 * HOUR);
    scan(&app).await;
    let alice = app.api_as("alice").await;
    let closed = get(&alice, &number).await;
    assert_eq!(closed["status"], "cancelled");
    let (_, events) = Api::json(
        alice
            .get(&format!("/api/v1/requests/{number}/events"))
            .await,
    )
    .await;
    assert!(events.to_string().contains("closed_unanswered"), "{events}");
    let (_, html) = app
        .signed_in("alice")
        .await
        .get_text(&format!("/requests/{number}"))
        .await;
    assert!(
        html.contains("pas de réponse du demandeur après 2 jours"),
        "the timeline says why"
    );
}

#[tokio::test]
async fn a_policy_change_moves_open_deadlines_and_leaves_finished_ones() {
    let app = TestApp::spawn().await;
    let admin = app.api_as("admin").await;
    simple_policy(&admin, 4).await;
    let tom = app.api_as("tom").await;
    let open = broken_pc(&app, "PC-4").await["number"]
        .as_str()
        .expect("n")
        .to_owned();
    let done = broken_pc(&app, "PC-5").await["number"]
        .as_str()
        .expect("n")
        .to_owned();
    act(&tom, &done, "take", json!({})).await;
    act(&tom, &done, "complete", json!({ "resolution": "Réparé" })).await;
    let (open_before, done_before) = (
        get(&tom, &open).await["due_at"].clone(),
        get(&tom, &done).await["due_at"].clone(),
    );
    simple_policy(&admin, 8).await;
    assert_ne!(
        get(&tom, &open).await["due_at"],
        open_before,
        "the open one follows at once"
    );
    assert_eq!(
        get(&tom, &done).await["due_at"],
        done_before,
        "the finished one keeps its result"
    );

    // Most urgent first: the SLA request before the requests without a deadline; filters.
    let (_, page) = Api::json(tom.get("/api/v1/requests?sort=urgent&limit=100").await).await;
    let items = page["items"].as_array().cloned().unwrap_or_default();
    let at = |number: &str| items.iter().position(|r| r["number"] == number);
    let undated = items
        .iter()
        .position(|r| r["due_at"].is_null() && r["expected_at"].is_null());
    assert!(
        at(&open).is_some_and(|i| undated.is_none_or(|u| i < u)),
        "{page}"
    );
    assert!(
        items[0]["sla_policy_id"].is_u64(),
        "an SLA deadline comes first"
    );
    let (_, page) = Api::json(tom.get("/api/v1/requests?due=overdue").await).await;
    assert!(!page.to_string().contains(&open), "not yet overdue: {page}");
    app.clock.advance(2 * HOUR);
    let (_, page) = Api::json(tom.get("/api/v1/requests?due=overdue").await).await;
    assert!(
        page["items"]
            .as_array()
            .is_some_and(|i| i.iter().any(|r| r["number"] == open.as_str())),
        "{page}"
    );
    let (status, _) = Api::json(tom.get("/api/v1/requests?due=tomorrow").await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, html) = app
        .signed_in("tom")
        .await
        .get_text("/desk?sort=urgent&due=overdue")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains(&open) && html.contains("Délai dépassé"),
        "the desk says it in words"
    );
}

/// A request page takes its service's policy from the catalog kept per version: a service
/// left without a policy shows on the very next view, and given it back, again.
#[tokio::test]
async fn the_request_page_follows_its_services_policy_on_the_very_next_view() {
    let app = TestApp::spawn().await;
    let admin = app.api_as("admin").await;
    let number = broken_pc(&app, "PC-9").await["number"]
        .as_str()
        .expect("n")
        .to_owned();
    let tom = app.signed_in("tom").await;
    let path = format!("/requests/{number}");
    let promise = "Prise en charge sous";
    let (_, page) = tom.get_text(&path).await;
    assert!(page.contains(promise), "under Critique: {page}");
    let pc = service_id(&admin, BROKEN_PC).await;
    let (_, mut service) = Api::json(admin.get(&format!("/api/v1/services/{pc}")).await).await;
    let policy = service["sla_policy_id"].clone();
    assert!(policy.is_u64(), "{service}");
    service.as_object_mut().expect("object").remove("form");
    for (set, shown) in [(Value::Null, false), (policy, true)] {
        service["sla_policy_id"] = set;
        let (status, saved) =
            Api::json(admin.put(&format!("/api/v1/services/{pc}"), &service).await).await;
        assert_eq!(status, StatusCode::OK, "{saved}");
        let (_, page) = tom.get_text(&path).await;
        assert_eq!(page.contains(promise), shown);
    }
}
