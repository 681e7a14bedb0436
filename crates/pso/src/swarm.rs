//! The particle swarm optimizer (Kennedy & Eberhart 1995; Jiang et al.
//! 2022, App. C, Eqs. C.1–C.2 with the C.2 typo fixed: x ← x + v^{t+1}).

use crate::error::{EvaluationError, PsoError, Result, invalid};
use crate::problem::{Bounds, Constraints, Goal, Objective};
use crate::schedule::Inertia;
use crate::topology::{Key, Topology};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use std::ops::ControlFlow;
use std::time::{Duration, Instant};

/// The velocity update.
#[derive(Debug, Clone)]
pub enum Update {
    /// v ← w(g)·v + c1 r1 (p − x) + c2 r2 (n − x), with an inertia schedule.
    Inertia(Inertia),
    /// Clerc's constriction: v ← χ[v + c1 r1 (p − x) + c2 r2 (n − x)] with
    /// χ = 2/|2 − φ − √(φ² − 4φ)|, φ = c1 + c2 > 4.
    Constriction,
}

/// What happens to a particle that leaves the box.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BoundHandling {
    /// Put the coordinate on the violated bound and zero that velocity
    /// component (the default).
    #[default]
    Clamp,
    /// Mirror the coordinate into the box and reverse that velocity
    /// component.
    Reflect,
    /// Draw the coordinate uniformly in its interval and zero that velocity
    /// component.
    Reseed,
}

impl BoundHandling {
    /// Brings one coordinate `position` (with its velocity component) back
    /// into [`lower`, `upper`]; `draw` ∈ [0, 1) is the uniform number
    /// [`BoundHandling::Reseed`] uses (the others ignore it). A coordinate
    /// already inside is returned unchanged. The result always lies in the
    /// interval: a mirror image that rounds just outside it is put on the
    /// bound.
    pub fn confine(
        self,
        position: f64,
        velocity: f64,
        lower: f64,
        upper: f64,
        draw: f64,
    ) -> (f64, f64) {
        if position >= lower && position <= upper {
            return (position, velocity);
        }
        let (pos, vel) = match self {
            BoundHandling::Clamp => (position.clamp(lower, upper), 0.0),
            BoundHandling::Reflect => {
                let span = upper - lower;
                // Fold into [0, 2·span), then mirror the upper half.
                let t = (position - lower).rem_euclid(2.0 * span);
                (lower + if t > span { 2.0 * span - t } else { t }, -velocity)
            }
            BoundHandling::Reseed => (lower + (upper - lower) * draw, 0.0),
        };
        (pos.clamp(lower, upper), vel)
    }
}

/// Why a run stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// Every generation asked for was run.
    Generations,
    /// The best feasible value reached the target ([`Pso::with_target`]).
    Target,
    /// Another generation would have exceeded the evaluation budget
    /// ([`Pso::with_max_evaluations`]).
    Evaluations,
    /// The wall-time limit passed ([`Pso::with_time_limit`]).
    WallTime,
    /// The best value stagnated ([`Pso::with_stagnation`]).
    Stagnation,
    /// The observer returned `ControlFlow::Break`.
    Observer,
}

/// Settings of a run; build with [`Pso::paper`] or [`Pso::default`] and the
/// validated `with_*` setters.
#[derive(Debug, Clone)]
pub struct Pso {
    particles: usize,
    generations: usize,
    c1: f64,
    c2: f64,
    update: Update,
    topology: Topology,
    bounds: BoundHandling,
    velocity_clamp: Option<f64>,
    seed: u64,
    parallel: bool,
    stagnation: Option<(f64, usize)>,
    target: Option<f64>,
    max_evaluations: Option<usize>,
    time_limit: Option<Duration>,
    record_positions: bool,
    initial: Option<Vec<Vec<f64>>>,
}

impl Default for Pso {
    /// The paper's settings ([`Pso::paper`]) with seed 0.
    fn default() -> Self {
        Self::paper()
    }
}

/// One generation of a run: what an [`Observer`] sees and what the
/// [`Report`]'s history keeps.
#[derive(Debug, Clone, PartialEq)]
pub struct Generation {
    /// Generation index, from 0.
    pub index: usize,
    /// The best value found so far (in the objective's own sign; with
    /// constraints, the best by the feasibility rules).
    pub best: f64,
    /// The position of that best value.
    pub best_position: Vec<f64>,
    /// Its total constraint violation (0 when feasible or unconstrained).
    pub best_violation: f64,
    /// This generation's values, particle by particle (NaN kept).
    pub values: Vec<f64>,
    /// Mean of this generation's finite values.
    pub mean: f64,
    /// Objective evaluations made so far.
    pub evaluations: usize,
    /// Inertia weight used to move after this generation (χ for
    /// constriction).
    pub inertia: f64,
    /// The positions evaluated, when recording is on.
    pub positions: Option<Vec<Vec<f64>>>,
}

