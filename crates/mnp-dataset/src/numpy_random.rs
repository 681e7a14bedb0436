//! The pieces of numpy's legacy `RandomState` that scikit-learn's splitters
//! draw from: MT19937 seeded from an integer (`init_genrand`), bounded
//! integers by masked rejection (`random_interval`), and Fisher–Yates
//! shuffles from the last element down (`shuffle`, `permutation`). With
//! them a split made here is the split scikit-learn makes for the same
//! `random_state`, index for index.

use rand_mt::Mt;

/// numpy's `RandomState(seed)` for a seed below 2³².
pub(crate) struct RandomState(Mt);

impl RandomState {
    pub(crate) fn new(seed: u32) -> Self {
        Self(Mt::new(seed))
    }

    /// A uniform integer in [0, max]: the smallest all-ones mask ≥ max,
    /// 32-bit draws masked until one is ≤ max.
    fn interval(&mut self, max: usize) -> usize {
        if max == 0 {
            return 0;
        }
        let max = u32::try_from(max).expect("fewer than 2³² rows");
        let mut mask = max;
        for shift in [1, 2, 4, 8, 16] {
            mask |= mask >> shift;
        }
        loop {
            let v = self.0.next_u32() & mask;
            if v <= max {
                return v as usize;
            }
        }
    }

    /// Shuffles `v` in place as `RandomState.shuffle` does.
    pub(crate) fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.interval(i);
            v.swap(i, j);
        }
    }

    /// `RandomState.permutation(n)`.
    pub(crate) fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut v: Vec<usize> = (0..n).collect();
        self.shuffle(&mut v);
        v
    }
}
