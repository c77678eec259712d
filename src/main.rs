use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = afsim::cli::Cli::parse();
    match afsim::cli::main(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            match &failure {
                afsim::cli::Failure::Input(msg) | afsim::cli::Failure::Limit(msg) => {
                    eprintln!("error: {msg}")
                }
                afsim::cli::Failure::Violations => {}
            }
            ExitCode::from(failure.exit_code())
        }
    }
}
