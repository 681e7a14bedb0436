//! The optimizer: optima, invariants, determinism, bad input.

use proptest::prelude::*;
use pso::functions::{
    Ackley, Griewank, Rastrigin, Rosenbrock, SHUBERT_MINIMUM, Shubert, Sphere, TestFunction,
};
use pso::{
    BoundHandling, Bounds, Generation, Goal, Inertia, Objective, Pso, PsoError, Topology, Update,
};
use std::ops::ControlFlow;

#[test]
fn known_minima_of_the_test_functions() {
    assert_eq!(Sphere.evaluate(&[0.0; 5]), 0.0);
    assert!(Rastrigin.evaluate(&[0.0; 5]).abs() < 1e-12);
    assert!(Rosenbrock.evaluate(&[1.0; 4]).abs() < 1e-12);
    assert!(Ackley.evaluate(&[0.0; 3]).abs() < 1e-12);
    assert!(Griewank.evaluate(&[0.0; 3]).abs() < 1e-12);
    // One of Shubert's 18 global minima.
    assert!((Shubert.evaluate(&[-7.0835, 4.8580]) - SHUBERT_MINIMUM).abs() < 1e-3);
    assert!(Shubert.bounds(3).is_err());
}

#[test]
fn sphere_minimum_found_to_1e_6() {
    let r = Pso::paper()
        .with_seed(1)
        .run(&Sphere, Goal::Minimize, &Sphere.bounds(5).unwrap())
        .unwrap();
    assert!(r.best_value < 1e-6, "{}", r.best_value);
    assert!(r.best_position.iter().all(|v| v.abs() < 1e-3));
    assert_eq!(r.history.len(), 300);
    assert_eq!(r.evaluations, 6000);
    // The best-so-far never worsens.
    assert!(r.history.windows(2).all(|w| w[1].best <= w[0].best));
    // The paper's inertia falls linearly from 0.8 to 0.
    assert_eq!(r.history[0].inertia, 0.8);
    assert!(r.history[299].inertia.abs() < 1e-15);
}

#[test]
fn shubert_and_rastrigin_like_table_c1() {
    let r = Pso::paper()
        .with_seed(3)
        .run(&Shubert, Goal::Minimize, &Shubert.bounds(2).unwrap())
        .unwrap();
    assert!(
        (r.best_value - SHUBERT_MINIMUM).abs() < 1e-2,
        "{}",
        r.best_value
    );
    let r = Pso::paper()
        .with_seed(3)
        .run(&Rastrigin, Goal::Minimize, &Rastrigin.bounds(2).unwrap())
        .unwrap();
    assert!(r.best_value < 1e-6, "{}", r.best_value);
}

#[test]
fn maximization_of_a_closure() {
    let f = |x: &[f64]| -((x[0] - 0.25).powi(2) + (x[1] - 0.75).powi(2));
    let r = Pso::paper()
        .run(&f, Goal::Maximize, &Bounds::unit(2).unwrap())
        .unwrap();
    assert!((r.best_position[0] - 0.25).abs() < 1e-4 && (r.best_position[1] - 0.75).abs() < 1e-4);
    assert!(r.best_value <= 0.0 && r.best_value > -1e-8);
}

#[test]
fn identical_bits_on_one_and_two_threads() {
    let bounds = Rastrigin.bounds(5).unwrap();
    let run = |threads: usize, parallel: bool| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            Pso::paper()
                .with_seed(42)
                .with_parallel(parallel)
                .with_recorded_positions(true)
                .run(&Rastrigin, Goal::Minimize, &bounds)
                .unwrap()
        })
    };
    let (a, b, c) = (run(1, true), run(2, true), run(2, false));
    assert_eq!(a, b);
    assert_eq!(a, c);
    assert_eq!(a.best_value.to_bits(), b.best_value.to_bits());
    // A different seed gives a different run.
    let d = Pso::paper()
        .with_seed(43)
        .run(&Rastrigin, Goal::Minimize, &bounds)
        .unwrap();
    assert_ne!(a.best_position, d.best_position);
}