/// Called after every generation; return `ControlFlow::Break(())` to stop.
pub trait Observer {
    /// Sees generation `g`.
    fn observe(&mut self, g: &Generation) -> ControlFlow<()>;
}

impl<F: FnMut(&Generation) -> ControlFlow<()>> Observer for F {
    fn observe(&mut self, g: &Generation) -> ControlFlow<()> {
        self(g)
    }
}

/// The outcome of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The best position found.
    pub best_position: Vec<f64>,
    /// Its value.
    pub best_value: f64,
    /// One record per generation run.
    pub history: Vec<Generation>,
    /// The best position's total constraint violation (0 when feasible or
    /// unconstrained).
    pub best_violation: f64,
    /// Objective evaluations made.
    pub evaluations: usize,
    /// Why the run stopped.
    pub stop: StopReason,
}

impl Report {
    /// Whether the run ended before its last generation.
    pub fn stopped_early(&self) -> bool {
        self.stop != StopReason::Generations
    }
    /// Whether the best position satisfies every constraint.
    pub fn feasible(&self) -> bool {
        self.best_violation == 0.0
    }
}

impl Pso {
    /// Jiang et al. 2022, App. C: 20 particles, 300 generations, global
    /// best, inertia linear 0.8 → 0, c1 = c2 = 1.5, positions uniform in the
    /// box, velocities starting at zero, clamping at the bounds, seed 0,
    /// parallel evaluation.
    pub fn paper() -> Self {
        Self {
            particles: 20,
            generations: 300,
            c1: 1.5,
            c2: 1.5,
            update: Update::Inertia(Inertia::paper()),
            topology: Topology::Global,
            bounds: BoundHandling::Clamp,
            velocity_clamp: None,
            seed: 0,
            parallel: true,
            stagnation: None,
            target: None,
            max_evaluations: None,
            time_limit: None,
            record_positions: false,
            initial: None,
        }
    }

