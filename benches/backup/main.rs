//! Backup benchmark: agsekit's snapshot engine against `rsync --link-dest`, the Python
//! original (agsekit 1.7.4) and the lower bounds `find -printf` (a bare metadata walk),
//! `cp -a` and `cp -al`, on a generated node_modules-like tree. Prints medians, ratios, peak
//! RSS and the design's targets (DESIGN.md section 6) as PASS/FAIL. Nothing here asserts.
//!
//! Run: `cargo bench --bench backup` (100,000 files, about 1.2 GB) or
//! `cargo bench --bench backup -- --quick` (5,000 files). `--help` lists every option;
//! docs/performance.md explains the method and keeps the measured numbers.

mod measure;
mod tree;
mod walk;

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use agsekit::process::Cmd;
use measure::{median, Meter, Sample};
use tree::{Tree, TreeSpec};

const USAGE: &str = "\
usage: cargo bench --bench backup -- [OPTIONS]

  --quick              5,000 files (same as --files 5000)
  --scale S            5k, 100k or 1m files. 1m is opt-in (about 1 GB, 1 KB per file,
                       one round, agsekit and the floors only: no rsync, no original)
  --files N            files in the generated tree (default 100000; env AGSEKIT_BENCH_FILES)
  --size-mb M          total size of the tree in MB (default 12 KB per file, so 1200 MB at
                       100,000 files; env AGSEKIT_BENCH_SIZE_MB)
  --repeats R          runs per measurement (default 5, or 3 above 20,000 files;
                       env AGSEKIT_BENCH_REPEATS)
  --work DIR           scratch directory (default target/bench-backup; env AGSEKIT_BENCH_DIR)
  --original PATH      the Python original's `agsekit` executable (env AGSEKIT_BENCH_ORIGINAL;
                       default: a venv under the scratch directory, created with pip on demand)
  --no-original        skip the Python original column
  --no-rsync           skip the rsync columns
  --baseline PATH      also measure another agsekit build (e.g. main's), interleaved in the
                       same rounds, as the column \"agsekit baseline\" (env AGSEKIT_BENCH_BASELINE)
  --seed S             tree generator seed (default 1)
  --keep               keep the scratch tree afterwards
";

struct Options {
    files: usize,
    size_mb: u64,
    repeats: usize,
    work: PathBuf,
    original: Option<PathBuf>,
    no_original: bool,
    no_rsync: bool,
    baseline: Option<PathBuf>,
    seed: u64,
    keep: bool,
}

fn env_num<T: std::str::FromStr>(key: &str) -> Result<Option<T>, String> {
    match std::env::var(key) {
        Ok(v) => v
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| format!("{key}={v:?} is not a number")),
        Err(_) => Ok(None),
    }
}

