//! The particle swarm optimizer (Kennedy & Eberhart 1995; Jiang et al.
//! 2022, App. C, Eqs. C.1–C.2 with the C.2 typo fixed: x ← x + v^{t+1}).

use crate::error::{PsoError, Result, invalid};
use crate::problem::{Bounds, Goal, Objective};
use crate::schedule::Inertia;
use crate::topology::Topology;
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use std::ops::ControlFlow;

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
    record_positions: bool,
    initial: Option<Vec<Vec<f64>>>,
}

impl Default for Pso {
    /// The paper's settings ([`Pso::paper`]) with seed 0.
    fn default() -> Self {
        Self::paper()
    }
}

/// One generation of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Generation {
    /// Generation index, from 0.
    pub index: usize,
    /// The best value found so far (in the objective's own sign).
    pub best: f64,
    /// Mean of this generation's finite values.
    pub mean: f64,
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
    /// Objective evaluations made.
    pub evaluations: usize,
    /// True when the stagnation rule or the observer ended the run early.
    pub stopped_early: bool,
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
    /// A negative or non-finite constant.
    pub fn with_acceleration(mut self, c1: f64, c2: f64) -> Result<Self> {
        for (name, c) in [("c1", c1), ("c2", c2)] {
            if !(c.is_finite() && c >= 0.0) {
                return Err(invalid(name, c, "a finite value >= 0"));
            }
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
    /// Keep every generation's positions in the history.
    pub fn with_recorded_positions(mut self, record: bool) -> Self {
        self.record_positions = record;
        self
    }
    /// Start from these positions instead of uniform draws (one per
    /// particle; checked against the bounds when the run starts).
    pub fn with_initial_positions(mut self, positions: Vec<Vec<f64>>) -> Self {
        self.initial = Some(positions);
        self
    }

    /// Optimizes `objective` over `bounds` towards `goal`.
    ///
    /// # Errors
    /// Initial positions of the wrong count, length, or outside the bounds.
    pub fn run<O: Objective + ?Sized>(
        &self,
        objective: &O,
        goal: Goal,
        bounds: &Bounds,
    ) -> Result<Report> {
        self.run_observed(objective, goal, bounds, &mut |_: &Generation| {
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
        let (n, d) = (self.particles, bounds.dim());
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
        let mut scores = vec![0.0; n];
        let mut pbest = x.clone();
        let mut pbest_score = vec![f64::INFINITY; n];
        let mut nbest = vec![0usize; n];
        let mut history = Vec::with_capacity(self.generations);
        let mut evaluations = 0;
        let mut stopped_early = false;
        for g in 0..self.generations {
            self.evaluate(objective, goal, &x, &mut scores);
            evaluations += n;
            for i in 0..n {
                if scores[i] < pbest_score[i] {
                    pbest_score[i] = scores[i];
                    pbest[i].clone_from(&x[i]);
                }
            }
            let best = (0..n).fold(0, |a, b| {
                if pbest_score[b] < pbest_score[a] {
                    b
                } else {
                    a
                }
            });
            let finite: Vec<f64> = scores.iter().copied().filter(|s| s.is_finite()).collect();
            let mean = if finite.is_empty() {
                f64::NAN
            } else {
                goal.value(finite.iter().sum::<f64>() / finite.len() as f64)
            };
            let w = match &self.update {
                Update::Inertia(schedule) => schedule.weight(g, self.generations),
                Update::Constriction => chi,
            };
            let record = Generation {
                index: g,
                best: goal.value(pbest_score[best]),
                mean,
                inertia: w,
                positions: self.record_positions.then(|| x.clone()),
            };
            let stop = observer.observe(&record).is_break();
            history.push(record);
            if stop || self.stagnated(&history) {
                stopped_early = g + 1 < self.generations;
                break;
            }
            if g + 1 == self.generations {
                break;
            }
            // Move. Random numbers are drawn on this thread in a fixed order
            // (particle, then dimension, r1 then r2), so the run does not
            // depend on how evaluations were scheduled.
            self.topology.best_neighbours(&pbest_score, &mut nbest);
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
                    let mut pos = x[i][k] + vel;
                    if pos < lo[k] || pos > hi[k] {
                        match self.bounds {
                            BoundHandling::Clamp => {
                                pos = pos.clamp(lo[k], hi[k]);
                                vel = 0.0;
                            }
                            BoundHandling::Reflect => {
                                let span = hi[k] - lo[k];
                                // Fold into [0, 2·span), then mirror the upper half.
                                let t = (pos - lo[k]).rem_euclid(2.0 * span);
                                pos = lo[k] + if t > span { 2.0 * span - t } else { t };
                                vel = -vel;
                            }
                            BoundHandling::Reseed => {
                                pos = lo[k] + (hi[k] - lo[k]) * rng.random::<f64>();
                                vel = 0.0;
                            }
                        }
                    }
                    // Guard against rounding just outside the box.
                    x[i][k] = pos.clamp(lo[k], hi[k]);
                    v[i][k] = vel;
                }
            }
        }
        let best = (0..n).fold(0, |a, b| {
            if pbest_score[b] < pbest_score[a] {
                b
            } else {
                a
            }
        });
        Ok(Report {
            best_position: pbest[best].clone(),
            best_value: goal.value(pbest_score[best]),
            history,
            evaluations,
            stopped_early,
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

    fn evaluate<O: Objective + ?Sized>(
        &self,
        objective: &O,
        goal: Goal,
        x: &[Vec<f64>],
        scores: &mut [f64],
    ) {
        objective.evaluate_batch(x, scores, self.parallel);
        for s in scores.iter_mut() {
            *s = goal.score(*s);
        }
    }
}
