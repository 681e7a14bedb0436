//! The synthetic size fixture has the paper's shape and a broad size range.

use mnp_dataset::fixture::{SIZE_TARGET, synthetic_size_fixture};
use mnp_dataset::{ColumnType, CsvOptions, Table};

#[test]
fn shape_missing_cells_and_range() {
    let t = synthetic_size_fixture(26, 2025).unwrap();
    assert_eq!(t.rows(), 26);
    let features: Vec<_> = t
        .columns()
        .iter()
        .filter(|c| c.name != SIZE_TARGET)
        .collect();
    assert_eq!(features.len(), 22);
    let text = features
        .iter()
        .filter(|c| c.data.column_type() == ColumnType::Text)
        .count();
    assert_eq!(text, 4);
    let missing: usize = features.iter().map(|c| c.data.missing()).sum();
    assert!(missing > 0 && missing < 40, "{missing} missing cells");
    let y = t.target(SIZE_TARGET).unwrap();
    let (lo, hi) = y
        .iter()
        .fold((f64::INFINITY, 0.0f64), |(a, b), &v| (a.min(v), b.max(v)));
    assert!(
        (lo - 5.0).abs() < 1e-9 && (hi - 200.0).abs() < 1e-9,
        "sizes {lo}..{hi} nm"
    );
    // Broad: the middle half spans more than a factor 2.
    let mut sorted = y.clone();
    sorted.sort_by(f64::total_cmp);
    assert!(sorted[19] / sorted[6] > 2.0, "{sorted:?}");
    // Same seed, same table; another seed, another.
    assert_eq!(t, synthetic_size_fixture(26, 2025).unwrap());
    assert_ne!(t, synthetic_size_fixture(26, 2026).unwrap());
}

#[test]
fn csv_round_trip_keeps_types_and_gaps() {
    let t = synthetic_size_fixture(26, 7).unwrap();
    let dir = std::env::temp_dir().join(format!("mnp-fixture-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("synthetic_size_fixture.csv");
    t.to_csv(&path).unwrap();
    let back = Table::from_csv(&path, &CsvOptions::default()).unwrap();
    assert_eq!(back.rows(), 26);
    for (a, b) in t.columns().iter().zip(back.columns()) {
        assert_eq!(a.name, b.name);
        assert_eq!(a.data.column_type(), b.data.column_type());
        assert_eq!(a.data.missing(), b.data.missing());
    }
    // Floats survive the text round trip exactly (shortest representation).
    assert_eq!(
        t.numeric("reaction_temp_c").unwrap(),
        back.numeric("reaction_temp_c").unwrap()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
