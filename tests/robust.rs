//! Plans under uncertain tissue: the factors change the right properties,
//! a steady plan does not depend on ρc, analyses and robust optimizations
//! do not depend on the thread count, and bad uncertainty input is
//! refused naming the property.

use mnp_suite::Error;
use mnp_suite::bioheat::HealthyTissuePerfusion;
use mnp_suite::bioheat::PerfusionModel;
use mnp_suite::bioheat::TumorPerfusion;
use mnp_suite::physics::InjectionReference;
use mnp_suite::treatment::objective::{
    ObjectiveWeights, SolverChoice, TreatmentProblem, Workspace,
};
use mnp_suite::treatment::optimize::OptimizationSettings;
use mnp_suite::treatment::robust::{
    ChanceConstraint, Outcome, RobustObjective, RobustProblem, TissueFactors, TissueProperty,
    UncertaintyModel, optimize_robust, plan_sensitivity,
};
use mnp_suite::treatment::scenario::{GridAlignment, Scenario};
use mnp_suite::treatment::strategy::Circular;
use mnp_suite::uncertainty::{Distribution, SaltelliSettings, Sampling};
use std::sync::Arc;

const X: [f64; 3] = [0.5, 0.45, 0.6];

fn problem(cells: usize) -> TreatmentProblem {
    TreatmentProblem::new(
        Scenario::paper_circular(cells, 0.05, GridAlignment::NodeAtCentre).unwrap(),
        Arc::new(Circular::new(4).unwrap()),
        InjectionReference::paper(),
        ObjectiveWeights::paper(),
        SolverChoice::FiniteVolume,
    )
    .unwrap()
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}

fn with_factors(p: &TreatmentProblem, f: TissueFactors) -> TreatmentProblem {
    p.with_scenario(f.scenario(p.scenario()).unwrap()).unwrap()
}

#[test]
fn nominal_factors_reproduce_the_nominal_plan_bit_for_bit() {
    let p = problem(40);
    let a = p.evaluate(&X, &mut Workspace::default()).unwrap();
    let q = with_factors(&p, TissueFactors::default());
    let layout = TissueFactors::default()
        .layout(&p.strategy().layout(p.reference(), &X).unwrap())
        .unwrap();
    let b = q
        .evaluate_layout(layout, &mut Workspace::default())
        .unwrap();
    assert_eq!(a.metrics, b.metrics);
    assert!(
        a.temperature
            .iter()
            .zip(&b.temperature)
            .all(|(x, y)| x.to_bits() == y.to_bits())
    );
}

#[test]
fn a_steady_plan_does_not_depend_on_heat_capacity() {
    let p = problem(40);
    let a = p.evaluate(&X, &mut Workspace::default()).unwrap();
    let f = TissueFactors::default().with(TissueProperty::HeatCapacity, 2.0);
    let b = with_factors(&p, f)
        .evaluate(&X, &mut Workspace::default())
        .unwrap();
    assert_eq!(a.metrics, b.metrics);
    let d = a
        .temperature
        .iter()
        .zip(&b.temperature)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max);
    assert!(d < 1e-12, "{d}");
}

#[test]
fn perfusion_and_power_factors_equal_the_scaled_laws() {
    let p = problem(40);
    let f = TissueFactors::default()
        .with(TissueProperty::HealthyPerfusion, 1.3)
        .with(TissueProperty::TumorPerfusion, 0.7)
        .with(TissueProperty::HeatingPower, 1.1);
    let a = with_factors(&p, f)
        .evaluate(&X, &mut Workspace::default())
        .unwrap();
    let scenario = p
        .scenario()
        .clone()
        .with_perfusion(
            |t: f64| 1.3 * HealthyTissuePerfusion.rate(t),
            |t: f64| 0.7 * TumorPerfusion.rate(t),
        )
        .unwrap()
        .with_power_per_volume_fraction(1.1 * p.scenario().power_per_volume_fraction())
        .unwrap();
    let b = p
        .with_scenario(scenario)
        .unwrap()
        .evaluate(&X, &mut Workspace::default())
        .unwrap();
    // The closures' slopes are central differences, the scaled laws' exact:
    // the same converged field to the solver's tolerance.
    let d = a
        .temperature
        .iter()
        .zip(&b.temperature)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max);
    assert!(d < 1e-6, "{d}");
    // And the factors do move the plan: 10 % more power heats the tumor.
    let n = p.evaluate(&X, &mut Workspace::default()).unwrap();
    let hottest = |e: &mnp_suite::treatment::objective::Evaluation| {
        e.temperature.iter().copied().fold(f64::MIN, f64::max)
    };
    assert!(hottest(&a) > hottest(&n) + 0.1);
}

