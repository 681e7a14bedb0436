//! The guide's bench listing (docs/GUIDE.md, step 5) is the repository's
//! `benches/guide.rs`, which CI compiles and runs: the two must not drift.

#[test]
fn the_guide_shows_benches_guide_rs() {
    let root = env!("CARGO_MANIFEST_DIR");
    let guide = std::fs::read_to_string(format!("{root}/docs/GUIDE.md")).unwrap();
    let bench = std::fs::read_to_string(format!("{root}/benches/guide.rs")).unwrap();
    let start = guide
        .find("```rust,ignore\n")
        .expect("the guide's bench listing")
        + "```rust,ignore\n".len();
    let end = start + guide[start..].find("```\n").unwrap();
    assert_eq!(&guide[start..end], bench);
}
