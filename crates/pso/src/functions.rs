//! Classic test functions with their known optima (Jiang et al. 2022,
//! Table C.1, and the usual benchmark suite). Each is an [`Objective`] and
//! knows its conventional search box.

use crate::error::Result;
use crate::problem::{Bounds, Objective};
use std::convert::Infallible;
use std::f64::consts::{E, PI};

/// A test function: its value, name, search box and known global minimum.
/// Every test function is an [`Objective`] that cannot fail.
pub trait TestFunction: Objective {
    /// The function's value at `x`.
    fn value(&self, x: &[f64]) -> f64;
    /// The function's name.
    fn name(&self) -> &'static str;
    /// The conventional search box in `dim` dimensions.
    ///
    /// # Errors
    /// `dim` = 0 or a dimension the function does not support.
    fn bounds(&self, dim: usize) -> Result<Bounds>;
    /// The global minimum value.
    fn minimum(&self) -> f64;
}

/// Sphere Σ xᵢ², minimum 0 at the origin; box [−5.12, 5.12]ᵈ.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sphere;
/// Rastrigin 10n + Σ (xᵢ² − 10 cos 2πxᵢ), minimum 0 at the origin; box
/// [−5.12, 5.12]ᵈ.
#[derive(Debug, Clone, Copy, Default)]
pub struct Rastrigin;
/// Shubert (2-D product form) [Σᵢ₌₁⁵ i cos((i+1)x₁ + i)]·[Σᵢ₌₁⁵ i cos((i+1)x₂ + i)],
/// 18 global minima of −186.7309; box [−10, 10]². (Jiang et al. 2022 print
/// "+ 1" inside the cosines; the standard "+ i" gives the minimum they
/// report.)
#[derive(Debug, Clone, Copy, Default)]
pub struct Shubert;
/// Rosenbrock Σ 100(xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)², minimum 0 at (1, …, 1); box
/// [−5, 10]ᵈ.
#[derive(Debug, Clone, Copy, Default)]
pub struct Rosenbrock;
/// Ackley −20 exp(−0.2 √(Σxᵢ²/n)) − exp(Σ cos(2πxᵢ)/n) + 20 + e, minimum 0 at
/// the origin; box [−32.768, 32.768]ᵈ.
#[derive(Debug, Clone, Copy, Default)]
pub struct Ackley;
/// Griewank 1 + Σ xᵢ²/4000 − Π cos(xᵢ/√i), minimum 0 at the origin; box
/// [−600, 600]ᵈ.
#[derive(Debug, Clone, Copy, Default)]
pub struct Griewank;

/// The Shubert global minimum, −186.7309088…
pub const SHUBERT_MINIMUM: f64 = -186.730_908_831_024;

impl Sphere {
    fn at(x: &[f64]) -> f64 {
        x.iter().map(|v| v * v).sum()
    }
}
impl Rastrigin {
    fn at(x: &[f64]) -> f64 {
        10.0 * x.len() as f64
            + x.iter()
                .map(|v| v * v - 10.0 * (2.0 * PI * v).cos())
                .sum::<f64>()
    }
}
impl Shubert {
    fn at(x: &[f64]) -> f64 {
        let s = |t: f64| {
            (1..=5)
                .map(|i| i as f64 * ((i as f64 + 1.0) * t + i as f64).cos())
                .sum::<f64>()
        };
        s(x[0]) * s(x[1])
    }
}
impl Rosenbrock {
    fn at(x: &[f64]) -> f64 {
        x.windows(2)
            .map(|w| 100.0 * (w[1] - w[0] * w[0]).powi(2) + (1.0 - w[0]).powi(2))
            .sum()
    }
}
impl Ackley {
    fn at(x: &[f64]) -> f64 {
        let n = x.len() as f64;
        let sq = x.iter().map(|v| v * v).sum::<f64>() / n;
        let cs = x.iter().map(|v| (2.0 * PI * v).cos()).sum::<f64>() / n;
        -20.0 * (-0.2 * sq.sqrt()).exp() - cs.exp() + 20.0 + E
    }
}
impl Griewank {
    fn at(x: &[f64]) -> f64 {
        let s = x.iter().map(|v| v * v).sum::<f64>() / 4000.0;
        let p = x
            .iter()
            .enumerate()
            .map(|(i, v)| (v / ((i + 1) as f64).sqrt()).cos())
            .product::<f64>();
        1.0 + s - p
    }
}

macro_rules! objective {
    ($($t:ty),*) => {
        $(
            impl Objective for $t {
                type Error = Infallible;
                fn evaluate(&self, x: &[f64]) -> std::result::Result<f64, Infallible> {
                    Ok(<$t>::at(x))
                }
            }
        )*
    };
}

objective!(Sphere, Rastrigin, Shubert, Rosenbrock, Ackley, Griewank);

macro_rules! test_function {
    ($t:ty, $name:expr, $lo:expr, $hi:expr, $min:expr) => {
        impl TestFunction for $t {
            fn value(&self, x: &[f64]) -> f64 {
                <$t>::at(x)
            }
            fn name(&self) -> &'static str {
                $name
            }
            fn bounds(&self, dim: usize) -> Result<Bounds> {
                Bounds::uniform(dim, $lo, $hi)
            }
            fn minimum(&self) -> f64 {
                $min
            }
        }
    };
}

test_function!(Sphere, "sphere", -5.12, 5.12, 0.0);
test_function!(Rastrigin, "rastrigin", -5.12, 5.12, 0.0);
test_function!(Rosenbrock, "rosenbrock", -5.0, 10.0, 0.0);
test_function!(Ackley, "ackley", -32.768, 32.768, 0.0);
test_function!(Griewank, "griewank", -600.0, 600.0, 0.0);

impl TestFunction for Shubert {
    fn value(&self, x: &[f64]) -> f64 {
        Shubert::at(x)
    }
    fn name(&self) -> &'static str {
        "shubert"
    }
    fn bounds(&self, dim: usize) -> Result<Bounds> {
        if dim != 2 {
            return Err(crate::error::PsoError::DimensionMismatch {
                what: "Shubert dimension",
                expected: 2,
                found: dim,
            });
        }
        Bounds::uniform(2, -10.0, 10.0)
    }
    fn minimum(&self) -> f64 {
        SHUBERT_MINIMUM
    }
}
