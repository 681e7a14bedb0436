//! CSV tables and scikit-learn-compatible splitters.

use mnp_dataset::split::{
    GroupKFold, KFold, Split, equal_width_bins, leave_one_out, stratified_train_test_split,
    train_test_split,
};
use mnp_dataset::{ColumnData, ColumnType, CsvOptions, DatasetError, Table};
use proptest::prelude::*;
use std::collections::HashSet;

fn write(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("mnp-dataset-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.csv"));
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn csv_types_missing_cells_and_selection() {
    let path = write(
        "ok",
        "flow_ml_min,reactor,temp_C,size_nm\n1.5,coil,80,12.5\n,chip,NA,20\n2.0, coil ,90.5,NaN\n3,,85,31\n",
    );
    let t = Table::from_csv(&path, &CsvOptions::default()).unwrap();
    assert_eq!(t.rows(), 4);
    assert_eq!(
        t.numeric("flow_ml_min").unwrap(),
        &[Some(1.5), None, Some(2.0), Some(3.0)]
    );
    assert_eq!(t.numeric("temp_C").unwrap()[1], None);
    match &t.column("reactor").unwrap().data {
        ColumnData::Text(v) => assert_eq!(
            v,
            &[
                Some("coil".into()),
                Some("chip".into()),
                Some("coil".into()),
                None
            ]
        ),
        d => panic!("{d:?}"),
    }
    assert_eq!(t.column("size_nm").unwrap().data.missing(), 1);
    let f = t.select(&["temp_C", "reactor"]).unwrap();
    assert_eq!(f.columns()[0].name, "temp_C");
    assert_eq!(
        t.take(&[3, 0]).unwrap().numeric("size_nm").unwrap(),
        &[Some(31.0), Some(12.5)]
    );
    assert!(t.take(&[4]).is_err());
    assert_eq!(
        t.select(&["nope"]).unwrap_err(),
        DatasetError::UnknownColumn("nope".into())
    );
    assert!(matches!(
        t.numeric("reactor").unwrap_err(),
        DatasetError::WrongColumnType { .. }
    ));
    // A missing target is refused, naming the row.
    assert!(t.target("size_nm").is_err());
    assert!(t.target("flow_ml_min").is_err());
}

#[test]
fn csv_errors_name_the_line_and_column() {
    // Row 3 (line 4) has a field too many.
    let path = write("ragged", "a,b\n1,2\n3,4\n5,6,7\n");
    match Table::from_csv(&path, &CsvOptions::default()).unwrap_err() {
        DatasetError::Csv { file, line, .. } => {
            assert!(file.ends_with("ragged.csv"));
            assert_eq!(line, 4);
        }
        e => panic!("{e:?}"),
    }
    // A column forced numeric with a word on line 3.
    let path = write("word", "a,b\n1,2\n3,x\n");
    let mut opts = CsvOptions::default();
    opts.types.insert("b".into(), ColumnType::Numeric);
    assert_eq!(
        Table::from_csv(&path, &opts).unwrap_err(),
        DatasetError::NotANumber {
            file: path.display().to_string(),
            line: 3,
            column: "b".into(),
            value: "x".into()
        }
    );
    // Inferred: as many numbers as words is a numeric column with a bad
    // cell, refused the same way; declared text, it is categories.
    assert!(matches!(
        Table::from_csv(&path, &CsvOptions::default()).unwrap_err(),
        DatasetError::NotANumber { line: 3, .. }
    ));
    let mut text = CsvOptions::default();
    text.types.insert("b".into(), ColumnType::Text);
    let t = Table::from_csv(&path, &text).unwrap();
    assert_eq!(t.column("b").unwrap().data.column_type(), ColumnType::Text);
    let e = Table::from_csv("/nonexistent/file.csv", &CsvOptions::default()).unwrap_err();
    assert!(e.to_string().contains("/nonexistent/file.csv"));
}

