//! The voxel-to-patient transform of a medical image: voxel indices
//! (i, j, k) to patient coordinates (mm), p = M·(i, j, k)ᵀ + t, as NIfTI's
//! sform (or qform) stores it (NIfTI-1 standard, "method 3" and "method 2").

use crate::error::{Error, Result};
use nalgebra::{Matrix3, Vector3};

/// An affine map from voxel indices to patient millimetres; the 3 × 3
/// part is invertible. The columns of M are the voxel axes in patient
/// space: their lengths are the voxel spacing (mm).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Affine {
    linear: Matrix3<f64>,
    inverse: Matrix3<f64>,
    translation: Vector3<f64>,
}

impl Affine {
    /// The affine whose rows are `rows` (the first three rows of the 4 × 4
    /// matrix, as NIfTI's `srow_x`, `srow_y`, `srow_z`), in mm.
    ///
    /// # Errors
    /// A non-finite entry or a singular 3 × 3 part.
    pub fn new(rows: [[f64; 4]; 3]) -> Result<Self> {
        if rows.iter().flatten().any(|v| !v.is_finite()) {
            return Err(Error::Invalid {
                name: "voxel-to-patient affine",
                reason: format!("has a non-finite entry: {rows:?}"),
            });
        }
        let linear = Matrix3::from_fn(|r, c| rows[r][c]);
        let translation = Vector3::new(rows[0][3], rows[1][3], rows[2][3]);
        let inverse = linear
            .try_inverse()
            .filter(|inv| inv.iter().all(|v| v.is_finite()))
            .ok_or_else(|| Error::Invalid {
                name: "voxel-to-patient affine",
                reason: format!("is singular (its voxel axes are not independent): {rows:?}"),
            })?;
        Ok(Self {
            linear,
            inverse,
            translation,
        })
    }

    /// Voxels of `spacing_mm` along the patient axes, voxel (0, 0, 0) at
    /// the origin: NIfTI's fallback when an image has neither sform nor
    /// qform ("method 1").
    ///
    /// # Errors
    /// A non-positive or non-finite spacing.
    pub fn from_spacing(spacing_mm: [f64; 3]) -> Result<Self> {
        if spacing_mm.iter().any(|s| !(s.is_finite() && *s > 0.0)) {
            return Err(Error::Invalid {
                name: "voxel spacing (mm)",
                reason: format!("must be finite and > 0, got {spacing_mm:?}"),
            });
        }
        let [a, b, c] = spacing_mm;
        Self::new([[a, 0.0, 0.0, 0.0], [0.0, b, 0.0, 0.0], [0.0, 0.0, c, 0.0]])
    }

    /// The first three rows of the 4 × 4 matrix (mm).
    pub fn rows(&self) -> [[f64; 4]; 3] {
        std::array::from_fn(|r| {
            [
                self.linear[(r, 0)],
                self.linear[(r, 1)],
                self.linear[(r, 2)],
                self.translation[r],
            ]
        })
    }

    /// The patient position (mm) of the voxel coordinates `ijk` (voxel
    /// centres at integer values).
    pub fn voxel_to_patient(&self, ijk: [f64; 3]) -> [f64; 3] {
        let p = self.linear * Vector3::from(ijk) + self.translation;
        [p.x, p.y, p.z]
    }

    /// The voxel coordinates of the patient position `p` (mm).
    pub fn patient_to_voxel(&self, p: [f64; 3]) -> [f64; 3] {
        let v = self.inverse * (Vector3::from(p) - self.translation);
        [v.x, v.y, v.z]
    }

    /// The voxel spacing (mm): the lengths of the voxel axes in patient
    /// space.
    pub fn spacing_mm(&self) -> [f64; 3] {
        std::array::from_fn(|c| self.linear.column(c).norm())
    }

    /// The largest |cos| of the angle between two voxel axes: 0 for the
    /// rotations and reflections of scanners, above 0 for a sheared grid,
    /// on which the box-shaped cells of the solvers do not fit.
    pub fn shear(&self) -> f64 {
        let col = |c: usize| self.linear.column(c).normalize();
        [(0, 1), (0, 2), (1, 2)]
            .iter()
            .map(|&(a, b)| col(a).dot(&col(b)).abs())
            .fold(0.0, f64::max)
    }

    /// The same map for a sub-volume whose voxel (0, 0, 0) is this
    /// volume's voxel `offset`.
    pub fn shifted(&self, offset: [usize; 3]) -> Self {
        let o = Vector3::new(offset[0] as f64, offset[1] as f64, offset[2] as f64);
        Self {
            translation: self.translation + self.linear * o,
            ..*self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    /// A rotation by 30° about z, voxels of 0.8 × 0.8 × 2 mm, translated.
    fn rotated() -> Affine {
        let (s, c) = 30f64.to_radians().sin_cos();
        Affine::new([
            [0.8 * c, -0.8 * s, 0.0, -40.0],
            [0.8 * s, 0.8 * c, 0.0, 12.5],
            [0.0, 0.0, 2.0, 7.0],
        ])
        .unwrap()
    }

    #[test]
    fn maps_voxels_and_back() {
        let a = rotated();
        let p = a.voxel_to_patient([10.0, 0.0, 3.0]);
        let (s, c) = 30f64.to_radians().sin_cos();
        assert_abs_diff_eq!(p[0], -40.0 + 8.0 * c, epsilon = 1e-12);
        assert_abs_diff_eq!(p[1], 12.5 + 8.0 * s, epsilon = 1e-12);
        assert_abs_diff_eq!(p[2], 13.0, epsilon = 1e-12);
        let back = a.patient_to_voxel(p);
        for (b, e) in back.iter().zip([10.0, 0.0, 3.0]) {
            assert_abs_diff_eq!(*b, e, epsilon = 1e-12);
        }
        let h = a.spacing_mm();
        assert_abs_diff_eq!(h[0], 0.8, epsilon = 1e-12);
        assert_abs_diff_eq!(h[2], 2.0, epsilon = 1e-12);
        assert!(a.shear() < 1e-12);
    }

    #[test]
    fn shifted_maps_the_sub_volume_origin() {
        let a = rotated();
        let sub = a.shifted([4, 5, 6]);
        let p = sub.voxel_to_patient([1.0, 2.0, 3.0]);
        let q = a.voxel_to_patient([5.0, 7.0, 9.0]);
        for (x, y) in p.iter().zip(q) {
            assert_abs_diff_eq!(*x, y, epsilon = 1e-12);
        }
    }

    #[test]
    fn refuses_singular_and_non_finite_and_measures_shear() {
        assert!(
            Affine::new([
                [1.0, 0.0, 0.0, 0.0],
                [2.0, 0.0, 0.0, 0.0],
                [0.0, 0.0, 1.0, 0.0]
            ])
            .is_err()
        );
        assert!(
            Affine::new([
                [f64::NAN, 0.0, 0.0, 0.0],
                [0.0, 1.0, 0.0, 0.0],
                [0.0, 0.0, 1.0, 0.0]
            ])
            .is_err()
        );
        assert!(Affine::from_spacing([1.0, 0.0, 1.0]).is_err());
        let sheared = Affine::new([
            [1.0, 0.5, 0.0, 0.0],
            [0.0, 1.0, 0.0, 0.0],
            [0.0, 0.0, 1.0, 0.0],
        ])
        .unwrap();
        assert_abs_diff_eq!(sheared.shear(), 0.5 / 1.25f64.sqrt(), epsilon = 1e-12);
    }
}
