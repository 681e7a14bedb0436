//! The verification cases (Zhang 2008 and closed forms), runnable against any solver: each
//! builds its problem, hands it to a factory `make` that returns a solver
//! (for example `|p| LbmSolver::new(p, config)`), runs it, and reports the
//! comparison with the closed form of [`crate::analytic`]. Tests run them
//! on small grids; the `bioheat_validation` example at publication
//! resolution.

use crate::analytic::{
    LayeredSlab, RobinSlab, Slab1d, disk_source as disk_exact, gaussian_hill as hill_exact,
};
use crate::error::Result;
use crate::grid::Grid;
use crate::perfusion::{ConstantPerfusion, HealthyTissuePerfusion, PerfusionModel, TumorPerfusion};
use crate::problem::{Boundary, PennesProblem, Side};
use crate::shape::Shape;
use crate::solver::{SteadySolver, TransientSolver};
use ndarray::Array2;

/// Blood specific heat used throughout (J/(kg·K)).
const CB: f64 = 3800.0;

/// Zhang 2008's 1D transient at x = 0.
#[derive(Debug, Clone, PartialEq)]
pub struct ZhangReport {
    /// The sampling times (s); the fifth value of each series is the steady
    /// state.
    pub times_s: [f64; 4],
    /// Our T(0) (°C) at the four times and at steady state.
    pub ours: [f64; 5],
    /// The exact series at the same instants.
    pub exact: [f64; 5],
    /// Zhang's published LBM values.
    pub published: [f64; 5],
    /// max |ours − exact| (°C).
    pub max_error: f64,
}

/// The slab problem of [`Slab1d`] on `nx` cells (one row).
///
/// # Errors
/// Never for `nx` ≥ 1.
pub fn slab_problem(slab: &Slab1d, nx: usize) -> Result<PennesProblem> {
    let grid = Grid::new(nx, 1, slab.length / nx as f64, 0.0, 0.0)?;
    PennesProblem::builder(grid, "tissue", ConstantPerfusion(slab.perfusion / CB))
        .tissue(slab.heat_capacity, slab.conductivity)
        .blood(slab.blood_temperature, CB)
        .uniform_metabolic_heat(slab.metabolic_heat)
        .boundary(Side::East, Boundary::Temperature(slab.wall_temperature))
        .initial_temperature(slab.equilibrium())
        .build()
}

/// T at the adiabatic wall x = 0 from the first two cell centres
/// (quadratic with zero slope): (9T₀ − T₁)/8.
fn wall_value(t: &Array2<f64>) -> f64 {
    (9.0 * t[[0, 0]] - t[[1.min(t.nrows() - 1), 0]]) / 8.0
}

/// Runs Zhang 2008's transient on `nx` cells: T(0) at 300, 1000, 3000 and
/// 10000 s (linearly interpolated between the steps around each instant)
/// and at steady state.
///
/// # Errors
/// From the factory or the solver.
pub fn zhang_2008<S, F>(nx: usize, make: F) -> Result<ZhangReport>
where
    S: TransientSolver + SteadySolver,
    F: FnOnce(PennesProblem) -> Result<S>,
{
    let slab = Slab1d::zhang_2008();
    let mut solver = make(slab_problem(&slab, nx)?)?;
    let times_s = [300.0, 1000.0, 3000.0, 10000.0];
    let mut ours = [0.0; 5];
    let mut exact = [0.0; 5];
    let (mut t_prev, mut v_prev) = (solver.time(), wall_value(&solver.temperature()));
    for (k, &t) in times_s.iter().enumerate() {
        while solver.time() < t - 1e-9 * t {
            t_prev = solver.time();
            v_prev = wall_value(&solver.temperature());
            solver.step()?;
        }
        let (t_now, v_now) = (solver.time(), wall_value(&solver.temperature()));
        ours[k] = if t_now - t_prev > 0.0 {
            v_prev + (v_now - v_prev) * (t - t_prev) / (t_now - t_prev)
        } else {
            v_now
        };
        exact[k] = slab.transient(0.0, t);
    }
    ours[4] = wall_value(&solver.solve_steady(None)?.temperature);
    exact[4] = slab.steady(0.0);
    let max_error = ours
        .iter()
        .zip(&exact)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    Ok(ZhangReport {
        times_s,
        ours,
        exact,
        published: [38.00054, 37.83182, 36.09737, 33.68265, 33.32401],
        max_error,
    })
}

/// The steady cosh profile on a strongly perfused 10 mm slab
/// (W = 4·10⁴ W/(m³·K), so the profile has curvature to resolve) on `nx`
/// cells: the max error (°C) over the cell centres.
///
/// # Errors
/// From the factory or the solver.
pub fn cosh_profile<S, F>(nx: usize, make: F) -> Result<f64>
where
    S: SteadySolver,
    F: FnOnce(PennesProblem) -> Result<S>,
{
    let slab = Slab1d {
        length: 0.01,
        perfusion: 4e4,
        ..Slab1d::zhang_2008()
    };
    let s = make(slab_problem(&slab, nx)?)?.solve_steady(None)?;
    let dx = slab.length / nx as f64;
    Ok((0..nx)
        .map(|i| (s.temperature[[i, 0]] - slab.steady((i as f64 + 0.5) * dx)).abs())
        .fold(0.0, f64::max))
}

