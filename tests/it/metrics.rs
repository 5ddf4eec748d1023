//! Metrics roll-ups: kept on every write, they equal a rebuild from the requests after random
//! histories (submissions, approvals, rejections, takes, pauses, answers, completions,
//! cancellations and SLA scans); they are rebuilt when the time zone changes; and the
//! `guichet rollups` command finds a difference, rebuilds, and finds none.

use crate::requests::{BROKEN_PC, PASSWORD, VPN, service_id, vpn_data};
use crate::support::{Api, TestApp};
use guichet::domain::ServiceId;
use guichet::domain::metrics::{Counters, RollupKey};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// xorshift64: the same histories on every run, different ones per seed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }

    fn index(&mut self, len: usize) -> usize {
        let n = u64::try_from(len).unwrap_or(u64::MAX);
        usize::try_from(self.below(n)).unwrap_or(0)
    }
}

struct Actors {
    admin: Api,
    tom: Api,
    alice: Api,
    bob: Api,
}

async fn sign_in(app: &TestApp) -> Actors {
    Actors {
        admin: app.api_as("admin").await,
        tom: app.api_as("tom").await,
        alice: app.api_as("alice").await,
        bob: app.api_as("bob").await,
    }
}

fn totals(rows: &[(RollupKey, Counters)]) -> Counters {
    let mut sum = Counters::default();
    for (_, c) in rows {
        sum.add(c, 1);
    }
    sum
}

/// How many requests the API lists with `status`.
async fn count(api: &Api, status: &str) -> i64 {
    let mut n = 0;
    let mut cursor = String::new();
    loop {
        let path = format!("/api/v1/requests?status={status}&limit=100{cursor}");
        let (_, page) = Api::json(api.get(&path).await).await;
        n += i64::try_from(page["items"].as_array().map_or(0, Vec::len)).unwrap_or(0);
        match page["next"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => return n,
        }
    }
}

async fn random_history(app: &TestApp, seed: u64, steps: usize) {
    let mut rng = Rng(seed);
    let mut who = sign_in(app).await;
    let admin = &app.api_as("admin").await;
    let services = [
        (
            service_id(admin, PASSWORD).await,
            json!({"compte": "a.durand", "contact": "Par SMS"}),
        ),
        (service_id(admin, VPN).await, vpn_data()),
        (
            service_id(admin, BROKEN_PC).await,
            json!({"inventaire": "PC-1", "panne": "Écran noir"}),
        ),
    ];
    let mut mine: Vec<(u64, bool)> = Vec::new(); // (request id, submitted by alice)
    for step in 0..steps {
        if step % 12 == 11 {
            who = sign_in(app).await; // tokens last 12 h of the manual clock
        }
        let pick = rng.below(10);
        if mine.is_empty() || pick < 3 {
            let (service, data) = &services[rng.index(services.len())];
            let by_alice = rng.below(2) == 0;
            let api = if by_alice { &who.alice } else { &who.bob };
            let body = json!({"service_id": service, "data": data});
            let (status, created) = Api::json(api.post("/api/v1/requests", &body).await).await;
            assert_eq!(status, StatusCode::CREATED, "{created}");
            mine.push((created["id"].as_u64().expect("id"), by_alice));
        } else {
            let (id, by_alice) = mine[rng.index(mine.len())];
            let requester = if by_alice { &who.alice } else { &who.bob };
            let (api, action, body): (&Api, &str, Value) = match pick {
                3 => (&who.admin, "approve", json!({"comment": ""})),
                4 => (&who.admin, "reject", json!({"reason": "Non"})),
                5 => (&who.tom, "take", json!({})),
                6 => (&who.tom, "wait", json!({"comment": "Quel poste ?"})),
                7 => (
                    requester,
                    "comments",
                    json!({"body": "Le mien", "internal": false}),
                ),
                8 => (&who.tom, "complete", json!({"resolution": "Fait"})),
                _ => (requester, "cancel", json!({})),
            };
            // Refused transitions (409) are part of a random history: they change nothing.
            let status = api
                .post(&format!("/api/v1/requests/{id}/{action}"), &body)
                .await
                .status();
            assert!(
                [
                    StatusCode::OK,
                    StatusCode::CREATED,
                    StatusCode::CONFLICT,
                    StatusCode::FORBIDDEN
                ]
                .contains(&status),
                "{action} on {id}: {status}"
            );
        }
        app.clock
            .advance(i64::try_from(rng.below(50 * 60)).unwrap_or(0));
        app.ops().run_due(app.ops().now()).await.expect("jobs run");
    }
}

