//! What a run will need, checked before it starts: a run the machine
//! cannot hold is refused with the estimate and the limit, instead of
//! aborting on a failed allocation minutes later.

use crate::error::{Error, Result};

/// Memory one steady solver and its fields take per cell (bytes): the
/// finite-volume operator, multigrid levels, Newton work arrays and the
/// output fields. Measured: `mnp solve --cells 1000` peaks at 351 MB
/// (351 B per cell); `mnp optimize --cells 500 --particles 8` at 687 MB
/// (305 B per cell and solver).
pub const BYTES_PER_CELL_AND_SOLVER: f64 = 400.0;

/// The memory this machine has available (bytes): `MemAvailable` of
/// `/proc/meminfo`, or `None` where that cannot be read.
pub fn available_memory() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024.0)
}

/// The memory a run on `cells` × `cells` with `solvers` steady solvers at
/// once (one per swarm particle, plus the final evaluation) needs (bytes).
pub fn estimate_memory(cells: usize, solvers: usize) -> f64 {
    BYTES_PER_CELL_AND_SOLVER * (cells as f64).powi(2) * solvers.max(1) as f64
}

/// Refuses a run whose estimate exceeds 90 % of `available` bytes, naming
/// `flag` and both figures.
///
/// # Errors
/// [`Error::Invalid`] naming `flag`, with the estimate and the limit.
pub fn check_memory(flag: &'static str, needed: f64, available: Option<f64>) -> Result<()> {
    let Some(available) = available else {
        return Ok(());
    };
    let limit = 0.9 * available;
    if needed > limit {
        return Err(Error::Invalid {
            name: flag,
            reason: format!(
                "the run needs about {:.1} GB of memory ({BYTES_PER_CELL_AND_SOLVER} B per cell \
                 and solver), more than the {:.1} GB this machine has available; use fewer \
                 cells or particles",
                needed / 1e9,
                limit / 1e9
            ),
        });
    }
    Ok(())
}
