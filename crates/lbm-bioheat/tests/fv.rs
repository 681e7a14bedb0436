//! The finite-volume steady and implicit transient solvers against the
//! closed forms of the Pennes slab, the LBM, and bad input.

use lbm_bioheat::validation::{
    cosh_profile, disk_source, energy_balance, gaussian_hill, heated_tumor_problem,
    observed_orders, uniform_state, zhang_2008,
};
use lbm_bioheat::{
    BioheatError, Boundary, ConstantPerfusion, FvConfig, FvSolver, Grid, Grid3, ImplicitStep,
    LbmConfig, LbmSolver, Linearization, PennesProblem, PennesProblem3, Side, SteadySolver,
    TimeScheme, TimeStep, TransientSolver,
};

fn fv(config: FvConfig) -> impl Fn(PennesProblem) -> lbm_bioheat::Result<FvSolver> {
    move |p| FvSolver::new(p, config)
}

fn steady() -> FvConfig {
    FvConfig::default().with_tolerance(1e-11).unwrap()
}

fn transient(scheme: TimeScheme, dt: f64) -> FvConfig {
    FvConfig::default()
        .with_scheme(scheme)
        .with_time_step(ImplicitStep::Fixed(dt))
        .unwrap()
        .with_tolerance(1e-11)
        .unwrap()
}

#[test]
fn cosh_profile_converges_at_second_order() {
    let errors: Vec<f64> = [20, 40, 80, 160]
        .iter()
        .map(|&n| cosh_profile(n, fv(steady())).unwrap())
        .collect();
    let orders = observed_orders(&errors);
    println!("cosh errors {errors:?}, orders {orders:?}");
    for o in &orders {
        assert!((o - 2.0).abs() < 0.1, "orders {orders:?}");
    }
    assert!(errors[3] < 2e-3, "{errors:?}");
}

#[test]
fn disk_source_matches_the_bessel_form() {
    let (err, centre) = disk_source(120, fv(steady())).unwrap();
    println!("disk err {err}, centre rise {centre}");
    assert!(err < 0.02 * centre, "max error {err} of a {centre} rise");
}

#[test]
fn uniform_state_is_exact_for_steady_and_both_schemes() {
    // Nonlinear healthy-tissue perfusion at 44 °C: T_b + Q/W(T) is a fixed
    // point of the discrete equations.
    for scheme in [TimeScheme::BackwardEuler, TimeScheme::CrankNicolson] {
        let drift = uniform_state(50, fv(transient(scheme, 5.0))).unwrap();
        assert!(drift < 1e-9, "{scheme:?}: drift {drift}");
    }
}

#[test]
fn steady_energy_balance_holds() {
    let (imbalance, peak) = energy_balance(60, fv(steady())).unwrap();
    println!("imbalance {imbalance}, peak {peak}");
    assert!(imbalance.abs() < 1e-6, "{imbalance}");
    assert!(peak > 40.0 && peak < 60.0, "{peak}");
}

#[test]
fn zhang_2008_series_with_crank_nicolson() {
    let z = zhang_2008(100, fv(transient(TimeScheme::CrankNicolson, 2.0))).unwrap();
    println!("zhang {:?} exact {:?}", z.ours, z.exact);
    assert!(z.max_error < 0.02, "{z:?}");
}

#[test]
fn zhang_2008_series_with_adaptive_backward_euler() {
    let config = FvConfig::default()
        .with_scheme(TimeScheme::BackwardEuler)
        .with_time_step(ImplicitStep::Adaptive {
            initial: 1.0,
            tolerance: 1e-4,
            min: 1e-3,
            max: 200.0,
        })
        .unwrap();
    let mut steps = 0;
    let z = zhang_2008(100, |p| {
        let s = FvSolver::new(p, config);
        steps += 1;
        s
    })
    .unwrap();
    println!("adaptive zhang {:?}", z.ours);
    assert!(z.max_error < 0.02, "{z:?}");
    assert_eq!(steps, 1);
}

#[test]
fn gaussian_hill_spreads_and_decays() {
    let err = gaussian_hill(64, fv(transient(TimeScheme::CrankNicolson, 0.5))).unwrap();
    println!("hill err {err}");
    assert!(err < 0.02, "{err}");
}

