//! CART regression trees with the squared-error criterion (Breiman et al.
//! 1984; scikit-learn's `DecisionTreeRegressor`): the building block of the
//! forests and boosting of the DiMag models (the DiMag study).
//!
//! Each node tries every candidate feature: it orders the node's rows by
//! that feature (exact histograms over the feature's distinct values, or a
//! sort: [`SplitSearch`]) and scans the split positions, keeping the one that
//! maximizes S_L²/n_L + S_R²/n_R (S the target sums). That is the same as
//! minimizing the children's summed squared error. Thresholds sit half-way
//! between consecutive distinct values, as in scikit-learn. With
//! `max_features` below the feature count, each node draws its candidates
//! without replacement from a stream seeded by `seed`.
//!
//! Two features that cut a node into the same two sets tie exactly. The
//! lowest-numbered feature wins here; scikit-learn takes the first in its
//! random feature order. The fit is the same either way (a tested property).
//! Unlike scikit-learn, features stay in f64 (it casts them to f32).
//!
//! ```
//! use ml_regress::{DecisionTreeParams, Predict, Regressor};
//! use ndarray::{Array1, Array2};
//!
//! # fn main() -> ml_regress::Result<()> {
//! // A step at x = 0.5 is found exactly by one split.
//! let x = Array2::from_shape_fn((10, 1), |(i, _)| i as f64 / 9.0);
//! let y: Array1<f64> = x.column(0).mapv(|v| if v < 0.5 { 1.0 } else { 3.0 });
//! let tree = DecisionTreeParams { max_depth: Some(3), ..Default::default() }.check()?;
//! let model = tree.fit(x.view(), y.view())?;
//! assert_eq!(model.depth(), 1);
//! assert_eq!(model.predict(x.view())?, y);
//! # Ok(())
//! # }
//! ```

use crate::error::{RegressError, Result, invalid};
use crate::traits::{Predict, Regressor, check_data, check_features};
use ndarray::{Array1, ArrayView1, ArrayView2};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

/// How many features each split considers.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum MaxFeatures {
    /// All p features (scikit-learn's default for regression).
    #[default]
    All,
    /// max(1, ⌊√p⌋), as scikit-learn (random forests' usual choice).
    Sqrt,
    /// max(1, ⌊log₂ p⌋).
    Log2,
    /// max(1, ⌊f·p⌋) for f in (0, 1].
    Fraction(f64),
    /// min(k, p) features, k ≥ 1.
    Count(usize),
}

impl MaxFeatures {
    /// The number of features a split considers among `p`.
    pub fn resolve(self, p: usize) -> usize {
        let k = match self {
            MaxFeatures::All => p,
            MaxFeatures::Sqrt => (p as f64).sqrt() as usize,
            MaxFeatures::Log2 => (p as f64).log2() as usize,
            MaxFeatures::Fraction(f) => (f * p as f64) as usize,
            MaxFeatures::Count(k) => k,
        };
        k.clamp(1, p.max(1))
    }
}

/// How a node chooses its threshold on a candidate feature.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Splitter {
    /// The best threshold among all cut points (CART).
    #[default]
    Best,
    /// One threshold drawn uniformly between the node's smallest and
    /// largest value (extremely randomized trees, Geurts et al. 2006); the
    /// best of the candidate features' random cuts wins.
    Random,
}

/// How [`Splitter::Best`] finds a node's best threshold on a feature. Both
/// scan every cut between distinct values and give the same splits (up to
/// the rounding of the running sums).
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SplitSearch {
    /// Sort the node's rows by the feature: O(m log m) per node and
    /// feature for m rows.
    Sort,
    /// Exact histograms: every feature's values are ranked once per fit
    /// (once per forest or boosting run), and a node adds its rows' targets
    /// into one bin per distinct value, O(m + d) for d distinct values;
    /// nodes with m·log₂m < d sort instead. 2.2× (random forest) to 2.8×
    /// (boosting) faster than [`SplitSearch::Sort`] on DiMag SAR.csv
    /// (docs/PERFORMANCE.md), so it is the default.
    #[default]
    Histogram,
    /// LightGBM's histograms (Ke et al. 2017): each feature's values fall
    /// into at most `max_bins` bins of at least `min_rows_per_bin` training
    /// rows where the values allow (zero a bin of its own), found once per
    /// fit; a node may split only between bins, at the upper bound of the
    /// bin below the cut (module `binning`'s rules, those of LightGBM's
    /// `max_bin` and `min_data_in_bin`, defaults 255 and 3). Coarser than
    /// the exact searches on features with rare values, so the splits can
    /// differ from theirs; with LightGBM's defaults it reproduces
    /// LightGBM's split candidates.
    Binned {
        /// At most this many bins per feature (≥ 2).
        max_bins: usize,
        /// A bin closes once it holds this many rows (≥ 1).
        min_rows_per_bin: usize,
    },
}