    /// Swarm size (≥ 1).
    ///
    /// # Errors
    /// Zero.
    pub fn with_particles(mut self, n: usize) -> Result<Self> {
        if n == 0 {
            return Err(invalid("particles", 0.0, "at least 1"));
        }
        self.particles = n;
        Ok(self)
    }
    /// Generations (≥ 1); each evaluates the whole swarm once.
    ///
    /// # Errors
    /// Zero.
    pub fn with_generations(mut self, n: usize) -> Result<Self> {
        if n == 0 {
            return Err(invalid("generations", 0.0, "at least 1"));
        }
        self.generations = n;
        Ok(self)
    }
    /// Acceleration constants c1 (own best) and c2 (neighbourhood best).
    ///
    /// # Errors
    /// A negative or non-finite constant, or c1 + c2 ≤ 4 under
    /// constriction.
    pub fn with_acceleration(mut self, c1: f64, c2: f64) -> Result<Self> {
        for (name, c) in [("c1", c1), ("c2", c2)] {
            if !(c.is_finite() && c >= 0.0) {
                return Err(invalid(name, c, "a finite value >= 0"));
            }
        }
        if matches!(self.update, Update::Constriction) && c1 + c2 <= 4.0 {
            return Err(invalid("c1 + c2 for constriction", c1 + c2, "a value > 4"));
        }
        self.c1 = c1;
        self.c2 = c2;
        Ok(self)
    }
    /// The velocity update (inertia schedule or constriction).
    ///
    /// # Errors
    /// An invalid schedule, or constriction with c1 + c2 ≤ 4.
    pub fn with_update(mut self, update: Update) -> Result<Self> {
        match &update {
            Update::Inertia(i) => i.check()?,
            Update::Constriction if self.c1 + self.c2 <= 4.0 => {
                return Err(invalid(
                    "c1 + c2 for constriction",
                    self.c1 + self.c2,
                    "a value > 4",
                ));
            }
            Update::Constriction => {}
        }
        self.update = update;
        Ok(self)
    }
    /// The neighbourhood topology.
    ///
    /// # Errors
    /// A ring with zero neighbours.
    pub fn with_topology(mut self, topology: Topology) -> Result<Self> {
        if topology == (Topology::Ring { neighbours: 0 }) {
            return Err(invalid("ring neighbours", 0.0, "at least 1"));
        }
        self.topology = topology;
        Ok(self)
    }
    /// What to do at the bounds.
    pub fn with_bound_handling(mut self, handling: BoundHandling) -> Self {
        self.bounds = handling;
        self
    }
    /// Limit each velocity component to `fraction` of its dimension's
    /// range.
    ///
    /// # Errors
    /// A fraction that is not finite and > 0.
    pub fn with_velocity_clamp(mut self, fraction: f64) -> Result<Self> {
        if !(fraction.is_finite() && fraction > 0.0) {
            return Err(invalid(
                "velocity clamp fraction",
                fraction,
                "a finite value > 0",
            ));
        }
        self.velocity_clamp = Some(fraction);
        Ok(self)
    }
    /// The random seed: the same seed gives the same run, bit for bit, on
    /// any number of threads.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
    /// Evaluate the swarm in parallel (with the `rayon` feature) or one by
    /// one. Results are identical either way.
    pub fn with_parallel(mut self, parallel: bool) -> Self {
        self.parallel = parallel;
        self
    }
    /// Stop when the best value improved by less than `tolerance` over the
    /// last `generations` generations.
    ///
    /// # Errors
    /// A negative tolerance or zero generations.
    pub fn with_stagnation(mut self, tolerance: f64, generations: usize) -> Result<Self> {
        if !(tolerance.is_finite() && tolerance >= 0.0) {
            return Err(invalid(
                "stagnation tolerance",
                tolerance,
                "a finite value >= 0",
            ));
        }
        if generations == 0 {
            return Err(invalid("stagnation generations", 0.0, "at least 1"));
        }
        self.stagnation = Some((tolerance, generations));
        Ok(self)
    }
    /// Stop once the best feasible value reaches `target` (≤ it when
    /// minimizing, ≥ it when maximizing).
    ///
    /// # Errors
    /// A non-finite target.
    pub fn with_target(mut self, target: f64) -> Result<Self> {
        if !target.is_finite() {
            return Err(invalid("target value", target, "a finite value"));
        }
        self.target = Some(target);
        Ok(self)
    }
    /// Never make more than `evaluations` objective evaluations: the run
    /// stops before a generation that would exceed the budget. A budget
    /// smaller than the swarm is refused when the run starts.
    ///
    /// # Errors
    /// Zero.
    pub fn with_max_evaluations(mut self, evaluations: usize) -> Result<Self> {
        if evaluations == 0 {
            return Err(invalid("max evaluations", 0.0, "at least 1"));
        }
        self.max_evaluations = Some(evaluations);
        Ok(self)
    }
    /// Stop after the first generation that ends past `limit` of wall time
    /// (measured from the start of the run; a generation is never cut).
    /// Where the run stops then depends on the machine; the generations it
    /// made are still those of the seed.
    ///
    /// # Errors
    /// A zero limit.
    pub fn with_time_limit(mut self, limit: Duration) -> Result<Self> {
        if limit.is_zero() {
            return Err(invalid("time limit (s)", 0.0, "a duration > 0"));
        }
        self.time_limit = Some(limit);
        Ok(self)
    }
    /// Keep every generation's positions in the history.
    pub fn with_recorded_positions(mut self, record: bool) -> Self {
        self.record_positions = record;
        self
    }
    /// Start from these positions instead of uniform draws: one per
    /// particle, all of one length, every coordinate finite. Their count,
    /// length and bounds are checked against the swarm and the box when the
    /// run starts.
    ///
    /// # Errors
    /// No position, positions of different lengths, or a non-finite
    /// coordinate.
    pub fn with_initial_positions(mut self, positions: Vec<Vec<f64>>) -> Result<Self> {
        let Some(first) = positions.first() else {
            return Err(PsoError::DimensionMismatch {
                what: "initial positions",
                expected: self.particles,
                found: 0,
            });
        };
        for (particle, pos) in positions.iter().enumerate() {
            if pos.len() != first.len() {
                return Err(PsoError::DimensionMismatch {
                    what: "an initial position",
                    expected: first.len(),
                    found: pos.len(),
                });
            }
            if let Some(dim) = pos.iter().position(|v| !v.is_finite()) {
                return Err(PsoError::InitialOutsideBounds {
                    particle,
                    dim,
                    value: pos[dim],
                });
            }
        }
        self.initial = Some(positions);
        Ok(self)
    }

