//! Analytic region shapes in 3D: spheres, ellipsoids and boxes, and the
//! [`RegionShape`] trait that turns a 2D or 3D shape into a cell mask.

use crate::error::{Result, finite, positive};
use crate::grid::Grid;
use crate::grid3::Grid3;
use crate::lattice::Lattice;
use crate::shape::Shape;
use ndarray::{Array, Array3};
use std::f64::consts::PI;

/// A shape whose cells (those with their centre inside) form a region of a
/// problem on the lattice `G`: [`Shape`] on a [`Grid`], [`Shape3`] on a
/// [`Grid3`].
pub trait RegionShape<G: Lattice> {
    /// The mask of the cells of `grid` whose centres lie in the shape.
    fn cell_mask(&self, grid: &G) -> Array<bool, G::Dim>;
}

impl RegionShape<Grid> for Shape {
    fn cell_mask(&self, grid: &Grid) -> Array<bool, ndarray::Ix2> {
        self.mask(grid)
    }
}

impl RegionShape<Grid3> for Shape3 {
    fn cell_mask(&self, grid: &Grid3) -> Array3<bool> {
        self.mask(grid)
    }
}

/// A 3D shape in metres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Shape3 {
    /// A ball of centre `c` and radius `r`.
    Sphere {
        /// Centre (m).
        c: [f64; 3],
        /// Radius (m).
        r: f64,
    },
    /// An axis-aligned ellipsoid of centre `c` and semi-axes `semi` along
    /// x, y and z.
    Ellipsoid {
        /// Centre (m).
        c: [f64; 3],
        /// Semi-axes (m).
        semi: [f64; 3],
    },
    /// An axis-aligned box [min, max] per axis.
    Box {
        /// Lower corner (m).
        min: [f64; 3],
        /// Upper corner (m).
        max: [f64; 3],
    },
}

fn finite3(name: &'static str, v: [f64; 3]) -> Result<[f64; 3]> {
    for x in v {
        finite(name, x)?;
    }
    Ok(v)
}

impl Shape3 {
    /// A sphere; errors on a non-positive radius or a non-finite centre.
    ///
    /// # Errors
    /// As stated.
    pub fn sphere(centre: [f64; 3], radius: f64) -> Result<Self> {
        Ok(Self::Sphere {
            c: finite3("sphere centre (m)", centre)?,
            r: positive("sphere radius (m)", radius)?,
        })
    }

    /// An axis-aligned ellipsoid; errors on non-positive semi-axes or a
    /// non-finite centre.
    ///
    /// # Errors
    /// As stated.
    pub fn ellipsoid(centre: [f64; 3], semi_axes: [f64; 3]) -> Result<Self> {
        for a in semi_axes {
            positive("ellipsoid semi-axis (m)", a)?;
        }
        Ok(Self::Ellipsoid {
            c: finite3("ellipsoid centre (m)", centre)?,
            semi: semi_axes,
        })
    }

    /// An axis-aligned box; errors unless min < max on every axis.
    ///
    /// # Errors
    /// As stated.
    pub fn cuboid(min: [f64; 3], max: [f64; 3]) -> Result<Self> {
        let (min, max) = (finite3("box min (m)", min)?, finite3("box max (m)", max)?);
        for a in 0..3 {
            positive("box edge (m)", max[a] - min[a])?;
        }
        Ok(Self::Box { min, max })
    }

    /// Whether the point `p` (m) lies inside or on the shape.
    pub fn contains(&self, p: [f64; 3]) -> bool {
        match *self {
            Self::Sphere { c, r } => (0..3).map(|a| (p[a] - c[a]).powi(2)).sum::<f64>() <= r * r,
            Self::Ellipsoid { c, semi } => {
                (0..3)
                    .map(|a| ((p[a] - c[a]) / semi[a]).powi(2))
                    .sum::<f64>()
                    <= 1.0
            }
            Self::Box { min, max } => (0..3).all(|a| (min[a]..=max[a]).contains(&p[a])),
        }
    }

