//! Train/test splits and cross-validation folds, following scikit-learn's
//! definitions so results can be compared number for number.

use crate::error::{DatasetError, Result};
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use rand::seq::SliceRandom;
use std::collections::BTreeMap;

/// Row indices of one split (0-based, ascending within each part unless a
/// shuffle says otherwise).
///
/// A `&Split` converts into the pair of slices (training rows, test rows),
/// the plain notion of a fold that model crates such as `ml-regress` take,
/// so splits go straight into their cross-validation without this crate
/// depending on them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    /// Training rows.
    pub train: Vec<usize>,
    /// Test rows.
    pub test: Vec<usize>,
}

impl Split {
    /// The split of `rows` rows whose test part is `test` (0-based rows, in
    /// the order given) and whose training part is every other row, in
    /// ascending order: a split drawn elsewhere (by scikit-learn, say, or
    /// stored with a study) replayed on the same data.
    ///
    /// # Errors
    /// [`DatasetError::InvalidRow`] for a row ≥ `rows` or one given twice;
    /// [`DatasetError::TooFew`] when either part would be empty.
    pub fn from_test_rows(rows: usize, test: Vec<usize>) -> Result<Split> {
        let mut seen = vec![false; rows];
        for &row in &test {
            let problem = match seen.get(row) {
                None => "is out of range",
                Some(true) => "is given twice",
                Some(false) => {
                    seen[row] = true;
                    continue;
                }
            };
            return Err(DatasetError::InvalidRow { row, problem, rows });
        }
        too_few("test rows", test.len(), 1, "a split".into())?;
        too_few("training rows", rows - test.len(), 1, "a split".into())?;
        Ok(Split {
            train: complement(rows, &test),
            test,
        })
    }
}

impl<'a> From<&'a Split> for (&'a [usize], &'a [usize]) {
    fn from(s: &'a Split) -> Self {
        (&s.train, &s.test)
    }
}

fn too_few(what: &'static str, found: usize, needed: usize, purpose: String) -> Result<()> {
    if found < needed {
        return Err(DatasetError::TooFew {
            what,
            found,
            needed,
            purpose,
        });
    }
    Ok(())
}

fn complement(n: usize, test: &[usize]) -> Vec<usize> {
    let mut is_test = vec![false; n];
    for &t in test {
        is_test[t] = true;
    }
    (0..n).filter(|&i| !is_test[i]).collect()
}

fn test_count(n: usize, test_fraction: f64) -> Result<usize> {
    if !(test_fraction > 0.0 && test_fraction < 1.0) {
        return Err(DatasetError::InvalidParameter {
            name: "test fraction",
            value: test_fraction,
            allowed: "a value in (0, 1)",
        });
    }
    // scikit-learn: n_test = ceil(test_size · n), n_train = n − n_test.
    let n_test = (test_fraction * n as f64).ceil() as usize;
    if n_test == 0 || n_test >= n {
        return Err(DatasetError::InvalidParameter {
            name: "test fraction for this many rows",
            value: test_fraction,
            allowed: "a fraction leaving at least one row on each side",
        });
    }
    Ok(n_test)
}

/// A seeded shuffled split of `n` rows with ⌈`test_fraction`·n⌉ test rows
/// (scikit-learn's sizes; the permutation comes from ChaCha8 seeded with
/// `seed`, not numpy's generator). Both parts are returned sorted.
///
/// # Errors
/// A fraction outside (0, 1) or one that leaves a side empty.
pub fn train_test_split(n: usize, test_fraction: f64, seed: u64) -> Result<Split> {
    let n_test = test_count(n, test_fraction)?;
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
    let mut test = order[..n_test].to_vec();
    test.sort_unstable();
    Ok(Split {
        train: complement(n, &test),
        test,
    })
}

/// The distinct labels of `groups`, sorted.
fn distinct<G: Ord>(groups: &[G]) -> Vec<&G> {
    let mut labels: Vec<&G> = groups.iter().collect();
    labels.sort();
    labels.dedup();
    labels
}

