//! The arguments the RPC benchmarks share, so that the engine's run and the bare heap's
//! are given the same workload by the same words.

use std::process::ExitCode;

pub struct Args {
    pub nodes: u32,
    pub rpcs: u64,
    pub seed: u64,
}

/// `--nodes N --rpcs N --seed N`, each optional (1,000 nodes, 20 M RPCs, seed 42).
fn parse() -> Result<Args, String> {
    let mut args = Args {
        nodes: 1000,
        rpcs: 20_000_000,
        seed: 42,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        let bad = |e: std::num::ParseIntError| format!("{flag} {value}: {e}");
        match flag.as_str() {
            "--nodes" => args.nodes = value.parse().map_err(bad)?,
            "--rpcs" => args.rpcs = value.parse().map_err(bad)?,
            "--seed" => args.seed = value.parse().map_err(bad)?,
            _ => {
                return Err(format!(
                    "unknown argument {flag}; use --nodes N --rpcs N --seed N"
                ));
            }
        }
    }
    if args.nodes < 2 {
        return Err("--nodes must be at least 2".into());
    }
    Ok(args)
}

/// The arguments, or, once what is wrong with them is said, the exit status 2.
pub fn from_command_line() -> Result<Args, ExitCode> {
    parse().map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::from(2)
    })
}