#[tokio::test]
async fn rollups_kept_on_each_write_equal_a_rebuild_after_random_histories() {
    let app = TestApp::spawn().await;
    // The demo's history was played through the same writes.
    assert_eq!(app.ops().check_rollups(false).await.expect("check"), 0);
    for seed in [0x9e37_79b9_7f4a_7c15, 42, 7_777_777] {
        random_history(&app, seed, 40).await;
        assert_eq!(
            app.ops().check_rollups(false).await.expect("check"),
            0,
            "seed {seed}: the roll-ups kept on each write differ from a rebuild"
        );
    }
    let admin = app.api_as("admin").await;
    let sum = totals(&app.ops().rollups(i32::MIN, i32::MAX).expect("rows"));
    assert_eq!(sum.submitted, count(&admin, "all").await);
    assert_eq!(sum.finished, count(&admin, "done").await);
    assert_eq!(sum.rejected, count(&admin, "rejected").await);
    assert_eq!(sum.cancelled, count(&admin, "cancelled").await);
    assert!(sum.sla_met + sum.sla_breached + sum.estimate_met + sum.estimate_late <= sum.finished);
    assert!(sum.finished > 0 && sum.paused_seconds >= 0 && sum.work_seconds > 0);
}

#[tokio::test]
async fn a_new_time_zone_recounts_the_days_and_the_command_repairs_a_difference() {
    let mut app = TestApp::spawn().await;
    let before = app.ops().rollups(i32::MIN, i32::MAX).expect("rows");
    let data = app.data.clone();
    app.shutdown().await;
    // Far from Paris, the same requests fall on other days: rebuilt at start-up.
    let mut app = TestApp::restart_on(data.clone(), |c| {
        c.time_zone = Some("Pacific/Kiritimati".into());
    })
    .await;
    let after = app.ops().rollups(i32::MIN, i32::MAX).expect("rows");
    assert_ne!(before, after, "days counted again in the new zone");
    assert_eq!(totals(&before).submitted, totals(&after).submitted);
    assert_eq!(app.ops().check_rollups(false).await.expect("check"), 0);
    app.shutdown().await;
    // Back in the system's zone, which the command below uses too.
    let mut app = TestApp::restart_on(data.clone(), |_| {}).await;
    assert_eq!(
        totals(&app.ops().rollups(i32::MIN, i32::MAX).expect("rows")),
        totals(&before)
    );
    app.shutdown().await;

    // A row that no request explains: found, repaired on demand, gone.
    let store_path = data.path().join("guichet.redb");
    let store = guichet::storage::Store::open(&store_path, 1 << 20).expect("store");
    let bogus = RollupKey {
        day: 1,
        service: ServiceId(1),
        team: None,
        assignee: None,
    };
    let extra = Counters {
        submitted: 5,
        ..Counters::default()
    };
    store
        .write(|w| w.add_rollups(&[(bogus, extra)], 1))
        .expect("tamper");
    drop(store);
    let out = crate::cli::guichet(data.path(), &["rollups"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 roll-up rows differ"));
    let out = crate::cli::guichet(data.path(), &["rollups", "--rebuild"], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("rebuilt"));
    let out = crate::cli::guichet(data.path(), &["rollups"], None);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("match the requests"));
}

/// Creates a service of the Support team with an empty form.
async fn new_service(admin: &Api, name: &str, approval: bool, estimate_hours: Option<u32>) -> u64 {
    let body = json!({
        "name": name, "description": "Pour les statistiques.", "category_id": 2,
        "requires_approval": approval,
        "approval_steps": if approval { json!([{"rule": "manager"}]) } else { json!([]) },
        "estimated_delay": estimate_hours.map(|h| json!({"value": h, "unit": "hours"})),
        "team_id": 1, "form": [],
    });
    let (status, created) = Api::json(admin.post("/api/v1/services", &body).await).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created["id"].as_u64().expect("id")
}

async fn file(api: &Api, service: u64) -> u64 {
    let body = json!({"service_id": service, "data": {}});
    let (status, created) = Api::json(api.post("/api/v1/requests", &body).await).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created["id"].as_u64().expect("id")
}

async fn step(api: &Api, id: u64, action: &str, body: Value) {
    let response = api
        .post(&format!("/api/v1/requests/{id}/{action}"), &body)
        .await;
    assert!(
        response.status().is_success(),
        "{action} on {id}: {}",
        response.status()
    );
}

#[tokio::test]
async fn the_metrics_api_gives_the_figures_of_a_small_history_computed_by_hand() {
    let app = TestApp::spawn_configured(|c| c.time_zone = Some("UTC".into())).await;
    let who = sign_in(&app).await;
    let a = new_service(&who.admin, "Prêt de badge", false, Some(2)).await;
    let b = new_service(&who.admin, "Accès au coffre", true, None).await;
    let idle = new_service(&who.admin, "Télécopie", false, None).await;
    const H: i64 = 3600;
    // Hour 0: six requests.
    let r1 = file(&who.alice, a).await;
    let r2 = file(&who.bob, a).await;
    let r3 = file(&who.alice, a).await;
    let _open_and_late = file(&who.bob, a).await;
    let r5 = file(&who.alice, b).await;
    let r6 = file(&who.bob, b).await;
    app.clock.advance(H / 4);
    step(&who.alice, r3, "cancel", json!({})).await;
    app.clock.advance(H / 4);
    step(&who.tom, r2, "take", json!({})).await;
    app.clock.advance(H / 2); // hour 1
    step(&who.tom, r1, "take", json!({})).await;
    step(&who.admin, r6, "reject", json!({"reason": "Non"})).await;
    app.clock.advance(H / 2);
    step(&who.tom, r2, "complete", json!({"resolution": "Fait"})).await;
    app.clock.advance(H / 2); // hour 2
    step(&who.tom, r1, "wait", json!({"comment": "Quel bâtiment ?"})).await;
    step(&who.admin, r5, "approve", json!({"comment": ""})).await;
    app.clock.advance(H); // hour 3
    step(
        &who.alice,
        r1,
        "comments",
        json!({"body": "Le B", "internal": false}),
    )
    .await;
    step(&who.tom, r5, "take", json!({})).await;
    app.clock.advance(H); // hour 4
    step(&who.tom, r5, "complete", json!({"resolution": "Fait"})).await;
    app.clock.advance(H); // hour 5
    step(&who.tom, r1, "complete", json!({"resolution": "Fait"})).await;
    app.clock.advance(H); // hour 6: r4 is still open, 4 h past its expected date

    let day = "2026-11-28";
    let path = |filter: String| format!("/api/v1/metrics?from={day}&to={day}{filter}");
    let (status, m) = Api::json(who.tom.get(&path(format!("&service={a}"))).await).await;
    assert_eq!(status, StatusCode::OK, "{m}");
    let s = &m["services"][0];
    assert_eq!(m["services"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        (s["count"].as_i64(), s["finished"].as_i64()),
        (Some(4), Some(2))
    );
    // r1: 5 h (1 h in the queue, 1 h paused, 3 h of work); r2: 1.5 h (0.5 h queue, 1 h work).
    assert_eq!(s["mean_seconds"], json!(13 * H / 4));
    assert_eq!(s["approval_seconds"], json!(0));
    assert_eq!(s["queue_seconds"], json!(3 * H / 4));
    assert_eq!(s["work_seconds"], json!(2 * H));
    assert_eq!(s["paused_seconds"], json!(H / 2));
    assert_eq!(s["response_mean_seconds"], json!(3 * H / 4));
    assert_eq!(s["estimate_seconds"], json!(2 * H));
    let near = |v: &Value, exact: i64| (v.as_i64().expect("n") - exact).abs() * 20 <= exact;
    assert!(near(&s["median_seconds"], 3 * H / 2), "{s}");
    assert!(near(&s["p90_seconds"], 5 * H), "{s}");
    // Estimates: r2 met; r1 done late, r4 open and late; r3 cancelled: not counted.
    assert_eq!(
        m["compliance"]["estimate"],
        json!({"met": 1, "late": 2, "rate": 1.0 / 3.0})
    );
    assert_eq!(
        m["compliance"]["sla"],
        json!({"met": 0, "breached": 0, "rate": null})
    );
    assert_eq!(
        m["top"],
        json!([{"service_id": a, "name": "Prêt de badge", "count": 4, "previous": 0}])
    );
    assert_eq!(
        m["flow"],
        json!([{"period": day, "submitted": 4, "finished": 2}])
    );
    assert_eq!(
        m["backlog"],
        json!([{"status": "new", "age_group": 0, "count": 1}])
    );
    assert_eq!(m["volume"][0]["period"], day);
    assert_eq!(m["volume"][0]["count"], 4);
    let tom = m["technicians"]
        .as_array()
        .and_then(|t| t.iter().find(|t| t["name"] == "Tom Bernard"))
        .expect("tom");
    assert_eq!(
        (tom["finished"].as_i64(), tom["open"].as_i64()),
        (Some(2), Some(0))
    );

    // With approval: 2 h waiting for it, 1 h in the queue, 1 h of work; the rejection counts
    // as submitted, never as finished.
    let (_, m) = Api::json(who.tom.get(&path(format!("&service={b}"))).await).await;
    let s = &m["services"][0];
    assert_eq!(
        (s["count"].as_i64(), s["finished"].as_i64()),
        (Some(2), Some(1))
    );
    assert_eq!(s["approval_seconds"], json!(2 * H));
    assert_eq!(s["queue_seconds"], json!(H));
    assert_eq!(s["work_seconds"], json!(H));
    assert_eq!(s["mean_seconds"], json!(4 * H));

    // The new idle service is never requested, and retiring it is suggested.
    let (_, m) = Api::json(who.admin.get(&path(String::new())).await).await;
    let never = m["never_requested"].as_array().expect("list");
    assert!(never.iter().any(|s| s["service_id"] == idle));
    let retire = m["conclusions"]["retire"].as_array().expect("retire");
    assert!(
        retire.iter().any(|s| s["name"] == "Télécopie"),
        "the demo's fax service is never requested: {retire:?}"
    );
    assert!(
        retire.iter().any(|s| s["service_id"] == idle
            && s["reason"].as_str().is_some_and(|r| r.contains("90 days")))
    );

    // Refused: requesters (as if it did not exist), a bad date, a reversed period.
    let (status, _) = Api::json(who.alice.get(&path(String::new())).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = Api::json(who.tom.get("/api/v1/metrics?from=28/11/2026").await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["from"].is_string(), "{body}");
    let (status, _) = Api::json(
        who.tom
            .get("/api/v1/metrics?from=2026-12-01&to=2026-11-01")
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_metrics_page_and_its_csv_carry_the_same_figures_for_staff_only() {
    let app = TestApp::spawn_configured(|c| c.time_zone = Some("UTC".into())).await;
    let who = sign_in(&app).await;
    let formula = new_service(&who.admin, "=SOMME(A1:A9)", false, Some(1)).await;
    for _ in 0..3 {
        file(&who.alice, formula).await;
    }
    let query = format!("from=2026-11-01&to=2026-11-28&service={formula}");
    let tom = app.signed_in("tom").await;
    let (status, html) = tom.get_text(&format!("/metrics?{query}")).await;
    assert_eq!(status, StatusCode::OK);
    for shown in [
        "Statistiques",
        "Engagements tenus",
        "Ce que les chiffres suggèrent",
        "role=\"img\"",
        "class=\"sparkline\"",
        "id=\"services\"",
        "id=\"teams\"",
    ] {
        assert!(html.contains(shown), "{shown}");
    }
    assert!(html.contains(&format!(
        "/metrics/export/top?{}",
        query.replace('&', "&amp;")
    )));

    // French: a byte-order mark, `;`, French headers, the formula neutralised, numbers as numbers.
    let response = tom.get(&format!("/metrics/export/top?{query}")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let kind = response.headers()["content-type"]
        .to_str()
        .expect("type")
        .to_owned();
    assert!(kind.starts_with("text/csv"), "{kind}");
    let bytes = response.bytes().await.expect("body");
    assert!(bytes.starts_with("\u{feff}".as_bytes()));
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(&bytes[3..]);
    let headers = reader.headers().expect("headers").clone();
    assert_eq!(
        headers.iter().collect::<Vec<_>>(),
        ["Service", "Demandes", "Période précédente"]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(&rows[0][0], "'=SOMME(A1:A9)");
    assert_eq!(rows[0][1].parse::<i64>().ok(), Some(3));

    // English: `,` and English headers; the same numbers as the JSON.
    let response = tom
        .client
        .get(tom.base.clone() + &format!("/metrics/export/compliance?{query}"))
        .header("accept-language", "en")
        .send()
        .await
        .expect("csv");
    let bytes = response.bytes().await.expect("body");
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    assert_eq!(reader.headers().expect("headers").get(1), Some("met"));
    let estimate = reader.records().nth(1).expect("row").expect("row");
    let (_, api) = Api::json(who.tom.get(&format!("/api/v1/metrics?{query}")).await).await;
    assert_eq!(
        estimate[1].parse::<i64>().ok(),
        api["compliance"]["estimate"]["met"].as_i64()
    );
    assert_eq!(
        estimate[2].parse::<i64>().ok(),
        api["compliance"]["estimate"]["late"].as_i64()
    );

    // The open requests are read once per commit: a new one shows on the very next call.
    let open = |m: &Value| {
        m["backlog"].as_array().map_or(0, |b| {
            b.iter().filter_map(|g| g["count"].as_i64()).sum::<i64>()
        })
    };
    let before = open(&api);
    let (_, again) = Api::json(who.tom.get(&format!("/api/v1/metrics?{query}")).await).await;
    assert_eq!(open(&again), before, "nothing changed, the same figures");
    file(&who.alice, formula).await;
    let (_, after) = Api::json(who.tom.get(&format!("/api/v1/metrics?{query}")).await).await;
    assert_eq!(open(&after), before + 1);
    assert_eq!(after["top"][0]["count"], json!(4));

    // Nobody else: requesters get 404 for the page and every export; unknown tables too.
    let alice = app.signed_in("alice").await;
    for path in [
        "/metrics",
        "/metrics/export/services",
        "/metrics/export/top",
    ] {
        assert_eq!(
            alice.get(path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let (_, html) = alice.get_text("/").await;
    assert!(
        !html.contains("href=\"/metrics\""),
        "no link for requesters"
    );
    assert_eq!(
        tom.get("/metrics/export/salaries").await.status(),
        StatusCode::NOT_FOUND
    );
    let anonymous = app.browser().get("/metrics").await;
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);
    let (status, _) = tom.get_text("/metrics?from=demain").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_service_may_show_its_usual_time_once_enough_requests_were_finished() {
    let app = TestApp::spawn_configured(|c| c.time_zone = Some("UTC".into())).await;
    let who = sign_in(&app).await;
    let body = json!({
        "name": "Prêt de projecteur", "category_id": 2, "team_id": 1, "form": [],
        "estimated_delay": {"value": 1, "unit": "days"}, "show_usual_time": true,
    });
    let (status, created) = Api::json(who.admin.post("/api/v1/services", &body).await).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["show_usual_time"], json!(true));
    assert_eq!(created["created_at"], json!("2026-11-28T09:00:00Z"));
    let service = created["id"].as_u64().expect("id");
    let alice = app.signed_in("alice").await;
    for done in 1..=5 {
        let id = file(&who.alice, service).await;
        step(&who.tom, id, "take", json!({})).await;
        app.clock.advance(2 * 3600);
        step(&who.tom, id, "complete", json!({"resolution": "Prêté"})).await;
        let (_, html) = alice.get_text(&format!("/services/{service}")).await;
        // Four finished requests say too little; the fifth makes a usual time.
        assert_eq!(html.contains("Délai habituel"), done == 5, "after {done}");
    }
    let (_, html) = alice.get_text(&format!("/services/{service}")).await;
    let at = html.find("Délai habituel").expect("shown");
    let shown = &html[at..at + 80];
    assert!(
        shown.contains("<dd>1 h 5") || shown.contains("<dd>2 h"),
        "the median of five times 2 h, within 5 %: {shown}"
    );
    // The idle one is listed with its creation date.
    let (_, m) = Api::json(
        who.tom
            .get("/api/v1/metrics?from=2026-11-28&to=2026-11-28")
            .await,
    )
    .await;
    assert!(
        m["never_requested"]
            .as_array()
            .is_some_and(|n| n.iter().all(|s| s.get("created_at").is_some()))
    );
    // The next day reads those requests among the past days' (kept between views), and 90
    // days later they have left the window.
    for (days, shown) in [(1, true), (89, false)] {
        app.clock.advance(days * 86_400);
        let (status, html) = app
            .signed_in("alice")
            .await
            .get_text(&format!("/services/{service}"))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("Prêt de projecteur"));
        assert_eq!(html.contains("Délai habituel"), shown, "{days} days later");
    }
}
