//! Inverse particle design on the DiMag models (`mnp_suite::ml::design`):
//! per composition seen in SAR.csv and shape flag, a particle swarm
//! searches the surface-to-volume ratio, saturation magnetization,
//! coercivity and remanence for the highest lower bound of a 90 % CV+
//! interval of predicted SAR, staying within the training particles'
//! 95th-percentile nearest-neighbour distance, and here also requiring a
//! predicted r2 of at least 100 mM⁻¹ s⁻¹ (visible in T2-weighted MRI).
//! The field and concentration are the data's medians.
//!
//! Reads `$MNP_DATA_DIR/dimag` (the data are never part of the repository).
//! Run: `MNP_DATA_DIR=../shared/data cargo run --release --example inverse_design`.
//! The last line of standard output is a JSON object: `candidates` (each
//! with `descriptors`, `sar_pred`, `sar_lo`, `sar_hi` in W/g, `r2_pred`,
//! `nearest_distance`, `extrapolated`, its composition and its three
//! nearest training particles) and `runtime_s`.

use mnp_suite::dataset::dimag::{DimagTarget, load_dimag};
use mnp_suite::ml::design::{DesignSettings, design};
use mnp_suite::ml::dimag::data_dir;

fn main() -> std::process::ExitCode {
    mnp_suite::error::exit(run())
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let start = std::time::Instant::now();
    let dir = data_dir()?;
    let sar = load_dimag(&dir, DimagTarget::Sar)?;
    let r2 = load_dimag(&dir, DimagTarget::R2)?;
    let settings = DesignSettings {
        r2_min: Some(100.0),
        ..DesignSettings::medians(&sar, &r2)?
    };
    println!(
        "conditions: field amplitude {} (SAR.csv units), frequency {} MHz, concentration {}, MRI field {} T; r2 ≥ {} mM⁻¹ s⁻¹",
        settings.field_amplitude,
        settings.field_frequency,
        settings.concentration,
        settings.field_strength,
        settings.r2_min.unwrap_or(0.0)
    );
    let report = design(&sar, &r2, &settings)?;
    print!("{report}");
    let out = report.to_json(&settings, start.elapsed().as_secs_f64());
    println!("{out}");
    Ok(())
}
