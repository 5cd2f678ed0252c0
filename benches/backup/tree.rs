//! The benchmark's source tree: a deterministic, node_modules-like tree (many small files in
//! deep directories, a few large ones), and the "small change" applied between snapshots.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// splitmix64: a tiny deterministic generator, so the same seed gives the same tree everywhere.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }
}

const WORDS: &[&str] = &[
    "core",
    "utils",
    "lodash",
    "react",
    "babel",
    "parser",
    "types",
    "runtime",
    "helpers",
    "plugin",
    "loader",
    "config",
    "stream",
    "buffer",
    "string",
    "array",
    "object",
    "promise",
    "async",
    "events",
    "path",
    "glob",
    "minimatch",
    "semver",
    "chalk",
    "debug",
    "ms",
    "color",
    "json",
    "yaml",
    "ast",
    "walker",
    "scope",
    "compat",
    "polyfill",
    "shim",
    "esm",
    "cjs",
];

const SUBDIRS: &[&str] = &[
    "lib", "dist", "src", "esm", "cjs", "build", "internal", "es", "umd", "types", "fp",
];

const EXTS: &[&str] = &[
    "js", "js", "js", "mjs", "cjs", "d.ts", "json", "map", "md", "ts",
];

/// How the tree is shaped.
#[derive(Debug, Clone, Copy)]
pub struct TreeSpec {
    pub files: usize,
    pub total_bytes: u64,
    pub seed: u64,
}

/// A generated tree and what the mutations did to it so far.
pub struct Tree {
    pub root: PathBuf,
    /// Files that exist now, relative to `root`.
    pub files: Vec<PathBuf>,
    pub dirs: usize,
    pub bytes: u64,
    rounds: u64,
    seed: u64,
}

/// Raw (unscaled) size of one file: most are small, about 1% are bundles or binaries.
fn raw_size(rng: &mut Rng) -> u64 {
    if rng.chance(1) {
        // 64 KiB .. 4 MiB
        64 * 1024 + (rng.next_u64() % (4 * 1024 * 1024))
    } else {
        // log-uniform-ish 64 B .. 16 KiB
        let shift = 6 + rng.below(9) as u32;
        (1u64 << shift) + rng.next_u64() % (1u64 << shift)
    }
}

/// Creates the tree under `root` (which must not exist).
pub fn generate(root: &Path, spec: TreeSpec) -> std::io::Result<Tree> {
    let mut rng = Rng::new(spec.seed);
    fs::create_dir_all(root)?;

    // Plan the layout first: package directories, then files spread over them.
    let mut dirs: Vec<PathBuf> = vec![PathBuf::from("src"), PathBuf::from("node_modules")];
    let mut package_roots: Vec<(PathBuf, usize)> = Vec::new(); // (path, nesting depth)
    let packages = (spec.files / 40).max(1);
    for p in 0..packages {
        let name = format!(
            "{}-{}-{p}",
            WORDS[rng.below(WORDS.len())],
            WORDS[rng.below(WORDS.len())]
        );
        let (parent, depth) = if !package_roots.is_empty() && rng.chance(30) {
            let (path, depth) = &package_roots[rng.below(package_roots.len())];
            if *depth < 4 {
                (path.join("node_modules"), depth + 1)
            } else {
                (PathBuf::from("node_modules"), 0)
            }
        } else {
            (PathBuf::from("node_modules"), 0)
        };
        let pkg = parent.join(&name);
        dirs.push(pkg.clone());
        // A few nested code directories per package, up to four levels below it.
        let mut cur = pkg.clone();
        for _ in 0..1 + rng.below(4) {
            cur = cur.join(SUBDIRS[rng.below(SUBDIRS.len())]);
            dirs.push(cur.clone());
            if rng.chance(40) {
                let side = cur.join(WORDS[rng.below(WORDS.len())]);
                dirs.push(side);
            }
        }
        package_roots.push((pkg, depth));
    }
    dirs.sort();
    dirs.dedup();

    let mut planned: Vec<(PathBuf, u64)> = Vec::with_capacity(spec.files);
    // Every package gets its manifest first, so package dirs are never empty.
    for (pkg, _) in &package_roots {
        if planned.len() >= spec.files {
            break;
        }
        planned.push((pkg.join("package.json"), 200 + rng.next_u64() % 2000));
    }
    let mut n = 0usize;
    while planned.len() < spec.files {
        let dir = &dirs[rng.below(dirs.len())];
        let ext = EXTS[rng.below(EXTS.len())];
        let name = format!("{}-{n}.{ext}", WORDS[rng.below(WORDS.len())]);
        planned.push((dir.join(name), raw_size(&mut rng)));
        n += 1;
    }

    // Scale sizes so the tree adds up to about `total_bytes`.
    let raw_total: u64 = planned.iter().map(|(_, s)| *s).sum::<u64>().max(1);
    let factor = spec.total_bytes as f64 / raw_total as f64;

    let mut pattern = vec![0u8; 1 << 20];
    for chunk in pattern.chunks_mut(8) {
        let v = rng.next_u64().to_le_bytes();
        chunk.copy_from_slice(&v[..chunk.len()]);
    }

    let mut created_dirs = 0usize;
    for dir in &dirs {
        fs::create_dir_all(root.join(dir))?;
        created_dirs += 1;
    }
    let mut bytes = 0u64;
    let mut files = Vec::with_capacity(planned.len());
    for (i, (rel, raw)) in planned.into_iter().enumerate() {
        let size = ((raw as f64) * factor).round() as u64;
        write_file(&root.join(&rel), i as u64, size, &pattern)?;
        bytes += size;
        files.push(rel);
    }
    Ok(Tree {
        root: root.to_owned(),
        files,
        dirs: created_dirs,
        bytes,
        rounds: 0,
        seed: spec.seed,
    })
}

