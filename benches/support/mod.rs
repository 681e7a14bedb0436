//! The criterion configuration shared by every bench of this repository.
//!
//! With the facade's `figures` feature on (the default), plotters is built
//! with its `ab_glyph` text backend, which knows no font until one is
//! registered; criterion's HTML report draws its charts through plotters
//! when gnuplot is absent, so on a machine without gnuplot it would fail at
//! the first chart. Registering the embedded DejaVu Sans first lets the
//! report be drawn on any machine; if text still cannot be laid out, the
//! benches run without plots instead of panicking.

use criterion::Criterion;

/// `Criterion::default()`, with fonts for its report or without plots.
pub fn criterion() -> Criterion {
    #[cfg(feature = "figures")]
    {
        let ready = mnp_suite::app::plot::register_fonts().is_ok()
            && mnp_suite::app::plot::fonts_available();
        if !ready {
            eprintln!("no font for criterion's plots: benchmarking without the HTML charts");
            return Criterion::default().without_plots();
        }
    }
    Criterion::default()
}
