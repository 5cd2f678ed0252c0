//! The `--progress` bar of `backup-once` and of `run`'s first snapshot, on stderr: a bar,
//! the percentage, files and bytes done of the total, and the time left
//! (`Progress: [######------] 50%  1/2 files  1.0 KiB/2.0 KiB  ETA 0:03`).
//!
//! On a terminal `indicatif` draws it (at most ten frames a second, cut to the terminal's
//! width, cleared and redrawn in place): its bar and percentage, with the files, sizes and
//! time left as keys of its template that read the counts kept here. Written to a log file
//! or a pipe, where `indicatif` draws nothing, the same line is written as frames: each
//! starts with a carriage return and pads over the previous one, at most ten a second, so
//! the log keeps the progress and the last frame.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

use super::human_bytes;
use crate::t;

/// Width of the bar itself, in characters.
const BAR_WIDTH: usize = 30;

/// The bar; callers tell it the plan, the progress and when other lines come.
pub struct Bar {
    counts: Arc<Counts>,
    out: Output,
}

/// What the line shows beside the bar, shared with `indicatif`'s template keys.
#[derive(Default)]
struct Counts {
    files: AtomicU64,
    total_files: AtomicU64,
    bytes: AtomicU64,
    total_bytes: AtomicU64,
}

enum Output {
    /// A terminal: `indicatif` draws.
    Terminal(ProgressBar),
    /// A log file or pipe: frames written here.
    Lines(Mutex<Frames>),
}

struct Frames {
    to: Box<dyn Write + Send>,
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
    /// A bar on stderr: drawn by `indicatif` on a terminal, written as frames otherwise.
    pub fn new() -> Bar {
        if std::io::stderr().is_terminal() {
            Bar::drawn_to(ProgressDrawTarget::stderr_with_hz(10))
        } else {
            Bar::written_to(Box::new(std::io::stderr()))
        }
    }

    /// A bar `indicatif` draws to `target`.
    pub fn drawn_to(target: ProgressDrawTarget) -> Bar {
        let counts = Arc::new(Counts::default());
        let bar = ProgressBar::with_draw_target(Some(0), target).with_style(style(&counts));
        Bar {
            counts,
            out: Output::Terminal(bar),
        }
    }

    /// A bar written as frames to `to` (a log file or a pipe).
    pub fn written_to(to: Box<dyn Write + Send>) -> Bar {
        Bar {
            counts: Arc::new(Counts::default()),
            out: Output::Lines(Mutex::new(Frames {
                to,
                started: None,
                last_draw: None,
                drawn: false,
                last_width: 0,
            })),
        }
    }

    /// The totals the bar counts toward; the clock of the ETA starts now.
    pub fn planned(&self, total_files: u64, total_bytes: u64) {
        self.counts
            .total_files
            .store(total_files, Ordering::Relaxed);
        self.counts
            .total_bytes
            .store(total_bytes, Ordering::Relaxed);
        match &self.out {
            Output::Terminal(bar) => {
                bar.set_length(if total_bytes > 0 {
                    total_bytes
                } else {
                    total_files
                });
                bar.reset_elapsed();
            }
            Output::Lines(frames) => {
                if let Ok(mut f) = frames.lock() {
                    f.started = Some(Instant::now());
                }
            }
        }
    }

    /// Files and bytes done so far. Frames are written when a tenth of a second has passed
    /// since the last one, or when the last file is done.
    pub fn progress(&self, files: u64, bytes: u64) {
        let c = &self.counts;
        c.files.store(files, Ordering::Relaxed);
        c.bytes.store(bytes, Ordering::Relaxed);
        let total_files = c.total_files.load(Ordering::Relaxed);
        let total_bytes = c.total_bytes.load(Ordering::Relaxed);
        match &self.out {
            Output::Terminal(bar) => {
                let pos = if total_bytes > 0 { bytes } else { files };
                if files >= total_files {
                    // The last frame is drawn whatever the rate limit says.
                    bar.set_position(pos);
                    bar.tick();
                } else {
                    bar.set_position(pos);
                }
            }
            Output::Lines(frames) => {
                let Ok(mut f) = frames.lock() else { return };
                let now = Instant::now();
                let due = f
                    .last_draw
                    .is_none_or(|t| now.duration_since(t) >= Duration::from_millis(100));
                if due || files >= total_files {
                    f.last_draw = Some(now);
                    f.drawn = true;
                    let elapsed = f.started.map(|t| now.duration_since(t)).unwrap_or_default();
                    let line = render_line(c, elapsed);
                    let frame = redraw(&mut f.last_width, &line);
                    let _ = write!(f.to, "{frame}");
                    let _ = f.to.flush();
                }
            }
        }
    }

