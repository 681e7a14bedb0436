//! `mnp optimize|dose|solve --mask FILE --tumor-label N` (or a scenario
//! file's `[patient]`): the 3D pipeline on a segmentation. The same
//! output contract as the 2D commands: a table for people, then one JSON
//! line; the folder written whole.

use crate::app::cli::{Share, bar, check_variables};
use crate::app::output::RunOutput;
use crate::app::patient_output::{PatientFiles, dose_json, optimize_json, write_patient_files};
use crate::app::patient_scenario::{BuiltPatient, PatientSection};
use crate::app::resources::{BYTES_PER_CELL_AND_SOLVER, available_memory, check_memory};
use crate::app::scenario_file::{BuiltScenario, ScenarioFile};
use crate::distributed::{Ranks, SingleProcess, agree};
use crate::dose::DoseModel;
use crate::error::Result;
use crate::patient::dose::assess_patient_dose;
use crate::patient::objective::{PatientEvaluation, PatientWorkspace};
use crate::patient::optimize::{PatientOptimization, optimize_patient_on};
use serde_json::Value;
use std::path::Path;

fn say(text: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stdout().lock(), "{text}");
}

/// The 2D settings (weights, swarm, dose) and the patient's problem.
fn build(
    file: &ScenarioFile,
    section: &PatientSection,
    solvers: usize,
) -> Result<(BuiltScenario, BuiltPatient)> {
    let built = file.build()?;
    let patient = section.build(*built.problem.weights())?;
    let (nx, ny, nz) = patient.anatomy.grid().shape();
    let cells = (nx * ny * nz) as f64;
    check_memory(
        "--margin-mm/--cell-mm/--particles",
        BYTES_PER_CELL_AND_SOLVER * cells * solvers as f64,
        available_memory(),
    )?;
    Ok((built, patient))
}

fn run_swarm(
    built: &BuiltScenario,
    patient: &BuiltPatient,
    ranks: &dyn Ranks,
) -> Result<PatientOptimization> {
    let progress = if ranks.is_root() {
        bar(
            built.settings.generations() as u64,
            &patient.problem.strategy().name(),
        )
    } else {
        indicatif::ProgressBar::hidden()
    };
    let run = optimize_patient_on(&patient.problem, &built.settings, ranks, &mut |g, _| {
        progress.set_position(g as u64 + 1)
    });
    progress.finish_and_clear();
    run
}

fn print_plan(patient: &BuiltPatient, position: &[f64], e: &PatientEvaluation) {
    let a = &patient.anatomy;
    let g = a.geometry();
    let (nx, ny, nz) = a.grid().shape();
    say(&format!(
        "{}: tumor {:.0} mm³ (semi-axes {:.1} × {:.1} × {:.1} mm), box {nx} × {ny} × {nz} cells",
        a.source_name(),
        g.volume_m3 * 1e9,
        g.semi_axes[0] * 1e3,
        g.semi_axes[1] * 1e3,
        g.semi_axes[2] * 1e3
    ));
    let strategy = patient.problem.strategy();
    say(&strategy.name());
    for (name, x) in strategy.variables().iter().zip(position) {
        say(&format!("  {name:>8} = {x:.4}"));
    }
    let m = e.metrics;
    say(&format!(
        "  R_tum {:.3}  R_tis {:.3}  R_int {:.3}  R_dose {:.3}  J {:.4}",
        m.r_tum, m.r_tis, m.r_int, m.r_dose, m.j
    ));
    say(&format!(
        "  t_opt {:.2} min; sites (patient mm, volume mm³):",
        e.layout.waiting_time_s / 60.0
    ));
    for (p, v) in &e.layout.sites_mm {
        say(&format!(
            "    ({:8.2}, {:8.2}, {:8.2})  {:.4}",
            p[0],
            p[1],
            p[2],
            v * 1e9
        ));
    }
}

/// A `--position` the strategy accepts: one value per variable, each in
/// its bounds (a site outside the box is refused by the evaluation).
fn check_position(patient: &BuiltPatient, x: &[f64]) -> Result<()> {
    let strategy = patient.problem.strategy();
    check_variables(&strategy.variables(), &strategy.bounds(), x)
}

/// A plan's JSON without an optimization.
fn plan_json(
    patient: &BuiltPatient,
    position: &[f64],
    e: &PatientEvaluation,
    seconds: f64,
) -> Value {
    let run = PatientOptimization {
        strategy: patient.problem.strategy().name(),
        variables: patient.problem.strategy().variables(),
        best_position: position.to_vec(),
        best: e.clone(),
        history: Vec::new(),
        evaluations: 1,
        runtime_s: seconds,
    };
    optimize_json(&patient.anatomy, &run)
}

