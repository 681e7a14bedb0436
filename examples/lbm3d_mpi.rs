//! The D3Q7 lattice Boltzmann solver decomposed over MPI ranks into
//! x-slabs, against one process: a 50 mm block of healthy tissue (Eq. 3)
//! around a 10 mm-radius tumor (Eq. 4) heated by a Gaussian source, from
//! 37 °C, for a fixed number of steps. Every rank steps its slab,
//! exchanging one plane of populations with each neighbour per step by
//! non-blocking messages overlapped with its interior update; the field is
//! then gathered and rank 0 compares it with the same steps on one
//! process (the default in-place streaming), cell by cell.
//!
//! Run: `mpirun -np 2 cargo run --release --features mpi --example
//! lbm3d_mpi [-- --cells N --steps S --threads T --weak --out DIR]`
//! (defaults: 64³ cells, 200 steps, 1 rayon thread per rank). With
//! `--weak` the lattice is (N·ranks) × N × N, N³ cells per rank (weak
//! scaling); otherwise N³ shared by the ranks (strong scaling). With
//! `--out` (an existing folder) each rank writes its slab and rank 0
//! `temperature.pvti`, parallel VTK for ParaView. Started without mpirun
//! it runs as one rank.
//!
//! Prints a table, then `{"ranks", "cells", "mlups",
//! "max_diff_vs_single_c", …}`: mlups is million cell updates per second
//! of the decomposed run (all ranks), max_diff_vs_single_c the largest
//! |ΔT| against one process (0 when bit-identical).

use mnp_suite::bioheat::{
    Grid3, HealthyTissuePerfusion, LbmConfig, LbmSolver3, PennesProblem, PennesProblem3, Shape3,
    TransientSolver, TumorPerfusion,
};
use mnp_suite::distributed::{DistributedLbm3, MpiRanks, Ranks};
use serde_json::json;

/// The command line's settings.
struct Settings {
    cells: usize,
    steps: usize,
    threads: usize,
    weak: bool,
    out: Option<std::path::PathBuf>,
}

fn settings() -> Result<Settings, Box<dyn std::error::Error>> {
    let mut s = Settings {
        cells: 64,
        steps: 200,
        threads: 1,
        weak: false,
        out: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let slot = match flag.as_str() {
            "--cells" => &mut s.cells,
            "--steps" => &mut s.steps,
            "--threads" => &mut s.threads,
            "--weak" => {
                s.weak = true;
                continue;
            }
            "--out" => {
                let dir = args.next().ok_or("--out needs a folder")?;
                s.out = Some(dir.into());
                continue;
            }
            _ => {
                return Err(format!(
                    "unknown argument {flag:?} (flags: --cells, --steps, --threads, --weak, --out)"
                )
                .into());
            }
        };
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        *slot = value
            .parse()
            .map_err(|_| format!("{flag} takes a whole number, not {value:?}"))?;
    }
    if s.cells < 8 || s.steps == 0 || s.threads == 0 {
        return Err("--cells must be at least 8, --steps and --threads at least 1".into());
    }
    Ok(s)
}

