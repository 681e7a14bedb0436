//! Runs spread over MPI ranks against one process, under
//! `mpirun -np N` (CI: 2 ranks; run directly it is one rank). Every check
//! makes all its collective calls on every rank in the same order before
//! it compares anything (a difference seen on one rank must not leave the
//! others waiting in a collective); rank 0 prints one line per check and
//! the run fails if any rank saw a difference.
//!
//! `cargo test --features mpi --test mpi` builds and runs it on one rank;
//! `mpirun --allow-run-as-root --oversubscribe -np 2 <the test binary>`
//! runs it on two.

use mnp_suite::Error;
use mnp_suite::bioheat::{
    Grid3, HealthyTissuePerfusion, LbmConfig, LbmSolver3, PennesProblem, PennesProblem3, Shape3,
    TransientSolver, TumorPerfusion,
};
use mnp_suite::distributed::{DistributedLbm3, MpiRanks, Ranks, agree, block, map_on};
use mnp_suite::physics::InjectionReference;
use mnp_suite::treatment::assessment::DoseSettings;
use mnp_suite::treatment::objective::{ObjectiveWeights, SolverChoice, TreatmentProblem};
use mnp_suite::treatment::optimize::{OptimizationSettings, optimize, optimize_on};
use mnp_suite::treatment::robust::{
    ChanceConstraint, Outcome, RobustObjective, RobustProblem, UncertaintyModel, optimize_robust,
    optimize_robust_on, plan_sensitivity, plan_sensitivity_on,
};
use mnp_suite::treatment::scenario::{GridAlignment, Scenario};
use mnp_suite::treatment::strategy::Circular;
use mnp_suite::uncertainty::{SaltelliSettings, Sampling};
use std::sync::Arc;

type Check = Result<(), String>;