/// Errors of a Gaussian hill at t = 10 s against a run with 64× smaller
/// steps on the same grid: the time discretization error alone.
fn time_errors(scheme: TimeScheme) -> Vec<f64> {
    let run = |dt: f64| -> Vec<f64> {
        let grid = Grid::centered_square(32, 0.016).unwrap();
        let init = grid.field(|x, y| 37.0 + 5.0 * (-(x * x + y * y) / 2e-6).exp());
        let p = PennesProblem::builder(grid, "tissue", ConstantPerfusion(10.0))
            .initial_field(init)
            .build()
            .unwrap();
        let mut s = FvSolver::new(p, transient(scheme, dt)).unwrap();
        for _ in 0..(10.0 / dt).round() as usize {
            s.step().unwrap();
        }
        s.temperature().into_raw_vec_and_offset().0
    };
    let reference = run(2.0 / 64.0);
    [2.0, 1.0, 0.5]
        .iter()
        .map(|&dt| {
            run(dt)
                .iter()
                .zip(&reference)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f64::max)
        })
        .collect()
}

#[test]
fn time_order_is_one_for_backward_euler_and_two_for_crank_nicolson() {
    let be = observed_orders(&time_errors(TimeScheme::BackwardEuler));
    let cn = observed_orders(&time_errors(TimeScheme::CrankNicolson));
    println!("BE orders {be:?}, CN orders {cn:?}");
    for o in &be {
        assert!((o - 1.0).abs() < 0.15, "{be:?}");
    }
    for o in &cn {
        assert!((o - 2.0).abs() < 0.15, "{cn:?}");
    }
}

#[test]
fn agrees_with_the_lbm_steady_state_on_the_heated_tumor() {
    // Both schemes are second order: their difference falls 3.8× and 4.0×
    // from 50² to 100² to 200² (0.092, 0.024, 0.006 °C), so they converge
    // to the same solution; the paper's grid is 100².
    let n = 100;
    let lbm = LbmSolver::new(
        heated_tumor_problem(n).unwrap(),
        LbmConfig::default()
            .with_time_step(TimeStep::Tau(2.0))
            .unwrap()
            .with_steady_tolerance(1e-10)
            .unwrap(),
    )
    .unwrap()
    .solve_steady(None)
    .unwrap();
    let mut solver = FvSolver::new(heated_tumor_problem(n).unwrap(), steady()).unwrap();
    let fv = solver.solve_steady(None).unwrap();
    let diff = fv
        .temperature
        .iter()
        .zip(&lbm.temperature)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    println!("lbm vs fv {diff}, newton {}", fv.iterations);
    assert!(diff < 0.05, "{diff}");
    assert!(fv.iterations <= 10, "{}", fv.iterations);
}

#[test]
fn newton_and_picard_reach_the_same_state_and_warm_starts_are_cheaper() {
    let p = heated_tumor_problem(40).unwrap();
    let mut newton = FvSolver::new(p.clone(), steady()).unwrap();
    let a = newton.solve_steady(None).unwrap();
    let mut picard = FvSolver::new(
        p.clone(),
        steady()
            .with_linearization(Linearization::Picard)
            .with_max_iterations(2000)
            .unwrap(),
    )
    .unwrap();
    let b = picard.solve_steady(None).unwrap();
    let diff = a
        .temperature
        .iter()
        .zip(&b.temperature)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max);
    assert!(diff < 1e-8, "{diff}");
    println!("newton {} picard {}", a.iterations, b.iterations);
    assert!(
        a.iterations < b.iterations,
        "{} vs {}",
        a.iterations,
        b.iterations
    );
    // Warm start: 5 % more heat from the previous solution.
    let cold_iterations = a.iterations;
    newton
        .set_heat_source(p.heat_source().mapv(|q| 1.05 * q))
        .unwrap();
    let warm = newton.solve_steady(None).unwrap();
    let mut cold = FvSolver::new(p.clone(), steady()).unwrap();
    cold.set_heat_source(p.heat_source().mapv(|q| 1.05 * q))
        .unwrap();
    let cold = cold.solve_steady(None).unwrap();
    assert!(
        warm.iterations < cold_iterations,
        "{} vs {cold_iterations}",
        warm.iterations
    );
    let diff = warm
        .temperature
        .iter()
        .zip(&cold.temperature)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max);
    assert!(diff < 1e-8, "{diff}");
}

