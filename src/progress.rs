//! Progress bars on a terminal: on stderr, and only when it is a terminal, so logs and
//! pipes never see bar redraws.
//!
//! `run` counts simulated seconds of each strategy's run (an observer of the run sees
//! time advance; it never touches the model); `check` counts seeds and the seeds on
//! which some invariant fired so far; `sweep` counts runs.

use crate::cell::AfsNode;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sim::{Instant, Observer, Record};
use std::io::IsTerminal;

/// A bar of `len` steps called `unit`, labelled `prefix`, on stderr if it is a terminal
/// (hidden otherwise). `{msg}` shows what [`ProgressBar::set_message`] last said.
pub fn bar(len: u64, prefix: &str, unit: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    styled(
        ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr()),
        prefix,
        unit,
    )
}

/// `bar` with its style: `prefix msg [=====>    ] 3/10 unit, 4s (eta 9s)`.
pub fn styled(bar: ProgressBar, prefix: &str, unit: &str) -> ProgressBar {
    let template =
        format!("{{prefix}}{{msg}} [{{bar:32}}] {{pos}}/{{len}} {unit}, {{elapsed}} (eta {{eta}})");
    let style = ProgressStyle::with_template(&template)
        .map(|s| s.progress_chars("=> "))
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_prefix(prefix.to_string());
    bar
}

/// The message of `check`'s bar: how many seeds so far had a violation.
pub fn violations_message(seeds: u64) -> String {
    let s = if seeds == 1 { "" } else { "s" };
    format!(", {seeds} seed{s} with violations")
}

/// Follows a run's simulated time on `bar` (whose position counts simulated seconds of
/// every strategy so far, `before_s` of them before this run), passing every record on
/// to `inner` (a trace), if any.
pub struct SimProgress {
    bar: ProgressBar,
    before_s: u64,
    /// The next whole simulated second at which to move the bar: one comparison per
    /// record, and a redraw (itself rate-limited) at most once per simulated second.
    next_s: u64,
    inner: Option<Box<dyn Observer<AfsNode> + Send>>,
}

impl SimProgress {
    /// The observer a run gets: `inner` alone when the bar is hidden (no cost at all
    /// when nobody watches), else `inner` wrapped in a [`SimProgress`].
    pub fn wrap(
        bar: &ProgressBar,
        before_s: u64,
        inner: Option<Box<dyn Observer<AfsNode> + Send>>,
    ) -> Option<Box<dyn Observer<AfsNode> + Send>> {
        if bar.is_hidden() {
            return inner;
        }
        Some(Box::new(SimProgress {
            bar: bar.clone(),
            before_s,
            next_s: 0,
            inner,
        }))
    }
}

impl Observer<AfsNode> for SimProgress {
    fn record(&mut self, now: Instant, record: Record<'_, AfsNode>) {
        let s = now.as_micros() / 1_000_000;
        if s >= self.next_s {
            self.bar.set_position(self.before_s + s);
            self.next_s = s + 1;
        }
        if let Some(inner) = self.inner.as_mut() {
            inner.record(now, record);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use indicatif::TermLike;
    use std::sync::{Arc, Mutex};

    /// A terminal that keeps the last line drawn.
    #[derive(Debug, Clone, Default)]
    struct Screen(Arc<Mutex<String>>);

    impl TermLike for Screen {
        fn width(&self) -> u16 {
            160
        }
        fn move_cursor_up(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_down(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_right(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_left(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn write_line(&self, s: &str) -> std::io::Result<()> {
            *self.0.lock().unwrap() = s.to_string();
            Ok(())
        }
        fn write_str(&self, s: &str) -> std::io::Result<()> {
            self.0.lock().unwrap().push_str(s);
            Ok(())
        }
        fn clear_line(&self) -> std::io::Result<()> {
            self.0.lock().unwrap().clear();
            Ok(())
        }
        fn flush(&self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn on_screen(len: u64, prefix: &str, unit: &str) -> (ProgressBar, Screen) {
        let screen = Screen::default();
        let target = ProgressDrawTarget::term_like(Box::new(screen.clone()));
        let bar = styled(
            ProgressBar::with_draw_target(Some(len), target),
            prefix,
            unit,
        );
        (bar, screen)
    }

    #[test]
    fn check_counts_seeds_and_seeds_with_violations() {
        let (bar, screen) = on_screen(10, "check-small", "seeds");
        bar.set_message(violations_message(0));
        bar.inc(3);
        bar.set_message(violations_message(2));
        bar.force_draw();
        let line = screen.0.lock().unwrap().clone();
        assert!(line.contains("3/10 seeds"), "{line}");
        assert!(line.contains("2 seeds with violations"), "{line}");
        assert_eq!(violations_message(1), ", 1 seed with violations");
    }

    #[test]
    fn run_counts_simulated_seconds() {
        let (bar, screen) = on_screen(600, "tiny", "simulated s");
        let mut p = SimProgress::wrap(&bar, 300, None).expect("a visible bar wraps");
        p.record(
            Instant::ZERO + sim::Duration::from_secs(42),
            Record::TimerFired {
                node: sim::NodeId(0),
                timer: &crate::cell::msg::Timer::Beacon,
            },
        );
        bar.force_draw();
        let line = screen.0.lock().unwrap().clone();
        assert!(line.contains("342/600 simulated s"), "{line}");
        assert!(SimProgress::wrap(&ProgressBar::hidden(), 0, None).is_none());
    }
}
