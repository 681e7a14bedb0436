//! The `mnp` command's output folder: checked before any work, written as a
//! whole, never a mix of two runs, even when a run is killed while it
//! writes.
#![cfg(feature = "cli")]

use mnp_suite::app::output::{MANIFEST, Manifest, RunOutput};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn mnp() -> Command {
    Command::new(env!("CARGO_BIN_EXE_mnp"))
}

fn fresh_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mnp_cli_{name}_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// The set in `dir` is one complete run: its manifest lists exactly the
/// files present, and the fields have one line per cell of the run's grid.
/// Returns the run's cells per side.
fn complete_set(dir: &Path) -> usize {
    let manifest = Manifest::read(dir).expect("a manifest");
    let mut present: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != MANIFEST)
        .collect();
    present.sort();
    assert_eq!(present, manifest.files);
    let solve: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("solve.json")).unwrap()).unwrap();
    let cells = solve["cells"].as_u64().expect("cells in solve.json") as usize;
    let lines = std::fs::read_to_string(dir.join("fields.csv"))
        .unwrap()
        .lines()
        .count();
    assert_eq!(lines, cells * cells + 1, "fields.csv of another run");
    cells
}

fn solve(cells: usize, out: &Path) -> Command {
    let mut c = mnp();
    c.args([
        "solve",
        "--sites",
        "4",
        "--position",
        "0.6,0.4,0.6",
        "--cells",
    ])
    .arg(cells.to_string())
    .arg("--out")
    .arg(out);
    c
}

