//! The `mnp` command line (clap): `optimize`, `dose`, `solve`, `tables`,
//! `scenario` and `design` (particles designed on the DiMag models). With no command it runs the paper's four-site circular
//! optimization and writes its results and figures to `out/`.
//!
//! Every command prints a table for people, then one line of JSON with the
//! key figures, and writes JSON, CSV, VTK fields and PNG/SVG figures to the
//! output folder (`--out`, default `out`).

use crate::app::figures::{
    FieldMap, MapKind, TreatmentReport, Window, ablation_curves, convergence, field_map,
    treatment_report,
};
use crate::app::output::RunOutput;
use crate::app::resources::{available_memory, check_memory, estimate_memory};
use crate::app::scenario_file::{
    BuiltScenario, RobustObjectiveKind, ScenarioFile, SolverKind, StrategyKind, TumorShape,
};
use crate::distributed::{Ranks, SingleProcess, agree, command_ranks, units_on};
use crate::error::{Error, Result};
use crate::treatment::assessment::{DoseReport, assess_dose};
use crate::treatment::objective::{Evaluation, TreatmentProblem, Workspace};
use crate::treatment::optimize::{GenerationRecord, OptimizationReport, optimize_on};
use crate::treatment::scenario::GridAlignment;
use crate::treatment::tables::{format_tables, reproduce_tables};
use crate::uncertainty::Sampling;
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{Value, json};
use std::ffi::OsString;
use std::path::PathBuf;

/// Standard output that a closed pipe (`mnp … | head`) does not stop: the
/// run goes on and writes its files, and what no longer reaches a reader
/// is dropped (the `println!` and `print!` of this module).
fn say(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let _ = std::io::stdout().lock().write_fmt(args);
}

macro_rules! println {
    () => {
        say(format_args!("\n"))
    };
    ($($t:tt)*) => {
        say(format_args!("{}\n", format_args!($($t)*)))
    };
}

macro_rules! print {
    ($($t:tt)*) => {
        say(format_args!($($t)*))
    };
}

/// Magnetic hyperthermia injection planning (Jiang et al. 2022).
#[derive(Debug, Parser)]
#[command(name = "mnp", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Optimize the injection by PSO (Tables 2, 5); with --particle, for
    /// a particle whose SAR the DiMag model predicts.
    Optimize(OptimizeArgs),
    /// Thermal-dose transient of an optimum, or of `--position`
    /// (Table 7, Figs. 8, 9).
    Dose(PositionArgs),
    /// Solve one configuration (`--position`): fields and metrics.
    Solve(PositionArgs),
    /// Tables 2, 3, 5, 6 and 7 with the paper's values beside ours.
    Tables(TablesArgs),
    /// Print the scenario file of the given settings (the paper's by
    /// default) as TOML.
    Scenario(RunArgs),
    /// Plans under uncertain tissue: the distribution of a plan's outcomes
    /// over fresh samples of the scenario's `[uncertainty]` model, Sobol
    /// sensitivity indices of J, and (with --optimize) a robust plan.
    Robust(RobustArgs),
    /// Design particles on the DiMag models: the highest lower bound of
    /// predicted SAR, optionally with predicted r2 above a threshold,
    /// near the data (reads $MNP_DATA_DIR/dimag or --data).
    Design(DesignArgs),
}

#[derive(Debug, Args)]
struct DesignArgs {
    /// The folder holding dimag/ (default: $MNP_DATA_DIR).
    #[arg(long)]
    data: Option<PathBuf>,
    /// Field amplitude, in SAR.csv's units (default: the data's median).
    #[arg(long, allow_negative_numbers = true)]
    field_amplitude: Option<f64>,
    /// Field frequency in MHz, SAR.csv's units (default: the data's median).
    #[arg(long, allow_negative_numbers = true)]
    field_frequency: Option<f64>,
    /// Particle concentration, in SAR.csv's units (default: the data's
    /// median).
    #[arg(long, allow_negative_numbers = true)]
    concentration: Option<f64>,
    /// MRI field for r2, T (default: r2.csv's median).
    #[arg(long, allow_negative_numbers = true)]
    field_strength: Option<f64>,
    /// Require a predicted r2 of at least this (mM⁻¹ s⁻¹).
    #[arg(long, allow_negative_numbers = true)]
    r2_min: Option<f64>,
    /// Miscoverage of the intervals.
    #[arg(long, default_value_t = 0.1, allow_negative_numbers = true)]
    alpha: f64,
    /// Interval calibration: folds of whole articles (a new synthesis) or
    /// of rows.
    #[arg(long, value_enum, default_value_t = crate::ml::design::Calibration::Articles)]
    calibration: crate::ml::design::Calibration,
    /// Candidates to report.
    #[arg(long, default_value_t = 5)]
    candidates: usize,
    /// Swarm size per composition and shape.
    #[arg(long, default_value_t = 20)]
    particles: usize,
    /// Generations per composition and shape.
    #[arg(long, default_value_t = 60)]
    generations: usize,
    /// Seed of the folds, models and swarms.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Output folder.
    #[arg(long, default_value = "out")]
    out: PathBuf,
}

#[derive(Debug, Args, Default, Clone)]
struct RunArgs {
    /// Scenario file (TOML); every key defaults to the paper.
    #[arg(long)]
    scenario: Option<PathBuf>,
    /// Tumor shape (the paper's sizes; mask needs a scenario file).
    #[arg(long, value_enum)]
    tumor: Option<TumorShape>,
    /// Injection strategy (default: by the tumor).
    #[arg(long, value_enum)]
    strategy: Option<StrategyKind>,
    /// Number of injection sites.
    #[arg(long)]
    sites: Option<usize>,
    /// Swarm size.
    #[arg(long)]
    particles: Option<usize>,
    /// PSO generations.
    #[arg(long)]
    generations: Option<usize>,
    /// PSO seed.
    #[arg(long)]
    seed: Option<u64>,
    /// Steady solver (default: fv).
    #[arg(long, value_enum)]
    solver: Option<SolverKind>,
    /// Cells per side.
    #[arg(long)]
    cells: Option<usize>,
    /// Where the lattice sits relative to the tumor centre (default: the
    /// paper's node_at_centre).
    #[arg(long, value_enum)]
    alignment: Option<GridAlignment>,
    /// Drop R_dose from J (Table 3).
    #[arg(long)]
    without_dose: bool,
    /// Side (mm) of the square the maps show, centred on the tumor
    /// (default: the whole computed field).
    #[arg(long)]
    map_window: Option<f64>,
    /// A segmentation to plan on in 3D: a NIfTI-1 label volume (.nii or
    /// .nii.gz); needs --tumor-label. Every other label is healthy tissue
    /// (a scenario file's [patient] section can say more).
    #[arg(long)]
    mask: Option<PathBuf>,
    /// The tumor's label(s) in --mask, comma-separated.
    #[arg(long, value_delimiter = ',')]
    tumor_label: Option<Vec<u32>>,
    /// Healthy tissue kept around the tumor in the solved box (mm,
    /// default 10).
    #[arg(long, allow_negative_numbers = true)]
    margin_mm: Option<f64>,
    /// Resample the solved box to cubic cells of this size (mm), for
    /// anisotropic voxels or a coarser, faster plan.
    #[arg(long, allow_negative_numbers = true)]
    cell_mm: Option<f64>,
    /// Output folder.
    #[arg(long, default_value = "out")]
    out: PathBuf,
}

impl RunArgs {
    /// The part of the block the maps show.
    fn window(&self) -> Result<Window> {
        match self.map_window {
            None => Ok(Window::Whole),
            Some(mm) if mm.is_finite() && mm > 0.0 => Ok(Window::centred(mm * 1e-3)),
            Some(mm) => Err(Error::Invalid {
                name: "--map-window",
                reason: format!("the side must be a positive length in mm, got {mm}"),
            }),
        }
    }
}

