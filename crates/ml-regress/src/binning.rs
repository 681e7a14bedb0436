//! Feature bins as LightGBM builds them (Ke et al. 2017; LightGBM's
//! `max_bin` and `min_data_in_bin`): the cut points a histogram tree may
//! split at, found once per fit from the training rows.
//!
//! Values within one ulp of each other count as one; zero (|v| ≤ 10⁻³⁵)
//! is a bin of its own; negative and positive values share the other
//! bins in proportion to their rows, and each side is binned greedily:
//! with at most as many distinct values as bins, a bound after every run
//! of at least `min_rows` rows; with more, bins of about equal row counts,
//! a value holding more than a bin's share of the rows getting a bin of
//! its own. A bound lies one ulp above the midpoint of the values on
//! either side of it, so `v ≤ bound` puts every training value in the
//! bin it was counted in.

/// |v| ≤ this counts as zero.
const ZERO: f64 = 1e-35;

/// The sorted distinct values of `values` (merged within one ulp, keeping
/// the larger) with their row counts, zero placed as LightGBM places it.
pub(crate) fn distinct_with_counts(values: &mut [f64]) -> (Vec<f64>, Vec<usize>) {
    values.sort_unstable_by(f64::total_cmp);
    let zeros = values.iter().filter(|v| v.abs() <= ZERO).count();
    let (mut distinct, mut counts): (Vec<f64>, Vec<usize>) = (Vec::new(), Vec::new());
    let mut previous: Option<f64> = None;
    let mut zero_placed = false;
    for &v in values.iter().filter(|v| v.abs() > ZERO) {
        if !zero_placed && v > 0.0 {
            // Zero goes before the first positive value when it has rows or
            // negative values precede it.
            if zeros > 0 || previous.is_some() {
                distinct.push(0.0);
                counts.push(zeros);
            }
            zero_placed = true;
        }
        match previous {
            Some(p) if v <= p.next_up() => {
                *distinct.last_mut().expect("a value before") = v;
                *counts.last_mut().expect("a value before") += 1;
            }
            _ => {
                distinct.push(v);
                counts.push(1);
            }
        }
        previous = Some(v);
    }
    if !zero_placed && zeros > 0 {
        distinct.push(0.0);
        counts.push(zeros);
    }
    (distinct, counts)
}

/// The upper bounds of the bins (ascending, the last +∞) of a feature with
/// these distinct values and counts, for at most `max_bins` bins of at
/// least `min_rows` rows where the values allow.
pub(crate) fn upper_bounds(
    distinct: &[f64],
    counts: &[usize],
    max_bins: usize,
    min_rows: usize,
) -> Vec<f64> {
    let n = distinct.len();
    let negative = distinct.iter().position(|&v| v > -ZERO).unwrap_or(n);
    let positive = distinct[negative..]
        .iter()
        .position(|&v| v > ZERO)
        .map(|p| p + negative);
    let rows = |r: std::ops::Range<usize>| counts[r].iter().sum::<usize>();
    let total = rows(0..n);
    let negative_rows = rows(0..negative);
    let zero_rows = rows(negative..positive.unwrap_or(n));
    let mut bounds = Vec::new();
    if negative > 0 && max_bins > 1 {
        let share = negative_rows as f64 / (total - zero_rows) as f64 * (max_bins - 1) as f64;
        bounds = greedy(
            &distinct[..negative],
            &counts[..negative],
            (share as usize).max(1),
            negative_rows,
            min_rows,
        );
        if let Some(last) = bounds.last_mut() {
            *last = -ZERO;
        }
    }
    let positive_bins = (max_bins - 1).saturating_sub(bounds.len());
    match positive {
        Some(p) if positive_bins > 0 => {
            bounds.push(ZERO);
            bounds.extend(greedy(
                &distinct[p..],
                &counts[p..],
                positive_bins,
                rows(p..n),
                min_rows,
            ));
        }
        _ => bounds.push(f64::INFINITY),
    }
    bounds
}

/// `bound` appended unless it equals the last one within one ulp.
fn push_bound(bounds: &mut Vec<f64>, bound: f64) -> bool {
    if bounds.last().is_some_and(|&last| bound <= last.next_up()) {
        return false;
    }
    bounds.push(bound);
    true
}

