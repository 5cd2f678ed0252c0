//! A one-line spinner on stderr for long operations (creating a VM, installing agents).
//! It draws only when stderr is a terminal and `--debug` is off (debug output would be
//! garbled by it); otherwise it prints nothing at all, and the operation's own messages are
//! the only output. Call [`Spinner::suspend`] around prompts or other output.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

const FRAMES: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

struct Shared {
    message: Mutex<String>,
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
            message: Mutex::new(message.into()),
            stop: AtomicBool::new(false),
            paused: AtomicBool::new(false),
        });
        let thread = draw.then(|| {
            let shared = Arc::clone(&shared);
            std::thread::spawn(move || {
                let mut frame = 0usize;
                while !shared.stop.load(Ordering::Relaxed) {
                    if !shared.paused.load(Ordering::Relaxed) {
                        let text = shared.message.lock().map(|m| m.clone()).unwrap_or_default();
                        let mut err = std::io::stderr().lock();
                        let _ = write!(err, "\r\x1b[2K{} {text}", FRAMES[frame % FRAMES.len()]);
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

    /// Changes the text shown next to the spinner (the current stage).
    pub fn set_message(&self, message: impl Into<String>) {
        if let Ok(mut m) = self.shared.message.lock() {
            *m = message.into();
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
}
