//! Running one timed command: wall time measured here, peak RSS from `/usr/bin/time -v`'s
//! sibling format `%M` (written to a side file so the command's own stderr stays clean).
//! Processes are started through the crate's one door, `agsekit::process`.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::time::Instant;

use agsekit::process::{Cmd, RealRunner, Runner};

/// One measured run.
#[derive(Debug, Clone)]
pub struct Sample {
    pub secs: f64,
    /// Peak resident set size of the command (KiB), when `/usr/bin/time` is there.
    pub rss_kb: Option<u64>,
}

/// Runs commands and measures them.
pub struct Meter {
    runner: RealRunner,
    time_bin: Option<PathBuf>,
    rss_file: PathBuf,
}

impl Meter {
    pub fn new(work: &Path) -> Self {
        let time_bin = Path::new("/usr/bin/time");
        Meter {
            runner: RealRunner,
            time_bin: time_bin.is_file().then(|| time_bin.to_path_buf()),
            rss_file: work.join("rss.txt"),
        }
    }

    pub fn has_rss(&self) -> bool {
        self.time_bin.is_some()
    }

    /// Runs `program args...` to the end and measures it. A non-zero exit is an error that
    /// carries the command line and its stderr.
    pub fn run(&self, program: &OsStr, args: &[&OsStr]) -> Result<Sample, String> {
        self.run_env(program, args, &[])
    }

    /// As `run`, with extra environment variables for the command.
    pub fn run_env(
        &self,
        program: &OsStr,
        args: &[&OsStr],
        env: &[(&str, &OsStr)],
    ) -> Result<Sample, String> {
        let mut cmd = match &self.time_bin {
            Some(time) => Cmd::new(time)
                .arg("-f")
                .arg("%M")
                .arg("-o")
                .arg(&self.rss_file)
                .arg(program)
                .args(args),
            None => Cmd::new(program).args(args),
        };
        for (key, value) in env {
            cmd = cmd.env(key, value);
        }
        // Flush what earlier steps left dirty, so one run does not pay for the writeback of
        // the one before it (untimed).
        nix::unistd::sync();
        let started = Instant::now();
        let out = self.runner.capture(&cmd).map_err(|e| e.to_string())?;
        let secs = started.elapsed().as_secs_f64();
        if out.code != 0 {
            return Err(format!(
                "`{cmd}` exited with {}: {}{}",
                out.code,
                tail(&out.stderr_text()),
                tail(&out.stdout_text())
            ));
        }
        let rss_kb = if self.time_bin.is_some() {
            std::fs::read_to_string(&self.rss_file)
                .ok()
                .and_then(|s| s.lines().last().and_then(|l| l.trim().parse().ok()))
        } else {
            None
        };
        Ok(Sample { secs, rss_kb })
    }

    /// Runs a command that is not measured (setup, cleanup); returns its stdout.
    pub fn plain(&self, cmd: &Cmd) -> Result<String, String> {
        let out = self.runner.capture(cmd).map_err(|e| e.to_string())?;
        if out.success() {
            Ok(out.stdout_text())
        } else {
            Err(format!(
                "`{cmd}` exited with {}: {}{}",
                out.code,
                tail(&out.stderr_text()),
                tail(&out.stdout_text())
            ))
        }
    }
}

fn tail(s: &str) -> String {
    let lines: Vec<&str> = s.lines().collect();
    let start = lines.len().saturating_sub(6);
    lines[start..].join("\n")
}

/// Median of a non-empty list (mean of the middle two for even lengths).
pub fn median(values: &[f64]) -> f64 {
    let mut v: Vec<f64> = values.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}
