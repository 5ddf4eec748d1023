//! Requests over HTTP: both workflow paths with four people, every refusal, the approver
//! fallback chain, visibility (404s and internal comments), the concurrent take, validation
//! that keeps the input, and a restart.

use crate::support::{Api, TestApp, location};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The id of a demo service, found by name through the API.
pub async fn service_id(api: &Api, name: &str) -> u64 {
    let (_, services) = Api::json(api.get("/api/v1/services").await).await;
    services
        .as_array()
        .and_then(|all| all.iter().find(|s| s["name"] == name))
        .and_then(|s| s["id"].as_u64())
        .unwrap_or_else(|| panic!("no service {name}"))
}

pub const VPN: &str = "Accès VPN";
pub const PASSWORD: &str = "Réinitialisation du mot de passe";
pub const VM: &str = "Création de VM";
pub const BROKEN_PC: &str = "Remplacement d'un poste en panne";

pub fn vpn_data() -> Value {
    json!({ "motif": "Télétravail le vendredi", "duree": "3 mois", "equipement": "Ordinateur de l'organisation" })
}

/// Submits through the API and answers the created request.
pub async fn submit(api: &Api, service: u64, data: Value) -> Value {
    let (status, body) = Api::json(
        api.post(
            "/api/v1/requests",
            &json!({ "service_id": service, "data": data }),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

async fn act(api: &Api, number: &str, action: &str, body: Value) -> (StatusCode, Value) {
    Api::json(
        api.post(&format!("/api/v1/requests/{number}/{action}"), &body)
            .await,
    )
    .await
}

async fn vpn_form_keys(api: &Api, id: u64) -> Vec<String> {
    let (_, service) = Api::json(api.get(&format!("/api/v1/services/{id}")).await).await;
    service["form"]
        .as_array()
        .map(|f| {
            f.iter()
                .filter_map(|x| x["key"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn approval_path_end_to_end_through_the_pages() {
    let app = TestApp::spawn().await;
    let alice = app.signed_in("alice").await;
    let api = app.api_as("alice").await;
    let vpn = service_id(&api, VPN).await;
    assert_eq!(
        vpn_form_keys(&api, vpn).await,
        vec!["motif", "duree", "equipement"],
        "the test knows the VPN form"
    );
    let page = format!("/services/{vpn}");
    let response = alice
        .submit(
            &page,
            &page,
            &[
                ("motif", "Télétravail"),
                ("duree", "3 mois"),
                ("equipement", "Ordinateur de l'organisation"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let confirmation = location(&response);
    assert!(confirmation.starts_with("/requests/REQ-"), "{confirmation}");
    let number = confirmation
        .trim_start_matches("/requests/")
        .trim_end_matches("?created=1")
        .to_owned();
    let (status, html) = alice.get_text(&confirmation).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&number), "tracking number shown");
    assert!(html.contains("Votre demande a bien été enregistrée"));
    assert!(
        html.contains("En attente de validation par Bob Martin"),
        "next step"
    );
    assert!(
        !html.contains("Attendu pour le") && !html.contains("Délai estimé :"),
        "waiting for approval, nothing can be expected yet"
    );
    assert!(html.contains("Télétravail"), "submitted data shown");
    assert!(
        html.contains("Pourquoi avez-vous besoin"),
        "labels of the form snapshot"
    );

    // Three hours later Bob, her manager, sees it waiting and approves it from /approvals in
    // one step.
    app.clock.advance(3 * 3600);
    let bob = app.signed_in("bob").await;
    let (_, approvals) = bob.get_text("/approvals").await;
    assert!(approvals.contains(&number));
    let decided = bob
        .submit(
            "/approvals",
            &format!("/requests/{number}/decide"),
            &[
                ("decision", "approve"),
                ("reason", ""),
                ("back", "/approvals"),
            ],
        )
        .await;
    assert_eq!(decided.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&decided),
        format!("/approvals?done=approved&n={number}")
    );
    let (_, said) = bob.get_text(&location(&decided)).await;
    assert!(
        said.contains(&format!("{number}\u{a0}: approuvée")),
        "{said}"
    );
    let (_, approvals) = bob.get_text("/approvals").await;
    assert!(!approvals.contains(&number), "no longer waiting");
    // Approved, it can be worked on: the estimate (2 days for VPN access) counts from now.
    let approved_at = app.ops().now().0;
    let api = app.api_as("alice").await;
    let (_, request) = Api::json(api.get(&format!("/api/v1/requests/{number}")).await).await;
    let expected = jiff::Timestamp::from_second(approved_at + 2 * 86_400)
        .expect("ts")
        .to_string();
    assert_eq!(request["expected_at"], expected, "{request}");

    // Tom takes it from the desk and completes it.
    let tom = app.signed_in("tom").await;
    let (_, desk) = tom.get_text("/desk?status=approved").await;
    assert!(desk.contains(&number));
    let request_page = format!("/requests/{number}");
    let taken = tom
        .submit(&request_page, &format!("{request_page}/take"), &[])
        .await;
    assert_eq!(taken.status(), StatusCode::SEE_OTHER);
    let done = tom
        .submit(
            &request_page,
            &format!("{request_page}/complete"),
            &[("resolution", "Profil VPN créé, identifiants envoyés.")],
        )
        .await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);

    let (_, html) = alice.get_text(&request_page).await;
    assert!(html.contains("Terminée"));
    assert!(html.contains("Profil VPN créé"));
    assert!(html.contains("Bob Martin</strong> a validé"));
    assert!(html.contains("Tom Bernard</strong> a pris en charge"));
    // Admin sees everything too.
    let admin = app.api_as("admin").await;
    let (status, body) = Api::json(admin.get(&format!("/api/v1/requests/{number}")).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "done");
    assert_eq!(body["approval_steps"][0]["decision"]["approved"], true);
}

#[tokio::test]
async fn path_without_approval_through_the_api_and_its_events() {
    let app = TestApp::spawn().await;
    let alice = app.api_as("alice").await;
    let tom = app.api_as("tom").await;
    let service = service_id(&alice, PASSWORD).await;
    let created = submit(
        &alice,
        service,
        json!({ "compte": "a.durand", "contact": "Par téléphone" }),
    )
    .await;
    assert_eq!(created["status"], "new");
    let number = created["number"].as_str().expect("number").to_owned();
    assert!(number.starts_with("REQ-"));
    assert!(created["expected_at"].is_string(), "the estimate");
    assert!(
        created["due_at"].is_null(),
        "no SLA deadline without a policy"
    );
    let (status, taken) = act(&tom, &number, "take", json!({})).await;
    assert_eq!(
        (status, &taken["status"]),
        (StatusCode::OK, &json!("in_progress"))
    );
    assert_eq!(taken["assignee_id"], 4);
    let (status, _) = act(
        &tom,
        &number,
        "complete",
        json!({ "resolution": "Mot de passe réinitialisé" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, events) = Api::json(
        alice
            .get(&format!("/api/v1/requests/{number}/events"))
            .await,
    )
    .await;
    let kinds: Vec<&str> = events
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["type"].as_str())
        .collect();
    assert_eq!(kinds, vec!["submitted", "taken", "completed"]);
    // By id as well as by number.
    let id = created["id"].as_u64().expect("id");
    let (status, by_id) = Api::json(alice.get(&format!("/api/v1/requests/{id}")).await).await;
    assert_eq!((status, &by_id["number"]), (StatusCode::OK, &json!(number)));
}

#[tokio::test]
async fn illegal_transitions_are_refused_with_the_current_status() {
    let app = TestApp::spawn().await;
    let alice = app.api_as("alice").await;
    let tom = app.api_as("tom").await;
    let bob = app.api_as("bob").await;
    let vpn = service_id(&alice, VPN).await;
    let created = submit(&alice, vpn, vpn_data()).await;
    let number = created["number"].as_str().expect("number").to_owned();
    for (who, action, body) in [
        (&tom, "take", json!({})),
        (&tom, "complete", json!({ "resolution": "x" })),
    ] {
        let (status, error) = act(who, &number, action, body).await;
        assert_eq!(status, StatusCode::CONFLICT, "{action}: {error}");
        assert_eq!(error["error"]["code"], "illegal_transition");
        assert!(
            error["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("pending_approval")),
            "{error}"
        );
    }
    // Requesters may not work on requests at all; an unknown action does not exist.
    let (status, _) = act(&alice, &number, "take", json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = act(&alice, &number, "teleport", json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Rejection needs a reason.
    let (status, error) = act(&bob, &number, "reject", json!({ "reason": "  " })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error["error"]["fields"]["reason"].is_string());
    let (status, _) = act(
        &bob,
        &number,
        "reject",
        json!({ "reason": "Pas de télétravail prévu" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // Once rejected, nothing moves it any more.
    for (who, action) in [(&bob, "approve"), (&alice, "cancel"), (&tom, "take")] {
        let (status, error) = act(who, &number, action, json!({})).await;
        assert_eq!(status, StatusCode::CONFLICT, "{action}");
        assert!(
            error["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("rejected"))
        );
    }
    // The same refusal on a page is a 409 page naming the status in words.
    let page = app.signed_in("tom").await;
    let response = page
        .submit(
            &format!("/requests/{number}"),
            &format!("/requests/{number}/take"),
            &[],
        )
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert!(response.text().await.expect("body").contains("Refusée"));
    // Cancel after work started is refused too.
    let reset = service_id(&alice, PASSWORD).await;
    let other = submit(
        &alice,
        reset,
        json!({ "compte": "a.durand", "contact": "Par téléphone" }),
    )
    .await;
    let other = other["number"].as_str().expect("number");
    act(&tom, other, "take", json!({})).await;
    let (status, _) = act(&alice, other, "cancel", json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT);
}

/// The fields of a request's document, as the API answers a submission, a read and an action.
const DOCUMENT: [&str; 21] = [
    "approval_steps",
    "assignee_id",
    "attachments",
    "breached",
    "closed_at",
    "created_at",
    "data",
    "due_at",
    "expected_at",
    "form",
    "id",
    "number",
    "paused",
    "requester_id",
    "response_due_at",
    "service_id",
    "service_name",
    "sla_policy_id",
    "status",
    "team_id",
    "updated_at",
];

#[tokio::test]
async fn a_request_document_holds_its_fields_and_escalations_for_the_it_team_only() {
    let app = TestApp::spawn().await;
    let bob = app.api_as("bob").await;
    let vpn = service_id(&bob, VPN).await;
    let created = submit(&bob, vpn, vpn_data()).await;
    let keys: Vec<&str> = created
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    assert_eq!(keys, DOCUMENT, "{created}");
    assert_eq!(
        created["approval_steps"],
        json!([{ "approver_id": 5, "decision": null, "rule": "manager" }])
    );
    assert_eq!(created["data"], vpn_data());
    assert_eq!(created["form"][0]["key"], "motif");
    assert!(created["form"][0]["kind"].is_string(), "{created}");
    assert!(created["form"][0]["label"].is_string(), "{created}");
    assert_eq!(created["status"], "pending_approval");
    let number = created["number"].as_str().expect("number").to_owned();
    assert!(number.starts_with("REQ-"), "{number}");
    assert_eq!(created["id"].as_u64(), number[4..].parse().ok());
    let at = created["created_at"].as_str().expect("created_at");
    assert_eq!((at.len(), &at[10..11], &at[19..]), (20, "T", "Z"), "{at}");
    assert_eq!(created["closed_at"], Value::Null);
    // The IT team also reads the escalations raised (none yet); the requester does not.
    let (_, seen) = Api::json(
        app.api_as("tom")
            .await
            .get(&format!("/api/v1/requests/{number}"))
            .await,
    )
    .await;
    assert_eq!(seen["escalations"], json!([]), "{seen}");
    let (status, approved) = act(&app.api_as("lea").await, &number, "approve", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{approved}");
    assert_eq!(approved["approval_steps"][0]["decision"]["by"], 5);
    assert_eq!(approved["approval_steps"][0]["decision"]["approved"], true);
    assert_eq!(
        approved["approval_steps"][0]["decision"]["overridden"],
        false
    );
}

#[tokio::test]
async fn nobody_approves_their_own_request_and_approvers_fall_back() {
    let app = TestApp::spawn().await;
    // Bob has no manager: the VPN's manager rule falls back to the lead of Infrastructure.
    let bob = app.api_as("bob").await;
    let vpn = service_id(&bob, VPN).await;
    let created = submit(&bob, vpn, vpn_data()).await;
    let number = created["number"].as_str().expect("number").to_owned();
    assert_eq!(
        created["approval_steps"][0]["approver_id"], 5,
        "Léa, the team lead"
    );
    let (_, events) = Api::json(bob.get(&format!("/api/v1/requests/{number}/events")).await).await;
    assert_eq!(events[1]["type"], "approver_fallback", "{events}");
    let (status, _) = act(&bob, &number, "approve", json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no self-approval");
    let (status, _) = act(&app.api_as("tom").await, &number, "approve", json!({})).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a technician who is not the approver"
    );
    let (status, body) = act(&app.api_as("lea").await, &number, "approve", json!({})).await;
    assert_eq!(
        (status, &body["status"]),
        (StatusCode::OK, &json!("approved"))
    );

    // Léa leads Infrastructure, which approves VMs: her own VM falls back to the admins.
    let lea = app.api_as("lea").await;
    let vm = service_id(&lea, VM).await;
    let (_, service) = Api::json(lea.get(&format!("/api/v1/services/{vm}")).await).await;
    let mut data = serde_json::Map::new();
    for field in service["form"].as_array().expect("form") {
        let key = field["key"].as_str().expect("key").to_owned();
        let value = match field["kind"].as_str() {
            Some("select") => field["options"][0].clone(),
            Some("multiselect") => json!([field["options"][0].clone()]),
            Some("number") => field["min"].clone(),
            Some("checkbox") => json!(true),
            Some("date") => json!("2026-12-24"),
            _ => json!("Serveur de test"),
        };
        if field["kind"] != "file" {
            data.insert(key, value);
        }
    }
    let created = submit(&lea, vm, Value::Object(data)).await;
    assert_eq!(created["approval_steps"][0]["approver_id"], "admins");
    let number = created["number"].as_str().expect("number").to_owned();
    let (status, _) = act(&lea, &number, "approve", json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let admin_page = app.signed_in("admin").await;
    let (_, approvals) = admin_page.get_text("/approvals").await;
    assert!(
        approvals.contains(&number),
        "admins see what fell back to them"
    );
    let (status, body) = act(&app.api_as("admin").await, &number, "approve", json!({})).await;
    assert_eq!(
        (status, &body["status"]),
        (StatusCode::OK, &json!("approved"))
    );
}

#[tokio::test]
async fn requesters_see_only_their_own_requests_and_no_internal_comment() {
    let app = TestApp::spawn().await;
    let alice = app.api_as("alice").await;
    let bob = app.api_as("bob").await;
    let tom = app.api_as("tom").await;
    let reset = service_id(&alice, PASSWORD).await;
    let created = submit(
        &alice,
        reset,
        json!({ "compte": "a.durand", "contact": "Par téléphone" }),
    )
    .await;
    let number = created["number"].as_str().expect("number").to_owned();
    let response = tom
        .post(
            &format!("/api/v1/requests/{number}/comments"),
            &json!({ "body": "Vérifier son identité par téléphone", "internal": true }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    tom.post(
        &format!("/api/v1/requests/{number}/comments"),
        &json!({ "body": "Je vous appelle dans 10 minutes." }),
    )
    .await;

    // Bob is neither the requester nor an approver: it does not exist for him.
    for path in [
        format!("/api/v1/requests/{number}"),
        format!("/api/v1/requests/{number}/events"),
        format!("/api/v1/requests/{number}/comments"),
    ] {
        assert_eq!(
            bob.get(&path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let (status, _) = act(&bob, &number, "cancel", json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let bob_page = app.signed_in("bob").await;
    let (status, _) = bob_page.get_text(&format!("/requests/{number}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = Api::json(bob.get("/api/v1/requests?status=all&requester=3").await).await;
    assert!(
        list["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|r| r["requester_id"] == 2),
        "a requester lists only their own requests"
    );

    // Alice reads the external comment, never the internal one, in the API and the page.
    let (_, comments) = Api::json(
        alice
            .get(&format!("/api/v1/requests/{number}/comments"))
            .await,
    )
    .await;
    let bodies: Vec<&str> = comments
        .as_array()
        .expect("comments")
        .iter()
        .filter_map(|c| c["body"].as_str())
        .collect();
    assert_eq!(bodies, vec!["Je vous appelle dans 10 minutes."]);
    let alice_page = app.signed_in("alice").await;
    let (_, html) = alice_page.get_text(&format!("/requests/{number}")).await;
    assert!(html.contains("Je vous appelle"));
    assert!(!html.contains("Vérifier son identité"));
    assert!(
        !html.contains("name=\"internal\""),
        "no internal option for requesters"
    );
    let response = alice
        .post(
            &format!("/api/v1/requests/{number}/comments"),
            &json!({ "body": "psst", "internal": true }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    // Tom reads both.
    let (_, html) = app
        .signed_in("tom")
        .await
        .get_text(&format!("/requests/{number}"))
        .await;
    assert!(html.contains("Vérifier son identité") && html.contains("interne"));
    // A malformed number is just not found.
    assert_eq!(
        alice.get("/api/v1/requests/REQ-abc").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        alice_page.get("/requests/REQ-0").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn two_technicians_taking_the_same_request_at_once_one_wins() {
    let app = TestApp::spawn().await;
    let alice = app.api_as("alice").await;
    let reset = service_id(&alice, PASSWORD).await;
    let tom = app.api_as("tom").await;
    let lea = app.api_as("lea").await;
    for _ in 0..5 {
        let created = submit(
            &alice,
            reset,
            json!({ "compte": "a.durand", "contact": "Par téléphone" }),
        )
        .await;
        let number = created["number"].as_str().expect("number").to_owned();
        let path = format!("/api/v1/requests/{number}/take");
        let empty = json!({});
        let (a, b) = tokio::join!(tom.post(&path, &empty), lea.post(&path, &empty));
        let mut statuses = vec![a.status(), b.status()];
        statuses.sort();
        assert_eq!(statuses, vec![StatusCode::OK, StatusCode::CONFLICT]);
        let (_, events) =
            Api::json(tom.get(&format!("/api/v1/requests/{number}/events")).await).await;
        let takes = events
            .as_array()
            .expect("events")
            .iter()
            .filter(|e| e["type"] == "taken")
            .count();
        assert_eq!(takes, 1);
    }
}

#[tokio::test]
async fn a_refused_form_comes_back_with_every_value_and_message() {
    let app = TestApp::spawn().await;
    let alice = app.signed_in("alice").await;
    let vpn = service_id(&app.api_as("alice").await, VPN).await;
    let page = format!("/services/{vpn}");
    let response = alice
        .submit(
            &page,
            &page,
            &[
                ("motif", "Déplacements chez les clients"),
                ("duree", "pour toujours"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.expect("body");
    assert!(
        html.contains("Déplacements chez les clients"),
        "the typed text is kept"
    );
    assert!(
        html.contains("Ne fait pas partie des choix"),
        "the wrong choice is named"
    );
    assert!(
        html.contains("Ce champ est obligatoire"),
        "the missing field is named"
    );
    let (_, mine) = alice.get_text("/my/requests").await;
    assert!(!mine.contains("Déplacements"), "nothing was submitted");
    // The API names the fields.
    let api = app.api_as("alice").await;
    let (status, body) = Api::json(
        api.post(
            "/api/v1/requests",
            &json!({ "service_id": vpn, "data": { "duree": "x", "nope": 1 } }),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for key in ["motif", "duree", "equipement", "nope"] {
        assert!(body["error"]["fields"][key].is_string(), "{key}: {body}");
    }
    for bad in [
        "{",
        "[]",
        r#"{"service_id":"x"}"#,
        r#"{"service_id":1,"data":{"a":{"b":1}}}"#,
    ] {
        let status = api.post_raw("/api/v1/requests", bad).await.status();
        assert!(
            status == StatusCode::BAD_REQUEST || status == StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {status}"
        );
    }
    let (status, _) = Api::json(
        api.post("/api/v1/requests", &json!({ "service_id": 9999 }))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn requests_survive_a_restart() {
    let app = TestApp::spawn().await;
    let alice = app.api_as("alice").await;
    let reset = service_id(&alice, PASSWORD).await;
    let created = submit(
        &alice,
        reset,
        json!({ "compte": "a.durand", "contact": "Par téléphone" }),
    )
    .await;
    let number = created["number"].as_str().expect("number").to_owned();
    let app = app.restart().await;
    let alice = app.api_as("alice").await;
    let (status, body) = Api::json(alice.get(&format!("/api/v1/requests/{number}")).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"]["compte"], "a.durand");
    let next = submit(
        &alice,
        reset,
        json!({ "compte": "a.durand", "contact": "Par téléphone" }),
    )
    .await;
    assert!(
        next["id"].as_u64() > created["id"].as_u64(),
        "numbers are never reused"
    );
}

/// Team membership never widens who hears of a request: a requester put in a team by mistake
/// is not told of the requests in its queue, which they may not see.
#[tokio::test]
async fn only_staff_members_of_a_team_hear_of_its_queue() {
    let app = TestApp::spawn().await;
    let admin = app.api_as("admin").await;
    let (_, users) = Api::json(admin.get("/api/v1/users").await).await;
    let id_of = |name: &str| {
        users
            .as_array()
            .and_then(|all| all.iter().find(|u| u["username"] == name))
            .and_then(|u| u["id"].as_u64())
            .expect("user")
    };
    let (_, teams) = Api::json(admin.get("/api/v1/teams").await).await;
    let support = teams
        .as_array()
        .and_then(|all| all.iter().find(|t| t["name"] == "Support"))
        .expect("Support team")
        .clone();
    let mut members: Vec<Value> = support["member_ids"].as_array().expect("members").clone();
    members.push(json!(id_of("alice")));
    let (status, body) = Api::json(
        admin
            .put(
                &format!("/api/v1/teams/{}", support["id"]),
                &json!({ "name": support["name"], "lead_id": support["lead_id"], "member_ids": members }),
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let bob = app.api_as("bob").await;
    let broken = service_id(&bob, BROKEN_PC).await;
    let created = submit(
        &bob,
        broken,
        json!({ "inventaire": "PC-0042", "panne": "Écran noir" }),
    )
    .await;
    let request = created["id"].as_u64().expect("id");
    assert_eq!(
        notices_about(&app, "alice", request).await,
        0,
        "a requester in the team is not told"
    );
    assert!(
        notices_about(&app, "tom", request).await > 0,
        "the technician of the team is"
    );
}

/// How many notifications `user` has about `request`.
async fn notices_about(app: &TestApp, user: &str, request: u64) -> usize {
    let api = app.api_as(user).await;
    let (_, inbox) = Api::json(api.get("/api/v1/notifications").await).await;
    inbox["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|n| n["request_id"] == request)
        .count()
}

/// An action's body sent chunked (no length) is read like any other.
#[tokio::test]
async fn a_chunked_action_body_is_read() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::spawn().await;
    let alice = app.api_as("alice").await;
    let bob = app.api_as("bob").await;
    let vpn = service_id(&alice, VPN).await;
    let created = submit(&alice, vpn, vpn_data()).await;
    let id = created["id"].as_u64().expect("id");
    let body = r#"{"reason": "Pas de télétravail ce trimestre"}"#;
    let request = format!(
        "POST /api/v1/requests/{id}/reject HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n\
         {:x}\r\n{body}\r\n0\r\n\r\n",
        bob.token.as_deref().expect("token"),
        body.len()
    );
    let mut stream = tokio::net::TcpStream::connect(app.base.trim_start_matches("http://"))
        .await
        .expect("connect");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.expect("read");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let (_, after) = Api::json(alice.get(&format!("/api/v1/requests/{id}")).await).await;
    assert_eq!(after["status"], "rejected");
}
