//! One result row, the printed table and the JSON form.

use serde_json::{Value, json};

/// One figure with the baseline it is compared against.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// What is measured, e.g. `ingest (envelopes/s)`.
    pub figure: &'static str,
    /// The measured value, in `unit`.
    pub value: f64,
    /// The unit of `value` and `baseline`.
    pub unit: &'static str,
    /// The baseline measured in the same run, if the figure has one.
    pub baseline: Option<f64>,
    /// What the baseline is.
    pub baseline_name: &'static str,
    /// The target, as text.
    pub target: &'static str,
    /// Whether the target is met (`None`: no target, or it needs other rows).
    pub met: Option<bool>,
    /// Sizes and anything a reader needs to interpret the figure.
    pub note: String,
}

impl Row {
    /// `value / baseline`, if there is a non-zero baseline.
    pub fn ratio(&self) -> Option<f64> {
        self.baseline.filter(|b| *b != 0.0).map(|b| self.value / b)
    }
}

fn number(value: f64) -> String {
    if value.abs() >= 100.0 {
        format!("{value:.0}")
    } else if value.abs() >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}

/// The rows as a fixed-width text table, one figure per line, notes below.
pub fn render_table(rows: &[Row]) -> String {
    // As wide as the longest figure, so that the columns line up.
    let width = rows
        .iter()
        .map(|row| row.figure.chars().count())
        .max()
        .unwrap_or(0)
        .max(34);
    let mut out = format!(
        "{:<width$} {:>12} {:<9} {:>12}  {:<28} {:>7}  {:<24} {}\n",
        "figure", "value", "unit", "baseline", "baseline is", "ratio", "target", "met"
    );
    for row in rows {
        let baseline = row.baseline.map(number).unwrap_or_else(|| "-".into());
        let ratio = row
            .ratio()
            .map(|r| format!("{r:.2}x"))
            .unwrap_or_else(|| "-".into());
        let met = match row.met {
            Some(true) => "yes",
            Some(false) => "NO",
            None => "-",
        };
        out.push_str(&format!(
            "{:<width$} {:>12} {:<9} {:>12}  {:<28} {:>7}  {:<24} {}\n",
            row.figure,
            number(row.value),
            row.unit,
            baseline,
            row.baseline_name,
            ratio,
            row.target,
            met
        ));
    }
    out.push('\n');
    for row in rows.iter().filter(|r| !r.note.is_empty()) {
        out.push_str(&format!("{}: {}\n", row.figure, row.note));
    }
    out
}

/// The rows as JSON: `{"mode": …, "rows": [{figure, value, unit, baseline,
/// baseline_name, ratio, target, met, note}]}`.
pub fn to_json(rows: &[Row], quick: bool) -> Value {
    let rows: Vec<Value> = rows
        .iter()
        .map(|row| {
            json!({
                "figure": row.figure,
                "value": row.value,
                "unit": row.unit,
                "baseline": row.baseline,
                "baseline_name": row.baseline_name,
                "ratio": row.ratio(),
                "target": row.target,
                "met": row.met,
                "note": row.note,
            })
        })
        .collect();
    json!({ "mode": if quick { "quick" } else { "full" }, "rows": rows })
}
