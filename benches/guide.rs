//! The guide's example bench: the steady finite-volume solve of a laser-
//! heated skin slab (docs/GUIDE.md, step 3) at three resolutions.
//!
//! Run: `cargo bench --bench guide`

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use mnp_suite::bioheat::{
    Boundary, ConstantPerfusion, FvConfig, FvSolver, Grid, PennesProblem, Side, SteadySolver,
};
use std::hint::black_box;

/// The skin slab of the guide, `n` cells wide and `4 n` deep over 4 × 16 mm.
fn slab(n: usize) -> PennesProblem {
    let dx = 4e-3 / n as f64;
    let grid = Grid::new(n, 4 * n, dx, 0.0, -16e-3).unwrap();
    let laser = grid.field(|_, y| 30.0 * 1e4 * (200.0 * y).exp());
    PennesProblem::builder(grid, "tissue", ConstantPerfusion(0.5))
        .heat_source(laser)
        .boundary(
            Side::North,
            Boundary::Convective {
                h: 10.0,
                ambient_c: 25.0,
            },
        )
        .build()
        .unwrap()
}

fn steady_slab(c: &mut Criterion) {
    // With mnp-suite's `figures` feature on, register its embedded font
    // first so criterion's HTML report can draw its text on any machine.
    mnp_suite::app::plot::register_fonts().unwrap();
    let mut group = c.benchmark_group("guide_steady_slab");
    for n in [16usize, 32, 64] {
        let problem = slab(n);
        group.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter(|| {
                let mut solver = FvSolver::new(problem.clone(), FvConfig::default()).unwrap();
                black_box(solver.solve_steady(None).unwrap())
            })
        });
    }
    group.finish();
}

criterion_group!(benches, steady_slab);
criterion_main!(benches);