/// New properties set in place (the optimizer's path: φ changes k and ρc
/// at every evaluation) give the state of a solver built afresh, from a
/// warm start, and a fixed forcing the same state as the adaptive one.
#[test]
fn properties_set_in_place_match_a_fresh_solver() {
    let p = heated_tumor_problem(37).unwrap();
    let k2 = p.conductivity().mapv(|k| 1.3 * k);
    let rc2 = p.heat_capacity().mapv(|c| 0.9 * c);
    let q2 = p.heat_source().mapv(|q| 0.8 * q);
    let mut reused = FvSolver::new(p.clone(), steady()).unwrap();
    reused.solve_steady(None).unwrap();
    reused.set_properties(rc2.clone(), k2.clone()).unwrap();
    reused.set_heat_source(q2.clone()).unwrap();
    let warm = reused.solve_steady(None).unwrap();
    let mut fresh_problem = p.clone();
    fresh_problem.set_properties(rc2, k2).unwrap();
    fresh_problem.set_heat_source(q2).unwrap();
    let fixed = steady().with_forcing_max(1e-2).unwrap();
    for config in [steady(), fixed] {
        let fresh = FvSolver::new(fresh_problem.clone(), config)
            .unwrap()
            .solve_steady(None)
            .unwrap();
        let diff = warm
            .temperature
            .iter()
            .zip(&fresh.temperature)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f64::max);
        assert!(diff < 1e-8, "{diff}");
    }
    // The change matters: the first state is far from the second.
    let first = FvSolver::new(p, steady())
        .unwrap()
        .solve_steady(None)
        .unwrap();
    let moved = first
        .temperature
        .iter()
        .zip(&warm.temperature)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max);
    assert!(moved > 0.5, "{moved}");
}

#[test]
fn singular_steady_problem_is_a_typed_error() {
    let grid = Grid::centered_square(20, 0.02).unwrap();
    let p = PennesProblem::builder(grid, "tissue", ConstantPerfusion(0.0))
        .heat_source(grid.constant(1e4))
        .build()
        .unwrap();
    let err = FvSolver::new(p, FvConfig::default())
        .unwrap()
        .solve_steady(None)
        .unwrap_err();
    assert_eq!(err, BioheatError::SingularSystem);
}

#[test]
fn singular_steady_problem_is_refused_by_every_steady_solver() {
    let grid = Grid::centered_square(20, 0.02).unwrap();
    let none = PennesProblem::builder(grid, "tissue", ConstantPerfusion(0.0))
        .heat_source(grid.constant(1e4))
        .build()
        .unwrap();
    assert!(none.steady_is_singular());
    let mut lbm = LbmSolver::new(none.clone(), LbmConfig::default()).unwrap();
    assert_eq!(
        lbm.solve_steady(None).unwrap_err(),
        BioheatError::SingularSystem
    );
    assert_eq!(lbm.steps(), 0);
    // A wall that fixes the temperature makes it regular.
    let walled = PennesProblem::builder(grid, "tissue", ConstantPerfusion(0.0))
        .boundary(Side::West, Boundary::Temperature(37.0))
        .build()
        .unwrap();
    assert!(!walled.steady_is_singular());
    // A convective face that conducts nothing (h = 0) leaves it singular.
    let insulated = PennesProblem::builder(grid, "tissue", ConstantPerfusion(0.0))
        .boundary(
            Side::West,
            Boundary::Convective {
                h: 0.0,
                ambient_c: 20.0,
            },
        )
        .build()
        .unwrap();
    assert!(insulated.steady_is_singular());
    // Perfusion only below 30 °C: not singular, but a heated tissue never
    // reaches it; the continuation heats it until the divergence check
    // stops it, a typed error.
    let cold_only =
        PennesProblem::builder(grid, "tissue", |t: f64| if t < 30.0 { 1.0 } else { 0.0 })
            .heat_source(grid.constant(1e4))
            .build()
            .unwrap();
    assert!(!cold_only.steady_is_singular());
    let err = FvSolver::new(cold_only, FvConfig::default())
        .unwrap()
        .solve_steady(None)
        .unwrap_err();
    assert!(matches!(err, BioheatError::Diverged { .. }), "{err:?}");
}

