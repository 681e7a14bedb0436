//! Synthetic segmentations to try the planner on without a patient: an
//! irregular tumor (two overlapping ellipsoids) in healthy tissue, with a
//! scanner-like affine.

use crate::error::Result;
use crate::patient::affine::Affine;
use crate::patient::volume::LabelVolume;
use ndarray::Array3;

/// The label of healthy tissue in the phantoms.
pub const HEALTHY_LABEL: u32 = 1;
/// The label of the tumor in the phantoms.
pub const TUMOR_LABEL: u32 = 2;

/// A `n`³ image of 1 mm voxels, healthy tissue (label 1) holding a tumor
/// (label 2) made of two overlapping ellipsoids: semi-axes 7 × 5 × 5 mm
/// centred 3 mm before the image centre along x and 1.5 mm along y, and
/// 5 × 4 × 4 mm centred as far beyond it; `rotation_deg` about z and a
/// translation in the affine (as a scanner's image would have). About
/// 1 cm³ (964 voxels).
///
/// # Errors
/// `n` below 34 (the tumor and a 2 mm rim would not fit).
pub fn two_ellipsoids(n: usize, rotation_deg: f64) -> Result<LabelVolume> {
    if n < 34 {
        return Err(crate::error::Error::Invalid {
            name: "phantom size",
            reason: format!("needs at least 34 voxels per axis, got {n}"),
        });
    }
    let c = (n as f64 - 1.0) / 2.0;
    let inside = |p: [f64; 3], centre: [f64; 3], semi: [f64; 3]| {
        (0..3)
            .map(|a| ((p[a] - centre[a]) / semi[a]).powi(2))
            .sum::<f64>()
            <= 1.0
    };
    let labels = Array3::from_shape_fn((n, n, n), |(i, j, k)| {
        let p = [i as f64, j as f64, k as f64];
        let first = inside(p, [c - 3.0, c - 1.5, c], [7.0, 5.0, 5.0]);
        let second = inside(p, [c + 3.0, c + 1.5, c], [5.0, 4.0, 4.0]);
        if first || second {
            TUMOR_LABEL
        } else {
            HEALTHY_LABEL
        }
    });
    let (s, co) = rotation_deg.to_radians().sin_cos();
    let affine = Affine::new([
        [co, -s, 0.0, -90.0],
        [s, co, 0.0, 35.5],
        [0.0, 0.0, 1.0, -12.0],
    ])?;
    LabelVolume::new(labels, affine, "two-ellipsoid phantom")
}

/// The paper's circular tumor (radius 5 mm) as a cylinder through a
/// block of `n` × `n` × `nz` voxels of 1 mm: tumor (label 2) where
/// (i − n/2)² + (j − n/2)² ≤ 25, every z. Solved as a whole image with
/// adiabatic faces and extruded clouds it is the 2D problem of Jiang et
/// al. 2022; the disc (n × n) is returned for the 2D side.
///
/// # Errors
/// `n` below 12 or `nz` below 2.
pub fn cylinder(n: usize, nz: usize) -> Result<(ndarray::Array2<bool>, LabelVolume)> {
    if n < 12 || nz < 2 {
        return Err(crate::error::Error::Invalid {
            name: "cylinder size",
            reason: format!("needs n ≥ 12 and nz ≥ 2, got {n} × {nz}"),
        });
    }
    let c = (n / 2) as i64;
    let disc = ndarray::Array2::from_shape_fn((n, n), |(i, j)| {
        (i as i64 - c).pow(2) + (j as i64 - c).pow(2) <= 25
    });
    let labels = Array3::from_shape_fn((n, n, nz), |(i, j, _)| {
        if disc[[i, j]] {
            TUMOR_LABEL
        } else {
            HEALTHY_LABEL
        }
    });
    let volume = LabelVolume::new(labels, Affine::from_spacing([1.0; 3])?, "cylinder phantom")?;
    Ok((disc, volume))
}
