//! Finding requests by their words over HTTP: the desk, "my requests" and the API take `q`;
//! the index follows submissions (here caught up at once, as the background task does a moment
//! later), and a hit never shows a request to someone who may not see it.

use crate::requests::{PASSWORD, service_id, submit};
use crate::support::{Api, TestApp};
use reqwest::StatusCode;
use serde_json::json;

/// Every number a listing of every status gives, page after page (`limit` at a time).
async fn all_pages(api: &Api, limit: u32, query: &str) -> Vec<String> {
    every_page(api, limit, &format!("status=all&{query}")).await
}

async fn numbers(api: &Api, query: &str) -> Vec<String> {
    let (status, page) = Api::json(
        api.get(&format!("/api/v1/requests?status=all&limit=100&{query}"))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|r| r["number"].as_str().expect("number").to_owned())
        .collect()
}

#[tokio::test]
async fn the_desk_my_requests_and_the_api_find_requests_by_their_words() {
    let app = TestApp::spawn().await;
    let (alice, tom, bob) = (
        app.api_as("alice").await,
        app.api_as("tom").await,
        app.api_as("bob").await,
    );
    let service = service_id(&alice, PASSWORD).await;
    let hers = submit(
        &alice,
        service,
        json!({ "compte": "zanzibar.k", "contact": "Par SMS" }),
    )
    .await;
    let his = submit(
        &tom,
        service,
        json!({ "compte": "zanzibar.t", "contact": "Par SMS" }),
    )
    .await;
    let (hers, his) = (
        hers["number"].as_str().expect("n").to_owned(),
        his["number"].as_str().expect("n").to_owned(),
    );
    assert!(app.ops().index_requests_now().expect("indexed") >= 2);
    assert_eq!(
        app.ops().index_requests_now().expect("indexed"),
        0,
        "nothing twice"
    );
    // The IT team finds both, newest first; Alice her own; Bob none of them.
    assert_eq!(
        numbers(&tom, "q=zanzibar").await,
        vec![his.clone(), hers.clone()]
    );
    assert_eq!(numbers(&alice, "q=Zanzibar").await, vec![hers.clone()]);
    assert!(numbers(&bob, "q=zanzibar").await.is_empty());
    // Every word must be there; a prefix of the last one is enough; the number finds it too.
    assert_eq!(numbers(&tom, "q=zanzibar+durand").await, vec![hers.clone()]);
    assert_eq!(numbers(&tom, "q=zanzib").await.len(), 2);
    assert_eq!(
        numbers(&tom, &format!("q={hers}")).await.first(),
        Some(&hers)
    );
    // Page after page, a word every request of a service holds lists that service's requests:
    // by 100, and by 5, where the word is too common to be searched everywhere at once and
    // the search goes through windows of ids.
    let by_words = all_pages(&tom, 100, &format!("q=passe&service={service}")).await;
    assert!(by_words.len() > 100, "{}", by_words.len());
    let by_service = all_pages(&tom, 100, &format!("service={service}")).await;
    assert_eq!(by_words, by_service);
    let by_fives = all_pages(&tom, 5, &format!("q=pass&service={service}")).await;
    assert_eq!(by_fives, by_service);
    // With the listing's other filters.
    assert!(numbers(&tom, "q=zanzibar&status=done").await.is_empty());
    // The pages.
    let (_, desk) = app
        .signed_in("tom")
        .await
        .get_text("/desk?status=all&q=zanzibar")
        .await;
    assert!(desk.contains(&hers) && desk.contains(&his) && desk.contains("value=\"zanzibar\""));
    let (_, mine) = app
        .signed_in("alice")
        .await
        .get_text("/my/requests?q=zanzibar")
        .await;
    assert!(mine.contains(&hers) && !mine.contains(&his));
    let (status, _) = app
        .signed_in("alice")
        .await
        .get_text(&format!("/my/requests?q={}", "x".repeat(201)))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // Searched again as soon as a new request is indexed (the search was just asked, its
    // hits kept until the index changes), it is found, and on the desk's page too.
    let newer = submit(
        &alice,
        service,
        json!({ "compte": "zanzibar.n", "contact": "Par SMS" }),
    )
    .await;
    let newer = newer["number"].as_str().expect("n").to_owned();
    assert_eq!(app.ops().index_requests_now().expect("indexed"), 1);
    assert_eq!(
        numbers(&tom, "q=zanzibar").await,
        vec![newer.clone(), his.clone(), hers.clone()]
    );
    let (_, desk) = app
        .signed_in("tom")
        .await
        .get_text("/desk?status=all&q=zanzibar")
        .await;
    assert!(
        desk.contains(&newer),
        "the desk's search shows the new request"
    );
    // The index survives a restart and catches up on what it missed.
    let app = app.restart().await;
    let alice = app.api_as("alice").await;
    let later = submit(
        &alice,
        service,
        json!({ "compte": "zanzibar.z", "contact": "Par SMS" }),
    )
    .await;
    assert_eq!(app.ops().index_requests_now().expect("indexed"), 1);
    let found = numbers(&alice, "q=zanzibar").await;
    assert_eq!(
        found,
        vec![later["number"].as_str().expect("n").to_owned(), newer, hers]
    );
}

