//! A one-line spinner on stderr for long operations (creating a VM, installing agents): the
//! step that runs now and how long it has been running (`⠋ Installing codex in VM dev 1:05`).
//! It draws only when stderr is a terminal and `--debug` is off (debug output would be
//! garbled by it); otherwise it prints nothing at all, and the operation's own messages are
//! the only output. Call [`Spinner::suspend`] around prompts or other output.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const FRAMES: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

struct Shared {
    /// The step shown and when it began.
    message: Mutex<(String, Instant)>,
    stop: AtomicBool,
    paused: AtomicBool,
}

/// A running spinner; stops and clears its line when finished or dropped.
pub struct Spinner {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

/// Whether a spinner would draw: stderr is a terminal and debug output is off.
pub fn enabled() -> bool {
    std::io::stderr().is_terminal() && !crate::process::debug_enabled()
}

fn clear_line() {
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "\r\x1b[2K");
    let _ = err.flush();
}

impl Spinner {
    /// Starts a spinner showing `message` (does nothing when [`enabled`] is false).
    pub fn start(message: impl Into<String>) -> Spinner {
        Self::start_if(enabled(), message)
    }

    fn start_if(draw: bool, message: impl Into<String>) -> Spinner {
        let shared = Arc::new(Shared {
            message: Mutex::new((message.into(), Instant::now())),
            stop: AtomicBool::new(false),
            paused: AtomicBool::new(false),
        });
        let thread = draw.then(|| {
            let shared = Arc::clone(&shared);
            std::thread::spawn(move || {
                let mut frame = 0usize;
                while !shared.stop.load(Ordering::Relaxed) {
                    if !shared.paused.load(Ordering::Relaxed) {
                        let line = shared
                            .message
                            .lock()
                            .map(|m| line(frame, &m.0, m.1.elapsed()))
                            .unwrap_or_default();
                        let line = fit(&line, super::stderr_columns());
                        let mut err = std::io::stderr().lock();
                        let _ = write!(err, "\r\x1b[2K{line}");
                        let _ = err.flush();
                        frame += 1;
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
            })
        });
        Spinner { shared, thread }
    }

    /// Whether this spinner draws anything.
    pub fn is_drawing(&self) -> bool {
        self.thread.is_some()
    }

    /// Changes the text shown next to the spinner (the current stage); a new text starts its
    /// own elapsed time.
    pub fn set_message(&self, message: impl Into<String>) {
        let message = message.into();
        if let Ok(mut m) = self.shared.message.lock() {
            if m.0 != message {
                *m = (message, Instant::now());
            }
        }
    }

    /// Runs `f` with the spinner hidden (for prompts and printed lines).
    pub fn suspend<T>(&self, f: impl FnOnce() -> T) -> T {
        if self.thread.is_none() {
            return f();
        }
        self.shared.paused.store(true, Ordering::Relaxed);
        // Let a frame being drawn finish before clearing.
        std::thread::sleep(Duration::from_millis(120));
        clear_line();
        let out = f();
        self.shared.paused.store(false, Ordering::Relaxed);
        out
    }

    /// Stops the spinner and clears its line.
    pub fn finish(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
            clear_line();
        }
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        self.stop();
    }
}

/// One frame: the spinner, the step, and the time the step has been running (`m:ss`, or
/// `h:mm:ss` from an hour on).
fn line(frame: usize, text: &str, elapsed: Duration) -> String {
    let secs = elapsed.as_secs();
    let time = if secs >= 3600 {
        format!("{}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
    } else {
        format!("{}:{:02}", secs / 60, secs % 60)
    };
    format!("{} {text} {time}", FRAMES[frame % FRAMES.len()])
}

/// `line` cut to fit one row of a terminal `columns` wide (one column to spare: a line that
/// fills the row wraps on some terminals, and clearing the row would then leave the rest).
fn fit(line: &str, columns: Option<usize>) -> String {
    match columns {
        Some(c) if c > 1 && line.chars().count() >= c => line.chars().take(c - 1).collect(),
        _ => line.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_terminal_nothing_is_drawn() {
        let s = Spinner::start_if(false, "Creating VM");
        assert!(!s.is_drawing());
        s.set_message("Installing agents");
        assert_eq!(s.suspend(|| 7), 7);
        s.finish();
    }

    #[test]
    fn a_frame_shows_the_step_and_its_elapsed_time() {
        assert_eq!(
            line(0, "Installing codex in VM dev", Duration::from_secs(65)),
            "⠋ Installing codex in VM dev 1:05"
        );
        assert_eq!(line(11, "x", Duration::from_millis(900)), "⠙ x 0:00");
        assert_eq!(line(2, "x", Duration::from_secs(3725)), "⠹ x 1:02:05");
    }

    #[test]
    fn a_frame_never_fills_the_row() {
        assert_eq!(fit("⠋ установка codex 0:05", Some(10)), "⠋ установ");
        assert_eq!(fit("⠋ ok 0:05", Some(10)), "⠋ ok 0:05");
        assert_eq!(fit("⠋ ok 0:05!", Some(10)), "⠋ ok 0:05");
        assert_eq!(fit("⠋ ok", None), "⠋ ok");
    }
}
