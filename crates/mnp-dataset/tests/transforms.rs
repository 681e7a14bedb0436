//! Transformers: fitted on training rows, applied to the rest.

use mnp_dataset::{
    Column, ColumnData, DatasetError, FeatureMatrix, Imputer, MISSING_CATEGORY, NumericImputation,
    OneHotEncoder, Pipeline, Scaler, Scaling, Table, TextImputation, Transform, Transformer,
    UnknownCategory, exp10_target, log10_target,
};
use proptest::prelude::*;

fn num(name: &str, v: &[Option<f64>]) -> Column {
    Column {
        name: name.into(),
        data: ColumnData::Numeric(v.to_vec()),
    }
}
fn text(name: &str, v: &[Option<&str>]) -> Column {
    Column {
        name: name.into(),
        data: ColumnData::Text(v.iter().map(|s| s.map(str::to_string)).collect()),
    }
}

fn table() -> Table {
    Table::new(vec![
        num("flow", &[Some(1.0), None, Some(3.0), Some(10.0), None]),
        text(
            "reactor",
            &[Some("coil"), Some("chip"), None, Some("coil"), Some("tube")],
        ),
    ])
    .unwrap()
}

#[test]
fn imputation_learns_from_training_rows_only() {
    let t = table();
    let train = t.take(&[0, 1, 2]).unwrap(); // flow: 1, –, 3
    for (strategy, fill) in [
        (NumericImputation::Mean, 2.0),
        (NumericImputation::Median, 2.0),
        (NumericImputation::Zero, 0.0),
        (NumericImputation::Constant(-7.5), -7.5),
    ] {
        let imp = Imputer::new(strategy).fit(&train).unwrap();
        assert_eq!(imp.fill_number("flow"), Some(fill));
        let out = imp.transform(&t).unwrap();
        // Row 4's missing flow gets the training fill, not influenced by row 3's 10.
        assert_eq!(out.numeric("flow").unwrap()[4], Some(fill), "{strategy:?}");
        assert_eq!(out.numeric("flow").unwrap()[3], Some(10.0));
    }
    let imp = Imputer::new(NumericImputation::Median)
        .fit(
            &Table::new(vec![num(
                "x",
                &[Some(4.0), Some(1.0), Some(3.0), Some(2.0)],
            )])
            .unwrap(),
        )
        .unwrap();
    let out = imp
        .transform(&Table::new(vec![num("x", &[None])]).unwrap())
        .unwrap();
    assert_eq!(out.numeric("x").unwrap()[0], Some(2.5));
    // Text: the most frequent training category.
    let (_, out) = Imputer::default().fit_transform(&t).unwrap();
    match &out.column("reactor").unwrap().data {
        ColumnData::Text(v) => assert_eq!(v[2].as_deref(), Some("coil")),
        d => panic!("{d:?}"),
    }
    // Text: a constant, or "missing" as a category of its own, which
    // one-hot encoding then gives a column.
    let (_, out) = Imputer::default()
        .with_text(TextImputation::Constant("batch".into()))
        .fit_transform(&t)
        .unwrap();
    match &out.column("reactor").unwrap().data {
        ColumnData::Text(v) => assert_eq!(v[2].as_deref(), Some("batch")),
        d => panic!("{d:?}"),
    }
    let (_, out) = Imputer::default()
        .with_text(TextImputation::MissingCategory)
        .fit_transform(&t)
        .unwrap();
    let (_, encoded) = OneHotEncoder::default().fit_transform(&out).unwrap();
    let missing = format!("reactor={MISSING_CATEGORY}");
    assert_eq!(
        encoded.numeric(&missing).unwrap(),
        &[Some(0.0), Some(0.0), Some(1.0), Some(0.0), Some(0.0)]
    );
    // A column with no value to learn from.
    let empty = Table::new(vec![num("x", &[None, None])]).unwrap();
    assert_eq!(
        Imputer::default().fit(&empty).unwrap_err(),
        DatasetError::NoValues("x".into())
    );
    assert!(matches!(
        Imputer::new(NumericImputation::Constant(f64::NAN))
            .fit(&t)
            .unwrap_err(),
        DatasetError::InvalidParameter { .. }
    ));
    // Fitted on one table, applied to a column it never saw.
    let fitted = Imputer::default().fit(&train).unwrap();
    assert_eq!(
        fitted
            .transform(&Table::new(vec![num("other", &[None])]).unwrap())
            .unwrap_err(),
        DatasetError::UnknownColumn("other".into())
    );
}

#[test]
fn scaling_matches_scikit_learn_definitions() {
    let t = Table::new(vec![num(
        "x",
        &[Some(1.0), Some(2.0), Some(3.0), Some(6.0)],
    )])
    .unwrap();
    let (_, out) = Scaler::new(Scaling::Standard).fit_transform(&t).unwrap();
    let z: Vec<f64> = out
        .numeric("x")
        .unwrap()
        .iter()
        .map(|v| v.unwrap())
        .collect();
    // mean 3, population sd sqrt(3.5).
    let sd = 3.5f64.sqrt();
    assert!((z[0] - (1.0 - 3.0) / sd).abs() < 1e-15);
    assert!(z.iter().sum::<f64>().abs() < 1e-12);
    assert!((z.iter().map(|v| v * v).sum::<f64>() / 4.0 - 1.0).abs() < 1e-12);
    let (_, out) = Scaler::new(Scaling::MinMax).fit_transform(&t).unwrap();
    assert_eq!(
        out.numeric("x").unwrap(),
        &[Some(0.0), Some(0.2), Some(0.4), Some(1.0)]
    );
    // A constant column keeps scale 1 (as scikit-learn).
    let c = Table::new(vec![num("c", &[Some(5.0), Some(5.0)])]).unwrap();
    assert_eq!(
        Scaler::default()
            .fit_transform(&c)
            .unwrap()
            .1
            .numeric("c")
            .unwrap(),
        &[Some(0.0), Some(0.0)]
    );
}

