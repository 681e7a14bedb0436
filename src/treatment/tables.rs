//! Reproduction of Tables 2, 3, 5, 6 and 7 and §3.3's ablation times of
//! Jiang et al. 2022: eleven PSO runs (20 × 300 by default) with the
//! finite-volume steady solver, then thermal-dose transients of the optima.

use crate::error::Result;
use crate::treatment::assessment::{DoseReport, DoseSettings, assess_dose};
use crate::treatment::objective::{Evaluation, ObjectiveWeights, SolverChoice, TreatmentProblem};
use crate::treatment::optimize::{OptimizationReport, OptimizationSettings, optimize};
use crate::treatment::scenario::{GridAlignment, Scenario};
use crate::treatment::strategy::{Circular, Elliptical, InjectionStrategy};
use mnp_physics::InjectionReference;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Instant;

/// The paper's values, for side-by-side output (Jiang et al. 2022, Tables 2–7).
pub mod paper {
    /// A row of Table 2: n, R_tum, R_tis, R_int, R_dose, J, t_opt (min),
    /// V_opt (mm²), d_opt (mm).
    pub type Table2Row = (usize, f64, f64, f64, f64, f64, f64, f64, f64);
    /// A row of Table 5: n, R_tum, R_tis, R_int, R_dose, J, t_opt (min),
    /// V_opt (mm²).
    pub type Table5Row = (usize, f64, f64, f64, f64, f64, f64, f64);
    /// Table 2: (n, R_tum, R_tis, R_int, R_dose, J, t_opt min, V_opt mm², d_opt mm).
    pub const TABLE2: [Table2Row; 3] = [
        (1, 0.708, 0.999, 0.994, 0.329, 0.78, 17.3, 0.378, 0.0),
        (4, 0.987, 0.999, 0.925, 0.328, 0.85, 6.3, 0.380, 2.75),
        (8, 1.000, 0.999, 0.998, 0.330, 0.87, 1.1, 0.376, 2.82),
    ];
    /// Table 3 without R_dose: (n, R_tum, R_tis, R_int, V mm²).
    pub const TABLE3_WITHOUT_DOSE: [(usize, f64, f64, f64, f64); 3] = [
        (1, 0.708, 0.999, 0.994, 0.378),
        (4, 1.000, 0.999, 0.936, 0.384),
        (8, 1.000, 0.999, 0.998, 0.377),
    ];
    /// Table 5: (n, R_tum, R_tis, R_int, R_dose, J, t_opt min, V_opt mm²).
    pub const TABLE5: [Table5Row; 4] = [
        (1, 0.620, 0.996, 0.516, 0.335, 0.66, 19.8, 0.367),
        (2, 0.885, 0.999, 0.890, 0.328, 0.81, 4.28, 0.380),
        (4, 0.974, 0.999, 0.884, 0.327, 0.83, 7.23, 0.381),
        (8, 1.000, 1.000, 0.995, 0.327, 0.86, 0.99, 0.381),
    ];
    /// Table 6: J with β fixed at 30° and free.
    pub const TABLE6_J: (f64, f64) = (0.85, 0.86);
    /// Table 7: (n, R_CEM43 in the tumor, exposure min).
    pub const TABLE7: [(usize, f64, f64); 4] = [
        (1, 0.67, 60.7),
        (2, 0.95, 122.7),
        (4, 0.83, 101.5),
        (8, 0.90, 104.3),
    ];
    /// §3.3: circular tumor fully ablated, one and eight sites (min).
    pub const ABLATION_COMPLETE_MIN: (f64, f64) = (104.8, 126.6);
}

/// One optimization of the tables.
#[derive(Debug, Clone)]
pub struct TableRun {
    /// Number of sites.
    pub n: usize,
    /// What was optimized (grid, tumor, strategy, weights).
    pub problem: TreatmentProblem,
    /// The run.
    pub report: OptimizationReport,
}

impl TableRun {
    /// The row as JSON: n, the metrics, t_opt_min, v_opt_mm2 and the
    /// strategy's distances (`d_opt_mm` for the circular tumor).
    pub fn to_json(&self) -> Value {
        let mut row = evaluation_json(&self.report.best);
        row["n"] = json!(self.n);
        row["variables"] = json!(self.report.best_position);
        row["evaluations"] = json!(self.report.evaluations);
        row["runtime_s"] = json!(self.report.runtime_s);
        row
    }
}

