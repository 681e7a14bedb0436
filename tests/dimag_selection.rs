//! Data-backed: nested model selection on DiMag (`mnp_suite::ml::selection`).
//! Reads `$MNP_DATA_DIR/dimag`; run with `MNP_DATA_DIR=../shared/data cargo
//! test -- --ignored`.

use mnp_suite::dataset::dimag::{DimagTarget, load_dimag};
use mnp_suite::ml::dimag::{paper_model, test_r2_on_splits};
use mnp_suite::ml::selection::{OuterSplit, candidate_models, nested_run};
use mnp_suite::regress::{ForestParams, MaxFeatures};
mod common;
use common::dimag_dir;

#[test]
#[ignore = "needs the DiMag data: set MNP_DATA_DIR"]
fn nested_choice_follows_the_inner_scores_and_never_sees_the_test_rows() {
    let data = load_dimag(&dimag_dir(), DimagTarget::R2).unwrap();
    let small = ForestParams {
        n_estimators: 20,
        ..ForestParams::extra_trees()
    };
    let half = ForestParams {
        tree: mnp_suite::regress::DecisionTreeParams {
            max_features: MaxFeatures::Fraction(0.5),
            ..small.tree
        },
        ..small
    };
    let candidates = [
        paper_model(DimagTarget::R2),
        mnp_suite::ml::dimag::TreeModel::ExtraTrees(small),
        mnp_suite::ml::dimag::TreeModel::ExtraTrees(half),
    ];
    for outer in [OuterSplit::Protocol, OuterSplit::Articles] {
        let run = nested_run(&data, &candidates, outer, 3).unwrap();
        assert_eq!(run.inner_r2.len(), 3);
        let best = run
            .inner_r2
            .iter()
            .cloned()
            .fold(f64::NEG_INFINITY, f64::max);
        assert_eq!(run.inner_r2[run.chosen], best, "{outer:?}");
        // The test figure is the chosen model refitted on the training rows.
        let direct = test_r2_on_splits(&data, &candidates[run.chosen], &[(3, run.split.clone())]);
        assert_eq!(run.test_r2, direct.unwrap()[0]);
        let paper = test_r2_on_splits(&data, &candidates[0], &[(3, run.split.clone())]);
        assert_eq!(run.paper_test_r2, paper.unwrap()[0]);
        // Articles: no article on both sides.
        if outer == OuterSplit::Articles {
            for &i in &run.split.test {
                assert!(!run.split.train.iter().any(|&j| data.doi[j] == data.doi[i]));
            }
        }
        assert_ne!(
            run.test_r2,
            nested_run(&data, &candidates, outer, 4).unwrap().test_r2,
            "another seed, another split"
        );
        if outer == OuterSplit::Protocol {
            continue;
        }
        // The test rows do not inform the choice: changing their targets
        // leaves the inner scores as they were. (Articles only: the
        // protocol's split itself is stratified by every row's target.)
        let mut altered = data.clone();
        for &i in &run.split.test {
            altered.y[i] *= 10.0;
        }
        let again = nested_run(&altered, &candidates, outer, 3).unwrap();
        assert_eq!(again.inner_r2, run.inner_r2, "{outer:?}");
        assert_eq!(again.chosen, run.chosen);
    }
    assert!(nested_run(&data, &[], OuterSplit::Protocol, 0).is_err());
    // The grid: the published model first, then 12 forests and 18 boostings,
    // one of which is the published model again (kept once).
    let grid = candidate_models(DimagTarget::Sar);
    assert_eq!(grid[0], paper_model(DimagTarget::Sar));
    assert_eq!(grid.len(), 30);
}