impl SplitSearch {
    /// LightGBM's default bins: at most 255 per feature, at least 3 rows
    /// each.
    pub const LIGHTGBM: SplitSearch = SplitSearch::Binned {
        max_bins: 255,
        min_rows_per_bin: 3,
    };
}

/// The upper bounds of the bins [`SplitSearch::Binned`] gives a feature
/// with these training values: ascending, the last +∞; value v falls in
/// the first bin whose bound is ≥ v.
///
/// ```
/// use ml_regress::tree::bin_upper_bounds;
/// // Zero is a bin of its own; then a bin closes after 3 rows.
/// let b = bin_upper_bounds(&[0.0, 0.1, 0.2, 0.3, 0.4, 0.4, 0.4], 255, 3);
/// assert_eq!(b.len(), 3);
/// assert!(b[1] > 0.3 && b[1] < 0.4);
/// ```
pub fn bin_upper_bounds(values: &[f64], max_bins: usize, min_rows_per_bin: usize) -> Vec<f64> {
    let mut column = values.to_vec();
    let (distinct, counts) = crate::binning::distinct_with_counts(&mut column);
    crate::binning::upper_bounds(&distinct, &counts, max_bins.max(2), min_rows_per_bin)
}

/// Every feature's distinct values, sorted, and each row's rank among them
/// (the exact histogram bins of [`SplitSearch::Histogram`]).
#[derive(Debug, Clone)]
pub(crate) struct Ranks {
    n: usize,
    /// rank[f·n + i]: the bin of row i on feature f.
    rank: Vec<u32>,
    /// values[f]: the distinct values of feature f, ascending; with
    /// `binned`, the upper bounds of its bins.
    values: Vec<Vec<f64>>,
    /// Bins of [`SplitSearch::Binned`]: a cut lies at a bin's upper bound.
    binned: bool,
}

impl Ranks {
    pub(crate) fn new(x: ArrayView2<f64>) -> Self {
        let (n, p) = x.dim();
        let mut rank = vec![0u32; n * p];
        let mut values = Vec::with_capacity(p);
        let mut order: Vec<usize> = (0..n).collect();
        for f in 0..p {
            order.sort_unstable_by(|&a, &b| x[[a, f]].total_cmp(&x[[b, f]]));
            let mut distinct: Vec<f64> = Vec::new();
            for &i in &order {
                let v = x[[i, f]];
                if distinct.last().is_none_or(|&last| v > last) {
                    distinct.push(v);
                }
                rank[f * n + i] = (distinct.len() - 1) as u32;
            }
            values.push(distinct);
        }
        Self {
            n,
            rank,
            values,
            binned: false,
        }
    }

    /// The bins of [`SplitSearch::Binned`].
    pub(crate) fn binned(x: ArrayView2<f64>, max_bins: usize, min_rows: usize) -> Self {
        let (n, p) = x.dim();
        let mut rank = vec![0u32; n * p];
        let mut values = Vec::with_capacity(p);
        for f in 0..p {
            let bounds = bin_upper_bounds(&x.column(f).to_vec(), max_bins, min_rows);
            for (r, &v) in rank[f * n..(f + 1) * n].iter_mut().zip(x.column(f)) {
                *r = crate::binning::bin_of(&bounds, v) as u32;
            }
            values.push(bounds);
        }
        Self {
            n,
            rank,
            values,
            binned: true,
        }
    }
}

