//! # mnp-dataset
//!
//! Tabular data for machine learning on magnetic nanoparticles: synthesis
//! parameters → size (Glänzer et al. 2025) and descriptors → SAR, r1, r2
//! (the DiMag database).
//!
//! - [`Table`]: numeric and text columns with missing cells, read from CSV
//!   with inferred (or overridden) column types; errors name the file, line
//!   and column;
//! - [`split`]: scikit-learn's splitters: shuffled and stratified
//!   train/test splits, [`split::KFold`] (fold sizes and order as
//!   scikit-learn), leave-one-out and [`split::GroupKFold`]; a seeded
//!   train/test split that keeps groups whole
//!   ([`split::group_train_test_split`]); scikit-learn's stratified
//!   `train_test_split` replayed index for index for a `random_state`
//!   ([`split::sklearn_stratified_train_test_split`], numpy's MT19937), and
//!   any stored split replayed ([`split::Split::from_test_rows`]).
//!
//! - [`transform`]: transformers fitted on training rows and applied to the
//!   rest: [`Imputer`] (zero, mean, median; most frequent text),
//!   [`Scaler`] (standard, min-max), [`OneHotEncoder`] (unseen categories:
//!   error or all zeros), a [`Pipeline`] to a named [`FeatureMatrix`], and
//!   the log10 target transform.
//!
//! - [`fixture`]: a **synthetic** size-prediction table with the shape of
//!   Glänzer et al. 2025's (26 runs × 22 features), from a documented law.
//!
//! - [`dimag`]: the DiMag files with their column roles, DOIs normalized
//!   for grouping, duplicate and conflicting rows reported (never dropped).
//!
//! ```
//! use mnp_dataset::split::{GroupKFold, KFold};
//!
//! # fn main() -> mnp_dataset::Result<()> {
//! // scikit-learn's KFold(3) on 7 rows: test folds [0,1,2], [3,4], [5,6].
//! let folds = KFold { k: 3, shuffle: None }.split(7)?;
//! assert_eq!(folds[0].test, vec![0, 1, 2]);
//! assert_eq!(folds[2].test, vec![5, 6]);
//!
//! // GroupKFold never splits a group (rows of one article, say).
//! let doi = ["a", "a", "b", "c", "c", "c", "d"];
//! for fold in (GroupKFold { k: 2 }).split(&doi)? {
//!     let groups: Vec<_> = fold.test.iter().map(|&i| doi[i]).collect();
//!     assert!(fold.train.iter().all(|&i| !groups.contains(&doi[i])));
//! }
//! # Ok(())
//! # }
//! ```

pub mod dimag;
mod error;
pub mod fixture;
mod numpy_random;
pub mod split;
mod table;
pub mod transform;

pub use error::{DatasetError, Result};
pub use table::{Column, ColumnData, ColumnType, CsvOptions, Table, is_missing};
pub use transform::{
    FeatureMatrix, FittedImputer, FittedOneHotEncoder, FittedPipeline, FittedScaler, Imputer,
    MISSING_CATEGORY, NumericImputation, OneHotEncoder, Pipeline, Scaler, Scaling, TextImputation,
    Transform, Transformer, UnknownCategory, exp10_target, log10_target,
};

/// The `ndarray` this crate's signatures use, re-exported so a user need
/// not pin a matching version.
pub use ndarray;

/// The README's code blocks, compiled and run as doctests so the published
/// page cannot drift from the API.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
