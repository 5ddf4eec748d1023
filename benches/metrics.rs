//! Metrics at scale, in process with a manual clock: `--total` requests over `--days` days with
//! seasons (quiet weekends, August and late December; busy September and January), each taken
//! and done the next afternoon (a few cancelled, a few left open). Prints the fill rate, the
//! roll-up rebuild time, the dashboard and the metrics API for 90 days and the whole span
//! against a plain axum handler in the same run, and the resident memory.
//!
//! `cargo bench --bench metrics` (options: `-- --total 1000000 --days 730 --seconds 3`).

#![allow(clippy::expect_used)] // A benchmark stops on a failed set-up; that is its error report.

mod load;

use guichet::app::App;
use guichet::clock::{Clock, ManualClock};
use guichet::config::Config;
use guichet::domain::form::Submitted;
use guichet::domain::request::{Action, RequestId};
use guichet::domain::{Timestamp, User};
use guichet::ops::{Ops, Submission};
use load::{Target, api_token, arg, hello, plain_server, session_cookie, status_kib, table};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

const DAY: i64 = 86_400;

/// How busy a day is, in percent of an ordinary weekday.
fn season(day: jiff::civil::Date) -> u64 {
    use jiff::civil::Weekday::{Saturday, Sunday};
    let weekday = match day.weekday() {
        Saturday | Sunday => 8,
        _ => 100,
    };
    let month = match (day.month(), day.day()) {
        (8, _) => 45,
        (12, 20..) => 40,
        (9, _) => 150,
        (1, _) => 130,
        _ => 100,
    };
    weekday * month / 100
}

fn answers() -> BTreeMap<String, Submitted> {
    let mut values = BTreeMap::new();
    values.insert(
        "compte".to_owned(),
        Submitted::Values(vec!["a.durand".into()]),
    );
    values.insert(
        "contact".to_owned(),
        Submitted::Values(vec!["Par SMS".into()]),
    );
    values
}

/// Runs `n` jobs 32 at a time.
async fn in_parallel<F, Fut>(n: usize, job: F)
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..n {
        if tasks.len() >= 32 {
            tasks.join_next().await.expect("task").expect("job");
        }
        tasks.spawn(job(i));
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("job");
    }
}