/// Users and words drawn at random (a fixed seed): whatever anyone looks for, each request
/// they are shown is one its own page would show them.
#[tokio::test]
async fn a_search_never_shows_a_request_its_viewer_may_not_see() {
    let app = TestApp::spawn().await;
    app.ops().index_requests_now().expect("indexed");
    let users = ["admin", "bob", "alice", "tom", "lea"];
    let words = [
        "mot",
        "passe",
        "vpn",
        "alice",
        "durand",
        "bob",
        "martin",
        "poste",
        "REQ-000120",
        "120",
        "compte",
        "sms",
        "bureau",
        "lea",
        "fax",
        "formation",
        "écran",
    ];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut draw = |n: usize| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        usize::try_from(seed >> 33).unwrap_or(0) % n
    };
    let mut shown = 0;
    for _ in 0..24 {
        let user = users[draw(users.len())];
        let word = words[draw(words.len())];
        let api = app.api_as(user).await;
        for number in numbers(&api, &format!("q={word}")).await {
            let status = api
                .get(&format!("/api/v1/requests/{number}"))
                .await
                .status();
            assert_eq!(
                status,
                StatusCode::OK,
                "{user} was shown {number} for {word:?}"
            );
            shown += 1;
        }
    }
    assert!(shown > 0, "the draw found something to check");
}

/// Every number a listing gives, page after page, `limit` at a time, for the filter `query`.
pub(crate) async fn every_page(api: &Api, limit: u32, query: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut cursor = String::new();
    loop {
        let path = format!("/api/v1/requests?limit={limit}&{query}{cursor}");
        let (status, page) = Api::json(api.get(&path).await).await;
        assert_eq!(status, StatusCode::OK, "{path}: {page}");
        for item in page["items"].as_array().expect("items") {
            found.push(item["number"].as_str().expect("number").to_owned());
        }
        // A page that starts again where an earlier one did would never end.
        assert!(found.len() < 10_000, "{path} keeps on giving");
        match page["next"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => return found,
        }
    }
}

/// Submits `count` password resets as `api`, the account of the i-th named `{prefix}{i}`;
/// answers their numbers in the order submitted.
async fn resets(api: &Api, service: u64, prefix: &str, count: usize) -> Vec<String> {
    let mut numbers = Vec::with_capacity(count);
    for i in 0..count {
        let data = json!({ "compte": format!("{prefix}{i}"), "contact": "Par SMS" });
        let request = submit(api, service, data).await;
        numbers.push(request["number"].as_str().expect("number").to_owned());
    }
    numbers
}

/// A search reads a narrow listing whole (its ids searched at once) and a wide one through
/// windows of ids; which one depends on the page's size. Whatever the size, the same requests
/// come, in the same order: here the demo's requesters, most of whose requests are finished.
#[tokio::test]
async fn a_search_lists_the_same_requests_whichever_way_it_reads_them() {
    let app = TestApp::spawn().await;
    app.ops().index_requests_now().expect("indexed");
    let (alice, tom) = (app.api_as("alice").await, app.api_as("tom").await);
    let service = service_id(&alice, PASSWORD).await;
    let cases = [
        (&alice, "status=open&q=durand".to_owned()),
        (&alice, "status=all&q=durand".to_owned()),
        (&alice, "status=done&q=sms".to_owned()),
        (&tom, "status=open&q=durand".to_owned()),
        (&tom, format!("status=all&service={service}&q=passe")),
        (&tom, "status=all&q=vpn".to_owned()),
    ];
    for (api, query) in cases {
        let wide = every_page(api, 2, &query).await;
        assert!(!wide.is_empty(), "{query} finds something");
        for limit in [7, 40, 100] {
            assert_eq!(
                every_page(api, limit, &query).await,
                wide,
                "{query} by {limit}"
            );
        }
    }
}