/// A run killed while it writes its fields leaves the previous run's
/// complete set, never a mix.
#[test]
fn a_killed_run_leaves_a_complete_set() {
    let dir = fresh_dir("killed");
    assert!(solve(24, &dir).output().unwrap().status.success());
    assert_eq!(complete_set(&dir), 24);
    let mut child = solve(700, &dir).spawn().unwrap();
    let staging = dir.parent().unwrap().join(format!(
        ".{}.staging-{}",
        dir.file_name().unwrap().to_string_lossy(),
        child.id()
    ));
    let start = Instant::now();
    let mut killed = false;
    while start.elapsed() < Duration::from_secs(120) {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        let writing = std::fs::metadata(staging.join("fields.csv")).is_ok_and(|m| m.len() > 0);
        if writing {
            child.kill().unwrap();
            killed = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    child.wait().unwrap();
    // Writing 490 000 lines takes far longer than the 2 ms poll.
    assert!(killed, "the run finished before it could be killed");
    assert_eq!(
        complete_set(&dir),
        24,
        "the killed run's files replaced the old set"
    );
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `--out` is checked before the computation: a file in the way, or a
/// folder of the user's own files, is refused at once with the flag named,
/// and nothing is written.
#[test]
fn the_output_folder_is_checked_first() {
    let file = fresh_dir("afile");
    std::fs::write(&file, "mine").unwrap();
    let start = Instant::now();
    let out = mnp().args(["tables", "--out"]).arg(&file).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--out") && err.contains("not a folder"),
        "{err}"
    );
    // The tables take minutes; the refusal comes first.
    assert!(start.elapsed() < Duration::from_secs(20));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "mine");
    std::fs::remove_file(&file).unwrap();

    let mine = fresh_dir("mine");
    std::fs::create_dir_all(&mine).unwrap();
    std::fs::write(mine.join("notes.txt"), "mine").unwrap();
    let out = solve(20, &mine).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no mnp run wrote"));
    assert_eq!(std::fs::read_dir(&mine).unwrap().count(), 1);
    std::fs::remove_dir_all(&mine).unwrap();
}

/// A new run replaces the whole folder: no file of an earlier run (here
/// `solve.json` after `optimize`) is left looking current; a run that fails
/// midway leaves the old set and no staging folder.
#[test]
fn runs_replace_the_folder_as_a_whole() {
    let dir = fresh_dir("replace");
    assert!(solve(20, &dir).output().unwrap().status.success());
    let out = mnp()
        .args([
            "optimize",
            "--particles",
            "3",
            "--generations",
            "2",
            "--cells",
            "20",
            "--out",
        ])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!dir.join("solve.json").exists());
    let m = Manifest::read(&dir).unwrap();
    assert_eq!((m.command.as_str(), m.seed), ("mnp optimize", Some(0)));
    assert!(m.files.iter().any(|f| f == "history.csv"));

    // A failed run in the library: staged files vanish, the old set stays.
    {
        let mut staged = RunOutput::prepare(&dir, "test", None).unwrap();
        staged.write("partial.csv", "1,2,3").unwrap();
        // Dropped without commit (as on an error).
    }
    assert_eq!(Manifest::read(&dir).unwrap(), m);
    assert!(!dir.join("partial.csv").exists());
    let leftovers = std::fs::read_dir(dir.parent().unwrap())
        .unwrap()
        .filter(|e| {
            let n = e
                .as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .into_owned();
            n.starts_with(&format!(".{}.", dir.file_name().unwrap().to_string_lossy()))
        })
        .count();
    assert_eq!(leftovers, 0);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Runs the machine cannot hold are refused before they start, with the
/// estimate and the limit; out-of-range sizes name their flag.
#[test]
fn oversized_runs_are_refused_first() {
    let out = fresh_dir("oversized");
    for (args, needle) in [
        (
            vec!["tables", "--cells", "10000000000"],
            "--cells: must lie in [8, 4096]",
        ),
        (
            vec!["tables", "--cells", "1000000"],
            "--cells: must lie in [8, 4096]",
        ),
        (
            vec!["optimize", "--cells", "4096", "--particles", "10000"],
            "GB of memory",
        ),
    ] {
        let start = Instant::now();
        let o = mnp().args(&args).arg("--out").arg(&out).output().unwrap();
        assert!(!o.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
        assert!(start.elapsed() < Duration::from_secs(20), "{args:?}");
        assert!(!out.exists(), "{args:?} wrote {}", out.display());
    }
}

/// Errors for people: flags named, negative values parsed (then refused
/// by the strategy's bounds), sites outside the block refused, and only a
/// scenario that builds printed.
#[test]
fn command_line_errors_name_the_flag() {
    let out = fresh_dir("flags");
    for (args, needle) in [
        (
            vec!["solve", "--position", "-0.5,0.5,0.5"],
            "--position: k_phi = -0.5 lies outside [0, 1]",
        ),
        (
            vec!["solve", "--position", "0.5,0.5,100"],
            "--position: k_d = 100",
        ),
        (vec!["solve", "--position", "0.5,0.5"], "2 values given"),
        (vec!["scenario", "--cells", "0"], "grid.cells"),
    ] {
        let o = mnp().args(&args).arg("--out").arg(&out).output().unwrap();
        assert!(!o.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
        assert!(!err.contains("{ "), "Debug structure printed: {err}");
        assert!(
            o.stdout.is_empty(),
            "{args:?} printed {}",
            String::from_utf8_lossy(&o.stdout)
        );
    }
    // A scenario with user sites outside the block.
    let dir = fresh_dir("outside_sites");
    std::fs::create_dir_all(&dir).unwrap();
    let case = dir.join("case.toml");
    std::fs::write(
        &case,
        "[grid]\ncells = 20\n[injection]\nstrategy = \"sites\"\n[[injection.site]]\nx_mm = 400.0\ny_mm = 0.0\n",
    )
    .unwrap();
    let o = mnp()
        .args(["solve", "--position", "0.5,0.5", "--scenario"])
        .arg(&case)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("outside the tissue block"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `mnp … | head` closes standard output early: the run neither panics
/// nor loses its results; what the reader no longer takes is dropped.
#[test]
fn a_closed_standard_output_does_not_stop_a_run() {
    let out = fresh_dir("closed_stdout");
    let mut child = solve(20, &out)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Close our end of the pipe before the command writes anything.
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(complete_set(&out), 20);
    let _ = std::fs::remove_dir_all(&out);
}

/// `--mpi` in a build without the `mpi` feature says how to get it, and
/// writes nothing; `--mpi` with `--particle` is refused too.
#[test]
#[cfg(not(feature = "mpi"))]
fn mpi_without_the_feature_says_how_to_build_it() {
    let out = fresh_dir("mpi");
    for command in ["optimize", "robust"] {
        let run = mnp()
            .args([command, "--mpi", "--out"])
            .arg(&out)
            .output()
            .unwrap();
        assert!(!run.status.success());
        let err = String::from_utf8_lossy(&run.stderr);
        assert!(
            err.contains("--mpi") && err.contains("--features mpi"),
            "{command}: {err}"
        );
        assert!(!out.exists(), "{command} wrote {}", out.display());
    }
    let run = mnp()
        .args(["optimize", "--mpi", "--particle", "p.toml"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&run.stderr).contains("--mpi"));
}
