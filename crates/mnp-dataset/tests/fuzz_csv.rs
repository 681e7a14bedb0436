//! The CSV reader on random input: any bytes give a table or a typed
//! error, never a panic. A cheap fuzz run on every `cargo test`.

use mnp_dataset::{ColumnType, CsvOptions, Table};
use proptest::prelude::*;

fn read(bytes: &[u8], text_column: bool) -> Result<Table, mnp_dataset::DatasetError> {
    let dir = std::env::temp_dir().join(format!("mnp_fuzz_csv_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{:x}.csv", fxhash(bytes)));
    std::fs::write(&path, bytes).unwrap();
    let mut options = CsvOptions::default();
    if text_column {
        options.types.insert("a".into(), ColumnType::Text);
    }
    let r = Table::from_csv(&path, &options);
    std::fs::remove_file(&path).ok();
    r
}

fn fxhash(b: &[u8]) -> u64 {
    b.iter().fold(0xcbf29ce484222325u64, |h, &x| {
        (h ^ x as u64).wrapping_mul(0x100000001b3)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Arbitrary bytes.
    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400), text in any::<bool>()) {
        let _ = read(&bytes, text);
    }

    /// CSV-like text: headers, quotes, separators, numbers, words, inf,
    /// NaN and ragged rows; a table read has distinct names, equal
    /// columns and finite numbers.
    #[test]
    fn csv_like_text_never_panics(
        text in "([abc]{1,2}(,[abc]{1,2}){0,4}\\n)((-?[0-9]{1,3}(\\.[0-9]{1,3})?|inf|NaN|NA|x|\"4,2\"|)(,(-?[0-9]{1,3}|1e308|1e999|inf|y|)){0,5}\\r?\\n){0,12}",
        text_col in any::<bool>(),
    ) {
        if let Ok(t) = read(text.as_bytes(), text_col) {
            let mut names: Vec<&str> = t.columns().iter().map(|c| c.name.as_str()).collect();
            names.sort_unstable();
            names.dedup();
            prop_assert_eq!(names.len(), t.columns().len());
            for c in t.columns() {
                prop_assert_eq!(c.data.len(), t.rows());
                if let mnp_dataset::ColumnData::Numeric(v) = &c.data {
                    prop_assert!(v.iter().flatten().all(|x| x.is_finite()));
                }
            }
        }
    }
}