#[test]
fn a_diffusivity_factor_widens_every_cloud_at_the_same_volume() {
    let p = problem(40);
    let layout = p.strategy().layout(p.reference(), &X).unwrap();
    let wide = TissueFactors::default()
        .with(TissueProperty::Diffusivity, 1.69)
        .layout(&layout)
        .unwrap();
    for (a, b) in layout.cloud.sites().iter().zip(wide.cloud.sites()) {
        assert_eq!((a.x(), a.y(), a.volume()), (b.x(), b.y(), b.volume()));
        approx::assert_relative_eq!(b.sigma(), 1.3 * a.sigma(), max_relative = 1e-15);
    }
    assert_eq!(wide.waiting_time_s, layout.waiting_time_s);
}

#[test]
fn analyses_and_robust_optimizations_do_not_depend_on_the_thread_count() {
    let p = problem(32);
    let model = UncertaintyModel::illustrative();
    let rp = RobustProblem::new(p, model, 6, Sampling::LatinHypercube, 4).unwrap();
    let a = pool(1).install(|| rp.analyze(&X).unwrap());
    let b = pool(2).install(|| rp.analyze(&X).unwrap());
    assert_eq!(a, b);
    assert_eq!(a.outcomes.len(), 6);
    // The samples move J: not all equal.
    assert!(a.j.sd > 0.0 && a.j.min < a.j.max);
    let settings = OptimizationSettings::new(6, 4).unwrap().with_seed(3);
    let objective = RobustObjective::Cvar { beta: 0.5 };
    let run = |threads| {
        pool(threads)
            .install(|| optimize_robust(&rp, objective, None, &settings, &mut |_, _| {}).unwrap())
    };
    let (r1, r2) = (run(1), run(2));
    assert_eq!(r1.best_position, r2.best_position);
    assert_eq!(r1.statistics, r2.statistics);
    // The reported value is the objective of the reported statistics, and
    // it is the best the swarm saw.
    approx::assert_relative_eq!(
        r1.value,
        r1.statistics.j_cvar(0.5).unwrap(),
        max_relative = 1e-12
    );
    let best_seen = r1.history.last().unwrap().best_j;
    approx::assert_relative_eq!(r1.value, best_seen, max_relative = 1e-9);
}

#[test]
fn an_impossible_chance_constraint_is_reported() {
    let p = problem(24);
    let rp =
        RobustProblem::new(p, UncertaintyModel::illustrative(), 3, Sampling::Sobol, 0).unwrap();
    // R_tis ≤ 1 always, so P(R_tis < 1.01) = 1 > 0 for every plan.
    let chance = ChanceConstraint {
        outcome: Outcome::RTis,
        threshold: 1.01,
        below: true,
        max_probability: 0.0,
    };
    let settings = OptimizationSettings::new(4, 2).unwrap();
    let e = optimize_robust(
        &rp,
        RobustObjective::Mean,
        Some(chance),
        &settings,
        &mut |_, _| {},
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("chance constraint"), "{e}");
}

