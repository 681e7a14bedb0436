//! Reading fields: bilinear (2D) and trilinear (3D) probes, line
//! profiles, samples along a shape's boundary, and region statistics on
//! either kind of grid.

use crate::error::{BioheatError, Result};
use crate::grid::Grid;
use crate::grid3::Grid3;
use crate::lattice::Lattice;
use crate::problem::Field;
use crate::shape::Shape;
use ndarray::{Array2, Array3};

/// The field's value at the point (`x`, `y`) (m) by bilinear interpolation
/// between the four surrounding cell centres. In the half-cell border
/// between the outer centres and the domain edge the nearest centres' values
/// are used (constant extrapolation along the normal).
///
/// # Errors
/// A point outside the domain (or non-finite), or a field of the wrong
/// shape.
pub fn bilinear(grid: &Grid, field: &Array2<f64>, x: f64, y: f64) -> Result<f64> {
    grid.check_shape("probed field", &field.view())?;
    let (nx, ny) = grid.shape();
    let (x1, y1) = (
        grid.x0() + nx as f64 * grid.dx(),
        grid.y0() + ny as f64 * grid.dx(),
    );
    if !(x >= grid.x0() && x <= x1 && y >= grid.y0() && y <= y1) {
        return Err(BioheatError::OutsideDomain { point: vec![x, y] });
    }
    // Continuous cell coordinates: centre of cell i at u = i.
    let u = ((x - grid.x0()) / grid.dx() - 0.5).clamp(0.0, (nx - 1) as f64);
    let v = ((y - grid.y0()) / grid.dx() - 0.5).clamp(0.0, (ny - 1) as f64);
    let (i0, j0) = (
        (u.floor() as usize).min(nx.saturating_sub(2)),
        (v.floor() as usize).min(ny.saturating_sub(2)),
    );
    let (i1, j1) = ((i0 + 1).min(nx - 1), (j0 + 1).min(ny - 1));
    let (fu, fv) = (u - i0 as f64, v - j0 as f64);
    Ok((1.0 - fu) * (1.0 - fv) * field[[i0, j0]]
        + fu * (1.0 - fv) * field[[i1, j0]]
        + (1.0 - fu) * fv * field[[i0, j1]]
        + fu * fv * field[[i1, j1]])
}

/// One point of a [`line_profile`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProfilePoint {
    /// Distance from the start (m).
    pub s: f64,
    /// x (m).
    pub x: f64,
    /// y (m).
    pub y: f64,
    /// The interpolated value.
    pub value: f64,
}

/// `n` ≥ 2 evenly spaced bilinear samples from `start` to `end` (m).
///
/// # Errors
/// n < 2, or a point outside the domain.
pub fn line_profile(
    grid: &Grid,
    field: &Array2<f64>,
    start: (f64, f64),
    end: (f64, f64),
    n: usize,
) -> Result<Vec<ProfilePoint>> {
    if n < 2 {
        return Err(BioheatError::InvalidParameter {
            name: "profile points",
            value: n as f64,
            allowed: "at least 2",
        });
    }
    let length = (end.0 - start.0).hypot(end.1 - start.1);
    (0..n)
        .map(|k| {
            let f = k as f64 / (n - 1) as f64;
            let (x, y) = (
                start.0 + f * (end.0 - start.0),
                start.1 + f * (end.1 - start.1),
            );
            Ok(ProfilePoint {
                s: f * length,
                x,
                y,
                value: bilinear(grid, field, x, y)?,
            })
        })
        .collect()
}

/// Bilinear samples at `n` points of `shape`'s boundary
/// ([`Shape::boundary_points`]), for example the interface temperatures of
/// Eq. 9c.
///
/// # Errors
/// A boundary point outside the domain.
pub fn sample_boundary(
    grid: &Grid,
    field: &Array2<f64>,
    shape: &Shape,
    n: usize,
) -> Result<Vec<f64>> {
    shape
        .boundary_points(n)
        .into_iter()
        .map(|(x, y)| bilinear(grid, field, x, y))
        .collect()
}