    /// The mask of the cells of `grid` whose centres lie in the shape.
    pub fn mask(&self, grid: &Grid3) -> Array3<bool> {
        Array3::from_shape_fn(grid.shape(), |(i, j, k)| {
            self.contains(grid.centre(i, j, k))
        })
    }

    /// The fraction of each cell's volume inside the shape: exact for a
    /// box (a product of overlaps), and for spheres and ellipsoids exact
    /// where a cell lies wholly inside or outside and by the midpoint rule
    /// on `samples`³ points in the cells the surface cuts. Multiplying a
    /// uniform source by it gives the exact cell means of a source that is
    /// uniform inside the shape up to that rule: the finite volumes then
    /// converge at second order where a cell-centre mask ([`Shape3::mask`])
    /// staircases the surface.
    ///
    /// # Errors
    /// `samples` = 0.
    pub fn volume_fractions(&self, grid: &Grid3, samples: usize) -> Result<Array3<f64>> {
        if samples == 0 {
            return Err(crate::BioheatError::InvalidParameter {
                name: "samples per axis",
                value: 0.0,
                allowed: "at least 1",
            });
        }
        let h = grid.spacing();
        Ok(Array3::from_shape_fn(grid.shape(), |(i, j, k)| {
            let c = grid.centre(i, j, k);
            let lo: [f64; 3] = std::array::from_fn(|a| c[a] - 0.5 * h[a]);
            let hi: [f64; 3] = std::array::from_fn(|a| c[a] + 0.5 * h[a]);
            match *self {
                Self::Box { min, max } => (0..3)
                    .map(|a| (hi[a].min(max[a]) - lo[a].max(min[a])).max(0.0) / h[a])
                    .product(),
                Self::Sphere { c: centre, r } => {
                    self.quadric_fraction(centre, [r; 3], lo, hi, samples)
                }
                Self::Ellipsoid { c: centre, semi } => {
                    self.quadric_fraction(centre, semi, lo, hi, samples)
                }
            }
        }))
    }

    /// The fraction of the box [lo, hi] inside the ellipsoid of centre `c`
    /// and semi-axes `semi` (scaled to the unit ball, the box stays a box).
    fn quadric_fraction(
        &self,
        c: [f64; 3],
        semi: [f64; 3],
        lo: [f64; 3],
        hi: [f64; 3],
        samples: usize,
    ) -> f64 {
        let (mut near, mut far) = (0.0, 0.0);
        for a in 0..3 {
            let (u0, u1) = ((lo[a] - c[a]) / semi[a], (hi[a] - c[a]) / semi[a]);
            let nearest = if u0 > 0.0 {
                u0
            } else if u1 < 0.0 {
                u1
            } else {
                0.0
            };
            near += nearest * nearest;
            far += u0.abs().max(u1.abs()).powi(2);
        }
        if near > 1.0 {
            return 0.0;
        }
        if far <= 1.0 {
            return 1.0;
        }
        let m = samples as f64;
        let mut inside = 0usize;
        for si in 0..samples {
            for sj in 0..samples {
                for sk in 0..samples {
                    let s = [si, sj, sk];
                    let p: [f64; 3] =
                        std::array::from_fn(|a| lo[a] + (s[a] as f64 + 0.5) / m * (hi[a] - lo[a]));
                    inside += usize::from(self.contains(p));
                }
            }
        }
        inside as f64 / (m * m * m)
    }

    /// Volume of the shape (m³).
    pub fn volume(&self) -> f64 {
        match *self {
            Self::Sphere { r, .. } => 4.0 / 3.0 * PI * r.powi(3),
            Self::Ellipsoid { semi, .. } => 4.0 / 3.0 * PI * semi[0] * semi[1] * semi[2],
            Self::Box { min, max } => (0..3).map(|a| max[a] - min[a]).product(),
        }
    }
}