/// Writes `size` bytes: a header that makes each file unique, then the shared pattern.
fn write_file(path: &Path, id: u64, size: u64, pattern: &[u8]) -> std::io::Result<()> {
    let mut f = fs::File::create(path)?;
    let header = format!("/* file {id} */\n");
    let mut left = size;
    let h = header.as_bytes();
    let take = (h.len() as u64).min(left) as usize;
    f.write_all(&h[..take])?;
    left -= take as u64;
    let mut offset = (id as usize * 4099) % pattern.len();
    while left > 0 {
        let n = ((pattern.len() - offset) as u64).min(left) as usize;
        f.write_all(&pattern[offset..offset + n])?;
        left -= n as u64;
        offset = 0;
    }
    Ok(())
}

/// What one round of "small change" did.
pub struct Change {
    pub modified: usize,
    pub added: usize,
    pub deleted: usize,
}

impl Tree {
    /// Applies the standard small change: modifies `modify` files (appends a line, so size and
    /// mtime change), adds `add` new files next to existing ones, deletes `delete` files.
    pub fn small_change(
        &mut self,
        modify: usize,
        add: usize,
        delete: usize,
    ) -> std::io::Result<Change> {
        self.rounds += 1;
        let mut rng = Rng::new(self.seed ^ (self.rounds.wrapping_mul(0x1234_5678_9ABC_DEF1)));
        let mut change = Change {
            modified: 0,
            added: 0,
            deleted: 0,
        };
        for i in 0..modify {
            if self.files.is_empty() {
                break;
            }
            let rel = &self.files[rng.below(self.files.len())];
            let mut f = fs::OpenOptions::new()
                .append(true)
                .open(self.root.join(rel))?;
            writeln!(f, "// bench change round {} #{i}", self.rounds)?;
            change.modified += 1;
        }
        for i in 0..add {
            if self.files.is_empty() {
                break;
            }
            let near = self.files[rng.below(self.files.len())].clone();
            let parent = near.parent().map(Path::to_path_buf).unwrap_or_default();
            let rel = parent.join(format!("bench-added-{}-{i}.js", self.rounds));
            fs::write(
                self.root.join(&rel),
                format!("export const round = {};\n", self.rounds).repeat(40),
            )?;
            self.files.push(rel);
            change.added += 1;
        }
        for _ in 0..delete {
            if self.files.is_empty() {
                break;
            }
            let idx = rng.below(self.files.len());
            let rel = self.files.swap_remove(idx);
            fs::remove_file(self.root.join(rel))?;
            change.deleted += 1;
        }
        Ok(change)
    }
}

impl Tree {
    /// Appends a line to `percent`% of the files (a different slice of them each round): a
    /// big change, as after a dependency upgrade.
    pub fn modify_percent(&mut self, percent: usize) -> std::io::Result<usize> {
        self.rounds += 1;
        let step = (100 / percent.clamp(1, 100)).max(1);
        let offset = (self.rounds as usize) % step;
        let mut modified = 0;
        for rel in self.files.iter().skip(offset).step_by(step) {
            let mut f = fs::OpenOptions::new()
                .append(true)
                .open(self.root.join(rel))?;
            writeln!(f, "// bench big change round {}", self.rounds)?;
            modified += 1;
        }
        Ok(modified)
    }
}