#[derive(Debug, Args)]
struct PositionArgs {
    #[command(flatten)]
    run: RunArgs,
    /// The strategy's variables, comma-separated (k_phi,k_sigma[,k_d...]);
    /// `dose` optimizes first when omitted.
    #[arg(long, value_delimiter = ',', allow_hyphen_values = true)]
    position: Option<Vec<f64>>,
}

#[derive(Debug, Args)]
struct OptimizeArgs {
    #[command(flatten)]
    run: RunArgs,
    /// A particle to heat with: a TOML file of SAR.csv's descriptors
    /// (`"Area/volume" = 0.084`, …, the field and concentration included).
    /// The DiMag SAR model (trained on $MNP_DATA_DIR/dimag or --data)
    /// predicts its SAR with a conformal interval; the plan is optimized at
    /// the prediction and judged at the interval's ends.
    #[arg(long)]
    particle: Option<PathBuf>,
    /// The folder holding dimag/ (default: $MNP_DATA_DIR), with --particle.
    #[arg(long)]
    data: Option<PathBuf>,
    /// Miscoverage of the SAR interval, with --particle (default 0.1: a
    /// 90 % interval).
    #[arg(long, allow_negative_numbers = true)]
    sar_alpha: Option<f64>,
    /// Share each generation over the ranks of an MPI job
    /// (`mpirun -np N mnp optimize --mpi …`; needs a build with
    /// `--features mpi`): the same plan, bit for bit, as one process.
    /// Rank 0 prints and writes the results.
    #[arg(long)]
    mpi: bool,
}

#[derive(Debug, Args)]
struct RobustArgs {
    #[command(flatten)]
    run: RunArgs,
    /// The plan's variables, comma-separated (default: the nominal optimum,
    /// or the robust one with --optimize).
    #[arg(long, value_delimiter = ',', allow_hyphen_values = true)]
    position: Option<Vec<f64>>,
    /// Optimize the plan robustly (on `--samples` samples per plan) before
    /// evaluating it on fresh samples.
    #[arg(long)]
    optimize: bool,
    /// The robust objective (default: the scenario file's, cvar).
    #[arg(long, value_enum)]
    objective: Option<RobustObjectiveKind>,
    /// Samples per plan in the robust optimization (default 16).
    #[arg(long)]
    samples: Option<usize>,
    /// Fresh samples the plan is evaluated on (default 1024).
    #[arg(long)]
    evaluation_samples: Option<usize>,
    /// How samples are drawn (default: sobol).
    #[arg(long, value_enum)]
    sampling: Option<Sampling>,
    /// Seed of the samples (default 1; evaluation samples use seed + 1,
    /// the sensitivity analysis seed + 2).
    #[arg(long)]
    uncertainty_seed: Option<u64>,
    /// Base samples N of the Sobol analysis, N(d + 2) solves (default
    /// 1024; 0 skips it).
    #[arg(long)]
    sensitivity_samples: Option<usize>,
    /// Dose transients (the scenario's `[dose]`) on the first N evaluation
    /// samples: the distribution of the ablation time (default 0: none).
    #[arg(long)]
    ablation_samples: Option<usize>,
    /// Share the optimization's (plan, sample) pairs, the fresh samples,
    /// the ablation transients and the Sobol points over the ranks of an
    /// MPI job (`mpirun -np N mnp robust --mpi …`; needs a build with
    /// `--features mpi`): the same results, bit for bit, as one process.
    /// Rank 0 prints and writes.
    #[arg(long)]
    mpi: bool,
}

#[derive(Debug, Args)]
struct TablesArgs {
    /// Print only the JSON line (no tables for people).
    #[arg(long)]
    json: bool,
    /// Cells per side.
    #[arg(long, default_value_t = 100)]
    cells: usize,
    /// Swarm size.
    #[arg(long, default_value_t = 20)]
    particles: usize,
    /// PSO generations.
    #[arg(long, default_value_t = 300)]
    generations: usize,
    /// PSO seed.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Output folder.
    #[arg(long, default_value = "out")]
    out: PathBuf,
}

/// Runs the command line with `args` (the program name first).
///
/// # Errors
/// Bad arguments (clap's message), a bad scenario file (naming the key) or
/// any failure of the chosen command.
pub fn run(args: impl IntoIterator<Item = OsString>) -> Result<()> {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version.
            print!("{e}");
            return Ok(());
        }
        Err(e) => {
            return Err(Error::Invalid {
                name: "arguments",
                reason: e.to_string(),
            });
        }
    };
    match cli.command.unwrap_or(Command::Optimize(OptimizeArgs {
        run: RunArgs {
            out: PathBuf::from("out"),
            ..RunArgs::default()
        },
        particle: None,
        data: None,
        sar_alpha: None,
        mpi: false,
    })) {
        Command::Optimize(a) => cmd_optimize(&a),
        Command::Dose(a) => cmd_dose(&a),
        Command::Solve(a) => cmd_solve(&a),
        Command::Tables(a) => cmd_tables(&a),
        Command::Design(a) => cmd_design(&a),
        Command::Robust(a) => cmd_robust(&a),
        Command::Scenario(a) => {
            let file = scenario_file(&a)?;
            if let Some(p) = &file.patient {
                // Only a segmentation that reads is printed.
                p.build(*file.build()?.problem.weights())?;
            }
            // Only a scenario that builds is printed.
            file.build()?;
            print!("{}", file.to_toml()?);
            Ok(())
        }
    }
}

/// The scenario file with the command-line overrides applied.
fn scenario_file(a: &RunArgs) -> Result<ScenarioFile> {
    let mut f = match &a.scenario {
        Some(path) => ScenarioFile::read(path)?,
        None => ScenarioFile::default(),
    };
    if let Some(t) = a.tumor {
        f.tumor.shape = t;
        if a.strategy.is_none() && t == TumorShape::Ellipse {
            f.injection.strategy = StrategyKind::Elliptical;
        }
    }
    if let Some(s) = a.strategy {
        f.injection.strategy = s;
    }
    if let Some(n) = a.sites {
        f.injection.sites = n;
    }
    if let Some(n) = a.particles {
        f.pso.particles = n;
    }
    if let Some(n) = a.generations {
        f.pso.generations = n;
    }
    if let Some(s) = a.seed {
        f.pso.seed = s;
    }
    if let Some(s) = a.solver {
        f.solver.kind = s;
    }
    if let Some(c) = a.cells {
        f.grid.cells = c;
    }
    if let Some(al) = a.alignment {
        f.grid.alignment = al;
    }
    if a.without_dose {
        f.objective.include_dose = false;
    }
    patient_overrides(a, &mut f)?;
    Ok(f)
}

