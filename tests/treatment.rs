//! The treatment pipelines: the objective's parts on hand-made
//! temperature fields, PSO against a fine grid search, thread-count
//! independence, scenario files (round trip and bad files), the dose
//! assessment and the figures.

use mnp_suite::Error;
#[cfg(feature = "figures")]
use mnp_suite::app::figures::{
    FieldMap, MapKind, TreatmentReport, Window, ablation_curves, convergence, field_map,
    treatment_report,
};
#[cfg(feature = "scenario-file")]
use mnp_suite::app::scenario_file::ScenarioFile;
use mnp_suite::bioheat::{Grid, Shape};
use mnp_suite::physics::InjectionReference;
use mnp_suite::treatment::assessment::{DoseSettings, assess_dose};
use mnp_suite::treatment::objective::{
    ObjectiveWeights, SolverChoice, TreatmentProblem, Workspace, treatment_metrics,
};
use mnp_suite::treatment::optimize::{OptimizationSettings, optimize};
use mnp_suite::treatment::scenario::{GridAlignment, Scenario, Tumor};
use mnp_suite::treatment::strategy::{Circular, Elliptical, InjectionStrategy, UserSites};
use ndarray::Array2;
use std::sync::Arc;

fn circle_setup(n: usize) -> (Grid, Array2<bool>, Vec<(f64, f64)>) {
    let grid = Grid::centered_square(n, 0.05).unwrap();
    let tumor = Shape::circle(0.0, 0.0, 5e-3).unwrap();
    (grid, tumor.mask(&grid), tumor.boundary_points(360))
}

/// Uniform 43.5 °C: the whole tumor in band, no healthy cell below 43,
/// the interface 0.5 °C off: R_int = e^(−0.5). R_dose = 1 − 0.125^(1/3).
#[test]
fn objective_parts_of_a_uniform_field() {
    let (grid, mask, interface) = circle_setup(40);
    let t = Array2::from_elem((40, 40), 43.5);
    let w = ObjectiveWeights::paper();
    let m = treatment_metrics(&grid, &t, &mask, &interface, 0.125, &w).unwrap();
    assert_eq!(m.r_tum, 1.0);
    assert_eq!(m.r_tis, 0.0);
    assert!((m.r_int - (-0.5f64).exp()).abs() < 1e-12, "{}", m.r_int);
    assert!((m.r_dose - 0.5).abs() < 1e-12);
    let j = 0.3 + 0.2 * (-0.5f64).exp() + 0.2 * 0.5;
    assert!((m.j - j).abs() < 1e-12);
    // Dropping R_dose removes its term only.
    let m2 = treatment_metrics(
        &grid,
        &t,
        &mask,
        &interface,
        0.125,
        &ObjectiveWeights::without_dose(),
    )
    .unwrap();
    assert!((m2.j - (j - 0.1)).abs() < 1e-12);
    assert_eq!(m2.r_dose, m.r_dose);
}

/// A hand-made field: the tumor's left half at 44 °C, its right half at
/// 47 °C (overheated), healthy tissue at 37 °C except a ring of 45 °C
/// cells; the counts are known, and T = 43 + x/L linear in x gives
/// R_int from the mean of (x_i/L)² over the interface points.
#[test]
fn objective_parts_count_cells_and_sample_the_interface() {
    let (grid, mask, interface) = circle_setup(50);
    let mut t = Array2::from_elem((50, 50), 37.0);
    let (mut tumor_cells, mut in_band, mut healthy, mut hot) = (0, 0, 0, 0);
    for ((i, j), v) in t.indexed_iter_mut() {
        let (x, y) = (grid.x(i), grid.y(j));
        if mask[[i, j]] {
            tumor_cells += 1;
            *v = if x < 0.0 { 44.0 } else { 47.0 };
            in_band += usize::from(x < 0.0);
        } else {
            healthy += 1;
            if (x * x + y * y).sqrt() < 7e-3 {
                *v = 45.0;
                hot += 1;
            }
        }
    }
    let w = ObjectiveWeights::paper();
    let m = treatment_metrics(&grid, &t, &mask, &interface, 1.0, &w).unwrap();
    assert!((m.r_tum - in_band as f64 / tumor_cells as f64).abs() < 1e-15);
    assert!((m.r_tis - (healthy - hot) as f64 / healthy as f64).abs() < 1e-15);
    assert_eq!(m.r_dose, 0.0);
    // Linear field: bilinear interpolation is exact.
    let l = 0.01;
    let lin = Array2::from_shape_fn((50, 50), |(i, _)| 43.0 + grid.x(i) / l);
    let m = treatment_metrics(&grid, &lin, &mask, &interface, 1.0, &w).unwrap();
    let ms: f64 =
        interface.iter().map(|(x, _)| (x / l).powi(2)).sum::<f64>() / interface.len() as f64;
    assert!((m.r_int - (-ms.sqrt()).exp()).abs() < 1e-12);
    // Bad input: a NaN, a mask of the wrong shape.
    let mut nan = t.clone();
    nan[[3, 4]] = f64::NAN;
    assert!(treatment_metrics(&grid, &nan, &mask, &interface, 1.0, &w).is_err());
    let small = Array2::from_elem((10, 10), true);
    assert!(treatment_metrics(&grid, &t, &small, &interface, 1.0, &w).is_err());
}

