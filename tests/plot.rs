//! Figures: a predicted-vs-measured PNG is written with the embedded font,
//! and bad input is a typed error, not a panic or an empty file.
#![cfg(feature = "figures")]

use mnp_suite::Error;
use mnp_suite::app::plot::{AxisScale, Series, predicted_vs_measured};

/// Width and height from a PNG's IHDR chunk, after checking the signature.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    assert_eq!(&bytes[12..16], b"IHDR");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&bytes[16..20]), be(&bytes[20..24]))
}

#[test]
fn writes_a_png_on_linear_and_log_axes() {
    let dir = std::env::temp_dir().join(format!("mnp_plot_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let measured = [1.0, 10.0, 100.0, 1000.0];
    let predicted = [1.5, 8.0, 120.0, 900.0];
    for (scale, name) in [(AxisScale::Linear, "lin.png"), (AxisScale::Log, "log.png")] {
        let path = dir.join(name);
        predicted_vs_measured(
            &path,
            "a test figure",
            "SAR (W/g)",
            scale,
            &[Series {
                label: "test",
                measured: &measured,
                predicted: &predicted,
            }],
        )
        .unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(png_size(&bytes), (800, 800));
        // A blank white 800 × 800 image compresses to well under 10 kB;
        // axes, text and markers make it larger.
        assert!(bytes.len() > 10_000, "{} bytes", bytes.len());
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_series_are_typed_errors() {
    let path = std::env::temp_dir().join("mnp_plot_never_written.png");
    let cases: [(&[f64], &[f64], AxisScale); 4] = [
        (&[1.0, 2.0], &[1.0], AxisScale::Linear),
        (&[1.0, f64::NAN], &[1.0, 2.0], AxisScale::Linear),
        (&[0.0, 2.0], &[1.0, 2.0], AxisScale::Log),
        (&[], &[], AxisScale::Linear),
    ];
    for (measured, predicted, scale) in cases {
        let err = predicted_vs_measured(
            &path,
            "t",
            "x",
            scale,
            &[Series {
                label: "s",
                measured,
                predicted,
            }],
        )
        .unwrap_err();
        assert!(matches!(err, Error::Plot(_)), "{err:?}");
    }
    assert!(!path.exists());
}