/// Perfusion that starts above 40 °C (ṁ_b = 0.5·max(T − 40, 0)
/// kg/(m³·s)), all faces adiabatic and a uniform source Q: the steady
/// state is uniform, with Q = ṁ_b(T)·c_b·(T − T_b), so
/// T = 40 + (−3 + √(9 + 4Q/(0.5·c_b)))/2 for T_b = 37 °C. From 37 °C the
/// Jacobian has no sink (no perfusion yet): the solver continues in
/// pseudo-time until the perfusion starts, then Newton converges.
#[test]
fn threshold_perfusion_from_below_its_threshold() {
    let (q, cb) = (1e4, 3800.0);
    let exact = 40.0 + (-3.0 + (9.0_f64 + 4.0 * q / (0.5 * cb)).sqrt()) / 2.0;
    assert!((exact - 41.241).abs() < 1e-3);
    let law = |t: f64| 0.5 * (t - 40.0).max(0.0);
    let flat = Grid::centered_square(12, 0.02).unwrap();
    let p2 = PennesProblem::builder(flat, "tissue", law)
        .heat_source(flat.constant(q))
        .build()
        .unwrap();
    let cube = Grid3::centered_cube(6, 0.02).unwrap();
    let p3 = PennesProblem3::builder(cube, "tissue", law)
        .heat_source(cube.constant(q))
        .build()
        .unwrap();
    assert!(!p2.steady_is_singular() && !p3.steady_is_singular());
    let t2 = FvSolver::new(p2, FvConfig::default())
        .unwrap()
        .solve_steady(None)
        .unwrap()
        .temperature;
    let t3 = FvSolver::new(p3, FvConfig::default())
        .unwrap()
        .solve_steady(None)
        .unwrap()
        .temperature;
    for t in t2.iter().chain(t3.iter()) {
        assert!((t - exact).abs() < 1e-6, "{t} against {exact}");
    }
}

/// The same law under a Gaussian source, where the cells cross the
/// threshold one after another: the continuation from 37 °C must reach
/// the one steady state that Newton reaches from a start above the
/// threshold (where every cell has a sink), in 2D and 3D.
#[test]
fn threshold_perfusion_under_a_gaussian_source() {
    let law = |t: f64| 0.5 * (t - 40.0).max(0.0);
    let (q0, s2) = (5e4, 2.0 * 0.004f64.powi(2));
    let flat = Grid::centered_square(24, 0.02).unwrap();
    let p2 = PennesProblem::builder(flat, "tissue", law)
        .heat_source(flat.field(|x, y| q0 * (-(x * x + y * y) / s2).exp()))
        .build()
        .unwrap();
    let cube = Grid3::centered_cube(10, 0.02).unwrap();
    let p3 = PennesProblem3::builder(cube, "tissue", law)
        .heat_source(cube.field(|x, y, z| q0 * (-(x * x + y * y + z * z) / s2).exp()))
        .build()
        .unwrap();
    let mut s2 = FvSolver::new(p2, FvConfig::default()).unwrap();
    let cold2 = s2.solve_steady(None).unwrap().temperature;
    let s2_stats = s2.last_stats();
    // Pseudo steps, then Newton's: 7 in all here.
    assert!((4..=12).contains(&s2_stats.nonlinear_iterations));
    let warm2 = s2
        .solve_steady(Some(flat.constant(42.0).view()))
        .unwrap()
        .temperature;
    let mut s3 = FvSolver::new(p3, FvConfig::default()).unwrap();
    let cold3 = s3.solve_steady(None).unwrap().temperature;
    let s3_stats = s3.last_stats();
    let warm3 = s3
        .solve_steady(Some(cube.constant(42.0).view()))
        .unwrap()
        .temperature;
    let pairs = cold2.iter().zip(&warm2).chain(cold3.iter().zip(&warm3));
    let gap = pairs.map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
    assert!(gap < 1e-8, "{gap}");
    // Heated above the threshold everywhere, hottest at the centre.
    let peak = cold2.iter().cloned().fold(f64::MIN, f64::max);
    let low = cold2.iter().cloned().fold(f64::MAX, f64::min);
    println!(
        "threshold law, Gaussian source: 2D {:?}, 3D {:?}, max |cold − warm| {gap:.1e} °C, \
         2D field {low:.2} to {peak:.2} °C",
        s2_stats, s3_stats
    );
    assert!(cold2.iter().all(|&t| t > 40.0) && peak > 41.0, "{peak}");
}

