//! # mnp-dataset
//!
//! Tabular data for machine learning on magnetic nanoparticles: synthesis
//! parameters → size (Glänzer et al. 2025) and descriptors → SAR, r1, r2
//! (the DiMag database).
//!
//! **Status: planned, not implemented yet.** This crate currently exposes no
//! API. The planned content (see `docs/ARCHITECTURE.md` of the workspace):
//!
//! - CSV loading into typed tables (numeric and categorical columns, missing
//!   cells kept as missing) with errors naming file, line and column;
//! - transformers fitted on training rows only: imputation, standard and
//!   min-max scaling, one-hot encoding, log10 target transform;
//! - splitters matching scikit-learn: shuffled and stratified train/test,
//!   KFold, leave-one-out, GroupKFold;
//! - the DiMag loader with DOI normalization and duplicate reports, and a
//!   documented synthetic size-prediction fixture.
#![deny(missing_docs)]
