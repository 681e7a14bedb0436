//! Patient-specific planning: a tumor segmentation in, an optimized 3D
//! injection plan and dose maps out.
//!
//! - [`volume`] and [`affine`]: a label volume and its voxel-to-patient
//!   transform; [`nifti_io`] reads it from NIfTI-1 (`.nii`, `.nii.gz`) and
//!   writes maps that overlay it (feature `nifti`, on by default);
//! - [`anatomy`]: which label is which tissue, the box around the tumor
//!   that is solved (a margin in mm, the image's voxels or resampled), the
//!   tumor's volume, centroid and principal axes;
//! - [`strategy`]: sites on the principal axes (1, 2, 4, 6 or 8) or the
//!   user's own in patient mm, and their clouds (3D Gaussians, or the 2D
//!   clouds of Jiang et al. 2022 extruded along z);
//! - [`objective`]: J of Eqs. 9–10 in 3D (volume fractions, R_int over
//!   the tumor's surface) by a steady finite-volume solve;
//! - [`optimize`]: the paper's particle swarm on it;
//! - [`dose`] and [`dvh`]: the dose transient (CEM43 and Arrhenius per
//!   voxel, ablation times) and dose-volume histograms;
//! - [`phantom`]: synthetic segmentations to try it on.

pub mod affine;
pub mod anatomy;
pub mod dose;
pub mod dvh;
#[cfg(feature = "nifti")]
pub mod nifti_io;
pub mod objective;
pub mod optimize;
pub mod phantom;
pub mod strategy;
pub mod volume;

pub use affine::Affine;
pub use anatomy::{Anatomy, CropSettings, Tissue, TissueMap, TumorGeometry};
pub use dose::{assess_patient_dose, assess_patient_layout};
pub use dvh::DoseVolumeHistogram;
pub use objective::{PatientEvaluation, PatientProblem, PatientSettings, PatientWorkspace};
pub use optimize::{PatientOptimization, optimize_patient};
pub use strategy::{
    CloudShape, DoseReference, PatientLayout, PatientSites, PatientStrategy, PrincipalAxes,
};
pub use volume::LabelVolume;
