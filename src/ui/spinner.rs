//! A one-line spinner on stderr for long operations (creating a VM, installing agents): the
//! step that runs now and how long it has been running (`⠋ Installing codex in VM dev 1:05`).
//! It draws only when stderr is a terminal and `--debug` is off (debug output would be
//! garbled by it); otherwise it prints nothing at all, and the operation's own messages are
//! the only output. Call [`Spinner::suspend`] around prompts or other output.
//!
//! Drawing, ticking and clearing are `indicatif`'s (a steady tick every 100 ms on its own
//! thread); what the line says (the frames, the step, its clock) is defined here.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressFinish, ProgressState, ProgressStyle};

const FRAMES: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// Columns the frame, the spaces and the clock take beside the step (`⠋ ` + ` 1:02:05`), plus
/// one to spare: a line that fills the row wraps on some terminals.
const BESIDE_THE_STEP: usize = 2 + 8 + 1;

/// A running spinner; stops and clears its line when finished or dropped.
pub struct Spinner {
    bar: ProgressBar,
    drawing: bool,
}

/// Whether a spinner would draw: stderr is a terminal and debug output is off.
pub fn enabled() -> bool {
    std::io::stderr().is_terminal() && !crate::process::debug_enabled()
}

/// The spinner's line: a frame, the step, and the time the step has been running.
fn style() -> ProgressStyle {
    let mut ticks: Vec<&str> = FRAMES.to_vec();
    ticks.push(""); // what a finished spinner shows (it is cleared anyway)
    ProgressStyle::with_template("{spinner} {msg} {clock}")
        .unwrap_or_else(|_| ProgressStyle::default_spinner())
        .tick_strings(&ticks)
        .with_key(
            "clock",
            |state: &ProgressState, out: &mut dyn std::fmt::Write| {
                let _ = out.write_str(&clock(state.elapsed()));
            },
        )
}

impl Spinner {
    /// Starts a spinner showing `message` (does nothing when [`enabled`] is false).
    pub fn start(message: impl Into<String>) -> Spinner {
        Self::start_if(enabled(), message)
    }

    fn start_if(draw: bool, message: impl Into<String>) -> Spinner {
        let bar = if draw {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())
                .with_style(style())
                .with_finish(ProgressFinish::AndClear);
            bar.set_message(fit(&message.into(), super::stderr_columns()));
            bar.enable_steady_tick(Duration::from_millis(100));
            bar
        } else {
            ProgressBar::hidden()
        };
        Spinner { bar, drawing: draw }
    }

    /// Whether this spinner draws anything.
    pub fn is_drawing(&self) -> bool {
        self.drawing
    }

    /// Changes the text shown next to the spinner (the current stage); a new text starts its
    /// own elapsed time.
    pub fn set_message(&self, message: impl Into<String>) {
        if !self.drawing {
            return;
        }
        let message = fit(&message.into(), super::stderr_columns());
        if self.bar.message() != message {
            self.bar.set_message(message);
            self.bar.reset_elapsed();
        }
    }

    /// Runs `f` with the spinner hidden (for prompts and printed lines).
    pub fn suspend<T>(&self, f: impl FnOnce() -> T) -> T {
        if !self.drawing {
            return f();
        }
        self.bar.suspend(f)
    }

    /// Stops the spinner and clears its line.
    pub fn finish(self) {
        drop(self);
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        if self.drawing && !self.bar.is_finished() {
            self.bar.finish_and_clear();
        }
    }
}

/// How long a step has been running: `m:ss`, or `h:mm:ss` from an hour on.
fn clock(elapsed: Duration) -> String {
    let secs = elapsed.as_secs();
    if secs >= 3600 {
        format!("{}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
    } else {
        format!("{}:{:02}", secs / 60, secs % 60)
    }
}

/// The step cut so that the whole line (frame, step, clock) fits one row of a terminal
/// `columns` wide.
fn fit(step: &str, columns: Option<usize>) -> String {
    match columns {
        Some(c) if step.chars().count() + BESIDE_THE_STEP > c => step
            .chars()
            .take(c.saturating_sub(BESIDE_THE_STEP))
            .collect(),
        _ => step.to_string(),
    }
}

/// The spinner of a long VM operation, for commands that also print progress lines: lines
/// become its text and are printed above it (`agsekit: ...` on stderr), so the output is the
/// same with and without the spinner.
pub struct Progress {
    spinner: Spinner,
}

/// A progress line without a spinner: `agsekit: TEXT` on stderr.
pub fn notice(text: &str) {
    eprintln!("agsekit: {text}");
}

impl Progress {
    pub fn start(message: impl Into<String>) -> Progress {
        Progress {
            spinner: Spinner::start(message),
        }
    }

    /// A progress line: printed (`agsekit: TEXT` on stderr) and shown next to the spinner.
    pub fn notice(&self, text: &str) {
        if self.spinner.is_drawing() {
            self.spinner.set_message(text.to_string());
        }
        self.spinner.suspend(|| notice(text));
    }

    /// The text next to the spinner only (the step that is running now).
    pub fn step(&self, text: impl Into<String>) {
        self.spinner.set_message(text);
    }

    /// Prints a result line on stdout with the spinner out of the way.
    pub fn println(&self, line: &str) {
        self.spinner.suspend(|| println!("{line}"));
    }

    /// Prints on stderr with the spinner out of the way.
    pub fn eprintln(&self, line: &str) {
        self.spinner.suspend(|| eprintln!("{line}"));
    }

    pub fn finish(self) {
        self.spinner.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_terminal_nothing_is_drawn() {
        let s = Spinner::start_if(false, "Creating VM");
        assert!(!s.is_drawing());
        assert!(s.bar.is_hidden());
        s.set_message("Installing agents");
        assert_eq!(s.suspend(|| 7), 7);
        s.finish();
    }

    #[test]
    fn the_clock_shows_minutes_and_seconds_then_hours() {
        assert_eq!(clock(Duration::from_secs(65)), "1:05");
        assert_eq!(clock(Duration::from_millis(900)), "0:00");
        assert_eq!(clock(Duration::from_secs(3725)), "1:02:05");
    }

    #[test]
    fn a_line_never_fills_the_row() {
        // 20 columns: 9 for the step, 11 for the frame, the clock and one to spare.
        assert_eq!(fit("установка codex в ВМ", Some(20)), "установка");
        assert_eq!(fit("ok", Some(20)), "ok");
        assert_eq!(fit("exactly9!", Some(20)), "exactly9!");
        assert_eq!(fit("a longer step", None), "a longer step");
        assert_eq!(fit("step", Some(3)), "");
    }
}
