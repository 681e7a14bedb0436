//! The uniform 3D grid of box-shaped cells (voxels).

use crate::error::{BioheatError, Result, finite, positive};
use crate::grid::MAX_CELLS;
use ndarray::Array3;

/// The fewest cells per axis of a 3D grid: a block one cell thick is a 2D
/// problem (solve it on a [`Grid`](crate::Grid)), and the lattice
/// Boltzmann walls and the multigrid hierarchy need two cells per axis.
pub const MIN_CELLS_PER_AXIS_3D: usize = 2;

/// `nx` × `ny` × `nz` cells of size `dx` × `dy` × `dz` (m). Cell (i, j, k)
/// has its centre at (x0 + (i + ½)dx, y0 + (j + ½)dy, z0 + (k + ½)dz).
/// Fields are `Array3` of shape (nx, ny, nz), indexed `[[i, j, k]]`, i along
/// x. Medical images often have non-cubic voxels; the finite volumes take
/// them, the lattice Boltzmann solver needs cubic cells.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Grid3 {
    n: [usize; 3],
    h: [f64; 3],
    origin: [f64; 3],
}

impl Grid3 {
    /// A grid of `cells` = [nx, ny, nz] cells of size `spacing` = [dx, dy,
    /// dz] (m), its lower corner at `origin` (m).
    ///
    /// # Errors
    /// [`BioheatError::LatticeTooSmall`] for an axis with fewer than
    /// [`MIN_CELLS_PER_AXIS_3D`] cells; more than 2^28 cells; a
    /// non-positive or non-finite spacing; a non-finite origin.
    pub fn new(cells: [usize; 3], spacing: [f64; 3], origin: [f64; 3]) -> Result<Self> {
        for (axis, n) in ["nx", "ny", "nz"].into_iter().zip(cells) {
            if n < MIN_CELLS_PER_AXIS_3D {
                return Err(BioheatError::LatticeTooSmall {
                    axis,
                    cells: n,
                    minimum: MIN_CELLS_PER_AXIS_3D,
                });
            }
        }
        let total = cells
            .iter()
            .try_fold(1usize, |a, &n| a.checked_mul(n))
            .filter(|&c| c <= MAX_CELLS);
        if total.is_none() {
            return Err(BioheatError::InvalidParameter {
                name: "cells (nx × ny × nz)",
                value: cells.iter().map(|&n| n as f64).product(),
                allowed: "at most 2^28 = 268 435 456 cells (2.1 GB per field)",
            });
        }
        let h = [
            positive("dx (m)", spacing[0])?,
            positive("dy (m)", spacing[1])?,
            positive("dz (m)", spacing[2])?,
        ];
        // The solvers work with cell volumes and face areas: they must be
        // ordinary numbers, not lost to underflow or overflow.
        let volume = h[0] * h[1] * h[2];
        if !volume.is_normal() {
            return Err(BioheatError::InvalidParameter {
                name: "cell volume dx·dy·dz (m^3)",
                value: volume,
                allowed: "a normal f64 (spacings neither vanishingly small nor huge)",
            });
        }
        Ok(Self {
            n: cells,
            h,
            origin: [
                finite("x0 (m)", origin[0])?,
                finite("y0 (m)", origin[1])?,
                finite("z0 (m)", origin[2])?,
            ],
        })
    }

    /// A cube of side `side` (m) in `n`³ cubic cells, centred on the origin.
    ///
    /// # Errors
    /// As [`Grid3::new`].
    pub fn centered_cube(n: usize, side: f64) -> Result<Self> {
        let side = positive("side (m)", side)?;
        let h = side / n.max(1) as f64;
        Self::new([n; 3], [h; 3], [-side / 2.0; 3])
    }

    /// Cells per axis (nx, ny, nz): the shape of fields on the grid.
    pub fn shape(&self) -> (usize, usize, usize) {
        (self.n[0], self.n[1], self.n[2])
    }
    /// Cell size per axis (m).
    pub fn spacing(&self) -> [f64; 3] {
        self.h
    }
    /// The lower corner (m).
    pub fn origin(&self) -> [f64; 3] {
        self.origin
    }
    /// The cell size when cells are cubic (m): dx when dy and dz equal it
    /// to a relative 10⁻⁹ (voxel sizes read from files differ in their
    /// last bits), else `None`.
    pub fn cubic_spacing(&self) -> Option<f64> {
        let [dx, dy, dz] = self.h;
        let close = |a: f64| (a - dx).abs() <= 1e-9 * dx;
        (close(dy) && close(dz)).then_some(dx)
    }
    /// Cell volume dx·dy·dz (m³).
    pub fn cell_volume(&self) -> f64 {
        self.h[0] * self.h[1] * self.h[2]
    }
    /// The centre of cell (i, j, k) (m).
    pub fn centre(&self, i: usize, j: usize, k: usize) -> [f64; 3] {
        let c = |a: usize, idx: usize| self.origin[a] + (idx as f64 + 0.5) * self.h[a];
        [c(0, i), c(1, j), c(2, k)]
    }
    /// The upper corner (m).
    pub fn end(&self) -> [f64; 3] {
        std::array::from_fn(|a| self.origin[a] + self.n[a] as f64 * self.h[a])
    }
    /// A field of the grid's shape filled with `value`.
    pub fn constant(&self, value: f64) -> Array3<f64> {
        Array3::from_elem(self.shape(), value)
    }
    /// A field from a function of the cell-centre coordinates (m).
    pub fn field(&self, f: impl Fn(f64, f64, f64) -> f64) -> Array3<f64> {
        Array3::from_shape_fn(self.shape(), |(i, j, k)| {
            let [x, y, z] = self.centre(i, j, k);
            f(x, y, z)
        })
    }
}
