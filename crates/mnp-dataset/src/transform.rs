//! Transformers fitted on training rows and applied to any rows: imputation,
//! scaling, one-hot encoding, a pipeline to a feature matrix, and the log10
//! target transform.
//!
//! Fitting is typed: a transformer's settings ([`Imputer`], [`Scaler`],
//! [`OneHotEncoder`], [`Pipeline`]; each `Default`) are a [`Transformer`]
//! whose `fit` on the training rows returns a separate fitted value
//! ([`FittedImputer`], …) that alone can [`Transform`]. An unfitted
//! transform cannot be applied: there is no "not fitted" state to check.

use crate::error::{DatasetError, Result};
use crate::table::{Column, ColumnData, Table};
use ndarray::Array2;
use std::collections::{BTreeMap, BTreeSet};

/// A transform's settings, learned from training rows by [`Transformer::fit`].
pub trait Transformer {
    /// The fitted transform.
    type Fitted: Transform;
    /// Learns the transform's parameters from `table` (the training rows
    /// only).
    ///
    /// # Errors
    /// A column it cannot learn from (for example no value at all).
    fn fit(&self, table: &Table) -> Result<Self::Fitted>;
    /// `fit` then `transform` on the same rows.
    ///
    /// # Errors
    /// As `fit` and `transform`.
    fn fit_transform(&self, table: &Table) -> Result<(Self::Fitted, Table)> {
        let fitted = self.fit(table)?;
        let out = fitted.transform(table)?;
        Ok((fitted, out))
    }
}

/// A fitted table-to-table transform.
pub trait Transform {
    /// Applies the learned transform to `table` (any rows, the training
    /// columns).
    ///
    /// # Errors
    /// A column unseen in training, or a value it cannot handle.
    fn transform(&self, table: &Table) -> Result<Table>;
}

/// How missing numbers are filled.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum NumericImputation {
    /// With 0.
    Zero,
    /// With the training mean.
    #[default]
    Mean,
    /// With the training median.
    Median,
    /// With a constant (scikit-learn's `SimpleImputer(strategy="constant")`).
    Constant(f64),
}

/// The category a missing text cell becomes with
/// [`TextImputation::MissingCategory`].
pub const MISSING_CATEGORY: &str = "missing";

/// How missing text cells are filled.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum TextImputation {
    /// With the training rows' most frequent category (ties: the first in
    /// sorted order).
    #[default]
    MostFrequent,
    /// With a constant category.
    Constant(String),
    /// As a category of its own, [`MISSING_CATEGORY`], so "not reported"
    /// can carry information (one-hot encoding then gives it a column).
    MissingCategory,
}

/// Fills missing cells: numbers by [`NumericImputation`], text by
/// [`TextImputation`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Imputer {
    /// The numeric strategy.
    pub numeric: NumericImputation,
    /// The text strategy.
    pub text: TextImputation,
}

impl Imputer {
    /// An imputer with the numeric strategy `numeric` and the most
    /// frequent category for text.
    pub fn new(numeric: NumericImputation) -> Self {
        Self {
            numeric,
            text: TextImputation::MostFrequent,
        }
    }
    /// The same imputer with the text strategy `text`.
    pub fn with_text(self, text: TextImputation) -> Self {
        Self { text, ..self }
    }
}

/// An [`Imputer`] fitted on training rows: the fill value of every column.
#[derive(Debug, Clone, PartialEq)]
pub struct FittedImputer {
    fill_numbers: BTreeMap<String, f64>,
    fill_text: BTreeMap<String, String>,
}

impl FittedImputer {
    /// The value that fills column `name` (a number, or a category).
    pub fn fill_number(&self, name: &str) -> Option<f64> {
        self.fill_numbers.get(name).copied()
    }
    /// The category that fills text column `name`.
    pub fn fill_text(&self, name: &str) -> Option<&str> {
        self.fill_text.get(name).map(String::as_str)
    }
}

impl Transformer for Imputer {
    type Fitted = FittedImputer;

