//! The layer rules of docs/architecture.md, checked on the source: each top-level module of
//! `src/` may name (`crate::x`) only modules of lower layers, and of its own layer only the
//! listed exceptions. Names that are not modules (`crate::t!`, `crate::VERSION`) are skipped. Test modules at the end of a
//! file (`#[cfg(test)] mod tests`), `tests.rs`/`*_tests.rs`/`testutil.rs` files and comments are not
//! counted. A failure names the file and the import that breaks a rule.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The layers of docs/architecture.md, bottom first. A module may import any module of a lower
/// layer, and of its own layer only what [`SAME_LAYER`] lists.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "foundations",
        &[
            "process",
            "i18n",
            "statefile",
            "pidlock",
            "ui",
            "error",
            "guest",
            "protected",
        ],
    ),
    ("model and the VM door", &["config", "vm"]),
    (
        "domain parts",
        &["provision", "probe", "backup", "launcher", "backend"],
    ),
    ("services", &["lifecycle", "portforward", "shim"]),
    ("orchestrators", &["run", "daemon"]),
    ("reports", &["status", "doctor"]),
    ("the edge", &["cli"]),
];

/// Imports allowed inside one layer: `(importer, imported)`.
const SAME_LAYER: &[(&str, &str)] = &[
    ("ui", "process"),
    ("ui", "i18n"),
    ("error", "ui"),
    ("error", "i18n"),
    ("launcher", "provision"),
];

/// Files that hold only tests (declared `#[cfg(test)] mod`): `tests.rs`, `*_tests.rs` (such
/// as `memory_tests.rs`, the unit tests on the in-memory backend) and `testutil.rs`.
fn is_test_file(name: Option<&str>) -> bool {
    name.is_some_and(|n| n.ends_with("tests.rs") || n == "testutil.rs")
}

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|(_, mods)| mods.contains(&module))
}

