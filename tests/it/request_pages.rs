//! Attachments (limits and who may download them), notifications reaching the right people,
//! the desk's filters and pages, my requests, and the access rules of these pages.

use crate::caches::header_count;
use crate::requests::{BROKEN_PC, PASSWORD, VPN, service_id, submit, vpn_data};
use crate::support::{Api, TestApp, location};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn number_of(confirmation: &str) -> String {
    confirmation
        .trim_start_matches("/requests/")
        .trim_end_matches("?created=1")
        .to_owned()
}

#[tokio::test]
async fn attachments_are_limited_stored_and_served_only_to_who_may_see_them() {
    let app = TestApp::spawn().await;
    let alice = app.signed_in("alice").await;
    let id = service_id(&app.api_as("alice").await, BROKEN_PC).await;
    let page = format!("/services/{id}");
    let fields = [
        ("inventaire", "PC-0042"),
        ("panne", "Écran noir au démarrage"),
    ];
    // What the file field accepts is said before the upload.
    let (_, form) = alice.get_text(&page).await;
    assert!(form.contains("JPG, JPEG, PNG — 5 Mio au plus."), "{form}");

    // A type the field does not accept: refused, and the file is asked again by name.
    let response = alice
        .submit_multipart(
            &page,
            &page,
            &fields,
            &[("photo", "virus.exe", b"MZ".to_vec())],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.expect("body");
    assert!(
        html.contains("Doit être l&#39;un de : jpg, jpeg, png")
            || html.contains("Doit être l'un de : jpg, jpeg, png"),
        "{html}"
    );
    assert!(html.contains("virus.exe — Choisissez à nouveau ce fichier"));
    assert!(html.contains("PC-0042"), "the other values are kept");
    // Larger than the field's 5 MiB.
    let big = vec![7u8; 5 * 1024 * 1024 + 1];
    let response = alice
        .submit_multipart(&page, &page, &fields, &[("photo", "photo.png", big)])
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response
            .text()
            .await
            .expect("body")
            .contains("5 Mio au plus")
    );
    // Larger than the server's upload limit (10 MiB): dropped while streaming, same message.
    let huge = vec![7u8; 10 * 1024 * 1024 + 1];
    let response = alice
        .submit_multipart(&page, &page, &fields, &[("photo", "photo.png", huge)])
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response
            .text()
            .await
            .expect("body")
            .contains("10 Mio au plus")
    );

    // A good one.
    let photo: Vec<u8> = (0..=255u8).cycle().take(40_000).collect();
    let response = alice
        .submit_multipart(
            &page,
            &page,
            &fields,
            &[("photo", "C:\\Users\\alice\\écran.png", photo.clone())],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let number = number_of(&location(&response));
    let (_, html) = alice.get_text(&format!("/requests/{number}")).await;
    assert!(
        html.contains("écran.png"),
        "the name without the client's path"
    );
    let file = format!("/requests/{number}/files/photo");
    assert!(html.contains(&file), "a download link");
    let download = alice.get(&file).await;
    assert_eq!(download.status(), StatusCode::OK);
    let disposition = download.headers()["content-disposition"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert_eq!(
        disposition,
        "attachment; filename=\"_cran.png\"; filename*=UTF-8''%C3%A9cran.png"
    );
    assert_eq!(
        download.headers()["content-type"],
        "application/octet-stream"
    );
    assert_eq!(download.bytes().await.expect("bytes").to_vec(), photo);
    // The technician may; another requester may not know it exists.
    assert_eq!(
        app.signed_in("tom").await.get(&file).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.signed_in("bob").await.get(&file).await.status(),
        StatusCode::NOT_FOUND
    );
    let api_file = format!("/api/v1/requests/{number}/attachments/photo");
    assert_eq!(
        app.api_as("bob").await.get(&api_file).await.status(),
        StatusCode::NOT_FOUND
    );
    let api_alice = app.api_as("alice").await;
    assert_eq!(api_alice.get(&api_file).await.status(), StatusCode::OK);
    assert_eq!(
        api_alice
            .get(&format!("/api/v1/requests/{number}/attachments/nope"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    // The API takes multipart too, and says 413 for a file over the server's limit.
    let form = reqwest::multipart::Form::new()
        .text("service_id", id.to_string())
        .text("inventaire", "PC-0043")
        .text("panne", "Ne démarre plus")
        .part(
            "photo",
            reqwest::multipart::Part::bytes(vec![1u8; 1000]).file_name("p.jpg"),
        );
    let response = api_alice
        .client
        .post(app.url("/api/v1/requests"))
        .bearer_auth(api_alice.token.as_deref().expect("token"))
        .multipart(form)
        .send()
        .await
        .expect("request");
    let (status, body) = Api::json(response).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["attachments"][0]["name"], "p.jpg");
    assert_eq!(body["attachments"][0]["size"], 1000);
    let form = reqwest::multipart::Form::new()
        .text("service_id", id.to_string())
        .part(
            "photo",
            reqwest::multipart::Part::bytes(vec![1u8; 10 * 1024 * 1024 + 1]).file_name("p.jpg"),
        );
    let response = api_alice
        .client
        .post(app.url("/api/v1/requests"))
        .bearer_auth(api_alice.token.as_deref().expect("token"))
        .multipart(form)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

async fn inbox(api: &Api) -> Value {
    let (status, body) = Api::json(api.get("/api/v1/notifications?limit=100").await).await;
    assert_eq!(status, StatusCode::OK);
    body
}

fn kinds_for(inbox: &Value, number: &str) -> Vec<String> {
    read_for(inbox, number)
        .into_iter()
        .map(|(kind, _)| kind)
        .collect()
}

/// The notices about request `number` in an inbox: kind and whether read.
fn read_for(inbox: &Value, number: &str) -> Vec<(String, bool)> {
    inbox["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|n| n["request_number"] == number)
        .map(|n| {
            let kind = n["kind"].as_str().expect("kind").to_owned();
            (kind, n["read"].as_bool().expect("read"))
        })
        .collect()
}

#[tokio::test]
async fn ones_own_submission_is_confirmed_read_and_one_filed_for_you_waits_unread() {
    let app = TestApp::spawn().await;
    let (alice, bob) = (app.api_as("alice").await, app.api_as("bob").await);
    let vpn = service_id(&alice, VPN).await;
    let unread = |inbox: &Value| inbox["unread"].as_u64().expect("unread");
    let before = unread(&inbox(&alice).await);
    let page = app.signed_in("alice").await;
    let (_, home) = page.get_text("/").await;
    let header = |html: &str| header_count(html, "/notifications");
    let badge = header(&home);
    assert_eq!(badge, before, "the header shows the inbox's count");

    // Filed by Alice herself: the confirmation is in her inbox, read; no count goes up.
    let mine = submit(&alice, vpn, vpn_data()).await;
    let mine = mine["number"].as_str().expect("number").to_owned();
    let now = inbox(&alice).await;
    assert_eq!(read_for(&now, &mine), vec![("submitted".to_owned(), true)]);
    assert_eq!(unread(&now), before, "her own action is no news to her");
    let (_, home) = page.get_text("/").await;
    assert_eq!(header(&home), badge, "nor in the header");
    // Bob, her manager, is told, unread.
    assert_eq!(
        read_for(&inbox(&bob).await, &mine),
        vec![("approval_needed".to_owned(), false)]
    );

    // Filed for her by Bob: news to her, unread until she opens it.
    let for_alice = json!({ "service_id": vpn, "data": vpn_data(), "requester_id": 3 });
    let (status, filed) = Api::json(bob.post("/api/v1/requests", &for_alice).await).await;
    assert_eq!(status, StatusCode::CREATED, "{filed}");
    let filed = filed["number"].as_str().expect("number").to_owned();
    let now = inbox(&alice).await;
    assert!(
        read_for(&now, &filed).contains(&("submitted".to_owned(), false)),
        "{:?}",
        read_for(&now, &filed)
    );
    assert!(unread(&now) > before);
    let (status, _) = page.get_text(&format!("/requests/{filed}")).await;
    assert_eq!(status, StatusCode::OK);
    let now = inbox(&alice).await;
    assert!(
        read_for(&now, &filed).iter().all(|(_, read)| *read),
        "read once opened"
    );
    assert_eq!(unread(&now), before);
}

#[tokio::test]
async fn notifications_reach_the_right_people() {
    let app = TestApp::spawn().await;
    let (alice, bob, tom, lea) = (
        app.api_as("alice").await,
        app.api_as("bob").await,
        app.api_as("tom").await,
        app.api_as("lea").await,
    );
    let vpn = service_id(&alice, VPN).await;
    let created = submit(
        &alice,
        vpn,
        json!({ "motif": "Télétravail", "duree": "1 mois", "equipement": "Ordinateur de l'organisation" }),
    )
    .await;
    let number = created["number"].as_str().expect("number").to_owned();
    assert_eq!(kinds_for(&inbox(&alice).await, &number), vec!["submitted"]);
    assert_eq!(
        kinds_for(&inbox(&bob).await, &number),
        vec!["approval_needed"]
    );
    assert!(
        kinds_for(&inbox(&lea).await, &number).is_empty(),
        "the team waits for approval"
    );

    bob.post(&format!("/api/v1/requests/{number}/approve"), &json!({}))
        .await;
    assert_eq!(
        kinds_for(&inbox(&alice).await, &number),
        vec!["approved", "submitted"]
    );
    assert_eq!(
        kinds_for(&inbox(&lea).await, &number),
        vec!["in_queue"],
        "Infrastructure is told"
    );
    lea.post(&format!("/api/v1/requests/{number}/take"), &json!({}))
        .await;
    alice
        .post(
            &format!("/api/v1/requests/{number}/comments"),
            &json!({ "body": "Merci !" }),
        )
        .await;
    lea.post(
        &format!("/api/v1/requests/{number}/comments"),
        &json!({ "body": "note", "internal": true }),
    )
    .await;
    assert_eq!(
        kinds_for(&inbox(&lea).await, &number),
        vec!["comment", "in_queue"]
    );
    assert_eq!(
        kinds_for(&inbox(&alice).await, &number),
        vec!["taken", "approved", "submitted"],
        "not told of internal notes nor of her own comment"
    );
    assert!(
        kinds_for(&inbox(&tom).await, &number).is_empty(),
        "Support is not concerned"
    );

    // The header counts unread ones; reading one opens its request; all can be marked read.
    let page = app.signed_in("alice").await;
    let unread = inbox(&alice).await["unread"].as_u64().expect("unread");
    assert!(unread >= 3);
    let (_, html) = page.get_text("/notifications").await;
    assert!(
        html.contains(&format!(
            "<span class=\"count\" aria-label=\"{unread} non lue(s)\">{unread}</span>"
        )),
        "count in the header"
    );
    assert!(html.contains("Votre demande est prise en charge"));
    let first = inbox(&alice).await["items"][0]["id"].as_u64().expect("id");
    let opened = page
        .submit(
            "/notifications",
            &format!("/notifications/{first}/read"),
            &[],
        )
        .await;
    assert_eq!(location(&opened), format!("/requests/{number}"));
    assert_eq!(inbox(&alice).await["unread"].as_u64(), Some(unread - 1));
    // Someone else's notification does not exist for me.
    let (status, _) = Api::json(
        bob.post(&format!("/api/v1/notifications/{first}/read"), &json!({}))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let done = page
        .submit("/notifications", "/notifications/read-all", &[])
        .await;
    assert_eq!(location(&done), "/notifications");
    assert_eq!(inbox(&alice).await["unread"], 0);
    let (_, html) = page.get_text("/").await;
    assert!(
        !html.contains("class=\"count\""),
        "no count once all is read"
    );
}

#[tokio::test]
async fn the_desk_filters_sorts_and_pages_for_the_it_team_only() {
    let app = TestApp::spawn().await;
    let alice = app.signed_in("alice").await;
    let (status, _) = alice.get_text("/desk").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, home) = alice.get_text("/").await;
    assert!(
        !home.contains("href=\"/desk\""),
        "no desk link for requesters"
    );

    let tom = app.signed_in("tom").await;
    let api = app.api_as("tom").await;
    let (_, html) = tom.get_text("/desk").await;
    assert!(html.contains("File de traitement"));
    // The demo history fills every status; each filter shows only its own.
    for status in [
        "new",
        "pending_approval",
        "approved",
        "in_progress",
        "done",
        "rejected",
        "cancelled",
    ] {
        let (code, body) = Api::json(
            api.get(&format!("/api/v1/requests?status={status}&limit=100"))
                .await,
        )
        .await;
        assert_eq!(code, StatusCode::OK);
        let items = body["items"].as_array().expect("items");
        assert!(!items.is_empty(), "the demo has {status} requests");
        assert!(items.iter().all(|r| r["status"] == status));
    }
    // Pages: 25 by default, a cursor to the next, no overlap, newest first or oldest first.
    let (_, first) = Api::json(api.get("/api/v1/requests?status=all").await).await;
    let items = first["items"].as_array().expect("items");
    assert_eq!(items.len(), 25);
    let ids: Vec<u64> = items.iter().filter_map(|r| r["id"].as_u64()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first");
    let next = first["next"].as_str().expect("a next page");
    let (_, second) = Api::json(
        api.get(&format!("/api/v1/requests?status=all&cursor={next}"))
            .await,
    )
    .await;
    let second_ids: Vec<u64> = second["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|r| r["id"].as_u64())
        .collect();
    assert_eq!(second_ids.first().copied(), ids.last().map(|l| l - 1));
    let (_, oldest) = Api::json(
        api.get("/api/v1/requests?status=all&sort=oldest&limit=3")
            .await,
    )
    .await;
    let oldest: Vec<u64> = oldest["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|r| r["id"].as_u64())
        .collect();
    assert_eq!(oldest, vec![1, 2, 3]);
    let (_, html) = tom.get_text("/desk?status=all").await;
    assert!(html.contains("before=REQ-"), "a next-page link");
    // Mine, unassigned, requester, service.
    let (_, mine) = Api::json(
        api.get("/api/v1/requests?status=all&mine=true&limit=100")
            .await,
    )
    .await;
    assert!(
        mine["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|r| r["assignee_id"] == 4)
    );
    let (_, none) = Api::json(api.get("/api/v1/requests?unassigned=true&limit=100").await).await;
    assert!(
        none["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|r| r["assignee_id"].is_null())
    );
    let (_, by_alice) = Api::json(
        api.get("/api/v1/requests?status=all&requester=3&limit=100")
            .await,
    )
    .await;
    assert!(
        by_alice["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|r| r["requester_id"] == 3)
    );
    let reset = service_id(&api, PASSWORD).await;
    let (_, by_service) = Api::json(
        api.get(&format!(
            "/api/v1/requests?status=all&service={reset}&limit=100"
        ))
        .await,
    )
    .await;
    let by_service = by_service["items"].as_array().expect("items");
    assert!(!by_service.is_empty() && by_service.iter().all(|r| r["service_id"] == reset));
    let (_, html) = tom.get_text("/desk?assignee=me&status=all").await;
    assert!(
        html.contains("<option value=\"me\" selected>"),
        "the filter is kept"
    );
    // Bad filters are named, never a 500.
    let (status, body) = Api::json(
        api.get("/api/v1/requests?status=bogus&service=x&sort=up")
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for key in ["status", "service", "sort"] {
        assert!(body["error"]["fields"][key].is_string(), "{key}");
    }
    let (status, _) = tom.get_text("/desk?status=bogus").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn my_requests_lists_open_ones_first_then_history_and_cancels() {
    let app = TestApp::spawn().await;
    let api = app.api_as("alice").await;
    let reset = service_id(&api, PASSWORD).await;
    let created = submit(
        &api,
        reset,
        json!({ "compte": "a.durand", "contact": "Par SMS" }),
    )
    .await;
    let number = created["number"].as_str().expect("number").to_owned();
    let page = app.signed_in("alice").await;
    let (_, html) = page.get_text("/my/requests").await;
    let open_at = html.find("Demandes en cours").expect("open section");
    let history_at = html.find("Historique").expect("history section");
    let mine_at = html.find(&number).expect("listed");
    assert!(
        open_at < mine_at && mine_at < history_at,
        "the new one is among the open ones"
    );
    assert!(
        html.contains("Terminée"),
        "the demo history shows done requests"
    );
    assert!(html.contains("/my/requests?before=REQ-"), "history pages");
    // Alice cancels it from its page; it moves to the history.
    let request_page = format!("/requests/{number}");
    let cancel = format!("{request_page}/cancel");
    let (status, html) = {
        let response = page.submit(&request_page, &cancel, &[]).await;
        (response.status(), response.text().await.expect("body"))
    };
    assert_eq!(status, StatusCode::OK, "asks first");
    assert!(html.contains("Annuler cette demande ?") && html.contains(&number));
    let (_, html) = page.get_text(&request_page).await;
    assert!(!html.contains("Annulée"), "nothing changes until confirmed");
    let response = page
        .submit(&request_page, &cancel, &[("confirm", "yes")])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, html) = page.get_text(&location(&response)).await;
    assert!(html.contains("Annulée") && html.contains("La demande a été annulée."));
    assert!(!html.contains("/cancel\""), "nothing more to cancel");
    let (_, html) = page.get_text("/my/requests").await;
    let mine_at = html.find(&number).expect("listed");
    assert!(html.find("Historique").expect("history") < mine_at);
    // Forms without their token are refused.
    let response = page
        .post_raw(&format!("{request_page}/comments"), &[("body", "x")])
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    // Not signed in: the sign-in page.
    let anonymous = app.browser();
    for path in [
        "/my/requests",
        "/approvals",
        "/desk",
        "/notifications",
        request_page.as_str(),
    ] {
        let response = anonymous.get(path).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
        assert!(location(&response).starts_with("/login"));
    }
    assert_eq!(
        app.api(None).get("/api/v1/requests").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn rejecting_needs_a_reason_on_the_page_and_assigning_needs_a_technician() {
    let app = TestApp::spawn().await;
    let alice = app.api_as("alice").await;
    let vpn = service_id(&alice, VPN).await;
    let created = submit(
        &alice,
        vpn,
        json!({ "motif": "Déplacements", "duree": "1 mois", "equipement": "Ordinateur personnel" }),
    )
    .await;
    let number = created["number"].as_str().expect("number").to_owned();
    let page = format!("/requests/{number}");
    let bob = app.signed_in("bob").await;
    let response = bob
        .submit(
            &page,
            &format!("{page}/decide"),
            &[("decision", "reject"), ("reason", " ")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.expect("body");
    assert!(
        html.contains("Ce champ est obligatoire"),
        "the reason is asked"
    );
    assert!(html.contains("En attente de validation"), "nothing changed");
    bob.submit(
        &page,
        &format!("{page}/decide"),
        &[("decision", "approve"), ("reason", "")],
    )
    .await;

    // Tom assigns it to Léa: she is told; a requester cannot be given a request.
    let tom = app.api_as("tom").await;
    let (status, body) = Api::json(
        tom.post(
            &format!("/api/v1/requests/{number}/assign"),
            &json!({ "user_id": 5 }),
        )
        .await,
    )
    .await;
    assert_eq!((status, &body["assignee_id"]), (StatusCode::OK, &json!(5)));
    assert_eq!(
        body["status"], "approved",
        "assigning does not change the status"
    );
    assert!(
        kinds_for(&inbox(&app.api_as("lea").await).await, &number).contains(&"assigned".to_owned())
    );
    let (status, body) = Api::json(
        tom.post(
            &format!("/api/v1/requests/{number}/assign"),
            &json!({ "user_id": 3 }),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["user_id"].is_string());
    let (status, _) = Api::json(
        tom.post(
            &format!("/api/v1/requests/{number}/assign"),
            &json!({ "user_id": "x" }),
        )
        .await,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a wrong body is named"
    );
    // The technician's page offers the actions; the requester's does not.
    let (_, html) = app.signed_in("tom").await.get_text(&page).await;
    assert!(html.contains("/take\"") && html.contains("/assign\""));
    let (_, html) = app.signed_in("alice").await.get_text(&page).await;
    assert!(!html.contains("/take\"") && !html.contains("/assign\"") && html.contains("/cancel\""));
}

/// An action's address opened as a page leads back to the page it belongs to, never to a bare
/// 405; the API answers in JSON.
#[tokio::test]
async fn opening_an_action_address_leads_back_to_its_page() {
    let app = TestApp::spawn().await;
    let tom = app.signed_in("tom").await;
    for (action, page) in [
        ("/logout", "/"),
        ("/requests/REQ-000001/comments", "/requests/REQ-000001"),
        ("/requests/REQ-000001/complete", "/requests/REQ-000001"),
        ("/notifications/read-all", "/notifications"),
    ] {
        let response = tom.get(action).await;
        assert_eq!(
            response.status(),
            reqwest::StatusCode::SEE_OTHER,
            "{action}"
        );
        assert_eq!(location(&response), page, "{action}");
    }
    let api = app.api_as("tom").await;
    let (status, body) = Api::json(api.get("/api/v1/requests/1/take").await).await;
    assert_eq!(status, reqwest::StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(body["error"]["code"], "method_not_allowed");
}

/// A form sent after the session ended is not lost: the sign-in page says why, and after
/// signing in again the same form comes back with what was typed, once, in this browser only.
#[tokio::test]
async fn a_form_sent_after_the_session_ended_comes_back_filled_after_sign_in() {
    let app = TestApp::spawn().await;
    let alice = app.signed_in("alice").await;
    let api = app.api_as("alice").await;
    let id = service_id(&api, BROKEN_PC).await;
    let page = format!("/services/{id}");
    let (_, html) = alice.get_text(&page).await;
    let token = crate::support::csrf_of(&html).expect("form token");
    app.clock.advance(13 * 3600);

    let form = reqwest::multipart::Form::new()
        .text("_csrf", token)
        .text("inventaire", "INV-7731")
        .text("panne", "L'écran clignote puis s'éteint.");
    let response = alice
        .client
        .post(app.url(&page))
        .multipart(form)
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let login = location(&response);
    assert!(
        login.starts_with("/login?") && login.contains("expired=1"),
        "{login}"
    );
    let (_, html) = alice.get_text(&login).await;
    assert!(html.contains("Votre session avait expiré"), "{html}");

    // Nothing was submitted; another browser signing in finds an empty form.
    let other = app.signed_in("alice").await;
    let (_, html) = other.get_text(&page).await;
    assert!(
        !html.contains("INV-7731"),
        "the draft stays with its browser"
    );

    let signed = alice
        .submit(
            &login,
            "/login",
            &[("username", "alice"), ("password", "demo"), ("next", &page)],
        )
        .await;
    assert_eq!(location(&signed), page, "back to the same form");
    let (_, html) = alice.get_text(&page).await;
    assert!(
        html.contains("value=\"INV-7731\"") && html.contains("L&#39;écran clignote")
            || html.contains("value=\"INV-7731\"") && html.contains("L'écran clignote"),
        "{html}"
    );
    assert!(html.contains("Ce que vous aviez saisi avant de vous reconnecter est revenu."));
    let (_, html) = alice.get_text(&page).await;
    assert!(!html.contains("INV-7731"), "given back once");
    let api = app.api_as("alice").await;
    let (status, list) = Api::json(api.get("/api/v1/requests?status=all").await).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert!(!list["items"].as_array().expect("items").is_empty());
    assert!(
        !list.to_string().contains("INV-7731"),
        "nothing was submitted"
    );
}

/// A late due date says so in words, not by its colour alone.
#[tokio::test]
async fn late_requests_say_so_in_words() {
    let app = TestApp::spawn().await;
    let tom = app.signed_in("tom").await;
    let (_, html) = tom.get_text("/desk?status=open&sort=oldest").await;
    let late = html.matches("class=\"late\"").count();
    assert!(late > 0, "the demo has late requests in the desk");
    // Past an expected date: "late"; past an SLA deadline: "overdue".
    let labelled = html
        .matches("class=\"badge late-badge\">En retard<")
        .count()
        + html
            .matches("class=\"badge late-badge\">Délai dépassé<")
            .count();
    assert_eq!(labelled, late, "every late date is labelled");
    // A date on time is written bare: no element with an empty class.
    assert!(!html.contains("class=\"\""), "an empty class in the desk");
    assert!(html.contains("<th>Prévue le</th>"), "the due column");
}

/// The inbox reads newest first, by time, across pages: the demo's history (played request by
/// request) included.
#[tokio::test]
async fn notifications_come_newest_first() {
    let app = TestApp::spawn().await;
    for user in ["alice", "bob", "tom"] {
        let api = app.api_as(user).await;
        let mut times = Vec::new();
        let mut cursor: Option<u64> = None;
        loop {
            let path = match cursor {
                Some(c) => format!("/api/v1/notifications?limit=50&cursor={c}"),
                None => "/api/v1/notifications?limit=50".to_owned(),
            };
            let (status, page) = Api::json(api.get(&path).await).await;
            assert_eq!(status, StatusCode::OK, "{page}");
            for n in page["items"].as_array().expect("items") {
                times.push(n["at"].as_str().expect("at").to_owned());
            }
            match page["next"].as_u64() {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        assert!(times.len() > 10, "{user} has a history");
        let mut sorted = times.clone();
        sorted.sort_by(|a, b| b.cmp(a));
        assert_eq!(times, sorted, "{user}'s notifications are newest first");
    }
}