/// `--mask`, `--tumor-label`, `--margin-mm`, `--cell-mm` and `--sites` into
/// the file's `[patient]`; the 2D block's flags refused on a patient.
fn patient_overrides(a: &RunArgs, f: &mut ScenarioFile) -> Result<()> {
    use crate::app::patient_scenario::PatientSection;
    if let Some(mask) = &a.mask {
        let labels = match (&a.tumor_label, &f.patient) {
            (Some(l), _) => l.clone(),
            (None, Some(p)) => p.tumor_labels.clone(),
            (None, None) => {
                return Err(Error::Invalid {
                    name: "--tumor-label",
                    reason: "--mask needs the tumor's label(s), e.g. --tumor-label 2".into(),
                });
            }
        };
        let section = f.patient.get_or_insert_with(|| PatientSection {
            mask: mask.clone(),
            tumor_labels: labels.clone(),
            margin_mm: 10.0,
            cell_mm: None,
            sites: 4,
            boundary: Default::default(),
            site: Vec::new(),
            tumor: None,
            tissue: Vec::new(),
        });
        section.mask = mask.clone();
        section.tumor_labels = labels;
    }
    let Some(section) = &mut f.patient else {
        for (flag, given) in [
            ("--tumor-label", a.tumor_label.is_some()),
            ("--margin-mm", a.margin_mm.is_some()),
            ("--cell-mm", a.cell_mm.is_some()),
        ] {
            if given {
                return Err(Error::Invalid {
                    name: flag,
                    reason: "applies to a segmentation: add --mask FILE (or a scenario file's \
                             [patient] section)"
                        .into(),
                });
            }
        }
        return Ok(());
    };
    if let Some(l) = &a.tumor_label {
        section.tumor_labels = l.clone();
    }
    if let Some(m) = a.margin_mm {
        if !(m.is_finite() && m >= 0.0) {
            return Err(Error::Invalid {
                name: "--margin-mm",
                reason: format!("must be a finite length ≥ 0 in mm, got {m}"),
            });
        }
        section.margin_mm = m;
    }
    if let Some(c) = a.cell_mm {
        if !(c.is_finite() && c > 0.0) {
            return Err(Error::Invalid {
                name: "--cell-mm",
                reason: format!("must be a finite length > 0 in mm, got {c}"),
            });
        }
        section.cell_mm = Some(c);
    }
    if let Some(n) = a.sites {
        if !section.site.is_empty() {
            return Err(Error::Invalid {
                name: "--sites",
                reason: "the scenario file lists its own [[patient.site]]s".into(),
            });
        }
        section.sites = n;
    }
    for (flag, given) in [
        ("--tumor", a.tumor.is_some()),
        ("--strategy", a.strategy.is_some()),
        ("--cells", a.cells.is_some()),
        ("--alignment", a.alignment.is_some()),
        ("--map-window", a.map_window.is_some()),
        ("--solver", a.solver.is_some_and(|s| s != SolverKind::Fv)),
    ] {
        if given {
            return Err(Error::Invalid {
                name: flag,
                reason: "applies to the 2D block, not to a segmentation (--mask or [patient]); \
                         the 3D plan uses the finite-volume solver on the segmentation's voxels"
                    .into(),
            });
        }
    }
    Ok(())
}

/// A progress bar of `len` steps labelled `what`.
pub(crate) fn bar(len: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(what.to_string());
    bar
}

fn run_optimization(built: &BuiltScenario) -> Result<OptimizationReport> {
    run_optimization_on(built, &SingleProcess)
}

/// The optimization shared over `ranks`, with a progress bar on rank 0.
fn run_optimization_on(built: &BuiltScenario, ranks: &dyn Ranks) -> Result<OptimizationReport> {
    let progress = if ranks.is_root() {
        bar(
            built.settings.generations() as u64,
            &built.problem.strategy().name(),
        )
    } else {
        ProgressBar::hidden()
    };
    let report = optimize_on(&built.problem, &built.settings, ranks, &mut |g, _| {
        progress.set_position(g as u64 + 1)
    });
    progress.finish_and_clear();
    report
}

/// Metrics and plan of an evaluation as JSON.
fn evaluation_json(problem: &TreatmentProblem, position: &[f64], e: &Evaluation) -> Value {
    let mut v = crate::treatment::tables::evaluation_json(e);
    v["strategy"] = json!(problem.strategy().name());
    v["variables"] = json!(problem.strategy().variables());
    v["position"] = json!(position);
    v["cells"] = json!(problem.scenario().grid().nx());
    v["max_temperature_c"] = json!(
        e.temperature
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max)
    );
    v
}

fn print_evaluation(problem: &TreatmentProblem, position: &[f64], e: &Evaluation) {
    let m = e.metrics;
    println!("{}", problem.strategy().name());
    for (name, x) in problem.strategy().variables().iter().zip(position) {
        println!("  {name:>8} = {x:.4}");
    }
    println!(
        "  R_tum {:.3}  R_tis {:.3}  R_int {:.3}  R_dose {:.3}  J {:.4}",
        m.r_tum, m.r_tis, m.r_int, m.r_dose, m.j
    );
    println!(
        "  t_opt {:.2} min  V_opt {:.3} mm²{}",
        e.layout.waiting_time_s / 60.0,
        e.layout.total_volume_m2 * 1e6,
        e.layout
            .geometry
            .iter()
            .map(|(k, v)| format!("  {k} {v:.2}"))
            .collect::<String>()
    );
}

/// The injection sites of an evaluation (m).
fn sites(e: &Evaluation) -> Vec<(f64, f64)> {
    e.layout
        .cloud
        .sites()
        .iter()
        .map(|s| (s.x(), s.y()))
        .collect()
}

/// Fields (CSV, VTK) and maps (PNG, SVG) of an evaluation in `out`, under
/// `prefix` (a sub-folder, or "").
fn write_fields(
    problem: &TreatmentProblem,
    e: &Evaluation,
    out: &RunOutput,
    prefix: &str,
    window: Window,
) -> Result<()> {
    let at = |name: &str| out.path(&format!("{prefix}{name}"));
    let grid = problem.scenario().grid();
    let fields = [
        ("temperature_c", &e.temperature),
        ("volume_fraction", &e.volume_fraction),
    ];
    lbm_bioheat::output::write_csv(at("fields.csv")?, grid, &fields)?;
    lbm_bioheat::output::write_vti(at("fields.vti")?, grid, &fields)?;
    let sites = sites(e);
    let name = problem.strategy().name();
    let (t_title, c_title) = (
        format!("Steady temperature: {name}"),
        format!("Particle volume fraction: {name}"),
    );
    let map = |title, field, kind| FieldMap {
        title,
        grid,
        field,
        kind,
        outline: problem.interface(),
        outline_segments: &[],
        axes: ("x", "y"),
        sites: &sites,
        window,
    };
    for ext in ["png", "svg"] {
        field_map(
            &at(&format!("temperature.{ext}"))?,
            &map(&t_title, &e.temperature, MapKind::Temperature),
        )?;
        field_map(
            &at(&format!("concentration.{ext}"))?,
            &map(&c_title, &e.volume_fraction, MapKind::Concentration),
        )?;
    }
    Ok(())
}

/// The key numbers of a plan (and of its dose run) for the report page.
fn key_numbers(e: &Evaluation, dose: Option<&DoseReport>) -> Vec<(String, String)> {
    let m = e.metrics;
    let t_max = e
        .temperature
        .iter()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    let mut v = vec![
        ("J".to_string(), format!("{:.4}", m.j)),
        ("R_tum".into(), format!("{:.3}", m.r_tum)),
        ("R_tis".into(), format!("{:.3}", m.r_tis)),
        ("R_int".into(), format!("{:.3}", m.r_int)),
        ("R_dose".into(), format!("{:.3}", m.r_dose)),
        (
            "t_opt".into(),
            format!("{:.2} min", e.layout.waiting_time_s / 60.0),
        ),
        (
            "V_opt".into(),
            format!("{:.3} mm²", e.layout.total_volume_m2 * 1e6),
        ),
    ];
    for (k, x) in &e.layout.geometry {
        let (name, unit) = match k.strip_suffix("_mm") {
            Some(d) => (format!("{d}_opt"), " mm"),
            None => match k.strip_suffix("_deg") {
                Some(a) => (format!("{a}_opt"), "°"),
                None => (k.to_string(), ""),
            },
        };
        v.push((name, format!("{x:.2}{unit}")));
    }
    v.push(("T_max".into(), format!("{t_max:.2} °C")));
    if let Some(d) = dose {
        let at = |t: Option<f64>| t.map_or("never".into(), |t| format!("{t:.1} min"));
        v.push(("tumor ablated at".into(), at(d.tumor_ablated_min)));
        v.push(("healthy damage at".into(), at(d.healthy_damage_min)));
    }
    v
}

/// One run's report page (PNG and SVG) in `out`, under `prefix`.
fn write_report(
    problem: &TreatmentProblem,
    e: &Evaluation,
    out: &RunOutput,
    prefix: &str,
    window: Window,
    history: Option<(&[GenerationRecord], &[&str])>,
    dose: Option<&DoseReport>,
) -> Result<()> {
    let sites = sites(e);
    let numbers = key_numbers(e, dose);
    let title = format!(
        "Treatment report: {}, {} cells per side",
        problem.strategy().name(),
        problem.scenario().grid().nx()
    );
    let report = TreatmentReport {
        title: &title,
        grid: problem.scenario().grid(),
        temperature: &e.temperature,
        concentration: &e.volume_fraction,
        outline: problem.interface(),
        sites: &sites,
        window,
        convergence: history,
        dose: dose.map(|d| d.samples.as_slice()),
        numbers: &numbers,
    };
    for ext in ["png", "svg"] {
        treatment_report(&out.path(&format!("{prefix}report.{ext}"))?, &report)?;
    }
    Ok(())
}

