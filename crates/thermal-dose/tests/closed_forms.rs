//! CEM43 and Arrhenius against their closed forms.

use approx::assert_relative_eq;
use thermal_dose::{
    Arrhenius, Cem43, DoseModel, GAS_CONSTANT, Quadrature, constant_temperature_dose,
    cumulative_dose, dose_series,
};

#[test]
fn cem43_constant_temperatures() {
    let cem = Cem43::default();
    // 10 min at 44 °C = 20 min at 43 °C (R = 0.5 above 43).
    assert_relative_eq!(
        constant_temperature_dose(&cem, 44.0, 600.0).unwrap(),
        20.0,
        max_relative = 1e-14
    );
    // 43 °C counts 1:1.
    assert_relative_eq!(
        constant_temperature_dose(&cem, 43.0, 3600.0).unwrap(),
        60.0,
        max_relative = 1e-14
    );
    // 60 min at 37 °C: 60 · 0.25⁶ = 60/4096 ≈ 0.0146 min.
    let d = constant_temperature_dose(&cem, 37.0, 3600.0).unwrap();
    assert_relative_eq!(d, 60.0 / 4096.0, max_relative = 1e-14);
    assert!((d - 0.0146).abs() < 1e-4);
    // 46 °C: 8 equivalent minutes per minute.
    assert_relative_eq!(cem.equivalence_factor(46.0), 8.0, max_relative = 1e-14);
    assert_eq!(cem.lethal_dose(), 60.0);
    assert_eq!(cem.unit(), "min");
}

#[test]
fn cem43_configuration() {
    let cem = Cem43::default()
        .with_breakpoint(43.5)
        .unwrap()
        .with_r(0.6, 0.2)
        .unwrap()
        .with_lethal_minutes(240.0)
        .unwrap();
    // At 43.2 °C, below the new breakpoint: R = 0.2.
    assert_relative_eq!(
        cem.equivalence_factor(43.2),
        0.2f64.powf(-0.2),
        max_relative = 1e-14
    );
    assert_relative_eq!(
        cem.equivalence_factor(44.0),
        0.6f64.powf(-1.0),
        max_relative = 1e-14
    );
    assert_eq!(cem.lethal_dose(), 240.0);
    assert!(Cem43::default().with_r(1.0, 0.25).is_err());
    assert!(Cem43::default().with_r(0.5, 0.0).is_err());
    assert!(Cem43::default().with_lethal_minutes(0.0).is_err());
    assert!(Cem43::default().with_breakpoint(f64::NAN).is_err());
}

/// A linear ramp T = T0 + k t below 43 °C integrates in closed form:
/// ∫ R^(43 − T) dt = R^(43 − T0) (1 − R^(−kτ)) / (k ln R).
#[test]
fn cem43_linear_ramp() {
    let cem = Cem43::default();
    let (t0, k, tau) = (37.0, 6.0 / 600.0, 600.0); // 37 → 43 °C in 10 min
    let r: f64 = 0.25;
    let exact_s = r.powf(43.0 - t0) * (1.0 - r.powf(-k * tau)) / (k * r.ln());
    let exact_min = exact_s / 60.0;
    let n = 6001;
    let times: Vec<f64> = (0..n).map(|i| tau * i as f64 / (n - 1) as f64).collect();
    let temps: Vec<f64> = times.iter().map(|t| t0 + k * t).collect();
    let trap = dose_series(&cem, &times, &temps, Quadrature::Trapezoid).unwrap();
    // The trapezoid's relative error on exp(c t) is (c δt)²/12 with c = k ln 4.
    let c_dt = k * 4f64.ln() * (tau / (n - 1) as f64);
    let err = (trap - exact_min) / exact_min;
    assert!(
        err > 0.0 && err < 1.05 * c_dt * c_dt / 12.0,
        "relative error {err}"
    );
    // Left and right rectangles bracket the exact value on a rising ramp.
    let left = dose_series(&cem, &times, &temps, Quadrature::Left).unwrap();
    let right = dose_series(&cem, &times, &temps, Quadrature::Right).unwrap();
    assert!(left < exact_min && exact_min < right);
    assert_relative_eq!(0.5 * (left + right), trap, max_relative = 1e-14);
}