/// R_tum, R_tis, R_int, R_dose, J, `t_opt_min`, `v_opt_mm2` and the
/// strategy's distances (`d_opt_mm`, `d_h_mm`, `d_v_mm`, `d_i_mm`,
/// `beta_deg`) of an evaluation, as a JSON object.
pub fn evaluation_json(e: &Evaluation) -> Value {
    let m = e.metrics;
    let mut row = json!({
        "r_tum": m.r_tum,
        "r_tis": m.r_tis,
        "r_int": m.r_int,
        "r_dose": m.r_dose,
        "j": m.j,
        "t_opt_min": e.layout.waiting_time_s / 60.0,
        "v_opt_mm2": e.layout.total_volume_m2 * 1e6,
    });
    for (key, value) in &e.layout.geometry {
        let key = if *key == "d_mm" { "d_opt_mm" } else { key };
        row[key] = json!(value);
    }
    row
}

/// The times (min) of the ablation maps kept by the dose assessments
/// (Fig. 9).
pub const FIG9_MIN: [f64; 3] = [30.0, 60.0, 120.0];

/// Everything `mnp tables` and the `reproduce_tables` example produce.
#[derive(Debug, Clone)]
pub struct Tables {
    /// Table 2: circular tumor, 1 / 4 / 8 sites, J with R_dose.
    pub table2: Vec<TableRun>,
    /// Table 3's runs without R_dose (circular, 1 / 4 / 8 sites).
    pub table3_without_dose: Vec<TableRun>,
    /// Table 5: elliptical tumor, 1 / 2 / 4 / 8 sites.
    pub table5: Vec<TableRun>,
    /// Table 6: eight elliptical sites with β fixed at 30°.
    pub table6_fixed_beta: TableRun,
    /// Table 7: dose assessments of Table 5's optima.
    pub table7: Vec<(usize, DoseReport)>,
    /// §3.3 / Fig. 8(a): dose assessments of Table 2's optima.
    pub circular_dose: Vec<(usize, DoseReport)>,
    /// Seconds for Tables 2 and 5 (seven PSO runs).
    pub tables_2_and_5_s: f64,
    /// Seconds for everything.
    pub runtime_s: f64,
}

impl Tables {
    /// The tables as one JSON object: `table2`, `table3`, `table5`,
    /// `table6`, `table7`, `ablation_complete_min`, `runtime_s`.
    pub fn to_json(&self) -> Value {
        let rows = |runs: &[TableRun]| runs.iter().map(TableRun::to_json).collect::<Vec<_>>();
        let mut table3 = Vec::new();
        for (with, without) in self.table2.iter().zip(&self.table3_without_dose) {
            for (flag, run) in [(true, with), (false, without)] {
                let mut row = run.to_json();
                row["with_dose"] = json!(flag);
                table3.push(row);
            }
        }
        let free = self.table5.iter().find(|r| r.n == 8).map(TableRun::to_json);
        let mut fixed = self.table6_fixed_beta.to_json();
        fixed["beta_fixed"] = json!(true);
        let table7: Vec<Value> = self
            .table7
            .iter()
            .map(|(n, d)| {
                json!({
                    "n": n,
                    "r_cem43_tumor": d.r_cem43_tumor_at_damage,
                    "exposure_min": d.healthy_damage_min,
                    "tumor_ablated_min": d.tumor_ablated_min,
                })
            })
            .collect();
        let complete: serde_json::Map<String, Value> = self
            .circular_dose
            .iter()
            .map(|(n, d)| (n.to_string(), json!(d.tumor_ablated_min)))
            .collect();
        json!({
            "table2": rows(&self.table2),
            "table3": table3,
            "table5": rows(&self.table5),
            "table6": [fixed, free],
            "table7": table7,
            "ablation_complete_min": complete,
            "tables_2_and_5_s": self.tables_2_and_5_s,
            "runtime_s": self.runtime_s,
        })
    }
}

