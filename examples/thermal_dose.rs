//! CEM43 and Arrhenius damage of one heating curve: 10 min linear rise from
//! 37 to 45 °C, 40 min plateau at 45 °C, 20 min exponential cool-down back
//! towards 37 °C (time constant 4 min), sampled every second.
//!
//! Run: `cargo run --release --example thermal_dose`
//! The last line of standard output is a JSON object with the key figures.

use mnp_suite::dose::{Arrhenius, Cem43, DoseModel, Quadrature, cumulative_dose, first_crossing};
use serde_json::json;

const RISE_S: f64 = 600.0;
const PLATEAU_S: f64 = 2400.0;
const COOL_S: f64 = 1200.0;

fn temperature_c(t: f64) -> f64 {
    if t <= RISE_S {
        37.0 + 8.0 * t / RISE_S
    } else if t <= RISE_S + PLATEAU_S {
        45.0
    } else {
        37.0 + 8.0 * (-(t - RISE_S - PLATEAU_S) / 240.0).exp()
    }
}

fn main() -> std::process::ExitCode {
    mnp_suite::error::exit(run())
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let n = (RISE_S + PLATEAU_S + COOL_S) as usize;
    let times: Vec<f64> = (0..=n).map(|i| i as f64).collect();
    let temps: Vec<f64> = times.iter().map(|&t| temperature_c(t)).collect();

    let cem = Cem43::default();
    let skin = Arrhenius::skin_henriques();
    let liver = Arrhenius::liver();
    let rule = Quadrature::Trapezoid;
    let c_cem = cumulative_dose(&cem, &times, &temps, rule)?;
    let c_skin = cumulative_dose(&skin, &times, &temps, rule)?;
    let c_liver = cumulative_dose(&liver, &times, &temps, rule)?;

    let phase_end = [
        ("rise 37->45 C", RISE_S as usize),
        ("plateau 45 C", (RISE_S + PLATEAU_S) as usize),
        ("cool-down", n),
    ];
    println!(
        "Heating curve: rise 10 min, plateau 40 min at 45 °C, cool-down 20 min (trapezoidal rule, 1 s samples)"
    );
    println!(
        "{:<16} {:>8} {:>9} {:>14} {:>14} {:>14}",
        "phase", "end_min", "T_end_C", "CEM43_min", "Omega_skin", "Omega_liver"
    );
    let mut start = 0;
    for (name, end) in phase_end {
        println!(
            "{:<16} {:>8.1} {:>9.2} {:>14.4} {:>14.4e} {:>14.4}",
            name,
            times[end] / 60.0,
            temps[end],
            c_cem[end] - c_cem[start],
            c_skin[end] - c_skin[start],
            c_liver[end] - c_liver[start],
        );
        start = end;
    }
    println!(
        "{:<16} {:>8.1} {:>9} {:>14.4} {:>14.4e} {:>14.4}",
        "total",
        times[n] / 60.0,
        "",
        c_cem[n],
        c_skin[n],
        c_liver[n]
    );
    let minutes = |t: Option<f64>| t.map(|s| s / 60.0);
    let t60 = minutes(first_crossing(&times, &c_cem, cem.lethal_dose()));
    let t240 = minutes(first_crossing(&times, &c_cem, 240.0));
    let t_liver = minutes(first_crossing(&times, &c_liver, liver.lethal_dose()));
    let show = |t: Option<f64>| t.map_or("never".to_string(), |m| format!("{m:.2} min"));
    println!(
        "CEM43 reaches 60 min at {}, 240 min at {}",
        show(t60),
        show(t240)
    );
    println!("Arrhenius (liver) reaches Omega = 1 at {}", show(t_liver));

    let out = json!({
        "cem43_min": c_cem[n],
        "arrhenius_omega": c_skin[n],
        "arrhenius_omega_liver": c_liver[n],
        "cem43_lethal_60_at_min": t60,
        "cem43_lethal_240_at_min": t240,
    });
    println!("{}", serde_json::to_string(&out)?);
    Ok(())
}