fn parse_options() -> Result<Options, String> {
    let mut files: Option<usize> = env_num("AGSEKIT_BENCH_FILES")?;
    let mut size_mb: Option<u64> = env_num("AGSEKIT_BENCH_SIZE_MB")?;
    let mut repeats: Option<usize> = env_num("AGSEKIT_BENCH_REPEATS")?;
    let mut work = std::env::var_os("AGSEKIT_BENCH_DIR").map(PathBuf::from);
    let mut original = std::env::var_os("AGSEKIT_BENCH_ORIGINAL").map(PathBuf::from);
    let mut no_original = false;
    let mut no_rsync = false;
    let mut baseline = std::env::var_os("AGSEKIT_BENCH_BASELINE").map(PathBuf::from);
    let mut million = false;
    let mut seed = 1u64;
    let mut keep = false;

    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .ok_or_else(|| format!("{name} needs a value\n\n{USAGE}"))
        };
        let num = |name: &str, v: String| -> Result<u64, String> {
            v.parse()
                .map_err(|_| format!("{name} {v:?}: not a number\n\n{USAGE}"))
        };
        match arg.as_str() {
            // cargo bench passes --bench to every harness = false target.
            "--bench" => {}
            "--quick" => files = Some(5000),
            "--files" => files = Some(num("--files", value("--files")?)? as usize),
            "--size-mb" => size_mb = Some(num("--size-mb", value("--size-mb")?)?),
            "--repeats" => repeats = Some(num("--repeats", value("--repeats")?)? as usize),
            "--work" => work = Some(PathBuf::from(value("--work")?)),
            "--original" => original = Some(PathBuf::from(value("--original")?)),
            "--no-original" => no_original = true,
            "--no-rsync" => no_rsync = true,
            "--baseline" => baseline = Some(PathBuf::from(value("--baseline")?)),
            "--scale" => match value("--scale")?.to_ascii_lowercase().as_str() {
                "5k" => files = Some(5_000),
                "100k" => files = Some(100_000),
                "1m" => {
                    files = Some(1_000_000);
                    million = true;
                }
                other => return Err(format!("--scale {other:?}: 5k, 100k or 1m\n\n{USAGE}")),
            },
            "--seed" => seed = num("--seed", value("--seed")?)?,
            "--keep" => keep = true,
            "-h" | "--help" => {
                print!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown option {other:?}\n\n{USAGE}")),
        }
    }
    let files = files.unwrap_or(100_000).max(10);
    let per_file_kb = if million { 1 } else { 12 };
    let default_repeats = if million {
        1
    } else if files > 20_000 {
        3
    } else {
        5
    };
    Ok(Options {
        files,
        size_mb: size_mb.unwrap_or((files as u64 * per_file_kb) / 1000),
        repeats: repeats.unwrap_or(default_repeats).max(1),
        work: work
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-backup")),
        original,
        no_original: no_original || million,
        no_rsync: no_rsync || million,
        baseline,
        seed,
        keep,
    })
}

/// One row of a result table: a tool doing one scenario.
#[derive(Default)]
struct Row {
    samples: Vec<Sample>,
}

impl Row {
    fn median(&self) -> f64 {
        median(&self.samples.iter().map(|s| s.secs).collect::<Vec<_>>())
    }
    fn min(&self) -> f64 {
        self.samples
            .iter()
            .map(|s| s.secs)
            .fold(f64::INFINITY, f64::min)
    }
    fn max(&self) -> f64 {
        self.samples.iter().map(|s| s.secs).fold(0.0, f64::max)
    }
    fn peak_rss_mb(&self) -> Option<f64> {
        self.samples
            .iter()
            .filter_map(|s| s.rss_kb)
            .max()
            .map(|kb| kb as f64 / 1024.0)
    }
}

/// Scenario -> tool -> samples, in insertion order of first appearance.
#[derive(Default)]
struct Results {
    rows: BTreeMap<(usize, usize), (String, String, Row)>,
    scenarios: Vec<String>,
    tools: Vec<String>,
}

impl Results {
    fn add(&mut self, scenario: &str, tool: &str, sample: Sample) {
        let s = match self.scenarios.iter().position(|x| x == scenario) {
            Some(i) => i,
            None => {
                self.scenarios.push(scenario.to_owned());
                self.scenarios.len() - 1
            }
        };
        let t = match self.tools.iter().position(|x| x == tool) {
            Some(i) => i,
            None => {
                self.tools.push(tool.to_owned());
                self.tools.len() - 1
            }
        };
        self.rows
            .entry((s, t))
            .or_insert_with(|| (scenario.to_owned(), tool.to_owned(), Row::default()))
            .2
            .samples
            .push(sample);
    }

    fn get(&self, scenario: &str, tool: &str) -> Option<&Row> {
        self.rows
            .values()
            .find(|(s, t, _)| s == scenario && t == tool)
            .map(|(_, _, r)| r)
    }
}

const FIRST: &str = "first snapshot";
const NOCHANGE: &str = "no-change check";
/// The first check after a snapshot: agsekit writes the manifest's side file then (each later
/// check reads it), so it is timed on its own; "no-change check" is the check the snapshot
/// loop repeats between changes.
const NOCHANGE_FIRST: &str = "no-change check, the first after a snapshot";
const SMALL: &str = "small change (10 modified, 5 added, 3 deleted)";
const BIG: &str = "big change (10% of files modified)";
const LISTING: &str = "`snapshots` listing (3 snapshots)";

