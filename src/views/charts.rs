//! Charts drawn on the server as inline SVG: horizontal bars, stacked bars and a trend line.
//! Every shape is coloured by a class of `app.css` (the CSP allows no inline style), each chart
//! has `role="img"` and a title, and the page shows the same numbers in a table beside it.

use maud::{Markup, html};

/// Width of the drawing in SVG units; the chart scales to its container.
const WIDTH: i64 = 600;
/// Room for the labels on the left of bars.
const LABEL: i64 = 200;
const ROW: i64 = 26;

fn scale(value: i64, max: i64, width: i64) -> i64 {
    if max <= 0 {
        0
    } else {
        value.max(0).saturating_mul(width) / max
    }
}

/// Cuts a label to fit the left column.
fn short(label: &str) -> String {
    const MAX: usize = 24;
    if label.chars().count() <= MAX {
        label.to_owned()
    } else {
        let mut s: String = label.chars().take(MAX - 1).collect();
        s.push('…');
        s
    }
}

/// One horizontal bar per item, its value written at its end.
pub fn bars(id: &str, title: &str, items: &[(String, i64)]) -> Markup {
    let max = items.iter().map(|(_, v)| *v).max().unwrap_or(0);
    let height = ROW * i64::try_from(items.len()).unwrap_or(0) + 4;
    let room = WIDTH - LABEL - 60;
    html! {
        svg.chart viewBox={ "0 0 " (WIDTH) " " (height) } role="img" aria-labelledby={ (id) "-title" } {
            title id={ (id) "-title" } { (title) }
            @for (i, (label, value)) in items.iter().enumerate() {
                @let y = ROW * i64::try_from(i).unwrap_or(0) + 2;
                text.label x=(LABEL - 8) y=(y + 17) text-anchor="end" { (short(label)) }
                rect.bar x=(LABEL) y=(y + 3) width=(scale(*value, max, room).max(1)) height=(ROW - 8) rx="3" {}
                text.value x=(LABEL + scale(*value, max, room) + 6) y=(y + 17) { (value) }
            }
        }
    }
}

/// A stacked bar as drawn: its y, its label, and its pieces (part, x, width).
type StackedRow<'a> = (i64, &'a str, Vec<(usize, i64, i64)>);

/// One bar per item split into parts (classes `part-0`…`part-3`), with a legend on top.
pub fn stacked(id: &str, title: &str, legend: &[&str], items: &[(String, Vec<i64>)]) -> Markup {
    let max = items
        .iter()
        .map(|(_, parts)| parts.iter().map(|p| (*p).max(0)).sum::<i64>())
        .max()
        .unwrap_or(0);
    // The legend in two columns, above the bars.
    let legend_rows = i64::try_from(legend.len().div_ceil(2)).unwrap_or(1);
    let top = legend_rows * 20 + 4;
    let height = top + ROW * i64::try_from(items.len()).unwrap_or(0) + 4;
    let room = WIDTH - LABEL - 10;
    let rows: Vec<StackedRow<'_>> = items
        .iter()
        .enumerate()
        .map(|(i, (label, parts))| {
            let y = top + ROW * i64::try_from(i).unwrap_or(0);
            let mut x = LABEL;
            let pieces = parts
                .iter()
                .enumerate()
                .map(|(k, part)| {
                    let w = scale(*part, max, room);
                    x += w;
                    (k, x - w, w)
                })
                .filter(|(_, _, w)| *w > 0)
                .collect();
            (y, label.as_str(), pieces)
        })
        .collect();
    html! {
        svg.chart viewBox={ "0 0 " (WIDTH) " " (height) } role="img" aria-labelledby={ (id) "-title" } {
            title id={ (id) "-title" } { (title) }
            @for (k, name) in legend.iter().enumerate() {
                @let k = i64::try_from(k).unwrap_or(0);
                @let (x, y) = (10 + (k % 2) * (WIDTH / 2), 4 + (k / 2) * 20);
                rect class={ "part-" (k) } x=(x) y=(y + 2) width="12" height="12" {}
                text.legend x=(x + 18) y=(y + 12) { (name) }
            }
            @for (y, label, pieces) in &rows {
                text.label x=(LABEL - 8) y=(y + 17) text-anchor="end" { (short(label)) }
                @for (k, x, w) in pieces {
                    rect class={ "part-" (k) } x=(x) y=(y + 3) width=(w) height=(ROW - 8) {}
                }
            }
        }
    }
}

/// One line per series (classes `line-0`, `line-1`…) over the same labels, with a legend, the
/// highest value on the axis and the first and last labels below.
pub fn trend(id: &str, title: &str, labels: &[String], series: &[(&str, Vec<i64>)]) -> Markup {
    const HEIGHT: i64 = 180;
    const TOP: i64 = 28;
    const BOTTOM: i64 = 24;
    let max = series
        .iter()
        .flat_map(|(_, values)| values.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1);
    let n = i64::try_from(labels.len()).unwrap_or(0);
    let x = |i: usize| {
        let i = i64::try_from(i).unwrap_or(0);
        if n <= 1 {
            WIDTH / 2
        } else {
            40 + i * (WIDTH - 50) / (n - 1)
        }
    };
    let y = |v: i64| HEIGHT - BOTTOM - scale(v, max, HEIGHT - BOTTOM - TOP);
    let lines: Vec<String> = series
        .iter()
        .map(|(_, values)| {
            values
                .iter()
                .enumerate()
                .map(|(i, v)| format!("{},{}", x(i), y(*v)))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    html! {
        svg.chart viewBox={ "0 0 " (WIDTH) " " (HEIGHT) } role="img" aria-labelledby={ (id) "-title" } {
            title id={ (id) "-title" } { (title) }
            @for (k, (name, _)) in series.iter().enumerate() {
                @let lx = 40 + 160 * i64::try_from(k).unwrap_or(0);
                rect class={ "line-key-" (k) } x=(lx) y="6" width="12" height="12" {}
                text.legend x=(lx + 16) y="16" { (short(name)) }
            }
            line.axis x1="40" y1=(HEIGHT - BOTTOM) x2=(WIDTH - 10) y2=(HEIGHT - BOTTOM) {}
            text.value x="34" y=(TOP + 4) text-anchor="end" { (max) }
            text.value x="34" y=(HEIGHT - BOTTOM) text-anchor="end" { "0" }
            @for (k, points) in lines.iter().enumerate() {
                polyline class={ "line line-" (k) } points=(points) {}
            }
            @if let Some(first) = labels.first() {
                text.label x="40" y=(HEIGHT - 6) { (first) }
            }
            @if labels.len() > 1 && let Some(last) = labels.last() {
                text.label x=(WIDTH - 10) y=(HEIGHT - 6) text-anchor="end" { (last) }
            }
        }
    }
}

/// A small line of counts for a table cell; `label` says the numbers for screen readers.
pub fn sparkline(label: &str, values: &[i64]) -> Markup {
    const W: i64 = 100;
    const H: i64 = 24;
    let max = values.iter().copied().max().unwrap_or(0).max(1);
    let n = i64::try_from(values.len()).unwrap_or(0);
    let points: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let i = i64::try_from(i).unwrap_or(0);
            let x = if n <= 1 {
                W / 2
            } else {
                2 + i * (W - 4) / (n - 1)
            };
            format!("{x},{}", H - 2 - scale(*v, max, H - 4))
        })
        .collect();
    html! {
        svg.sparkline viewBox={ "0 0 " (W) " " (H) } role="img" aria-label=(label) {
            polyline points=(points.join(" ")) {}
        }
    }
}