/// The two-layer slab of [`LayeredSlab::muscle_and_fat`] on `nx` cells (one
/// row; `nx` even puts the interface on a cell face): the max error (°C)
/// over the cell centres of the steady state against the closed form. The
/// layers differ in k, (ρc), perfusion and source.
///
/// # Errors
/// From the factory or the solver.
pub fn layered_slab<S, F>(nx: usize, make: F) -> Result<f64>
where
    S: SteadySolver,
    F: FnOnce(PennesProblem) -> Result<S>,
{
    let slab = LayeredSlab::muscle_and_fat();
    let dx = slab.length / nx as f64;
    let grid = Grid::new(nx, 1, dx, 0.0, 0.0)?;
    let second = |x: f64| x > slab.interface;
    let pick = |x: f64, v: [f64; 2]| if second(x) { v[1] } else { v[0] };
    let layer2 = Array2::from_shape_fn((nx, 1), |(i, _)| second(grid.x(i)));
    let p = PennesProblem::builder(grid, "layer 1", ConstantPerfusion(slab.perfusion[0] / CB))
        .region_mask(
            "layer 2",
            &layer2,
            ConstantPerfusion(slab.perfusion[1] / CB),
        )
        .properties(
            grid.field(|x, _| pick(x, slab.heat_capacity)),
            grid.field(|x, _| pick(x, slab.conductivity)),
        )
        .heat_source(grid.field(|x, _| pick(x, slab.source)))
        .blood(slab.blood_temperature, CB)
        .boundary(Side::West, Boundary::Temperature(slab.end_temperatures[0]))
        .boundary(Side::East, Boundary::Temperature(slab.end_temperatures[1]))
        .initial_temperature(slab.blood_temperature)
        .build()?;
    let s = make(p)?.solve_steady(None)?;
    Ok((0..nx)
        .map(|i| (s.temperature[[i, 0]] - slab.steady(grid.x(i))).abs())
        .fold(0.0, f64::max))
}

/// The convectively cooled slab of [`RobinSlab::cooled_skin`] on `nx` cells
/// (one row; adiabatic at x = 0, the Robin wall at x = L): the max error
/// (°C) over the cell centres against the closed form.
///
/// # Errors
/// From the factory or the solver.
pub fn robin_slab<S, F>(nx: usize, make: F) -> Result<f64>
where
    S: SteadySolver,
    F: FnOnce(PennesProblem) -> Result<S>,
{
    let slab = RobinSlab::cooled_skin();
    let grid = Grid::new(nx, 1, slab.length / nx as f64, 0.0, 0.0)?;
    let p = PennesProblem::builder(grid, "tissue", ConstantPerfusion(slab.perfusion / CB))
        .tissue(4e6, slab.conductivity)
        .heat_source(grid.constant(slab.source))
        .blood(slab.blood_temperature, CB)
        .boundary(
            Side::East,
            Boundary::Convective {
                h: slab.h,
                ambient_c: slab.ambient_c,
            },
        )
        .build()?;
    let s = make(p)?.solve_steady(None)?;
    Ok((0..nx)
        .map(|i| (s.temperature[[i, 0]] - slab.steady(grid.x(i))).abs())
        .fold(0.0, f64::max))
}

/// Observed orders log₂(e_k/e_{k+1}) of errors on grids refined by 2.
pub fn observed_orders(errors: &[f64]) -> Vec<f64> {
    errors.windows(2).map(|w| (w[0] / w[1]).log2()).collect()
}

/// A uniform disk source (radius 5 mm, q0 = 6·10⁵ W/m³, ṁ_b = 8 kg/(m³·s),
/// decay length 4 mm) centred in an adiabatic 60 mm block of `n` × `n`
/// cells, each holding q0 times its covered fraction (20 × 20 sub-samples):
/// the max error (°C) against the infinite-medium Bessel form, and the exact
/// centre rise.
///
/// # Errors
/// From the factory or the solver.
pub fn disk_source<S, F>(n: usize, make: F) -> Result<(f64, f64)>
where
    S: SteadySolver,
    F: FnOnce(PennesProblem) -> Result<S>,
{
    let grid = Grid::centered_square(n, 0.06)?;
    let (radius, q0, rate) = (5e-3, 6e5, 8.0);
    let sub = 20;
    let h = grid.dx() / sub as f64;
    let q = grid.field(|x, y| {
        let mut inside = 0;
        for a in 0..sub {
            for b in 0..sub {
                let u = x - grid.dx() / 2.0 + (a as f64 + 0.5) * h;
                let v = y - grid.dx() / 2.0 + (b as f64 + 0.5) * h;
                inside += usize::from(u * u + v * v <= radius * radius);
            }
        }
        q0 * inside as f64 / (sub * sub) as f64
    });
    let p = PennesProblem::builder(grid, "tissue", ConstantPerfusion(rate))
        .heat_source(q)
        .build()?;
    let s = make(p)?.solve_steady(None)?;
    let mut err: f64 = 0.0;
    for ((i, j), v) in s.temperature.indexed_iter() {
        let r = grid.x(i).hypot(grid.y(j));
        err = err.max((v - 37.0 - disk_exact(r, radius, q0, rate * CB, 0.5)).abs());
    }
    Ok((err, disk_exact(0.0, radius, q0, rate * CB, 0.5)))
}