/// Scratch of the histogram search.
#[derive(Debug, Default)]
struct Histogram {
    count: Vec<u32>,
    sum: Vec<f64>,
}

/// Unchecked hyper-parameters of a regression tree.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DecisionTreeParams {
    /// Largest depth (the root is depth 0); `None` grows until the other
    /// limits stop it.
    pub max_depth: Option<usize>,
    /// A node with fewer rows is a leaf (≥ 2).
    pub min_samples_split: usize,
    /// Each child keeps at least this many rows (≥ 1).
    pub min_samples_leaf: usize,
    /// Features tried per split.
    pub max_features: MaxFeatures,
    /// A split must lower the weighted squared error by at least this
    /// (scikit-learn's definition: (n_t/n)·(impurity − the children's
    /// weighted impurities)), ≥ 0.
    pub min_impurity_decrease: f64,
    /// Best (CART) or random (extra trees) thresholds.
    pub splitter: Splitter,
    /// How the best threshold is searched (the same splits either way).
    pub split_search: SplitSearch,
    /// Seed of the feature sampling and random thresholds.
    pub seed: u64,
}

impl Default for DecisionTreeParams {
    /// scikit-learn's defaults: no depth limit, min_samples_split 2,
    /// min_samples_leaf 1, all features, no minimum decrease; seed 0.
    fn default() -> Self {
        Self {
            max_depth: None,
            min_samples_split: 2,
            min_samples_leaf: 1,
            max_features: MaxFeatures::All,
            min_impurity_decrease: 0.0,
            splitter: Splitter::Best,
            split_search: SplitSearch::default(),
            seed: 0,
        }
    }
}

impl DecisionTreeParams {
    /// Validates the hyper-parameters.
    ///
    /// # Errors
    /// min_samples_split < 2, min_samples_leaf < 1, a fraction of features
    /// outside (0, 1], a feature count of 0, a negative or non-finite
    /// min_impurity_decrease.
    pub fn check(self) -> Result<DecisionTree> {
        if self.min_samples_split < 2 {
            return Err(invalid(
                "min_samples_split",
                self.min_samples_split as f64,
                "at least 2",
            ));
        }
        if self.min_samples_leaf < 1 {
            return Err(invalid("min_samples_leaf", 0.0, "at least 1"));
        }
        match self.max_features {
            MaxFeatures::Fraction(f) if !(f > 0.0 && f <= 1.0) => {
                return Err(invalid("max_features", f, "a fraction in (0, 1]"));
            }
            MaxFeatures::Count(0) => return Err(invalid("max_features", 0.0, "at least 1")),
            _ => {}
        }
        if let SplitSearch::Binned {
            max_bins,
            min_rows_per_bin,
        } = self.split_search
        {
            if max_bins < 2 {
                return Err(invalid("max_bins", max_bins as f64, "at least 2"));
            }
            if min_rows_per_bin < 1 {
                return Err(invalid("min_rows_per_bin", 0.0, "at least 1"));
            }
        }
        if !(self.min_impurity_decrease.is_finite() && self.min_impurity_decrease >= 0.0) {
            return Err(invalid(
                "min_impurity_decrease",
                self.min_impurity_decrease,
                "a finite value >= 0",
            ));
        }
        Ok(DecisionTree { params: self })
    }
}

/// Checked tree settings.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DecisionTree {
    params: DecisionTreeParams,
}

impl DecisionTree {
    /// The hyper-parameters.
    pub fn params(&self) -> &DecisionTreeParams {
        &self.params
    }
}

/// A node of a fitted tree.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Debug, Clone, PartialEq)]
pub enum TreeNode {
    /// A leaf predicting the mean target of its `samples` training rows.
    Leaf {
        /// The prediction.
        value: f64,
        /// Training rows in the leaf.
        samples: usize,
    },
    /// Rows with `x[feature] <= threshold` go to `left`, others to `right`
    /// (indices into [`DecisionTreeModel::nodes`]).
    Split {
        /// The feature tested.
        feature: usize,
        /// The threshold.
        threshold: f64,
        /// Left child.
        left: usize,
        /// Right child.
        right: usize,
        /// Training rows reaching the node.
        samples: usize,
    },
}