#[test]
fn kfold_matches_scikit_learn_sizes_and_order() {
    // KFold(5) on 23 rows: sizes 5,5,5,4,4, contiguous.
    let folds = KFold {
        k: 5,
        shuffle: None,
    }
    .split(23)
    .unwrap();
    let sizes: Vec<usize> = folds.iter().map(|f| f.test.len()).collect();
    assert_eq!(sizes, [5, 5, 5, 4, 4]);
    assert_eq!(folds[1].test, (5..10).collect::<Vec<_>>());
    assert_eq!(folds[4].test, (19..23).collect::<Vec<_>>());
    for f in &folds {
        assert_eq!(f.train.len() + f.test.len(), 23);
    }
    // Shuffled: same sizes, every row tested once, seeded.
    let a = KFold {
        k: 5,
        shuffle: Some(3),
    }
    .split(23)
    .unwrap();
    let b = KFold {
        k: 5,
        shuffle: Some(3),
    }
    .split(23)
    .unwrap();
    assert_eq!(a, b);
    let mut all: Vec<usize> = a.iter().flat_map(|f| f.test.clone()).collect();
    all.sort_unstable();
    assert_eq!(all, (0..23).collect::<Vec<_>>());
    assert_ne!(a[0].test, folds[0].test);
    assert!(
        KFold {
            k: 1,
            shuffle: None
        }
        .split(10)
        .is_err()
    );
    assert!(
        KFold {
            k: 5,
            shuffle: None
        }
        .split(4)
        .is_err()
    );
    let loo = leave_one_out(26).unwrap();
    assert_eq!(loo.len(), 26);
    assert_eq!(loo[7].test, vec![7]);
    assert_eq!(loo[7].train.len(), 25);
}

#[test]
fn group_kfold_follows_scikit_learn() {
    // Sizes a 2, b 1, c 3, d 1: c → fold 0, a → fold 1, d → fold 1, b → fold 0.
    let groups = ["a", "a", "b", "c", "c", "c", "d"];
    let folds = GroupKFold { k: 2 }.split(&groups).unwrap();
    assert_eq!(folds[0].test, vec![2, 3, 4, 5]);
    assert_eq!(folds[1].test, vec![0, 1, 6]);
    assert!(GroupKFold { k: 5 }.split(&groups).is_err());
}

#[test]
fn train_test_sizes_bins_and_strata() {
    // scikit-learn: test = ceil(0.2 · 26) = 6.
    let s = train_test_split(26, 0.2, 7).unwrap();
    assert_eq!((s.train.len(), s.test.len()), (20, 6));
    assert_eq!(s, train_test_split(26, 0.2, 7).unwrap());
    assert_ne!(s, train_test_split(26, 0.2, 8).unwrap());
    assert!(train_test_split(26, 0.0, 7).is_err());
    assert!(train_test_split(2, 0.9, 7).is_err());
    // pandas.cut(y, 5): right-closed, the minimum in bin 0.
    let y = [0.0, 1.0, 2.0, 2.5, 5.0, 7.5, 10.0];
    assert_eq!(equal_width_bins(&y, 5).unwrap(), vec![0, 0, 0, 1, 2, 3, 4]);
    assert!(equal_width_bins(&[1.0, f64::NAN], 5).is_err());
    // Stratified: each bin represented in proportion.
    let strata: Vec<usize> = (0..100)
        .map(|i| {
            if i < 60 {
                0
            } else if i < 90 {
                1
            } else {
                2
            }
        })
        .collect();
    let s = stratified_train_test_split(&strata, 0.2, 1).unwrap();
    let count = |b: usize| s.test.iter().filter(|&&i| strata[i] == b).count();
    assert_eq!((count(0), count(1), count(2)), (12, 6, 2));
}

