//! Tables 2, 3, 5, 6 and 7 and §3.3's ablation times of Jiang et al. 2022,
//! paper beside ours: eleven PSO runs of 20 particles × 300 generations with
//! the finite-volume steady solver on the paper's 100² grid, then
//! Crank–Nicolson dose transients of the optima (CEM43, Arrhenius).
//!
//! Run: `cargo run --release --example reproduce_tables` (about 3 minutes
//! on 2 cores); the same as `cargo run --release -- tables --json`.
//! The last line of standard output is a JSON object with the key figures:
//! `table2`, `table3`, `table5`, `table6`, `table7`,
//! `ablation_complete_min`, `runtime_s`.

use mnp_suite::treatment::assessment::DoseSettings;
use mnp_suite::treatment::optimize::OptimizationSettings;
use mnp_suite::treatment::tables::{print_tables, reproduce_tables};

fn main() -> std::process::ExitCode {
    mnp_suite::error::exit(run())
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let tables = reproduce_tables(
        100,
        &OptimizationSettings::default(),
        &DoseSettings::default(),
        &mut |line| eprintln!("{line}"),
    )?;
    print_tables(&tables);
    println!("{}", serde_json::to_string(&tables.to_json())?);
    Ok(())
}