/// A fitted regression tree.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionTreeModel {
    /// The nodes; the root is `nodes[0]`.
    pub nodes: Vec<TreeNode>,
    /// Impurity-based importances (total squared-error decrease per
    /// feature, normalized to sum 1; all zeros for a single leaf).
    pub feature_importances: Vec<f64>,
    /// The decrease before normalization: Σ over splits of
    /// (n_t/n)·(impurity − n_L/n_t·imp_L − n_R/n_t·imp_R), in the target's
    /// squared units (scikit-learn's `compute_feature_importances(normalize=False)`
    /// summed over features). Boosting weighs its trees' importances by it.
    pub impurity_decrease: f64,
}

impl DecisionTreeModel {
    /// The depth of the tree (0 for a single leaf).
    pub fn depth(&self) -> usize {
        let mut stack = vec![(0usize, 0usize)];
        let mut depth = 0;
        while let Some((node, d)) = stack.pop() {
            depth = depth.max(d);
            if let TreeNode::Split { left, right, .. } = self.nodes[node] {
                stack.push((left, d + 1));
                stack.push((right, d + 1));
            }
        }
        depth
    }

    /// The number of training rows in each leaf.
    pub fn leaf_sizes(&self) -> Vec<usize> {
        self.nodes
            .iter()
            .filter_map(|n| match n {
                TreeNode::Leaf { samples, .. } => Some(*samples),
                TreeNode::Split { .. } => None,
            })
            .collect()
    }

    /// The prediction for one row of features: as many as in training, all
    /// finite.
    ///
    /// # Errors
    /// A row of another length, or a non-finite feature.
    pub fn predict_row(&self, row: ArrayView1<f64>) -> Result<f64> {
        if row.len() != self.feature_importances.len() {
            return Err(RegressError::ShapeMismatch {
                what: "features in the row vs training",
                expected: self.feature_importances.len(),
                found: row.len(),
            });
        }
        if row.iter().any(|v| !v.is_finite()) {
            return Err(RegressError::NonFinite {
                what: "row",
                row: 0,
            });
        }
        Ok(self.leaf_value(row))
    }

    /// [`DecisionTreeModel::predict_row`] on a row already checked (the
    /// ensembles check whole matrices once).
    pub(crate) fn leaf_value(&self, row: ArrayView1<f64>) -> f64 {
        let mut node = 0;
        loop {
            match self.nodes[node] {
                TreeNode::Leaf { value, .. } => return value,
                TreeNode::Split {
                    feature,
                    threshold,
                    left,
                    right,
                    ..
                } => {
                    node = if row[feature] <= threshold {
                        left
                    } else {
                        right
                    }
                }
            }
        }
    }
}

impl Predict for DecisionTreeModel {
    fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        check_features(self.feature_importances.len(), &x)?;
        Ok(x.rows().into_iter().map(|r| self.leaf_value(r)).collect())
    }
}

/// The best split found at a node.
struct Split {
    feature: usize,
    threshold: f64,
    /// Rows going left.
    n_left: usize,
    /// Their targets' sum S_L.
    left_sum: f64,
    /// S_L²/n_L + S_R²/n_R, or with a [`LeafPenalty`] the children's
    /// penalized scores.
    proxy: f64,
}

/// The L1 and L2 penalties λ₁, λ₂ of boosting's regularized leaves
/// (Chen & Guestrin 2016; LightGBM's `reg_alpha`, `reg_lambda`), which
/// also score the splits: a node whose targets sum to S over n rows scores
/// T(S)²/(n + λ₂), T the soft threshold by λ₁, and a split must raise the
/// score above the parent's. Zero penalties give the plain S²/n of least
/// squares.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct LeafPenalty {
    /// λ₁ ≥ 0.
    pub l1: f64,
    /// λ₂ ≥ 0.
    pub l2: f64,
}

impl LeafPenalty {
    fn is_zero(&self) -> bool {
        self.l1 == 0.0 && self.l2 == 0.0
    }