/// A Gaussian hill (5 °C, σ0 = 1 mm) in a 16 mm block of `n` × `n` cells
/// with W = 4·10⁴ W/(m³·K), marched for 10 s: the max error (°C) against
/// the spreading, decaying closed form.
///
/// # Errors
/// From the factory or the solver.
pub fn gaussian_hill<S, F>(n: usize, make: F) -> Result<f64>
where
    S: TransientSolver,
    F: FnOnce(PennesProblem) -> Result<S>,
{
    let grid = Grid::centered_square(n, 0.016)?;
    let (amp, sigma0, w) = (5.0, 1e-3, 4e4);
    let init = grid.field(|x, y| 37.0 + amp * (-(x * x + y * y) / (2.0 * sigma0 * sigma0)).exp());
    let p = PennesProblem::builder(grid, "tissue", ConstantPerfusion(w / CB))
        .initial_field(init)
        .build()?;
    let rho_c = p.heat_capacity()[[0, 0]];
    let mut solver = make(p)?;
    let steps = (10.0 / solver.time_step()).round().max(1.0) as usize;
    for _ in 0..steps {
        solver.step()?;
    }
    let (t, temp) = (solver.time(), solver.temperature());
    let (alpha, beta) = (0.5 / rho_c, w / rho_c);
    let mut err: f64 = 0.0;
    for ((i, j), v) in temp.indexed_iter() {
        let r = grid.x(i).hypot(grid.y(j));
        err = err.max((v - 37.0 - hill_exact(r, t, amp, sigma0, alpha, beta)).abs());
    }
    Ok(err)
}

/// The uniform equilibrium T = T_b + Q/W(T) of a 16 × 16 block with the
/// nonlinear healthy-tissue law at 44 °C, marched `steps` steps: the max
/// drift (°C), which should be rounding only.
///
/// # Errors
/// From the factory or the solver.
pub fn uniform_state<S, F>(steps: usize, make: F) -> Result<f64>
where
    S: TransientSolver,
    F: FnOnce(PennesProblem) -> Result<S>,
{
    let grid = Grid::centered_square(16, 0.01)?;
    let t0 = 44.0;
    let q = HealthyTissuePerfusion.rate(t0) * CB * (t0 - 37.0);
    let p = PennesProblem::builder(grid, "tissue", HealthyTissuePerfusion)
        .heat_source(grid.constant(q))
        .initial_temperature(t0)
        .build()?;
    let mut solver = make(p)?;
    for _ in 0..steps {
        solver.step()?;
    }
    Ok(solver
        .temperature()
        .iter()
        .map(|t| (t - t0).abs())
        .fold(0.0, f64::max))
}

/// A heated tumor (Gaussian source of 6·10⁵ W/m³, σ = 2 mm; Eqs. 3 and 4)
/// in a 50 mm adiabatic block of `n` × `n` cells.
///
/// # Errors
/// Never for `n` ≥ 1.
pub fn heated_tumor_problem(n: usize) -> Result<PennesProblem> {
    let grid = Grid::centered_square(n, 0.05)?;
    let tumor = Shape::circle(0.0, 0.0, 5e-3)?;
    let q = grid.field(|x, y| 6e5 * (-(x * x + y * y) / (2.0 * 2e-3f64.powi(2))).exp());
    PennesProblem::builder(grid, "healthy", HealthyTissuePerfusion)
        .region("tumor", &tumor, TumorPerfusion)
        .heat_source(q)
        .build()
}

/// The steady energy balance of [`heated_tumor_problem`]: with adiabatic
/// walls ∫Q dA must equal ∫W(T)(T − T_b) dA. Returns the relative imbalance
/// and the peak temperature (°C).
///
/// # Errors
/// From the factory or the solver.
pub fn energy_balance<S, F>(n: usize, make: F) -> Result<(f64, f64)>
where
    S: SteadySolver,
    F: FnOnce(PennesProblem) -> Result<S>,
{
    let p = heated_tumor_problem(n)?;
    let s = make(p.clone())?.solve_steady(None)?;
    let source: f64 = p.heat_source().sum();
    let mut sink = 0.0;
    for ((i, j), &t) in s.temperature.indexed_iter() {
        sink += p.perfusion_coefficient(i, j, t) * (t - p.blood_temperature());
    }
    let peak = s
        .temperature
        .iter()
        .cloned()
        .fold(f64::NEG_INFINITY, f64::max);
    Ok(((sink - source) / source, peak))
}