fn one_site_problem(cells: usize) -> TreatmentProblem {
    TreatmentProblem::new(
        Scenario::paper_circular(cells, 0.05, GridAlignment::NodeAtCentre).unwrap(),
        Arc::new(Circular::new(1).unwrap()),
        InjectionReference::paper(),
        ObjectiveWeights::paper(),
        SolverChoice::FiniteVolume,
    )
    .unwrap()
}

/// On a coarse grid, PSO on the one-site case reaches a J within 0.02 of a
/// fine grid search over (k_φ, k_σ).
#[test]
fn pso_matches_a_fine_grid_search_on_one_site() {
    let problem = one_site_problem(40);
    let mut ws = Workspace::default();
    let steps = 60;
    let mut best = f64::NEG_INFINITY;
    for a in 0..=steps {
        for b in 1..=steps {
            let x = [a as f64 / steps as f64, b as f64 / steps as f64];
            let j = problem.evaluate(&x, &mut ws).unwrap().metrics.j;
            best = best.max(j);
        }
    }
    let settings = OptimizationSettings::new(20, 80).unwrap().with_seed(1);
    let report = optimize(&problem, &settings, &mut |_, _| {}).unwrap();
    let j = report.best.metrics.j;
    assert!((j - best).abs() <= 0.02, "PSO {j} vs grid {best}");
    assert!(j > 0.6, "{j}");
    // The history's best never falls and ends at the reported optimum
    // (re-evaluated cold, so equal to within the solver's tolerance).
    assert!(
        report
            .history
            .windows(2)
            .all(|w| w[1].best_j >= w[0].best_j)
    );
    let last = report.history.last().unwrap();
    assert!((last.best_j - j).abs() < 1e-3);
    assert_eq!(last.best_position, report.best_position);
}

/// The same seed gives the same optimum with parallel and sequential
/// evaluation.
#[test]
fn optimization_is_independent_of_threads() {
    let problem = TreatmentProblem::new(
        Scenario::paper_elliptical(30, 0.05, GridAlignment::NodeAtCentre).unwrap(),
        Arc::new(Elliptical::new(4).unwrap()),
        InjectionReference::paper(),
        ObjectiveWeights::paper(),
        SolverChoice::FiniteVolume,
    )
    .unwrap();
    let run = |parallel| {
        let s = OptimizationSettings::new(8, 10)
            .unwrap()
            .with_seed(7)
            .with_parallel(parallel);
        optimize(&problem, &s, &mut |_, _| {}).unwrap()
    };
    let (a, b) = (run(true), run(false));
    assert_eq!(a.best_position, b.best_position);
    assert_eq!(a.best.metrics, b.best.metrics);
    assert_eq!(a.evaluations, 80);
}

