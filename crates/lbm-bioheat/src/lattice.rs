//! One abstraction over the 2D [`Grid`] and the 3D [`Grid3`], so that one
//! problem type, one finite-volume solver and one set of probes serve both.
//!
//! A lattice is a block of cells indexed (i, j) or (i, j, k), stored
//! row-major (the last index fastest, as `ndarray`'s standard layout): the
//! flat index of cell (i, j, k) is (i·ny + j)·nz + k, with nz = 1 in 2D. 2D
//! problems are per unit depth (W/m, J/(m·K)); 3D problems per cell volume.

use crate::error::{BioheatError, CellIndex, Result};
use crate::grid::Grid;
use crate::grid3::Grid3;
use crate::problem::Side;
use ndarray::{ArrayView, Dimension, Ix2, Ix3};
use std::fmt::Debug;
use std::hash::Hash;

mod sealed {
    pub trait Sealed {}
    impl Sealed for crate::grid::Grid {}
    impl Sealed for crate::grid3::Grid3 {}
}

/// A face of a 3D block (the four [`Side`]s of a 2D block, and the two
/// faces normal to z).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Face {
    /// x = x0.
    West,
    /// x = x0 + nx·dx.
    East,
    /// y = y0.
    South,
    /// y = y0 + ny·dy.
    North,
    /// z = z0.
    Bottom,
    /// z = z0 + nz·dz.
    Top,
}

impl Face {
    /// All six faces, in the order West, East, South, North, Bottom, Top.
    pub const ALL: [Face; 6] = [
        Face::West,
        Face::East,
        Face::South,
        Face::North,
        Face::Bottom,
        Face::Top,
    ];
}

impl From<Side> for Face {
    fn from(side: Side) -> Self {
        match side {
            Side::West => Face::West,
            Side::East => Face::East,
            Side::South => Face::South,
            Side::North => Face::North,
        }
    }
}

/// A uniform grid of rectangular cells in 2D ([`Grid`]) or 3D ([`Grid3`]).
/// Sealed: the solvers rely on its layout.
pub trait Lattice: Copy + Debug + PartialEq + Send + Sync + 'static + sealed::Sealed {
    /// The `ndarray` dimension of fields on the lattice (`Ix2`, `Ix3`).
    type Dim: Dimension;
    /// The faces of the domain a boundary condition is set on ([`Side`] in
    /// 2D, [`Face`] in 3D).
    type Face: Copy + Debug + PartialEq + Eq + Hash + Send + Sync + 'static;
    /// Spatial dimensions (2 or 3).
    const AXES: usize;
    /// Every face, in the order of [`Lattice::face_slot`].
    fn faces() -> &'static [Self::Face];
    /// 2·axis + (0 on the low face, 1 on the high face): West 0, East 1,
    /// South 2, North 3, Bottom 4, Top 5.
    fn face_slot(face: Self::Face) -> usize;
    /// Cells per axis, [nx, ny, nz] (nz = 1 in 2D).
    fn extents(&self) -> [usize; 3];
    /// Cell size per axis (m), [dx, dy, dz]; in 2D [dx, dx, 1] (unit depth).
    fn spacing(&self) -> [f64; 3];
    /// The lower corner of the domain (m), [x0, y0, z0] (z0 = 0 in 2D).
    fn origin(&self) -> [f64; 3];
    /// The shape of fields on the lattice.
    fn raw_dim(&self) -> Self::Dim;

    /// The number of cells.
    fn cells(&self) -> usize {
        self.extents().iter().product()
    }
    /// The measure of one cell: its area dx² in 2D (m², per unit depth),
    /// its volume dx·dy·dz in 3D (m³).
    fn cell_measure(&self) -> f64 {
        let h = self.spacing();
        h[0] * h[1] * h[2]
    }
    /// The cell with flat (row-major) index `flat`, for error messages.
    fn cell_index(&self, flat: usize) -> CellIndex {
        let [_, ny, nz] = self.extents();
        let (ij, k) = (flat / nz, flat % nz);
        CellIndex {
            i: ij / ny,
            j: ij % ny,
            k: (Self::AXES == 3).then_some(k),
        }
    }
    /// Checks that `field` has the lattice's shape.
    ///
    /// # Errors
    /// [`BioheatError::ShapeMismatch`] naming `what`.
    fn check_shape<T>(&self, what: &'static str, field: &ArrayView<T, Self::Dim>) -> Result<()> {
        let expected = self.raw_dim();
        if field.raw_dim() == expected {
            Ok(())
        } else {
            Err(BioheatError::ShapeMismatch {
                what,
                expected: expected.slice().to_vec(),
                found: field.shape().to_vec(),
            })
        }
    }
}

impl Lattice for Grid {
    type Dim = Ix2;
    type Face = Side;
    const AXES: usize = 2;
    fn faces() -> &'static [Side] {
        &Side::ALL
    }
    fn face_slot(face: Side) -> usize {
        match face {
            Side::West => 0,
            Side::East => 1,
            Side::South => 2,
            Side::North => 3,
        }
    }
    fn extents(&self) -> [usize; 3] {
        [self.nx(), self.ny(), 1]
    }
    fn spacing(&self) -> [f64; 3] {
        [self.dx(), self.dx(), 1.0]
    }
    fn origin(&self) -> [f64; 3] {
        [self.x0(), self.y0(), 0.0]
    }
    fn raw_dim(&self) -> Ix2 {
        Ix2(self.nx(), self.ny())
    }
}

impl Lattice for Grid3 {
    type Dim = Ix3;
    type Face = Face;
    const AXES: usize = 3;
    fn faces() -> &'static [Face] {
        &Face::ALL
    }
    fn face_slot(face: Face) -> usize {
        face as usize
    }
    fn extents(&self) -> [usize; 3] {
        self.shape().into()
    }
    fn spacing(&self) -> [f64; 3] {
        self.spacing()
    }
    fn origin(&self) -> [f64; 3] {
        self.origin()
    }
    fn raw_dim(&self) -> Ix3 {
        let (nx, ny, nz) = self.shape();
        Ix3(nx, ny, nz)
    }
}
