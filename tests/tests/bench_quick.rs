//! The benchmark program's quick mode runs and reports every figure as a
//! finite number. No timing is asserted.

use amtshilfe_tests::bench::{self, Config, FIGURES, NAMESPACE_FIGURES};

#[test]
fn quick_mode_reports_every_figure() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let config = Config {
        quick: true,
        dir: dir.path().to_path_buf(),
        child_exe: env!("CARGO_BIN_EXE_bench").into(),
        only: Vec::new(),
    };
    let rows = bench::run(&config).expect("the quick benchmarks run");
    let figures: Vec<&str> = rows.iter().map(|row| row.figure).collect();
    // Rows that need network namespaces are left out (with the reason
    // printed) only where the machine cannot make them.
    let expected: Vec<&str> = match amtshilfe_tests::netns::unavailable() {
        Some(_) => FIGURES
            .iter()
            .copied()
            .filter(|figure| !NAMESPACE_FIGURES.contains(figure))
            .collect(),
        None => FIGURES.to_vec(),
    };
    assert_eq!(figures, expected, "every row, in order");
    for row in &rows {
        assert!(row.value.is_finite(), "{row:?}");
        assert!(row.baseline.is_none_or(f64::is_finite), "{row:?}");
    }
    let table = bench::render_table(&rows);
    let json = bench::to_json(&rows, true);
    for figure in &expected {
        assert!(table.contains(figure), "{figure} missing from the table");
    }
    assert_eq!(json["rows"].as_array().map(Vec::len), Some(expected.len()));
}