#[test]
fn strategies_place_their_sites() {
    let r = InjectionReference::paper();
    let d0 = r.d0();
    let c = Circular::rotated(4, 45.0).unwrap();
    let l = c.layout(&r, &[0.5, 0.5, 0.5]).unwrap();
    let s = &l.cloud.sites()[0];
    assert!((s.x() - 0.5 * d0 * 0.5f64.sqrt()).abs() < 1e-15);
    assert!((l.dose_ratio - 4.0 * 0.5 * 0.25).abs() < 1e-15);
    let e = Elliptical::new(8).unwrap();
    assert_eq!(e.variables().len(), 6);
    let l = e.layout(&r, &[0.5, 0.5, 1.0, 1.0, 1.0, 1.0 / 3.0]).unwrap();
    let xs: Vec<(f64, f64)> = l.cloud.sites().iter().map(|s| (s.x(), s.y())).collect();
    assert!((xs[0].0 - 1.25 * d0).abs() < 1e-15);
    assert!((xs[2].1 - 0.8 * d0).abs() < 1e-15);
    // β = 30°: the inclined sites at (d cos β, d sin β).
    assert!((xs[4].0 - d0 * 30f64.to_radians().cos()).abs() < 1e-15);
    assert!((xs[4].1 - d0 * 0.5).abs() < 1e-12);
    let fixed = Elliptical::eight_fixed_beta(30.0).unwrap();
    assert_eq!(fixed.variables().len(), 5);
    // Per-site doses.
    let u = UserSites::new(vec![(0.0, 0.0, 1.0), (1e-3, 0.0, 3.0)]).unwrap();
    let l = u.layout(&r, &[1.0, 1.0]).unwrap();
    assert!((l.cloud.sites()[1].volume() - 3.0 * l.cloud.sites()[0].volume()).abs() < 1e-20);
    // Eq. 8: V_i = w_i k_σ² k_φ φ0, so V = (1 + 3)·φ0 at k_φ = k_σ = 1.
    assert!((l.total_volume_m2 - 4.0 * r.phi0()).abs() <= 1e-12 * r.phi0());
    assert!((l.dose_ratio - 4.0).abs() < 1e-12);
    assert!(UserSites::new(vec![]).is_err());
    assert!(Elliptical::new(3).is_err());
    assert!(c.layout(&r, &[0.5]).is_err());
}

#[cfg(feature = "scenario-file")]
#[test]
fn scenario_files_round_trip() {
    let default = ScenarioFile::default();
    let text = default.to_toml().unwrap();
    assert_eq!(ScenarioFile::from_toml(&text).unwrap(), default);
    assert_eq!(ScenarioFile::from_toml("").unwrap(), default);
    let custom = ScenarioFile::from_toml(
        r#"
        [tumor]
        shape = "ellipse"
        [injection]
        strategy = "sites"
        [[injection.site]]
        x_mm = 1.0
        y_mm = -2.0
        weight = 2.0
        [[injection.site]]
        x_mm = -1.0
        y_mm = 0.5
        [pso]
        particles = 5
        "#,
    )
    .unwrap();
    assert_eq!(custom.injection.site.len(), 2);
    assert_eq!(custom.injection.site[1].weight, 1.0);
    let again = ScenarioFile::from_toml(&custom.to_toml().unwrap()).unwrap();
    assert_eq!(again, custom);
    let built = custom.build().unwrap();
    assert_eq!(built.settings.particles(), 5);
    assert_eq!(built.problem.strategy().sites(), 2);
}

#[cfg(feature = "scenario-file")]
fn scenario_error(text: &str) -> (String, String) {
    let err = ScenarioFile::from_toml(text).and_then(|f| f.build().map(|_| ()));
    match err {
        Err(Error::Scenario { key, message }) => (key, message),
        other => panic!("expected a scenario error, got {other:?}"),
    }
}