    fn fit(&self, table: &Table) -> Result<FittedImputer> {
        let mut fill_numbers = BTreeMap::new();
        let mut fill_text = BTreeMap::new();
        for c in table.columns() {
            match &c.data {
                ColumnData::Numeric(v) => {
                    let mut vals: Vec<f64> = v.iter().flatten().copied().collect();
                    let fill = match self.numeric {
                        NumericImputation::Zero => 0.0,
                        NumericImputation::Constant(value) => {
                            if !value.is_finite() {
                                return Err(DatasetError::InvalidParameter {
                                    name: "constant imputation value",
                                    value,
                                    allowed: "a finite number",
                                });
                            }
                            value
                        }
                        _ if vals.is_empty() => return Err(DatasetError::NoValues(c.name.clone())),
                        NumericImputation::Mean => vals.iter().sum::<f64>() / vals.len() as f64,
                        NumericImputation::Median => {
                            vals.sort_by(f64::total_cmp);
                            let m = vals.len() / 2;
                            if vals.len() % 2 == 1 {
                                vals[m]
                            } else {
                                0.5 * (vals[m - 1] + vals[m])
                            }
                        }
                    };
                    if !fill.is_finite() {
                        return Err(DatasetError::Overflow {
                            column: c.name.clone(),
                            what: "the imputation value",
                            largest: vals.iter().fold(0.0f64, |m, v| m.max(v.abs())),
                        });
                    }
                    fill_numbers.insert(c.name.clone(), fill);
                }
                ColumnData::Text(v) => {
                    let fill = match &self.text {
                        TextImputation::Constant(s) => s.clone(),
                        TextImputation::MissingCategory => MISSING_CATEGORY.to_string(),
                        TextImputation::MostFrequent => {
                            let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
                            for s in v.iter().flatten() {
                                *counts.entry(s.as_str()).or_default() += 1;
                            }
                            counts
                                .iter()
                                .fold(None, |acc: Option<(&str, usize)>, (&k, &n)| match acc {
                                    Some((_, m)) if m >= n => acc,
                                    _ => Some((k, n)),
                                })
                                .ok_or_else(|| DatasetError::NoValues(c.name.clone()))?
                                .0
                                .to_string()
                        }
                    };
                    fill_text.insert(c.name.clone(), fill);
                }
            }
        }
        Ok(FittedImputer {
            fill_numbers,
            fill_text,
        })
    }
}