/// A word held only by old requests, below many newer ones without it: a page's first
/// window holds none, and the listing goes on from the newest request below it that holds
/// the word or widens its windows, whatever the page's size, missing none and showing
/// nothing twice.
#[tokio::test]
async fn a_word_of_old_requests_only_is_found_below_the_newer_ones() {
    let app = TestApp::spawn().await;
    let (alice, tom) = (app.api_as("alice").await, app.api_as("tom").await);
    let service = service_id(&alice, PASSWORD).await;
    // More than four of a small page's first windows hold (limits 1 and 2: the listing goes
    // on from the newest holding them), and fewer than four of a larger page's (7: it widens
    // its windows; 100: one window holds them all).
    let mut old = resets(&alice, service, "quetzal n", 100).await;
    old.reverse();
    resets(&alice, service, "newer", 150).await;
    app.ops().index_requests_now().expect("indexed");
    for (api, query) in [
        (&tom, "status=all&q=n0 quetzal"),
        (&tom, "status=all&q=quetzal"),
        (&alice, "status=all&q=quetzal"),
        (&alice, "q=quetzal"),
    ] {
        let expected = if query.contains("n0") {
            vec![old[99].clone()]
        } else {
            old.clone()
        };
        for limit in [1, 2, 7, 100] {
            assert_eq!(
                every_page(api, limit, &query.replace(' ', "+")).await,
                expected,
                "{query} by {limit}"
            );
        }
    }
    // A word no request holds gives an empty page, not an endless search.
    assert!(every_page(&tom, 2, "status=all&q=zzyzxq").await.is_empty());
}

/// One person's requests below many newer ones of other people: their search starts at their
/// own newest request (the newest of the hits here, so one too low would miss it), for their
/// own listing and a status, as they and the IT team see them. The index catches up in
/// commits smaller than the submissions, one after the other.
#[tokio::test]
async fn a_persons_words_are_found_below_many_newer_requests_of_others() {
    let app = TestApp::spawn().await;
    let (alice, bob, tom) = (
        app.api_as("alice").await,
        app.api_as("bob").await,
        app.api_as("tom").await,
    );
    let service = service_id(&alice, PASSWORD).await;
    let mut hers = resets(&alice, service, "quetzal n", 30).await;
    hers.reverse();
    let newest = resets(&bob, service, "autre", 300)
        .await
        .pop()
        .expect("submitted");
    // Seven a commit: the catch-up goes on commit after commit to the newest request.
    app.ops().index_requests_by(7).expect("indexed");
    assert_eq!(numbers(&tom, &format!("q={newest}")).await, [newest]);
    for (api, query) in [
        (&alice, "q=quetzal"),
        (&alice, "status=all&q=quetzal"),
        (&alice, "status=new&q=quetzal"),
        (&tom, "status=new&q=quetzal"),
    ] {
        for limit in [1, 3, 100] {
            assert_eq!(
                every_page(api, limit, query).await,
                hers,
                "{query} by {limit}"
            );
        }
    }
    assert!(every_page(&bob, 5, "q=quetzal").await.is_empty());
    // Below the oldest request, a person's listing holds none: an empty page at once.
    let (status, page) = Api::json(alice.get("/api/v1/requests?q=quetzal&cursor=1").await).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["items"], json!([]));
    assert_eq!(page["next"], json!(null));
}

/// Without anyone calling the indexer, a submission is found by its words a moment later: the
/// server's own task and thread index it. That thread runs at a lower priority than the
/// server's other threads (nice 10, read from the kernel), so that on a busy machine indexing
/// waits for a spare moment rather than slowing the submissions it follows.
#[cfg(target_os = "linux")]
#[tokio::test]
async fn the_server_indexes_submissions_itself_on_a_thread_of_lower_priority() {
    let app = TestApp::spawn().await;
    let alice = app.api_as("alice").await;
    let service = service_id(&alice, PASSWORD).await;
    let number = resets(&alice, service, "quetzal.k", 1).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while numbers(&alice, "q=quetzal").await.is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "not indexed within a minute"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(numbers(&alice, "q=quetzal").await, number);
    // Every running server of this test process has its indexing thread, each at nice 10.
    let mut nice = Vec::new();
    for task in std::fs::read_dir("/proc/self/task").expect("tasks") {
        let path = task.expect("task").path();
        let named = std::fs::read_to_string(path.join("comm")).unwrap_or_default();
        if named.trim_end() != "guichet-index" {
            continue;
        }
        let stat = std::fs::read_to_string(path.join("stat")).unwrap_or_default();
        // After the name in parentheses: state is field 3, nice field 19.
        let after = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
        let fields: Vec<&str> = after.split_whitespace().collect();
        if let Some(value) = fields.get(16) {
            nice.push(value.parse::<i32>().expect("nice"));
        }
    }
    assert!(!nice.is_empty(), "no thread named guichet-index");
    assert!(nice.iter().all(|&n| n == 10), "nice values: {nice:?}");
}
