//! Standard output that a reader who went away cannot crash.
//!
//! `println!` panics when standard output is a closed pipe (`afsim run … | head -1`),
//! with a backtrace when `RUST_BACKTRACE` is set. Everything the commands print goes
//! through here instead: a closed pipe becomes [`Failure::Closed`], which ends the
//! command at once, quietly, with exit status 0 (the reader has what it wanted; every
//! file already written is whole, as files are only ever renamed into place).

use super::Failure;
use std::io::Write;

/// Writes `text` to standard output and flushes it, so that a closed pipe is noticed
/// here and not when the process exits.
pub fn print(text: std::fmt::Arguments<'_>) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    out.write_fmt(text)
        .and_then(|()| out.flush())
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::BrokenPipe => Failure::Closed,
            _ => Failure::Input(format!("cannot write to standard output: {e}")),
        })
}

/// `println!` that returns [`Failure::Closed`] instead of panicking on a closed pipe.
macro_rules! say {
    () => {
        $crate::cli::out::print(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::cli::out::print(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `print!` that returns [`Failure::Closed`] instead of panicking on a closed pipe.
macro_rules! say_raw {
    ($($arg:tt)*) => {
        $crate::cli::out::print(format_args!($($arg)*))
    };
}

pub(crate) use {say, say_raw};