#[test]
fn a_chance_constraint_that_holds_is_kept_on_any_thread_count() {
    let p = problem(24);
    let rp =
        RobustProblem::new(p, UncertaintyModel::illustrative(), 4, Sampling::Sobol, 2).unwrap();
    // At most one sample in four may leave more than 1 % of the healthy
    // tissue above 43 °C.
    let chance = ChanceConstraint {
        outcome: Outcome::RTis,
        threshold: 0.99,
        below: true,
        max_probability: 0.25,
    };
    let settings = OptimizationSettings::new(6, 4).unwrap().with_seed(1);
    let run = |threads| {
        pool(threads).install(|| {
            optimize_robust(
                &rp,
                RobustObjective::Mean,
                Some(chance),
                &settings,
                &mut |_, _| {},
            )
            .unwrap()
        })
    };
    let (a, b) = (run(1), run(2));
    assert_eq!(a.best_position, b.best_position);
    assert_eq!(a.statistics, b.statistics);
    assert!(chance.probability(&a.statistics.outcomes).unwrap() <= 0.25);
    assert!(chance.probability(&[]).is_err());
}

#[test]
fn a_plan_too_concentrated_for_a_sample_names_the_sample() {
    let p = problem(100);
    // A full dose (k_φ = k_σ = 1: each site's peak φ is 0.083) in clouds of
    // 2–3 % of the variance: σ ≈ 0.25 mm, the peaks reach φ ≈ 3, and the
    // 0.5 mm cells' means pass 1.
    let model = UncertaintyModel::new()
        .with(
            TissueProperty::Diffusivity,
            Distribution::Uniform {
                low: 0.02,
                high: 0.03,
            },
            None,
            None,
        )
        .unwrap();
    let rp = RobustProblem::new(p, model, 2, Sampling::Sobol, 0).unwrap();
    let x = [1.0, 1.0, 0.6];
    assert!(rp.volume_fraction_excess(&x).unwrap() > 0.0);
    let e = rp.analyze(&x).unwrap_err().to_string();
    assert!(
        e.contains("sample 0") && e.contains("diffusivity factor 0.0"),
        "{e}"
    );
}

#[test]
fn ablation_times_follow_the_dose_transient_and_the_heating_power() {
    use mnp_suite::treatment::assessment::{DoseSettings, assess_dose};
    use mnp_suite::treatment::robust::ablation_time;
    let p = problem(24);
    let settings = DoseSettings::default();
    let x = [0.8, 0.45, 0.6];
    let nominal = ablation_time(&p, &TissueFactors::default(), &x, &settings).unwrap();
    let direct = assess_dose(&p, &x, &settings, &[], &mut |_| {})
        .unwrap()
        .tumor_ablated_min;
    assert_eq!(nominal, direct);
    let t1 = nominal.expect("the nominal plan ablates the tumor within 240 min");
    // 30 % more power ablates sooner; 30 % less, later or never.
    let hot = TissueFactors::default().with(TissueProperty::HeatingPower, 1.3);
    let cool = TissueFactors::default().with(TissueProperty::HeatingPower, 0.7);
    let t_hot = ablation_time(&p, &hot, &x, &settings).unwrap().unwrap();
    assert!(t_hot < t1, "{t_hot} vs {t1}");
    assert!(
        ablation_time(&p, &cool, &x, &settings)
            .unwrap()
            .is_none_or(|t| t > t1)
    );
    // Over samples: identical on 1 and 2 threads; the count is checked.
    let rp =
        RobustProblem::new(p, UncertaintyModel::illustrative(), 3, Sampling::Sobol, 5).unwrap();
    let a = pool(1).install(|| rp.ablation(&x, &settings, 2).unwrap());
    let b = pool(2).install(|| rp.ablation(&x, &settings, 2).unwrap());
    assert_eq!(a, b);
    assert_eq!(a.times_min.len(), 2);
    let ablated = a.times_min.iter().flatten().count();
    approx::assert_relative_eq!(a.ablated_fraction, ablated as f64 / 2.0);
    assert!(rp.ablation(&x, &settings, 0).is_err());
    assert!(rp.ablation(&x, &settings, 4).is_err());
}