    /// T(S)²/(n + λ₂).
    fn score(&self, s: f64, n: usize) -> f64 {
        let t = s.signum() * (s.abs() - self.l1).max(0.0);
        t * t / (n as f64 + self.l2)
    }
}

/// What the cut searches need of a node: its targets' sum, the smallest
/// leaf, the penalties.
struct Node {
    sum: f64,
    min_leaf: usize,
    penalty: LeafPenalty,
}

/// The threshold between consecutive distinct values a < b: half-way, or
/// a itself where the midpoint rounds up to b (or overflows).
fn midpoint(a: f64, b: f64) -> f64 {
    let t = 0.5 * (a + b);
    if t >= b || !t.is_finite() { a } else { t }
}

/// S_L²/n_L + S_R²/n_R for `n_left` of `m` rows on the left, whose targets
/// sum to `left_sum` of `sum`.
fn split_proxy(left_sum: f64, n_left: usize, sum: f64, m: usize, penalty: &LeafPenalty) -> f64 {
    let right_sum = sum - left_sum;
    if !penalty.is_zero() {
        return penalty.score(left_sum, n_left) + penalty.score(right_sum, m - n_left);
    }
    left_sum * left_sum / n_left as f64 + right_sum * right_sum / (m - n_left) as f64
}

/// Whether a candidate's proxy beats the best so far by more than rounding
/// (10⁻¹² relative). Cuts that split the rows into the same two sets tie
/// exactly in exact arithmetic, whatever the order their sums were added
/// in; the first candidate then wins in both split searches.
fn improves(candidate: f64, best: f64) -> bool {
    candidate > best + 1e-12 * best.abs()
}

/// The best cut of the rows on feature `f`: the rows sorted by it, every
/// position between distinct values scanned.
fn best_cut(
    rows: &[usize],
    x: ArrayView2<f64>,
    y: ArrayView1<f64>,
    f: usize,
    node: &Node,
    order: &mut Vec<(f64, f64)>,
) -> Option<Split> {
    let (m, sum, min_leaf) = (rows.len(), node.sum, node.min_leaf);
    order.clear();
    order.extend(rows.iter().map(|&i| (x[[i, f]], y[i])));
    // Unstable (no allocation): the order among equal values never matters,
    // since no split falls between them.
    order.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let mut best: Option<Split> = None;
    let mut left_sum = 0.0;
    for k in 1..m {
        left_sum += order[k - 1].1;
        if k < min_leaf || m - k < min_leaf {
            continue;
        }
        if order[k].0 <= order[k - 1].0 {
            continue; // equal values cannot be separated
        }
        let proxy = split_proxy(left_sum, k, sum, m, &node.penalty);
        if best.as_ref().is_none_or(|b| improves(proxy, b.proxy)) {
            best = Some(Split {
                feature: f,
                threshold: midpoint(order[k - 1].0, order[k].0),
                n_left: k,
                left_sum,
                proxy,
            });
        }
    }
    best
}

/// [`best_cut`] from the histogram of the rows on feature `f`.
fn best_cut_histogram(
    rows: &[usize],
    ranks: &Ranks,
    y: ArrayView1<f64>,
    f: usize,
    node: &Node,
    hist: &mut Histogram,
) -> Option<Split> {
    let (m, sum, min_leaf) = (rows.len(), node.sum, node.min_leaf);
    let values = &ranks.values[f];
    let rank = &ranks.rank[f * ranks.n..(f + 1) * ranks.n];
    let d = values.len();
    hist.count.clear();
    hist.count.resize(d, 0);
    hist.sum.clear();
    hist.sum.resize(d, 0.0);
    for &i in rows {
        let b = rank[i] as usize;
        hist.count[b] += 1;
        hist.sum[b] += y[i];
    }
    let mut best: Option<Split> = None;
    let (mut k, mut left_sum) = (0usize, 0.0);
    // The last non-empty bin seen: a cut falls between it and the next.
    let mut previous: Option<usize> = None;
    for b in 0..d {
        let c = hist.count[b] as usize;
        if c == 0 {
            continue;
        }
        if let Some(a) = previous
            && k >= min_leaf
            && m - k >= min_leaf
        {
            let proxy = split_proxy(left_sum, k, sum, m, &node.penalty);
            if best.as_ref().is_none_or(|s| improves(proxy, s.proxy)) {
                best = Some(Split {
                    feature: f,
                    // Binned: at the upper bound of the bin below b (the
                    // highest of the equivalent cuts, as LightGBM's reverse
                    // scan keeps it).
                    threshold: if ranks.binned {
                        values[b - 1]
                    } else {
                        midpoint(values[a], values[b])
                    },
                    n_left: k,
                    left_sum,
                    proxy,
                });
            }
        }
        k += c;
        left_sum += hist.sum[b];
        previous = Some(b);
        if k == m {
            break;
        }
    }
    best
}