    /// Another line is about to be written to a log or pipe: it gets its own line, not the
    /// bar's (a line printed to the terminal goes through [`Bar::line`]).
    pub fn before_a_line(&self) {
        match &self.out {
            // `indicatif` keeps its line; lines it should print go through [`Bar::line`].
            Output::Terminal(_) => {}
            Output::Lines(frames) => {
                if let Ok(mut f) = frames.lock() {
                    if f.drawn {
                        let _ = writeln!(f.to);
                    }
                }
            }
        }
    }

    /// Prints `line` on a line of its own, above the bar.
    pub fn line(&self, line: &str) {
        match &self.out {
            Output::Terminal(bar) => bar.println(line),
            Output::Lines(frames) => {
                if let Ok(mut f) = frames.lock() {
                    if f.drawn {
                        let _ = writeln!(f.to);
                    }
                    let _ = writeln!(f.to, "{line}");
                    let _ = f.to.flush();
                    // The next frame starts a new line: nothing to pad over.
                    f.last_width = 0;
                }
            }
        }
    }

    /// Ends the bar's line (the last frame stays).
    pub fn finish(&self) {
        match &self.out {
            Output::Terminal(bar) => bar.abandon(),
            Output::Lines(frames) => {
                if let Ok(mut f) = frames.lock() {
                    if f.drawn {
                        let _ = writeln!(f.to);
                    }
                }
            }
        }
    }
}