/// The threshold law without any source: a start below the threshold
/// that is already steady is returned as it is, and a non-uniform one
/// settles (by the continuation alone: no cell ever has a sink) to the
/// uniform temperature that keeps its heat, here the mean of a ramp.
#[test]
fn threshold_perfusion_without_heating() {
    let law = |t: f64| 0.5 * (t - 40.0).max(0.0);
    let grid = Grid::centered_square(16, 0.02).unwrap();
    let p = PennesProblem::builder(grid, "tissue", law).build().unwrap();
    let mut s = FvSolver::new(p, FvConfig::default()).unwrap();
    let steady = s.solve_steady(None).unwrap();
    assert!(steady.temperature.iter().all(|&t| t == 37.0));
    assert_eq!(steady.iterations, 0);
    let ramp = grid.field(|x, _| 37.0 + 50.0 * x);
    let settled = s.solve_steady(Some(ramp.view())).unwrap().temperature;
    for t in &settled {
        assert!((t - 37.0).abs() < 1e-5, "{t}");
    }
}

/// A transient that diverges names the step being taken and the time at
/// its end; a step so short that (ρc)|V|/δt overflows is a bad time step,
/// not a singular system; grids whose cells underflow are refused.
#[test]
fn transient_errors_name_the_step() {
    let grid = Grid::centered_square(8, 0.02).unwrap();
    let hot = PennesProblem::builder(grid, "tissue", ConstantPerfusion(0.5))
        .heat_source(grid.constant(1e12))
        .build()
        .unwrap();
    let mut s = FvSolver::new(hot, transient(TimeScheme::BackwardEuler, 2.0)).unwrap();
    match s.step().unwrap_err() {
        BioheatError::Diverged { step, time_s, .. } => {
            assert_eq!((step, time_s), (1, 2.0));
        }
        e => panic!("{e:?}"),
    }
    let mild = PennesProblem::builder(grid, "tissue", ConstantPerfusion(0.5))
        .build()
        .unwrap();
    let tiny = FvConfig::default()
        .with_time_step(ImplicitStep::Fixed(1e-320))
        .unwrap();
    let e = FvSolver::new(mild, tiny).unwrap().step().unwrap_err();
    assert!(
        matches!(e, BioheatError::InvalidParameter { name, .. } if name == "time step (s)"),
        "{e:?}"
    );
    assert!(Grid::new(4, 4, 1e-170, 0.0, 0.0).is_err());
    assert!(Grid3::new([4; 3], [1e-110; 3], [0.0; 3]).is_err());
    assert!(Grid3::new([4; 3], [1e110; 3], [0.0; 3]).is_err());
}

