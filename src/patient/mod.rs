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
//!
//! A two-site plan on a synthetic tumor (1 mm voxels, resampled to 1.5 mm
//! cells for speed here):
//!
//! ```
//! use mnp_suite::patient::phantom::{TUMOR_LABEL, two_ellipsoids};
//! use mnp_suite::patient::{
//!     Anatomy, CropSettings, PatientProblem, PatientSettings, PatientWorkspace, PrincipalAxes,
//!     TissueMap,
//! };
//! use std::sync::Arc;
//!
//! # fn main() -> mnp_suite::Result<()> {
//! let segmentation = two_ellipsoids(36, 30.0)?; // or nifti_io::read_label_volume("seg.nii.gz")
//! let anatomy = Anatomy::new(
//!     &segmentation,
//!     &TissueMap::tumor_in_healthy(&[TUMOR_LABEL])?, // every other label healthy
//!     &CropSettings::default().with_margin_mm(4.0)?.with_cell_mm(Some(1.5))?,
//! )?;
//! let volume_mm3 = anatomy.geometry().volume_m3 * 1e9;
//! assert!(volume_mm3 > 800.0 && volume_mm3 < 1200.0);
//! let problem = PatientProblem::new(
//!     Arc::new(anatomy),
//!     Arc::new(PrincipalAxes::new(2)?),
//!     PatientSettings::default(),
//! )?;
//! // (k_φ, k_σ, k_1): the sites at ±0.6 a₁ along the tumor's long axis.
//! let plan = problem.evaluate(&[0.9, 0.5, 0.6], &mut PatientWorkspace::default())?;
//! assert!(plan.metrics.j > 0.0 && plan.metrics.j <= 1.0);
//! let [x, y, z] = plan.layout.sites_mm[0].0; // patient coordinates (mm)
//! println!("J = {:.3}, first site at ({x:.1}, {y:.1}, {z:.1}) mm", plan.metrics.j);
//! # Ok(())
//! # }
//! ```

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
pub use optimize::{PatientOptimization, optimize_patient, optimize_patient_on};
pub use strategy::{
    CloudShape, DoseReference, PatientLayout, PatientSites, PatientStrategy, PrincipalAxes,
};
pub use volume::LabelVolume;
