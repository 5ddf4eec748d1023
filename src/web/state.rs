//! What every handler can reach: the use cases and the few settings the web layer needs.

use crate::domain::Locale;
use crate::ops::Ops;
use crate::views::AssetUrls;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub ops: Ops,
    pub web: Arc<WebSettings>,
    /// Request forms typed when the session had ended (`drafts.rs`).
    pub drafts: Arc<super::drafts::Drafts>,
}

#[derive(Debug)]
pub struct WebSettings {
    pub org_name: Arc<str>,
    pub default_locale: Locale,
    pub secure_cookies: bool,
    pub session_seconds: i64,
    pub demo: bool,
    /// Largest file accepted in an upload.
    pub upload_limit_bytes: u64,
    pub assets: Arc<AssetUrls>,
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Arc<[crate::config::IpRange]>,
    /// Listing rows as written, kept for the pages that show them again.
    pub rows: Arc<crate::views::row_html::RowHtml>,
    /// Listings' filter forms as written, kept for the pages that show them again.
    pub filters: Arc<crate::views::filter_html::FilterHtml>,
}