fn history_csv(report: &OptimizationReport) -> String {
    let mut s = format!("generation,best_j,mean_j,{}\n", report.variables.join(","));
    for g in &report.history {
        s.push_str(&format!("{},{},{}", g.index, g.best_j, g.mean_j));
        for x in &g.best_position {
            s.push_str(&format!(",{x}"));
        }
        s.push('\n');
    }
    s
}

/// Reads a particle description: a TOML table of descriptor → number.
fn read_particle(path: &std::path::Path) -> Result<std::collections::BTreeMap<String, f64>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    toml::from_str(&text).map_err(|e| Error::Invalid {
        name: "--particle",
        reason: format!(
            "{}: {} (expected lines like \"Area/volume\" = 0.084)",
            path.display(),
            e.message()
        ),
    })
}

fn cmd_optimize(args: &OptimizeArgs) -> Result<()> {
    if args.particle.is_none() && (args.data.is_some() || args.sar_alpha.is_some()) {
        return Err(Error::Invalid {
            name: if args.data.is_some() {
                "--data"
            } else {
                "--sar-alpha"
            },
            reason: "applies to a particle's predicted SAR: add --particle FILE".into(),
        });
    }
    if args.mpi && args.particle.is_some() {
        return Err(Error::Invalid {
            name: "--mpi",
            reason: "shares a plan's optimization, not --particle's SAR prediction and judging"
                .into(),
        });
    }
    if args.particle.is_some()
        && (args.run.mask.is_some() || scenario_file(&args.run)?.patient.is_some())
    {
        return Err(Error::Invalid {
            name: "--particle",
            reason: "plans with a predicted SAR on the 2D block only, not on a segmentation".into(),
        });
    }
    match &args.particle {
        Some(particle) => cmd_optimize_particle(args, particle),
        None => cmd_optimize_plan(&args.run, args.mpi),
    }
}

/// `mnp optimize --particle`: SAR predicted, plan optimized at it and
/// judged across its interval.
fn cmd_optimize_particle(args: &OptimizeArgs, particle: &std::path::Path) -> Result<()> {
    use crate::ml::design::{Calibration, SarPredictor};
    use crate::treatment::predicted_sar::plan_at_predicted_sar;
    use mnp_dataset::dimag::{DimagTarget, load_dimag};
    let a = &args.run;
    let sar_alpha = args.sar_alpha.unwrap_or(0.1);
    if !(sar_alpha > 0.0 && sar_alpha < 1.0) {
        return Err(Error::Invalid {
            name: "--sar-alpha",
            reason: format!("must lie in (0, 1), got {sar_alpha}"),
        });
    }
    let description = read_particle(particle)?;
    let built = scenario_file(a)?.build()?;
    check_run_memory(&built, true, &Share::ALONE)?;
    let mut out = RunOutput::prepare(&a.out, "mnp optimize", Some(built.settings.seed()))?;
    let dir = match &args.data {
        Some(d) => d.join("dimag"),
        None => crate::ml::dimag::data_dir().map_err(|_| Error::Invalid {
            name: "--data",
            reason: "give the folder holding dimag/ with --data, or set MNP_DATA_DIR".into(),
        })?,
    };
    let sar_data = load_dimag(&dir, DimagTarget::Sar)?;
    let predictor = SarPredictor::train(
        &sar_data,
        sar_alpha,
        Calibration::Articles,
        built.settings.seed(),
    )?;
    let sar = predictor.predict(&description)?;
    println!(
        "Predicted SAR {:.1} W/g, {:.0} % interval [{:.1}, {:.1}] W/g{}; particle density {} kg/m³",
        sar.sar_w_g,
        100.0 * (1.0 - sar.alpha),
        sar.lower_w_g,
        sar.upper_w_g,
        if sar.outside_data_range {
            " (extrapolated: a descriptor lies outside SAR.csv's range)"
        } else {
            ""
        },
        built.problem.scenario().nanofluid().particles.density()
    );
    let progress = bar(
        built.settings.generations() as u64,
        "plan at the predicted SAR",
    );
    let plan = plan_at_predicted_sar(&built.problem, &sar, &built.settings, &mut |g, _| {
        progress.set_position(g as u64 + 1)
    });
    progress.finish_and_clear();
    let plan = plan?;
    let p = &built.problem;
    println!(
        "q = SAR·ρ_p = {:.3e} W/m³ per unit φ at the prediction",
        plan.q_w_m3[1]
    );
    print_evaluation(p, &plan.report.best_position, &plan.report.best);
    println!("  J across the SAR interval:");
    for (label, q, m) in [
        ("lower", plan.q_w_m3[0], plan.metrics[0]),
        ("predicted", plan.q_w_m3[1], plan.metrics[1]),
        ("upper", plan.q_w_m3[2], plan.metrics[2]),
    ] {
        println!(
            "    {label:>9}: q {q:.3e} W/m³  R_tum {:.3}  R_tis {:.3}  R_int {:.3}  J {:.4}",
            m.r_tum, m.r_tis, m.r_int, m.j
        );
    }
    let window = a.window()?;
    write_fields(p, &plan.report.best, &out, "", window)?;
    write_report(
        p,
        &plan.report.best,
        &out,
        "",
        window,
        Some((&plan.report.history, &plan.report.variables)),
        None,
    )?;
    out.write("history.csv", &history_csv(&plan.report))?;
    let mut v = evaluation_json(p, &plan.report.best_position, &plan.report.best);
    v["sar_w_g"] = json!({
        "predicted": sar.sar_w_g,
        "lower": sar.lower_w_g,
        "upper": sar.upper_w_g,
        "alpha": sar.alpha,
        "extrapolated": sar.outside_data_range,
    });
    v["q_w_m3"] = json!(plan.q_w_m3);
    v["j_across_sar"] = json!({
        "lower": plan.metrics[0].j,
        "predicted": plan.metrics[1].j,
        "upper": plan.metrics[2].j,
    });
    v["particle"] = json!(description);
    v["evaluations"] = json!(plan.report.evaluations);
    v["runtime_s"] = json!(plan.report.runtime_s);
    v["out"] = json!(a.out.display().to_string());
    out.write("optimize.json", &v.to_string())?;
    out.commit()?;
    println!("{v}");
    Ok(())
}

fn cmd_optimize_plan(a: &RunArgs, mpi: bool) -> Result<()> {
    let ranks = command_ranks(mpi)?;
    reported_once(ranks.as_ref(), optimize_plan_on(a, ranks.as_ref()))
}

/// A command's outcome on `ranks`: an error that another rank reports
/// (`Error::Rank`: it failed there, and rank 0 names it) ends this rank
/// quietly, so each failure is printed by the rank it happened on and by
/// rank 0, not once per rank (and no rank's exit cuts rank 0's report
/// short: mpirun stops the job at the first rank that exits with an
/// error).
fn reported_once(ranks: &dyn Ranks, outcome: Result<()>) -> Result<()> {
    match outcome {
        Err(Error::Rank { .. }) if !ranks.is_root() => Ok(()),
        other => other,
    }
}