/// `indicatif`'s template for the catalogue's line: its own bar and percentage, and keys that
/// read `counts` for the rest.
fn style(counts: &Arc<Counts>) -> ProgressStyle {
    let template = t!(
        "backup.progress.line",
        bar = format!("{{bar:{BAR_WIDTH}}}"),
        percent = "{percent:>3}",
        files = "{agsekit_files}",
        total_files = "{agsekit_total_files}",
        bytes = "{agsekit_bytes}",
        total_bytes = "{agsekit_total_bytes}",
        eta = "{agsekit_eta}",
    );
    let key = |read: fn(&Counts) -> String| {
        let counts = Arc::clone(counts);
        move |_: &ProgressState, out: &mut dyn std::fmt::Write| {
            let _ = out.write_str(&read(&counts));
        }
    };
    ProgressStyle::with_template(&template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("#-")
        .with_key(
            "agsekit_files",
            key(|c| c.files.load(Ordering::Relaxed).to_string()),
        )
        .with_key(
            "agsekit_total_files",
            key(|c| c.total_files.load(Ordering::Relaxed).to_string()),
        )
        .with_key(
            "agsekit_bytes",
            key(|c| human_bytes(c.bytes.load(Ordering::Relaxed))),
        )
        .with_key(
            "agsekit_total_bytes",
            key(|c| human_bytes(c.total_bytes.load(Ordering::Relaxed))),
        )
        .with_key(
            "agsekit_eta",
            |state: &ProgressState, out: &mut dyn std::fmt::Write| {
                let _ = out.write_str(&eta_text(f64::from(state.fraction()), state.elapsed()));
            },
        )
}

/// How far the copy is, 0 to 1: by bytes, by files when there are no bytes to copy.
fn fraction(c: &Counts) -> f64 {
    let (files, total_files) = (
        c.files.load(Ordering::Relaxed),
        c.total_files.load(Ordering::Relaxed),
    );
    let (bytes, total_bytes) = (
        c.bytes.load(Ordering::Relaxed),
        c.total_bytes.load(Ordering::Relaxed),
    );
    if total_bytes > 0 {
        bytes as f64 / total_bytes as f64
    } else if total_files > 0 {
        files as f64 / total_files as f64
    } else {
        1.0
    }
    .clamp(0.0, 1.0)
}

/// `ETA 0:03`, `done`, or `ETA --:--` before half a second has passed.
fn eta_text(fraction: f64, elapsed: Duration) -> String {
    let elapsed = elapsed.as_secs_f64();
    if fraction > 0.0 && fraction < 1.0 && elapsed > 0.5 {
        let left = elapsed * (1.0 - fraction) / fraction;
        let time = format!("{}:{:02}", (left as u64) / 60, (left as u64) % 60);
        t!("backup.progress.eta", time = time)
    } else if fraction >= 1.0 {
        t!("backup.progress.done")
    } else {
        t!("backup.progress.eta", time = "--:--")
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

/// The line of a frame written to a log or pipe.
fn render_line(c: &Counts, elapsed: Duration) -> String {
    let fraction = fraction(c);
    let filled = (fraction * BAR_WIDTH as f64).round() as usize;
    t!(
        "backup.progress.line",
        bar = format!("{}{}", "#".repeat(filled), "-".repeat(BAR_WIDTH - filled)),
        percent = format!("{:3}", (fraction * 100.0) as u32),
        files = c.files.load(Ordering::Relaxed),
        total_files = c.total_files.load(Ordering::Relaxed),
        bytes = human_bytes(c.bytes.load(Ordering::Relaxed)),
        total_bytes = human_bytes(c.total_bytes.load(Ordering::Relaxed)),
        eta = eta_text(fraction, elapsed),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex as StdMutex;

    /// A log file or pipe the bar writes to, read back by the test.
    #[derive(Clone, Default)]
    struct Log(Arc<StdMutex<Vec<u8>>>);

    impl Write for Log {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("log").extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Log {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().expect("log").clone()).expect("utf-8")
        }
    }

    /// A terminal of 100 columns kept in memory: the rows `indicatif` leaves on it (the
    /// cursor's row; writing goes on at the end of the row).
    #[derive(Debug, Default)]
    struct Screen {
        rows: StdMutex<(Vec<String>, usize)>,
    }

    impl Screen {
        fn shown(&self) -> Vec<String> {
            let rows = self.rows.lock().expect("screen");
            rows.0.iter().map(|r| r.trim_end().to_string()).collect()
        }
        fn with<T>(&self, f: impl FnOnce(&mut Vec<String>, &mut usize) -> T) -> T {
            let mut guard = self.rows.lock().expect("screen");
            let (rows, at) = &mut *guard;
            if rows.is_empty() {
                rows.push(String::new());
            }
            f(rows, at)
        }
    }

    impl indicatif::TermLike for Screen {
        fn width(&self) -> u16 {
            100
        }
        fn move_cursor_up(&self, n: usize) -> std::io::Result<()> {
            self.with(|_, at| *at = at.saturating_sub(n));
            Ok(())
        }
        fn move_cursor_down(&self, n: usize) -> std::io::Result<()> {
            self.with(|rows, at| {
                *at += n;
                while rows.len() <= *at {
                    rows.push(String::new());
                }
            });
            Ok(())
        }
        fn move_cursor_right(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_left(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn write_line(&self, s: &str) -> std::io::Result<()> {
            self.write_str(s)?;
            self.move_cursor_down(1)
        }
        /// Text past the last column goes on to the next row, as on a terminal.
        fn write_str(&self, s: &str) -> std::io::Result<()> {
            self.with(|rows, at| {
                for c in s.chars() {
                    if rows[*at].chars().count() == 100 {
                        *at += 1;
                        if rows.len() <= *at {
                            rows.push(String::new());
                        }
                    }
                    rows[*at].push(c);
                }
            });
            Ok(())
        }
        fn clear_line(&self) -> std::io::Result<()> {
            self.with(|rows, at| rows[*at].clear());
            Ok(())
        }
        fn flush(&self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// Written to a log or pipe: frames after carriage returns, a warning on a line of its
    /// own, and the last frame kept with a line break after it.
    #[test]
    fn a_log_gets_frames_a_warning_line_and_the_last_frame() {
        let log = Log::default();
        let bar = Bar::written_to(Box::new(log.clone()));
        bar.planned(2, 2048);
        bar.progress(1, 1024);
        bar.line("warning: a file changed while it was copied");
        bar.progress(2, 2048);
        bar.finish();
        let text = log.text();
        let lines: Vec<&str> = text.split('\n').collect();
        assert_eq!(lines.len(), 4, "{text:?}");
        assert!(
            lines[0].starts_with("\rProgress: [###############---------------]  50%  1/2 files  1.0 KiB/2.0 KiB  ETA "),
            "{text:?}"
        );
        assert_eq!(lines[1], "warning: a file changed while it was copied");
        assert_eq!(
            lines[2],
            "\rProgress: [##############################] 100%  2/2 files  2.0 KiB/2.0 KiB  done"
        );
        assert_eq!(lines[3], "");
    }

    /// Nothing drawn, nothing written: a bar that never got progress leaves the log empty.
    #[test]
    fn a_bar_without_progress_writes_nothing() {
        let log = Log::default();
        let bar = Bar::written_to(Box::new(log.clone()));
        bar.planned(3, 0);
        bar.before_a_line();
        bar.finish();
        assert_eq!(log.text(), "");
    }

    /// On a terminal `indicatif` draws the same line (its bar, percentage and our keys), keeps
    /// a printed line above the bar, and leaves the last frame when finished.
    #[test]
    fn a_terminal_gets_the_line_drawn_by_indicatif() {
        let screen = Arc::new(Screen::default());
        let target = ProgressDrawTarget::term_like(Box::new(ScreenRef(Arc::clone(&screen))));
        let bar = Bar::drawn_to(target);
        bar.planned(2, 2048);
        bar.progress(1, 1024);
        let half = screen.shown();
        assert!(
            half.iter().any(|r| r.starts_with(
                "Progress: [###############---------------]  50%  1/2 files  1.0 KiB/2.0 KiB  ETA "
            )),
            "{half:?}"
        );
        bar.line("warning: a file changed while it was copied");
        bar.progress(2, 2048);
        bar.finish();
        let shown: Vec<String> = screen
            .shown()
            .into_iter()
            .filter(|r| !r.is_empty())
            .collect();
        assert_eq!(
            shown,
            [
                "warning: a file changed while it was copied",
                "Progress: [##############################] 100%  2/2 files  2.0 KiB/2.0 KiB  done",
            ]
        );
    }

    /// [`Screen`] shared between the test and the draw target.
    #[derive(Debug)]
    struct ScreenRef(Arc<Screen>);

    impl indicatif::TermLike for ScreenRef {
        fn width(&self) -> u16 {
            self.0.width()
        }
        fn move_cursor_up(&self, n: usize) -> std::io::Result<()> {
            self.0.move_cursor_up(n)
        }
        fn move_cursor_down(&self, n: usize) -> std::io::Result<()> {
            self.0.move_cursor_down(n)
        }
        fn move_cursor_right(&self, n: usize) -> std::io::Result<()> {
            self.0.move_cursor_right(n)
        }
        fn move_cursor_left(&self, n: usize) -> std::io::Result<()> {
            self.0.move_cursor_left(n)
        }
        fn write_line(&self, s: &str) -> std::io::Result<()> {
            self.0.write_line(s)
        }
        fn write_str(&self, s: &str) -> std::io::Result<()> {
            self.0.write_str(s)
        }
        fn clear_line(&self) -> std::io::Result<()> {
            self.0.clear_line()
        }
        fn flush(&self) -> std::io::Result<()> {
            self.0.flush()
        }
    }

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