#[cfg(feature = "scenario-file")]
#[test]
fn bad_scenario_files_name_the_key() {
    let (k, m) = scenario_error("[grid]\ncells = 100\n[tumor]\nradius = 4.0\n");
    assert_eq!(k, "tumor.radius (line 4)");
    assert!(m.contains("unknown field `radius`"), "{m}");
    let (k, _) = scenario_error("[grid]\ncells = 3\n");
    assert_eq!(k, "grid.cells");
    let (k, _) = scenario_error("[grid]\nside_mm = -1.0\n");
    assert_eq!(k, "grid.side_mm");
    let (k, m) = scenario_error("[tumor]\nradius_mm = 40.0\n");
    assert_eq!(k, "tumor");
    assert!(m.contains("outside the block"), "{m}");
    let (k, m) = scenario_error("[tumor]\nshape = \"triangle\"\n");
    assert_eq!(k, "tumor.shape (line 2)");
    assert!(
        m.contains("unknown variant `triangle`") && m.contains("`ellipse`"),
        "{m}"
    );
    let (k, _) = scenario_error("[tumor]\nshape = \"mask\"\n");
    assert_eq!(k, "tumor.mask_file");
    let (k, _) = scenario_error("[injection]\nstrategy = \"elliptical\"\nsites = 3\n");
    assert_eq!(k, "injection.sites");
    let (k, _) = scenario_error("[pso]\nparticles = 0\n");
    assert_eq!(k, "pso.particles");
    let (k, m) = scenario_error("[solver]\nkind = \"spectral\"\n");
    assert_eq!(k, "solver.kind (line 2)");
    assert!(m.contains("expected `fv` or `lbm`"), "{m}");
    let (k, m) = scenario_error(
        "[dose]\nduration_min = 60.0\n[injection]\nstrategy = \"sites\"\n[[injection.site]]\nx_mm = 1.0\n",
    );
    assert_eq!(k, "injection.site.y_mm (line 5)");
    assert!(m.contains("missing field `y_mm`"), "{m}");
    let (k, _) = scenario_error("[injection]\nstrategy = \"spiral\"\n");
    assert_eq!(k, "injection.strategy (line 2)");
    let (k, _) = scenario_error("[grid]\nalignment = \"node\"\n");
    assert_eq!(k, "grid.alignment (line 2)");
    let (k, _) = scenario_error("[objective]\nw_tumor = -1.0\n");
    assert_eq!(k, "objective");
    let (k, _) = scenario_error("[dose]\ntime_step_s = 0.0\n");
    assert_eq!(k, "dose.time_step_s");
    let (k, m) = scenario_error("[grid]\ncells = \"many\"\n");
    assert_eq!(k, "grid.cells (line 2)");
    assert!(m.contains("invalid type"), "{m}");
}