fn optimize_plan_on(a: &RunArgs, ranks: &dyn Ranks) -> Result<()> {
    // Every rank reads and checks the scenario (each builds its own
    // problem); a failure anywhere stops them all. Which ranks share this
    // machine's memory is asked first, before any step that may fail on
    // one rank alone.
    let node = agree(ranks, ranks.node_ranks())?;
    let file = agree(ranks, scenario_file(a))?;
    if let Some(section) = &file.patient {
        return crate::app::patient_cli::optimize(&file, section, &a.out, ranks, &node);
    }
    let built = agree(
        ranks,
        file.build()
            .and_then(|b| check_run_memory(&b, true, &Share::new(ranks, &node)).map(|()| b)),
    )?;
    // Rank 0 alone writes: it checks the folder before anyone works.
    let out = agree(
        ranks,
        ranks
            .is_root()
            .then(|| RunOutput::prepare(&a.out, "mnp optimize", Some(built.settings.seed())))
            .transpose(),
    )?;
    let report = run_optimization_on(&built, ranks)?;
    let Some(mut out) = out else {
        return Ok(());
    };
    let p = &built.problem;
    print_evaluation(p, &report.best_position, &report.best);
    let window = a.window()?;
    write_fields(p, &report.best, &out, "", window)?;
    write_report(
        p,
        &report.best,
        &out,
        "",
        window,
        Some((&report.history, &report.variables)),
        None,
    )?;
    out.write("history.csv", &history_csv(&report))?;
    for ext in ["png", "svg"] {
        convergence(
            &out.path(&format!("convergence.{ext}"))?,
            &format!("PSO: {}", report.strategy),
            &report.history,
            &report.variables,
        )?;
    }
    let mut v = evaluation_json(p, &report.best_position, &report.best);
    v["evaluations"] = json!(report.evaluations);
    v["runtime_s"] = json!(report.runtime_s);
    v["out"] = json!(a.out.display().to_string());
    out.write("optimize.json", &v.to_string())?;
    out.commit()?;
    println!(
        "  {} evaluations in {:.1} s; results in {}/",
        report.evaluations,
        report.runtime_s,
        a.out.display()
    );
    if ranks.size() > 1 {
        println!(
            "  {} MPI ranks; rank 0 spent {:.3} s in collectives (waiting for the slowest rank \
             included)",
            ranks.size(),
            ranks.communication_s()
        );
    }
    println!("{v}");
    Ok(())
}

/// The ranks on this machine among all: what its memory holds of a run
/// shared over ranks ([`Share::ALONE`] for one process).
pub(crate) struct Share<'a> {
    node: &'a [usize],
    size: usize,
}

impl<'a> Share<'a> {
    /// One process.
    pub(crate) const ALONE: Share<'static> = Share {
        node: &[0],
        size: 1,
    };
    pub(crate) fn new(ranks: &dyn Ranks, node: &'a [usize]) -> Self {
        Self {
            node,
            size: ranks.size(),
        }
    }
    /// Solvers this machine holds for `units` units of work, each rank
    /// one more (its best plan's re-evaluation).
    pub(crate) fn solvers(&self, units: usize) -> usize {
        units_on(self.node, units, self.size) + self.node.len()
    }
}

/// Refuses, before any work, a run this machine cannot hold: one solver
/// per swarm particle when `optimizing` (of the particles whose ranks run
/// on this machine), else one.
fn check_run_memory(built: &BuiltScenario, optimizing: bool, share: &Share<'_>) -> Result<()> {
    let cells = built.problem.scenario().grid().nx();
    let solvers = if optimizing {
        share.solvers(built.settings.particles())
    } else {
        1
    };
    check_memory(
        "--cells/--particles",
        estimate_memory(cells, solvers),
        available_memory(),
    )
}

/// `--position`, checked, or the optimum of a run (with its report).
fn position_or_optimum(
    a: &PositionArgs,
    built: &BuiltScenario,
) -> Result<(Vec<f64>, Option<OptimizationReport>)> {
    match &a.position {
        Some(x) => {
            check_position(&built.problem, x)?;
            Ok((x.clone(), None))
        }
        None => {
            let report = run_optimization(built)?;
            Ok((report.best_position.clone(), Some(report)))
        }
    }
}

/// A `--position` of `names` within `(lower, upper)`: one value per
/// variable, each in its bounds.
pub(crate) fn check_variables(
    names: &[&str],
    (lower, upper): &(Vec<f64>, Vec<f64>),
    x: &[f64],
) -> Result<()> {
    let bad = |reason: String| Error::Invalid {
        name: "--position",
        reason,
    };
    if x.len() != names.len() {
        return Err(bad(format!(
            "{} values given, the strategy has {} variables ({})",
            x.len(),
            names.len(),
            names.join(",")
        )));
    }
    for (k, name) in names.iter().enumerate() {
        if !(x[k] >= lower[k] && x[k] <= upper[k]) {
            return Err(bad(format!(
                "{name} = {} lies outside [{}, {}]",
                x[k], lower[k], upper[k]
            )));
        }
    }
    Ok(())
}

/// A `--position` the strategy accepts: one value per variable, each in
/// its bounds, and every site inside the tissue block.
fn check_position(problem: &TreatmentProblem, x: &[f64]) -> Result<()> {
    let strategy = problem.strategy();
    check_variables(&strategy.variables(), &strategy.bounds(), x)?;
    let bad = |reason: String| Error::Invalid {
        name: "--position",
        reason,
    };
    let layout = strategy.layout(problem.reference(), x)?;
    let g = problem.scenario().grid();
    let (x0, y0) = (g.x0(), g.y0());
    let (x1, y1) = (x0 + g.nx() as f64 * g.dx(), y0 + g.ny() as f64 * g.dx());
    for s in layout.cloud.sites() {
        if !((x0..=x1).contains(&s.x()) && (y0..=y1).contains(&s.y())) {
            return Err(bad(format!(
                "a site at ({:.2}, {:.2}) mm lies outside the tissue block [{:.1}, {:.1}] × [{:.1}, {:.1}] mm",
                s.x() * 1e3,
                s.y() * 1e3,
                x0 * 1e3,
                x1 * 1e3,
                y0 * 1e3,
                y1 * 1e3
            )));
        }
    }
    Ok(())
}

fn cmd_solve(a: &PositionArgs) -> Result<()> {
    let file = scenario_file(&a.run)?;
    let position = a.position.clone().ok_or_else(|| Error::Invalid {
        name: "--position",
        reason: "solve needs the strategy's variables, e.g. --position 0.5,0.5,0.6".into(),
    })?;
    if let Some(section) = &file.patient {
        return crate::app::patient_cli::solve(&file, section, &a.run.out, &position);
    }
    let built = file.build()?;
    check_position(&built.problem, &position)?;
    check_run_memory(&built, false, &Share::ALONE)?;
    let mut out = RunOutput::prepare(&a.run.out, "mnp solve", None)?;
    let p = &built.problem;
    let start = std::time::Instant::now();
    let e = p.evaluate(&position, &mut Workspace::default())?;
    let seconds = start.elapsed().as_secs_f64();
    print_evaluation(p, &position, &e);
    let window = a.run.window()?;
    write_fields(p, &e, &out, "", window)?;
    write_report(p, &e, &out, "", window, None, None)?;
    let mut v = evaluation_json(p, &position, &e);
    v["runtime_s"] = json!(seconds);
    out.write("solve.json", &v.to_string())?;
    out.commit()?;
    println!("{v}");
    Ok(())
}