    /// Optimizes `objective` over `bounds` towards `goal`.
    ///
    /// # Errors
    /// Initial positions of the wrong count, length, or outside the bounds;
    /// an evaluation budget smaller than the swarm; a failed evaluation
    /// ([`PsoError::Objective`]).
    pub fn run<O: Objective + ?Sized>(
        &self,
        objective: &O,
        goal: Goal,
        bounds: &Bounds,
    ) -> Result<Report> {
        self.run_with(objective, None, goal, bounds, &mut |_: &Generation| {
            ControlFlow::Continue(())
        })
    }

    /// [`Pso::run`] with an observer called after every generation.
    ///
    /// # Errors
    /// As [`Pso::run`].
    pub fn run_observed<O: Objective + ?Sized>(
        &self,
        objective: &O,
        goal: Goal,
        bounds: &Bounds,
        observer: &mut dyn Observer,
    ) -> Result<Report> {
        self.run_with(objective, None, goal, bounds, observer)
    }

    /// [`Pso::run`] under inequality constraints g(x) ≤ 0 beside the box,
    /// by the feasibility rules of [`Constraints`].
    ///
    /// # Errors
    /// As [`Pso::run`].
    pub fn run_constrained<O: Objective + ?Sized, C: Constraints>(
        &self,
        objective: &O,
        constraints: &C,
        goal: Goal,
        bounds: &Bounds,
    ) -> Result<Report> {
        self.run_with(
            objective,
            Some(constraints as &dyn Constraints),
            goal,
            bounds,
            &mut |_: &Generation| ControlFlow::Continue(()),
        )
    }

