//! Injection optimization (Jiang et al. 2022, §2.3, App. C): particle swarm
//! optimization of J over a strategy's normalized variables, every
//! evaluation a steady Pennes solve.
//!
//! Each swarm particle keeps its own solver, so its next solve starts from
//! its own previous temperature field (a warm start); the result of a run
//! depends on the seed only, never on the thread count.

use crate::distributed::{Ranks, SingleProcess, map_on};
use crate::error::{Error, Result};
use crate::treatment::objective::{Evaluation, TreatmentProblem, Workspace, is_overheating};
use pso::{BatchFailure, Bounds, Goal, Inertia, Objective, Pso, Update};
use std::ops::ControlFlow;
use std::sync::Mutex;
use std::time::Instant;

/// PSO settings of a run (App. C): the swarm, the generations, the seed and
/// parallel evaluation. The inertia follows the paper: linear 0.8 → 0 with
/// R_dose in J, 0.9 → 0.4 without.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OptimizationSettings {
    particles: usize,
    generations: usize,
    seed: u64,
    parallel: bool,
}

impl OptimizationSettings {
    /// A swarm of `particles` over `generations` (each ≥ 1), seed 0,
    /// parallel.
    ///
    /// # Errors
    /// Zero particles or generations.
    pub fn new(particles: usize, generations: usize) -> Result<Self> {
        for (name, v) in [("particles", particles), ("generations", generations)] {
            if v == 0 {
                return Err(Error::Invalid {
                    name,
                    reason: "must be at least 1".into(),
                });
            }
        }
        Ok(Self {
            particles,
            generations,
            ..Self::default()
        })
    }
    /// The seed of the swarm: the same seed gives the same run on any
    /// number of threads.
    pub fn with_seed(self, seed: u64) -> Self {
        Self { seed, ..self }
    }
    /// Evaluate the swarm on rayon's threads (the results are the same).
    pub fn with_parallel(self, parallel: bool) -> Self {
        Self { parallel, ..self }
    }
    /// Swarm size (paper: 20).
    pub fn particles(&self) -> usize {
        self.particles
    }
    /// Generations (paper: 300).
    pub fn generations(&self) -> usize {
        self.generations
    }
    /// Seed of the swarm.
    pub fn seed(&self) -> u64 {
        self.seed
    }
    /// Whether the swarm is evaluated in parallel.
    pub fn parallel(&self) -> bool {
        self.parallel
    }
}

impl Default for OptimizationSettings {
    /// The paper's 20 × 300, seed 0, parallel.
    fn default() -> Self {
        Self {
            particles: 20,
            generations: 300,
            seed: 0,
            parallel: true,
        }
    }
}

/// One generation of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct GenerationRecord {
    /// Generation index from 0.
    pub index: usize,
    /// Best J so far.
    pub best_j: f64,
    /// Mean J of this generation.
    pub mean_j: f64,
    /// The best position so far (the variables' evolution, Figs. 2, 5).
    pub best_position: Vec<f64>,
}

/// The outcome of an optimization: of a 2D plan (`E` = [`Evaluation`], the
/// default) or on a patient
/// ([`PatientEvaluation`](crate::patient::PatientEvaluation)).
#[derive(Debug, Clone)]
pub struct OptimizationReport<E = Evaluation> {
    /// The strategy's description.
    pub strategy: String,
    /// The variables' names.
    pub variables: Vec<&'static str>,
    /// The optimum's variables.
    pub best_position: Vec<f64>,
    /// The optimum re-evaluated from a cold start: layout, fields, metrics.
    pub best: E,
    /// One record per generation.
    pub history: Vec<GenerationRecord>,
    /// Objective evaluations made.
    pub evaluations: usize,
    /// Wall time of the run (s).
    pub runtime_s: f64,
}