const T_AGSEKIT: &str = "agsekit backup-once";
const T_RSYNC_SNAP: &str = "rsync -a --link-dest";
const T_RSYNC_CHECK: &str = "rsync --dry-run --itemize-changes";
const T_ORIGINAL: &str = "agsekit 1.7.4 (Python) backup-once";
const T_FIND: &str = "find -printf (bare walk)";
const T_WALK: &str = "stat walk (all cores)";
const T_LIST: &str = "agsekit snapshots";
const T_BASE: &str = "agsekit baseline";
const T_BASE_LIST: &str = "agsekit baseline snapshots";
const T_CP: &str = "cp -a";
const T_CPAL: &str = "cp -al";

fn os(s: &str) -> &OsStr {
    OsStr::new(s)
}

/// Snapshot directories (completed ones) in a destination, sorted by name.
fn snapshots(dest: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dest)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter(|e| e.file_type().map(|t| t.is_dir()).unwrap_or(false))
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|n| !n.ends_with("-partial") && !n.ends_with("-inprogress"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn remove_dir(path: &Path) {
    if path.exists() {
        if let Err(e) = fs::remove_dir_all(path) {
            eprintln!("warning: could not remove {}: {e}", path.display());
        }
    }
}

/// Snapshot names have one-second resolution: wait until a new second has begun since
/// `since`, so two snapshot runs never collide on a name. Not part of any timing.
fn next_second(since: Instant) {
    let elapsed = since.elapsed();
    let need = Duration::from_millis(1100);
    if elapsed < need {
        std::thread::sleep(need - elapsed);
    }
}

/// Whether the agsekit binary has the backup engine (`backup-once`).
fn agsekit_has_backup(meter: &Meter, bin: &Path) -> Result<(), String> {
    meter
        .plain(&Cmd::new(bin).args(["backup-once", "--help"]))
        .map(|_| ())
}

/// Finds or installs the Python original. Returns its `agsekit` path or why it is missing.
fn find_original(meter: &Meter, opts: &Options) -> Result<PathBuf, String> {
    if let Some(path) = &opts.original {
        return if path.is_file() {
            Ok(path.clone())
        } else {
            Err(format!("{} does not exist", path.display()))
        };
    }
    let venv = opts.work.join("py-venv");
    let bin = venv.join("bin/agsekit");
    if !bin.is_file() {
        println!("installing agsekit==1.7.4 into {} ...", venv.display());
        meter.plain(&Cmd::new("python3").arg("-m").arg("venv").arg(&venv))?;
        meter.plain(&Cmd::new(venv.join("bin/pip")).args([
            "install",
            "--quiet",
            "agsekit==1.7.4",
        ]))?;
    }
    let version = meter.plain(&Cmd::new(&bin).arg("version"))?;
    if !version.contains("1.7.4") {
        return Err(format!(
            "{} reports {:?}, not 1.7.4",
            bin.display(),
            version.trim()
        ));
    }
    Ok(bin)
}

struct Bench<'a> {
    meter: &'a Meter,
    src: PathBuf,
    work: PathBuf,
    /// HOME for the Python original, which writes ~/.config/agsekit/state.yaml on every run.
    py_home: PathBuf,
    results: Results,
    notes: Vec<String>,
}