impl Transform for FittedImputer {
    fn transform(&self, table: &Table) -> Result<Table> {
        let columns = table
            .columns()
            .iter()
            .map(|c| {
                let data = match &c.data {
                    ColumnData::Numeric(v) => {
                        let fill = *self
                            .fill_numbers
                            .get(&c.name)
                            .ok_or_else(|| DatasetError::UnknownColumn(c.name.clone()))?;
                        ColumnData::Numeric(v.iter().map(|x| Some(x.unwrap_or(fill))).collect())
                    }
                    ColumnData::Text(v) => {
                        let fill = self
                            .fill_text
                            .get(&c.name)
                            .ok_or_else(|| DatasetError::UnknownColumn(c.name.clone()))?;
                        ColumnData::Text(
                            v.iter()
                                .map(|x| Some(x.clone().unwrap_or_else(|| fill.clone())))
                                .collect(),
                        )
                    }
                };
                Ok(Column {
                    name: c.name.clone(),
                    data,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Table::new(columns)?.with_origin_of(table)
    }
}

/// How numeric columns are scaled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scaling {
    /// (x − mean)/sd with the population sd (scikit-learn's
    /// `StandardScaler`); a constant column keeps sd = 1.
    #[default]
    Standard,
    /// (x − min)/(max − min) (scikit-learn's `MinMaxScaler`); a constant
    /// column keeps a range of 1.
    MinMax,
}

/// Scales numeric columns; text columns pass through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Scaler {
    /// The scaling.
    pub scaling: Scaling,
}

impl Scaler {
    /// A scaler of kind `scaling`.
    pub fn new(scaling: Scaling) -> Self {
        Self { scaling }
    }
}

/// A [`Scaler`] fitted on training rows: a shift and a scale per numeric
/// column, z = (x − shift)/scale.
#[derive(Debug, Clone, PartialEq)]
pub struct FittedScaler {
    params: BTreeMap<String, (f64, f64)>,
}

impl FittedScaler {
    /// The scaled value of `x` in column `name`: (x − shift)/scale, as
    /// the fitted transform maps that column.
    ///
    /// # Errors
    /// An unknown column.
    pub fn scale(&self, name: &str, x: f64) -> Result<f64> {
        let (shift, scale) = self
            .params
            .get(name)
            .ok_or_else(|| DatasetError::UnknownColumn(name.to_string()))?;
        Ok((x - shift) / scale)
    }

    /// Undoes the scaling of column `name` for the value `z`.
    ///
    /// # Errors
    /// An unknown column.
    pub fn inverse(&self, name: &str, z: f64) -> Result<f64> {
        let (shift, scale) = self
            .params
            .get(name)
            .ok_or_else(|| DatasetError::UnknownColumn(name.to_string()))?;
        Ok(z * scale + shift)
    }
}

impl Transformer for Scaler {
    type Fitted = FittedScaler;

    fn fit(&self, table: &Table) -> Result<FittedScaler> {
        let mut params = BTreeMap::new();
        for c in table.columns() {
            if let ColumnData::Numeric(v) = &c.data {
                let vals: Vec<f64> = v.iter().flatten().copied().collect();
                if vals.is_empty() {
                    return Err(DatasetError::NoValues(c.name.clone()));
                }
                let n = vals.len() as f64;
                let largest = vals.iter().fold(0.0f64, |m, v| m.max(v.abs()));
                let (shift, scale) = match self.scaling {
                    Scaling::Standard => {
                        let mean = vals.iter().sum::<f64>() / n;
                        let sd = (vals.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt();
                        (mean, if sd > 0.0 { sd } else { 1.0 })
                    }
                    Scaling::MinMax => {
                        let (lo, hi) = vals
                            .iter()
                            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                                (a.min(x), b.max(x))
                            });
                        (lo, if hi > lo { hi - lo } else { 1.0 })
                    }
                };
                if !(shift.is_finite() && scale.is_finite()) {
                    return Err(DatasetError::Overflow {
                        column: c.name.clone(),
                        what: match self.scaling {
                            Scaling::Standard => "the mean or standard deviation",
                            Scaling::MinMax => "the range",
                        },
                        largest,
                    });
                }
                params.insert(c.name.clone(), (shift, scale));
            }
        }
        Ok(FittedScaler { params })
    }
}

impl Transform for FittedScaler {
    fn transform(&self, table: &Table) -> Result<Table> {
        let columns = table
            .columns()
            .iter()
            .map(|c| {
                Ok(match &c.data {
                    ColumnData::Numeric(v) => {
                        let (shift, scale) = *self
                            .params
                            .get(&c.name)
                            .ok_or_else(|| DatasetError::UnknownColumn(c.name.clone()))?;
                        Column {
                            name: c.name.clone(),
                            data: ColumnData::Numeric(
                                v.iter().map(|x| x.map(|x| (x - shift) / scale)).collect(),
                            ),
                        }
                    }
                    ColumnData::Text(_) => c.clone(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Table::new(columns)?.with_origin_of(table)
    }
}

/// What one-hot encoding does with a category not seen when fitting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UnknownCategory {
    /// Refuse, naming the column and the category.
    #[default]
    Error,
    /// Encode the row as all zeros for that column.
    AllZeros,
}

/// Replaces each text column by 0/1 columns `name=category` (categories in
/// sorted order); numeric columns pass through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OneHotEncoder {
    /// Handling of unseen categories.
    pub unknown: UnknownCategory,
}

impl OneHotEncoder {
    /// An encoder with the given handling of unseen categories.
    pub fn new(unknown: UnknownCategory) -> Self {
        Self { unknown }
    }
}

/// A [`OneHotEncoder`] fitted on training rows: the categories of every
/// text column.
#[derive(Debug, Clone, PartialEq)]
pub struct FittedOneHotEncoder {
    unknown: UnknownCategory,
    categories: BTreeMap<String, Vec<String>>,
}

impl FittedOneHotEncoder {
    /// The categories learned for text column `name`, sorted.
    pub fn categories(&self, name: &str) -> Option<&[String]> {
        self.categories.get(name).map(Vec::as_slice)
    }
}

impl Transformer for OneHotEncoder {
    type Fitted = FittedOneHotEncoder;

    fn fit(&self, table: &Table) -> Result<FittedOneHotEncoder> {
        let mut categories = BTreeMap::new();
        for c in table.columns() {
            if let ColumnData::Text(v) = &c.data {
                let cats: BTreeSet<&String> = v.iter().flatten().collect();
                categories.insert(c.name.clone(), cats.into_iter().cloned().collect());
            }
        }
        Ok(FittedOneHotEncoder {
            unknown: self.unknown,
            categories,
        })
    }
}

impl Transform for FittedOneHotEncoder {
    fn transform(&self, table: &Table) -> Result<Table> {
        let mut columns = Vec::new();
        for c in table.columns() {
            match &c.data {
                ColumnData::Numeric(_) => columns.push(c.clone()),
                ColumnData::Text(v) => {
                    let cats = self
                        .categories
                        .get(&c.name)
                        .ok_or_else(|| DatasetError::UnknownColumn(c.name.clone()))?;
                    for (row, cell) in v.iter().enumerate() {
                        let known = cell.as_ref().is_some_and(|s| cats.binary_search(s).is_ok());
                        if !known && self.unknown == UnknownCategory::Error {
                            return Err(match cell {
                                Some(s) => DatasetError::UnseenCategory {
                                    column: c.name.clone(),
                                    value: s.clone(),
                                },
                                None => DatasetError::MissingValue {
                                    column: c.name.clone(),
                                    at: table.locate(row),
                                },
                            });
                        }
                    }
                    for cat in cats {
                        columns.push(Column {
                            name: format!("{}={}", c.name, cat),
                            data: ColumnData::Numeric(
                                v.iter()
                                    .map(|x| Some(f64::from(u8::from(x.as_ref() == Some(cat)))))
                                    .collect(),
                            ),
                        });
                    }
                }
            }
        }
        Table::new(columns)?.with_origin_of(table)
    }
}

/// A numeric feature matrix (rows × features) with its feature names.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureMatrix {
    /// The values.
    pub data: Array2<f64>,
    /// One name per column of `data`.
    pub names: Vec<String>,
}

impl FeatureMatrix {
    /// The matrix of an all-numeric table.
    ///
    /// # Errors
    /// A text column, a missing value or a non-finite one (distinct
    /// errors, naming the column and the file line or row).
    pub fn from_table(table: &Table) -> Result<Self> {
        let (n, p) = (table.rows(), table.columns().len());
        let mut data = Array2::zeros((n, p));
        for (j, c) in table.columns().iter().enumerate() {
            let v = match &c.data {
                ColumnData::Numeric(v) => v,
                ColumnData::Text(_) => {
                    return Err(DatasetError::WrongColumnType {
                        column: c.name.clone(),
                        found: "text",
                        expected: "numeric (one-hot encode it first)",
                    });
                }
            };
            for (i, x) in v.iter().enumerate() {
                data[[i, j]] = match *x {
                    Some(x) if x.is_finite() => x,
                    Some(x) => {
                        return Err(DatasetError::NonFinite {
                            at: table.locate(i),
                            column: c.name.clone(),
                            value: x,
                        });
                    }
                    None => {
                        return Err(DatasetError::MissingValue {
                            column: c.name.clone(),
                            at: table.locate(i),
                        });
                    }
                };
            }
        }
        Ok(Self {
            data,
            names: table.columns().iter().map(|c| c.name.clone()).collect(),
        })
    }
}

/// Imputation, then scaling of numeric columns, then one-hot encoding of
/// text columns, fitted on training rows: the preprocessing of Glänzer et
/// al. 2025 and of DiMag.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Pipeline {
    /// Step 1.
    pub imputer: Imputer,
    /// Step 2 (`None` to leave numbers unscaled).
    pub scaler: Option<Scaler>,
    /// Step 3.
    pub encoder: OneHotEncoder,
}

impl Pipeline {
    /// A pipeline with the given choices.
    pub fn new(
        imputation: NumericImputation,
        scaling: Option<Scaling>,
        unknown: UnknownCategory,
    ) -> Self {
        Self {
            imputer: Imputer::new(imputation),
            scaler: scaling.map(Scaler::new),
            encoder: OneHotEncoder::new(unknown),
        }
    }