/// The paper's swarm (App. C) over the box [`lower`, `upper`] with
/// `settings`: inertia 0.8 → 0 when J holds R_dose (`with_dose`), 0.9 →
/// 0.4 without; and the search box.
///
/// # Errors
/// Invalid settings or bounds.
pub(crate) fn paper_swarm(
    (lower, upper): (Vec<f64>, Vec<f64>),
    with_dose: bool,
    settings: &OptimizationSettings,
) -> Result<(Pso, Bounds)> {
    let bounds = Bounds::new(lower, upper)?;
    let inertia = if with_dose {
        Inertia::paper()
    } else {
        Inertia::paper_without_dose()
    };
    let pso = Pso::paper()
        .with_particles(settings.particles)?
        .with_generations(settings.generations)?
        .with_update(Update::Inertia(inertia))?
        .with_seed(settings.seed)
        .with_parallel(settings.parallel);
    Ok((pso, bounds))
}

/// A run's generations as records.
pub(crate) fn generation_records(history: &[pso::Generation]) -> Vec<GenerationRecord> {
    history
        .iter()
        .map(|g| GenerationRecord {
            index: g.index,
            best_j: g.best,
            mean_j: g.mean,
            best_position: g.best_position.clone(),
        })
        .collect()
}

/// A plan's J with a warm-started solver: what the swarm maximizes, 2D
/// ([`TreatmentProblem`]) or on a patient (3D).
pub(crate) trait WarmObjective: Sync {
    /// One evaluator's reusable solver state.
    type Workspace: Default + Send;
    /// The search box.
    fn search_box(&self) -> (Vec<f64>, Vec<f64>);
    /// Whether J holds R_dose (it sets the inertia schedule).
    fn with_dose(&self) -> bool;
    /// How far the plan at `x` exceeds φ = 1 (≤ 0: feasible).
    fn excess(&self, x: &[f64]) -> Result<f64>;
    /// J at `x`.
    fn j(&self, x: &[f64], workspace: &mut Self::Workspace) -> Result<f64>;
}

impl WarmObjective for TreatmentProblem {
    type Workspace = Workspace;
    fn search_box(&self) -> (Vec<f64>, Vec<f64>) {
        self.strategy().bounds()
    }
    fn with_dose(&self) -> bool {
        self.weights().dose().is_some()
    }
    fn excess(&self, x: &[f64]) -> Result<f64> {
        self.volume_fraction_excess(x)
    }
    fn j(&self, x: &[f64], workspace: &mut Workspace) -> Result<f64> {
        Ok(self.evaluate(x, workspace)?.metrics.j)
    }
}

/// The swarm's objective: J at each particle, each with its own workspace
/// (slot i of a batch is particle i, so each keeps its own warm start),
/// the generation shared over `ranks` (particle i always on the same rank).
struct SwarmObjective<'a, P: WarmObjective> {
    problem: &'a P,
    workspaces: Vec<Mutex<P::Workspace>>,
    ranks: &'a dyn Ranks,
}

impl<P: WarmObjective> Objective for SwarmObjective<'_, P> {
    type Error = Error;

    fn evaluate(&self, x: &[f64]) -> Result<f64> {
        self.problem.j(x, &mut P::Workspace::default())
    }

    fn evaluate_batch(
        &self,
        positions: &[Vec<f64>],
        values: &mut [f64],
        parallel: bool,
    ) -> std::result::Result<(), BatchFailure<Error>> {
        let shared = map_on(self.ranks, positions.len(), parallel, |index| {
            let x = &positions[index];
            // An infeasible plan (φ > 1 somewhere) has no J: its constraint
            // ranks it (`excess`).
            if self.problem.excess(x)? > 0.0 {
                return Ok(f64::NAN);
            }
            // The lock is never contended: slot i alone uses workspace i.
            let mut guard = self.workspaces[index % self.workspaces.len()]
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            match self.problem.j(x, &mut guard) {
                Ok(j) => Ok(j),
                // A plan heating past the solver's temperature limit ranks
                // below every plan with a J (a NaN value is the worst).
                Err(e) if is_overheating(&e) => {
                    *guard = P::Workspace::default();
                    Ok(f64::NAN)
                }
                Err(e) => Err(e),
            }
        })
        .map_err(|f| BatchFailure {
            index: f.index,
            error: f.error,
        })?;
        values.copy_from_slice(&shared);
        Ok(())
    }
}

/// What a swarm found: the best position, the generations, the count of
/// evaluations.
pub(crate) struct SwarmRun {
    pub best_position: Vec<f64>,
    pub history: Vec<GenerationRecord>,
    pub evaluations: usize,
}