/// Runs every table on `cells`² grids (the paper: 100) with `settings`
/// for each PSO run and `dose` for the transients; `progress` sees a line
/// per finished step.
///
/// # Errors
/// Any failed run.
pub fn reproduce_tables(
    cells: usize,
    settings: &OptimizationSettings,
    dose: &DoseSettings,
    progress: &mut dyn FnMut(&str),
) -> Result<Tables> {
    let start = Instant::now();
    let reference = InjectionReference::paper();
    let circle = Scenario::paper_circular(cells, 0.05, GridAlignment::NodeAtCentre)?;
    let ellipse = Scenario::paper_elliptical(cells, 0.05, GridAlignment::NodeAtCentre)?;
    let mut run = |scenario: &Scenario,
                   strategy: Arc<dyn InjectionStrategy>,
                   weights: ObjectiveWeights|
     -> Result<TableRun> {
        let n = strategy.sites();
        let problem = TreatmentProblem::new(
            scenario.clone(),
            strategy,
            reference,
            weights,
            SolverChoice::FiniteVolume,
        )?;
        let report = optimize(&problem, settings, &mut |_, _| {})?;
        progress(&format!(
            "{}: J = {:.4} ({:.1} s)",
            report.strategy, report.best.metrics.j, report.runtime_s
        ));
        Ok(TableRun { n, problem, report })
    };
    // Runs of one strategy family over several site counts.
    let mut series = |scenario: &Scenario,
                      ns: &[usize],
                      make: &dyn Fn(usize) -> Result<Arc<dyn InjectionStrategy>>,
                      weights: ObjectiveWeights|
     -> Result<Vec<TableRun>> {
        ns.iter()
            .map(|&n| run(scenario, make(n)?, weights))
            .collect()
    };
    let circular = |n| -> Result<Arc<dyn InjectionStrategy>> { Ok(Arc::new(Circular::new(n)?)) };
    let elliptical =
        |n| -> Result<Arc<dyn InjectionStrategy>> { Ok(Arc::new(Elliptical::new(n)?)) };
    let t25 = Instant::now();
    let table2 = series(&circle, &[1, 4, 8], &circular, ObjectiveWeights::paper())?;
    let table5 = series(
        &ellipse,
        &[1, 2, 4, 8],
        &elliptical,
        ObjectiveWeights::paper(),
    )?;
    let tables_2_and_5_s = t25.elapsed().as_secs_f64();
    let table3_without_dose = series(
        &circle,
        &[1, 4, 8],
        &circular,
        ObjectiveWeights::without_dose(),
    )?;
    let beta30 = |_| -> Result<Arc<dyn InjectionStrategy>> {
        Ok(Arc::new(Elliptical::eight_fixed_beta(30.0)?))
    };
    let table6_fixed_beta = series(&ellipse, &[8], &beta30, ObjectiveWeights::paper())?
        .pop()
        .expect("one run");
    // Fig. 9's ablation maps at 30, 60 and 120 min.
    let mut assess = |run: &TableRun| -> Result<(usize, DoseReport)> {
        let d = assess_dose(
            &run.problem,
            &run.report.best_position,
            dose,
            &FIG9_MIN,
            &mut |_| {},
        )?;
        progress(&format!(
            "dose, {}: tumor ablated {:?} min, healthy damage {:?} min",
            run.report.strategy, d.tumor_ablated_min, d.healthy_damage_min
        ));
        Ok((run.n, d))
    };
    let table7 = table5.iter().map(&mut assess).collect::<Result<Vec<_>>>()?;
    let circular_dose = table2.iter().map(&mut assess).collect::<Result<Vec<_>>>()?;
    Ok(Tables {
        table2,
        table3_without_dose,
        table5,
        table6_fixed_beta,
        table7,
        circular_dose,
        tables_2_and_5_s,
        runtime_s: start.elapsed().as_secs_f64(),
    })
}

/// One row of a paper-vs-ours table: n, then "paper/ours" per column with
/// `digits` decimals, then `tail`.
fn row(n: usize, cells: &[(f64, f64, usize)], tail: &str) {
    let mut line = format!("{n:>3}");
    for &(paper, ours, digits) in cells {
        line.push_str(&format!(" {paper:>6.digits$}/{ours:<6.digits$}"));
    }
    println!("{line}  {tail}");
}

/// The columns Tables 2 and 5 share, paper beside ours: R_tum, R_tis,
/// R_int, R_dose, J, t_opt (min), V_opt (mm²).
fn optimum_cells(paper: [f64; 7], e: &Evaluation) -> Vec<(f64, f64, usize)> {
    let ours = e.table_row();
    let digits = [3, 3, 3, 3, 3, 2, 3];
    (0..7).map(|k| (paper[k], ours[k], digits[k])).collect()
}

fn show(v: Option<f64>) -> String {
    v.map_or("-".to_string(), |v| format!("{v:.1}"))
}

/// Prints every table, the paper's value beside ours.
pub fn print_tables(t: &Tables) {
    print!("{}", format_tables(t));
}