#[test]
fn arrhenius_constant_temperature() {
    let m = Arrhenius::skin_henriques();
    for t_c in [37.0, 43.0, 50.0, 60.0] {
        let omega = constant_temperature_dose(&m, t_c, 300.0).unwrap();
        let t_k = t_c + 273.15;
        let exact = 3.1e98 * (-6.28e5 / (GAS_CONSTANT * t_k)).exp() * 300.0;
        assert_relative_eq!(omega, exact, max_relative = 1e-11);
        // A sampled constant history gives the same by any rule.
        let times: Vec<f64> = (0..=30).map(|i| 10.0 * i as f64).collect();
        let temps = vec![t_c; times.len()];
        for rule in [Quadrature::Left, Quadrature::Right, Quadrature::Trapezoid] {
            assert_relative_eq!(
                dose_series(&m, &times, &temps, rule).unwrap(),
                exact,
                max_relative = 1e-11
            );
        }
    }
    // Time to Ω = 1 at 60 °C: t = 1/(A exp(−Ea/RT)) ≈ 0.94 s for skin.
    let t60 = 1.0 / m.dose_rate(60.0);
    assert_relative_eq!(
        constant_temperature_dose(&m, 60.0, t60).unwrap(),
        1.0,
        max_relative = 1e-12
    );
    let exact_t60 = 1.0 / (3.1e98 * (-6.28e5 / (GAS_CONSTANT * 333.15)).exp());
    assert_relative_eq!(t60, exact_t60, max_relative = 1e-11);
    assert!((t60 - 0.935).abs() < 0.001, "t(Ω=1, 60 °C) = {t60} s");
    // Presets and custom models.
    assert_eq!(Arrhenius::liver().activation_energy(), 2.577e5);
    assert_eq!(Arrhenius::artery_agah().frequency_factor(), 5.6e63);
    let custom = Arrhenius::new(1e40, 2.5e5)
        .unwrap()
        .with_lethal_omega(4.6)
        .unwrap();
    assert_eq!(custom.lethal_dose(), 4.6);
    assert!(Arrhenius::new(0.0, 2.5e5).is_err());
    assert!(Arrhenius::new(1e40, f64::NAN).is_err());
}

#[test]
fn cumulative_series_shape() {
    let cem = Cem43::default();
    let c = cumulative_dose(
        &cem,
        &[0.0, 60.0, 180.0],
        &[43.0, 44.0, 44.0],
        Quadrature::Right,
    )
    .unwrap();
    assert_eq!(c.len(), 3);
    assert_eq!(c[0], 0.0);
    assert_relative_eq!(c[1], 2.0, max_relative = 1e-14);
    assert_relative_eq!(c[2], 6.0, max_relative = 1e-14);
    assert!(
        cumulative_dose(&cem, &[], &[], Quadrature::Left)
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        dose_series(&cem, &[5.0], &[50.0], Quadrature::Left).unwrap(),
        0.0
    );
}

/// A temperature below absolute zero is no temperature: refused by the
/// series functions and the field accumulator alike, naming where.
#[test]
fn temperatures_below_absolute_zero_are_refused() {
    use thermal_dose::{DoseAccumulator, DoseError, first_crossing};
    let e = constant_temperature_dose(&Cem43::new(), -300.0, 60.0).unwrap_err();
    assert!(matches!(e, DoseError::BelowAbsoluteZero { .. }), "{e:?}");
    let e = constant_temperature_dose(&Arrhenius::skin_henriques(), -274.0, 60.0).unwrap_err();
    assert!(matches!(e, DoseError::BelowAbsoluteZero { .. }), "{e:?}");
    assert!(constant_temperature_dose(&Cem43::new(), -273.15, 60.0).is_ok());
    let mut acc = DoseAccumulator::new(Cem43::new(), (2, 2));
    let t = ndarray::array![[37.0, 37.0], [-400.0, 37.0]];
    let e = acc.add_step(&t.view(), 1.0).unwrap_err();
    assert!(
        matches!(&e, DoseError::BelowAbsoluteZero { location, .. } if location.contains("[1, 0]")),
        "{e:?}"
    );
    // first_crossing reads the slices in step: the longer one's extra
    // values are ignored (documented).
    assert_eq!(
        first_crossing(&[0.0, 1.0], &[0.2, 0.9, 1.0], 0.9),
        Some(1.0)
    );
    assert_eq!(first_crossing(&[0.0, 1.0, 2.0], &[0.2], 0.9), None);
}
