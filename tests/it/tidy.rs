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
                let hit =
                    code.contains(&format!("{name}::")) || code.contains(&format!("use {name}"));
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
        "ops", "web", "views", "domain", "app", "cli", "config", "clock",
    ] {
        check(module, &["redb", "postcard"]);
    }
}

#[test]
fn only_web_names_axum_and_only_views_and_web_name_maud() {
    for module in ["ops", "storage", "domain", "views", "app", "cli", "config"] {
        check(module, &["axum::"]);
    }
    for module in ["ops", "storage", "domain", "app", "cli", "config"] {
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