#[test]
fn sobol_indices_of_heat_capacity_vanish_for_a_steady_plan() {
    let p = problem(24);
    let model = UncertaintyModel::new()
        .with(
            TissueProperty::HeatingPower,
            Distribution::Normal { mean: 1.0, sd: 0.2 },
            Some(0.5),
            Some(1.5),
        )
        .unwrap()
        .with(
            TissueProperty::HeatCapacity,
            Distribution::Uniform {
                low: 0.5,
                high: 1.5,
            },
            None,
            None,
        )
        .unwrap();
    let s = plan_sensitivity(
        &p,
        &model,
        &X,
        &SaltelliSettings {
            base_samples: 32,
            bootstrap: 20,
            ..SaltelliSettings::default()
        },
    )
    .unwrap();
    assert_eq!(s.indices.evaluations, 32 * 4);
    assert_eq!(s.first()["heat_capacity"], 0.0);
    assert_eq!(s.total()["heat_capacity"], 0.0);
    // With ρc inert, q explains all of J's variance, alone.
    approx::assert_relative_eq!(s.total()["heating_power"], 1.0, max_relative = 0.2);
    assert_eq!(s.ranking()[0].0, TissueProperty::HeatingPower);
}

#[test]
fn robust_objectives_reduce_to_the_mean() {
    let j = [0.3, 0.9, 0.5, 0.7, 0.1];
    let mean = RobustObjective::Mean.value(&j).unwrap();
    approx::assert_relative_eq!(mean, 0.5, max_relative = 1e-15);
    assert_eq!(RobustObjective::Cvar { beta: 1.0 }.value(&j).unwrap(), mean);
    assert_eq!(
        RobustObjective::MeanMinusSd { lambda: 0.0 }
            .value(&j)
            .unwrap(),
        mean
    );
    // The worst 40 %: (0.1 + 0.3)/2.
    approx::assert_relative_eq!(
        RobustObjective::Cvar { beta: 0.4 }.value(&j).unwrap(),
        0.2,
        max_relative = 1e-15
    );
    assert!(RobustObjective::Cvar { beta: 0.0 }.check().is_err());
    assert!(RobustObjective::Mean.value(&[]).is_err());
    assert!(RobustObjective::Mean.value(&[0.5, f64::NAN]).is_err());
    assert!(
        RobustObjective::MeanMinusSd { lambda: -1.0 }
            .check()
            .is_err()
    );
}

#[test]
fn bad_uncertainty_input_names_the_property() {
    let e = TissueProperty::from_name("blood_flow").unwrap_err();
    assert!(matches!(&e, Error::Uncertainty { property, .. } if property == "blood_flow"));
    assert!(e.to_string().contains("tumor_perfusion"), "{e}");
    let m = UncertaintyModel::new();
    let negative_sd = m
        .clone()
        .with(
            TissueProperty::Conductivity,
            Distribution::Normal {
                mean: 1.0,
                sd: -0.1,
            },
            None,
            None,
        )
        .unwrap_err()
        .to_string();
    assert!(
        negative_sd.contains("conductivity") && negative_sd.contains("sd: -0.1"),
        "{negative_sd}"
    );
    let empty = m
        .clone()
        .with(
            TissueProperty::HeatingPower,
            Distribution::Normal {
                mean: 1.0,
                sd: 0.01,
            },
            Some(3.0),
            Some(4.0),
        )
        .unwrap_err()
        .to_string();
    assert!(
        empty.contains("heating_power") && empty.contains("leaves"),
        "{empty}"
    );
    let below_zero = m
        .clone()
        .with(
            TissueProperty::Diffusivity,
            Distribution::Uniform {
                low: 0.5,
                high: 1.5,
            },
            Some(-1.0),
            None,
        )
        .unwrap_err()
        .to_string();
    assert!(
        below_zero.contains("diffusivity") && below_zero.contains("≥ 0"),
        "{below_zero}"
    );
    let zero_k = m
        .clone()
        .with(
            TissueProperty::Conductivity,
            Distribution::Normal { mean: 1.0, sd: 0.2 },
            None,
            None,
        )
        .unwrap_err()
        .to_string();
    assert!(
        zero_k.contains("conductivity") && zero_k.contains("positive lower truncation"),
        "{zero_k}"
    );
    let model = UncertaintyModel::illustrative();
    assert!(model.factors_at(&[0.5; 5]).is_err());
    let e = model
        .factors_at(&[0.5, 0.5, 1.0, 0.5, 0.5, 0.5])
        .unwrap_err()
        .to_string();
    assert!(e.contains("conductivity"), "{e}");
    let twice = UncertaintyModel::illustrative()
        .with(
            TissueProperty::Diffusivity,
            Distribution::Uniform {
                low: 0.5,
                high: 1.5,
            },
            None,
            None,
        )
        .unwrap_err()
        .to_string();
    assert!(twice.contains("twice"), "{twice}");
    let zero = RobustProblem::new(
        problem(16),
        UncertaintyModel::illustrative(),
        0,
        Sampling::LatinHypercube,
        0,
    )
    .unwrap_err()
    .to_string();
    assert!(zero.contains("sample size"), "{zero}");
}

