//! Architecture invariants from ARCHITECTURE.md, checked on the source's `use` lines and paths.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read_dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Crates (as they appear in code) a module must not name.
fn check(module: &str, forbidden: &[&str]) {
    let dir = src().join(module);
    let files = if dir.is_dir() {
        rust_files(&dir)
    } else {
        vec![src().join(format!("{module}.rs"))]
    };
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read");
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for name in forbidden {
                // A path (`a::b`) is matched as written; a crate name by its uses.
                let hit = if name.contains("::") {
                    code.contains(name)
                } else {
                    code.contains(&format!("{name}::")) || code.contains(&format!("use {name}"))
                };
                assert!(
                    !hit,
                    "{}:{} names `{name}`, which {module} must not",
                    file.display(),
                    n + 1
                );
            }
        }
    }
}

#[test]
fn domain_is_pure() {
    check(
        "domain",
        &[
            "redb",
            "postcard",
            "tantivy",
            "axum",
            "maud",
            "tokio",
            "std::fs",
            "std::time",
            "crate::storage",
            "crate::ops",
        ],
    );
}

#[test]
fn only_storage_names_redb_and_postcard() {
    for module in [
        "ops", "web", "views", "domain", "app", "cli", "config", "clock", "main", "lib",
    ] {
        check(module, &["redb", "postcard"]);
    }
}

/// Every module but these, as `check` names them.
fn modules_except(skip: &[&str]) -> Vec<String> {
    let mut modules = Vec::new();
    for entry in std::fs::read_dir(src()).expect("src") {
        let path = entry.expect("entry").path();
        let name = path
            .file_stem()
            .and_then(|n| n.to_str())
            .expect("name")
            .to_owned();
        if !skip.contains(&name.as_str()) && !modules.contains(&name) {
            modules.push(name);
        }
    }
    modules
}

#[test]
fn only_the_clock_reads_the_time_of_day() {
    // Timers (`Instant`) measure durations; the date and time come from the injected clock,
    // so that tests can move it.
    let modules = modules_except(&["clock"]);
    assert!(modules.iter().any(|m| m == "main") && modules.iter().any(|m| m == "lib"));
    for module in modules {
        check(
            &module,
            &["SystemTime::now", "Timestamp::now", "Zoned::now"],
        );
    }
}

#[test]
fn stored_codes_are_written_down_not_positions() {
    // A position in a domain array moves when a variant is inserted, which silently changes
    // the meaning of every stored record: storage/codes.rs writes each number down.
    for file in rust_files(&src().join("storage")) {
        let text = std::fs::read_to_string(&file).expect("read");
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            assert!(
                !(code.contains("ALL") && code.contains(".position(")),
                "{}:{} stores a position in a domain array; give the variant a number in \
                 storage/codes.rs",
                file.display(),
                n + 1
            );
        }
    }
}

#[test]
fn only_web_names_axum_and_only_views_and_web_name_maud() {
    for module in [
        "ops", "storage", "domain", "views", "app", "cli", "config", "main", "lib",
    ] {
        check(module, &["axum::"]);
    }
    for module in [
        "ops", "storage", "domain", "app", "cli", "config", "main", "lib",
    ] {
        check(module, &["maud"]);
    }
}

#[test]
fn web_reaches_data_only_through_ops() {
    check("web", &["crate::storage", "storage::"]);
    // Views may show the data types `ops` answers, but never call a use case.
    check("views", &["crate::storage", "ops::Ops", "state.ops"]);
}

#[test]
fn source_files_stay_readable() {
    // Data tables, not logic: the demo organisation's catalog.
    const DATA_FILES: &[&str] = &["demo_catalog.rs"];
    for file in rust_files(&src()) {
        let text = std::fs::read_to_string(&file).expect("read");
        assert!(
            text.starts_with("//!"),
            "{} must start with a //! line saying what it owns",
            file.display()
        );
        if file
            .file_name()
            .is_some_and(|n| DATA_FILES.iter().any(|d| n == *d))
        {
            continue;
        }
        let code_lines = text
            .split("#[cfg(test)]")
            .next()
            .unwrap_or("")
            .lines()
            .count();
        assert!(
            code_lines <= 450,
            "{} has {code_lines} lines before its tests; split it",
            file.display()
        );
        assert!(
            text.starts_with("//!"),
            "{} must start with a //! line saying what it owns",
            file.display()
        );
    }
}

#[test]
fn every_icon_of_the_set_is_vendored_and_styled() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets");
    let css = std::fs::read_to_string(root.join("icons.css")).expect("icons.css");
    for name in guichet::domain::catalog::ICONS {
        let svg = root.join(format!("vendor/lucide/icons/{name}.svg"));
        assert!(svg.is_file(), "{} is missing", svg.display());
        assert!(
            css.contains(&format!(".i-{name} {{")),
            "icons.css has no class for {name}"
        );
    }
    let vendored = std::fs::read_dir(root.join("vendor/lucide/icons"))
        .expect("icons")
        .count();
    assert_eq!(
        vendored,
        guichet::domain::catalog::ICONS.len(),
        "no icon is vendored without being offered"
    );
    assert!(root.join("vendor/lucide/LICENSE").is_file());
}

/// Every status a request can be in has its badge colour, in light and in dark mode: a status
/// added without one showed as bare text among the coloured badges.
#[test]
fn every_status_has_its_colour_in_light_and_dark() {
    let css = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/app.css"))
        .expect("app.css");
    for status in guichet::domain::request::Status::ALL {
        let rule = format!(".s-{} {{ --st: #", status.code());
        assert_eq!(
            css.matches(&rule).count(),
            2,
            "{rule} once for light and once for dark mode"
        );
    }
}
