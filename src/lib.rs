//! Guichet: a self-hosted IT service catalog and request portal in one executable.
//!
//! Read `ARCHITECTURE.md` first. Modules in reading order: the pure `domain`, the `storage`
//! that persists it, the `ops` use cases built on both, and the front ends over `ops`: `web`
//! (HTML pages rendered by `views`, and the JSON API) and `cli`. `app` wires them together.

pub mod app;
pub mod cli;
pub mod clock;
pub mod config;
pub mod domain;
pub mod ops;
pub mod search;
pub mod storage;
pub mod views;
pub mod web;
