//! The field accumulator and ablation ratios.

use approx::assert_relative_eq;
use ndarray::{Array2, Array3, array};
use thermal_dose::{
    AblationHistory, AblationRatios, Cem43, DoseAccumulator, DoseError, Quadrature,
    ablation_ratios, cumulative_dose, first_crossing,
};

#[test]
fn accumulator_matches_the_series_cell_by_cell() {
    let cem = Cem43::default();
    let times: Vec<f64> = (0..=50).map(|i| 30.0 * i as f64).collect();
    let curve = |t: f64, c: f64| 37.0 + c * (1.0 - (-t / 300.0).exp());
    let amplitudes = array![[2.0, 5.0], [8.0, 9.5]];
    let mut acc = DoseAccumulator::new(cem, (2, 2));
    let mut acc_trap = DoseAccumulator::new(cem, (2, 2));
    for w in times.windows(2) {
        let start = amplitudes.mapv(|c| curve(w[0], c));
        let end = amplitudes.mapv(|c| curve(w[1], c));
        acc.add_step(&end.view(), w[1] - w[0]).unwrap();
        acc_trap
            .add_interval(&start.view(), &end.view(), w[1] - w[0])
            .unwrap();
    }
    for ((i, j), &c) in amplitudes.indexed_iter() {
        let temps: Vec<f64> = times.iter().map(|&t| curve(t, c)).collect();
        let right = *cumulative_dose(&cem, &times, &temps, Quadrature::Right)
            .unwrap()
            .last()
            .unwrap();
        let trap = *cumulative_dose(&cem, &times, &temps, Quadrature::Trapezoid)
            .unwrap()
            .last()
            .unwrap();
        assert_relative_eq!(acc.dose()[[i, j]], right, max_relative = 1e-12);
        assert_relative_eq!(acc_trap.dose()[[i, j]], trap, max_relative = 1e-12);
    }
    assert_eq!(acc.steps(), 50);
    assert_relative_eq!(acc.elapsed_s(), 1500.0);
}

#[test]
fn accumulator_works_in_three_dimensions() {
    let mut acc = DoseAccumulator::new(Cem43::default(), (2, 3, 4));
    let t = Array3::from_elem((2, 3, 4), 44.0);
    acc.add_step(&t.view(), 60.0).unwrap();
    assert!(acc.dose().iter().all(|&d| (d - 2.0).abs() < 1e-14));
}

#[test]
fn bad_steps_are_rejected_whole() {
    let mut acc = DoseAccumulator::new(Cem43::default(), (2, 2));
    let good = Array2::from_elem((2, 2), 44.0);
    acc.add_step(&good.view(), 60.0).unwrap();
    let before = acc.dose().clone();
    let mut bad = good.clone();
    bad[[1, 0]] = f64::NAN;
    match acc.add_step(&bad.view(), 60.0).unwrap_err() {
        DoseError::NonFiniteTemperature { location, .. } => assert_eq!(location, "cell [1, 0]"),
        e => panic!("unexpected {e:?}"),
    }
    assert_eq!(acc.dose(), &before);
    assert_eq!(acc.steps(), 1);
    let wrong = Array2::from_elem((3, 2), 44.0);
    assert!(matches!(
        acc.add_step(&wrong.view(), 60.0).unwrap_err(),
        DoseError::ShapeMismatch { .. }
    ));
    assert!(matches!(
        acc.add_step(&good.view(), 0.0).unwrap_err(),
        DoseError::InvalidParameter { .. }
    ));
    assert!(acc.add_step(&good.view(), -1.0).is_err());
    let mut hot = good.clone();
    hot[[0, 1]] = 5000.0;
    assert!(matches!(
        acc.add_step(&hot.view(), 60.0).unwrap_err(),
        DoseError::DoseOverflow { .. }
    ));
    assert_eq!(acc.dose(), &before);
}

/// Each step's rate is finite at 1060 °C, but three hours' worth overflow
/// the running dose: the third step is refused, naming the cell, and the
/// dose stays finite (as `cumulative_dose` refuses the same history).
#[test]
fn an_overflowing_running_dose_is_refused() {
    let t = Array3::from_elem((1, 1, 1), 1060.0);
    for interval in [false, true] {
        let mut acc = DoseAccumulator::new(Cem43::default(), (1, 1, 1));
        let step = |acc: &mut DoseAccumulator<Cem43, ndarray::Ix3>| {
            if interval {
                acc.add_interval(&t.view(), &t.view(), 3600.0)
            } else {
                acc.add_step(&t.view(), 3600.0)
            }
        };
        step(&mut acc).unwrap();
        step(&mut acc).unwrap();
        let before = acc.dose().clone();
        match step(&mut acc).unwrap_err() {
            DoseError::DoseOverflow {
                location,
                temperature_c,
            } => {
                assert_eq!(location, "cell [0, 0, 0]");
                assert_eq!(temperature_c, 1060.0);
            }
            e => panic!("unexpected {e:?}"),
        }
        assert_eq!(acc.dose(), &before);
        assert!(acc.dose().iter().all(|d| d.is_finite()));
        assert_eq!(acc.steps(), 2);
    }
}