/// A seeded split that keeps every group whole: the distinct groups in a
/// seeded random order go to the test side until it holds at least
/// ⌈`test_fraction`·n⌉ rows (the last group may take it over). For
/// held-out sets of unseen groups (new articles). Both parts sorted.
///
/// # Errors
/// A fraction outside (0, 1), fewer than 2 distinct groups, or a split
/// that would leave no training row.
pub fn group_train_test_split<G: Ord>(
    groups: &[G],
    test_fraction: f64,
    seed: u64,
) -> Result<Split> {
    let n = groups.len();
    let n_test = test_count(n, test_fraction)?;
    let mut labels = distinct(groups);
    too_few(
        "distinct groups",
        labels.len(),
        2,
        "a train/test split by group".into(),
    )?;
    labels.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
    let mut rows_of: BTreeMap<&G, Vec<usize>> = BTreeMap::new();
    for (i, g) in groups.iter().enumerate() {
        rows_of.entry(g).or_default().push(i);
    }
    let mut test = Vec::new();
    for g in labels {
        if test.len() >= n_test {
            break;
        }
        test.extend_from_slice(&rows_of[g]);
    }
    if test.len() >= n {
        return Err(DatasetError::InvalidParameter {
            name: "test fraction for these groups",
            value: test_fraction,
            allowed: "a fraction leaving at least one group for training",
        });
    }
    test.sort_unstable();
    Ok(Split {
        train: complement(n, &test),
        test,
    })
}

/// Labels 0 … k−1 of `k` equal-width bins over the range of `y`, like
/// pandas' `cut(y, k)`: right-closed intervals, the minimum in the first bin.
///
/// # Errors
/// k = 0, an empty `y`, or a non-finite value.
pub fn equal_width_bins(y: &[f64], k: usize) -> Result<Vec<usize>> {
    if k == 0 {
        return Err(DatasetError::InvalidParameter {
            name: "bins",
            value: 0.0,
            allowed: "at least 1",
        });
    }
    if y.is_empty() {
        return Err(DatasetError::Empty);
    }
    if let Some(bad) = y.iter().find(|v| !v.is_finite()) {
        return Err(DatasetError::InvalidParameter {
            name: "target value",
            value: *bad,
            allowed: "a finite value",
        });
    }
    let (lo, hi) = y
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    let width = (hi - lo) / k as f64;
    Ok(y.iter()
        .map(|&v| (1..k).filter(|&e| v > lo + e as f64 * width).count())
        .collect())
}

/// scikit-learn's `train_test_split(rows, test_size=test_fraction,
/// stratify=strata, random_state=random_state)` (its `StratifiedShuffleSplit`
/// on numpy's legacy `RandomState`), row for row: the same training rows in
/// the same (shuffled) order, the same test rows in the same order. Each
/// stratum gets its share of the ⌈`test_fraction`·n⌉ test and the remaining
/// training rows by scikit-learn's `_approximate_mode` (largest remainders,
/// ties drawn at random); its rows are permuted and cut; both parts are
/// permuted again. So a study's published split can be replayed from its
/// seed.
///
/// # Errors
/// A fraction outside (0, 1); a stratum with fewer than 2 rows, or fewer
/// test or training rows than strata (scikit-learn refuses these too).
pub fn sklearn_stratified_train_test_split(
    strata: &[usize],
    test_fraction: f64,
    random_state: u32,
) -> Result<Split> {
    let n = strata.len();
    let n_test = test_count(n, test_fraction)?;
    let n_train = n - n_test;
    // Classes in ascending order, each with its rows in ascending order.
    let rows: Vec<Vec<usize>> = strata_rows(strata).into_values().collect();
    let counts: Vec<usize> = rows.iter().map(Vec::len).collect();
    let smallest = counts.iter().copied().min().unwrap_or(0);
    too_few(
        "rows in the smallest stratum",
        smallest,
        2,
        "a stratified split".into(),
    )?;
    too_few("test rows", n_test, counts.len(), "one per stratum".into())?;
    too_few(
        "training rows",
        n_train,
        counts.len(),
        "one per stratum".into(),
    )?;
    let mut rng = crate::numpy_random::RandomState::new(random_state);
    let train_take = approximate_mode(&counts, n_train, &mut rng);
    let rest: Vec<usize> = counts.iter().zip(&train_take).map(|(c, t)| c - t).collect();
    let test_take = approximate_mode(&rest, n_test, &mut rng);
    let (mut train, mut test) = (Vec::with_capacity(n_train), Vec::with_capacity(n_test));
    for (k, class_rows) in rows.iter().enumerate() {
        let perm = rng.permutation(class_rows.len());
        let permuted: Vec<usize> = perm.iter().map(|&p| class_rows[p]).collect();
        train.extend_from_slice(&permuted[..train_take[k]]);
        test.extend_from_slice(&permuted[train_take[k]..train_take[k] + test_take[k]]);
    }
    rng.shuffle(&mut train);
    rng.shuffle(&mut test);
    Ok(Split { train, test })
}