proptest! {
    /// GroupKFold never puts one group on both sides, and tests every row
    /// exactly once.
    #[test]
    fn group_kfold_never_splits_a_group(groups in prop::collection::vec(0u32..12, 10..80), k in 2usize..5) {
        let distinct: HashSet<u32> = groups.iter().copied().collect();
        prop_assume!(distinct.len() >= k);
        let folds = GroupKFold { k }.split(&groups).unwrap();
        let mut seen = vec![0; groups.len()];
        for f in &folds {
            let test_groups: HashSet<u32> = f.test.iter().map(|&i| groups[i]).collect();
            prop_assert!(f.train.iter().all(|&i| !test_groups.contains(&groups[i])));
            for &i in &f.test { seen[i] += 1; }
        }
        prop_assert!(seen.iter().all(|&c| c == 1));
    }
}

/// What a careful user's bad tables must not do silently: a repeated
/// column, one bad cell in a numeric column (a typo, a decimal comma),
/// `inf`; and every row a user sees is named by its file line.
#[test]
fn strict_tables_name_the_file_line_and_column() {
    let dup = write("dup", "a,b,c,d,size,a\n1,2,3,4,5,6\n");
    let e = Table::from_csv(&dup, &CsvOptions::default()).unwrap_err();
    assert!(
        matches!(&e, DatasetError::DuplicateColumn { column, first: 1, second: 6, .. } if column == "a"),
        "{e:?}"
    );
    assert!(e.to_string().contains("appears twice"));
    // One word among numbers: an error at its line, not a category.
    let typo = write("typo", "a,b\n1.5,x\n2.5,y\nabc,z\n4.5,x\n");
    match Table::from_csv(&typo, &CsvOptions::default()).unwrap_err() {
        DatasetError::NotANumber {
            line,
            column,
            value,
            ..
        } => {
            assert_eq!((line, column.as_str(), value.as_str()), (4, "a", "abc"));
        }
        e => panic!("{e:?}"),
    }
    // A quoted decimal comma.
    let comma = write("comma", "a,b\n1.5,x\n\"4,253\",y\n2.0,z\n");
    assert!(matches!(
        Table::from_csv(&comma, &CsvOptions::default()).unwrap_err(),
        DatasetError::NotANumber { line: 3, .. }
    ));
    // A column of words with a number-like code stays text.
    let codes = write("codes", "a,kind\n1,coil\n2,chip\n3,42\n4,tube\n");
    let t = Table::from_csv(&codes, &CsvOptions::default()).unwrap();
    assert_eq!(
        t.column("kind").unwrap().data.column_type(),
        ColumnType::Text
    );
    // inf is its own error, at its line.
    let inf = write("inf", "a,b\n1,2\n3,4\n5,6\n7,8\n9,10\n11,inf\n");
    match Table::from_csv(&inf, &CsvOptions::default()).unwrap_err() {
        DatasetError::NonFinite { at, column, .. } => {
            assert!(at.ends_with("line 7"), "{at}");
            assert_eq!(column, "b");
        }
        e => panic!("{e:?}"),
    }
    // Rows keep their file lines through selections and subsets: the
    // missing target of data row 5 is line 7.
    let gap = write("gap", "x,y\n1,1\n2,2\n3,3\n4,4\n5,5\n6,\n7,7\n");
    let t = Table::from_csv(&gap, &CsvOptions::default()).unwrap();
    let e = t.take(&[6, 5]).unwrap().target("y").unwrap_err();
    assert!(
        matches!(&e, DatasetError::MissingValue { at, .. } if at.ends_with("gap.csv, line 7")),
        "{e:?}"
    );
    assert_eq!(t.take(&[6, 5]).unwrap().line(1), Some(7));
    assert_eq!(
        t.select(&["y"]).unwrap().locate(3),
        format!("{}, line 5", gap.display())
    );
    // Tables built in code refuse repeated names too.
    let col = |n: &str| mnp_dataset::Column {
        name: n.into(),
        data: mnp_dataset::ColumnData::Numeric(vec![Some(1.0)]),
    };
    assert!(matches!(
        Table::new(vec![col("a"), col("a")]),
        Err(DatasetError::DuplicateColumn { .. })
    ));
}

