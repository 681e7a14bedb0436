//! Space-filling points in the unit cube (0, 1)^d, seeded: Latin hypercube
//! samples and Owen-scrambled Sobol points. Every coordinate lies strictly
//! inside (0, 1), so a quantile function maps it to a finite value.

use crate::error::{Error, Result};
use rand::rngs::ChaCha8Rng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

/// How the points are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(
    feature = "cli",
    derive(clap::ValueEnum),
    value(rename_all = "snake_case")
)]
pub enum Sampling {
    /// Latin hypercube (McKay, Beckman and Conover 1979): each coordinate
    /// takes one point in each of the n strata [k/n, (k+1)/n), the strata
    /// paired across coordinates by independent random permutations, the
    /// point uniform within its stratum (ChaCha8 from the seed).
    #[default]
    LatinHypercube,
    /// The Sobol sequence with hash-based Owen scrambling (Burley 2020,
    /// the `sobol_burley` crate; at most 2¹⁶ points of at most 256
    /// coordinates, 23 bits each, the seed's two 32-bit halves xor-ed).
    /// Use powers of two for n: the balance properties hold for them.
    Sobol,
}

/// Largest number of Sobol points (the `sobol_burley` sequence's length).
pub const SOBOL_MAX_POINTS: usize = 1 << 16;
/// Largest number of Sobol coordinates.
pub const SOBOL_MAX_DIMS: usize = 256;

/// `n` points of `dims` coordinates each, every coordinate in (0, 1), drawn
/// as `sampling` from `seed`: the same arguments give the same points.
///
/// # Errors
/// `n` or `dims` of 0, or more Sobol points or coordinates than the
/// sequence has.
pub fn unit_points(n: usize, dims: usize, sampling: Sampling, seed: u64) -> Result<Vec<Vec<f64>>> {
    if n == 0 {
        return Err(Error::Invalid {
            name: "sample size",
            reason: "must be at least 1, got 0".into(),
        });
    }
    if dims == 0 {
        return Err(Error::Invalid {
            name: "uncertain properties",
            reason: "none given: at least one is needed".into(),
        });
    }
    match sampling {
        Sampling::LatinHypercube => {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let mut points = vec![vec![0.0; dims]; n];
            let mut strata: Vec<usize> = (0..n).collect();
            for d in 0..dims {
                strata.shuffle(&mut rng);
                for (point, &k) in points.iter_mut().zip(&strata) {
                    // A uniform in (0, 1): 53 random bits and half a step;
                    // the division may round the last stratum's top to 1.
                    let v = ((rng.next_u64() >> 11) as f64 + 0.5) * (-53f64).exp2();
                    point[d] = ((k as f64 + v) / n as f64).min(1.0 - f64::EPSILON / 2.0);
                }
            }
            Ok(points)
        }
        Sampling::Sobol => {
            if n > SOBOL_MAX_POINTS || dims > SOBOL_MAX_DIMS {
                return Err(Error::Invalid {
                    name: "sample size",
                    reason: format!(
                        "Sobol sampling gives at most {SOBOL_MAX_POINTS} points of at most \
                         {SOBOL_MAX_DIMS} coordinates, asked for {n} of {dims}"
                    ),
                });
            }
            let seed32 = (seed ^ (seed >> 32)) as u32;
            Ok((0..n as u32)
                .map(|i| {
                    (0..dims as u32)
                        .map(|d| {
                            // Multiples of 2⁻²³ in [0, 1), moved to the middle of
                            // their step.
                            f64::from(sobol_burley::sample(i, d, seed32)) + (-24f64).exp2()
                        })
                        .collect()
                })
                .collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_hypercube_puts_one_point_in_each_stratum_of_each_coordinate() {
        let n = 50;
        let p = unit_points(n, 3, Sampling::LatinHypercube, 7).unwrap();
        for d in 0..3 {
            let mut strata: Vec<usize> = p.iter().map(|x| (x[d] * n as f64) as usize).collect();
            strata.sort_unstable();
            assert_eq!(strata, (0..n).collect::<Vec<_>>());
            assert!(p.iter().all(|x| x[d] > 0.0 && x[d] < 1.0));
        }
        assert_eq!(p, unit_points(n, 3, Sampling::LatinHypercube, 7).unwrap());
        assert_ne!(p, unit_points(n, 3, Sampling::LatinHypercube, 8).unwrap());
    }

    #[test]
    fn sobol_points_are_balanced_on_dyadic_intervals() {
        // An Owen-scrambled Sobol sequence keeps the (t, m, s)-net property:
        // 2^m points put exactly 2^(m−k) in each interval [j/2^k, (j+1)/2^k)
        // of every coordinate.
        let p = unit_points(256, 4, Sampling::Sobol, 3).unwrap();
        for d in 0..4 {
            let mut counts = [0usize; 16];
            for x in &p {
                assert!(x[d] > 0.0 && x[d] < 1.0);
                counts[(x[d] * 16.0) as usize] += 1;
            }
            assert!(counts.iter().all(|&c| c == 16), "{counts:?}");
        }
        // Two-dimensional strata of the first pair: 256 points, 16 × 16 cells
        // of one point each (Sobol's first two coordinates form a (0, 2)-net).
        let mut cells = [0usize; 256];
        for x in &p {
            cells[(x[0] * 16.0) as usize * 16 + (x[1] * 16.0) as usize] += 1;
        }
        assert!(cells.iter().all(|&c| c == 1));
    }

    #[test]
    fn sizes_are_checked() {
        let e = unit_points(0, 2, Sampling::Sobol, 0)
            .unwrap_err()
            .to_string();
        assert!(e.contains("sample size"), "{e}");
        assert!(unit_points(3, 0, Sampling::LatinHypercube, 0).is_err());
        assert!(unit_points(SOBOL_MAX_POINTS + 1, 2, Sampling::Sobol, 0).is_err());
    }
}