    /// Fits every step on `train` (training rows only), each on the
    /// previous step's output.
    ///
    /// # Errors
    /// As the steps' `fit`.
    pub fn fit(&self, train: &Table) -> Result<FittedPipeline> {
        let (imputer, t) = self.imputer.fit_transform(train)?;
        let (scaler, t) = match &self.scaler {
            Some(s) => {
                let (f, t) = s.fit_transform(&t)?;
                (Some(f), t)
            }
            None => (None, t),
        };
        let encoder = self.encoder.fit(&t)?;
        Ok(FittedPipeline {
            imputer,
            scaler,
            encoder,
        })
    }
}

/// A [`Pipeline`] fitted on training rows.
#[derive(Debug, Clone, PartialEq)]
pub struct FittedPipeline {
    /// Step 1, fitted.
    pub imputer: FittedImputer,
    /// Step 2, fitted (`None` when numbers are left unscaled).
    pub scaler: Option<FittedScaler>,
    /// Step 3, fitted.
    pub encoder: FittedOneHotEncoder,
}

impl FittedPipeline {
    /// The feature matrix of `table` with the fitted steps.
    ///
    /// # Errors
    /// As the steps' `transform`, or a value left missing.
    pub fn transform(&self, table: &Table) -> Result<FeatureMatrix> {
        let t = self.imputer.transform(table)?;
        let t = match &self.scaler {
            Some(s) => s.transform(&t)?,
            None => t,
        };
        FeatureMatrix::from_table(&self.encoder.transform(&t)?)
    }
}

/// log10 of a positive target (SAR, r1, r2 span decades).
///
/// # Errors
/// A value ≤ 0 or non-finite (naming the row).
pub fn log10_target(y: &[f64]) -> Result<Vec<f64>> {
    y.iter()
        .enumerate()
        .map(|(row, &v)| {
            if v > 0.0 && v.is_finite() {
                Ok(v.log10())
            } else {
                Err(DatasetError::NonPositiveTarget { row, value: v })
            }
        })
        .collect()
}

/// The inverse of [`log10_target`]: 10^z.
pub fn exp10_target(z: &[f64]) -> Vec<f64> {
    z.iter().map(|v| 10f64.powf(*v)).collect()
}
