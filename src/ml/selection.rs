//! Model and hyper-parameter choice for the DiMag targets by nested
//! cross-validation (Varma & Simon 2006; Cawley & Talbot 2010): on each
//! outer split, every candidate is scored by an inner cross-validation on
//! the training rows only, the best is refitted on all of them, and only
//! then is the test part scored. The test rows never inform the choice, so
//! the test figure stays an honest estimate of the chosen procedure.
//!
//! Two outer splits: the published protocol's stratified 80/20 split (inner
//! KFold(5) over the training rows in scikit-learn's order), and a split that
//! holds out whole articles (inner GroupKFold(5) by article), which speaks
//! for a particle from a new synthesis.

use crate::error::{Error, Result};
use crate::ml::dimag::{TreeModel, log_target, paper_model, protocol_split};
use crate::ml::pipeline::cross_validate;
use ml_regress::metrics::r2;
use ml_regress::{BoostingParams, DecisionTreeParams, ForestParams, MaxFeatures, SplitSearch};
use mnp_dataset::dimag::{DimagData, DimagTarget};
use mnp_dataset::split::{GroupKFold, KFold, Split, group_train_test_split};

/// The outer split of a nested run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OuterSplit {
    /// The published protocol: scikit-learn's stratified 80/20 split of 5
    /// equal-width bins of the raw target ([`protocol_split`]); inner
    /// KFold(5) over the training rows in scikit-learn's order.
    Protocol,
    /// Whole articles held out (at least 20 % of the rows, by normalized
    /// DOI); inner GroupKFold(5) by article.
    Articles,
}

/// One nested run: which candidate won, its inner score and its test R².
#[derive(Debug, Clone, PartialEq)]
pub struct NestedRun {
    /// Index of the chosen candidate.
    pub chosen: usize,
    /// Each candidate's pooled out-of-fold R² (log10) of the inner CV.
    pub inner_r2: Vec<f64>,
    /// R² (log10) of the chosen candidate, refitted on all training rows,
    /// on the test rows.
    pub test_r2: f64,
    /// R² (log10) of the published model ([`paper_model`]) on the same
    /// split, for comparison.
    pub paper_test_r2: f64,
    /// The outer split.
    pub split: Split,
}

/// The candidates for `target`: the published model first, then extra
/// trees and random forests (100 trees; at least 1, 2 or 4 rows per leaf;
/// all features or half of them per split) and boosting with LightGBM's
/// bins (depth 2, 3 or 4; learning rate 0.05, 0.1 or 0.265 with 300, 150
/// or 100 rounds; at least 5 or 14 rows per leaf; λ₁ 0.15, λ₂ 0.14).
pub fn candidate_models(target: DimagTarget) -> Vec<TreeModel> {
    let mut out = vec![paper_model(target)];
    for leaf in [1, 2, 4] {
        for max_features in [MaxFeatures::All, MaxFeatures::Fraction(0.5)] {
            let tree = |base: DecisionTreeParams| DecisionTreeParams {
                min_samples_leaf: leaf,
                max_features,
                ..base
            };
            let et = ForestParams::extra_trees();
            out.push(TreeModel::ExtraTrees(ForestParams {
                n_estimators: 100,
                tree: tree(et.tree),
                ..et
            }));
            let rf = ForestParams::random_forest();
            out.push(TreeModel::RandomForest(ForestParams {
                n_estimators: 100,
                tree: tree(rf.tree),
                ..rf
            }));
        }
    }
    for depth in [2, 3, 4] {
        for (learning_rate, n_estimators) in [(0.05, 300), (0.1, 150), (0.265, 100)] {
            for leaf in [5, 14] {
                out.push(TreeModel::Boosting(BoostingParams {
                    n_estimators,
                    learning_rate,
                    tree: DecisionTreeParams {
                        max_depth: Some(depth),
                        min_samples_leaf: leaf,
                        split_search: SplitSearch::LIGHTGBM,
                        ..Default::default()
                    },
                    ..BoostingParams::dimag_sar()
                }));
            }
        }
    }
    // The published model recurs in the grids: keep its first place only.
    let mut unique: Vec<TreeModel> = Vec::with_capacity(out.len());
    for m in out {
        if !unique.contains(&m) {
            unique.push(m);
        }
    }
    unique
}

/// A one-line description of a candidate's settings.
pub fn describe(model: &TreeModel) -> String {
    match model {
        TreeModel::RandomForest(p) | TreeModel::ExtraTrees(p) => format!(
            "{} {} trees, leaf ≥ {}, features {:?}",
            model.name(),
            p.n_estimators,
            p.tree.min_samples_leaf,
            p.tree.max_features
        ),
        TreeModel::Boosting(p) => format!(
            "gbt {} rounds, depth {}, rate {}, leaf ≥ {}",
            p.n_estimators,
            p.tree.max_depth.unwrap_or(0),
            p.learning_rate,
            p.tree.min_samples_leaf
        ),
    }
}

/// Nested selection among `candidates` on the outer split `outer` drawn
/// with `seed` (models seeded with it too); see the module docs.
///
/// # Errors
/// No candidates; errors of the data, the splits or the models.
pub fn nested_run(
    data: &DimagData,
    candidates: &[TreeModel],
    outer: OuterSplit,
    seed: u64,
) -> Result<NestedRun> {
    if candidates.is_empty() {
        return Err(Error::Invalid {
            name: "candidates",
            reason: "no candidate model to choose from".into(),
        });
    }
    let features = data.features()?;
    let y = log_target(data)?;
    let (split, train, inner) = match outer {
        OuterSplit::Protocol => {
            // scikit-learn's split; its training rows in its (shuffled) order.
            let split = protocol_split(data, seed)?;
            let train = split.train.clone();
            let inner = KFold {
                k: 5,
                shuffle: None,
            }
            .split(train.len())?;
            (split, train, inner)
        }
        OuterSplit::Articles => {
            let split = group_train_test_split(&data.doi, 0.2, seed)?;
            let train = split.train.clone();
            let groups: Vec<&String> = train.iter().map(|&i| &data.doi[i]).collect();
            let inner = GroupKFold { k: 5 }.split(&groups)?;
            (split, train, inner)
        }
    };
    let train_features = features.take(&train)?;
    let y_train: Vec<f64> = train.iter().map(|&i| y[i]).collect();
    let mut inner_r2 = Vec::with_capacity(candidates.len());
    for model in candidates {
        let cv = cross_validate(
            &model.with_seed(seed).pipeline(),
            &train_features,
            &y_train,
            &inner,
        )?;
        inner_r2.push(r2(&y_train, &cv.predictions)?);
    }
    // The best inner score; ties to the earlier candidate.
    let chosen = (0..candidates.len())
        .reduce(|best, k| {
            if inner_r2[k] > inner_r2[best] {
                k
            } else {
                best
            }
        })
        .expect("at least one candidate");
    let measured: Vec<f64> = split.test.iter().map(|&i| y[i]).collect();
    let score = |model: &TreeModel| -> Result<f64> {
        let pred = model.with_seed(seed).pipeline().fit_predict(
            &features,
            &y,
            &split.train,
            &split.test,
        )?;
        Ok(r2(&measured, &pred)?)
    };
    let target = data.target;
    Ok(NestedRun {
        chosen,
        test_r2: score(&candidates[chosen])?,
        paper_test_r2: score(&paper_model(target))?,
        inner_r2,
        split,
    })
}