/// The greedy bins of one side (all values of one sign).
fn greedy(
    distinct: &[f64],
    counts: &[usize],
    max_bins: usize,
    total: usize,
    min_rows: usize,
) -> Vec<f64> {
    let n = distinct.len();
    let mut bounds = Vec::new();
    if n <= max_bins {
        // A bound after each run of at least `min_rows` rows.
        let mut in_bin = 0;
        for i in 0..n.saturating_sub(1) {
            in_bin += counts[i];
            if in_bin >= min_rows
                && push_bound(
                    &mut bounds,
                    (0.5 * (distinct[i] + distinct[i + 1])).next_up(),
                )
            {
                in_bin = 0;
            }
        }
        bounds.push(f64::INFINITY);
        return bounds;
    }
    let max_bins = total
        .checked_div(min_rows)
        .map_or(max_bins, |cap| max_bins.min(cap).max(1));
    // Values holding at least a bin's share of the rows get a bin each; the
    // other rows share the remaining bins, the share updated as bins close.
    let mut mean = total as f64 / max_bins as f64;
    let mut rest_bins = max_bins as f64;
    let mut rest_rows = total as f64;
    let big: Vec<bool> = counts.iter().map(|&c| c as f64 >= mean).collect();
    for (&c, _) in counts.iter().zip(&big).filter(|(_, b)| **b) {
        rest_bins -= 1.0;
        rest_rows -= c as f64;
    }
    mean = rest_rows / rest_bins;
    let mut upper = vec![f64::INFINITY; max_bins];
    let mut lower = vec![f64::INFINITY; max_bins];
    let mut bins = 0;
    lower[0] = distinct[0];
    let mut in_bin = 0usize;
    for i in 0..n - 1 {
        if !big[i] {
            rest_rows -= counts[i] as f64;
        }
        in_bin += counts[i];
        let close = big[i]
            || in_bin as f64 >= mean
            || (big[i + 1] && in_bin as f64 >= (0.5 * mean).max(1.0));
        if close {
            upper[bins] = distinct[i];
            bins += 1;
            lower[bins] = distinct[i + 1];
            if bins + 1 >= max_bins {
                break;
            }
            in_bin = 0;
            if !big[i] {
                rest_bins -= 1.0;
                mean = rest_rows / rest_bins;
            }
        }
    }
    for i in 0..bins {
        push_bound(&mut bounds, (0.5 * (upper[i] + lower[i + 1])).next_up());
    }
    bounds.push(f64::INFINITY);
    bounds
}

/// The bin of `v`: the first whose upper bound is ≥ v.
pub(crate) fn bin_of(bounds: &[f64], v: f64) -> usize {
    bounds.partition_point(|&b| b < v).min(bounds.len() - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn few_values_get_a_bound_after_each_run_of_min_rows() {
        // 0 ×2, then 0.1, 0.2, 0.3 ×1, 0.4 ×3: zero is a bin of its own;
        // the positives close a bin after 3 rows (0.1–0.3), then 0.4.
        let mut v = vec![0.3, 0.0, 0.4, 0.1, 0.4, 0.2, 0.0, 0.4];
        let (d, c) = distinct_with_counts(&mut v);
        assert_eq!(d, vec![0.0, 0.1, 0.2, 0.3, 0.4]);
        assert_eq!(c, vec![2, 1, 1, 1, 3]);
        let b = upper_bounds(&d, &c, 255, 3);
        assert_eq!(
            b,
            vec![ZERO, (0.5f64 * (0.3 + 0.4)).next_up(), f64::INFINITY]
        );
        assert_eq!(bin_of(&b, 0.0), 0);
        assert_eq!(bin_of(&b, 0.25), 1);
        assert_eq!(bin_of(&b, 0.35), 1);
        assert_eq!(bin_of(&b, 0.36), 2);
        assert_eq!(bin_of(&b, 9.0), 2);
        // One row per bin: a bound between every pair of values.
        assert_eq!(upper_bounds(&d, &c, 255, 1).len(), 5);
    }

    #[test]
    fn negatives_and_positives_share_the_bins() {
        let mut v: Vec<f64> = (-50..=50).map(f64::from).collect();
        let (d, c) = distinct_with_counts(&mut v);
        let b = upper_bounds(&d, &c, 11, 1);
        assert!(b.len() <= 11);
        assert!(b.contains(&-ZERO) && b.contains(&ZERO));
        assert_eq!(*b.last().unwrap(), f64::INFINITY);
        assert!(b.windows(2).all(|w| w[0] < w[1]));
        // Every bin holds rows; the largest about a tenth of them.
        let mut rows = vec![0; b.len()];
        for &x in &v {
            rows[bin_of(&b, x)] += 1;
        }
        assert!(rows.iter().all(|&r| (1..=12).contains(&r)), "{rows:?}");
    }
}