impl Bench<'_> {
    fn record(&mut self, scenario: &str, tool: &str, r: Result<Sample, String>) -> bool {
        match r {
            Ok(sample) => {
                self.results.add(scenario, tool, sample);
                true
            }
            Err(e) => {
                self.notes.push(format!("{tool} / {scenario}: failed: {e}"));
                false
            }
        }
    }

    fn src_slash(&self) -> OsString {
        let mut s = self.src.clone().into_os_string();
        s.push("/");
        s
    }

    /// Lower bounds: a bare metadata walk, a full copy, a hardlink farm.
    fn lower_bounds(&mut self) {
        let src = self.src.clone();
        let walk = self.meter.run(
            os("find"),
            &[src.as_os_str(), os("-printf"), os("%s %T@ %m %i %p\\n")],
        );
        self.record(NOCHANGE, T_FIND, walk);
        let me = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("backup"));
        let walk = self
            .meter
            .run(me.as_os_str(), &[os("--stat-walk"), src.as_os_str()]);
        // The floor of both no-change scenarios.
        if let Ok(sample) = &walk {
            self.results.add(NOCHANGE_FIRST, T_WALK, sample.clone());
        }
        self.record(NOCHANGE, T_WALK, walk);

        let full = self.work.join("cp-full");
        remove_dir(&full);
        let r = self
            .meter
            .run(os("cp"), &[os("-a"), src.as_os_str(), full.as_os_str()]);
        self.record(FIRST, T_CP, r);
        remove_dir(&full);

        let links = self.work.join("cp-links");
        remove_dir(&links);
        let r = self
            .meter
            .run(os("cp"), &[os("-al"), src.as_os_str(), links.as_os_str()]);
        if let Ok(sample) = &r {
            self.results.add(BIG, T_CPAL, sample.clone());
        }
        self.record(SMALL, T_CPAL, r);
        remove_dir(&links);
    }

    /// A `backup-once --source-dir --dest-dir` tool: agsekit or the original.
    fn backup_once_tool(&mut self, tool: &str, bin: &Path, tree: &mut Tree) {
        let dest = self.work.join("dest-backup-once");
        remove_dir(&dest);
        let py_home = self.py_home.clone();
        let env: Vec<(&str, &OsStr)> = vec![("HOME", py_home.as_os_str())];
        let src = self.src.clone();
        let args = [
            os("backup-once"),
            os("--source-dir"),
            src.as_os_str(),
            os("--dest-dir"),
            dest.as_os_str(),
        ];

        let r = self.meter.run_env(bin.as_os_str(), &args, &env);
        let made = snapshots(&dest).len();
        if !self.record(FIRST, tool, r) {
            return;
        }
        let after_first = Instant::now();
        if made != 1 {
            self.notes.push(format!(
                "{tool}: first snapshot left {made} snapshots, expected 1"
            ));
        }

        for scenario in [NOCHANGE_FIRST, NOCHANGE] {
            let r = self.meter.run_env(bin.as_os_str(), &args, &env);
            self.record(scenario, tool, r);
            let n = snapshots(&dest).len();
            if n != 1 {
                self.notes.push(format!(
                    "{tool}: no-change run left {n} snapshots, expected 1 (it snapshotted without a change)"
                ));
            }
        }

        if let Err(e) = tree.small_change(10, 5, 3) {
            self.notes.push(format!("small change failed: {e}"));
            return;
        }
        next_second(after_first);
        let r = self.meter.run_env(bin.as_os_str(), &args, &env);
        self.record(SMALL, tool, r);
        let n = snapshots(&dest).len();
        if n != 2 {
            self.notes.push(format!(
                "{tool}: small-change run left {n} snapshots, expected 2"
            ));
        }
        if tool == T_AGSEKIT {
            self.big_change_and_listing(tool, T_LIST, bin, tree, &args);
        } else if tool == T_BASE {
            self.big_change_and_listing(tool, T_BASE_LIST, bin, tree, &args);
        }
        remove_dir(&dest);
    }

    /// agsekit only: a snapshot after 10% of the files changed, then `snapshots` on the
    /// three snapshots made.
    fn big_change_and_listing(
        &mut self,
        tool: &str,
        list_tool: &str,
        bin: &Path,
        tree: &mut Tree,
        args: &[&OsStr; 5],
    ) {
        let dest = PathBuf::from(args[4]);
        let py_home = self.py_home.clone();
        let env: Vec<(&str, &OsStr)> = vec![("HOME", py_home.as_os_str())];
        let after_small = Instant::now();
        match tree.modify_percent(10) {
            Ok(_) => {
                next_second(after_small);
                let r = self.meter.run_env(bin.as_os_str(), args, &env);
                self.record(BIG, tool, r);
                let n = snapshots(&dest).len();
                if n != 3 {
                    self.notes.push(format!(
                        "{tool}: big-change run left {n} snapshots, expected 3"
                    ));
                }
            }
            Err(e) => self.notes.push(format!("big change failed: {e}")),
        }
        let list = [
            os("snapshots"),
            os("--source-dir"),
            args[2],
            os("--dest-dir"),
            args[4],
        ];
        let r = self.meter.run_env(bin.as_os_str(), &list, &env);
        self.record(LISTING, list_tool, r);
    }

    /// rsync as people use it for snapshots: full copy, then --link-dest for each next one;
    /// the change check is the original's dry run.
    fn rsync_tool(&mut self, tree: &mut Tree) {
        let dest = self.work.join("dest-rsync");
        remove_dir(&dest);
        if let Err(e) = fs::create_dir_all(&dest) {
            self.notes.push(format!("rsync: {}: {e}", dest.display()));
            return;
        }
        let src = self.src_slash();
        let s1 = dest.join("s1");
        let s2 = dest.join("s2");
        let s3 = dest.join("s3");

        let r = self
            .meter
            .run(os("rsync"), &[os("-a"), &src, s1.as_os_str()]);
        if !self.record(FIRST, T_RSYNC_SNAP, r) {
            return;
        }
        let r = self.meter.run(
            os("rsync"),
            &[
                os("-a"),
                os("--delete"),
                os("--dry-run"),
                os("--itemize-changes"),
                &src,
                s1.as_os_str(),
            ],
        );
        self.record(NOCHANGE, T_RSYNC_CHECK, r);

        let mut link = OsString::from("--link-dest=");
        link.push(&s1);
        let r = self.meter.run(
            os("rsync"),
            &[os("-a"), os("--delete"), &link, &src, s2.as_os_str()],
        );
        self.record(NOCHANGE, T_RSYNC_SNAP, r);

        if let Err(e) = tree.small_change(10, 5, 3) {
            self.notes.push(format!("small change failed: {e}"));
            return;
        }
        let mut link = OsString::from("--link-dest=");
        link.push(&s2);
        let r = self.meter.run(
            os("rsync"),
            &[os("-a"), os("--delete"), &link, &src, s3.as_os_str()],
        );
        self.record(SMALL, T_RSYNC_SNAP, r);
        remove_dir(&dest);
    }
}