    /// The general run: optional constraints and an observer.
    ///
    /// # Errors
    /// As [`Pso::run`].
    pub fn run_with<O: Objective + ?Sized>(
        &self,
        objective: &O,
        constraints: Option<&dyn Constraints>,
        goal: Goal,
        bounds: &Bounds,
        observer: &mut dyn Observer,
    ) -> Result<Report> {
        let start = Instant::now();
        let (n, d) = (self.particles, bounds.dim());
        if let Some(max) = self.max_evaluations
            && max < n
        {
            return Err(invalid(
                "max evaluations",
                max as f64,
                "at least the swarm size",
            ));
        }
        let (lo, hi) = (bounds.lower(), bounds.upper());
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        let mut x: Vec<Vec<f64>> = match &self.initial {
            Some(init) => {
                if init.len() != n {
                    return Err(PsoError::DimensionMismatch {
                        what: "initial positions",
                        expected: n,
                        found: init.len(),
                    });
                }
                for (p, pos) in init.iter().enumerate() {
                    if pos.len() != d {
                        return Err(PsoError::DimensionMismatch {
                            what: "an initial position",
                            expected: d,
                            found: pos.len(),
                        });
                    }
                    if let Some(dim) = (0..d).find(|&k| !(pos[k] >= lo[k] && pos[k] <= hi[k])) {
                        return Err(PsoError::InitialOutsideBounds {
                            particle: p,
                            dim,
                            value: pos[dim],
                        });
                    }
                }
                init.clone()
            }
            None => (0..n)
                .map(|_| {
                    (0..d)
                        .map(|k| lo[k] + (hi[k] - lo[k]) * rng.random::<f64>())
                        .collect()
                })
                .collect(),
        };
        let mut v = vec![vec![0.0; d]; n];
        let vmax: Option<Vec<f64>> = self
            .velocity_clamp
            .map(|f| (0..d).map(|k| f * (hi[k] - lo[k])).collect());
        let chi = match self.update {
            Update::Constriction => {
                let phi = self.c1 + self.c2;
                2.0 / (2.0 - phi - (phi * phi - 4.0 * phi).sqrt()).abs()
            }
            Update::Inertia(_) => 1.0,
        };
        let mut values = vec![0.0; n];
        let mut keys = vec![Key::WORST; n];
        let mut pbest = x.clone();
        let mut pbest_key = vec![Key::WORST; n];
        let mut nbest = vec![0usize; n];
        let mut history = Vec::with_capacity(self.generations);
        let mut evaluations = 0;
        let mut stop = StopReason::Generations;
        for g in 0..self.generations {
            if let Err(f) = objective.evaluate_batch(&x, &mut values, self.parallel) {
                return Err(PsoError::Objective {
                    generation: g,
                    particle: f.index,
                    position: x.get(f.index).cloned().unwrap_or_default(),
                    source: EvaluationError::new(f.error),
                });
            }
            evaluations += n;
            for i in 0..n {
                keys[i] = Key {
                    violation: constraints.map_or(0.0, |c| {
                        let v = c.violation(&x[i]);
                        if v.is_nan() { f64::INFINITY } else { v }
                    }),
                    score: goal.score(values[i]),
                };
                if keys[i] < pbest_key[i] {
                    pbest_key[i] = keys[i];
                    pbest[i].clone_from(&x[i]);
                }
            }
            let best = best_index(&pbest_key);
            let finite: Vec<f64> = values.iter().copied().filter(|s| s.is_finite()).collect();
            let mean = if finite.is_empty() {
                f64::NAN
            } else {
                finite.iter().sum::<f64>() / finite.len() as f64
            };
            let w = match &self.update {
                Update::Inertia(schedule) => schedule.weight(g, self.generations),
                Update::Constriction => chi,
            };
            if !w.is_finite() {
                // Only a user's schedule can do this; moving with it would
                // put NaN into every position.
                return Err(invalid(
                    "inertia weight of the schedule",
                    w,
                    "a finite value at every generation",
                ));
            }
            let record = Generation {
                index: g,
                best: goal.value(pbest_key[best].score),
                best_position: pbest[best].clone(),
                best_violation: pbest_key[best].violation,
                values: values.clone(),
                mean,
                evaluations,
                inertia: w,
                positions: self.record_positions.then(|| x.clone()),
            };
            let observed = observer.observe(&record).is_break();
            history.push(record);
            let reason = if observed {
                Some(StopReason::Observer)
            } else if self.target.is_some_and(|t| {
                pbest_key[best].violation == 0.0 && pbest_key[best].score <= goal.score(t)
            }) {
                Some(StopReason::Target)
            } else if self.stagnated(&history) {
                Some(StopReason::Stagnation)
            } else if g + 1 == self.generations {
                Some(StopReason::Generations)
            } else if self.max_evaluations.is_some_and(|m| evaluations + n > m) {
                Some(StopReason::Evaluations)
            } else if self.time_limit.is_some_and(|t| start.elapsed() >= t) {
                Some(StopReason::WallTime)
            } else {
                None
            };
            if let Some(reason) = reason {
                stop = reason;
                break;
            }
            // Move. Random numbers are drawn on this thread in a fixed order
            // (particle, then dimension, r1 then r2), so the run does not
            // depend on how evaluations were scheduled.
            self.topology.best_neighbours(&pbest_key, &mut nbest);
            for i in 0..n {
                for k in 0..d {
                    let (r1, r2) = (rng.random::<f64>(), rng.random::<f64>());
                    let pull = self.c1 * r1 * (pbest[i][k] - x[i][k])
                        + self.c2 * r2 * (pbest[nbest[i]][k] - x[i][k]);
                    let mut vel = match self.update {
                        Update::Inertia(_) => w * v[i][k] + pull,
                        Update::Constriction => chi * (v[i][k] + pull),
                    };
                    if let Some(vm) = &vmax {
                        vel = vel.clamp(-vm[k], vm[k]);
                    }
                    let pos = x[i][k] + vel;
                    let (pos, vel) = if pos < lo[k] || pos > hi[k] {
                        let draw = if self.bounds == BoundHandling::Reseed {
                            rng.random::<f64>()
                        } else {
                            0.0
                        };
                        self.bounds.confine(pos, vel, lo[k], hi[k], draw)
                    } else {
                        (pos, vel)
                    };
                    x[i][k] = pos;
                    v[i][k] = vel;
                }
            }
        }
        let best = best_index(&pbest_key);
        Ok(Report {
            best_position: pbest[best].clone(),
            best_value: goal.value(pbest_key[best].score),
            best_violation: pbest_key[best].violation,
            history,
            evaluations,
            stop,
        })
    }

    fn stagnated(&self, history: &[Generation]) -> bool {
        match self.stagnation {
            Some((tol, k)) if history.len() > k => {
                let (now, then) = (
                    history[history.len() - 1].best,
                    history[history.len() - 1 - k].best,
                );
                (now - then).abs() <= tol
            }
            _ => false,
        }
    }
}

/// The particle whose key is lowest (ties to the lower index).
fn best_index(keys: &[Key]) -> usize {
    (0..keys.len()).fold(0, |a, b| if keys[b] < keys[a] { b } else { a })
}
