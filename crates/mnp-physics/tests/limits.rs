//! Closed-form limits of the relaxation and susceptibility formulas.

use approx::assert_relative_eq;
use mnp_physics::constants::{MU0, PAPER_TEMPERATURE_K};
use mnp_physics::magnetization::langevin_ratio;
use mnp_physics::{
    AcField, CarrierFluid, NeelForm, Particle, Rosensweig, equilibrium_susceptibility, langevin,
    rosensweig_power, tau_brown, tau_effective, tau_neel,
};
use std::f64::consts::PI;

/// ωτ ≪ 1: Q → 2π² μ0 χ0 H0² f² τ_R (Debye low-frequency limit).
#[test]
fn low_frequency_power_is_quadratic_in_frequency() {
    let (chi0, h0, tau) = (16.4, 8e3, 4.3e-8);
    for f in [1.0, 10.0, 100.0] {
        let q = rosensweig_power(chi0, h0, f, tau).unwrap();
        let limit = 2.0 * PI * PI * MU0 * chi0 * h0 * h0 * f * f * tau;
        let wt = 2.0 * PI * f * tau;
        // The relative deviation is exactly (ωτ)² / (1 + (ωτ)²).
        assert_relative_eq!(q / limit, 1.0 / (1.0 + wt * wt), max_relative = 1e-12);
        assert_relative_eq!(q, limit, max_relative = 1e-9);
    }
    // And with the whole model: 10x lower f gives 100x lower Q at ωτ ≪ 1.
    let m = Rosensweig::paper();
    let (p, fl) = (Particle::table_a1(), CarrierFluid::table_a1());
    let q1 = m
        .breakdown(
            &p,
            &fl,
            &AcField::new(8e3, 1e3).unwrap(),
            PAPER_TEMPERATURE_K,
        )
        .unwrap();
    let q2 = m
        .breakdown(
            &p,
            &fl,
            &AcField::new(8e3, 1e2).unwrap(),
            PAPER_TEMPERATURE_K,
        )
        .unwrap();
    assert_relative_eq!(
        q1.power_per_volume_fraction / q2.power_per_volume_fraction,
        100.0,
        max_relative = 1e-4
    );
}

/// ωτ ≫ 1: Q → π μ0 χ0 H0² f / (2π f τ) = μ0 χ0 H0² / (2τ), independent of f.
#[test]
fn high_frequency_power_saturates() {
    let (chi0, h0, tau) = (16.4, 8e3, 4.3e-8);
    let q = rosensweig_power(chi0, h0, 1e12, tau).unwrap();
    assert_relative_eq!(q, MU0 * chi0 * h0 * h0 / (2.0 * tau), max_relative = 1e-6);
}

/// Large ξ: χ0 → 3χ_i/ξ (saturation; next term −3χ_i/ξ²).
#[test]
fn large_xi_susceptibility() {
    let chi_i = 17.3;
    for xi in [1e3, 1e5, 1e7] {
        let chi0 = equilibrium_susceptibility(chi_i, xi).unwrap();
        assert_relative_eq!(
            chi0,
            3.0 * chi_i / xi * (1.0 - 1.0 / xi),
            max_relative = 1e-12
        );
        assert_relative_eq!(chi0, 3.0 * chi_i / xi, max_relative = 1.01 / xi);
    }
    // ξ = 0: χ0 = χ_i exactly.
    assert_eq!(equilibrium_susceptibility(chi_i, 0.0).unwrap(), chi_i);
}

#[test]
fn langevin_series_joins_the_closed_form() {
    // Either side of the series threshold (1e-2) the two forms agree.
    for x in [9.9e-3f64, 1.01e-2, 0.05] {
        let exact = 1.0 / x.tanh() - 1.0 / x;
        assert_relative_eq!(langevin(x), exact, max_relative = 1e-10);
    }
    assert_relative_eq!(langevin(1e-8), 1e-8 / 3.0, max_relative = 1e-15);
    assert_eq!(langevin(-0.3), -langevin(0.3));
    assert_relative_eq!(langevin(50.0), 1.0 - 1.0 / 50.0, max_relative = 1e-15);
    assert_relative_eq!(langevin_ratio(1e-3), 1.0, max_relative = 1e-6);
    assert_relative_eq!(
        langevin_ratio(2.0),
        1.5 * langevin(2.0),
        max_relative = 1e-15
    );
}

#[test]
fn neel_forms_differ_by_the_prefactor() {
    let (k, v, kt, t0) = (2.3e4, 9.0e-25, 4.36e-21, 1e-9);
    let gamma = k * v / kt;
    let a = tau_neel(k, v, kt, t0, NeelForm::Asymptotic).unwrap();
    let p = tau_neel(k, v, kt, t0, NeelForm::Plain).unwrap();
    assert_relative_eq!(p, t0 * gamma.exp(), max_relative = 1e-13);
    assert_relative_eq!(
        a / p,
        PI.sqrt() / (2.0 * gamma.sqrt()),
        max_relative = 1e-13
    );
}

#[test]
fn effective_time_is_the_parallel_combination() {
    assert_relative_eq!(tau_effective(2.0, 2.0).unwrap(), 1.0);
    assert_relative_eq!(tau_effective(1e-9, 1.0).unwrap(), 1e-9, max_relative = 1e-8);
    let t = tau_effective(3e-8, 4e-7).unwrap();
    assert!(t < 3e-8);
}

/// A shell of thickness s scales τ_B by ((d + 2s)/d)³ and leaves τ_N alone.
#[test]
fn shell_scales_brownian_time() {
    let m = Rosensweig::paper();
    let (fl, h) = (CarrierFluid::table_a1(), AcField::table_a1());
    let bare = m
        .breakdown(&Particle::table_a1(), &fl, &h, PAPER_TEMPERATURE_K)
        .unwrap();
    let coated = Particle::table_a1().with_shell_thickness(3e-9).unwrap();
    assert_relative_eq!(coated.hydrodynamic_diameter(), 18e-9, max_relative = 1e-15);
    let c = m.breakdown(&coated, &fl, &h, PAPER_TEMPERATURE_K).unwrap();
    assert_relative_eq!(
        c.tau_brown / bare.tau_brown,
        1.5f64.powi(3),
        max_relative = 1e-12
    );
    assert_eq!(c.tau_neel, bare.tau_neel);
    // Direct formula check.
    let kt = 1.38e-23 * PAPER_TEMPERATURE_K;
    assert_relative_eq!(
        tau_brown(6.92e-4, coated.hydrodynamic_volume(), kt).unwrap(),
        c.tau_brown,
        max_relative = 1e-14
    );
}

#[test]
fn zero_field_gives_zero_power() {
    let b = Rosensweig::paper()
        .breakdown(
            &Particle::table_a1(),
            &CarrierFluid::table_a1(),
            &AcField::new(0.0, 2e5).unwrap(),
            PAPER_TEMPERATURE_K,
        )
        .unwrap();
    assert_eq!(b.power_per_volume_fraction, 0.0);
    assert_eq!(b.xi, 0.0);
    assert_eq!(b.chi0_per_phi, b.chi_i_per_phi);
}
