//! Invariants of dose integration (proptest).

use proptest::prelude::*;
use thermal_dose::{Arrhenius, Cem43, DoseModel, Quadrature, cumulative_dose, dose_series};

fn history() -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
    prop::collection::vec((0.1..120.0f64, 30.0..60.0f64), 2..40).prop_map(|steps| {
        let mut t = 0.0;
        let mut times = Vec::new();
        let mut temps = Vec::new();
        for (dt, temp) in steps {
            times.push(t);
            temps.push(temp);
            t += dt;
        }
        (times, temps)
    })
}

fn rule() -> impl Strategy<Value = Quadrature> {
    prop_oneof![
        Just(Quadrature::Left),
        Just(Quadrature::Right),
        Just(Quadrature::Trapezoid)
    ]
}

proptest! {
    /// Dose over [t0, tk] plus dose over [tk, tn] equals dose over [t0, tn].
    #[test]
    fn additive_over_split_intervals((times, temps) in history(), split in any::<prop::sample::Index>(), rule in rule()) {
        let k = split.index(times.len());
        for model in [&Cem43::default() as &dyn DoseModel, &Arrhenius::liver()] {
            let whole = dose_series(&model, &times, &temps, rule).unwrap();
            let a = dose_series(&model, &times[..=k], &temps[..=k], rule).unwrap();
            let b = dose_series(&model, &times[k..], &temps[k..], rule).unwrap();
            prop_assert!((a + b - whole).abs() <= 1e-12 * whole.abs().max(1e-300));
        }
    }

    /// The dose never falls over time and rises with every temperature.
    #[test]
    fn monotonic_in_time_and_temperature((times, temps) in history(), bump in 0.01..5.0f64, rule in rule()) {
        let cem = Cem43::default();
        let c = cumulative_dose(&cem, &times, &temps, rule).unwrap();
        prop_assert!(c.windows(2).all(|w| w[1] >= w[0]));
        let hotter: Vec<f64> = temps.iter().map(|t| t + bump).collect();
        let d0 = dose_series(&cem, &times, &temps, rule).unwrap();
        let d1 = dose_series(&cem, &times, &hotter, rule).unwrap();
        prop_assert!(d1 > d0);
        let arr = Arrhenius::skin_henriques();
        prop_assert!(dose_series(&arr, &times, &hotter, rule).unwrap() > dose_series(&arr, &times, &temps, rule).unwrap());
    }

    /// The CEM43 rate is strictly increasing in T, across the breakpoint too.
    #[test]
    fn rate_increasing(t in 20.0..80.0f64, dt in 1e-6..10.0f64) {
        let cem = Cem43::default();
        prop_assert!(cem.dose_rate(t + dt) > cem.dose_rate(t));
    }
}
