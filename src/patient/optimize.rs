//! Injection optimization on a patient: the paper's particle swarm (App. C)
//! over a strategy's normalized variables, every evaluation a steady 3D
//! Pennes solve warm-started from the particle's previous one. The same
//! seed gives the same plan on any number of threads.

use crate::distributed::{Ranks, SingleProcess};
use crate::error::Result;
use crate::patient::objective::{PatientEvaluation, PatientProblem, PatientWorkspace};
use crate::treatment::optimize::{
    OptimizationReport, OptimizationSettings, WarmObjective, run_swarm,
};
use std::time::Instant;

impl WarmObjective for PatientProblem {
    type Workspace = PatientWorkspace;
    fn search_box(&self) -> (Vec<f64>, Vec<f64>) {
        self.strategy().bounds()
    }
    fn with_dose(&self) -> bool {
        self.weights().dose().is_some()
    }
    fn excess(&self, x: &[f64]) -> Result<f64> {
        self.volume_fraction_excess(x)
    }
    fn j(&self, x: &[f64], workspace: &mut PatientWorkspace) -> Result<f64> {
        Ok(self.evaluate(x, workspace)?.metrics.j)
    }
}

/// The outcome of an optimization on a patient.
pub type PatientOptimization = OptimizationReport<PatientEvaluation>;

/// Maximizes J on `problem` by PSO under φ ≤ 1 (a crowded plan is
/// infeasible, not an error); a plan heating past the solver's limit
/// ranks below every plan with a J; `progress` sees each generation's
/// index and best J.
///
/// # Errors
/// Invalid settings, no feasible plan, or the first failed evaluation.
pub fn optimize_patient(
    problem: &PatientProblem,
    settings: &OptimizationSettings,
    progress: &mut dyn FnMut(usize, f64),
) -> Result<PatientOptimization> {
    optimize_patient_on(problem, settings, &SingleProcess, progress)
}

/// [`optimize_patient`] with each generation shared over `ranks`, as
/// [`crate::treatment::optimize::optimize_on`]: the same report on every rank, bit
/// for bit that of one process with the same seed.
///
/// # Errors
/// As [`optimize_patient`], on every rank.
pub fn optimize_patient_on(
    problem: &PatientProblem,
    settings: &OptimizationSettings,
    ranks: &dyn Ranks,
    progress: &mut dyn FnMut(usize, f64),
) -> Result<PatientOptimization> {
    let start = Instant::now();
    let run = run_swarm(problem, settings, ranks, progress)?;
    let best = problem.evaluate(&run.best_position, &mut PatientWorkspace::default())?;
    Ok(OptimizationReport {
        strategy: problem.strategy().name(),
        variables: problem.strategy().variables(),
        best_position: run.best_position,
        best,
        history: run.history,
        evaluations: run.evaluations,
        runtime_s: start.elapsed().as_secs_f64(),
    })
}