fn cmd_design(a: &DesignArgs) -> Result<()> {
    use crate::ml::design::{DesignSettings, design};
    use mnp_dataset::dimag::{DimagTarget, load_dimag};
    let flag = |name: &'static str, v: Option<f64>| -> Result<Option<f64>> {
        match v {
            Some(x) if !(x.is_finite() && x > 0.0) => Err(Error::Invalid {
                name,
                reason: format!("must be finite and > 0, got {x}"),
            }),
            _ => Ok(v),
        }
    };
    let checked = [
        flag("--field-amplitude", a.field_amplitude)?,
        flag("--field-frequency", a.field_frequency)?,
        flag("--concentration", a.concentration)?,
        flag("--field-strength", a.field_strength)?,
        flag("--r2-min", a.r2_min)?,
    ];
    if !(a.alpha > 0.0 && a.alpha < 1.0) {
        return Err(Error::Invalid {
            name: "--alpha",
            reason: format!("must lie in (0, 1), got {}", a.alpha),
        });
    }
    for (name, v) in [
        ("--candidates", a.candidates),
        ("--particles", a.particles),
        ("--generations", a.generations),
    ] {
        if v == 0 {
            return Err(Error::Invalid {
                name,
                reason: "must be at least 1".into(),
            });
        }
    }
    let dir = match &a.data {
        Some(d) => d.join("dimag"),
        None => crate::ml::dimag::data_dir().map_err(|_| Error::Invalid {
            name: "--data",
            reason: "give the folder holding dimag/ with --data, or set MNP_DATA_DIR".into(),
        })?,
    };
    let mut out = RunOutput::prepare(&a.out, "mnp design", Some(a.seed))?;
    let start = std::time::Instant::now();
    let sar = load_dimag(&dir, DimagTarget::Sar)?;
    let r2 = load_dimag(&dir, DimagTarget::R2)?;
    let medians = DesignSettings::medians(&sar, &r2)?;
    let settings = DesignSettings {
        field_amplitude: checked[0].unwrap_or(medians.field_amplitude),
        field_frequency: checked[1].unwrap_or(medians.field_frequency),
        concentration: checked[2].unwrap_or(medians.concentration),
        field_strength: checked[3].unwrap_or(medians.field_strength),
        r2_min: checked[4],
        alpha: a.alpha,
        calibration: a.calibration,
        candidates: a.candidates,
        particles: a.particles,
        generations: a.generations,
        seed: a.seed,
    };
    let report = design(&sar, &r2, &settings)?;
    print!("{report}");
    let v = report.to_json(&settings, start.elapsed().as_secs_f64());
    out.write("design.json", &v.to_string())?;
    out.commit()?;
    println!("{v}");
    Ok(())
}

/// `mnp robust`'s scenario with the flags applied, checked, and the
/// memory it needs: what every rank prepares before any work.
fn robust_setup(
    a: &RobustArgs,
    share: &Share<'_>,
) -> Result<(
    ScenarioFile,
    BuiltScenario,
    crate::app::scenario_file::BuiltUncertainty,
)> {
    let mut file = scenario_file(&a.run)?;
    if file.patient.is_some() {
        return Err(Error::Invalid {
            name: "--mask",
            reason: "mnp robust plans on the 2D block; a segmentation (--mask or [patient]) \
                     is planned by optimize, dose and solve"
                .into(),
        });
    }
    let u = &mut file.uncertainty;
    if let Some(o) = a.objective {
        u.objective = o;
    }
    if let Some(n) = a.samples {
        u.samples = n;
    }
    if let Some(n) = a.evaluation_samples {
        u.evaluation_samples = n;
    }
    if let Some(s) = a.sampling {
        u.sampling = s;
    }
    if let Some(s) = a.uncertainty_seed {
        u.seed = s;
    }
    if let Some(n) = a.sensitivity_samples {
        u.sensitivity_samples = n;
    }
    if let Some(n) = a.ablation_samples {
        u.ablation_samples = n;
    }
    let built = file.build()?;
    let unc = file.uncertainty.build().map_err(|e| match e {
        // Name the flag when the value came from one.
        Error::Scenario { key, message }
            if (key == "uncertainty.samples" && a.samples.is_some())
                || (key == "uncertainty.evaluation_samples" && a.evaluation_samples.is_some()) =>
        {
            Error::Invalid {
                name: if key.ends_with("evaluation_samples") {
                    "--evaluation-samples"
                } else {
                    "--samples"
                },
                reason: message,
            }
        }
        other => other,
    })?;
    let u = &file.uncertainty;
    if !a.optimize {
        let unused = [
            ("--objective", a.objective.is_some()),
            ("--samples", a.samples.is_some()),
        ];
        if let Some((flag, _)) = unused.iter().find(|(_, given)| *given) {
            return Err(Error::Invalid {
                name: flag,
                reason: "applies to a robust optimization: add --optimize".into(),
            });
        }
    }
    if a.position.is_some() && a.optimize {
        return Err(Error::Invalid {
            name: "--position",
            reason: "and --optimize exclude each other: give the plan to judge, or ask for a \
                     robust one"
                .into(),
        });
    }
    if let Some(x) = &a.position {
        check_position(&built.problem, x)?;
    }
    let cells = built.problem.scenario().grid().nx();
    // The (particle, sample) pairs, or the particles of the nominal
    // optimization, that this machine's ranks hold.
    let solvers = if a.optimize && a.position.is_none() {
        share.solvers(built.settings.particles() * u.samples)
    } else {
        share.solvers(built.settings.particles())
    };
    check_memory(
        "--cells/--particles/--samples",
        estimate_memory(cells, solvers),
        available_memory(),
    )?;
    Ok((file, built, unc))
}

fn cmd_robust(a: &RobustArgs) -> Result<()> {
    let ranks = command_ranks(a.mpi)?;
    reported_once(ranks.as_ref(), robust_on(a, ranks.as_ref()))
}