#[test]
fn one_hot_encoding_and_unseen_categories() {
    let (_, t) = Imputer::default().fit_transform(&table()).unwrap();
    let train = t.take(&[0, 1, 3]).unwrap(); // coil, chip, coil
    let enc = OneHotEncoder::new(UnknownCategory::Error)
        .fit(&train)
        .unwrap();
    assert_eq!(enc.categories("reactor").unwrap(), ["chip", "coil"]);
    let out = enc.transform(&train).unwrap();
    let names: Vec<&str> = out.columns().iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["flow", "reactor=chip", "reactor=coil"]);
    assert_eq!(
        out.numeric("reactor=coil").unwrap(),
        &[Some(1.0), Some(0.0), Some(1.0)]
    );
    // Row 4 is "tube", unseen.
    assert_eq!(
        enc.transform(&t).unwrap_err(),
        DatasetError::UnseenCategory {
            column: "reactor".into(),
            value: "tube".into()
        }
    );
    let lenient = OneHotEncoder::new(UnknownCategory::AllZeros)
        .fit(&train)
        .unwrap();
    let out = lenient.transform(&t).unwrap();
    assert_eq!(out.numeric("reactor=chip").unwrap()[4], Some(0.0));
    assert_eq!(out.numeric("reactor=coil").unwrap()[4], Some(0.0));
}

#[test]
fn pipeline_to_a_named_feature_matrix() {
    let t = table();
    let p = Pipeline::new(
        NumericImputation::Mean,
        Some(Scaling::MinMax),
        UnknownCategory::AllZeros,
    )
    .fit(&t.take(&[0, 1, 2, 3]).unwrap())
    .unwrap();
    let m = p.transform(&t).unwrap();
    assert_eq!(m.names, ["flow", "reactor=chip", "reactor=coil"]);
    assert_eq!(m.data.dim(), (5, 3));
    // Training flow: 1, (mean 14/3), 3, 10 → min 1, max 10.
    assert!((m.data[[3, 0]] - 1.0).abs() < 1e-15 && m.data[[0, 0]].abs() < 1e-15);
    // A text column left in a matrix is refused; so is a missing value.
    let words = t.select(&["reactor"]).unwrap();
    assert!(matches!(
        FeatureMatrix::from_table(&words).unwrap_err(),
        DatasetError::WrongColumnType { .. }
    ));
    let gap = Table::new(vec![num("x", &[Some(1.0), None])]).unwrap();
    assert_eq!(
        FeatureMatrix::from_table(&gap).unwrap_err(),
        DatasetError::MissingValue {
            column: "x".into(),
            at: "row 1".into()
        }
    );
    // A non-finite value is not a missing one.
    let inf = Table::new(vec![num("x", &[Some(1.0), Some(f64::INFINITY)])]).unwrap();
    assert!(matches!(
        FeatureMatrix::from_table(&inf).unwrap_err(),
        DatasetError::NonFinite { .. }
    ));
    // Values whose mean or spread overflow cannot be scaled or imputed.
    let huge = Table::new(vec![num(
        "a",
        &[Some(1e308), Some(1e308), Some(-1e308), None],
    )])
    .unwrap();
    for e in [
        Scaler::new(Scaling::Standard).fit(&huge).unwrap_err(),
        Imputer::new(NumericImputation::Mean)
            .fit(&Table::new(vec![num("a", &[Some(1e308), Some(1e308)])]).unwrap())
            .unwrap_err(),
    ] {
        assert!(matches!(e, DatasetError::Overflow { .. }), "{e:?}");
    }
}

#[test]
fn log10_target_round_trip_and_errors() {
    let y = [0.5, 10.0, 250.0];
    let z = log10_target(&y).unwrap();
    assert_eq!(z[1], 1.0);
    let back = exp10_target(&z);
    for (a, b) in back.iter().zip(&y) {
        assert!((a - b).abs() < 1e-12 * b);
    }
    assert_eq!(
        log10_target(&[1.0, 0.0]).unwrap_err(),
        DatasetError::NonPositiveTarget { row: 1, value: 0.0 }
    );
}

proptest! {
    /// Scaling then un-scaling gives back the data, for both scalings.
    #[test]
    fn scaling_round_trip(values in prop::collection::vec(-1e6..1e6f64, 2..40), minmax in any::<bool>()) {
        let t = Table::new(vec![Column { name: "x".into(), data: ColumnData::Numeric(values.iter().map(|v| Some(*v)).collect()) }]).unwrap();
        let (s, z) = Scaler::new(if minmax { Scaling::MinMax } else { Scaling::Standard }).fit_transform(&t).unwrap();
        for (orig, zz) in values.iter().zip(z.numeric("x").unwrap()) {
            let back = s.inverse("x", zz.unwrap()).unwrap();
            prop_assert!((back - orig).abs() <= 1e-9 * (1.0 + orig.abs()));
        }
    }

    /// Every one-hot row of a column sums to 1 when all categories are known.
    #[test]
    fn one_hot_rows_sum_to_one(cats in prop::collection::vec(0u8..6, 1..50)) {
        let col = Column { name: "c".into(), data: ColumnData::Text(cats.iter().map(|c| Some(format!("k{c}"))).collect()) };
        let t = Table::new(vec![col]).unwrap();
        let (_, out) = OneHotEncoder::default().fit_transform(&t).unwrap();
        let m = FeatureMatrix::from_table(&out).unwrap();
        for row in m.data.rows() {
            prop_assert_eq!(row.sum(), 1.0);
        }
    }
}
