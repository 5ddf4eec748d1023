//! The demo organisation tells a true story through its two years of history: the metrics find
//! on their own the seasons, the growth, and each of the four conclusions the demo was made to
//! show (`src/ops/demo_rhythm.rs` says which).

use crate::support::{Api, TestApp};
use serde_json::Value;

async fn metrics(api: &Api, from: &str, to: &str) -> Value {
    let (status, m) = Api::json(
        api.get(&format!("/api/v1/metrics?from={from}&to={to}"))
            .await,
    )
    .await;
    assert!(status.is_success(), "{status}: {m}");
    m
}

fn names(m: &Value, conclusion: &str) -> Vec<String> {
    m["conclusions"][conclusion]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|c| c["name"].as_str().map(str::to_owned))
        .collect()
}

fn count_of(m: &Value, service: &str) -> i64 {
    m["services"]
        .as_array()
        .expect("services")
        .iter()
        .find(|s| s["name"] == service)
        .and_then(|s| s["count"].as_i64())
        .unwrap_or(0)
}

#[tokio::test]
async fn the_demo_history_spans_two_years_and_its_metrics_draw_every_conclusion() {
    let app = TestApp::spawn().await;
    let tom = app.api_as("tom").await;

    // Two years, by month: every whole month has requests, September is the busiest of its
    // year and August the quietest (arrivals, holidays).
    let all = metrics(&tom, "2024-11-29", "2026-11-28").await;
    let mut months = std::collections::BTreeMap::<String, i64>::new();
    for v in all["volume"].as_array().expect("volume") {
        *months
            .entry(v["period"].as_str().expect("period").to_owned())
            .or_default() += v["count"].as_i64().expect("count");
    }
    assert_eq!(months.len(), 25, "{months:?}");
    assert!(
        months.iter().skip(1).all(|(_, n)| *n > 20),
        "only November 2024 is partial: {months:?}"
    );
    for year in ["2025", "2026"] {
        let of_year: Vec<(&String, &i64)> =
            months.iter().filter(|(m, _)| m.starts_with(year)).collect();
        let busiest = of_year.iter().max_by_key(|(_, n)| **n).expect("months").0;
        let quietest = of_year.iter().min_by_key(|(_, n)| **n).expect("months").0;
        assert_eq!(busiest.as_str(), format!("{year}-09"), "{months:?}");
        assert_eq!(quietest.as_str(), format!("{year}-08"), "{months:?}");
    }
    let total: i64 = months.values().sum();
    assert!((1500..4000).contains(&total), "{total} requests");

    // Remote work: VPN requests grew by more than half from one year to the next.
    let first = metrics(&tom, "2024-11-29", "2025-11-28").await;
    let last = metrics(&tom, "2025-11-29", "2026-11-28").await;
    let vpn = (count_of(&first, "Accès VPN"), count_of(&last, "Accès VPN"));
    assert!(2 * vpn.1 > 3 * vpn.0, "VPN requests per year: {vpn:?}");

    // The last year: quick, regular password resets to automate; a phone slower and a virtual
    // machine faster than their estimates.
    assert!(
        names(&last, "automate").contains(&"Réinitialisation du mot de passe".to_owned()),
        "{}",
        last["conclusions"]
    );
    let fix = names(&last, "fix_estimate");
    for slow_or_fast in ["Téléphone mobile professionnel", "Création de VM"] {
        assert!(fix.contains(&slow_or_fast.to_owned()), "{fix:?}");
    }
    // The last 90 days: Infrastructure falls behind; the fax is never asked for.
    let m = metrics(&tom, "2026-08-31", "2026-11-28").await;
    assert_eq!(
        names(&m, "reinforce"),
        ["Infrastructure"],
        "{}",
        m["conclusions"]
    );
    assert_eq!(names(&m, "retire"), ["Télécopie"]);
    // Compliance is neither perfect nor hopeless, against SLA deadlines and estimates alike.
    for (kind, met) in [("sla", "met"), ("estimate", "met")] {
        let rate = m["compliance"][kind]["rate"].as_f64().expect("rate");
        assert!((0.5..0.98).contains(&rate), "{kind} {met}: {rate}");
    }
}