/// Each stratum's rows, in ascending order, by stratum.
fn strata_rows(strata: &[usize]) -> BTreeMap<usize, Vec<usize>> {
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, &s) in strata.iter().enumerate() {
        groups.entry(s).or_default().push(i);
    }
    groups
}

/// scikit-learn's `_approximate_mode(counts, draws, rng)`: per class
/// ⌊draws·c/Σc⌋, then one more to the classes of the largest remainders,
/// classes of equal remainder chosen by `rng.choice(…, replace=False)`.
fn approximate_mode(
    counts: &[usize],
    draws: usize,
    rng: &mut crate::numpy_random::RandomState,
) -> Vec<usize> {
    let total = counts.iter().sum::<usize>() as f64;
    let continuous: Vec<f64> = counts
        .iter()
        .map(|&c| c as f64 / total * draws as f64)
        .collect();
    let mut take: Vec<usize> = continuous.iter().map(|c| c.floor() as usize).collect();
    let mut need = draws - take.iter().sum::<usize>();
    let remainder: Vec<f64> = continuous.iter().map(|c| c - c.floor()).collect();
    let mut values = remainder.clone();
    values.sort_by(|a, b| b.total_cmp(a));
    values.dedup();
    for value in values {
        if need == 0 {
            break;
        }
        let tied: Vec<usize> = (0..remainder.len())
            .filter(|&k| remainder[k] == value)
            .collect();
        let now = tied.len().min(need);
        // rng.choice(tied, now, replace=False) = tied[permutation(len)[..now]].
        let perm = rng.permutation(tied.len());
        for &p in &perm[..now] {
            take[tied[p]] += 1;
        }
        need -= now;
    }
    take
}

/// A seeded split with ⌈`test_fraction`·n⌉ test rows drawn so that every
/// stratum (for example [`equal_width_bins`] of the target) is represented
/// in proportion: each stratum gets ⌊share⌋ rows and the remaining rows go
/// to the largest remainders.
///
/// # Errors
/// As [`train_test_split`].
pub fn stratified_train_test_split(
    strata: &[usize],
    test_fraction: f64,
    seed: u64,
) -> Result<Split> {
    let n = strata.len();
    let n_test = test_count(n, test_fraction)?;
    let mut groups = strata_rows(strata);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let shares: Vec<(usize, f64)> = groups
        .iter()
        .map(|(&s, rows)| (s, n_test as f64 * rows.len() as f64 / n as f64))
        .collect();
    let mut take: BTreeMap<usize, usize> = shares
        .iter()
        .map(|&(s, share)| (s, share.floor() as usize))
        .collect();
    let mut left = n_test - take.values().sum::<usize>();
    let mut by_remainder = shares.clone();
    by_remainder.sort_by(|a, b| {
        (b.1 - b.1.floor())
            .total_cmp(&(a.1 - a.1.floor()))
            .then(a.0.cmp(&b.0))
    });
    for (s, _) in by_remainder {
        if left == 0 {
            break;
        }
        *take.get_mut(&s).expect("stratum exists") += 1;
        left -= 1;
    }
    let mut test = Vec::with_capacity(n_test);
    for (s, rows) in &mut groups {
        rows.shuffle(&mut rng);
        test.extend_from_slice(&rows[..take[s].min(rows.len())]);
    }
    test.sort_unstable();
    Ok(Split {
        train: complement(n, &test),
        test,
    })
}

