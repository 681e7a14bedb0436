//! One part of the D3Q7 lattice decomposed into slabs of x-planes, for a
//! solve spread over processes (MPI ranks, say): each slab steps its own
//! planes, and before each step receives from each neighbour the one
//! population that crosses their interface.
//!
//! With two buffers (pull streaming), a cell of the first plane pulls its
//! +x population from the plane below it, which the lower neighbour
//! collided in the previous step; a cell of the last plane pulls its −x
//! population from the upper neighbour's first plane. Nothing else
//! crosses: the collision is local, and walls act within a plane. So a
//! step is: send the two boundary planes ([`LbmSolver3::halo_send`]);
//! update the planes that need nothing from a neighbour
//! ([`LbmSolver3::step_interior`]) while the messages travel; put the
//! neighbours' planes in the ghost planes ([`LbmSolver3::halo_receive`]);
//! update the two boundary planes
//! ([`LbmSolver3::step_interface_planes`]). Each cell then computes
//! exactly what it computes in the whole lattice, bit for bit.

use super::{LbmSolver3, Streaming};
use crate::error::{BioheatError, Result};
use crate::lattice::Lattice;
use crate::lbm::LbmConfig;
use crate::lbm::TimeStep;
use crate::lbm::coefficients::{choose_time_step, reference_heat_capacity};
use crate::problem::PennesProblem3;
use std::ops::Range;

/// The error of a slab stepped out of order.
pub(super) fn slab_order_error() -> BioheatError {
    BioheatError::InvalidParameter {
        name: "slab step",
        value: f64::NAN,
        allowed: "a slab steps by step_interior, halo_receive, then step_interface_planes \
                  (step() would use stale neighbour planes)",
    }
}

impl LbmSolver3 {
    /// The solver of the x-planes `planes` (cells i in [start, end)) of
    /// `problem`, one slab of a decomposition along x: the whole problem's
    /// time step, (ρc)₀ and kernel, its walls at the faces the slab shares
    /// with the whole domain, and interfaces at the others. Pull streaming
    /// ([`Streaming::TwoBuffers`]); initialized at the problem's initial
    /// temperature.
    ///
    /// # Errors
    /// A range of fewer than two planes or beyond nx, and as
    /// [`LbmSolver3::new`].
    pub fn slab(problem: &PennesProblem3, config: LbmConfig, planes: Range<usize>) -> Result<Self> {
        let local = problem.slab_x(planes.clone())?;
        let nx = problem.grid().extents()[0];
        let dx = problem.grid().cubic_spacing().unwrap_or(f64::NAN);
        // The whole problem's time step, so every slab steps alike (the
        // constructor refuses non-cubic cells itself).
        let dt = choose_time_step(&config, problem, dx, 2.0 * config.moving_weight);
        let config = LbmConfig {
            time_step: TimeStep::Seconds(dt),
            ..config
        };
        let rc0 = reference_heat_capacity(problem);
        let hetero = problem.heat_capacity().iter().any(|&rc| rc != rc0);
        Self::build(
            local,
            config,
            Streaming::TwoBuffers,
            Some((rc0, hetero)),
            [planes.start > 0, planes.end < nx],
            planes.start,
        )
    }

    /// Whether the low and high x-faces are interfaces with neighbouring
    /// slabs (both false for a whole lattice).
    pub fn interfaces(&self) -> [bool; 2] {
        self.interfaces
    }

    /// The global x-index of the first plane (0 for a whole lattice).
    pub fn first_plane(&self) -> usize {
        self.x0
    }

    /// Values of one padded x-plane: (ny + 2)(nz + 2).
    pub fn halo_len(&self) -> usize {
        self.sx
    }

    /// What the neighbours need before the next step, each
    /// [`halo_len`](Self::halo_len) values: for the lower neighbour, the
    /// −x populations of the first plane; for the upper one, the +x
    /// populations of the last plane (post-collision).
    pub fn halo_send(&self) -> [&[f64]; 2] {
        let (sx, n0) = (self.sx, self.n[0]);
        [&self.f[2][sx..2 * sx], &self.f[1][n0 * sx..(n0 + 1) * sx]]
    }

    /// Where the neighbours' planes go before the interface planes step:
    /// the lower neighbour's last-plane +x populations into the low ghost
    /// plane, the upper neighbour's first-plane −x populations into the
    /// high one.
    pub fn halo_receive(&mut self) -> [&mut [f64]; 2] {
        let (sx, n0) = (self.sx, self.n[0]);
        let (low, rest) = self.f.split_at_mut(2);
        [
            &mut low[1][..sx],
            &mut rest[0][(n0 + 1) * sx..(n0 + 2) * sx],
        ]
    }

    /// Which padded planes (1-based) lie next to an interface, as a
    /// predicate on the plane index that borrows nothing of the solver.
    fn at_interface(&self) -> impl Fn(usize) -> bool + Sync + use<> {
        let ([low, high], last) = (self.interfaces, self.n[0]);
        move |pi| (low && pi == 1) || (high && pi == last)
    }

    /// The first half of a slab's step: the walls, then every plane not
    /// next to an interface (they need nothing from a neighbour).
    ///
    /// # Errors
    /// A step already begun.
    pub fn step_interior(&mut self) -> Result<()> {
        if self.pending.is_some() {
            return Err(slab_order_error());
        }
        self.fill_ghosts(super::Ghosts::Pull);
        let edge = self.at_interface();
        let stat = self.sweep_pull_planes(&|pi| !edge(pi));
        self.pending = Some(stat);
        Ok(())
    }

    /// The second half of a slab's step, once
    /// [`halo_receive`](Self::halo_receive) holds the neighbours' planes:
    /// the planes next to an interface; then the step counts as for the
    /// whole lattice (its largest change in
    /// [`last_change`](Self::last_change), a diverged cell by its global
    /// index).
    ///
    /// # Errors
    /// No step begun, or [`BioheatError::Diverged`].
    pub fn step_interface_planes(&mut self) -> Result<()> {
        let interior = self.pending.take().ok_or_else(slab_order_error)?;
        let edge = self.at_interface();
        let stat = self.sweep_pull_planes(&edge);
        std::mem::swap(&mut self.f, &mut self.g);
        self.finish_step(interior.merge(stat))
    }
}
