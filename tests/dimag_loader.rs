//! Data-backed: the DiMag files (read from `$MNP_DATA_DIR/dimag`). Run with
//! `MNP_DATA_DIR=../shared/data cargo test -- --ignored`. The counts were
//! checked independently with pandas (docs/VALIDATION.md).

use mnp_suite::dataset::dimag::{DimagTarget, load_dimag};
mod common;
use common::dimag_dir;

#[test]
#[ignore = "needs the DiMag data: set MNP_DATA_DIR"]
fn the_three_files_load_with_their_roles_and_quirks() {
    // (target, rows, descriptors, articles, duplicate groups, duplicated
    // rows, conflicting groups, rows in them)
    let expected = [
        (DimagTarget::Sar, 460, 11, 33, 1, 2, 3, 6),
        (DimagTarget::R1, 355, 8, 75, 1, 2, 3, 8),
        (DimagTarget::R2, 465, 8, 89, 12, 25, 6, 14),
    ];
    for (target, rows, descriptors, articles, dup, dup_rows, conflicts, conflict_rows) in expected {
        let d = load_dimag(&dimag_dir(), target).unwrap();
        eprintln!("{}", d.report());
        assert_eq!(d.y.len(), rows, "{target:?}");
        assert_eq!(d.descriptors.len(), descriptors, "{target:?}");
        assert!(
            d.descriptors
                .iter()
                .all(|c| c != target.column() && c != "DOI")
        );
        assert_eq!(d.features().unwrap().columns().len(), descriptors);
        let mut a = d.doi.clone();
        a.sort();
        a.dedup();
        assert_eq!(a.len(), articles, "{target:?}");
        assert!(
            d.doi
                .iter()
                .all(|x| !x.starts_with("http") && !x.starts_with("doi"))
        );
        assert_eq!(d.duplicate_rows.len(), dup, "{target:?}");
        assert_eq!(
            d.duplicate_rows.iter().map(Vec::len).sum::<usize>(),
            dup_rows
        );
        assert_eq!(d.conflicting_targets.len(), conflicts, "{target:?}");
        assert_eq!(
            d.conflicting_targets.iter().map(Vec::len).sum::<usize>(),
            conflict_rows,
            "{target:?}"
        );
        assert!(d.y.iter().all(|v| *v > 0.0));
    }
}
