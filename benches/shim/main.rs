//! Shim overhead benchmark: how long a shim (`codex` in a mounted folder) takes from its start
//! to the moment it starts `multipass`, compared with starting that `multipass` directly, how
//! long it takes from `multipass` ending to the shim ending (stopping the session's snapshot
//! loop, the review), and how many `multipass` calls a ready session makes. `multipass` here is the FAKE multipass
//! (tests/fake-multipass) behind a one-line bash wrapper that records when it starts; no VM is
//! involved. Prints medians and PASS/FAIL against DESIGN.md section 6 (overhead under 5 ms,
//! exactly one call). Timing lives here, never in tests.
//!
//! `cargo bench --bench shim [-- --runs N]`; `AGSEKIT_BENCH_BIN=PATH` measures another build of
//! agsekit (an older commit's) with the same harness.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn now_us() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs_f64()
        * 1e6
}

fn write_exec(path: &Path, body: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, body).expect("write");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    if v.is_empty() {
        return f64::NAN;
    }
    v[v.len() / 2]
}

struct Bench {
    home: PathBuf,
    project: PathBuf,
    shims: PathBuf,
    fake: PathBuf,
    state: PathBuf,
    wrapper: PathBuf,
    stamps: PathBuf,
    agsekit: PathBuf,
    config: PathBuf,
}

impl Bench {
    fn env(&self, cmd: &mut Command) {
        cmd.env("HOME", &self.home)
            .env("AGSEKIT_MULTIPASS", &self.wrapper)
            .env("FAKE_MULTIPASS_STATE", &self.state)
            .env("AGSEKIT_SHIMS_DIR", &self.shims)
            .env("STAMPS", &self.stamps)
            .env_remove("CONFIG_PATH")
            .env_remove("AGSEKIT_DEBUG")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
    }

    fn fake(&self, args: &[&str]) {
        let st = Command::new(&self.fake)
            .args(args)
            .env("FAKE_MULTIPASS_STATE", &self.state)
            .stdout(Stdio::null())
            .status()
            .expect("fake-multipass");
        assert!(st.success(), "fake-multipass {args:?} failed");
    }

    fn calls(&self) -> usize {
        std::fs::read_to_string(self.state.join("calls.log"))
            .map(|t| t.lines().count())
            .unwrap_or(0)
    }

    /// Microseconds from spawning `cmd` to the first `multipass` start it causes, and from
    /// the last `multipass` end to `cmd`'s own end.
    fn time_around_multipass(&self, mut cmd: Command) -> (f64, f64) {
        let _ = std::fs::remove_file(&self.stamps);
        self.env(&mut cmd);
        let t0 = now_us();
        let status = cmd.status().expect("spawn");
        let t1 = now_us();
        assert!(status.success(), "command failed: {status}");
        let text = std::fs::read_to_string(&self.stamps).expect("the wrapper recorded no start");
        let stamps: Vec<(f64, f64)> = text
            .lines()
            .filter_map(|l| {
                let mut words = l.split_whitespace().map(|w| w.parse::<f64>().ok());
                Some((words.next()??, words.next()??))
            })
            .collect();
        let first_start = stamps.first().expect("a timestamp").0;
        let last_end = stamps.iter().map(|s| s.1).fold(f64::MIN, f64::max);
        (first_start * 1e6 - t0, t1 - last_end * 1e6)
    }

    fn shim(&self) -> Command {
        let mut cmd = Command::new(self.shims.join("codex"));
        cmd.current_dir(&self.project).env("PWD", &self.project);
        cmd
    }

    fn direct(&self) -> Command {
        let mut cmd = Command::new(&self.wrapper);
        cmd.args([
            "exec",
            "dev",
            "--working-directory",
            "/home/ubuntu",
            "--",
            "true",
        ]);
        cmd
    }

    fn set_first_backup(&self, on: bool) {
        std::fs::write(
            &self.config,
            format!(
                "global:\n  review:\n    enabled: false\nvms:\n  dev: {{cpu: 2, ram: 4G, disk: 20G}}\nmounts:\n  - source: {}\n    first_backup: {on}\nagents:\n  codex:\n    type: codex\n",
                self.project.display()
            ),
        )
        .expect("config");
    }
}