/// The benchmark block on nx × n × n cubic cells of 50/n mm, the tumor
/// and source at the centre of the first 50 mm of x.
fn problem(nx: usize, n: usize) -> Result<PennesProblem3, Box<dyn std::error::Error>> {
    let dx = 0.05 / n as f64;
    let grid = Grid3::new([nx, n, n], [dx; 3], [-0.025; 3])?;
    let sigma2 = 4e-3f64.powi(2);
    let heat = grid.field(|x, y, z| 5e5 * (-(x * x + y * y + z * z) / (2.0 * sigma2)).exp());
    Ok(
        PennesProblem::builder(grid, "healthy", HealthyTissuePerfusion)
            .region("tumor", &Shape3::sphere([0.0; 3], 0.01)?, TumorPerfusion)
            .heat_source(heat)
            .build()?,
    )
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let s = settings()?;
    if let Some(dir) = &s.out
        && !dir.is_dir()
    {
        return Err(format!("--out {}: not an existing folder", dir.display()).into());
    }
    let ranks = MpiRanks::initialize()?;
    rayon::ThreadPoolBuilder::new()
        .num_threads(s.threads)
        .build_global()?;
    let nx = if s.weak {
        s.cells * ranks.size()
    } else {
        s.cells
    };
    let p = problem(nx, s.cells)?;
    let config = LbmConfig::d3q7();
    let mut lbm = DistributedLbm3::new(&p, config, &ranks)?;
    ranks.barrier()?;
    let start = ranks.wall_time();
    lbm.run(s.steps)?;
    ranks.barrier()?;
    let seconds = ranks.wall_time() - start;
    let field = lbm.gather_temperature()?;
    let communication = ranks.all_gather_f64(&[lbm.communication_s()])?;
    let bytes = ranks.all_gather_f64(&[lbm.bytes_sent_per_step() as f64])?;
    if let Some(dir) = &s.out {
        lbm.write_pvti(dir, "temperature")?;
    }
    let Some(field) = field else {
        return Ok(());
    };
    let cells = nx * s.cells * s.cells;
    let mlups = (cells * s.steps) as f64 / seconds / 1e6;
    let mut single = LbmSolver3::new(p, config)?;
    let t0 = std::time::Instant::now();
    for _ in 0..s.steps {
        single.step()?;
    }
    let single_s = t0.elapsed().as_secs_f64();
    let reference = single.temperature();
    let differing = reference
        .iter()
        .zip(&field)
        .filter(|(a, b)| a.to_bits() != b.to_bits())
        .count();
    // NaN-propagating: a NaN anywhere is reported, not skipped.
    let max_diff = reference
        .iter()
        .zip(&field)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, |m: f64, d| {
            if d.is_nan() || m.is_nan() {
                f64::NAN
            } else {
                m.max(d)
            }
        });
    let hottest = field.iter().copied().fold(f64::MIN, f64::max);
    let communication_max = communication.iter().copied().fold(0.0, f64::max);
    println!(
        "D3Q7 on {nx} x {n} x {n} cells, {} steps ({} scaling), {} rank(s) x {} thread(s)",
        s.steps,
        if s.weak { "weak" } else { "strong" },
        ranks.size(),
        s.threads,
        n = s.cells
    );
    println!("  decomposed: {seconds:8.3} s  {mlups:8.2} MLUPS");
    println!(
        "  one process: {single_s:7.3} s  {:8.2} MLUPS",
        (cells * s.steps) as f64 / single_s / 1e6
    );
    println!(
        "  communication (waits + reductions), slowest rank: {communication_max:.3} s ({:.1} %)",
        100.0 * communication_max / seconds
    );
    println!(
        "  bytes sent per step, by rank: {:?}",
        bytes.iter().map(|&b| b as u64).collect::<Vec<_>>()
    );
    println!(
        "  hottest cell {hottest:.3} °C; max |ΔT| vs one process {max_diff:e} °C \
         ({differing} cells differ in any bit)"
    );
    println!(
        "{}",
        json!({
            "ranks": ranks.size(),
            "cells": cells,
            "steps": s.steps,
            "weak": s.weak,
            "threads_per_rank": s.threads,
            "seconds": seconds,
            "mlups": mlups,
            "single_seconds": single_s,
            "communication_s": communication_max,
            "bytes_per_step": bytes.iter().sum::<f64>(),
            "max_diff_vs_single_c": max_diff,
            "cells_differing": differing,
        })
    );
    if differing != 0 || !hottest.is_finite() {
        return Err(format!(
            "the decomposed field differs from one process in {differing} cells (by up to \
             {max_diff:e} °C), or is not finite"
        )
        .into());
    }
    Ok(())
}

fn main() -> std::process::ExitCode {
    mnp_suite::error::exit(run())
}
