//! CSV exports of the desk's listing, `/desk/export.csv` and `/api/v1/requests.csv`, with the
//! listing's filters. The metrics CSV's conventions: UTF-8 with a byte-order mark, `;` between
//! cells in French (`,` in English), the header row in the reader's language. Streamed a page
//! at a time from one snapshot, so that the size of an export never shows in memory.

use super::error::{ApiError, Fail, HtmlError};
use super::extract::{ApiUser, Signed};
use super::listing_query::desk_filter;
use super::requests::query_pairs;
use super::state::AppState;
use crate::domain::{Locale, Timestamp};
use crate::ops::{DeskFilter, Error, Export, RequestRow};
use crate::views::i18n::{Texts, texts};
use axum::Router;
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bytes::Bytes;
use jiff::tz::TimeZone;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/desk/export.csv", get(page_export))
        .route("/api/v1/requests.csv", get(api_export))
}

async fn page_export(
    State(state): State<AppState>,
    signed: Signed,
    RawQuery(query): RawQuery,
) -> Result<Response, HtmlError> {
    let ctx = &signed.ctx;
    let filter = filter_of(&signed.user, query.as_deref()).map_err(ctx.fail())?;
    let export = state
        .ops
        .export_requests(&signed.user, filter)
        .map_err(ctx.fail())?;
    Ok(streamed(state, export, ctx.t, ctx.locale, ctx.tz.clone()))
}

async fn api_export(
    State(state): State<AppState>,
    api: ApiUser,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let filter = filter_of(&api.user, query.as_deref())?;
    let export = state.ops.export_requests(&api.user, filter)?;
    let locale = api.user.locale.unwrap_or(state.web.default_locale);
    let zone = state.ops.time_zone().clone();
    Ok(streamed(state, export, texts(locale), locale, zone))
}

fn filter_of(user: &crate::domain::User, query: Option<&str>) -> Result<DeskFilter, Error> {
    let q = query_pairs(query);
    let (filter, _) = desk_filter(&q, user.id, user.role.is_staff()).map_err(Error::Invalid)?;
    Ok(filter)
}

/// A time as a spreadsheet reads it, in the instance's zone: `2026-11-28 10:00`.
fn when(at: Option<Timestamp>, zone: &TimeZone) -> String {
    at.and_then(|at| jiff::Timestamp::from_second(at.0).ok())
        .map(|t| {
            t.to_zoned_datetime(zone.clone())
                .strftime("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

/// A text cell that a spreadsheet would read as a formula starts with a quote instead.
pub(super) fn neutralised(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

struct Csv {
    t: &'static Texts,
    delimiter: u8,
    zone: TimeZone,
}

impl Csv {
    fn write(&self, records: &mut dyn Iterator<Item = Vec<String>>) -> Result<Bytes, Error> {
        let mut writer = csv::WriterBuilder::new()
            .delimiter(self.delimiter)
            .from_writer(Vec::new());
        for record in records {
            writer
                .write_record(&record)
                .map_err(|e| Error::Internal(e.to_string()))?;
        }
        let bytes = writer
            .into_inner()
            .map_err(|e| Error::Internal(e.to_string()))?;
        Ok(Bytes::from(bytes))
    }

    fn header(&self) -> Vec<String> {
        let t = self.t;
        [
            t.number,
            t.service,
            t.status,
            t.requester,
            t.assignee,
            t.submitted_on,
            t.updated_on,
            t.due,
            t.life.csv_sla_due,
            t.life.csv_breached,
        ]
        .map(str::to_owned)
        .to_vec()
    }

    fn row(&self, r: &RequestRow) -> Vec<String> {
        let t = self.t;
        vec![
            r.id.number(),
            neutralised(&r.service_name),
            t.status(r.status).to_owned(),
            neutralised(&r.requester),
            r.assignee.as_deref().map(neutralised).unwrap_or_default(),
            when(Some(r.created_at), &self.zone),
            when(Some(r.updated_at), &self.zone),
            when(r.due_at, &self.zone),
            when(r.sla_due, &self.zone),
            if r.breached { t.yes } else { t.no }.to_owned(),
        ]
    }
}

fn streamed(
    state: AppState,
    export: Export,
    t: &'static Texts,
    locale: Locale,
    zone: TimeZone,
) -> Response {
    let csv = Csv {
        t,
        delimiter: if locale == Locale::Fr { b';' } else { b',' },
        zone,
    };
    let first = csv.write(&mut std::iter::once(csv.header())).map(|header| {
        let mut bytes = "\u{feff}".as_bytes().to_vec();
        bytes.extend_from_slice(&header);
        Bytes::from(bytes)
    });
    let start = (state, export, csv, Some(first), false);
    let body = futures_util::stream::unfold(
        start,
        |(state, mut export, csv, first, failed)| async move {
            if failed {
                return None;
            }
            let chunk = match first {
                Some(first) => first,
                None => match state.ops.export_page(&mut export) {
                    Ok(None) => return None,
                    Ok(Some(rows)) => csv.write(&mut rows.iter().map(|r| csv.row(r))),
                    Err(e) => Err(e),
                },
            };
            // A failure ends the body mid-way: the client sees a broken download, not a short file.
            let chunk = chunk.map_err(|e| {
                tracing::error!("a CSV export failed: {e}");
                std::io::Error::other(e.to_string())
            });
            let failed = chunk.is_err();
            Some((chunk, (state, export, csv, None, failed)))
        },
    );
    let name = "attachment; filename=\"guichet-requests.csv\"";
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, name),
        ],
        Body::from_stream(body),
    )
        .into_response()
}