async fn fill(
    ops: &Ops,
    clock: &ManualClock,
    total: u64,
    days: i64,
    requesters: &[User],
    tom: &User,
) {
    let start = clock.now();
    let service = ops
        .all_services(
            ops.admin(&ops.user_by_name_unchecked("admin").expect("admin"))
                .expect("admin"),
        )
        .expect("services")
        .into_iter()
        .find(|s| s.name == "Réinitialisation du mot de passe")
        .expect("service")
        .id;
    let weights: Vec<u64> = (0..days)
        .map(|d| {
            let t = jiff::Timestamp::from_second(start.0 + d * DAY).expect("time");
            season(t.to_zoned_datetime(jiff::tz::TimeZone::UTC).date())
        })
        .collect();
    let sum: u64 = weights.iter().sum();
    let mut yesterday: Vec<(RequestId, usize)> = Vec::new();
    let started = Instant::now();
    for (d, weight) in weights.iter().enumerate() {
        // 09:00: the day's requests.
        let quota = usize::try_from(total * weight / sum.max(1)).unwrap_or(0);
        let ids = Arc::new(std::sync::Mutex::new(Vec::with_capacity(quota)));
        in_parallel(quota, |i| {
            let (ops, requester, ids) = (
                ops.clone(),
                requesters[i % requesters.len()].clone(),
                ids.clone(),
            );
            async move {
                let submission = Submission {
                    requester_id: None,
                    service_id: service,
                    values: answers(),
                    files: BTreeMap::new(),
                };
                let (request, _) = ops
                    .submit_request(&requester, submission)
                    .await
                    .expect("submit");
                ids.lock().expect("ids").push((request.id, i));
            }
        })
        .await;
        // 16:00: yesterday's requests taken and done, one in twenty cancelled, one in fifty
        // left open.
        clock.advance(7 * 3600);
        in_parallel(yesterday.len(), |k| {
            let (ops, tom, (id, i)) = (ops.clone(), tom.clone(), yesterday[k]);
            let requester = requesters[i % requesters.len()].clone();
            async move {
                let left_open = i % 50 == 7;
                if !left_open && i % 20 == 3 {
                    ops.act(
                        &requester,
                        id,
                        Action::Cancel {
                            reason: String::new(),
                        },
                    )
                    .await
                    .expect("cancel");
                } else if !left_open {
                    ops.act(&tom, id, Action::Take).await.expect("take");
                    let done = Action::Complete {
                        resolution: "Fait".into(),
                    };
                    ops.act(&tom, id, done).await.expect("complete");
                }
            }
        })
        .await;
        yesterday = std::mem::take(&mut *ids.lock().expect("ids"));
        clock.advance(DAY - 7 * 3600);
        if d % 73 == 72 {
            println!("  … day {} of {days}, {:.0?}", d + 1, started.elapsed());
        }
    }
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let seconds = arg("--seconds", 3);
    let total = arg("--total", 1_000_000);
    let days = i64::try_from(arg("--days", 730)).unwrap_or(730).max(1);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let data = tempfile::tempdir().expect("tempdir");
        // 09:00 UTC, `days` before Monday 30 November 2026.
        let end = Timestamp(1_796_029_200);
        let clock = Arc::new(ManualClock::new(Timestamp(end.0 - days * DAY)));
        let config = Config {
            data_dir: data.path().to_path_buf(),
            listen: "127.0.0.1:0".parse().expect("addr"),
            demo: true,
            time_zone: Some("UTC".into()),
            background_jobs: false,
            ..Config::default()
        };
        let app = App::build_with_clock(config, clock.clone()).await.expect("app");
        let ops = app.ops().clone();
        let requesters = [
            ops.user_by_name_unchecked("alice").expect("alice"),
            ops.user_by_name_unchecked("bob").expect("bob"),
        ];
        let tom = ops.user_by_name_unchecked("tom").expect("tom");
        let started = Instant::now();
        fill(&ops, &clock, total, days, &requesters, &tom).await;
        let took = started.elapsed();
        println!(
            "== {total} requests over {days} days: filled in {took:.1?} ({:.0} writes/s); file {:.0} MiB ==",
            (total as f64 * 2.9) / took.as_secs_f64(),
            std::fs::metadata(data.path().join("guichet.redb")).map(|m| m.len()).unwrap_or(0) as f64 / 1048576.0
        );
        let started = Instant::now();
        let rows = ops.rebuild_rollups().await.expect("rebuild");
        println!("roll-up rebuild from every request: {rows} rows in {:.1?}", started.elapsed());
        let started = Instant::now();
        let differ = ops.check_rollups(false).await.expect("check");
        println!("roll-up check: {differ} rows differ, in {:.1?}", started.elapsed());
        println!("process after the fill: VmRSS {} KiB", status_kib("self", "VmRSS:"));
        let date = |t: Timestamp| {
            jiff::Timestamp::from_second(t.0)
                .expect("time")
                .to_zoned_datetime(jiff::tz::TimeZone::UTC)
                .date()
        };
        let query = guichet::ops::MetricsQuery {
            from: date(Timestamp(clock.now().0 - 89 * DAY)),
            to: date(clock.now()),
            filter: guichet::domain::metrics::report::Filter::default(),
        };
        let started = Instant::now();
        let view = ops.metrics(&tom, query).expect("metrics");
        println!(
            "one 90-day report in process: {:.1?} ({} open requests)",
            started.elapsed(),
            view.report.backlog.values().sum::<i64>()
        );

        let addr = app.addr();
        tokio::spawn(async move {
            app.run_until_stopped(std::future::pending()).await.expect("serve")
        });
        let plain = plain_server().await;
        let cookie = session_cookie(addr, "tom").await;
        let token = api_token(addr, "tom").await;
        let to = date(clock.now());
        let from_90 = to.saturating_sub(jiff::Span::new().days(89));
        let from_all = to.saturating_sub(jiff::Span::new().days(days - 1));
        let page = |name: &'static str, path: String| Target {
            name,
            addr,
            path,
            headers: vec![("cookie", cookie.clone())],
            body: None,
        };
        let targets = [
            hello(plain),
            page("/metrics, 90 days", format!("/metrics?from={from_90}&to={to}")),
            page("/metrics, whole span", format!("/metrics?from={from_all}&to={to}")),
            // Password reset shows its usual time: the median of its last 90 days.
            page("a service page with its usual time", "/services/2".into()),
            Target {
                name: "/api/v1/metrics, span",
                addr,
                path: format!("/api/v1/metrics?from={from_all}&to={to}"),
                headers: vec![("authorization", format!("Bearer {token}"))],
                body: None,
            },
        ];
        table(&targets, 32, seconds).await;
        println!("process: VmRSS {} KiB, peak VmHWM {} KiB", status_kib("self", "VmRSS:"), status_kib("self", "VmHWM:"));
    });
}