/// K-fold cross-validation as scikit-learn's `KFold(k)`: contiguous test
/// folds in row order, the first n mod k folds one row larger. With a seed,
/// the rows are permuted first (ChaCha8, not numpy's generator).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KFold {
    /// Number of folds (≥ 2).
    pub k: usize,
    /// `Some(seed)` to shuffle before splitting.
    pub shuffle: Option<u64>,
}

impl KFold {
    /// The folds of `n` rows.
    ///
    /// # Errors
    /// k < 2 or n < k.
    pub fn split(&self, n: usize) -> Result<Vec<Split>> {
        too_few("folds", self.k, 2, "k-fold cross-validation".into())?;
        too_few(
            "rows",
            n,
            self.k,
            format!("{}-fold cross-validation", self.k),
        )?;
        let mut order: Vec<usize> = (0..n).collect();
        if let Some(seed) = self.shuffle {
            order.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
        }
        let mut start = 0;
        Ok((0..self.k)
            .map(|f| {
                let size = n / self.k + usize::from(f < n % self.k);
                let mut test = order[start..start + size].to_vec();
                start += size;
                test.sort_unstable();
                Split {
                    train: complement(n, &test),
                    test,
                }
            })
            .collect())
    }
}

/// Leave-one-out: n folds of one test row each, in row order.
///
/// The folds hold n·(n − 1) indices at once (8n² bytes: 1.8 GB at 15 000
/// rows), and cross-validation over them fits n models: use [`KFold`] on
/// large tables.
///
/// # Errors
/// n < 2.
pub fn leave_one_out(n: usize) -> Result<Vec<Split>> {
    too_few("rows", n, 2, "leave-one-out".into())?;
    Ok((0..n)
        .map(|i| Split {
            train: complement(n, &[i]),
            test: vec![i],
        })
        .collect())
}

/// scikit-learn's `GroupKFold(k)`: groups are taken largest first and each
/// goes to the fold with the fewest rows so far (the first such fold on a
/// tie); a group never spans two folds. Groups of equal size are taken in
/// descending label order (numpy's `argsort(...)[::-1]`). Checked against
/// scikit-learn 1.9.1, including 40 groups with many tied sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupKFold {
    /// Number of folds (≥ 2).
    pub k: usize,
}

impl GroupKFold {
    /// The folds for rows labelled by `groups`.
    ///
    /// # Errors
    /// k < 2, or fewer distinct groups than folds.
    pub fn split<G: Ord>(&self, groups: &[G]) -> Result<Vec<Split>> {
        too_few("folds", self.k, 2, "grouped k-fold cross-validation".into())?;
        let labels = distinct(groups);
        too_few(
            "distinct groups",
            labels.len(),
            self.k,
            format!("grouped {}-fold cross-validation", self.k),
        )?;
        let index_of = |g: &G| labels.binary_search(&g).expect("label present");
        let mut sizes = vec![0usize; labels.len()];
        for g in groups {
            sizes[index_of(g)] += 1;
        }
        let mut order: Vec<usize> = (0..labels.len()).collect();
        // Ascending stable argsort, then reversed, as numpy's [::-1].
        order.sort_by_key(|&g| sizes[g]);
        order.reverse();
        let mut fold_rows = vec![0usize; self.k];
        let mut fold_of_group = vec![0usize; labels.len()];
        for g in order {
            let lightest =
                (0..self.k).fold(0, |a, b| if fold_rows[b] < fold_rows[a] { b } else { a });
            fold_rows[lightest] += sizes[g];
            fold_of_group[g] = lightest;
        }
        let n = groups.len();
        Ok((0..self.k)
            .map(|f| {
                let test: Vec<usize> = (0..n)
                    .filter(|&i| fold_of_group[index_of(&groups[i])] == f)
                    .collect();
                Split {
                    train: complement(n, &test),
                    test,
                }
            })
            .collect())
    }
}
