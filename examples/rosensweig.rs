//! Rosensweig heating of the magnetite particles of Jiang et al. 2022
//! (Table A.1, at 43 °C): relaxation times, susceptibility and q = Q/φ, then
//! a sweep over core diameters 8–20 nm.
//!
//! Run: `cargo run --release --example rosensweig`
//! The last line of standard output is a JSON object with the key figures.

use mnp_suite::physics::constants::PAPER_TEMPERATURE_K;
use mnp_suite::physics::{AcField, CarrierFluid, Particle, Rosensweig, RosensweigBreakdown};
use serde_json::{Value, json};

fn figures(b: &RosensweigBreakdown) -> Value {
    json!({
        "tau_neel_s": b.tau_neel,
        "tau_brown_s": b.tau_brown,
        "tau_eff_s": b.tau_effective,
        "xi": b.xi,
        "chi0_per_phi": b.chi0_per_phi,
        "q_per_phi_w_m3": b.power_per_volume_fraction,
        "slp_w_per_g": b.specific_loss_power_w_per_g,
    })
}

fn main() -> std::process::ExitCode {
    mnp_suite::error::exit(run())
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let model = Rosensweig::paper();
    let (particle, fluid, field) = (
        Particle::table_a1(),
        CarrierFluid::table_a1(),
        AcField::table_a1(),
    );
    let b = model.breakdown(&particle, &fluid, &field, PAPER_TEMPERATURE_K)?;
    let v = model.validity(&particle, &fluid, &field, PAPER_TEMPERATURE_K)?;

    println!(
        "Rosensweig model, Table A.1 of Jiang et al. 2022 (d = 12 nm, H0 = 8 kA/m, f = 200 kHz, T = 43 °C)"
    );
    println!("{:<28} {:>14} {:>14}", "quantity", "paper", "mnp-suite");
    let rows = [
        ("tau_N (s)", "4.78e-8", b.tau_neel),
        ("tau_B (s)", "4.31e-7", b.tau_brown),
        ("tau_R (s)", "-", b.tau_effective),
        ("Gamma = K V/(kB T)", "-", b.gamma),
        ("xi", "0.930", b.xi),
        ("chi0 / phi", "16.4", b.chi0_per_phi),
        ("omega tau_R", "-", b.omega_tau),
        ("q = Q/phi (W/m^3)", "4.46e7", b.power_per_volume_fraction),
        ("SLP (W/g)", "-", b.specific_loss_power_w_per_g),
    ];
    for (name, paper, ours) in rows {
        println!("{name:<28} {paper:>14} {ours:>14.4e}");
    }
    println!(
        "validity: linear response (xi < 1): {}; asymptotic Neel form (Gamma >= 2): {}; \
         H0 f = {:.2e} A/(m s): below Hergt-Dutz 5e9: {}, below Brezovich 4.85e8: {}",
        v.linear_response,
        v.neel_form_valid,
        v.field_frequency_product,
        v.below_hergt_dutz_limit,
        v.below_brezovich_limit
    );

    println!();
    println!("Sweep over core diameter (V_H = V_M, same field and carrier)");
    println!(
        "{:>5} {:>11} {:>11} {:>11} {:>7} {:>9} {:>11} {:>9} {:>6}",
        "d_nm", "tau_N_s", "tau_B_s", "tau_R_s", "xi", "chi0/phi", "q_W_m3", "SLP_W/g", "valid"
    );
    let mut by_diameter = Vec::new();
    for d_nm in 8..=20 {
        let p = particle.with_core_diameter(d_nm as f64 * 1e-9)?;
        let b = model.breakdown(&p, &fluid, &field, PAPER_TEMPERATURE_K)?;
        let ok = model
            .validity(&p, &fluid, &field, PAPER_TEMPERATURE_K)?
            .model_valid();
        println!(
            "{:>5} {:>11.3e} {:>11.3e} {:>11.3e} {:>7.3} {:>9.3} {:>11.3e} {:>9.2} {:>6}",
            d_nm,
            b.tau_neel,
            b.tau_brown,
            b.tau_effective,
            b.xi,
            b.chi0_per_phi,
            b.power_per_volume_fraction,
            b.specific_loss_power_w_per_g,
            ok
        );
        let mut row = figures(&b);
        row["d_nm"] = json!(d_nm);
        row["model_valid"] = json!(ok);
        by_diameter.push(row);
    }

    let mut out = figures(&b);
    out["by_diameter"] = Value::Array(by_diameter);
    println!("{}", serde_json::to_string(&out)?);
    Ok(())
}
