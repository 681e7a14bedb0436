//! The crate's error type and `Result` alias.

use thiserror::Error;

/// Everything that can go wrong in `lbm-bioheat`. Errors about a cell give
/// its [`CellIndex`]: `(i, j)` in 2D, `(i, j, k)` in 3D (i along x, j along
/// y, k along z).
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum BioheatError {
    /// A parameter is non-finite or outside its allowed range.
    #[error("invalid {name} = {value}: expected {allowed}")]
    InvalidParameter {
        /// The parameter's name, with its unit.
        name: &'static str,
        /// The value given.
        value: f64,
        /// The accepted range, in words.
        allowed: &'static str,
    },
    /// A field's shape differs from the grid's.
    #[error("{what} has shape {found:?}, but the grid is {expected:?}")]
    ShapeMismatch {
        /// Which field (or label volume).
        what: &'static str,
        /// The grid's cells per axis, [nx, ny] or [nx, ny, nz].
        expected: Vec<usize>,
        /// The field's shape.
        found: Vec<usize>,
    },
    /// A field holds a non-finite or non-physical value.
    #[error("{what} at cell {cell} is {value}: expected {allowed}")]
    InvalidField {
        /// Which field.
        what: &'static str,
        /// The cell.
        cell: CellIndex,
        /// The value.
        value: f64,
        /// The accepted range.
        allowed: &'static str,
    },
    /// A region (for example the tumor) contains no cell.
    #[error("region '{region}' contains no cell of the grid")]
    EmptyRegion {
        /// The region's name.
        region: String,
    },
    /// A name that cannot be written where it was asked for: a field name
    /// with a control character other than tab, line feed or carriage
    /// return, or U+FFFE or U+FFFF, which an XML file cannot carry.
    #[error("{what} {name:?} cannot be written: {reason}")]
    UnwritableName {
        /// What the name is for.
        what: &'static str,
        /// The name.
        name: String,
        /// Why, in words.
        reason: &'static str,
    },
    /// Two regions share a name (the background's included), so a lookup
    /// by name could not tell them apart.
    #[error("two regions are called '{region}': region names must be unique")]
    DuplicateRegion {
        /// The name.
        region: String,
    },
    /// A region's perfusion law gives a negative or non-finite rate.
    #[error(
        "perfusion of region '{region}' gives {rate} at {temperature_c} °C: expected a \
         finite rate ≥ 0 kg/(m³·s) with a finite slope"
    )]
    InvalidPerfusion {
        /// The region's name.
        region: String,
        /// The temperature (°C) at which the law was evaluated.
        temperature_c: f64,
        /// The rate it gave (kg/(m³·s)), or the slope (kg/(m³·s·K)) where
        /// only the slope is not finite.
        rate: f64,
    },
    /// No region of that name.
    #[error("no region named '{0}'")]
    UnknownRegion(String),
    /// More regions than the solver can label (255).
    #[error("too many regions: at most 255")]
    TooManyRegions,
    /// The LBM relaxation time is at or below ½: the scheme is unstable.
    #[error(
        "LBM relaxation time tau = {tau} at cell {cell} is <= 0.5 (unstable); \
         increase the time step or the relaxation time"
    )]
    UnstableRelaxation {
        /// The relaxation time.
        tau: f64,
        /// The cell.
        cell: CellIndex,
    },
    /// The temperature became non-finite or left the plausible range.
    #[error("the solution diverged at step {step} (t = {time_s} s): T = {value} °C at cell {cell}")]
    Diverged {
        /// The step at which it was found.
        step: usize,
        /// The physical time (s).
        time_s: f64,
        /// The cell.
        cell: CellIndex,
        /// The temperature found.
        value: f64,
    },
    /// A steady solve stopped before reaching its tolerance.
    #[error(
        "steady state not reached after {steps} steps: max |dT| per step = {last_change} °C, \
         tolerance {tolerance} °C"
    )]
    NotConverged {
        /// Steps taken.
        steps: usize,
        /// The last max |ΔT| per step (°C).
        last_change: f64,
        /// The tolerance asked for (°C).
        tolerance: f64,
    },
    /// A steady problem whose temperature nothing fixes: every face
    /// adiabatic (or convective with h = 0) and no perfusion at any
    /// temperature
    /// ([`crate::PennesProblem::steady_is_singular`]), so the system is
    /// singular; or a finite-volume system that could not be made positive
    /// definite.
    #[error(
        "the steady problem is singular: every face is adiabatic (or convective with h = 0) \
         and no region has perfusion at any temperature from 0 to 100 °C, so nothing removes \
         heat or fixes the temperature level (or the linear system is not positive definite)"
    )]
    SingularSystem,
    /// A linear solve of the finite-volume solver stalled.
    #[error(
        "the linear solver stopped after {iterations} iterations at relative residual \
         {relative_residual}"
    )]
    LinearSolveFailed {
        /// CG iterations taken.
        iterations: usize,
        /// ‖r‖₂/‖b‖₂ reached.
        relative_residual: f64,
    },
    /// Newton's (or Picard's) iteration did not reach its tolerance.
    #[error(
        "the nonlinear solve did not converge in {iterations} iterations: last residual \
         {residual} W/m^3 (max over cells), last update {last_update} °C, tolerance {tolerance} °C"
    )]
    NewtonNotConverged {
        /// Iterations taken.
        iterations: usize,
        /// The last residual, max over the cells of the heat balance (W/m³).
        residual: f64,
        /// The last update max |δT| (°C).
        last_update: f64,
        /// The tolerance asked for (°C).
        tolerance: f64,
    },
    /// A probe point lies outside the domain.
    #[error("point {point:?} m lies outside the domain")]
    OutsideDomain {
        /// The point's coordinates (m): (x, y) or (x, y, z).
        point: Vec<f64>,
    },
    /// A solver needs cubic cells (the lattice Boltzmann method: one
    /// lattice spacing in every direction).
    #[error(
        "{solver} needs cubic cells, but the grid's cells are {dx} × {dy} × {dz} m; \
         resample the volume to isotropic spacing"
    )]
    NonCubicCells {
        /// The solver.
        solver: &'static str,
        /// Cell size along x (m).
        dx: f64,
        /// Cell size along y (m).
        dy: f64,
        /// Cell size along z (m).
        dz: f64,
    },
    /// A grid axis has too few cells for the 3D solvers.
    #[error(
        "{axis} = {cells} cells is too small: 3D grids need at least {minimum} cells per axis \
         (solve a problem one cell thick as a 2D problem)"
    )]
    LatticeTooSmall {
        /// The axis ("nx", "ny" or "nz").
        axis: &'static str,
        /// Its cell count.
        cells: usize,
        /// The least accepted.
        minimum: usize,
    },
    /// Writing a file failed.
    #[error("writing {path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// What the OS said.
        message: String,
    },
}

/// The index of a cell in an error message: (i, j) on a 2D grid,
/// (i, j, k) on a 3D one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CellIndex {
    /// Index along x.
    pub i: usize,
    /// Index along y.
    pub j: usize,
    /// Index along z (3D grids only).
    pub k: Option<usize>,
}

impl std::fmt::Display for CellIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.k {
            Some(k) => write!(f, "({}, {}, {k})", self.i, self.j),
            None => write!(f, "({}, {})", self.i, self.j),
        }
    }
}

/// `Result` with [`BioheatError`].
pub type Result<T> = std::result::Result<T, BioheatError>;

pub(crate) fn positive(name: &'static str, value: f64) -> Result<f64> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(BioheatError::InvalidParameter {
            name,
            value,
            allowed: "a finite value > 0",
        })
    }
}

pub(crate) fn non_negative(name: &'static str, value: f64) -> Result<f64> {
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err(BioheatError::InvalidParameter {
            name,
            value,
            allowed: "a finite value >= 0",
        })
    }
}

pub(crate) fn finite(name: &'static str, value: f64) -> Result<f64> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(BioheatError::InvalidParameter {
            name,
            value,
            allowed: "a finite value",
        })
    }
}