/// A named check run on every rank.
type Named = (&'static str, fn(&MpiRanks) -> Check);

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

fn same<T: PartialEq + std::fmt::Debug>(what: &str, a: T, b: T) -> Check {
    if a == b {
        Ok(())
    } else {
        Err(format!("{what}: {a:?} != {b:?}"))
    }
}

/// The swarm shared over the ranks finds the plan of one process, with the
/// same history, bit for bit (warm starts stay with their particle's rank).
fn optimization_equals_one_process(ranks: &MpiRanks) -> Check {
    let p = problem(33);
    let settings = OptimizationSettings::new(7, 5).unwrap().with_seed(11);
    let shared = optimize_on(&p, &settings, ranks, &mut |_, _| {}).map_err(|e| e.to_string())?;
    let alone = optimize(&p, &settings, &mut |_, _| {}).unwrap();
    same("best position", &shared.best_position, &alone.best_position)?;
    same("history", &shared.history, &alone.history)?;
    same("metrics", shared.best.metrics, alone.best.metrics)?;
    same("evaluations", shared.evaluations, alone.evaluations)?;
    // The plan is a real optimum: better than the swarm's first generation.
    if shared.history[0].best_j >= shared.best.metrics.j + 1e-12 {
        return Err("the swarm did not improve".into());
    }
    Ok(())
}

/// A 3D plan on a segmented phantom (two overlapping ellipsoids, 1.5 mm
/// cells): the swarm shared over the ranks gives one process's plan.
fn patient_optimization_equals_one_process(ranks: &MpiRanks) -> Check {
    use mnp_suite::patient::phantom::{TUMOR_LABEL, two_ellipsoids};
    use mnp_suite::patient::{
        Anatomy, CropSettings, PatientProblem, PatientSettings, PrincipalAxes, TissueMap,
        optimize_patient, optimize_patient_on,
    };
    let volume = two_ellipsoids(34, 20.0).unwrap();
    let crop = CropSettings::default()
        .with_margin_mm(3.0)
        .unwrap()
        .with_cell_mm(Some(1.5))
        .unwrap();
    let tissues = TissueMap::tumor_in_healthy(&[TUMOR_LABEL]).unwrap();
    let anatomy = Arc::new(Anatomy::new(&volume, &tissues, &crop).unwrap());
    let problem = PatientProblem::new(
        anatomy,
        Arc::new(PrincipalAxes::new(2).unwrap()),
        PatientSettings::default(),
    )
    .unwrap();
    let settings = OptimizationSettings::new(5, 4).unwrap().with_seed(8);
    let shared = optimize_patient_on(&problem, &settings, ranks, &mut |_, _| {})
        .map_err(|e| e.to_string())?;
    let alone = optimize_patient(&problem, &settings, &mut |_, _| {}).unwrap();
    same("best position", &shared.best_position, &alone.best_position)?;
    same("history", &shared.history, &alone.history)?;
    same("metrics", shared.best.metrics, alone.best.metrics)?;
    if shared.best.metrics.j.is_nan() || shared.best.metrics.j <= 0.0 {
        return Err(format!("no plan with a J: {:?}", shared.best.metrics));
    }
    Ok(())
}

/// One particle on more ranks than particles: the extra ranks evaluate
/// nothing and still end with the same report.
fn more_ranks_than_particles(ranks: &MpiRanks) -> Check {
    let p = problem(25);
    let settings = OptimizationSettings::new(1, 3).unwrap().with_seed(2);
    if ranks.size() > 1 && !block(1, ranks.size(), ranks.size() - 1).is_empty() {
        return Err("the last rank should own no particle".into());
    }
    let shared = optimize_on(&p, &settings, ranks, &mut |_, _| {}).map_err(|e| e.to_string())?;
    // Every rank of this job runs on one machine: each sees them all as
    // sharing its memory.
    let node = ranks.node_ranks().map_err(|e| e.to_string())?;
    let alone = optimize(&p, &settings, &mut |_, _| {}).unwrap();
    same("best position", &shared.best_position, &alone.best_position)?;
    same("node ranks", node, (0..ranks.size()).collect::<Vec<_>>())?;
    same("evaluations", shared.evaluations, 3)
}

/// Monte Carlo statistics, ablation times, Sobol indices and a robust
/// optimization with a chance constraint: the same bits as one process.
fn monte_carlo_equals_one_process(ranks: &MpiRanks) -> Check {
    let x = [0.8, 0.45, 0.6];
    let rp = RobustProblem::new(
        problem(24),
        UncertaintyModel::illustrative(),
        5,
        Sampling::LatinHypercube,
        4,
    )
    .unwrap();
    let settings = DoseSettings::default();
    let saltelli = SaltelliSettings {
        base_samples: 16,
        bootstrap: 10,
        ..SaltelliSettings::default()
    };
    let model = UncertaintyModel::illustrative();
    let nominal = problem(24);
    let chance = ChanceConstraint {
        outcome: Outcome::RTis,
        threshold: 0.99,
        below: true,
        max_probability: 0.25,
    };
    let swarm = OptimizationSettings::new(5, 3).unwrap().with_seed(1);
    let objective = RobustObjective::Cvar { beta: 0.5 };
    // Every collective call first (their errors are the same on every
    // rank), the comparisons after: a difference on one rank cannot leave
    // the others waiting.
    let error = |e: Error| e.to_string();
    let statistics = rp.analyze_on(&x, ranks).map_err(error)?;
    let ablation = rp.ablation_on(&x, &settings, 3, ranks).map_err(error)?;
    let sensitivity = plan_sensitivity_on(&nominal, &model, &x, &saltelli, ranks).map_err(error)?;
    let robust = optimize_robust_on(&rp, objective, Some(chance), &swarm, ranks, &mut |_, _| {})
        .map_err(error)?;
    same("statistics", &statistics, &rp.analyze(&x).unwrap())?;
    if statistics.j.sd <= 0.0 || statistics.j.sd.is_nan() {
        return Err("the samples should move J".into());
    }
    same(
        "ablation",
        &ablation,
        &rp.ablation(&x, &settings, 3).unwrap(),
    )?;
    same(
        "sensitivity",
        &sensitivity,
        &plan_sensitivity(&nominal, &model, &x, &saltelli).unwrap(),
    )?;
    let alone = optimize_robust(&rp, objective, Some(chance), &swarm, &mut |_, _| {}).unwrap();
    same(
        "robust position",
        &robust.best_position,
        &alone.best_position,
    )?;
    same("robust history", &robust.history, &alone.history)?;
    same("robust statistics", &robust.statistics, &alone.statistics)
}

/// A slot failing on the last rank ends the batch on every rank: that rank
/// returns its own error, the others name it; nobody waits forever.
fn a_failing_rank_stops_every_rank(ranks: &MpiRanks) -> Check {
    let count = 6;
    let failing = count - 1;
    let owner = (0..ranks.size())
        .find(|&r| block(count, ranks.size(), r).contains(&failing))
        .unwrap();
    let outcome = map_on(ranks, count, true, |i| {
        if i == failing || i == failing - 1 && owner == 0 {
            // Only one failure when everything is on rank 0: its lowest.
            Err(Error::Invalid {
                name: "slot",
                reason: format!("slot {i} fails"),
            })
        } else {
            Ok(i as f64)
        }
    });
    // The ranks are still in step: a batch after the failure works.
    let after = map_on(ranks, 5, true, |i| Ok(2.0 * i as f64));
    // The collectives are done; now compare.
    let failure = match outcome {
        Ok(v) => return Err(format!("no failure reported: {v:?}")),
        Err(f) => f,
    };
    let expected_slot = if owner == 0 { failing - 1 } else { failing };
    same("failed slot", failure.index, expected_slot)?;
    let message = failure.error.to_string();
    if ranks.rank() == owner {
        same(
            "own error",
            message.as_str(),
            &*format!("slot: slot {expected_slot} fails"),
        )?;
    } else {
        same(
            "remote error",
            message,
            format!("rank {owner}: slot: slot {expected_slot} fails"),
        )?;
    }
    same(
        "after",
        after.map_err(|f| f.error.to_string())?,
        vec![0.0, 2.0, 4.0, 6.0, 8.0],
    )
}

/// n × 11 × 14 cells of 1 mm: a tumor with nonlinear perfusion, a (ρc)
/// jump, a fixed-temperature wall; heated by a Gaussian or, with
/// `hot_far_end`, by an impossible source in the last three planes.
fn lbm_problem(n: usize, hot_far_end: bool) -> PennesProblem3 {
    let grid = Grid3::new([n, 11, 14], [1e-3; 3], [0.0; 3]).unwrap();
    let heat = grid.field(|x, y, z| {
        if hot_far_end {
            if x > (n as f64 - 3.0) * 1e-3 {
                1e12
            } else {
                0.0
            }
        } else {
            4e5 * (-((x - 5e-3).powi(2) + (y - 4e-3).powi(2) + z * z) / 2e-5).exp()
        }
    });
    let rc = grid.field(|x, _, _| if x > 6e-3 { 5e6 } else { 4e6 });
    PennesProblem::builder(grid, "healthy", HealthyTissuePerfusion)
        .region(
            "tumor",
            &Shape3::sphere([5e-3, 4e-3, 4e-3], 2e-3).unwrap(),
            TumorPerfusion,
        )
        .properties(rc, grid.constant(0.5))
        .heat_source(heat)
        .boundary(
            mnp_suite::bioheat::Face::West,
            mnp_suite::bioheat::Boundary::Temperature(36.0),
        )
        .build()
        .unwrap()
}

/// The decomposed D3Q7 lattice gives the temperatures of one process, bit
/// for bit, and the largest change of the whole lattice.
fn lbm_decomposition_equals_one_process(ranks: &MpiRanks) -> Check {
    let p = lbm_problem(13, false);
    let config = LbmConfig::d3q7();
    let mut shared = DistributedLbm3::new(&p, config, ranks).map_err(|e| e.to_string())?;
    shared.run(25).map_err(|e| e.to_string())?;
    let gathered = shared.gather_temperature().map_err(|e| e.to_string())?;
    // Every rank checks the whole field: rank 0 shares what it gathered.
    let whole = ranks
        .all_gather_f64(gathered.as_ref().map_or(&[][..], |f| f.as_slice().unwrap()))
        .map_err(|e| e.to_string())?;
    // The parallel VTK is written too before anything is compared: a
    // difference seen on one rank must not leave the others waiting.
    let dir = std::env::temp_dir().join("mnp-suite-mpi-pvti");
    let fresh = if ranks.is_root() {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| Error::Invalid {
            name: "test folder",
            reason: e.to_string(),
        })
    } else {
        Ok(())
    };
    agree(ranks, fresh).map_err(|e| e.to_string())?;
    shared.write_pvti(&dir, "t").map_err(|e| e.to_string())?;
    same(
        "gathered on rank 0 only",
        gathered.is_some(),
        ranks.is_root(),
    )?;
    let field = ndarray::Array3::from_shape_vec((13, 11, 14), whole).map_err(|e| e.to_string())?;
    let mut alone = LbmSolver3::new(p, config).unwrap();
    for _ in 0..25 {
        alone.step().unwrap();
    }
    let differ = alone
        .temperature()
        .iter()
        .zip(&field)
        .filter(|(a, b)| a.to_bits() != b.to_bits())
        .count();
    same("cells that differ", differ, 0)?;
    same(
        "largest change",
        shared.last_change().to_bits(),
        alone.last_change().to_bits(),
    )?;
    if !field.iter().any(|&t| t > 37.01) {
        return Err("nothing heated".into());
    }
    // Parallel VTK: the pieces reassembled by their extents are the field.
    if ranks.is_root() {
        let index = std::fs::read_to_string(dir.join("t.pvti")).map_err(|e| e.to_string())?;
        same(
            "whole extent",
            index.contains(r#"WholeExtent="0 13 0 11 0 14""#),
            true,
        )?;
        let mut rebuilt = ndarray::Array3::<f64>::from_elem((13, 11, 14), f64::NAN);
        let mut pieces = 0;
        for line in index.lines().filter(|l| l.contains("<Piece ")) {
            let attr = |key: &str| line.split(&format!("{key}=\"")).nth(1)?.split('"').next();
            let extent: Vec<usize> = attr("Extent")
                .ok_or("no Extent")?
                .split(' ')
                .map(|v| v.parse().unwrap())
                .collect();
            let piece = std::fs::read_to_string(dir.join(attr("Source").ok_or("no Source")?))
                .map_err(|e| e.to_string())?;
            let body = piece
                .split("format=\"ascii\">")
                .nth(1)
                .and_then(|b| b.split("</DataArray>").next())
                .ok_or("no data")?;
            let values: Vec<f64> = body
                .split_whitespace()
                .map(|v| v.parse().unwrap())
                .collect();
            let (x0, x1) = (extent[0], extent[1]);
            same("piece size", values.len(), (x1 - x0) * 11 * 14)?;
            // x fastest, then y, then z.
            for (n, v) in values.into_iter().enumerate() {
                let (i, rest) = (n % (x1 - x0), n / (x1 - x0));
                rebuilt[[x0 + i, rest % 11, rest / 11]] = v;
            }
            pieces += 1;
        }
        same("pieces", pieces, ranks.size())?;
        same("rebuilt field", &rebuilt, &field)?;
    }
    Ok(())
}

/// A lattice diverging in the last rank's slab stops every rank at the
/// same step: that rank reports the cell, the others name the rank.
fn lbm_divergence_stops_every_rank(ranks: &MpiRanks) -> Check {
    let n = 12;
    let p = lbm_problem(n, true);
    let mut shared =
        DistributedLbm3::new(&p, LbmConfig::d3q7(), ranks).map_err(|e| e.to_string())?;
    let outcome = shared.run(50);
    // Too many ranks for the lattice is refused on every rank alike (the
    // last collective call: the comparisons follow).
    let tiny = lbm_problem(4, false);
    let refused = DistributedLbm3::new(&tiny, LbmConfig::d3q7(), ranks).err();
    match (&refused, ranks.size() > 2) {
        (Some(e), true) => same("refusal", e.to_string().contains("x-planes"), true)?,
        (Some(e), false) => return Err(format!("4 planes on {} ranks refused: {e}", ranks.size())),
        (None, true) => return Err("4 planes on 3+ ranks accepted".into()),
        (None, false) => {}
    }
    let error = match outcome {
        Ok(()) => return Err("a 1e12 W/m³ source did not diverge".into()),
        Err(e) => e,
    };
    let last = ranks.size() - 1;
    let message = error.to_string();
    match (&error, ranks.rank() == last) {
        (Error::Bioheat(_), true) => {}
        (Error::Rank { rank, .. }, false) if *rank == last => {}
        _ => {
            return Err(format!(
                "unexpected error on rank {}: {message}",
                ranks.rank()
            ));
        }
    }
    if !message.contains("diverged") && !message.contains("Diverged") {
        return Err(format!("the message does not say it diverged: {message}"));
    }
    Ok(())
}

fn main() -> std::process::ExitCode {
    let ranks = MpiRanks::initialize().expect("MPI starts");
    let checks: [Named; 7] = [
        (
            "optimization equals one process",
            optimization_equals_one_process,
        ),
        ("more ranks than particles", more_ranks_than_particles),
        (
            "patient optimization equals one process",
            patient_optimization_equals_one_process,
        ),
        (
            "Monte Carlo equals one process",
            monte_carlo_equals_one_process,
        ),
        (
            "a failing rank stops every rank",
            a_failing_rank_stops_every_rank,
        ),
        (
            "LBM decomposition equals one process",
            lbm_decomposition_equals_one_process,
        ),
        (
            "LBM divergence stops every rank",
            lbm_divergence_stops_every_rank,
        ),
    ];
    let mut failed = 0;
    let total = checks.len();
    for (name, check) in checks {
        let outcome = check(&ranks);
        // Every rank's verdict, so rank 0 reports a failure seen anywhere.
        let local = outcome.as_ref().err().cloned().unwrap_or_default();
        let verdicts = ranks.all_gather_bytes(local.as_bytes()).expect("gather");
        let problems: Vec<String> = verdicts
            .iter()
            .enumerate()
            .filter(|(_, v)| !v.is_empty())
            .map(|(r, v)| format!("rank {r}: {}", String::from_utf8_lossy(v)))
            .collect();
        if problems.is_empty() {
            if ranks.is_root() {
                println!("test {name} on {} rank(s) ... ok", ranks.size());
            }
        } else {
            failed += 1;
            if ranks.is_root() {
                println!("test {name} on {} rank(s) ... FAILED", ranks.size());
                for p in problems {
                    println!("    {p}");
                }
            }
        }
    }
    if ranks.is_root() {
        // In libtest's words, so a tally of `test result:` lines counts it.
        println!(
            "test result: {}. {} passed; {failed} failed (mpi, {} rank(s))",
            if failed == 0 { "ok" } else { "FAILED" },
            total - failed,
            ranks.size()
        );
    }
    if failed == 0 {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}
