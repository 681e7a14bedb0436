//! Non-physical input gives a typed error naming the parameter.

use mnp_physics::constants::PAPER_TEMPERATURE_K;
use mnp_physics::{
    AcField, CarrierFluid, CellGrid, GaussianSite, HeatingModel, InjectionReference, MeasuredSlp,
    Nanofluid, NeelForm, NormalizedInjection, Particle, PhysicsError, Rosensweig,
    maxwell_conductivity, tau_neel,
};

fn name_of(e: PhysicsError) -> &'static str {
    match e {
        PhysicsError::InvalidParameter { name, .. } => name,
        other => panic!("expected InvalidParameter, got {other:?}"),
    }
}

#[test]
fn particle_parameters() {
    let e = Particle::new(-1e-9, 4.46e5, 2.3e4, 1e-9, 5200.0).unwrap_err();
    assert_eq!(name_of(e.clone()), "core diameter (m)");
    assert!(
        e.to_string().contains("-0.000000001") && e.to_string().contains("> 0"),
        "{e}"
    );
    assert!(Particle::new(f64::NAN, 4.46e5, 2.3e4, 1e-9, 5200.0).is_err());
    assert!(Particle::new(12e-9, 4.46e5, 2.3e4, 0.0, 5200.0).is_err());
    assert!(Particle::table_a1().with_shell_thickness(-1e-9).is_err());
    assert!(
        Particle::table_a1()
            .with_core_diameter(f64::INFINITY)
            .is_err()
    );
    assert!(Particle::table_a1().with_anisotropy(0.0).is_err());
    assert_eq!(
        name_of(CarrierFluid::new(0.0).unwrap_err()),
        "viscosity (Pa s)"
    );
}

#[test]
fn field_parameters() {
    assert_eq!(
        name_of(AcField::new(-1.0, 1e5).unwrap_err()),
        "field amplitude H0 (A/m)"
    );
    assert_eq!(
        name_of(AcField::new(8e3, 0.0).unwrap_err()),
        "field frequency f (Hz)"
    );
    assert!(AcField::new(f64::NAN, 1e5).is_err());
    assert!(MeasuredSlp::new(100.0, AcField::new(0.0, 1e5).unwrap()).is_err());
    assert!(MeasuredSlp::new(-1.0, AcField::table_a1()).is_err());
}

#[test]
fn temperatures_and_fractions() {
    let m = Rosensweig::paper();
    let (p, fl, h) = (
        Particle::table_a1(),
        CarrierFluid::table_a1(),
        AcField::table_a1(),
    );
    assert_eq!(
        name_of(m.breakdown(&p, &fl, &h, 0.0).unwrap_err()),
        "temperature (K)"
    );
    assert_eq!(
        name_of(
            m.volumetric_power(1.5, &p, &fl, &h, PAPER_TEMPERATURE_K)
                .unwrap_err()
        ),
        "volume fraction phi"
    );
    assert!(
        m.volumetric_power(-0.1, &p, &fl, &h, PAPER_TEMPERATURE_K)
            .is_err()
    );
    assert!(Nanofluid::table1().properties(1.01).is_err());
    assert!(maxwell_conductivity(0.5, -0.5, 6.0).is_err());
    assert!(Rosensweig::paper().with_boltzmann(0.0).is_err());
}

#[test]
fn overflow_is_reported() {
    // A 300 nm "single-domain" particle: Γ ≫ 709.
    let e = tau_neel(2.3e4, 1.4e-20, 4.36e-21, 1e-9, NeelForm::Plain).unwrap_err();
    assert!(matches!(e, PhysicsError::Overflow { .. }), "{e:?}");
}

#[test]
fn clouds_and_grids() {
    assert_eq!(
        name_of(CellGrid::new(0, 10, 1e-3, 1e-3, 0.0, 0.0).unwrap_err()),
        "nx (cells along x)"
    );
    assert!(CellGrid::new(10, 10, -1e-3, 1e-3, 0.0, 0.0).is_err());
    assert!(CellGrid::centered_square(10, f64::NAN).is_err());
    assert!(GaussianSite::new(0.0, 0.0, 1e-6, 0.0).is_err());
    assert!(GaussianSite::new(0.0, 0.0, -1e-6, 1e-3).is_err());
    assert!(GaussianSite::new(f64::NAN, 0.0, 1e-6, 1e-3).is_err());
    assert!(GaussianSite::from_diffusion(0.0, 0.0, 1e-6, 1e-9, 0.0).is_err());
    let site = GaussianSite::new(0.0, 0.0, 1e-6, 1e-3).unwrap();
    assert_eq!(
        name_of(site.volume_fraction(f64::NAN, 0.0).unwrap_err()),
        "x (m)"
    );
    let cloud = mnp_physics::InjectionCloud::new(vec![site]);
    assert_eq!(
        name_of(cloud.volume_fraction(0.0, f64::INFINITY).unwrap_err()),
        "y (m)"
    );
    assert!(NormalizedInjection::new(0.5, 0.0, 0.5).is_err());
    assert!(NormalizedInjection::new(-0.1, 0.5, 0.5).is_err());
    let r = InjectionReference::paper();
    assert!(
        r.plan(0, &NormalizedInjection::new(0.5, 0.5, 0.5).unwrap())
            .is_err()
    );
    assert!(InjectionReference::new(1e-6, 1e-3, 1e-3, 0.0).is_err());
}

#[test]
fn measured_slp_scales_with_intrinsic_loss_power() {
    let reference = AcField::new(1e4, 1e5).unwrap();
    let m = MeasuredSlp::new(100.0, reference).unwrap();
    let (p, fl) = (Particle::table_a1(), CarrierFluid::table_a1());
    let q_ref = m
        .power_per_volume_fraction(&p, &fl, &reference, 310.0)
        .unwrap();
    assert_eq!(q_ref, 100.0 * 1000.0 * 5200.0);
    let q = m
        .power_per_volume_fraction(&p, &fl, &AcField::new(2e4, 2e5).unwrap(), 310.0)
        .unwrap();
    assert!((q / q_ref - 8.0).abs() < 1e-12);
    assert!((m.specific_loss_power(&p, &fl, &reference, 310.0).unwrap() - 100.0).abs() < 1e-9);
    // ILP = 100 W/g · 1000 / (1e8 A²/m² · 1e5 Hz) = 1e-8 → 10 nH·m²/kg.
    assert!((m.intrinsic_loss_power_nh_m2_per_kg() - 10.0).abs() < 1e-9);
}

/// A cloud whose peak V/(2πσ²) is not finite is refused, not NaN.
#[test]
fn clouds_with_a_non_finite_peak_are_refused() {
    assert!(GaussianSite::new(0.0, 0.0, 1e-9, 1e-200).is_err());
    assert!(GaussianSite::new(0.0, 0.0, 1e308, 1e-3).is_err());
    let ok = GaussianSite::new(0.0, 0.0, 1e-9, 1e-6).unwrap();
    assert!(ok.peak_volume_fraction().is_finite());
}

/// A grid too large to hold its fields is refused when built.
#[test]
fn huge_grids_are_refused() {
    assert!(CellGrid::centered_square(100_000, 1.0).is_err());
    assert!(CellGrid::new(usize::MAX, 2, 1.0, 1.0, 0.0, 0.0).is_err());
    assert!(CellGrid::centered_square(16_384, 1.0).is_ok());
}