fn main() {
    let mut runs = 40usize;
    let args: Vec<String> = std::env::args().collect();
    let mut i = 1;
    while i < args.len() {
        match args[i].as_str() {
            "--runs" => {
                runs = args.get(i + 1).and_then(|v| v.parse().ok()).unwrap_or(runs);
                i += 1;
            }
            "--bench" => {}
            "--help" | "-h" => {
                println!("cargo bench --bench shim [-- --runs N]");
                return;
            }
            _ => {}
        }
        i += 1;
    }

    // AGSEKIT_BENCH_BIN measures another build (an older commit's, for a before/after).
    let agsekit = std::env::var_os("AGSEKIT_BENCH_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_agsekit")));
    let target = PathBuf::from(env!("CARGO_BIN_EXE_agsekit"))
        .parent()
        .expect("target dir")
        .to_path_buf();
    let fake = target.join("fake-multipass");
    if !fake.exists() {
        println!("building fake-multipass ...");
        let st = Command::new(env!("CARGO"))
            .args(["build", "--release", "-p", "fake-multipass"])
            .status()
            .expect("cargo");
        assert!(st.success(), "cannot build fake-multipass");
    }
    let work = tempfile::tempdir().expect("temp dir");
    let home = work.path().join("home");
    let project = home.join("proj");
    for i in 0..100 {
        let dir = project.join(format!("src/m{}", i % 10));
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(dir.join(format!("f{i}.rs")), format!("// file {i}\n")).expect("write");
    }
    let config = home.join(".config/agsekit/config.yaml");
    std::fs::create_dir_all(config.parent().expect("parent")).expect("mkdir");
    let b = Bench {
        shims: home.join("shims"),
        state: work.path().join("fake-state"),
        wrapper: work.path().join("multipass"),
        stamps: work.path().join("stamps"),
        fake: fake.clone(),
        agsekit: agsekit.clone(),
        config,
        home,
        project,
    };
    std::fs::create_dir_all(&b.state).expect("state");
    write_exec(
        &b.wrapper,
        &format!(
            "#!/bin/bash\nstart=$EPOCHREALTIME\n{} \"$@\"\ncode=$?\necho \"$start $EPOCHREALTIME\" >> \"$STAMPS\"\nexit $code\n",
            shell_words::quote(&fake.to_string_lossy())
        ),
    );
    b.set_first_backup(false);
    b.fake(&[
        "launch", "--name", "dev", "--cpus", "2", "--memory", "4G", "--disk", "20G",
    ]);
    let vm_bin = b.state.join("instances/dev/bin");
    write_exec(&vm_bin.join("codex"), "#!/bin/sh\nexit 0\n");
    write_exec(
        &vm_bin.join("sudo"),
        "#!/bin/sh\n[ \"$1\" = -n ] && shift\nexec \"$@\"\n",
    );
    let mut install = Command::new(&b.agsekit);
    install.args(["shims", "install"]);
    b.env(&mut install);
    assert!(install.status().expect("shims install").success());

    // Warm-up: mounts the folder, installs the launcher, takes the first snapshot.
    let mut warm = Command::new(&b.agsekit);
    warm.args(["run", "--auto-mount", "codex"])
        .current_dir(&b.project);
    b.env(&mut warm);
    let warmed = warm.stderr(Stdio::piped()).output().expect("warm-up");
    assert!(
        warmed.status.success(),
        "warm-up run failed: {}",
        String::from_utf8_lossy(&warmed.stderr)
    );

    println!(
        "shim overhead: {runs} runs each, 100-file project, fake multipass behind a bash wrapper\n"
    );
    let mut direct = Vec::new();
    let mut direct_end = Vec::new();
    let mut shim = Vec::new();
    let mut shim_end = Vec::new();
    let mut shim_snap = Vec::new();
    let mut calls_per_run = Vec::new();
    for _ in 0..runs {
        let (start, end) = b.time_around_multipass(b.direct());
        direct.push(start);
        direct_end.push(end);
        b.set_first_backup(false);
        let before = b.calls();
        let (start, end) = b.time_around_multipass(b.shim());
        shim.push(start);
        shim_end.push(end);
        calls_per_run.push(b.calls() - before);
        b.set_first_backup(true);
        shim_snap.push(b.time_around_multipass(b.shim()).0);
    }
    let (md, ms, mss) = (median(direct), median(shim), median(shim_snap));
    let (mde, mse) = (median(direct_end), median(shim_end));
    let overhead = ms - md;
    let end_overhead = mse - mde;
    let max_calls = calls_per_run.iter().copied().max().unwrap_or(0);
    let min_calls = calls_per_run.iter().copied().min().unwrap_or(0);
    println!(
        "{:<58} {:>10}",
        "time to the multipass start (median)", "ms"
    );
    println!(
        "{:<58} {:>10.2}",
        "multipass wrapper started directly",
        md / 1000.0
    );
    println!(
        "{:<58} {:>10.2}",
        "codex shim, first_backup: false",
        ms / 1000.0
    );
    println!(
        "{:<58} {:>10.2}",
        "codex shim, first_backup: true (pre-run no-change check)",
        mss / 1000.0
    );
    println!();
    println!(
        "shim overhead before multipass: {:.2} ms  [{}] (target < 5 ms)",
        overhead / 1000.0,
        if overhead < 5000.0 { "PASS" } else { "FAIL" }
    );
    println!(
        "  with the pre-run snapshot check: {:.2} ms (first_backup: true, 100 files)",
        (mss - md) / 1000.0
    );
    println!(
        "shim overhead after multipass (snapshot loop stopped, session ended): {:.2} ms",
        end_overhead / 1000.0
    );
    println!(
        "shim overhead in all: {:.2} ms  [{}] (target < 5 ms)",
        (overhead + end_overhead) / 1000.0,
        if overhead + end_overhead < 5000.0 {
            "PASS"
        } else {
            "FAIL"
        }
    );
    println!(
        "multipass calls per ready shim run: {min_calls}..{max_calls}  [{}] (target exactly 1)",
        if max_calls == 1 && min_calls == 1 {
            "PASS"
        } else {
            "FAIL"
        }
    );

    // The Python original's start-up, when the backup benchmark has installed it.
    let original = target
        .parent()
        .map(|t| t.join("bench-backup/py-venv/bin/agsekit"))
        .filter(|p| p.exists());
    match original {
        Some(orig) => {
            let mut times = Vec::new();
            for _ in 0..5.min(runs) {
                let t0 = now_us();
                let _ = Command::new(&orig)
                    .arg("version")
                    .env("HOME", &b.home)
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status();
                times.push(now_us() - t0);
            }
            println!(
                "\nfor comparison, agsekit 1.7.4 (Python) `agsekit version`: {:.1} ms median",
                median(times) / 1000.0
            );
        }
        None => println!(
            "\n(the Python original is not installed; `cargo bench --bench backup` installs it into target/bench-backup/py-venv)"
        ),
    }
}