fn fmt_secs(s: f64) -> String {
    if s < 1.0 {
        format!("{:.0} ms", s * 1000.0)
    } else {
        format!("{s:.2} s")
    }
}

/// The reference each scenario's ratios are taken against (the lower bound).
fn reference_of(scenario: &str) -> &'static str {
    match scenario {
        FIRST => T_CP,
        NOCHANGE | NOCHANGE_FIRST => T_WALK,
        LISTING => T_LIST,
        _ => T_CPAL,
    }
}

fn print_tables(results: &Results) {
    for scenario in [FIRST, NOCHANGE_FIRST, NOCHANGE, SMALL, BIG, LISTING] {
        if !results.scenarios.iter().any(|s| s == scenario) {
            continue;
        }
        let reference = reference_of(scenario);
        let base = results.get(scenario, reference).map(Row::median);
        let ours = results
            .get(scenario, T_AGSEKIT)
            .or_else(|| results.get(scenario, T_LIST))
            .map(Row::median);
        println!("\n### {scenario}\n");
        println!(
            "| tool | median | min | max | x {reference} | agsekit is N x faster | peak RSS |"
        );
        println!("|---|---:|---:|---:|---:|---:|---:|");
        for tool in &results.tools {
            let Some(row) = results.get(scenario, tool) else {
                continue;
            };
            let m = row.median();
            let ratio = base.map(|b| format!("{:.2}", m / b)).unwrap_or("-".into());
            let speedup = match ours {
                Some(o) if tool != T_AGSEKIT && tool != T_LIST => format!("{:.1}", m / o),
                _ => "-".into(),
            };
            let rss = row
                .peak_rss_mb()
                .map(|mb| format!("{mb:.1} MB"))
                .unwrap_or("-".into());
            println!(
                "| {tool} | {} | {} | {} | {ratio} | {speedup} | {rss} |",
                fmt_secs(m),
                fmt_secs(row.min()),
                fmt_secs(row.max())
            );
        }
    }
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "PASS"
    } else {
        "FAIL"
    }
}

