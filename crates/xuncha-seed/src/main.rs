//! `xuncha-seed [SEEDS_DIR] [OUT_DIR]`: re-runs the sample extraction and
//! writes `sample-parks.json` and `extraction-report.md` into OUT_DIR
//! (defaults: `../shared/seeds` and `assets/sample`).

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let seeds = PathBuf::from(args.next().unwrap_or_else(|| "../shared/seeds".into()));
    let out = PathBuf::from(args.next().unwrap_or_else(|| "assets/sample".into()));
    match run(&seeds, &out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xuncha-seed: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(seeds: &std::path::Path, out: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
    let (json, report) = xuncha_seed::extract_files(seeds)?;
    std::fs::create_dir_all(out)?;
    std::fs::write(out.join("sample-parks.json"), json)?;
    std::fs::write(out.join("extraction-report.md"), report)?;
    println!("wrote {} and {}", out.join("sample-parks.json").display(), out.join("extraction-report.md").display());
    Ok(())
}