/// The group split keeps every group on one side, holds out at least the
/// asked share of rows, is seeded, and refuses a single group.
#[test]
fn group_train_test_split_keeps_groups_whole() {
    use mnp_dataset::split::group_train_test_split;
    // 12 groups of 1 to 6 rows.
    let groups: Vec<usize> = (0..12)
        .flat_map(|g| std::iter::repeat_n(g, 1 + g % 6))
        .collect();
    let n = groups.len();
    let a = group_train_test_split(&groups, 0.2, 3).unwrap();
    assert_eq!(a.train.len() + a.test.len(), n);
    assert!(a.test.len() >= (0.2 * n as f64).ceil() as usize);
    for g in 0..12 {
        let in_test = a.test.iter().filter(|&&i| groups[i] == g).count();
        let in_train = a.train.iter().filter(|&&i| groups[i] == g).count();
        assert!(in_test == 0 || in_train == 0, "group {g} split");
    }
    assert_eq!(a, group_train_test_split(&groups, 0.2, 3).unwrap());
    assert!((0..10).any(|s| group_train_test_split(&groups, 0.2, s).unwrap() != a));
    assert!(group_train_test_split(&[7, 7, 7], 0.3, 0).is_err());
    assert!(group_train_test_split(&groups, 1.5, 0).is_err());
}

#[test]
fn split_from_test_rows_replays_a_stored_split() {
    let s = Split::from_test_rows(6, vec![4, 1]).unwrap();
    assert_eq!(s.test, vec![4, 1]);
    assert_eq!(s.train, vec![0, 2, 3, 5]);
    assert_eq!(
        Split::from_test_rows(6, vec![1, 6]),
        Err(DatasetError::InvalidRow {
            row: 6,
            problem: "is out of range",
            rows: 6
        })
    );
    let twice = Split::from_test_rows(6, vec![2, 3, 2]).unwrap_err();
    assert_eq!(
        twice.to_string(),
        "row 2 is given twice (the data have 6 rows)"
    );
    assert!(matches!(
        Split::from_test_rows(3, vec![0, 1, 2]),
        Err(DatasetError::TooFew {
            what: "training rows",
            found: 0,
            ..
        })
    ));
    assert!(matches!(
        Split::from_test_rows(3, vec![]),
        Err(DatasetError::TooFew {
            what: "test rows",
            found: 0,
            ..
        })
    ));
}

/// scikit-learn 1.9.1 / numpy 2.4.6: `train_test_split(np.arange(20),
/// test_size=0.25, stratify=[0]*8 + [1]*7 + [2]*5, random_state=42)` gives
/// these rows, in this order (the DiMag splits are checked the same way in
/// a data-backed test).
#[test]
fn sklearn_stratified_split_replays_scikit_learn() {
    let strata: Vec<usize> = [vec![0; 8], vec![1; 7], vec![2; 5]].concat();
    let s = mnp_dataset::split::sklearn_stratified_train_test_split(&strata, 0.25, 42).unwrap();
    assert_eq!(s.train, SKLEARN_TRAIN);
    assert_eq!(s.test, SKLEARN_TEST);
    // A stratum of one row is refused, as scikit-learn refuses it.
    let lonely: Vec<usize> = [vec![0; 8], vec![1; 1]].concat();
    assert!(matches!(
        mnp_dataset::split::sklearn_stratified_train_test_split(&lonely, 0.25, 0),
        Err(DatasetError::TooFew { found: 1, .. })
    ));
}
const SKLEARN_TRAIN: [usize; 15] = [10, 0, 16, 13, 11, 12, 7, 1, 18, 17, 4, 15, 8, 5, 2];
const SKLEARN_TEST: [usize; 5] = [3, 6, 14, 19, 9];
