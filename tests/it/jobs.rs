//! The scheduler, driven with the manual clock through `run_due`: a job runs when due, once,
//! not again after a restart, once after a time down that missed several runs; the admin page
//! shows it; a bad expression stops the start naming its key.

use crate::cli::guichet;
use crate::support::{START, TestApp};
use guichet::domain::Timestamp;
use guichet::domain::schedule::Job;
use reqwest::StatusCode;

const HOUR: i64 = 3600;

/// The jobs that ran, the every-minute SLA scan and outbox left out (`sla.rs` and `mail.rs`
/// test them).
fn ran(outcomes: &[(Job, Result<(), String>)]) -> Vec<Job> {
    outcomes
        .iter()
        .map(|(job, outcome)| {
            assert!(outcome.is_ok(), "{outcome:?}");
            *job
        })
        .filter(|job| !matches!(job, Job::SlaScan | Job::Outbox))
        .collect()
}

#[tokio::test]
async fn a_due_job_runs_once_and_a_restart_neither_repeats_nor_drops_it() {
    let app = TestApp::spawn_configured(|c| c.time_zone = Some("Europe/Paris".into())).await;
    let admin = app.signed_in("admin").await;
    let (_, html) = admin.get_text("/admin/jobs").await;
    // 09:00 UTC is 10:00 in Paris: the hourly job runs next at 11:00, shown in Paris time.
    assert!(
        html.contains("Pas encore") && html.contains("28/11/2026 11:00"),
        "next run: {html}"
    );
    let _alice = app.signed_in("alice").await;
    // The first look records where the schedule starts; nothing is due yet.
    assert!(ran(&app.ops().run_due(Timestamp(START)).await.expect("run")).is_empty());

    // 13 hours later Alice's sign-in has expired; the hourly purge is due, and runs once.
    app.clock.advance(13 * HOUR);
    let now = app.ops().now();
    assert_eq!(
        ran(&app.ops().run_due(now).await.expect("run")),
        vec![Job::PurgeSessions]
    );
    assert!(
        ran(&app.ops().run_due(now).await.expect("run")).is_empty(),
        "not twice"
    );
    assert_eq!(
        app.ops().purge_expired_sessions().await.expect("purge"),
        0,
        "it purged"
    );

    // The admin page says so.
    let admin = app.signed_in("admin").await;
    let (status, html) = admin.get_text("/admin/jobs").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("purge_sessions") && html.contains("0 * * * *"));
    assert!(html.contains("Réussie"), "{html}");

    // A restart within the same hour runs nothing again.
    let app = app.restart().await;
    let now = app.ops().now();
    assert!(
        ran(&app.ops().run_due(now).await.expect("run")).is_empty(),
        "not repeated"
    );

    // Down for five hours: the missed runs make one run at start, not five.
    let mut app = app;
    app.shutdown().await;
    app.clock.advance(5 * HOUR);
    let app = app.restart().await;
    let now = app.ops().now();
    assert_eq!(
        ran(&app.ops().run_due(now).await.expect("run")),
        vec![Job::PurgeSessions]
    );
    assert!(ran(&app.ops().run_due(now).await.expect("run")).is_empty());
    assert_eq!(
        app.ops().next_job_at().expect("next").map(|t| t.0),
        Some((now.0 / 60 + 1) * 60),
        "the SLA scan, every minute"
    );
    let admin = guichet::ops::Ops::admin(
        app.ops(),
        &app.ops().user_by_name_unchecked("admin").expect("admin"),
    )
    .expect("admin");
    let purge = app
        .ops()
        .jobs(admin)
        .expect("jobs")
        .into_iter()
        .find(|j| j.job == Job::PurgeSessions)
        .expect("purge");
    assert_eq!(
        purge.next.map(|t| t.0),
        Some((now.0 / HOUR + 1) * HOUR),
        "next on the hour"
    );
}

#[tokio::test]
async fn only_admins_see_the_jobs_page() {
    let app = TestApp::spawn().await;
    for user in ["alice", "tom"] {
        let (status, _) = app.signed_in(user).await.get_text("/admin/jobs").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{user}");
    }
    let response = app.browser().get("/admin/jobs").await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "signed out: to the sign-in page"
    );
}

#[test]
fn a_bad_schedule_or_time_zone_stops_the_start_naming_its_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("guichet.toml");
    std::fs::write(&config, "[jobs]\npurge_sessions = \"0 9 * * 1-5\"\n").expect("write");
    let config = config.display().to_string();
    let out = guichet(dir.path(), &["--config", &config, "serve"], None);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("[jobs] purge_sessions") && stderr.contains("write names"),
        "{stderr}"
    );
    // The SLA scan's expression too, whether from the file or from its variable.
    std::fs::write(&config, "[jobs]\nsla_scan = \"every minute\"\n").expect("write");
    let out = guichet(dir.path(), &["--config", &config, "serve"], None);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("[jobs] sla_scan"), "{stderr}");
    std::fs::write(&config, "").expect("write");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_guichet"))
        .args(["--config", &config, "serve", "--data"])
        .arg(dir.path())
        .env("GUICHET_JOBS_SLA_SCAN", "*/5 * * * 1")
        .env("GUICHET_LOG", "warn")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("GUICHET_JOBS_SLA_SCAN") && stderr.contains("write names"),
        "{stderr}"
    );
    std::fs::write(
        dir.path().join("guichet.toml"),
        "time_zone = \"Europe/Pariss\"\n",
    )
    .expect("write");
    let out = guichet(dir.path(), &["--config", &config, "serve"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("time_zone"));
    assert!(
        !dir.path().join("guichet.redb").exists(),
        "nothing was created"
    );
}
