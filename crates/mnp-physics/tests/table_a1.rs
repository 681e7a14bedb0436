//! Table A.1 of Jiang et al. 2022: the Rosensweig chain at 43 °C.

use approx::assert_relative_eq;
use mnp_physics::constants::PAPER_TEMPERATURE_K;
use mnp_physics::{
    AcField, CarrierFluid, HeatingModel, NeelForm, Particle, Rosensweig, RosensweigBreakdown,
    ValidityReport,
};

fn paper() -> RosensweigBreakdown {
    Rosensweig::paper()
        .breakdown(
            &Particle::table_a1(),
            &CarrierFluid::table_a1(),
            &AcField::table_a1(),
            PAPER_TEMPERATURE_K,
        )
        .unwrap()
}

/// The paper's rounded values (Table A.1), each to the precision it is quoted.
#[test]
fn reproduces_the_quoted_values() {
    let b = paper();
    assert_relative_eq!(b.tau_neel, 4.78e-8, max_relative = 0.002);
    assert_relative_eq!(b.tau_brown, 4.31e-7, max_relative = 0.002);
    assert_relative_eq!(b.xi, 0.930, max_relative = 0.001);
    assert_relative_eq!(b.chi0_per_phi, 16.4, max_relative = 0.003);
    // q within 0.5 % (our tolerance).
    assert_relative_eq!(b.power_per_volume_fraction, 4.46e7, max_relative = 0.005);
}

/// The same chain evaluated independently in double precision (Python,
/// math module, the formulas of App. A): agreement to rounding error.
#[test]
fn matches_an_independent_evaluation() {
    let b = paper();
    assert_relative_eq!(b.gamma, 4.769775339943383, max_relative = 1e-12);
    assert_relative_eq!(b.tau_neel, 4.7839109707912796e-08, max_relative = 1e-12);
    assert_relative_eq!(b.tau_brown, 4.3052406981402017e-07, max_relative = 1e-12);
    assert_relative_eq!(
        b.tau_effective,
        4.3054919545256715e-08,
        max_relative = 1e-12
    );
    assert_relative_eq!(b.xi, 0.9298326623428161, max_relative = 1e-12);
    assert_relative_eq!(b.chi_i_per_phi, 17.279390308537334, max_relative = 1e-12);
    assert_relative_eq!(b.chi0_per_phi, 16.358908113361085, max_relative = 1e-12);
    assert_relative_eq!(
        b.power_per_volume_fraction,
        44595107.78951651,
        max_relative = 1e-12
    );
    assert_relative_eq!(
        b.specific_loss_power_w_per_g,
        8.575982267214712,
        max_relative = 1e-12
    );
}

#[test]
fn trait_methods_agree_with_breakdown() {
    let (p, fl, h) = (
        Particle::table_a1(),
        CarrierFluid::table_a1(),
        AcField::table_a1(),
    );
    let m = Rosensweig::paper();
    let b = paper();
    let q = m
        .power_per_volume_fraction(&p, &fl, &h, PAPER_TEMPERATURE_K)
        .unwrap();
    assert_eq!(q, b.power_per_volume_fraction);
    let big_q = m
        .volumetric_power(0.01, &p, &fl, &h, PAPER_TEMPERATURE_K)
        .unwrap();
    assert_relative_eq!(big_q, 0.01 * q, max_relative = 1e-15);
    let slp = m
        .specific_loss_power(&p, &fl, &h, PAPER_TEMPERATURE_K)
        .unwrap();
    assert_relative_eq!(slp, q / 5200.0 / 1000.0, max_relative = 1e-15);
}

#[test]
fn exact_boltzmann_constant_shifts_results_slightly() {
    let (p, fl, h) = (
        Particle::table_a1(),
        CarrierFluid::table_a1(),
        AcField::table_a1(),
    );
    let exact = Rosensweig::new(NeelForm::Asymptotic)
        .breakdown(&p, &fl, &h, PAPER_TEMPERATURE_K)
        .unwrap();
    let b = paper();
    // k_B differs by 4.7e-4 relative; tau_B scales as 1/k_B exactly.
    assert_relative_eq!(
        exact.tau_brown * 1.380649,
        b.tau_brown * 1.38,
        max_relative = 1e-12
    );
    assert_relative_eq!(
        exact.power_per_volume_fraction,
        b.power_per_volume_fraction,
        max_relative = 0.01
    );
    assert_ne!(exact.power_per_volume_fraction, b.power_per_volume_fraction);
}

/// The validity report of `model` for `particle` in `field` (Table A.1
/// carrier, 43 °C).
fn validity(model: Rosensweig, particle: Particle, field: AcField) -> ValidityReport {
    model
        .validity(
            &particle,
            &CarrierFluid::table_a1(),
            &field,
            PAPER_TEMPERATURE_K,
        )
        .unwrap()
}

#[test]
fn validity_report_for_the_paper() {
    let v = validity(
        Rosensweig::paper(),
        Particle::table_a1(),
        AcField::table_a1(),
    );
    assert!(v.linear_response, "xi = {} < 1", v.xi);
    assert!(v.neel_form_valid, "Gamma = {} >= 2", v.gamma);
    assert!(v.model_valid());
    assert_relative_eq!(v.field_frequency_product, 1.6e9);
    assert!(v.below_hergt_dutz_limit);
    assert!(!v.below_brezovich_limit);
    // A strong field breaks linear response: xi ~ H0.
    let strong = AcField::new(3e4, 2e5).unwrap();
    let v = validity(Rosensweig::paper(), Particle::table_a1(), strong);
    assert!(!v.linear_response && !v.model_valid());
    // A small particle has a low barrier: the asymptotic Néel form is not trusted.
    let small = Particle::table_a1().with_core_diameter(6e-9).unwrap();
    let v = validity(Rosensweig::paper(), small, AcField::table_a1());
    assert!(v.gamma < 2.0 && !v.neel_form_valid);
    let v = validity(Rosensweig::new(NeelForm::Plain), small, AcField::table_a1());
    assert!(v.neel_form_valid);
}
