//! Machine-learning pipelines: MNP size from synthesis descriptors
//! ([`size`], Glänzer et al. 2025: SVR and Elastic Net, grid search under
//! leave-one-out) and SAR, r1 and r2 from the DiMag tables ([`dimag`]:
//! tree ensembles).

pub mod dimag;
pub mod size;
