//! Listing rows kept as written. A row of a table of requests is most of a listing's cost
//! (the table was 36 % of `/my/requests`' instructions, `benches/README.md`), and the same
//! rows are written again and again: every page of the desk, every reload of "my requests".
//! A row's HTML depends only on the row as the listing read it (its SLA and lateness flags
//! included, worked out against the time of the page), the page's language, whether the
//! requester's column shows and whether the viewer is of the IT team: those are the key, whole,
//! compared on every look-up, so a row that changed in any way it shows is written anew.

use crate::domain::Locale;
use crate::domain::request::RequestId;
use crate::ops::{IdHasher, RequestRow};
use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::{Arc, Mutex, MutexGuard};

/// Most rows kept (about 700 bytes each with their key): twenty pages of the desk. Beyond,
/// the memo starts again empty.
const KEPT: usize = 1024;
/// Most ways one request is kept written (languages, viewers, states it went through).
const VARIANTS: usize = 8;

/// What a row's HTML depends on besides the row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowContext {
    pub locale: Locale,
    pub show_requester: bool,
    pub staff: bool,
}

type Variants = Vec<(RequestRow, RowContext, Arc<str>)>;
/// How many rows are kept, and their variants by request.
type Kept = (
    usize,
    HashMap<RequestId, Variants, BuildHasherDefault<IdHasher>>,
);

/// Rows' HTML by request, each with the row and context it was written for. One per server
/// (it lives beside the page settings, so a server of another time zone has its own).
#[derive(Default)]
pub struct RowHtml {
    kept: Mutex<Kept>,
}

/// Without the rows (and without taking the lock: a page's context is printed in logs).
impl std::fmt::Debug for RowHtml {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RowHtml")
    }
}

impl RowHtml {
    fn lock(&self) -> MutexGuard<'_, Kept> {
        self.kept.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Each of `rows` written as `write` writes it, in order: those kept for the same row and
    /// context are taken as they are, the others written (outside the lock) and kept.
    pub fn rows(
        &self,
        rows: &[RequestRow],
        context: RowContext,
        write: impl Fn(&RequestRow) -> String,
    ) -> Vec<Arc<str>> {
        let found: Vec<Option<Arc<str>>> = {
            let kept = self.lock();
            rows.iter()
                .map(|row| {
                    kept.1.get(&row.id).and_then(|variants| {
                        variants
                            .iter()
                            .find(|(r, c, _)| *c == context && r == row)
                            .map(|(_, _, html)| Arc::clone(html))
                    })
                })
                .collect()
        };
        if found.iter().all(Option::is_some) {
            return found.into_iter().flatten().collect();
        }
        let mut written = Vec::new();
        let all: Vec<Arc<str>> = rows
            .iter()
            .zip(found)
            .map(|(row, found)| {
                found.unwrap_or_else(|| {
                    let html: Arc<str> = Arc::from(write(row));
                    written.push((row.clone(), Arc::clone(&html)));
                    html
                })
            })
            .collect();
        let mut kept = self.lock();
        for (row, html) in written {
            if kept.0 >= KEPT {
                *kept = (0, HashMap::default());
            }
            let variants = kept.1.entry(row.id).or_default();
            let added = if variants.len() >= VARIANTS {
                variants.remove(0);
                0
            } else {
                1
            };
            variants.push((row, context, html));
            kept.0 += added;
        }
        all
    }
}

/// A table of requests, written straight into the page that holds it: its rows, most of a
/// listing's bytes, are copied once from where `RowHtml` keeps them, not into a table of its
/// own first. On a narrow screen each row is a card, its cells named by `phone_labels_css`.
pub struct RowsTable {
    /// The header row.
    pub head: maud::Markup,
    /// The rows as `RowHtml::rows` answered them.
    pub written: Vec<Arc<str>>,
    pub show_requester: bool,
}

