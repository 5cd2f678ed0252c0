//! The `--progress` bar of `backup-once` and of `run`'s first snapshot, on stderr: a bar,
//! the percentage, files and bytes done of the total, and the time left
//! (`Progress: [######------] 50%  1/2 files  1.0 KiB/2.0 KiB  ETA 0:03`), redrawn at most
//! ten times a second. Each frame starts with a carriage return and pads over the previous
//! one, so it reads right on a terminal and in a log file alike (it is drawn to both: a
//! terminal-only bar would leave logs without it).

use std::io::Write;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::human_bytes;
use crate::t;

/// The bar; callers tell it the plan, the progress and when other lines come.
pub struct Bar {
    state: Mutex<BarState>,
}

struct BarState {
    total_files: u64,
    total_bytes: u64,
    started: Option<Instant>,
    last_draw: Option<Instant>,
    drawn: bool,
    /// Width (in characters) of the line drawn last: a shorter line is padded over it, so
    /// `done` never shows the tail of `ETA 0:00` (`done0:00`).
    last_width: usize,
}

impl Default for Bar {
    fn default() -> Self {
        Bar::new()
    }
}

impl Bar {
    pub fn new() -> Bar {
        Bar {
            state: Mutex::new(BarState {
                total_files: 0,
                total_bytes: 0,
                started: None,
                last_draw: None,
                drawn: false,
                last_width: 0,
            }),
        }
    }

    /// The totals the bar counts toward; the clock of the ETA starts now.
    pub fn planned(&self, total_files: u64, total_bytes: u64) {
        let Ok(mut s) = self.state.lock() else { return };
        s.total_files = total_files;
        s.total_bytes = total_bytes;
        s.started = Some(Instant::now());
    }

    /// Files and bytes done so far: redraws when a tenth of a second has passed since the
    /// last frame, or when the last file is done.
    pub fn progress(&self, files: u64, bytes: u64) {
        let Ok(mut s) = self.state.lock() else { return };
        let now = Instant::now();
        let due = s
            .last_draw
            .is_none_or(|t| now.duration_since(t) >= Duration::from_millis(100));
        let done = files >= s.total_files;
        if due || done {
            s.last_draw = Some(now);
            s.drawn = true;
            let line = render_bar(&s, files, bytes, now);
            let frame = redraw(&mut s.last_width, &line);
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "{frame}");
            let _ = err.flush();
        }
    }

    /// Another line (a warning) is about to be printed: it gets its own line, not the
    /// bar's.
    pub fn before_a_line(&self) {
        if let Ok(s) = self.state.lock() {
            if s.drawn {
                let _ = writeln!(std::io::stderr());
            }
        }
    }

    /// Ends the bar's line (the last frame stays).
    pub fn finish(&self) {
        if let Ok(s) = self.state.lock() {
            if s.drawn {
                let _ = writeln!(std::io::stderr());
            }
        }
    }
}

/// What redraws the bar's line as `line`: back to the start of the line, the text, and
/// spaces over whatever is left of a longer line drawn before (a carriage return alone does
/// not clear; spaces work on terminals and in log files alike).
fn redraw(last_width: &mut usize, line: &str) -> String {
    let width = line.chars().count();
    let pad = last_width.saturating_sub(width);
    *last_width = width;
    format!("\r{line}{}", " ".repeat(pad))
}

fn render_bar(s: &BarState, files: u64, bytes: u64, now: Instant) -> String {
    let fraction = if s.total_bytes > 0 {
        bytes as f64 / s.total_bytes as f64
    } else if s.total_files > 0 {
        files as f64 / s.total_files as f64
    } else {
        1.0
    }
    .clamp(0.0, 1.0);
    let width = 30;
    let filled = (fraction * width as f64).round() as usize;
    let elapsed = s
        .started
        .map(|t| now.duration_since(t).as_secs_f64())
        .unwrap_or(0.0);
    let eta = if fraction > 0.0 && fraction < 1.0 && elapsed > 0.5 {
        let left = elapsed * (1.0 - fraction) / fraction;
        let time = format!("{}:{:02}", (left as u64) / 60, (left as u64) % 60);
        t!("backup.progress.eta", time = time)
    } else if fraction >= 1.0 {
        t!("backup.progress.done")
    } else {
        t!("backup.progress.eta", time = "--:--")
    };
    t!(
        "backup.progress.line",
        bar = format!("{}{}", "#".repeat(filled), "-".repeat(width - filled)),
        percent = format!("{:3}", (fraction * 100.0) as u32),
        files = files,
        total_files = s.total_files,
        bytes = human_bytes(bytes),
        total_bytes = human_bytes(s.total_bytes),
        eta = eta,
    )
}

#[cfg(test)]
mod tests {
    use super::redraw;

    /// What a terminal shows after `written`: each `\r` returns to the start of the line and
    /// later characters overwrite earlier ones.
    fn shown(written: &str) -> String {
        let mut line: Vec<char> = Vec::new();
        let mut col = 0;
        for c in written.chars() {
            if c == '\r' {
                col = 0;
            } else {
                if col < line.len() {
                    line[col] = c;
                } else {
                    line.push(c);
                }
                col += 1;
            }
        }
        line.into_iter().collect::<String>().trim_end().to_string()
    }

    #[test]
    fn a_shorter_last_line_leaves_nothing_of_the_longer_one() {
        let mut width = 0;
        let mut out = redraw(&mut width, "Progress: [###---] 50%  1/2 files  ETA 0:00");
        out += &redraw(&mut width, "Progress: [######] 100%  2/2 files  done");
        assert_eq!(shown(&out), "Progress: [######] 100%  2/2 files  done");
        // The Russian words are longer than one byte per character: widths are characters.
        let mut width = 0;
        let mut out = redraw(&mut width, "Прогресс: 50%  осталось 0:00");
        out += &redraw(&mut width, "Прогресс: 100%  готово");
        assert_eq!(shown(&out), "Прогресс: 100%  готово");
        assert!(out.ends_with("готово      "), "{out:?}");
    }
}
