//! A segmented image: a label per voxel (tumor, healthy tissue, …) and the
//! voxel-to-patient affine that places it in the patient.

use crate::error::{Error, Result};
use crate::patient::affine::Affine;
use ndarray::Array3;

/// A 3D label volume: `labels[[i, j, k]]` is voxel (i, j, k)'s label, the
/// affine maps voxel indices to patient mm. Built from a NIfTI-1 file
/// ([`crate::patient::nifti_io::read_label_volume`]) or from arrays.
#[derive(Debug, Clone)]
pub struct LabelVolume {
    labels: Array3<u32>,
    affine: Affine,
    source_name: String,
    #[cfg(feature = "nifti")]
    pub(crate) header: Option<Box<nifti::NiftiHeader>>,
}

impl LabelVolume {
    /// Labels and their affine; `source_name` names the volume in errors
    /// (its file, say).
    ///
    /// # Errors
    /// Fewer than two voxels along an axis (the solvers' least).
    pub fn new(labels: Array3<u32>, affine: Affine, source_name: &str) -> Result<Self> {
        let shape = labels.dim();
        if [shape.0, shape.1, shape.2].iter().any(|&n| n < 2) {
            return Err(Error::Image {
                source_name: source_name.into(),
                message: format!(
                    "has shape {shape:?}; a 3D volume needs at least 2 voxels along each axis"
                ),
            });
        }
        Ok(Self {
            labels,
            affine,
            source_name: source_name.into(),
            #[cfg(feature = "nifti")]
            header: None,
        })
    }

    /// Labels from stored values (a NIfTI file's data, any numeric type):
    /// each must be a whole number ≥ 0 below 2³².
    ///
    /// # Errors
    /// A value that is not a non-negative integer (naming the voxel), or
    /// as [`LabelVolume::new`].
    pub fn from_values(values: &Array3<f64>, affine: Affine, source_name: &str) -> Result<Self> {
        let mut labels = Array3::zeros(values.dim());
        for ((idx, &v), l) in values.indexed_iter().zip(labels.iter_mut()) {
            if !(v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= u32::MAX as f64) {
                return Err(Error::Image {
                    source_name: source_name.into(),
                    message: format!(
                        "voxel {idx:?} holds {v}; labels must be whole numbers ≥ 0 \
                         (a segmentation, not an intensity image)"
                    ),
                });
            }
            *l = v as u32;
        }
        Self::new(labels, affine, source_name)
    }

    /// The label of every voxel.
    pub fn labels(&self) -> &Array3<u32> {
        &self.labels
    }
    /// Voxel indices to patient mm.
    pub fn affine(&self) -> &Affine {
        &self.affine
    }
    /// The volume's name in errors (its file).
    pub fn source_name(&self) -> &str {
        &self.source_name
    }
    /// Voxels per axis.
    pub fn shape(&self) -> [usize; 3] {
        let (a, b, c) = self.labels.dim();
        [a, b, c]
    }
    /// The distinct labels present, ascending.
    pub fn distinct_labels(&self) -> Vec<u32> {
        let mut seen: Vec<u32> = self.labels.iter().copied().collect();
        seen.sort_unstable();
        seen.dedup();
        seen
    }
    /// A typed error about this volume.
    pub(crate) fn error(&self, message: String) -> Error {
        Error::Image {
            source_name: self.source_name.clone(),
            message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_must_be_whole_and_non_negative() {
        let affine = Affine::from_spacing([1.0; 3]).unwrap();
        let mut v = Array3::from_elem((3, 3, 3), 1.0);
        assert_eq!(
            LabelVolume::from_values(&v, affine, "m.nii")
                .unwrap()
                .distinct_labels(),
            [1]
        );
        v[[1, 2, 0]] = 2.5;
        let e = LabelVolume::from_values(&v, affine, "m.nii")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("m.nii") && e.contains("(1, 2, 0)") && e.contains("2.5"),
            "{e}"
        );
        v[[1, 2, 0]] = -1.0;
        let e = LabelVolume::from_values(&v, affine, "m.nii")
            .unwrap_err()
            .to_string();
        assert!(e.contains("-1"), "{e}");
        let flat = Array3::from_elem((3, 1, 3), 1.0);
        assert!(LabelVolume::from_values(&flat, affine, "m.nii").is_err());
    }
}