#[cfg(feature = "cli")]
mod command_line {
    use std::path::PathBuf;
    use std::process::Command;

    fn fresh_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("mnp_robust_{name}_{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    fn mnp(args: &[&str]) -> std::process::Output {
        Command::new(env!("CARGO_BIN_EXE_mnp"))
            .args(args)
            .output()
            .unwrap()
    }

    #[test]
    fn mnp_robust_analyzes_a_plan_and_writes_its_samples() {
        let out = fresh_dir("analysis");
        let o = mnp(&[
            "robust",
            "--position",
            "0.5,0.45,0.6",
            "--cells",
            "24",
            "--evaluation-samples",
            "8",
            "--sensitivity-samples",
            "4",
            "--ablation-samples",
            "2",
            "--out",
            out.to_str().unwrap(),
        ]);
        let stdout = String::from_utf8_lossy(&o.stdout);
        assert!(
            o.status.success(),
            "{stdout}\n{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let last: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
        let saved: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("robust.json")).unwrap())
                .unwrap();
        assert_eq!(last, saved);
        assert_eq!(last["evaluation_samples"], 8);
        let j = &last["statistics"]["j"];
        assert!(j["min"].as_f64().unwrap() <= j["p10"].as_f64().unwrap());
        assert!(j["p10"].as_f64().unwrap() <= j["max"].as_f64().unwrap());
        assert_eq!(last["sobol_total"].as_object().unwrap().len(), 6);
        assert_eq!(last["ablation"]["samples"], 2);
        assert_eq!(last["ablation"]["times_min"].as_array().unwrap().len(), 2);
        // The samples' file: a header and one row per sample, whose J
        // column averages to the reported mean.
        let csv = std::fs::read_to_string(out.join("samples.csv")).unwrap();
        let rows: Vec<&str> = csv.lines().collect();
        assert_eq!(rows.len(), 9);
        let col = rows[0].split(',').position(|c| c == "j").unwrap();
        let mean = rows[1..]
            .iter()
            .map(|r| r.split(',').nth(col).unwrap().parse::<f64>().unwrap())
            .sum::<f64>()
            / 8.0;
        approx::assert_relative_eq!(mean, j["mean"].as_f64().unwrap(), max_relative = 1e-12);
        for f in ["j_histogram.png", "j_histogram.svg", "sensitivity.csv"] {
            assert!(out.join(f).exists(), "{f}");
        }
        let _ = std::fs::remove_dir_all(&out);
    }

    #[test]
    fn mnp_robust_names_the_bad_flag_or_key() {
        let out = fresh_dir("bad");
        // A refused command line: it fails, naming every one of `names`.
        let refused = |args: &[&str], names: &[&str]| {
            let o = mnp(&[args, &["--out", out.to_str().unwrap()]].concat());
            let err = String::from_utf8_lossy(&o.stderr);
            assert!(
                !o.status.success() && names.iter().all(|n| err.contains(n)),
                "{err}"
            );
        };
        refused(
            &["robust", "--optimize", "--position", "0.5,0.5,0.5"],
            &["--position"],
        );
        refused(
            &["robust", "--objective", "mean"],
            &["--objective", "--optimize"],
        );
        refused(
            &["optimize", "--sar-alpha", "0.2"],
            &["--sar-alpha", "--particle"],
        );
        let o = mnp(&[
            "robust",
            "--sensitivity-samples",
            "1",
            "--out",
            out.to_str().unwrap(),
        ]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("sensitivity_samples"), "{err}");
        let o = mnp(&[
            "robust",
            "--optimize",
            "--samples",
            "0",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(!o.status.success());
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("--samples"), "{err}");
        assert!(!out.exists(), "nothing is written for a refused run");
        let dir = fresh_dir("scenario");
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("s.toml");
        std::fs::write(
            &file,
            "[uncertainty.properties.blood_flow]\ndistribution = \"normal\"\nmean = 1.0\nsd = 0.1\n",
        )
        .unwrap();
        let o = mnp(&[
            "robust",
            "--scenario",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("uncertainty.properties.blood_flow"), "{err}");
        std::fs::write(
            &file,
            "[uncertainty.properties.conductivity]\ndistribution = \"normal\"\nmean = 1.0\n",
        )
        .unwrap();
        let o = mnp(&[
            "robust",
            "--scenario",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("uncertainty.properties.conductivity.sd"),
            "{err}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[cfg(feature = "cli")]
#[test]
fn the_default_scenario_file_states_the_illustrative_model() {
    use mnp_suite::app::scenario_file::ScenarioFile;
    let file = ScenarioFile::default();
    let built = file.uncertainty.build().unwrap();
    assert_eq!(built.model, UncertaintyModel::illustrative());
    // Written out and read back, the same model.
    let text = file.to_toml().unwrap();
    assert!(text.contains("[uncertainty.properties.tumor_perfusion]"));
    let back = ScenarioFile::from_toml(&text).unwrap();
    assert_eq!(
        back.uncertainty.build().unwrap().model,
        UncertaintyModel::illustrative()
    );
    // A parameter of another family is refused, naming it.
    let e = ScenarioFile::from_toml(
        "[uncertainty.properties.conductivity]\ndistribution = \"normal\"\nmean = 1.0\nsd = 0.1\nsigma = 0.2\nlower = 0.5\n",
    )
    .unwrap()
    .uncertainty
    .build()
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("uncertainty.properties.conductivity.sigma"),
        "{e}"
    );
}

#[test]
fn plans_heating_past_the_solver_limit_rank_last_instead_of_failing_a_run() {
    use mnp_suite::treatment::objective::is_overheating;
    use mnp_suite::treatment::optimize::optimize;
    // Particles 300 times the paper's: a full dose heats far past 1000 °C.
    let p = problem(24);
    let hot = p
        .with_scenario(
            p.scenario()
                .clone()
                .with_power_per_volume_fraction(300.0 * p.scenario().power_per_volume_fraction())
                .unwrap(),
        )
        .unwrap();
    let e = hot
        .evaluate(&[1.0, 0.5, 0.6], &mut Workspace::default())
        .unwrap_err();
    assert!(is_overheating(&e), "{e}");
    let settings = OptimizationSettings::new(8, 5).unwrap().with_seed(4);
    let report = optimize(&hot, &settings, &mut |_, _| {}).unwrap();
    assert!(report.best.metrics.j.is_finite());
    let t_max = report
        .best
        .temperature
        .iter()
        .copied()
        .fold(f64::MIN, f64::max);
    assert!(t_max < 1000.0, "{t_max}");
}