fn robust_on(a: &RobustArgs, ranks: &dyn Ranks) -> Result<()> {
    use crate::app::figures::histogram;
    use crate::treatment::robust::{RobustProblem, optimize_robust_on, plan_sensitivity_on};
    use crate::uncertainty::SaltelliSettings;
    let start = std::time::Instant::now();
    let node = agree(ranks, ranks.node_ranks())?;
    let (file, built, unc) = agree(ranks, robust_setup(a, &Share::new(ranks, &node)))?;
    let u = &file.uncertainty;
    // Rank 0 alone writes: it checks the folder before anyone works.
    let out = agree(
        ranks,
        ranks
            .is_root()
            .then(|| RunOutput::prepare(&a.run.out, "mnp robust", Some(u.seed)))
            .transpose(),
    )?;
    let p = &built.problem;
    let mut optimized = None;
    let position = match (&a.position, a.optimize) {
        (Some(x), _) => x.clone(),
        (None, true) => {
            let problem =
                RobustProblem::new(p.clone(), unc.model.clone(), u.samples, u.sampling, u.seed)?;
            let progress = if ranks.is_root() {
                bar(built.settings.generations() as u64, "robust plan")
            } else {
                ProgressBar::hidden()
            };
            let r = optimize_robust_on(
                &problem,
                unc.objective,
                unc.chance,
                &built.settings,
                ranks,
                &mut |g, _| progress.set_position(g as u64 + 1),
            );
            progress.finish_and_clear();
            let r = r?;
            let x = r.best_position.clone();
            optimized = Some(r);
            x
        }
        (None, false) => run_optimization_on(&built, ranks)?.best_position,
    };
    let nominal = p.evaluate(&position, &mut Workspace::default())?;
    let evaluation = RobustProblem::new(
        p.clone(),
        unc.model.clone(),
        u.evaluation_samples,
        u.sampling,
        u.seed.wrapping_add(1),
    )?;
    let stats = evaluation.analyze_on(&position, ranks)?;
    let ablation = if u.ablation_samples > 0 {
        let progress = if ranks.is_root() {
            bar(1, "ablation times")
        } else {
            ProgressBar::hidden()
        };
        let r = evaluation.ablation_on(&position, &built.dose, u.ablation_samples, ranks);
        progress.finish_and_clear();
        Some(r?)
    } else {
        None
    };
    let sensitivity = if u.sensitivity_samples > 0 {
        Some(plan_sensitivity_on(
            p,
            &unc.model,
            &position,
            &SaltelliSettings {
                base_samples: u.sensitivity_samples,
                seed: u.seed.wrapping_add(2),
                ..SaltelliSettings::default()
            },
            ranks,
        )?)
    } else {
        None
    };
    let Some(mut out) = out else {
        return Ok(());
    };
    print_evaluation(p, &position, &nominal);
    println!(
        "\nOver {} fresh samples ({}) of {}:",
        u.evaluation_samples,
        match u.sampling {
            Sampling::Sobol => "scrambled Sobol",
            Sampling::LatinHypercube => "Latin hypercube",
        },
        unc.model
            .properties()
            .iter()
            .map(|p| p.name())
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "  {:<16} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}",
        "outcome", "mean", "sd", "p5", "p10", "p50", "p90", "p95"
    );
    let rows = [
        ("J", &stats.j),
        ("R_tum", &stats.r_tum),
        ("R_tis", &stats.r_tis),
        ("R_int", &stats.r_int),
        ("T_max healthy", &stats.max_healthy_c),
    ];
    for (name, s) in rows {
        println!(
            "  {name:<16} {:>8.4} {:>8.4} {:>8.4} {:>8.4} {:>8.4} {:>8.4} {:>8.4}",
            s.mean, s.sd, s.p5, s.p10, s.p50, s.p90, s.p95
        );
    }
    let mut csv = format!(
        "sample,{},j,r_tum,r_tis,r_int,r_dose,max_healthy_c{}\n",
        unc.model
            .properties()
            .iter()
            .map(|p| p.name())
            .collect::<Vec<_>>()
            .join(","),
        if ablation.is_some() {
            ",ablation_min"
        } else {
            ""
        }
    );
    for (k, (f, o)) in evaluation.samples().iter().zip(&stats.outcomes).enumerate() {
        csv.push_str(&k.to_string());
        for prop in unc.model.properties() {
            csv.push_str(&format!(",{}", f.get(prop)));
        }
        let m = o.metrics;
        csv.push_str(&format!(
            ",{},{},{},{},{},{}",
            m.j, m.r_tum, m.r_tis, m.r_int, m.r_dose, o.max_healthy_c
        ));
        if let Some(ab) = &ablation {
            // Empty: not ablated within the treatment, or not simulated.
            let t = ab.times_min.get(k).copied().flatten();
            csv.push_str(&t.map_or(",".to_string(), |t| format!(",{t}")));
        }
        csv.push('\n');
    }
    out.write("samples.csv", &csv)?;
    for ext in ["png", "svg"] {
        histogram(
            &out.path(&format!("j_histogram.{ext}"))?,
            &format!(
                "J over {} samples: {}",
                u.evaluation_samples,
                p.strategy().name()
            ),
            "J",
            &stats.values(crate::treatment::robust::Outcome::J),
            &[
                ("nominal tissue", nominal.metrics.j),
                ("mean", stats.j.mean),
                ("10th percentile", stats.j.p10),
            ],
        )?;
    }
    let mut v = json!({
        "strategy": p.strategy().name(),
        "variables": p.strategy().variables(),
        "position": position,
        "j_nominal": nominal.metrics.j,
        "statistics": {
            "j": stats.j,
            "r_tum": stats.r_tum,
            "r_tis": stats.r_tis,
            "r_int": stats.r_int,
            "max_healthy_c": stats.max_healthy_c,
        },
        "evaluation_samples": u.evaluation_samples,
        "sampling": u.sampling,
        "seed": u.seed,
        "pso_seed": built.settings.seed(),
        "cells": p.scenario().grid().nx(),
        "model": crate::app::scenario_file::property_specs(&unc.model),
    });
    if let Some(ab) = &ablation {
        let when = ab.time_min.map_or("never".to_string(), |s| {
            format!(
                "median {:.1} min (p10 {:.1}, p90 {:.1})",
                s.p50, s.p10, s.p90
            )
        });
        println!(
            "  tumor ablated within {:.0} min in {:.0} % of {} samples; among them {when}",
            built.dose.duration_s() / 60.0,
            100.0 * ab.ablated_fraction,
            ab.times_min.len()
        );
        v["ablation"] = json!({
            "samples": ab.times_min.len(),
            "ablated_fraction": ab.ablated_fraction,
            "time_min": ab.time_min,
            "times_min": ab.times_min,
        });
    }
    if let Some(c) = unc.chance {
        let probability = c.probability(&stats.outcomes)?;
        println!(
            "  P(R_tis < {}) = {probability:.3} on the fresh samples (limit {})",
            c.threshold, c.max_probability
        );
        v["chance"] = json!({
            "r_tis_below": c.threshold,
            "max_probability": c.max_probability,
            "probability": probability,
        });
    }
    if stats.r_tum.max == 0.0 {
        println!(
            "  warning: the plan heats no tumor cell into 43–46 °C in any sample (R_tum = 0): \
             it does not treat{}",
            if optimized.as_ref().is_some_and(|r| r.chance.is_some()) {
                "; the chance constraint may be reachable only by heating nothing at this \
                 sample size (a limit below 1/samples allows no failing sample)"
            } else {
                ""
            }
        );
    }
    if let Some(r) = &optimized {
        let (kind, parameter) = match r.objective {
            crate::treatment::robust::RobustObjective::Mean => ("mean", None),
            crate::treatment::robust::RobustObjective::MeanMinusSd { lambda } => {
                ("mean_minus_sd", Some(("lambda", lambda)))
            }
            crate::treatment::robust::RobustObjective::Cvar { beta } => {
                ("cvar", Some(("beta", beta)))
            }
        };
        let fresh = r
            .objective
            .value(&stats.values(crate::treatment::robust::Outcome::J))?;
        println!(
            "  robust objective ({kind}{}): {:.4} on the {} optimization samples, {fresh:.4} on \
             the fresh ones",
            parameter.map_or(String::new(), |(n, x)| format!(", {n} {x}")),
            r.value,
            u.samples
        );
        let mut objective = json!({ "kind": kind });
        if let Some((n, x)) = parameter {
            objective[n] = json!(x);
        }
        v["robust_objective"] = objective;
        v["robust_value_in_sample"] = json!(r.value);
        v["robust_value_fresh"] = json!(fresh);
        v["samples"] = json!(u.samples);
        v["evaluations"] = json!(r.evaluations);
        let mut csv = format!(
            "generation,best_objective,mean_objective,{}\n",
            p.strategy().variables().join(",")
        );
        for g in &r.history {
            csv.push_str(&format!("{},{},{}", g.index, g.best_j, g.mean_j));
            for x in &g.best_position {
                csv.push_str(&format!(",{x}"));
            }
            csv.push('\n');
        }
        out.write("history.csv", &csv)?;
    }
    if let Some(s) = &sensitivity {
        println!(
            "\nSobol indices of J (N = {}, {} solves, 95 % bootstrap intervals), by total index:",
            u.sensitivity_samples, s.indices.evaluations
        );
        let mut csv =
            String::from("property,first,first_low,first_high,total,total_low,total_high\n");
        for (prop, _) in s.ranking() {
            let i = s.properties.iter().position(|q| *q == prop).unwrap_or(0);
            let ix = &s.indices;
            println!(
                "  {:<18} first {:>6.3} [{:>6.3}, {:>6.3}]  total {:>6.3} [{:>6.3}, {:>6.3}]",
                prop.name(),
                ix.first[i],
                ix.first_interval[i][0],
                ix.first_interval[i][1],
                ix.total[i],
                ix.total_interval[i][0],
                ix.total_interval[i][1]
            );
            csv.push_str(&format!(
                "{},{},{},{},{},{},{}\n",
                prop.name(),
                ix.first[i],
                ix.first_interval[i][0],
                ix.first_interval[i][1],
                ix.total[i],
                ix.total_interval[i][0],
                ix.total_interval[i][1]
            ));
        }
        out.write("sensitivity.csv", &csv)?;
        v["sobol_first"] = json!(s.first());
        v["sobol_total"] = json!(s.total());
        v["sensitivity_samples"] = json!(u.sensitivity_samples);
    }
    v["runtime_s"] = json!(start.elapsed().as_secs_f64());
    v["out"] = json!(a.run.out.display().to_string());
    out.write("robust.json", &v.to_string())?;
    out.commit()?;
    println!("{v}");
    Ok(())
}