/// NaN values are the worst: they never become the best, whatever the goal.
#[test]
fn nan_never_becomes_the_best() {
    // NaN on the right half of the box, a valley on the left.
    let f = |x: &[f64]| {
        if x[0] > 0.0 {
            f64::NAN
        } else {
            (x[0] + 0.5).powi(2) + x[1] * x[1]
        }
    };
    let b = Bounds::uniform(2, -1.0, 1.0).unwrap();
    for goal in [Goal::Minimize, Goal::Maximize] {
        let r = Pso::paper().with_seed(5).run(&f, goal, &b).unwrap();
        assert!(r.best_value.is_finite(), "{goal:?}");
        assert!(r.best_position[0] <= 0.0);
        assert!(r.history.iter().all(|g| g.best.is_finite()));
    }
    let all_nan = |_: &[f64]| f64::NAN;
    let r = Pso::paper()
        .with_generations(3)
        .unwrap()
        .run(&all_nan, Goal::Minimize, &b)
        .unwrap();
    assert_eq!(r.best_value, f64::INFINITY);
    assert!(r.history[0].mean.is_nan());
}

#[test]
fn variants_converge_on_sphere() {
    let b = Sphere.bounds(4).unwrap();
    let base = || Pso::paper().with_seed(11);
    let variants = vec![
        (
            "ring",
            base()
                .with_topology(Topology::Ring { neighbours: 1 })
                .unwrap(),
        ),
        (
            "von neumann",
            base().with_topology(Topology::VonNeumann).unwrap(),
        ),
        (
            "constriction",
            base()
                .with_acceleration(2.05, 2.05)
                .unwrap()
                .with_update(Update::Constriction)
                .unwrap(),
        ),
        (
            "exponential",
            base()
                .with_update(Update::Inertia(Inertia::Exponential {
                    start: 0.9,
                    end: 0.2,
                }))
                .unwrap(),
        ),
        (
            "constant",
            base()
                .with_update(Update::Inertia(Inertia::Constant(0.6)))
                .unwrap(),
        ),
        (
            "reflect",
            base().with_bound_handling(BoundHandling::Reflect),
        ),
        ("reseed", base().with_bound_handling(BoundHandling::Reseed)),
        ("velocity clamp", base().with_velocity_clamp(0.2).unwrap()),
    ];
    for (name, pso) in variants {
        let r = pso.run(&Sphere, Goal::Minimize, &b).unwrap();
        assert!(r.best_value < 1e-4, "{name}: {}", r.best_value);
    }
}