#[test]
fn unconverged_newton_reports_its_last_residual() {
    let config = FvConfig::default().with_max_iterations(1).unwrap();
    let err = FvSolver::new(heated_tumor_problem(30).unwrap(), config)
        .unwrap()
        .solve_steady(None)
        .unwrap_err();
    match err {
        BioheatError::NewtonNotConverged {
            iterations,
            residual,
            last_update,
            ..
        } => {
            assert_eq!(iterations, 1);
            assert!(residual.is_finite() && residual > 0.0, "{residual}");
            assert!(last_update > 1.0, "{last_update}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn bad_settings_are_refused() {
    let c = FvConfig::default();
    assert!(c.with_tolerance(0.0).is_err());
    assert!(c.with_tolerance(f64::NAN).is_err());
    assert!(c.with_max_iterations(0).is_err());
    assert!(c.with_linear_tolerance(1.0, 10).is_err());
    assert!(c.with_linear_tolerance(1e-6, 0).is_err());
    assert!(c.with_forcing_max(1.0).is_err());
    assert!(c.with_forcing_max(1e-3).is_err()); // below the linear tolerance
    assert!(c.with_forcing_max(0.3).is_ok());
    assert!(c.with_time_step(ImplicitStep::Fixed(-1.0)).is_err());
    assert!(
        c.with_time_step(ImplicitStep::Adaptive {
            initial: 10.0,
            tolerance: 1e-3,
            min: 1.0,
            max: 5.0
        })
        .is_err()
    );
    assert!(c.with_temperature_limit(0.0).is_err());
    let mut s = FvSolver::new(heated_tumor_problem(10).unwrap(), c).unwrap();
    let wrong = ndarray::Array2::<f64>::zeros((3, 3));
    assert!(matches!(
        s.solve_steady(Some(wrong.view())),
        Err(BioheatError::ShapeMismatch { .. })
    ));
    let mut nan = ndarray::Array2::<f64>::from_elem((10, 10), 37.0);
    nan[[2, 3]] = f64::NAN;
    assert!(matches!(
        s.set_state(nan.view()),
        Err(BioheatError::InvalidField {
            cell: lbm_bioheat::CellIndex {
                i: 2,
                j: 3,
                k: None
            },
            ..
        })
    ));
}

#[test]
fn exported_newton_system_is_symmetric_and_solved_by_the_multigrid_cg() {
    let mut s = FvSolver::new(heated_tumor_problem(23).unwrap(), FvConfig::default()).unwrap();
    // Away from 37 °C, so the perfusion slopes enter the Jacobian.
    s.set_state(s.problem().grid().constant(41.0).view())
        .unwrap();
    let sys = s.steady_newton_system();
    assert_eq!(sys.n, 23 * 23);
    let mut dense = vec![0.0; sys.n * sys.n];
    for ((&r, &c), &v) in sys.rows.iter().zip(&sys.cols).zip(&sys.values) {
        dense[r * sys.n + c] += v;
    }
    for r in 0..sys.n {
        for c in 0..r {
            assert_eq!(dense[r * sys.n + c], dense[c * sys.n + r], "({r}, {c})");
        }
    }
    let (x, iterations) = s.solve_steady_newton_system(1e-12).unwrap();
    assert!(iterations > 0 && iterations < 40, "{iterations}");
    let scale = sys.rhs.iter().map(|b| b.abs()).fold(0.0, f64::max);
    for r in 0..sys.n {
        let ax: f64 = (0..sys.n).map(|c| dense[r * sys.n + c] * x[c]).sum();
        assert!((ax - sys.rhs[r]).abs() < 1e-9 * scale, "row {r}");
    }
    // Matrix Market files round-trip the entry count.
    let dir = std::env::temp_dir().join(format!("fv_mm_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    sys.write_matrix_market(&dir.join("a.mtx"), &dir.join("b.mtx"))
        .unwrap();
    let text = std::fs::read_to_string(dir.join("a.mtx")).unwrap();
    assert_eq!(text.lines().count(), 2 + sys.values.len());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The implicit transient against the LBM transient: the heated tumor
/// (Eqs. 3, 4) from 37 °C, 600 s, Crank–Nicolson with 2 s steps against
/// the LBM with its own (τ = 1) steps, compared at the same physical times
/// every 120 s. The difference is spatial: it falls 3.7× from 40² to 80²
/// (0.241 → 0.065 °C), as two second-order schemes converging together.
#[test]
fn implicit_transient_follows_the_lbm_transient() {
    let difference = |n: usize| -> f64 {
        let problem = heated_tumor_problem(n).unwrap();
        let mut lbm = LbmSolver::new(problem.clone(), LbmConfig::default()).unwrap();
        let mut fv = FvSolver::new(problem, transient(TimeScheme::CrankNicolson, 2.0)).unwrap();
        let mut worst: f64 = 0.0;
        for k in 1..=5 {
            let t = 120.0 * k as f64;
            while fv.time() < t - 1e-9 {
                fv.step().unwrap();
            }
            // The LBM's step does not divide 120 s: interpolate linearly
            // between the two steps around t.
            let (mut before, mut t_before) = (lbm.temperature(), lbm.time());
            while lbm.time() < t {
                (before, t_before) = (lbm.temperature(), lbm.time());
                lbm.step().unwrap();
            }
            let w = (t - t_before) / (lbm.time() - t_before);
            let after = lbm.temperature();
            for ((a, b), c) in before.iter().zip(&after).zip(fv.temperature().iter()) {
                worst = worst.max((a + w * (b - a) - c).abs());
            }
        }
        let peak = fv
            .temperature()
            .iter()
            .cloned()
            .fold(f64::NEG_INFINITY, f64::max);
        assert!(peak > 44.0, "{n}: peak {peak}");
        worst
    };
    let (coarse, fine) = (difference(40), difference(80));
    println!("max |LBM - CN|: {coarse:.4} °C at 40^2, {fine:.4} °C at 80^2");
    assert!(fine < 0.1, "{fine}");
    assert!(coarse / fine > 3.0, "{coarse} -> {fine}");
}

/// The `SteadySolver` contract, for both solvers: a fresh solver starts
/// cold; `None` after a solve starts warm from the last solution (an
/// unchanged problem then converges at once, a 5 % change in few
/// iterations); `Some(guess)` starts from the guess; the answer does not
/// depend on the start.
#[test]
fn both_solvers_keep_the_warm_start_contract() {
    fn check<S: SteadySolver>(
        name: &str,
        make: &dyn Fn(PennesProblem) -> S,
        set_source: &dyn Fn(&mut S, ndarray::Array2<f64>),
        tol: f64,
    ) {
        let p = heated_tumor_problem(30).unwrap();
        let q2 = p.heat_source().mapv(|q| 1.05 * q);
        let mut solver = make(p.clone());
        let cold = solver.solve_steady(None).unwrap();
        // Unchanged problem, warm: already converged.
        let again = solver.solve_steady(None).unwrap();
        assert!(again.iterations <= 2, "{name}: {}", again.iterations);
        // 5 % more heat, warm, against a cold solve of the same problem.
        set_source(&mut solver, q2.clone());
        let warm = solver.solve_steady(None).unwrap();
        let mut fresh = make(p.clone());
        set_source(&mut fresh, q2);
        let cold2 = fresh.solve_steady(None).unwrap();
        assert!(
            warm.iterations < cold2.iterations,
            "{name}: warm {} vs cold {}",
            warm.iterations,
            cold2.iterations
        );
        let diff = |a: &ndarray::Array2<f64>, b: &ndarray::Array2<f64>| {
            a.iter()
                .zip(b)
                .map(|(x, y)| (x - y).abs())
                .fold(0.0, f64::max)
        };
        assert!(diff(&warm.temperature, &cold2.temperature) < tol, "{name}");
        // A guess: the first problem's solution, given to a fresh solver.
        let mut guessed = make(p);
        let from_guess = guessed.solve_steady(Some(cold.temperature.view())).unwrap();
        // (The LBM starts a guess at equilibrium distributions and needs
        // steps to rebuild their non-equilibrium part; far fewer than cold.)
        assert!(
            from_guess.iterations * 4 < cold.iterations,
            "{name}: guess {} vs cold {}",
            from_guess.iterations,
            cold.iterations
        );
        assert!(
            diff(&from_guess.temperature, &cold.temperature) < tol,
            "{name}"
        );
        assert!(cold.iterations > 2, "{name}: the cold solve did work");
    }
    check(
        "finite volumes",
        &|p| FvSolver::new(p, steady()).unwrap(),
        &|s, q| s.set_heat_source(q).unwrap(),
        1e-8,
    );
    check(
        "LBM",
        &|p| {
            LbmSolver::new(
                p,
                LbmConfig::default()
                    .with_time_step(TimeStep::Tau(1.0))
                    .unwrap()
                    .with_steady_tolerance(1e-9)
                    .unwrap(),
            )
            .unwrap()
        },
        &|s, q| s.set_heat_source(q).unwrap(),
        1e-4,
    );
}