fn cmd_dose(a: &PositionArgs) -> Result<()> {
    let file = scenario_file(&a.run)?;
    if let Some(section) = &file.patient {
        return crate::app::patient_cli::dose(&file, section, &a.run.out, a.position.as_deref());
    }
    let built = file.build()?;
    check_run_memory(&built, a.position.is_none(), &Share::ALONE)?;
    let mut out = RunOutput::prepare(&a.run.out, "mnp dose", Some(built.settings.seed()))?;
    let window = a.run.window()?;
    let (position, optimized) = position_or_optimum(a, &built)?;
    let p = &built.problem;
    let progress = bar((built.dose.duration_s() / 60.0).ceil() as u64, "dose (min)");
    let d = assess_dose(p, &position, &built.dose, &built.snapshots_min, &mut |t| {
        progress.set_position(t as u64)
    })?;
    progress.finish_and_clear();
    let fmt = |v: Option<f64>| v.map_or("never".to_string(), |v| format!("{v:.1} min"));
    println!("{}: position {position:?}", p.strategy().name());
    println!(
        "  {:>8} {:>14} {:>16}",
        "t (min)", "R_CEM43 tumor", "R_CEM43 healthy"
    );
    for s in d
        .samples
        .iter()
        .filter(|s| (s.time_min % 10.0).abs() < 1e-9)
    {
        println!(
            "  {:>8.0} {:>14.3} {:>16.4}",
            s.time_min, s.r_cem43_tumor, s.r_cem43_healthy
        );
    }
    println!(
        "  tumor fully ablated: {}; healthy tissue first dies: {} (tumor R_CEM43 then {})",
        fmt(d.tumor_ablated_min),
        fmt(d.healthy_damage_min),
        d.r_cem43_tumor_at_damage
            .map_or("-".into(), |v| format!("{v:.3}"))
    );
    out.write(
        "ablation.csv",
        &crate::treatment::assessment::ablation_csv(&d),
    )?;
    let grid = p.scenario().grid();
    lbm_bioheat::output::write_csv(
        out.path("cem43.csv")?,
        grid,
        &[
            ("cem43_min", &d.cem43_min),
            ("temperature_c", &d.temperature),
        ],
    )?;
    let lethal = thermal_dose::DoseModel::lethal_dose(built.dose.cem43());
    for ext in ["png", "svg"] {
        ablation_curves(
            &out.path(&format!("ablation_curves.{ext}"))?,
            &format!("Ablation: {}", p.strategy().name()),
            &[(p.strategy().name().as_str(), &d.samples)],
        )?;
        for (t, field) in &d.snapshots {
            field_map(
                &out.path(&format!("ablation_{t:.0}min.{ext}"))?,
                &FieldMap {
                    title: &format!("Ablated (CEM43 ≥ {lethal} min) at {t:.0} min"),
                    grid,
                    field,
                    kind: MapKind::Ablation { lethal_min: lethal },
                    outline: p.interface(),
                    outline_segments: &[],
                    axes: ("x", "y"),
                    sites: &[],
                    window,
                },
            )?;
        }
    }
    let plan = match &optimized {
        Some(r) => r.best.clone(),
        None => p.evaluate(&position, &mut Workspace::default())?,
    };
    write_report(
        p,
        &plan,
        &out,
        "",
        window,
        optimized
            .as_ref()
            .map(|r| (r.history.as_slice(), r.variables.as_slice())),
        Some(&d),
    )?;
    let v = json!({
        "strategy": p.strategy().name(),
        "position": position,
        "tumor_ablated_min": d.tumor_ablated_min,
        "healthy_damage_min": d.healthy_damage_min,
        "r_cem43_tumor_at_damage": d.r_cem43_tumor_at_damage,
        "r_cem43_healthy_at_ablation": d.r_cem43_healthy_at_ablation,
        "overheat_min": d.overheat_min.map(|(a, b)| [a, b]),
        "simulated_min": d.simulated_min,
    });
    out.write("dose.json", &v.to_string())?;
    out.commit()?;
    println!("{v}");
    Ok(())
}

fn cmd_tables(a: &TablesArgs) -> Result<()> {
    let settings =
        crate::treatment::optimize::OptimizationSettings::new(a.particles, a.generations)
            .map_err(|e| Error::Invalid {
                name: "--particles/--generations",
                reason: e.to_string(),
            })?
            .with_seed(a.seed);
    if !(8..=4096).contains(&a.cells) {
        return Err(Error::Invalid {
            name: "--cells",
            reason: format!("must lie in [8, 4096], got {}", a.cells),
        });
    }
    check_memory(
        "--cells/--particles",
        estimate_memory(a.cells, a.particles + 1),
        available_memory(),
    )?;
    let mut out = RunOutput::prepare(&a.out, "mnp tables", Some(a.seed))?;
    let progress = ProgressBar::new_spinner();
    let tables = reproduce_tables(
        a.cells,
        &settings,
        &crate::treatment::assessment::DoseSettings::default(),
        &mut |line| progress.println(line),
    )?;
    progress.finish_and_clear();
    if !a.json {
        print!("{}", format_tables(&tables));
    }
    let v = tables.to_json();
    out.write("tables.json", &v.to_string())?;
    write_table_figures(&tables, &mut out)?;
    let curves: Vec<(String, &[crate::treatment::assessment::DoseSample])> = tables
        .table7
        .iter()
        .map(|(n, d)| (format!("ellipse, {n} site(s)"), d.samples.as_slice()))
        .chain(
            tables
                .circular_dose
                .iter()
                .map(|(n, d)| (format!("circle, {n} site(s)"), d.samples.as_slice())),
        )
        .collect();
    let curves: Vec<(&str, &[crate::treatment::assessment::DoseSample])> =
        curves.iter().map(|(l, s)| (l.as_str(), *s)).collect();
    for ext in ["png", "svg"] {
        ablation_curves(
            &out.path(&format!("tables_ablation.{ext}"))?,
            "Fig. 8: R_CEM43 of the optima",
            &curves,
        )?;
    }
    out.commit()?;
    println!("{v}");
    Ok(())
}

/// Per run of the tables: maps, convergence and a CSV row; Fig. 9's maps
/// of the elliptical eight-site optimum.
fn write_table_figures(t: &crate::treatment::tables::Tables, out: &mut RunOutput) -> Result<()> {
    let mut csv =
        String::from("table,n,strategy,r_tum,r_tis,r_int,r_dose,j,t_opt_min,v_opt_mm2,variables\n");
    let runs = t
        .table2
        .iter()
        .map(|r| ("table2", r))
        .chain(
            t.table3_without_dose
                .iter()
                .map(|r| ("table3_without_dose", r)),
        )
        .chain(t.table5.iter().map(|r| ("table5", r)))
        .chain(std::iter::once(("table6_beta30", &t.table6_fixed_beta)));
    for (table, run) in runs {
        let cells: Vec<String> = run
            .report
            .best
            .table_row()
            .iter()
            .map(f64::to_string)
            .collect();
        csv.push_str(&format!(
            "{table},{},\"{}\",{},\"{:?}\"\n",
            run.n,
            run.report.strategy,
            cells.join(","),
            run.report.best_position
        ));
        let dir = format!("{table}_n{}/", run.n);
        write_fields(&run.problem, &run.report.best, out, &dir, Window::Whole)?;
        write_report(
            &run.problem,
            &run.report.best,
            out,
            &dir,
            Window::Whole,
            Some((&run.report.history, &run.report.variables)),
            None,
        )?;
        for ext in ["png", "svg"] {
            convergence(
                &out.path(&format!("{dir}convergence.{ext}"))?,
                &format!("PSO: {}", run.report.strategy),
                &run.report.history,
                &run.report.variables,
            )?;
        }
    }
    out.write("tables.csv", &csv)?;
    if let (Some((_, d)), Some(run)) = (
        t.table7.iter().find(|(n, _)| *n == 8),
        t.table5.iter().find(|r| r.n == 8),
    ) {
        for (minutes, field) in &d.snapshots {
            for ext in ["png", "svg"] {
                field_map(
                    &out.path(&format!("fig9_ablation_{minutes:.0}min.{ext}"))?,
                    &FieldMap {
                        title: &format!(
                            "Fig. 9: ablated (CEM43 ≥ 60 min) at {minutes:.0} min, ellipse, 8 sites"
                        ),
                        grid: run.problem.scenario().grid(),
                        field,
                        kind: MapKind::Ablation { lethal_min: 60.0 },
                        outline: run.problem.interface(),
                        outline_segments: &[],
                        axes: ("x", "y"),
                        sites: &[],
                        window: Window::centred(0.03),
                    },
                )?;
            }
        }
    }
    Ok(())
}