/// The field's value at the point `p` = (x, y, z) (m) of a 3D grid by
/// trilinear interpolation between the eight surrounding cell centres. In
/// the half-cell border between the outer centres and the domain's faces
/// the nearest centres' values are used (constant extrapolation along the
/// normal), as [`bilinear`] does in 2D.
///
/// # Errors
/// A point outside the domain (or non-finite), or a field of the wrong
/// shape.
pub fn trilinear(grid: &Grid3, field: &Array3<f64>, p: [f64; 3]) -> Result<f64> {
    grid.check_shape("probed field", &field.view())?;
    let (o, h, end, n) = (grid.origin(), grid.spacing(), grid.end(), grid.extents());
    if !(0..3).all(|a| p[a] >= o[a] && p[a] <= end[a]) {
        return Err(BioheatError::OutsideDomain { point: p.to_vec() });
    }
    // Per axis: the lower centre's index and the weight of the upper one.
    let axis = |a: usize| {
        let u = ((p[a] - o[a]) / h[a] - 0.5).clamp(0.0, (n[a] - 1) as f64);
        let i0 = (u.floor() as usize).min(n[a].saturating_sub(2));
        (i0, (i0 + 1).min(n[a] - 1), u - i0 as f64)
    };
    let (x, y, z) = (axis(0), axis(1), axis(2));
    let mut value = 0.0;
    for (i, wx) in [(x.0, 1.0 - x.2), (x.1, x.2)] {
        for (j, wy) in [(y.0, 1.0 - y.2), (y.1, y.2)] {
            for (k, wz) in [(z.0, 1.0 - z.2), (z.1, z.2)] {
                value += wx * wy * wz * field[[i, j, k]];
            }
        }
    }
    Ok(value)
}

/// Statistics of a field over the cells of a region.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RegionStats {
    /// Number of cells.
    pub cells: usize,
    /// The region's measure: its area (m²) on a 2D grid, its volume (m³)
    /// on a 3D grid.
    pub measure: f64,
    /// Minimum.
    pub min: f64,
    /// Maximum.
    pub max: f64,
    /// Mean (cells have equal measures).
    pub mean: f64,
}

/// [`RegionStats`] of `field` over the cells where `mask` is true, on a 2D
/// or 3D grid.
///
/// # Errors
/// Shapes that differ from the grid's, or an empty mask.
pub fn region_stats<G: Lattice>(
    grid: &G,
    field: &Field<G>,
    mask: &Field<G, bool>,
) -> Result<RegionStats> {
    grid.check_shape("field", &field.view())?;
    grid.check_shape("region mask", &mask.view())?;
    let (mut n, mut sum, mut min, mut max) = (0usize, 0.0, f64::INFINITY, f64::NEG_INFINITY);
    for (&v, _) in field.iter().zip(mask).filter(|(_, m)| **m) {
        n += 1;
        sum += v;
        min = min.min(v);
        max = max.max(v);
    }
    if n == 0 {
        return Err(BioheatError::EmptyRegion {
            region: "mask".into(),
        });
    }
    Ok(RegionStats {
        cells: n,
        measure: n as f64 * grid.cell_measure(),
        min,
        max,
        mean: sum / n as f64,
    })
}

/// Fraction of the region's area (2D) or volume (3D) where
/// `lower` ≤ value < `upper` (for example R_tum of Eq. 9a with 43 and
/// 46 °C; use `f64::NEG_INFINITY` or `f64::INFINITY` for one-sided bands).
///
/// # Errors
/// Shapes that differ from the grid's, or an empty mask.
pub fn area_fraction_between<G: Lattice>(
    grid: &G,
    field: &Field<G>,
    mask: &Field<G, bool>,
    lower: f64,
    upper: f64,
) -> Result<f64> {
    let stats = region_stats(grid, field, mask)?;
    let hits = field
        .iter()
        .zip(mask)
        .filter(|(v, m)| **m && **v >= lower && **v < upper)
        .count();
    Ok(hits as f64 / stats.cells as f64)
}