/// One uniform random cut of the rows on feature `f`, between its smallest
/// and largest value there; none when the feature is constant on the rows
/// or a side would hold fewer than `min_leaf` rows.
fn random_cut(
    rows: &[usize],
    x: ArrayView2<f64>,
    y: ArrayView1<f64>,
    f: usize,
    node: &Node,
    rng: &mut ChaCha8Rng,
) -> Option<Split> {
    let (sum, min_leaf) = (node.sum, node.min_leaf);
    let (lo, hi) = rows
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &i| {
            (a.min(x[[i, f]]), b.max(x[[i, f]]))
        });
    if hi <= lo {
        return None;
    }
    let mut threshold = lo + (hi - lo) * rng.random::<f64>();
    if threshold >= hi {
        threshold = lo;
    }
    let (mut n_left, mut left_sum) = (0usize, 0.0);
    for &i in rows {
        if x[[i, f]] <= threshold {
            n_left += 1;
            left_sum += y[i];
        }
    }
    let m = rows.len();
    if n_left < min_leaf || m - n_left < min_leaf {
        return None;
    }
    Some(Split {
        feature: f,
        threshold,
        n_left,
        left_sum,
        proxy: split_proxy(left_sum, n_left, sum, m, &node.penalty),
    })
}

impl Regressor for DecisionTree {
    type Model = DecisionTreeModel;

    fn fit(&self, x: ArrayView2<f64>, y: ArrayView1<f64>) -> Result<DecisionTreeModel> {
        check_data(&x, &y)?;
        let ranks = self.ranks(x);
        Ok(self.grow(
            x,
            y,
            (0..x.nrows()).collect(),
            ranks.as_ref(),
            LeafPenalty::default(),
        ))
    }
}

impl DecisionTree {
    /// The exact histogram bins of `x` when this tree's search uses them.
    pub(crate) fn ranks(&self, x: ArrayView2<f64>) -> Option<Ranks> {
        if self.params.splitter != Splitter::Best {
            return None;
        }
        match self.params.split_search {
            SplitSearch::Sort => None,
            SplitSearch::Histogram => Some(Ranks::new(x)),
            SplitSearch::Binned {
                max_bins,
                min_rows_per_bin,
            } => Some(Ranks::binned(x, max_bins, min_rows_per_bin)),
        }
    }

