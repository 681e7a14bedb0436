//! The application layer, behind cargo features so a library user pays
//! for none of it: TOML scenario files (`scenario_file`, feature
//! `scenario-file`), figures (`figures` and `plot`, feature `figures`) and
//! the `mnp` command line (`cli`, feature `cli`, which enables both).
//! [`output`] (always available) writes a run's folder as a whole, and
//! [`resources`] checks a run's memory before it starts.

#[cfg(feature = "cli")]
pub mod cli;
#[cfg(feature = "figures")]
pub mod figures;
pub mod output;
#[cfg(feature = "cli")]
mod patient_cli;
#[cfg(all(feature = "figures", feature = "nifti"))]
pub mod patient_output;
#[cfg(feature = "scenario-file")]
pub mod patient_scenario;
#[cfg(feature = "figures")]
pub mod plot;
pub mod resources;
#[cfg(feature = "scenario-file")]
pub mod scenario_file;