/// `mnp optimize` on a patient, each generation shared over `ranks`
/// (rank 0 prints and writes).
pub(crate) fn optimize(
    file: &ScenarioFile,
    section: &PatientSection,
    out_dir: &Path,
    ranks: &dyn Ranks,
    node: &[usize],
) -> Result<()> {
    let solvers = Share::new(ranks, node).solvers(file.pso.particles);
    let (built, patient) = agree(ranks, build(file, section, solvers))?;
    let out = agree(
        ranks,
        ranks
            .is_root()
            .then(|| RunOutput::prepare(out_dir, "mnp optimize", Some(built.settings.seed())))
            .transpose(),
    )?;
    let run = run_swarm(&built, &patient, ranks)?;
    let Some(mut out) = out else {
        return Ok(());
    };
    print_plan(&patient, &run.best_position, &run.best);
    write_patient_files(
        &out,
        &PatientFiles {
            volume: &patient.volume,
            anatomy: &patient.anatomy,
            evaluation: &run.best,
            history: Some((&run.history, &run.variables)),
            dose: None,
            title: &run.strategy,
        },
    )?;
    let v = optimize_json(&patient.anatomy, &run);
    out.write("optimize.json", &v.to_string())?;
    out.commit()?;
    say(&format!(
        "  {} evaluations in {:.1} s; results in {}/",
        run.evaluations,
        run.runtime_s,
        out_dir.display()
    ));
    say(&v.to_string());
    Ok(())
}

fn built_solvers(file: &ScenarioFile) -> usize {
    file.pso.particles + 1
}

/// `mnp solve --position` on a patient.
pub(crate) fn solve(
    file: &ScenarioFile,
    section: &PatientSection,
    out_dir: &Path,
    position: &[f64],
) -> Result<()> {
    let (_, patient) = build(file, section, 1)?;
    check_position(&patient, position)?;
    let mut out = RunOutput::prepare(out_dir, "mnp solve", None)?;
    let start = std::time::Instant::now();
    let e = patient
        .problem
        .evaluate(position, &mut PatientWorkspace::default())?;
    let seconds = start.elapsed().as_secs_f64();
    print_plan(&patient, position, &e);
    let title = patient.problem.strategy().name();
    write_patient_files(
        &out,
        &PatientFiles {
            volume: &patient.volume,
            anatomy: &patient.anatomy,
            evaluation: &e,
            history: None,
            dose: None,
            title: &title,
        },
    )?;
    let v = plan_json(&patient, position, &e, seconds);
    out.write("solve.json", &v.to_string())?;
    out.commit()?;
    say(&v.to_string());
    Ok(())
}

/// `mnp dose` on a patient: of `--position`, or of the optimum.
pub(crate) fn dose(
    file: &ScenarioFile,
    section: &PatientSection,
    out_dir: &Path,
    position: Option<&[f64]>,
) -> Result<()> {
    let solvers = if position.is_some() {
        1
    } else {
        built_solvers(file)
    };
    let (built, patient) = build(file, section, solvers)?;
    if let Some(x) = position {
        check_position(&patient, x)?;
    }
    let mut out = RunOutput::prepare(out_dir, "mnp dose", Some(built.settings.seed()))?;
    let (position, run) = match position {
        Some(x) => (x.to_vec(), None),
        None => {
            let run = run_swarm(&built, &patient, &SingleProcess)?;
            (run.best_position.clone(), Some(run))
        }
    };
    let e = match &run {
        Some(r) => r.best.clone(),
        None => patient
            .problem
            .evaluate(&position, &mut PatientWorkspace::default())?,
    };
    print_plan(&patient, &position, &e);
    let progress = bar((built.dose.duration_s() / 60.0).ceil() as u64, "dose (min)");
    let d = assess_patient_dose(
        &patient.problem,
        &position,
        &built.dose,
        // Snapshots are the 2D block's figures (Fig. 9); a patient's final
        // CEM43 map is written whole, so the march stops at the first
        // healthy damage as the protocol says.
        &[],
        &mut |t| progress.set_position(t as u64),
    )?;
    progress.finish_and_clear();
    let fmt = |v: Option<f64>| v.map_or("never".to_string(), |v| format!("{v:.1} min"));
    say(&format!(
        "  tumor ablated at {}; first healthy damage at {}",
        fmt(d.tumor_ablated_min),
        fmt(d.healthy_damage_min)
    ));
    let title = patient.problem.strategy().name();
    write_patient_files(
        &out,
        &PatientFiles {
            volume: &patient.volume,
            anatomy: &patient.anatomy,
            evaluation: &e,
            history: run
                .as_ref()
                .map(|r| (r.history.as_slice(), r.variables.as_slice())),
            dose: Some((&d, built.dose.cem43().lethal_dose())),
            title: &title,
        },
    )?;
    let plan = match &run {
        Some(r) => optimize_json(&patient.anatomy, r),
        None => plan_json(&patient, &position, &e, 0.0),
    };
    if run.is_some() {
        out.write("optimize.json", &plan.to_string())?;
    }
    let v = dose_json(&d, &plan);
    out.write("dose.json", &v.to_string())?;
    out.commit()?;
    say(&v.to_string());
    Ok(())
}
