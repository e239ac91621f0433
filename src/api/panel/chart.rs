//! A bar chart as SVG, drawn on the server: one group of bars per day, one bar per series.
//! Colours come from the stylesheet (classes `s0`, `s1`, ...), so the chart follows the theme
//! and needs no inline style.

use maud::{Markup, html};

pub struct Series<'a> {
    pub label: &'a str,
    /// One count per day, oldest first.
    pub counts: Vec<i64>,
}

const HEIGHT: f64 = 160.0;
const BAR: f64 = 6.0;
const GAP: f64 = 4.0;
const LEFT: f64 = 36.0;

/// The chart of `series` over `days` (labels for each day, e.g. `01-31`), with an accessible
/// name and a legend.
pub fn bars(title: &str, days: &[String], series: &[Series]) -> Markup {
    let max = series.iter().flat_map(|s| s.counts.iter().copied()).max().unwrap_or(0).max(1);
    let group = BAR * series.len() as f64 + GAP;
    let width = LEFT + group * days.len() as f64;
    let scale = |n: i64| n as f64 / max as f64 * HEIGHT;
    html! {
        figure.chart {
            svg viewBox=(format!("0 0 {width} {}", HEIGHT + 20.0)) role="img" aria-label=(title) {
                title { (title) }
                text.axis x="0" y="10" { (max) }
                text.axis x="0" y=(HEIGHT) { "0" }
                line.axis x1=(LEFT - 2.0) y1="0" x2=(LEFT - 2.0) y2=(HEIGHT) {}
                @for (d, day) in days.iter().enumerate() {
                    @for (i, s) in series.iter().enumerate() {
                        @let n = s.counts.get(d).copied().unwrap_or(0);
                        @let h = scale(n);
                        rect class=(format!("s{i}")) x=(LEFT + d as f64 * group + i as f64 * BAR) y=(HEIGHT - h)
                            width=(BAR - 1.0) height=(h) {
                            title { (day) " " (s.label) ": " (n) }
                        }
                    }
                    @if d % 7 == 0 {
                        text.axis x=(LEFT + d as f64 * group) y=(HEIGHT + 16.0) { (day) }
                    }
                }
            }
            figcaption {
                @for (i, s) in series.iter().enumerate() {
                    span.legend { span class=(format!("swatch s{i}")) {} (s.label) " (" (s.counts.iter().sum::<i64>()) ")" }
                }
            }
        }
    }
}
