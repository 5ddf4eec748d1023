//! All integration tests in one binary: each test spawns the real app on port 0 with its own
//! temporary data directory and drives it over HTTP.

// Test helpers panic on a failed set-up: that is how a test reports it.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

mod admin;
mod api;
mod audit;
mod auth;
mod backups;
mod browser;
mod caches;
mod catalog;
mod cli;
mod crash;
mod demo;
mod export;
mod hostile;
mod jobs;
mod mail;
mod mail_links;
mod metrics;
mod persistence;
mod request_life;
mod request_pages;
mod request_search;
mod requests;
mod search;
mod sla;
mod sla_admin;
mod tidy;
mod upgrade;