/// Maximizes `problem`'s J by the paper's swarm under φ ≤ 1 (Deb's
/// feasibility rules), each generation shared over `ranks`; `progress`
/// sees each generation's index and best J.
///
/// # Errors
/// Invalid settings; no feasible plan; the first failed evaluation.
pub(crate) fn run_swarm<P: WarmObjective>(
    problem: &P,
    settings: &OptimizationSettings,
    ranks: &dyn Ranks,
    progress: &mut dyn FnMut(usize, f64),
) -> Result<SwarmRun> {
    let (pso, bounds) = paper_swarm(problem.search_box(), problem.with_dose(), settings)?;
    let objective = SwarmObjective {
        problem,
        workspaces: (0..settings.particles)
            .map(|_| Mutex::new(P::Workspace::default()))
            .collect(),
        ranks,
    };
    let mut observer = |g: &pso::Generation| {
        progress(g.index, g.best);
        ControlFlow::Continue(())
    };
    // φ ≤ 1 everywhere is a constraint: a crowded plan is infeasible, and
    // the feasibility rules rank it below every physical one.
    let crowding = |x: &[f64]| vec![problem.excess(x).unwrap_or(f64::INFINITY)];
    let report = pso.run_with(
        &objective,
        Some(&crowding),
        Goal::Maximize,
        &bounds,
        &mut observer,
    )?;
    if !report.feasible() {
        return Err(Error::Invalid {
            name: "injection plan",
            reason: format!(
                "every plan the swarm tried puts a particle volume fraction above 1 in some \
                 cell (the best exceeds it by {:.3}): use fewer sites or a smaller dose",
                report.best_violation
            ),
        });
    }
    Ok(SwarmRun {
        history: generation_records(&report.history),
        best_position: report.best_position,
        evaluations: report.evaluations,
    })
}

/// Maximizes J of `problem` by PSO; `progress` sees each generation's index
/// and best J (for a progress bar).
///
/// A plan that puts φ > 1 in some cell is infeasible, not an error: the
/// swarm keeps φ ≤ 1 as a constraint (Deb's feasibility rules, see
/// [`TreatmentProblem::volume_fraction_excess`]).
/// A plan whose steady temperature passes the solver's limit (1000 °C) has
/// no J and ranks below every plan that has one.
///
/// # Errors
/// Invalid settings; no feasible plan found; or [`pso::PsoError::Objective`]
/// for the first evaluation that failed (a solver error): it names the
/// generation, the particle and the position, and the run stops there.
pub fn optimize(
    problem: &TreatmentProblem,
    settings: &OptimizationSettings,
    progress: &mut dyn FnMut(usize, f64),
) -> Result<OptimizationReport> {
    optimize_on(problem, settings, &SingleProcess, progress)
}

/// [`optimize`] with each generation shared over `ranks` (MPI ranks with
/// the `mpi` feature: `crate::distributed::MpiRanks`). Every rank runs
/// the same swarm and receives every J, so every rank returns the same
/// report, bit for bit the one of [`optimize`] with the same seed, on any
/// number of ranks (more ranks than particles included: the extra ones
/// evaluate nothing). Every rank must call it with the same arguments.
///
/// # Errors
/// As [`optimize`], on every rank: a failed evaluation ends the run on all
/// of them, the rank that failed returning the typed error and the others
/// [`Error::Rank`].
pub fn optimize_on(
    problem: &TreatmentProblem,
    settings: &OptimizationSettings,
    ranks: &dyn Ranks,
    progress: &mut dyn FnMut(usize, f64),
) -> Result<OptimizationReport> {
    let start = Instant::now();
    let strategy = problem.strategy();
    let run = run_swarm(problem, settings, ranks, progress)?;
    let best = problem.evaluate(&run.best_position, &mut Workspace::default())?;
    Ok(OptimizationReport {
        strategy: strategy.name(),
        variables: strategy.variables(),
        best_position: run.best_position,
        best,
        history: run.history,
        evaluations: run.evaluations,
        runtime_s: start.elapsed().as_secs_f64(),
    })
}