fn print_targets(results: &Results, files: usize) {
    println!("\n### Targets (DESIGN.md section 6)\n");
    let med = |s: &str, t: &str| results.get(s, t).map(Row::median);
    let Some(ours_nc) = med(NOCHANGE, T_AGSEKIT) else {
        println!("agsekit column missing: no targets to check.");
        return;
    };
    if let Some(walk) = med(NOCHANGE, T_FIND) {
        let r = ours_nc / walk;
        println!(
            "- no-change check <= 1.5x bare walk (find): {r:.2}x -> {}",
            verdict(r <= 1.5)
        );
    }
    if let Some(walk) = med(NOCHANGE, T_WALK) {
        let r = ours_nc / walk;
        println!(
            "- no-change check <= 1.2x the stat walk on all cores (issue 15): {r:.2}x -> {}",
            verdict(r <= 1.2)
        );
    }
    match med(NOCHANGE, T_ORIGINAL) {
        Some(orig) => {
            let r = orig / ours_nc;
            println!(
                "- no-change check >= 5x faster than the original: {r:.1}x -> {}",
                verdict(r >= 5.0)
            );
        }
        None => println!("- no-change check >= 5x faster than the original: original not measured"),
    }
    if let Some(rs) = med(NOCHANGE, T_RSYNC_SNAP) {
        let r = rs / ours_nc;
        println!(
            "- no-change check >= 5x faster than rsync --link-dest: {r:.1}x -> {}",
            verdict(r >= 5.0)
        );
    }
    if let Some(ours_sc) = med(SMALL, T_AGSEKIT) {
        if let Some(cpal) = med(SMALL, T_CPAL) {
            let r = ours_sc / cpal;
            println!(
                "- small change <= 1.5x cp -al: {r:.2}x -> {} (issue 15: <= 1.2x -> {})",
                verdict(r <= 1.5),
                verdict(r <= 1.2)
            );
        }
        if let Some(rs) = med(SMALL, T_RSYNC_SNAP) {
            let r = rs / ours_sc;
            println!(
                "- small change >= 3x faster than rsync --link-dest: {r:.1}x -> {}",
                verdict(r >= 3.0)
            );
        }
    }
    if let (Some(ours_big), Some(cpal)) = (med(BIG, T_AGSEKIT), med(BIG, T_CPAL)) {
        let r = ours_big / cpal;
        println!(
            "- 10% change <= 1.2x cp -al (issue 15): {r:.2}x -> {}",
            verdict(r <= 1.2)
        );
    }
    let peak = [FIRST, NOCHANGE_FIRST, NOCHANGE, SMALL, BIG]
        .iter()
        .filter_map(|s| results.get(s, T_AGSEKIT).and_then(Row::peak_rss_mb))
        .fold(None, |acc: Option<f64>, v| {
            Some(acc.map_or(v, |a| a.max(v)))
        });
    match peak {
        Some(mb) if files >= 1_000_000 => println!(
            "- peak RSS < 100 MB at 1,000,000 files (issue 15): {mb:.1} MB -> {}",
            verdict(mb < 100.0)
        ),
        Some(mb) if files >= 100_000 => {
            println!("- peak RSS < 100 MB at 100,000 files: {mb:.1} MB -> {}", verdict(mb < 100.0))
        }
        Some(mb) => println!(
            "- peak RSS < 100 MB at 100,000 files: {mb:.1} MB at {files} files (informative; run 100,000 to judge)"
        ),
        None => println!("- peak RSS: not measured (/usr/bin/time missing)"),
    }
}