/// The text [`print_tables`] prints.
pub fn format_tables(t: &Tables) -> String {
    let mut out = String::new();
    // The tables' lines go into `out`.
    macro_rules! println {
        () => {
            out.push('\n')
        };
        ($($a:tt)*) => {{
            use std::fmt::Write as _;
            // Writing to a String cannot fail.
            let _ = writeln!(out, $($a)*);
        }};
    }
    println!("Table 2 (circular tumor; paper / ours)");
    println!(
        "{:>3} {:>13} {:>13} {:>13} {:>13} {:>13} {:>13} {:>13} {:>13}",
        "n", "R_tum", "R_tis", "R_int", "R_dose", "J", "t_opt min", "V_opt mm2", "d_opt mm"
    );
    for (run, p) in t.table2.iter().zip(paper::TABLE2) {
        let e = &run.report.best;
        let d = e.layout.geometry.first().map_or(0.0, |g| g.1);
        let mut cells = optimum_cells([p.1, p.2, p.3, p.4, p.5, p.6, p.7], e);
        cells.push((p.8, d, 2));
        row(run.n, &cells, "");
    }
    println!("\nTable 3 (circular; without R_dose, paper / ours)");
    println!(
        "{:>3} {:>13} {:>13} {:>13} {:>13}",
        "n", "R_tum", "R_tis", "R_int", "V mm2"
    );
    for (run, p) in t.table3_without_dose.iter().zip(paper::TABLE3_WITHOUT_DOSE) {
        let e = &run.report.best;
        let m = e.metrics;
        row(
            run.n,
            &[
                (p.1, m.r_tum, 3),
                (p.2, m.r_tis, 3),
                (p.3, m.r_int, 3),
                (p.4, e.layout.total_volume_m2 * 1e6, 3),
            ],
            "",
        );
    }
    println!("\nTable 5 (elliptical tumor; paper / ours)");
    println!(
        "{:>3} {:>13} {:>13} {:>13} {:>13} {:>13} {:>13} {:>13}  geometry",
        "n", "R_tum", "R_tis", "R_int", "R_dose", "J", "t_opt min", "V_opt mm2"
    );
    let geometry = |run: &TableRun| {
        run.report
            .best
            .layout
            .geometry
            .iter()
            .map(|(k, v)| format!("{k} {v:.2}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for (run, p) in t.table5.iter().zip(paper::TABLE5) {
        let cells = optimum_cells([p.1, p.2, p.3, p.4, p.5, p.6, p.7], &run.report.best);
        row(run.n, &cells, &geometry(run));
    }
    let free = t.table5.iter().find(|r| r.n == 8);
    println!("\nTable 6 (eight elliptical sites; J paper / ours)");
    println!(
        "  beta fixed 30°: {:.2} / {:.4}   ({})",
        paper::TABLE6_J.0,
        t.table6_fixed_beta.report.best.metrics.j,
        geometry(&t.table6_fixed_beta)
    );
    if let Some(free) = free {
        println!(
            "  beta free:      {:.2} / {:.4}   ({})",
            paper::TABLE6_J.1,
            free.report.best.metrics.j,
            geometry(free)
        );
    }
    println!("\nTable 7 (elliptical; when healthy tissue starts to die; paper / ours)");
    println!(
        "{:>3} {:>17} {:>17} {:>18}",
        "n", "R_CEM43 tumor", "exposure min", "tumor ablated min"
    );
    for ((n, d), p) in t.table7.iter().zip(paper::TABLE7) {
        println!(
            "{:>3} {:>7.2}/{:<9} {:>7.1}/{:<9} {:>18}",
            n,
            p.1,
            d.r_cem43_tumor_at_damage
                .map_or("-".into(), |v| format!("{v:.3}")),
            p.2,
            show(d.healthy_damage_min),
            show(d.tumor_ablated_min)
        );
    }
    println!("\n§3.3 (circular): tumor fully ablated (paper / ours, min)");
    for (n, d) in &t.circular_dose {
        let p = match n {
            1 => format!("{:.1}", paper::ABLATION_COMPLETE_MIN.0),
            8 => format!("{:.1}", paper::ABLATION_COMPLETE_MIN.1),
            _ => "-".into(),
        };
        println!(
            "{:>3} {:>7}/{:<7}  healthy damage from {} min (R_CEM43 healthy then {})",
            n,
            p,
            show(d.tumor_ablated_min),
            show(d.healthy_damage_min),
            d.r_cem43_healthy_at_ablation
                .map_or("-".into(), |v| format!("{v:.4}"))
        );
    }
    println!(
        "\nTables 2 and 5 (seven PSO runs): {:.1} s; everything: {:.1} s",
        t.tables_2_and_5_s, t.runtime_s
    );
    out
}