impl maud::Render for RowsTable {
    fn render_to(&self, out: &mut String) {
        let rows: usize = self.written.iter().map(|row| row.len()).sum();
        out.reserve(rows + self.head.0.len() + 128);
        out.push_str(r#"<div class="table-scroll"><table class="requests listing"#);
        if self.show_requester {
            out.push_str(" with-requester");
        }
        out.push_str(r#""><thead>"#);
        out.push_str(&self.head.0);
        out.push_str("</thead><tbody>");
        for row in &self.written {
            out.push_str(row);
        }
        out.push_str("</tbody></table></div>");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Timestamp;
    use crate::domain::request::Status;
    use proptest::prelude::*;
    use std::cell::Cell;

    fn row(id: u64, status: Status, assignee: Option<&str>, overdue: bool) -> RequestRow {
        RequestRow {
            id: RequestId(id),
            service_name: format!("Service {}", id % 3),
            status,
            requester: Arc::from("Alice Durand"),
            assignee: assignee.map(Arc::from),
            created_at: Timestamp(1_790_000_000 + i64::try_from(id).unwrap_or(0)),
            updated_at: Timestamp(1_790_000_000),
            due_at: None,
            late: false,
            has_sla: true,
            sla_due: Some(Timestamp(1_790_086_400)),
            overdue,
            breached: overdue,
            paused: false,
            due_soon: false,
        }
    }

    const FR: RowContext = RowContext {
        locale: Locale::Fr,
        show_requester: true,
        staff: true,
    };

    /// What a page would write: everything the row and its context hold.
    fn written(row: &RequestRow, context: RowContext) -> String {
        format!("{row:?} {context:?}")
    }

    /// The table written by hand is the one maud would write from the same parts.
    #[test]
    fn a_table_is_written_as_its_template_would_be() {
        use maud::{PreEscaped, Render, html};
        let head = html! { tr { th { "Numéro" } th { "A & B" } } };
        let written: Vec<Arc<str>> = vec![
            Arc::from("<tr><td>1</td></tr>"),
            Arc::from("<tr><td>2</td></tr>"),
        ];
        for show_requester in [false, true] {
            let template = html! {
                div.table-scroll {
                    table.requests.listing.with-requester[show_requester] {
                        thead { (head) }
                        tbody { @for row in &written { (PreEscaped(&**row)) } }
                    }
                }
            };
            let table = RowsTable {
                head: head.clone(),
                written: written.clone(),
                show_requester,
            };
            assert_eq!(table.render().into_string(), template.into_string());
        }
    }

    #[test]
    fn a_row_is_written_once_then_again_when_anything_it_shows_changed() {
        let memo = RowHtml::default();
        let writes = Cell::new(0);
        let list = |rows: &[RequestRow], context: RowContext| {
            memo.rows(rows, context, |r| {
                writes.set(writes.get() + 1);
                written(r, context)
            })
        };
        let page = [
            row(1, Status::New, None, false),
            row(2, Status::New, None, false),
        ];
        list(&page, FR);
        assert_eq!(writes.get(), 2);
        let again = list(&page, FR);
        assert_eq!(writes.get(), 2, "both kept");
        assert_eq!(&*again[1], written(&page[1], FR));
        // Taken by Tom: only that row is written anew, and shows him.
        let taken = [
            page[0].clone(),
            row(2, Status::InProgress, Some("Tom"), false),
        ];
        let shown = list(&taken, FR);
        assert_eq!(writes.get(), 3);
        assert_eq!(&*shown[1], written(&taken[1], FR));
        // Past its deadline now (a flag worked out against the page's time).
        let late = [
            page[0].clone(),
            row(2, Status::InProgress, Some("Tom"), true),
        ];
        assert_eq!(&*list(&late, FR)[1], written(&late[1], FR));
        assert_eq!(writes.get(), 4);
        // Another language, the requester's column hidden, a viewer outside the IT team.
        for context in [
            RowContext {
                locale: Locale::En,
                ..FR
            },
            RowContext {
                show_requester: false,
                ..FR
            },
            RowContext { staff: false, ..FR },
        ] {
            let before = writes.get();
            assert_eq!(&*list(&late, context)[0], written(&late[0], context));
            assert_eq!(writes.get(), before + 2);
        }
    }

    #[test]
    fn the_memo_stays_bounded() {
        let memo = RowHtml::default();
        for id in 0..(KEPT as u64 + 100) {
            memo.rows(&[row(id, Status::New, None, false)], FR, |r| written(r, FR));
        }
        assert!(memo.lock().0 <= KEPT);
        for n in 0..(VARIANTS as u64 * 3) {
            let name = format!("Tech {n}");
            memo.rows(&[row(7, Status::New, Some(&name), false)], FR, |r| {
                written(r, FR)
            });
        }
        let kept = memo.lock();
        assert!(
            kept.1
                .get(&RequestId(7))
                .is_some_and(|v| v.len() <= VARIANTS)
        );
        assert_eq!(kept.0, kept.1.values().map(Vec::len).sum::<usize>());
    }

    proptest! {
        /// Whatever rows and contexts come, in whatever order, each is shown as written for
        /// itself: never another row's HTML, nor the same row's in another context.
        #[test]
        fn every_row_reads_as_written_for_it(
            pages in proptest::collection::vec(
                (
                    proptest::collection::vec((1u64..6, 0usize..3, 0usize..3, any::<bool>()), 1..8),
                    0usize..8,
                ),
                1..40,
            ),
        ) {
            let memo = RowHtml::default();
            let statuses = [Status::New, Status::InProgress, Status::Done];
            let assignees = [None, Some("Tom"), Some("Léa")];
            for (rows, context) in pages {
                let context = RowContext {
                    locale: if context & 1 == 0 { Locale::Fr } else { Locale::En },
                    show_requester: context & 2 == 0,
                    staff: context & 4 == 0,
                };
                let rows: Vec<RequestRow> = rows
                    .into_iter()
                    .map(|(id, s, a, late)| row(id, statuses[s], assignees[a], late))
                    .collect();
                let shown = memo.rows(&rows, context, |r| written(r, context));
                prop_assert_eq!(shown.len(), rows.len());
                for (html, row) in shown.iter().zip(&rows) {
                    prop_assert_eq!(&**html, written(row, context));
                }
            }
        }
    }
}
