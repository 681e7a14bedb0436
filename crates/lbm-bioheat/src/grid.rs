//! The uniform grid of square cells the solvers work on.

use crate::error::{BioheatError, Result, finite, positive};
use ndarray::{Array2, ArrayView2};

/// The most cells a grid may have: 2^28 (a field of f64 then takes 2.1 GB).
pub const MAX_CELLS: usize = 1 << 28;

/// `nx` × `ny` square cells of side `dx` (m). Cell (i, j) has its centre at
/// (x0 + (i + ½)dx, y0 + (j + ½)dx); the domain is
/// [x0, x0 + nx·dx] × [y0, y0 + ny·dx]. Fields are `Array2` of shape
/// (nx, ny), indexed `[[i, j]]`, i along x.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Grid {
    nx: usize,
    ny: usize,
    dx: f64,
    x0: f64,
    y0: f64,
}

impl Grid {
    /// A grid of `nx` × `ny` cells of side `dx` (m) with its lower-left
    /// corner at (`x0`, `y0`) (m).
    ///
    /// # Errors
    /// A zero count, a non-positive or non-finite `dx`, a non-finite origin.
    ///
    /// At most [`MAX_CELLS`] cells: a larger grid cannot hold its fields
    /// on any ordinary machine, and is refused here rather than aborting on
    /// an allocation later.
    pub fn new(nx: usize, ny: usize, dx: f64, x0: f64, y0: f64) -> Result<Self> {
        for (name, n) in [("nx", nx), ("ny", ny)] {
            if n == 0 {
                return Err(BioheatError::InvalidParameter {
                    name,
                    value: 0.0,
                    allowed: "at least 1 cell",
                });
            }
        }
        if nx.checked_mul(ny).is_none_or(|c| c > MAX_CELLS) {
            return Err(BioheatError::InvalidParameter {
                name: "cells (nx × ny)",
                value: nx as f64 * ny as f64,
                allowed: "at most 2^28 = 268 435 456 cells (2.1 GB per field)",
            });
        }
        let dx = positive("dx (m)", dx)?;
        // The solvers work with cell areas: an ordinary number, not lost to
        // underflow or overflow.
        if !(dx * dx).is_normal() {
            return Err(BioheatError::InvalidParameter {
                name: "cell area dx² (m^2)",
                value: dx * dx,
                allowed: "a normal f64 (dx neither vanishingly small nor huge)",
            });
        }
        Ok(Self {
            nx,
            ny,
            dx,
            x0: finite("x0 (m)", x0)?,
            y0: finite("y0 (m)", y0)?,
        })
    }

    /// A square block of side `side` (m) in `n` × `n` cells, centred on the
    /// origin (the tumor centre in Jiang et al. 2022: 50 mm, 100 × 100).
    ///
    /// # Errors
    /// `n` = 0 or a non-positive side.
    pub fn centered_square(n: usize, side: f64) -> Result<Self> {
        let side = positive("side (m)", side)?;
        let n_f = n.max(1) as f64;
        Self::new(n, n, side / n_f, -side / 2.0, -side / 2.0)
    }

    /// Cells along x.
    pub fn nx(&self) -> usize {
        self.nx
    }
    /// Cells along y.
    pub fn ny(&self) -> usize {
        self.ny
    }
    /// Cell side (m).
    pub fn dx(&self) -> f64 {
        self.dx
    }
    /// Lower-left corner x (m).
    pub fn x0(&self) -> f64 {
        self.x0
    }
    /// Lower-left corner y (m).
    pub fn y0(&self) -> f64 {
        self.y0
    }
    /// Cell area dx² (m²).
    pub fn cell_area(&self) -> f64 {
        self.dx * self.dx
    }
    /// The shape (nx, ny) of fields on the grid.
    pub fn shape(&self) -> (usize, usize) {
        (self.nx, self.ny)
    }
    /// x of the centre of column `i` (m).
    pub fn x(&self, i: usize) -> f64 {
        self.x0 + (i as f64 + 0.5) * self.dx
    }
    /// y of the centre of row `j` (m).
    pub fn y(&self, j: usize) -> f64 {
        self.y0 + (j as f64 + 0.5) * self.dx
    }
    /// A field of the grid's shape filled with `value`.
    pub fn constant(&self, value: f64) -> Array2<f64> {
        Array2::from_elem(self.shape(), value)
    }
    /// A field from a function of the cell-centre coordinates (m).
    pub fn field(&self, f: impl Fn(f64, f64) -> f64) -> Array2<f64> {
        Array2::from_shape_fn(self.shape(), |(i, j)| f(self.x(i), self.y(j)))
    }

    /// Checks that `field` has the grid's shape.
    ///
    /// # Errors
    /// [`BioheatError::ShapeMismatch`] naming `what`.
    pub fn check_shape<T>(&self, what: &'static str, field: &ArrayView2<T>) -> Result<()> {
        crate::lattice::Lattice::check_shape(self, what, field)
    }
}
