//! The metrics page and its CSV exports, for technicians and admins (others: 404). Both read
//! the same query as `GET /api/v1/metrics`.

use super::error::{Fail, HtmlError};
use super::extract::Signed;
use super::metrics_api::metrics_view;
use super::state::AppState;
use crate::domain::Locale;
use crate::ops::Error;
use crate::views::metrics_tables::{Cell, table};
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/metrics", get(page))
        .route("/metrics/export/{table}", get(export))
}

type PageResult = Result<Response, HtmlError>;

async fn page(
    State(state): State<AppState>,
    signed: Signed,
    RawQuery(query): RawQuery,
) -> PageResult {
    let ctx = &signed.ctx;
    let (view, today) = metrics_view(&state, &signed.user, query.as_deref()).map_err(ctx.fail())?;
    Ok(crate::views::metrics::metrics(ctx, &view, today).into_response())
}

use super::request_export::neutralised;

fn csv_cell(cell: &Cell, locale: Locale) -> String {
    match cell {
        Cell::Text(s) => neutralised(s),
        Cell::Int(n) | Cell::Seconds(Some(n)) => n.to_string(),
        Cell::Share(Some(r)) => {
            let s = format!("{r:.4}");
            if locale == Locale::Fr {
                s.replace('.', ",")
            } else {
                s
            }
        }
        Cell::Seconds(None) | Cell::Share(None) => String::new(),
        Cell::Trend(_) => cell.display(locale),
    }
}

/// One table as CSV: UTF-8 with a byte-order mark, `;` between cells in French (`,` in
/// English), the header row in the reader's language, numbers as numbers.
async fn export(
    State(state): State<AppState>,
    signed: Signed,
    Path(key): Path<String>,
    RawQuery(query): RawQuery,
) -> PageResult {
    let ctx = &signed.ctx;
    let (view, _) = metrics_view(&state, &signed.user, query.as_deref()).map_err(ctx.fail())?;
    let t = table(&view, ctx.t, ctx.locale, &key)
        .ok_or(Error::NotFound)
        .map_err(ctx.fail())?;
    let delimiter = if ctx.locale == Locale::Fr { b';' } else { b',' };
    let mut writer = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .from_writer("\u{feff}".as_bytes().to_vec());
    let written = writer.write_record(&t.headers).and_then(|()| {
        t.rows
            .iter()
            .try_for_each(|row| writer.write_record(row.iter().map(|c| csv_cell(c, ctx.locale))))
    });
    let bytes = written
        .map_err(|e| Error::Internal(e.to_string()))
        .and_then(|()| {
            writer
                .into_inner()
                .map_err(|e| Error::Internal(e.to_string()))
        })
        .map_err(ctx.fail())?;
    let name = format!(
        "attachment; filename=\"guichet-{}-{}-{}.csv\"",
        t.key, view.query.from, view.query.to
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, name),
        ],
        bytes,
    )
        .into_response())
}