fn run() -> Result<(), String> {
    let opts = parse_options()?;
    fs::create_dir_all(&opts.work).map_err(|e| format!("{}: {e}", opts.work.display()))?;
    let meter = Meter::new(&opts.work);
    let agsekit_bin = PathBuf::from(env!("CARGO_BIN_EXE_agsekit"));

    let mut skipped: Vec<String> = Vec::new();
    let agsekit = match agsekit_has_backup(&meter, &agsekit_bin) {
        Ok(()) => Some(agsekit_bin.clone()),
        Err(e) => {
            skipped.push(format!(
                "{T_AGSEKIT}: skipped, this build has no backup-once ({})",
                e.lines().next().unwrap_or("")
            ));
            None
        }
    };
    let original = if opts.no_original {
        skipped.push(format!("{T_ORIGINAL}: skipped (--no-original)"));
        None
    } else {
        match find_original(&meter, &opts) {
            Ok(p) => Some(p),
            Err(e) => {
                skipped.push(format!("{T_ORIGINAL}: skipped, could not get it: {e}"));
                None
            }
        }
    };

    let src = opts.work.join("src");
    remove_dir(&src);
    let spec = TreeSpec {
        files: opts.files,
        total_bytes: opts.size_mb * 1_000_000,
        seed: opts.seed,
    };
    println!(
        "generating {} files, about {} MB, seed {} in {} ...",
        spec.files,
        opts.size_mb,
        spec.seed,
        src.display()
    );
    let started = Instant::now();
    let mut tree = tree::generate(&src, spec).map_err(|e| format!("generating the tree: {e}"))?;
    println!(
        "generated {} files in {} dirs, {:.1} MB, in {:.1} s",
        tree.files.len(),
        tree.dirs,
        tree.bytes as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );

    let py_home = opts.work.join("py-home");
    fs::create_dir_all(&py_home).map_err(|e| format!("{}: {e}", py_home.display()))?;
    let mut bench = Bench {
        meter: &meter,
        src: src.clone(),
        work: opts.work.clone(),
        py_home,
        results: Results::default(),
        notes: Vec::new(),
    };

    // Warm the page cache once: every number below is a warm-cache number.
    let _ = meter.run(os("find"), &[src.as_os_str(), os("-printf"), os("%s\\n")]);

    for round in 1..=opts.repeats {
        println!("round {round}/{} ...", opts.repeats);
        bench.lower_bounds();
        if let Some(bin) = &agsekit {
            bench.backup_once_tool(T_AGSEKIT, bin, &mut tree);
        }
        if let Some(bin) = &opts.baseline {
            bench.backup_once_tool(T_BASE, bin, &mut tree);
        }
        if !opts.no_rsync {
            bench.rsync_tool(&mut tree);
        }
        if let Some(bin) = &original {
            bench.backup_once_tool(T_ORIGINAL, bin, &mut tree);
        }
    }

    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    println!(
        "\n## Backup benchmark: {} files, {:.0} MB, {} runs each, median; {} cores visible",
        tree.files.len(),
        tree.bytes as f64 / 1e6,
        opts.repeats,
        cores
    );
    for s in &skipped {
        println!("- {s}");
    }
    print_tables(&bench.results);
    print_targets(&bench.results, opts.files);
    if !bench.notes.is_empty() {
        println!("\n### Notes\n");
        let mut seen = std::collections::BTreeSet::new();
        for n in &bench.notes {
            if seen.insert(n.clone()) {
                println!("- {n}");
            }
        }
    }
    if !meter.has_rss() {
        println!("\n(peak RSS needs /usr/bin/time: apt-get install time)");
    }
    if !opts.keep {
        remove_dir(&src);
    }
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() == 3 && args[1] == "--stat-walk" {
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        walk::stat_walk(PathBuf::from(&args[2]), threads);
        return;
    }
    if let Err(e) = run() {
        eprintln!("bench backup: error: {e}");
        std::process::exit(1);
    }
}
