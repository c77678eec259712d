use clap::Parser;
use std::io::Write;
use std::process::ExitCode;

/// Huge pages under the large tables of a large cell (see `huge_pages`).
#[global_allocator]
static ALLOCATOR: afsim::huge_pages::HugePages = afsim::huge_pages::HugePages;

fn main() -> ExitCode {
    let cli = afsim::cli::Cli::parse();
    match afsim::cli::main(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            match &failure {
                afsim::cli::Failure::Input(msg) | afsim::cli::Failure::Limit(msg) => {
                    // A closed standard error must not turn a clean message into a panic.
                    let _ = writeln!(std::io::stderr(), "error: {msg}");
                }
                afsim::cli::Failure::Violations | afsim::cli::Failure::Closed => {}
            }
            ExitCode::from(failure.exit_code())
        }
    }
}