#[test]
fn ablation_ratios_and_history() {
    // 4 × 4 field; the tumor is the central 2 × 2 block.
    let mut tumor = Array2::from_elem((4, 4), false);
    for i in 1..3 {
        for j in 1..3 {
            tumor[[i, j]] = true;
        }
    }
    let mut temps = Array2::from_elem((4, 4), 40.0);
    temps[[1, 1]] = 45.0;
    temps[[1, 2]] = 44.0;
    temps[[2, 1]] = 43.5;
    temps[[2, 2]] = 42.0;
    temps[[0, 0]] = 44.5;
    let mut acc = DoseAccumulator::new(Cem43::default(), (4, 4));
    let mut history = AblationHistory::new();
    for step in 1..=60 {
        acc.add_step(&temps.view(), 60.0).unwrap();
        history
            .record(
                step as f64 * 60.0,
                acc.ablation_ratios(&tumor.view()).unwrap(),
            )
            .unwrap();
    }
    // Rates (eq. min per min): 45 °C → 4, 44.5 → 2.83, 44 → 2, 43.5 → 1.41, 42 → 0.25.
    let r = acc.ablation_ratios(&tumor.view()).unwrap();
    assert_eq!(
        r,
        AblationRatios {
            tumor: 0.75,
            healthy: 1.0 / 12.0
        }
    );
    // 45 °C kills at 15 min; the healthy cell at 44.5 °C at ceil(60/2.83) = 22 min;
    // 44 °C at 30 min; 43.5 °C at 43 min (60/1.414 = 42.4).
    assert_eq!(history.tumor_reaches(0.25).unwrap().time_s, 15.0 * 60.0);
    let onset = history.healthy_damage_onset().unwrap();
    assert_eq!(onset.time_s, 22.0 * 60.0);
    assert_eq!(onset.ratios.tumor, 0.25);
    assert_eq!(history.tumor_reaches(0.75).unwrap().time_s, 43.0 * 60.0);
    assert!(history.tumor_reaches(1.0).is_none());
    assert!(history.record(60.0, r).is_err());
    let times: Vec<f64> = history.samples().iter().map(|s| s.time_s).collect();
    let tumor_r: Vec<f64> = history.samples().iter().map(|s| s.ratios.tumor).collect();
    assert_eq!(first_crossing(&times, &tumor_r, 0.5), Some(30.0 * 60.0));
    assert_eq!(acc.ablated_fraction(&tumor.view(), "tumor").unwrap(), 0.75);
}

#[test]
fn region_errors() {
    let dose = Array2::<f64>::zeros((3, 3));
    let none = Array2::from_elem((3, 3), false);
    match ablation_ratios(&dose.view(), &none.view(), 60.0).unwrap_err() {
        DoseError::EmptyRegion { region } => assert_eq!(region, "tumor"),
        e => panic!("{e:?}"),
    }
    let all = Array2::from_elem((3, 3), true);
    assert!(matches!(
        ablation_ratios(&dose.view(), &all.view(), 60.0).unwrap_err(),
        DoseError::EmptyRegion { .. }
    ));
    let wrong = Array2::from_elem((2, 3), true);
    assert!(matches!(
        ablation_ratios(&dose.view(), &wrong.view(), 60.0).unwrap_err(),
        DoseError::ShapeMismatch { .. }
    ));
}

#[test]
fn series_errors() {
    use thermal_dose::dose_series;
    let cem = Cem43::default();
    assert!(matches!(
        dose_series(&cem, &[0.0, 1.0], &[40.0], Quadrature::Left).unwrap_err(),
        DoseError::ShapeMismatch { .. }
    ));
    assert!(matches!(
        dose_series(&cem, &[0.0, 1.0, 1.0], &[40.0; 3], Quadrature::Left).unwrap_err(),
        DoseError::NonIncreasingTime { index: 2, .. }
    ));
    assert!(matches!(
        dose_series(&cem, &[0.0, 1.0], &[40.0, f64::INFINITY], Quadrature::Left).unwrap_err(),
        DoseError::NonFiniteTemperature { .. }
    ));
    assert!(dose_series(&cem, &[f64::NAN, 1.0], &[40.0, 40.0], Quadrature::Left).is_err());
}