    /// Grows the tree on the rows `rows` of (`x`, `y`) (checked data; a row
    /// may repeat, as in a bootstrap sample), with `ranks` of all of `x`
    /// when the histogram search is on.
    pub(crate) fn grow(
        &self,
        x: ArrayView2<f64>,
        y: ArrayView1<f64>,
        mut rows: Vec<usize>,
        ranks: Option<&Ranks>,
        penalty: LeafPenalty,
    ) -> DecisionTreeModel {
        let p = &self.params;
        let n = rows.len();
        let n_features = x.ncols();
        let k_features = p.max_features.resolve(n_features);
        let mut rng = ChaCha8Rng::seed_from_u64(p.seed);
        let mut nodes: Vec<TreeNode> = Vec::new();
        let mut importances = vec![0.0; n_features];
        let mut features: Vec<usize> = (0..n_features).collect();
        let mut order: Vec<(f64, f64)> = Vec::with_capacity(n);
        let mut hist = Histogram::default();
        let x = x.view();
        let y = y.view();
        // (node index, row range, depth); nodes are created when pushed.
        nodes.push(TreeNode::Leaf {
            value: 0.0,
            samples: n,
        });
        let mut stack = vec![(0usize, 0usize, n, 0usize)];
        while let Some((id, start, end, depth)) = stack.pop() {
            let m = end - start;
            let (sum, sum_sq) = rows[start..end]
                .iter()
                .fold((0.0, 0.0), |(s, q), &i| (s + y[i], q + y[i] * y[i]));
            let mean = sum / m as f64;
            let impurity = (sum_sq / m as f64 - mean * mean).max(0.0);
            nodes[id] = TreeNode::Leaf {
                value: mean,
                samples: m,
            };
            let may_split = p.max_depth.is_none_or(|d| depth < d)
                && m >= p.min_samples_split
                && m >= 2 * p.min_samples_leaf
                && impurity > 1e-14 * (mean * mean).max(1.0);
            if !may_split {
                continue;
            }
            // Candidate features: a partial Fisher–Yates shuffle when only
            // some are tried; all of them in their own order otherwise, so
            // exact ties go to the lowest-numbered feature.
            if k_features < n_features {
                for f in 0..k_features {
                    let g = rng.random_range(f..n_features);
                    features.swap(f, g);
                }
            }
            let node = Node {
                sum,
                min_leaf: p.min_samples_leaf,
                penalty,
            };
            let mut best: Option<Split> = None;
            for &f in &features[..k_features] {
                let candidate = match p.splitter {
                    Splitter::Best
                        if ranks.is_some_and(|r| {
                            let m = (end - start) as f64;
                            r.binned || (r.values[f].len() as f64) <= m * m.log2()
                        }) =>
                    {
                        best_cut_histogram(
                            &rows[start..end],
                            ranks.expect("checked in the guard"),
                            y,
                            f,
                            &node,
                            &mut hist,
                        )
                    }
                    Splitter::Best => best_cut(&rows[start..end], x, y, f, &node, &mut order),
                    Splitter::Random => random_cut(&rows[start..end], x, y, f, &node, &mut rng),
                };
                if let Some(c) = candidate
                    && best.as_ref().is_none_or(|b| improves(c.proxy, b.proxy))
                {
                    best = Some(c);
                }
            }
            let Some(split) = best else { continue };
            // With penalties, a split must raise the node's score.
            if !penalty.is_zero() && split.proxy <= penalty.score(sum, m) {
                continue;
            }
            // The decrease of the weighted squared error, scikit-learn's
            // (n_t/n)·(impurity − n_L/n_t·imp_L − n_R/n_t·imp_R), from the
            // proxy: n_t·impurity − (Σy² − proxy) = proxy − S²/n_t.
            let proxy = split_proxy(
                split.left_sum,
                split.n_left,
                sum,
                m,
                &LeafPenalty::default(),
            );
            let decrease = (proxy - sum * sum / m as f64).max(0.0) / n as f64;
            if decrease + 1e-15 < p.min_impurity_decrease {
                continue;
            }
            importances[split.feature] += decrease;
            // Partition the rows: x[feature] <= threshold first.
            let f = split.feature;
            let segment = &mut rows[start..end];
            let mut lo = 0;
            for k in 0..segment.len() {
                if x[[segment[k], f]] <= split.threshold {
                    segment.swap(lo, k);
                    lo += 1;
                }
            }
            debug_assert_eq!(lo, split.n_left);
            let (left, right) = (nodes.len(), nodes.len() + 1);
            for _ in 0..2 {
                nodes.push(TreeNode::Leaf {
                    value: 0.0,
                    samples: 0,
                });
            }
            nodes[id] = TreeNode::Split {
                feature: f,
                threshold: split.threshold,
                left,
                right,
                samples: m,
            };
            stack.push((right, start + lo, end, depth + 1));
            stack.push((left, start, start + lo, depth + 1));
        }
        let total: f64 = importances.iter().sum();
        if total > 0.0 {
            for v in &mut importances {
                *v /= total;
            }
        }
        DecisionTreeModel {
            nodes,
            feature_importances: importances,
            impurity_decrease: total,
        }
    }
}
