//! Data-backed: the size-prediction pipeline on DiMag's r1.csv (its eight
//! numeric descriptors, target log10 r1) against scikit-learn 1.9.1:
//! `make_pipeline(SimpleImputer(), StandardScaler(), model)` and
//! `cross_val_predict(..., cv=KFold(5))`. Reads `$MNP_DATA_DIR/dimag/r1.csv`;
//! run with `MNP_DATA_DIR=../shared/data cargo test -- --ignored`.

use mnp_suite::dataset::split::KFold;
use mnp_suite::dataset::{ColumnType, CsvOptions, Table, log10_target};
use mnp_suite::regress::{ElasticNetParams, Gamma, Kernel, SvrParams};
use mnp_suite::size::{ModelSpec, Preprocessing, cross_validate};
use std::path::PathBuf;

fn data_dir() -> PathBuf {
    PathBuf::from(std::env::var_os("MNP_DATA_DIR").expect(
        "MNP_DATA_DIR is not set: data-backed tests read the DiMag files from it \
         (run: MNP_DATA_DIR=../shared/data cargo test -- --ignored)",
    ))
}

#[test]
#[ignore = "needs the DiMag data: set MNP_DATA_DIR"]
fn r1_cross_validation_matches_scikit_learn() {
    let path = data_dir().join("dimag").join("r1.csv");
    let table = Table::from_csv(&path, &CsvOptions::default())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(table.rows(), 355);
    let numeric: Vec<&str> = table
        .columns()
        .iter()
        .filter(|c| c.data.column_type() == ColumnType::Numeric && c.name != "r1 relaxivity")
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(numeric.len(), 8);
    let features = table.select(&numeric).unwrap();
    let y = log10_target(&table.target("r1 relaxivity").unwrap()).unwrap();
    let folds = KFold {
        k: 5,
        shuffle: None,
    }
    .split(355)
    .unwrap();
    let svr = |kernel, c| {
        ModelSpec::Svr(SvrParams {
            kernel,
            c,
            epsilon: 0.1,
            ..Default::default()
        })
    };
    // scikit-learn: pooled RMSE and R² of the out-of-fold predictions.
    let cases = [
        (
            svr(
                Kernel::Rbf {
                    gamma: Gamma::Scale,
                },
                10.0,
            ),
            0.5655806337394219,
            0.11247064120680539,
        ),
        (
            svr(Kernel::Linear, 1.0),
            0.45597806985085954,
            0.4231251845153098,
        ),
        (
            ModelSpec::ElasticNet(ElasticNetParams {
                alpha: 0.01,
                l1_ratio: 0.5,
                ..Default::default()
            }),
            0.5306404128301847,
            0.21874229769098563,
        ),
    ];
    for (model, rmse, r2) in cases {
        let (_, s) =
            cross_validate(&features, &y, Preprocessing::default(), &model, &folds).unwrap();
        // The issue asks for 0.5 %. Measured: Elastic Net identical, RBF
        // 1.6e-5, linear 5.2e-4 (both SVR solvers stop at their default
        // tolerance 1e-3, at slightly different points).
        assert!(
            (s.rmse - rmse).abs() < 5e-3 * rmse,
            "{model:?}: RMSE {} vs {rmse}",
            s.rmse
        );
        assert!((s.r2 - r2).abs() < 5e-3, "{model:?}: R2 {} vs {r2}", s.r2);
        eprintln!(
            "{model:?}: RMSE {} vs {rmse} (rel {:.1e})",
            s.rmse,
            (s.rmse - rmse).abs() / rmse
        );
    }
}
