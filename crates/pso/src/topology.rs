//! Which particles inform each other.

/// How a particle ranks: total constraint violation first (Deb's
/// feasibility rules), then the score (smaller is better; NaN already +∞).
/// Without constraints every violation is 0 and the score alone decides.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub(crate) struct Key {
    pub(crate) violation: f64,
    pub(crate) score: f64,
}

impl Key {
    /// Worse than any evaluated point.
    pub(crate) const WORST: Key = Key {
        violation: f64::INFINITY,
        score: f64::INFINITY,
    };
}

/// The neighbourhood a particle takes its social best from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Topology {
    /// Every particle sees the swarm's best (the paper's choice).
    #[default]
    Global,
    /// Particle i sees i − k … i + k (cyclically) for `k` neighbours a side.
    Ring {
        /// Neighbours on each side (≥ 1).
        neighbours: usize,
    },
    /// Particles on a rows × cols torus (as square as the swarm allows),
    /// each seeing itself and its four lattice neighbours.
    VonNeumann,
}

impl Topology {
    /// Fills `out[i]` with the index of the best particle (lowest score) in
    /// particle i's neighbourhood. Ties go to the lower index, so the result
    /// does not depend on evaluation order.
    pub(crate) fn best_neighbours(&self, scores: &[Key], out: &mut [usize]) {
        let n = scores.len();
        let better = |a: usize, b: usize| {
            if scores[b] < scores[a] || (scores[b] == scores[a] && b < a) {
                b
            } else {
                a
            }
        };
        match *self {
            Topology::Global => {
                let best = (0..n).fold(0, better);
                out.fill(best);
            }
            Topology::Ring { neighbours } => {
                let k = neighbours.min(n / 2);
                for (i, o) in out.iter_mut().enumerate() {
                    *o = (1..=k)
                        .flat_map(|d| [(i + d) % n, (i + n - d) % n])
                        .fold(i, better);
                }
            }
            Topology::VonNeumann => {
                let rows = (1..=((n as f64).sqrt() as usize))
                    .rev()
                    .find(|&r| n.is_multiple_of(r))
                    .unwrap_or(1);
                let cols = n / rows;
                for (i, o) in out.iter_mut().enumerate() {
                    let (r, c) = (i / cols, i % cols);
                    let nb = [
                        ((r + rows - 1) % rows) * cols + c,
                        ((r + 1) % rows) * cols + c,
                        r * cols + (c + cols - 1) % cols,
                        r * cols + (c + 1) % cols,
                    ];
                    *o = nb.into_iter().fold(i, better);
                }
            }
        }
    }
}
