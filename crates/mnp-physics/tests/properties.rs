//! Invariants over physical ranges (proptest).

use mnp_physics::{AcField, CarrierFluid, NeelForm, Particle, Rosensweig};
use proptest::prelude::*;

fn particle() -> impl Strategy<Value = Particle> {
    (
        5e-9..25e-9f64,
        1e5..1e6f64,
        1e3..5e4f64,
        1e-10..1e-8f64,
        0.0..10e-9f64,
    )
        .prop_map(|(d, md, k, t0, s)| {
            Particle::new(d, md, k, t0, 5200.0)
                .unwrap()
                .with_shell_thickness(s)
                .unwrap()
        })
}

proptest! {
    #[test]
    fn power_rises_with_field_amplitude(
        p in particle(), mu in 1e-4..1e-2f64, f in 1e4..1e6f64,
        h in 100.0..5e4f64, dh in 1.0..1e4f64, t in 290.0..330.0f64,
    ) {
        let fl = CarrierFluid::new(mu).unwrap();
        let m = Rosensweig::default();
        let q1 = m.breakdown(&p, &fl, &AcField::new(h, f).unwrap(), t).unwrap().power_per_volume_fraction;
        let q2 = m.breakdown(&p, &fl, &AcField::new(h + dh, f).unwrap(), t).unwrap().power_per_volume_fraction;
        prop_assert!(q2 > q1, "Q({}) = {} !< Q({}) = {}", h, q1, h + dh, q2);
    }

    #[test]
    fn power_rises_with_frequency(
        p in particle(), mu in 1e-4..1e-2f64, h in 100.0..5e4f64,
        f in 1e3..1e6f64, df in 10.0..1e5f64, t in 290.0..330.0f64,
    ) {
        let fl = CarrierFluid::new(mu).unwrap();
        let m = Rosensweig::default();
        let q1 = m.breakdown(&p, &fl, &AcField::new(h, f).unwrap(), t).unwrap().power_per_volume_fraction;
        let q2 = m.breakdown(&p, &fl, &AcField::new(h, f + df).unwrap(), t).unwrap().power_per_volume_fraction;
        prop_assert!(q2 > q1);
    }

    #[test]
    fn every_time_is_positive_and_finite(
        p in particle(), mu in 1e-4..1e-2f64, t in 250.0..400.0f64, plain in any::<bool>(),
    ) {
        let form = if plain { NeelForm::Plain } else { NeelForm::Asymptotic };
        let b = Rosensweig::new(form).breakdown(&p, &CarrierFluid::new(mu).unwrap(), &AcField::table_a1(), t).unwrap();
        for tau in [b.tau_neel, b.tau_brown, b.tau_effective] {
            prop_assert!(tau.is_finite() && tau > 0.0);
        }
        prop_assert!(b.tau_effective <= b.tau_neel.min(b.tau_brown) * (1.0 + 1e-14));
        prop_assert!(b.power_per_volume_fraction.is_finite() && b.power_per_volume_fraction > 0.0);
        prop_assert!(b.chi0_per_phi > 0.0 && b.chi0_per_phi <= b.chi_i_per_phi);
    }
}