fn may_import(importer: &str, imported: &str) -> bool {
    match (layer_of(importer), layer_of(imported)) {
        (Some(a), Some(b)) => b < a || (a == b && SAME_LAYER.contains(&(importer, imported))),
        _ => false,
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The production part of a source file: without the trailing test module and comments.
fn production_text(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => &text[..at],
        None => text,
    };
    text.lines()
        .map(|line| match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Top-level modules a text names: `crate::x` and `use crate::{x, y::z}`.
fn named_modules(text: &str) -> BTreeSet<String> {
    let word = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut out = BTreeSet::new();
    for (at, _) in text.match_indices("crate::") {
        let rest = &text[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            for item in group.split(',') {
                let w = word(item.trim());
                if !w.is_empty() {
                    out.insert(w);
                }
            }
        } else {
            out.insert(word(rest));
        }
    }
    out
}

#[test]
fn every_module_imports_only_what_its_layer_allows() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut broken = Vec::new();
    let mut unknown = BTreeSet::new();
    for file in &files {
        let rel = file.strip_prefix(&src).expect("inside src");
        let top = rel
            .components()
            .next()
            .map(|c| {
                c.as_os_str()
                    .to_string_lossy()
                    .trim_end_matches(".rs")
                    .to_string()
            })
            .unwrap_or_default();
        let name = rel.file_name().map(|n| n.to_string_lossy().into_owned());
        if matches!(top.as_str(), "lib" | "main") || is_test_file(name.as_deref()) {
            continue;
        }
        if layer_of(&top).is_none() {
            unknown.insert(top);
            continue;
        }
        let text = std::fs::read_to_string(file).expect("read source");
        for module in named_modules(&production_text(&text)) {
            if module != top && layer_of(&module).is_some() && !may_import(&top, &module) {
                broken.push(format!("{}: {top} imports {module}", rel.display()));
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "modules missing from the layer table (add them to docs/architecture.md and here): {unknown:?}"
    );
    assert!(
        broken.is_empty(),
        "imports that break docs/architecture.md's layer rules:\n{}",
        broken.join("\n")
    );
}

#[test]
fn the_import_scanner_sees_plain_and_grouped_imports() {
    let names =
        named_modules("use crate::{vm::VmBackend, t};\nlet x = crate::probe::host::pid_alive(1);");
    assert_eq!(names.into_iter().collect::<Vec<_>>(), ["probe", "t", "vm"]);
    assert_eq!(
        production_text("a // crate::x\n#[cfg(test)]\nmod tests { crate::y }"),
        "a "
    );
}

/// Files outside `src/vm/multipass/` that still name Multipass in code (comments, test
/// modules, `tests.rs` files and the message catalogue in `src/i18n/` are not counted), and
/// why. Issue 13 wants this list empty but for the composition root; shrink it, never grow it.
const NAMES_MULTIPASS: &[(&str, &str)] = &[
    (
        "backend.rs",
        "the composition root: builds the Multipass backend",
    ),
    (
        "vm/mod.rs",
        "declares the multipass module and re-exports its driver",
    ),
    (
        "config/model.rs",
        "BackendKind::Multipass, the value of `backend:`",
    ),
    (
        "config/validate.rs",
        "refuses a kernel `image:` for a Multipass VM",
    ),
    (
        "config/generate.rs",
        "config-gen writes a `(Multipass)` comment into the YAML it generates",
    ),
    (
        "lifecycle/create.rs",
        "the AGSEKIT_MULTIPASS_LAUNCH_TIMEOUT_SECONDS variable users set",
    ),
    (
        "shim/manage.rs",
        "no shim may be called multipass (it would shadow the client)",
    ),
];

#[test]
fn only_the_listed_files_outside_the_multipass_backend_name_multipass() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut naming = BTreeSet::new();
    for file in &files {
        let rel = file
            .strip_prefix(&src)
            .expect("inside src")
            .to_string_lossy()
            .into_owned();
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned());
        if rel.starts_with("vm/multipass/")
            || rel.starts_with("i18n/")
            || is_test_file(name.as_deref())
        {
            continue;
        }
        let text = std::fs::read_to_string(file).expect("read source");
        if production_text(&text).to_lowercase().contains("multipass") {
            naming.insert(rel);
        }
    }
    let listed: BTreeSet<String> = NAMES_MULTIPASS.iter().map(|(f, _)| f.to_string()).collect();
    let new: Vec<&String> = naming.difference(&listed).collect();
    assert!(
        new.is_empty(),
        "these files name Multipass outside src/vm/multipass/ (go through the VmBackend trait, or list them in NAMES_MULTIPASS with the reason): {new:?}"
    );
    let stale: Vec<&String> = listed.difference(&naming).collect();
    assert!(
        stale.is_empty(),
        "these files no longer name Multipass: take them off NAMES_MULTIPASS: {stale:?}"
    );
}

/// Files issue 13 moved to the layer they belong to: `(old path, new path)` under `src/`.
/// The old place must not come back (a second copy would split the code again).
const MOVED: &[(&str, &str, &str)] = &[(
    "lifecycle/versions.rs",
    "provision/versions.rs",
    "the agent version cache is not VM lifecycle: it sits beside the installers it serves",
)];

#[test]
fn moved_files_stay_where_issue_13_put_them() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut wrong = Vec::new();
    for (old, new, why) in MOVED {
        if src.join(old).exists() || !src.join(new).is_file() {
            wrong.push(format!("src/{old} belongs at src/{new} ({why})"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Imports the layer table would allow but issue 13 rules out: `(importer, imported, why)`.
const NEVER_IMPORTS: &[(&str, &str, &str)] = &[(
    "backup",
    "config",
    "the snapshot engine takes its own option types (backup::CleanMethod, backup::TripwireOptions); run and cli convert",
)];

#[test]
fn modules_do_not_import_what_issue_13_rules_out() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut broken = Vec::new();
    for (importer, imported, why) in NEVER_IMPORTS {
        let mut files = Vec::new();
        rust_files(&src.join(importer), &mut files);
        files.push(src.join(format!("{importer}.rs")));
        files.sort();
        for file in files.iter().filter(|f| f.is_file()) {
            let name = file.file_name().map(|n| n.to_string_lossy().into_owned());
            if is_test_file(name.as_deref()) {
                continue;
            }
            let text = std::fs::read_to_string(file).expect("read source");
            if named_modules(&production_text(&text)).contains(*imported) {
                let rel = file.strip_prefix(&src).expect("inside src");
                broken.push(format!(
                    "{}: {importer} imports {imported} ({why})",
                    rel.display()
                ));
            }
        }
    }
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

/// What the clap definitions (`src/cli/args.rs`, issue 13 section 3) may name of agsekit, and
/// why. The module is a leaf: the handlers, the menu, the man page, the completions and the
/// Russian help read it, it reads none of them.
const ARGS_MAY_NAME: &[(&str, &str)] = &[
    (
        "backup",
        "`--min-free` parses its SIZE with backup::retention::parse_size, the syntax the config's sizes share",
    ),
    ("t", "the message of `--min-free`'s parse error (the i18n macro)"),
];

/// The clap definitions of the command line, production part.
fn args_module_files(src: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    rust_files(&src.join("cli/args"), &mut files);
    let single = src.join("cli/args.rs");
    if single.is_file() {
        files.push(single);
    }
    files.sort();
    files
}

#[test]
fn the_clap_definitions_are_one_leaf_module() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let args_files = args_module_files(&src);
    assert!(
        !args_files.is_empty(),
        "src/cli/args.rs (or src/cli/args/) holds every clap definition; it is missing"
    );
    let allowed: BTreeSet<&str> = ARGS_MAY_NAME.iter().map(|(m, _)| *m).collect();
    let mut broken = Vec::new();
    for file in &args_files {
        let rel = file.strip_prefix(&src).expect("inside src").display();
        let text = production_text(&std::fs::read_to_string(file).expect("read source"));
        for module in named_modules(&text) {
            if !allowed.contains(module.as_str()) {
                broken.push(format!(
                    "{rel} names crate::{module} (not in ARGS_MAY_NAME)"
                ));
            }
        }
        let is_child = file.parent() == Some(&src.join("cli/args"));
        for (at, _) in text.match_indices("super::") {
            // A file of src/cli/args/ may name its siblings through `super::`, never above.
            if !is_child || text[at..].starts_with("super::super") {
                broken.push(format!(
                    "{rel} reaches out of the args module with `{}`",
                    text[at..].lines().next().unwrap_or_default()
                ));
            }
        }
    }
    // Nothing else defines command-line syntax with clap's derives or attributes.
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let markers = [
        "#[arg(",
        "#[command(",
        "derive(Parser",
        "Subcommand)]",
        "ValueEnum)]",
        "clap::Args",
        ", Args)]",
    ];
    for file in files.iter().filter(|f| !args_files.contains(f)) {
        let text = production_text(&std::fs::read_to_string(file).expect("read source"));
        for marker in markers {
            if text.contains(marker) {
                let rel = file.strip_prefix(&src).expect("inside src");
                broken.push(format!(
                    "{}: `{marker}` outside src/cli/args.rs (move the definition there)",
                    rel.display()
                ));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "the clap definitions must be one leaf module (docs/architecture.md):\n{}",
        broken.join("\n")
    );
}

/// The shims' decisions are one file, `src/shim/decisions.rs` (issue 13 section 3), compiled
/// on its own as the `agsekit-shims` workspace crate (`shims/`), so it can name nothing of
/// agsekit's; the rest of `src/shim/` applies them without a second copy.
#[test]
fn the_shim_decisions_live_in_the_shims_crate_only() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest =
        std::fs::read_to_string(root.join("shims/Cargo.toml")).expect("shims/Cargo.toml");
    assert!(
        manifest.contains("path = \"../src/shim/decisions.rs\""),
        "shims/Cargo.toml must build src/shim/decisions.rs: {manifest}"
    );
    let deps = manifest
        .split("[dependencies]")
        .nth(1)
        .map(|rest| rest.split("\n[").next().unwrap_or_default())
        .unwrap_or_default();
    assert!(
        !deps.contains("agsekit"),
        "shims/ must not depend on agsekit (it is below it): {deps}"
    );
    let decisions = root.join("src/shim/decisions.rs");
    let text = production_text(&std::fs::read_to_string(&decisions).expect("read source"));
    for name in ["agsekit::", "crate::", "super::"] {
        assert!(
            !text.contains(name),
            "{} names `{name}`: it must stand alone",
            decisions.display()
        );
    }
    let mut files = Vec::new();
    rust_files(&root.join("src/shim"), &mut files);
    let mut copies = Vec::new();
    for file in files.iter().filter(|f| **f != decisions) {
        let text = production_text(&std::fs::read_to_string(file).expect("read source"));
        for decision in [
            "fn host_program",
            "fn path_without",
            "fn reentered",
            "fn marker_with",
            "fn agent_for(",
            "const MARKER",
        ] {
            if text.contains(decision) {
                copies.push(format!("{}: `{decision}`", file.display()));
            }
        }
    }
    assert!(
        copies.is_empty(),
        "the shims' decisions belong to src/shim/decisions.rs:\n{}",
        copies.join("\n")
    );
}
