//! # ml-regress
//!
//! Regression models for nanoparticle properties, validated against
//! scikit-learn on the same data.
//!
//! **Status: planned, not implemented yet.** This crate currently exposes no
//! API. The planned content (see `docs/ARCHITECTURE.md` of the workspace):
//!
//! - a regressor trait with fit / predict and hyper-parameters checked before
//!   fitting;
//! - ε-SVR by SMO with linear, polynomial, RBF and sigmoid kernels;
//! - Elastic Net by coordinate descent (scikit-learn's objective);
//! - CART regression trees, random forests, extremely randomized trees and
//!   gradient-boosted trees;
//! - metrics (RMSE, MAE, R², residual spread), cross-validation and a
//!   parallel grid search.
#![deny(missing_docs)]