/// Scenario files whose tumor covers no cell: a mask file of zeros, and a
/// circle smaller than a cell between the nodes.
#[cfg(feature = "scenario-file")]
#[test]
fn scenario_files_without_a_tumor_are_refused() {
    let dir = std::env::temp_dir().join(format!("mnp_mask_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let row = ["0"; 12].join(",");
    std::fs::write(dir.join("zeros.csv"), vec![row; 12].join("\n")).unwrap();
    std::fs::write(
        dir.join("case.toml"),
        "[grid]\ncells = 12\n[tumor]\nshape = \"mask\"\nmask_file = \"zeros.csv\"\n",
    )
    .unwrap();
    let err = ScenarioFile::read(&dir.join("case.toml"))
        .unwrap()
        .build()
        .unwrap_err();
    assert!(
        matches!(err, Error::Scenario { ref key, ref message } if key == "tumor" && message.contains("no cell")),
        "{err}"
    );
    // A bad mask value names its line and column.
    let mut rows = vec![vec!["0"; 8]; 8];
    rows[1][2] = "x";
    let text: Vec<String> = rows.iter().map(|r| r.join(",")).collect();
    std::fs::write(dir.join("bad.csv"), text.join("\n")).unwrap();
    let case = "[grid]\ncells = 8\n[tumor]\nshape = \"mask\"\nmask_file = \"bad.csv\"\n";
    std::fs::write(dir.join("bad.toml"), case).unwrap();
    let err = ScenarioFile::read(&dir.join("bad.toml"))
        .unwrap()
        .build()
        .unwrap_err();
    assert!(
        matches!(err, Error::Scenario { ref key, ref message } if key == "tumor.mask_file" && message.contains("line 2 column 3")),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).ok();
    let (k, m) = scenario_error("[tumor]\nradius_mm = 0.01\ncentre_x_mm = 0.1\n");
    assert_eq!(k, "tumor");
    assert!(m.contains("no cell"), "{m}");
}

/// A tumor mask with no cell, and one of the wrong shape.
#[test]
fn empty_or_misshapen_masks_are_refused() {
    let block = Scenario::paper_circular(20, 0.05, GridAlignment::NodeAtCentre).unwrap();
    let empty = block
        .clone()
        .with_tumor(Tumor::Mask(Array2::from_elem((20, 20), false)));
    assert!(matches!(empty, Err(Error::Scenario { ref key, .. }) if key == "tumor"));
    let wrong = block.with_tumor(Tumor::Mask(Array2::from_elem((5, 5), true)));
    assert!(matches!(wrong, Err(Error::Scenario { ref key, .. }) if key == "tumor.mask"));
}

/// A strong one-site plan on a coarse grid: R_CEM43 never falls, the
/// tumor is ablated before the march stops, and a snapshot is kept.
#[test]
fn dose_assessment_accumulates() {
    let problem = one_site_problem(30);
    let settings = DoseSettings::default()
        .with_duration_s(3.0 * 3600.0)
        .unwrap()
        .with_time_step_s(20.0)
        .unwrap()
        .with_stop_at_healthy_damage(true);
    let d = assess_dose(&problem, &[0.8, 0.7], &settings, &[30.0], &mut |_| {}).unwrap();
    assert!(
        d.samples
            .windows(2)
            .all(|w| w[1].r_cem43_tumor >= w[0].r_cem43_tumor
                && w[1].r_cem43_healthy >= w[0].r_cem43_healthy)
    );
    assert!(d.samples.last().unwrap().r_cem43_tumor > 0.5);
    assert_eq!(d.snapshots.len(), 1);
    // This plan overheats the healthy rim: the march stops when healthy
    // tissue first dies, with the tumor's R_CEM43 of that moment.
    let h = d.healthy_damage_min.expect("healthy damage reached");
    let r = d.r_cem43_tumor_at_damage.expect("tumor R_CEM43 at damage");
    assert!(
        (d.simulated_min - h).abs() < 1e-9,
        "{} vs {h}",
        d.simulated_min
    );
    let ablated = d.tumor_ablated_min.expect("tumor ablated");
    assert!(ablated < h && r == 1.0, "{ablated} {h} {r}");
    assert!(matches!(
        settings.with_time_step_s(-1.0),
        Err(Error::Scenario { ref key, .. }) if key == "dose.time_step_s"
    ));
    assert!(settings.with_duration_s(f64::NAN).is_err());
    assert!(OptimizationSettings::new(0, 10).is_err());
    assert!(ObjectiveWeights::new(0.3, -0.1, 0.2, None).is_err());
    assert!(ObjectiveWeights::new(0.0, 0.0, 0.0, Some(0.0)).is_err());
}

#[cfg(feature = "figures")]
#[test]
fn figures_are_written_as_png_and_svg() {
    let dir = std::env::temp_dir().join(format!("mnp_figures_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let problem = one_site_problem(20);
    let e = problem
        .evaluate(&[0.6, 0.6], &mut Workspace::default())
        .unwrap();
    let grid = problem.scenario().grid();
    let max = e.temperature.iter().copied().fold(f64::MIN, f64::max);
    assert!(max > 46.0, "the test needs both isotherms: T_max {max}");
    let map = FieldMap {
        title: "T",
        grid,
        field: &e.temperature,
        kind: MapKind::Temperature,
        outline: problem.interface(),
        outline_segments: &[],
        axes: ("x", "y"),
        sites: &[(0.0, 0.0)],
        window: Window::Whole,
    };
    for ext in ["png", "svg"] {
        let path = dir.join(format!("t.{ext}"));
        field_map(&path, &map).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        if ext == "png" {
            assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        } else {
            let svg = String::from_utf8_lossy(&bytes);
            assert!(svg.contains("<svg"));
            // The colour bar's unit and both isotherms in the legend (not
            // marked "not reached").
            for text in ["T (°C)", "43 °C", "46 °C", "tumor", "x (mm)"] {
                assert!(svg.contains(text), "{text} missing");
            }
            assert!(!svg.contains("not reached"));
        }
    }
    // The report page, without and with a dose panel.
    let numbers = vec![("J".to_string(), "0.9".to_string())];
    let report = TreatmentReport {
        title: "report",
        grid,
        temperature: &e.temperature,
        concentration: &e.volume_fraction,
        outline: problem.interface(),
        sites: &[(0.0, 0.0)],
        window: Window::centred(0.02),
        convergence: None,
        dose: None,
        numbers: &numbers,
    };
    treatment_report(&dir.join("r.svg"), &report).unwrap();
    let svg = std::fs::read_to_string(dir.join("r.svg")).unwrap();
    assert!(svg.contains("Key numbers") && svg.contains("not optimized"));
    assert!(matches!(
        treatment_report(
            &dir.join("r2.svg"),
            &TreatmentReport {
                dose: Some(&[]),
                ..report
            }
        ),
        Err(Error::Plot(_))
    ));
    // Bad input: an unknown extension, a NaN (named by its cell), a window
    // off the block.
    assert!(matches!(
        field_map(&dir.join("t.jpg"), &map),
        Err(Error::Plot(_))
    ));
    let mut nan = e.temperature.clone();
    nan[[3, 4]] = f64::NAN;
    let err = field_map(&dir.join("n.png"), &FieldMap { field: &nan, ..map }).unwrap_err();
    assert!(err.to_string().contains("(3, 4)"), "{err}");
    let off = Window::Square {
        centre_m: (1.0, 1.0),
        side_m: 0.01,
    };
    assert!(matches!(
        field_map(&dir.join("o.png"), &FieldMap { window: off, ..map }),
        Err(Error::Plot(_))
    ));
    assert!(convergence(&dir.join("c.png"), "c", &[], &["k"]).is_err());
    assert!(ablation_curves(&dir.join("a.png"), "a", &[]).is_err());
    std::fs::remove_dir_all(&dir).ok();
}

/// The tables pipeline on a coarse grid with a tiny swarm: every key of the
/// tables JSON, one row per case.
#[test]
fn tables_json_has_every_key() {
    let settings = OptimizationSettings::new(4, 3).unwrap();
    let dose = DoseSettings::default()
        .with_duration_s(2.5 * 3600.0)
        .unwrap()
        .with_time_step_s(30.0)
        .unwrap();
    let t =
        mnp_suite::treatment::tables::reproduce_tables(24, &settings, &dose, &mut |_| {}).unwrap();
    let v = t.to_json();
    for (key, rows) in [
        ("table2", 3),
        ("table3", 6),
        ("table5", 4),
        ("table6", 2),
        ("table7", 4),
    ] {
        assert_eq!(v[key].as_array().unwrap().len(), rows, "{key}");
    }
    for key in [
        "n",
        "r_tum",
        "r_tis",
        "r_int",
        "r_dose",
        "j",
        "t_opt_min",
        "v_opt_mm2",
        "d_opt_mm",
    ] {
        assert!(v["table2"][1][key].is_number(), "table2 {key}");
    }
    for key in ["d_h_mm", "d_v_mm", "d_i_mm", "beta_deg"] {
        assert!(v["table5"][3][key].is_number(), "table5 {key}");
    }
    assert!(v["table5"][1]["d_v_mm"].is_null());
    assert_eq!(v["table6"][0]["beta_deg"], 30.0);
    // On this coarse, short run only the eight-site plan damages healthy
    // tissue within 2.5 h; a row without damage has neither an exposure
    // time nor an R_CEM43 at it.
    for key in ["n", "r_cem43_tumor", "exposure_min"] {
        assert!(v["table7"][3][key].is_number(), "table7 {key}");
    }
    for row in v["table7"].as_array().unwrap() {
        assert!(row["n"].is_number());
        assert_eq!(
            row["exposure_min"].is_null(),
            row["r_cem43_tumor"].is_null(),
            "{row}"
        );
    }
    for n in ["1", "4", "8"] {
        assert!(v["ablation_complete_min"][n].as_f64().unwrap() > 0.0, "{n}");
    }
    assert!(v["runtime_s"].as_f64().unwrap() > 0.0);
    assert_eq!(v["table3"][1]["with_dose"], false);
}

/// A plan that crowds particles (φ > 1 in a cell) is infeasible in the
/// search, not fatal: with 24 sites many positions are, and the optimum is
/// a physical plan; when every plan is, the run says so.
#[test]
fn crowded_plans_are_infeasible_not_fatal() {
    let problem = |strategy: Arc<dyn InjectionStrategy>| {
        TreatmentProblem::new(
            Scenario::paper_circular(30, 0.05, GridAlignment::NodeAtCentre).unwrap(),
            strategy,
            InjectionReference::paper(),
            ObjectiveWeights::paper(),
            SolverChoice::FiniteVolume,
        )
        .unwrap()
    };
    let crowded = problem(Arc::new(Circular::new(24).unwrap()));
    // All 24 full doses at the centre: infeasible, and evaluating it fails.
    let x = [1.0, 1.0, 0.0];
    assert!(crowded.volume_fraction_excess(&x).unwrap() > 0.0);
    assert!(crowded.evaluate(&x, &mut Workspace::default()).is_err());
    let settings = OptimizationSettings::new(10, 6).unwrap().with_seed(2);
    let report = optimize(&crowded, &settings, &mut |_, _| {}).unwrap();
    assert!(
        crowded
            .volume_fraction_excess(&report.best_position)
            .unwrap()
            <= 0.0
    );
    assert!(report.best.volume_fraction.iter().all(|&p| p <= 1.0));
    // Weights so large that no plan the swarm tries is physical (only
    // k_φ < 10⁻⁵ would be): a clear error.
    let heavy = problem(Arc::new(UserSites::new(vec![(0.0, 0.0, 1e9)]).unwrap()));
    let err = optimize(
        &heavy,
        &OptimizationSettings::new(6, 3).unwrap(),
        &mut |_, _| {},
    )
    .unwrap_err();
    assert!(
        matches!(&err, Error::Invalid { name, .. } if *name == "injection plan"),
        "{err:?}"
    );
    assert!(err.to_string().contains("above 1"), "{err}");
}

/// Errors print for people: the message, then each cause not already in
/// it; never a Debug structure.
#[test]
fn errors_describe_their_causes() {
    use mnp_suite::error::describe;
    let e = Error::from(mnp_suite::dataset::DatasetError::UnknownColumn(
        "size".into(),
    ));
    assert_eq!(describe(&e), "error: no column named 'size'");
    #[derive(Debug)]
    struct Outer(std::io::Error);
    impl std::fmt::Display for Outer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "cannot read the table")
        }
    }
    impl std::error::Error for Outer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }
    let io = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
    assert_eq!(
        describe(&Outer(io)),
        "error: cannot read the table\n  caused by: no such file"
    );
}

