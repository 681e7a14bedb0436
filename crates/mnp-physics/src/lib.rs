//! # mnp-physics
//!
//! The physics of magnetic-nanoparticle (MNP) hyperthermia that precedes the
//! heat equation, after Jiang et al. 2022 (Int. J. Mech. Sci. 235:107707,
//! App. A and §2.2–2.3) and Rosensweig 2002 (J. Magn. Magn. Mater. 252:370):
//!
//! - [`relaxation`]: Néel (asymptotic Eq. A.3 or plain), Brownian (Eq. A.4,
//!   with an optional hydrodynamic shell) and effective (Eq. A.2) times;
//! - [`magnetization`]: the Langevin function, ξ, χ_i and χ0 (Eqs. A.5–A.7);
//! - [`heating`]: the [`HeatingModel`] trait, [`Rosensweig`]'s power
//!   (Eq. A.1), SLP in W/g, a [`ValidityReport`], and [`MeasuredSlp`];
//! - [`nanofluid`]: tissue–particle mixture properties (Eqs. 2a, 2b);
//! - [`injection`]: Gaussian clouds from injection sites (Eqs. 5–8), the
//!   normalized search variables and the plan t_opt, V_opt, d_opt (Eq. 11),
//!   evaluated on grids of cell centres.
//!
//! All quantities are SI. Every constructor validates its input and returns
//! a [`PhysicsError`] naming the parameter and its allowed range.
//!
//! ```
//! use mnp_physics::{AcField, CarrierFluid, HeatingModel, Particle, Rosensweig};
//! use mnp_physics::constants::PAPER_TEMPERATURE_K;
//!
//! # fn main() -> mnp_physics::Result<()> {
//! // Table A.1 of Jiang et al. 2022, at 43 °C.
//! let model = Rosensweig::paper();
//! let (p, fluid, field) = (Particle::table_a1(), CarrierFluid::table_a1(), AcField::table_a1());
//! let b = model.breakdown(&p, &fluid, &field, PAPER_TEMPERATURE_K)?;
//! assert!((b.tau_neel - 4.78e-8).abs() < 0.01e-8);
//! assert!((b.power_per_volume_fraction / 4.46e7 - 1.0).abs() < 5e-3);
//!
//! // Q at a volume fraction of 0.1 %.
//! let q = model.volumetric_power(1e-3, &p, &fluid, &field, PAPER_TEMPERATURE_K)?;
//! assert!((q - 1e-3 * b.power_per_volume_fraction).abs() < 1e-6);
//!
//! // A thicker coating slows Brownian relaxation.
//! let coated = p.with_shell_thickness(5e-9)?;
//! assert!(model.breakdown(&coated, &fluid, &field, PAPER_TEMPERATURE_K)?.tau_brown > b.tau_brown);
//!
//! // Bad input is a typed error, not a NaN.
//! assert!(Particle::table_a1().with_core_diameter(-1e-9).is_err());
//! # Ok(())
//! # }
//! ```

pub mod constants;
mod error;
pub mod heating;
pub mod injection;
pub mod injection3d;
pub mod layout;
pub mod magnetization;
pub mod nanofluid;
pub mod particle;
pub mod relaxation;

pub use error::{PhysicsError, Result};
pub use heating::{
    HeatingModel, MeasuredSlp, Rosensweig, RosensweigBreakdown, ValidityReport, rosensweig_power,
};
pub use injection::{
    CellGrid, GaussianSite, InjectionCloud, InjectionPlan, InjectionReference, NormalizedInjection,
    mass_diffusivity_from_lewis,
};
pub use injection3d::{CellGrid3, GaussianSite3, InjectionCloud3};
pub use magnetization::{
    equilibrium_susceptibility, initial_susceptibility, langevin, langevin_parameter,
};
pub use nanofluid::{
    Material, MixtureProperties, Nanofluid, maxwell_conductivity, mixture_heat_capacity,
};
pub use particle::{AcField, CarrierFluid, Particle};
pub use relaxation::{NeelForm, tau_brown, tau_effective, tau_neel, thermal_energy};

/// The `ndarray` this crate's signatures use, re-exported so a user need
/// not pin a matching version.
pub use ndarray;

/// The README's code blocks, compiled and run as doctests so the published
/// page cannot drift from the API.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
