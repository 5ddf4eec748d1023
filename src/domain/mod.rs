//! Pure types and rules of Guichet: no I/O, no clock, no storage or HTTP library.
//!
//! Architecture invariant: nothing here names redb, tantivy, axum, maud or tokio, and time is
//! always a parameter (`Timestamp`), never read.

pub mod approval;
pub mod audit;
pub mod calendar;
pub mod catalog;
pub mod fields;
pub mod form;
pub mod ids;
pub mod locale;
pub mod mail;
pub mod metrics;
pub mod notification;
pub mod ordering;
pub mod password;
pub mod request;
pub mod schedule;
pub mod service;
pub mod session;
pub mod sla;
pub mod team;
pub mod user;

pub use catalog::{Category, CategoryInput};
pub use fields::FieldErrors;
pub use ids::{CategoryId, ServiceId, TeamId, Timestamp, UserId};
pub use locale::Locale;
pub use service::{Service, ServiceInput};
pub use session::{Session, SessionKind};
pub use team::{Team, TeamInput};
pub use user::{Role, User, UserInput, Username};