/// User perfusion laws: the paper's laws passed explicitly give the
/// paper's evaluation to the last bit; more perfusion cools the tumor; a
/// negative law is refused with its name.
#[test]
fn scenarios_take_the_users_perfusion_laws() {
    use mnp_suite::bioheat::{ConstantPerfusion, HealthyTissuePerfusion, TumorPerfusion};
    let evaluate = |scenario: Scenario| {
        TreatmentProblem::new(
            scenario,
            Arc::new(Circular::new(1).unwrap()),
            InjectionReference::paper(),
            ObjectiveWeights::paper(),
            SolverChoice::FiniteVolume,
        )
        .unwrap()
        .evaluate(&[0.6, 0.6], &mut Workspace::default())
        .unwrap()
    };
    let paper = || Scenario::paper_circular(30, 0.05, GridAlignment::NodeAtCentre).unwrap();
    let reference = evaluate(paper());
    let explicit = evaluate(
        paper()
            .with_perfusion(HealthyTissuePerfusion, TumorPerfusion)
            .unwrap(),
    );
    assert_eq!(reference.temperature, explicit.temperature);
    let max = |t: &Array2<f64>| t.iter().copied().fold(f64::MIN, f64::max);
    // The paper's tumor law lies between 0.416 and 0.833 kg/(m³·s); ten
    // times the upper value everywhere must cool the hottest cell.
    let strong = evaluate(
        paper()
            .with_perfusion(ConstantPerfusion(8.33), ConstantPerfusion(8.33))
            .unwrap(),
    );
    assert!(max(&strong.temperature) < max(&reference.temperature) - 1.0);
    let err = paper()
        .with_perfusion(ConstantPerfusion(0.5), |t: f64| 0.5 - 0.1 * (t - 37.0))
        .unwrap_err();
    assert!(err.to_string().contains("tumor perfusion"), "{err}");
}
