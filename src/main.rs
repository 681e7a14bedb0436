//! The `mnp` command line; see `mnp --help`.

fn main() {
    if let Err(e) = mnp_suite::app::cli::run(std::env::args_os()) {
        eprintln!("{}", mnp_suite::error::describe(&e));
        std::process::exit(1);
    }
}