#[test]
fn observer_and_stagnation_stop_early() {
    let b = Sphere.bounds(2).unwrap();
    let mut seen = 0;
    let r = Pso::paper()
        .run_observed(&Sphere, Goal::Minimize, &b, &mut |g: &Generation| {
            seen += 1;
            if g.index == 9 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
        .unwrap();
    assert_eq!((seen, r.history.len(), r.evaluations), (10, 10, 200));
    assert!(r.stopped_early);
    let flat = |_: &[f64]| 1.0;
    let r = Pso::paper()
        .with_stagnation(0.0, 5)
        .unwrap()
        .run(&flat, Goal::Minimize, &b)
        .unwrap();
    assert_eq!(r.history.len(), 6);
    assert!(r.stopped_early);
}

#[test]
fn initial_positions_are_used_and_checked() {
    let b = Bounds::unit(2).unwrap();
    let init = vec![vec![0.5, 0.5]; 20];
    let r = Pso::paper()
        .with_generations(1)
        .unwrap()
        .with_initial_positions(init.clone())
        .with_recorded_positions(true)
        .run(&Sphere, Goal::Minimize, &b)
        .unwrap();
    assert_eq!(r.history[0].positions.as_ref().unwrap(), &init);
    let bad = Pso::paper().with_initial_positions(vec![vec![0.5, 1.5]; 20]);
    assert_eq!(
        bad.run(&Sphere, Goal::Minimize, &b).unwrap_err(),
        PsoError::InitialOutsideBounds {
            particle: 0,
            dim: 1,
            value: 1.5
        }
    );
    let short = Pso::paper().with_initial_positions(vec![vec![0.5, 0.5]; 3]);
    assert!(matches!(
        short.run(&Sphere, Goal::Minimize, &b).unwrap_err(),
        PsoError::DimensionMismatch { .. }
    ));
}

#[test]
fn bad_settings_are_typed_errors() {
    assert_eq!(
        Bounds::new(vec![], vec![]).unwrap_err(),
        PsoError::EmptyBounds
    );
    assert_eq!(
        Bounds::new(vec![0.0, 2.0], vec![1.0, 1.0]).unwrap_err(),
        PsoError::InvalidBounds {
            dim: 1,
            lower: 2.0,
            upper: 1.0
        }
    );
    assert!(Bounds::new(vec![0.0], vec![f64::INFINITY]).is_err());
    assert!(Bounds::new(vec![0.0], vec![1.0, 2.0]).is_err());
    assert!(Pso::paper().with_particles(0).is_err());
    assert!(Pso::paper().with_generations(0).is_err());
    assert!(Pso::paper().with_acceleration(-1.0, 1.5).is_err());
    assert!(Pso::paper().with_update(Update::Constriction).is_err()); // c1 + c2 = 3 ≤ 4
    assert!(
        Pso::paper()
            .with_update(Update::Inertia(Inertia::Constant(f64::NAN)))
            .is_err()
    );
    assert!(
        Pso::paper()
            .with_update(Update::Inertia(Inertia::Exponential {
                start: 0.9,
                end: 0.0
            }))
            .is_err()
    );
    assert!(
        Pso::paper()
            .with_topology(Topology::Ring { neighbours: 0 })
            .is_err()
    );
    assert!(Pso::paper().with_velocity_clamp(0.0).is_err());
    assert!(Pso::paper().with_stagnation(-1.0, 5).is_err());
    assert!(Pso::paper().with_stagnation(1e-6, 0).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Every evaluated position lies inside the box, for any box, seed and
    /// bound strategy.
    #[test]
    fn positions_stay_inside_bounds(
        lows in prop::collection::vec(-100.0..100.0f64, 1..5),
        widths in prop::collection::vec(1e-3..50.0f64, 5),
        seed in any::<u64>(),
        strategy in 0..3usize,
    ) {
        let d = lows.len();
        let highs: Vec<f64> = lows.iter().zip(&widths).map(|(l, w)| l + w).collect();
        let b = Bounds::new(lows.clone(), highs[..d].to_vec()).unwrap();
        let handling = [BoundHandling::Clamp, BoundHandling::Reflect, BoundHandling::Reseed][strategy];
        // An objective pulling far outside the box makes particles push at it.
        let target: Vec<f64> = highs.iter().map(|h| h + 1e3).collect();
        let f = |x: &[f64]| x.iter().zip(&target).map(|(a, t)| (a - t).powi(2)).sum::<f64>();
        let r = Pso::paper().with_seed(seed).with_generations(30).unwrap().with_particles(8).unwrap()
            .with_bound_handling(handling).with_recorded_positions(true)
            .run(&f, Goal::Minimize, &b).unwrap();
        for g in &r.history {
            for x in g.positions.as_ref().unwrap() {
                prop_assert!(b.contains(x), "{x:?} outside {b:?}");
            }
        }
        prop_assert!(b.contains(&r.best_position));
    }
}

/// A user's batch evaluation is used, and is held to the same contract.
#[test]
fn custom_batch_evaluation() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    struct Batched(AtomicUsize);
    impl Objective for Batched {
        fn evaluate(&self, x: &[f64]) -> f64 {
            x.iter().map(|v| v * v).sum()
        }
        fn evaluate_batch(&self, positions: &[Vec<f64>], values: &mut [f64], _parallel: bool) {
            self.0.fetch_add(1, Ordering::Relaxed);
            for (v, x) in values.iter_mut().zip(positions) {
                *v = self.evaluate(x);
            }
        }
    }
    let f = Batched(AtomicUsize::new(0));
    let b = Sphere.bounds(3).unwrap();
    let r = Pso::paper()
        .with_seed(9)
        .run(&f, Goal::Minimize, &b)
        .unwrap();
    assert_eq!(f.0.load(Ordering::Relaxed), 300); // one call per generation
    let plain = Pso::paper()
        .with_seed(9)
        .run(&Sphere, Goal::Minimize, &b)
        .unwrap();
    assert_eq!(r.best_value, plain.best_value);
}
