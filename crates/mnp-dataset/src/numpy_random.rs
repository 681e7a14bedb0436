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
    /// draws masked until one is ≤ max (32-bit draws up to 2³² − 1, 64-bit
    /// ones, high word first, beyond, as numpy's `random_interval`).
    fn interval(&mut self, max: usize) -> usize {
        if max == 0 {
            return 0;
        }
        let max = max as u64;
        let mut mask = max;
        for shift in [1, 2, 4, 8, 16, 32] {
            mask |= mask >> shift;
        }
        loop {
            let draw = if max <= u64::from(u32::MAX) {
                u64::from(self.0.next_u32())
            } else {
                (u64::from(self.0.next_u32()) << 32) | u64::from(self.0.next_u32())
            };
            let v = draw & mask;
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
