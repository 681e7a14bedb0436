//! Machine-learning pipelines: the model pipeline itself ([`pipeline`]:
//! preprocessing and a regressor refitted on every training fold), MNP size
//! from synthesis descriptors ([`size`], Glänzer et al. 2025: SVR and
//! Elastic Net, grid search under leave-one-out) and SAR, r1 and r2 from the
//! DiMag tables ([`dimag`]: tree ensembles; [`selection`]: models chosen by
//! nested cross-validation). Both studies are built on [`pipeline`].

pub mod design;
pub mod dimag;
pub mod pipeline;
pub mod selection;
pub mod size;
