//! The subcommands. Messages and exit codes follow the Multipass 1.16 contract notes
//! (`tests/fixtures/multipass/errors.txt`); where the notes are silent the fake picks
//! something close and `tests/README.md` says so.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::io::{Read, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};

use crate::qtjson::to_qt_string;
use crate::sandbox::{self, vm_absolute, VM_HOME};
use crate::state::{absolute, Instance, MountRec, State};
use crate::{Ctx, Exit, REMOTE_4_EXIT};

type Res = Result<i32, Exit>;

const IMAGE_HASH: &str = "5f8c0b4d3a2e1f6071829a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f";

pub fn dispatch(ctx: &Ctx, command: &str, args: &[String]) -> Res {
    match command {
        "launch" => launch(ctx, args),
        "info" => info(ctx, args),
        "list" | "ls" => list(ctx, args),
        "start" => start(ctx, args),
        "stop" => stop(ctx, args),
        "suspend" => suspend(ctx, args),
        "restart" => restart(ctx, args),
        "delete" => delete(ctx, args),
        "purge" => purge(ctx, args),
        "recover" => recover(ctx, args),
        "mount" => mount(ctx, args),
        "umount" | "unmount" => umount(ctx, args),
        "exec" => exec(ctx, args),
        "shell" | "sh" | "connect" => shell(ctx, args),
        "transfer" | "copy-files" => transfer(ctx, args),
        "version" => version(args),
        "" => Err(Exit::new(1, "fake-multipass: no command given\n")),
        other => Err(Exit::new(
            1,
            format!("fake-multipass: the fake does not implement \"{other}\"\n"),
        )),
    }
}

// ---------------------------------------------------------------- helpers

fn io_exit(e: String) -> Exit {
    Exit::new(70, format!("fake-multipass: {e}\n"))
}

/// `<cmd> failed: The following errors occurred:\n<lines>`, exit 2.
fn following(cmd: &str, lines: &[String]) -> Exit {
    Exit::new(
        2,
        format!(
            "{cmd} failed: The following errors occurred:\n{}\n",
            lines.join("\n")
        ),
    )
}

fn missing(name: &str) -> String {
    format!("instance \"{name}\" does not exist")
}

fn deleted(name: &str) -> String {
    format!("instance \"{name}\" is deleted")
}

/// The options a command takes: names (with dashes), whether each takes a value, and the
/// key it is stored under.
type OptSpec<'a> = &'a [(&'a [&'a str], bool, &'a str)];

#[derive(Default)]
struct Parsed {
    flags: HashSet<String>,
    values: HashMap<String, Vec<String>>,
    pos: Vec<String>,
    /// Everything after `--`.
    rest: Option<Vec<String>>,
}

impl Parsed {
    fn flag(&self, key: &str) -> bool {
        self.flags.contains(key)
    }

    fn value(&self, key: &str) -> Option<&str> {
        self.values
            .get(key)
            .and_then(|v| v.last())
            .map(String::as_str)
    }

    fn all(&self, key: &str) -> Vec<String> {
        self.values.get(key).cloned().unwrap_or_default()
    }
}

fn unknown_option(word: &str) -> Exit {
    Exit::new(
        1,
        format!("Unknown option '{}'.\n", word.trim_start_matches('-')),
    )
}

fn parse(args: &[String], spec: OptSpec) -> Result<Parsed, Exit> {
    let mut p = Parsed::default();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if a == "--" {
            p.rest = Some(args[i + 1..].to_vec());
            break;
        }
        if a.starts_with('-') && a.len() > 1 {
            let (name, inline) = match a.split_once('=') {
                Some((n, v)) if a.starts_with("--") => (n, Some(v.to_string())),
                _ => (a.as_str(), None),
            };
            let Some((_, takes, key)) = spec.iter().find(|(names, _, _)| names.contains(&name))
            else {
                return Err(unknown_option(a));
            };
            if *takes {
                let value = match inline {
                    Some(v) => v,
                    None => {
                        i += 1;
                        args.get(i).cloned().ok_or_else(|| {
                            Exit::new(1, format!("Missing value after '{name}'.\n"))
                        })?
                    }
                };
                p.values.entry(key.to_string()).or_default().push(value);
            } else {
                p.flags.insert(key.to_string());
            }
        } else {
            p.pos.push(a.clone());
        }
        i += 1;
    }
    Ok(p)
}

/// Sizes as Multipass takes them: bytes, or a number with K, M or G (optionally followed by
/// `B` or `iB`), powers of 1024.
fn parse_size(text: &str) -> Option<u64> {
    let t = text.trim();
    let t = t
        .strip_suffix("iB")
        .or_else(|| t.strip_suffix('B'))
        .unwrap_or(t);
    let (num, mult) = match t.chars().last()? {
        'K' | 'k' => (&t[..t.len() - 1], 1u64 << 10),
        'M' | 'm' => (&t[..t.len() - 1], 1 << 20),
        'G' | 'g' => (&t[..t.len() - 1], 1 << 30),
        _ => (t, 1),
    };
    let value: f64 = num.parse().ok()?;
    if !value.is_finite() || value < 0.0 {
        return None;
    }
    Some((value * mult as f64) as u64)
}

/// Letters, digits and hyphens; starts with a letter; ends with a letter or digit.
fn valid_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    !bytes.is_empty()
        && bytes[0].is_ascii_alphabetic()
        && bytes[bytes.len() - 1].is_ascii_alphanumeric()
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
}

fn image_release(image: Option<&str>) -> Option<String> {
    let known: [(&str, &str); 12] = [
        ("lts", "24.04 LTS"),
        ("default", "24.04 LTS"),
        ("noble", "24.04 LTS"),
        ("24.04", "24.04 LTS"),
        ("jammy", "22.04 LTS"),
        ("22.04", "22.04 LTS"),
        ("focal", "20.04 LTS"),
        ("20.04", "20.04 LTS"),
        ("plucky", "25.04"),
        ("25.04", "25.04"),
        ("questing", "25.10"),
        ("25.10", "25.10"),
    ];
    let image = image.unwrap_or("lts");
    let bare = image
        .strip_prefix("release:")
        .or_else(|| image.strip_prefix("daily:"))
        .unwrap_or(image);
    known
        .iter()
        .find(|(alias, _)| *alias == bare)
        .map(|(_, release)| release.to_string())
        .or_else(|| {
            (image.starts_with("file://") || image.starts_with("http")).then(|| "Custom".into())
        })
}

fn uid_gid() -> (u32, u32) {
    fs::metadata("/proc/self")
        .map(|m| (m.uid(), m.gid()))
        .unwrap_or((1000, 1000))
}

fn load_state(ctx: &Ctx) -> Result<State, Exit> {
    ctx.store.load().map_err(io_exit)
}

/// Names given, or every instance with `--all`, or `primary`.
fn targets(state: &State, p: &Parsed) -> Vec<String> {
    if p.flag("all") {
        state.instances.keys().cloned().collect()
    } else if p.pos.is_empty() {
        vec!["primary".to_string()]
    } else {
        p.pos.clone()
    }
}

/// Errors for names that are missing, Multipass style, for commands that also take deleted
/// instances.
fn require_existing(state: &State, names: &[String]) -> Vec<String> {
    names
        .iter()
        .filter(|n| !state.instances.contains_key(*n))
        .map(|n| missing(n))
        .collect()
}

/// Errors for names that are missing or deleted, Multipass style, for commands that need an
/// operative instance.
fn require_operative(state: &State, names: &[String]) -> Vec<String> {
    names
        .iter()
        .filter_map(|n| match state.instances.get(n) {
            None => Some(missing(n)),
            Some(i) if i.state == "Deleted" => Some(deleted(n)),
            _ => None,
        })
        .collect()
}

fn boot(ctx: &Ctx, name: &str, inst: &mut Instance) {
    if inst.state != "Running" {
        inst.state = "Running".to_string();
        ctx.store.clear_tmp(name);
    }
}

// ---------------------------------------------------------------- launch

fn launch(ctx: &Ctx, args: &[String]) -> Res {
    let p = parse(
        args,
        &[
            (&["-n", "--name"], true, "name"),
            (&["-c", "--cpus"], true, "cpus"),
            (&["-m", "--memory", "--mem"], true, "memory"),
            (&["-d", "--disk"], true, "disk"),
            (&["--cloud-init"], true, "cloud-init"),
            (&["--timeout"], true, "timeout"),
            (&["--mount"], true, "mount"),
            (&["--network"], true, "network"),
            (&["--bridged"], false, "bridged"),
        ],
    )?;
    if p.pos.len() > 1 {
        return Err(Exit::new(1, "Too many arguments supplied\n"));
    }
    let cpus_text = p.value("cpus").unwrap_or("1");
    let cpus = match cpus_text.parse::<u32>() {
        Ok(n) if n > 0 => n,
        _ => {
            return Err(Exit::new(
                1,
                format!("Error: invalid CPU count '{cpus_text}', need a positive integer value.\n"),
            ))
        }
    };
    if let Some(t) = p.value("timeout") {
        if !t.parse::<u32>().is_ok_and(|n| n > 0) {
            return Err(Exit::new(
                1,
                "error: Invalid timeout, need a positive integer value.\n",
            ));
        }
    }
    let mut mounts = Vec::new();
    for spec in p.all("mount") {
        let (src, dst) = spec.split_once(':').unwrap_or((spec.as_str(), ""));
        let src_abs = absolute(src);
        if !src_abs.exists() {
            return Err(Exit::new(
                1,
                format!(
                    "Mount source path \"{}\" does not exist\n",
                    src_abs.display()
                ),
            ));
        }
        mounts.push((src_abs, dst.to_string()));
    }
    let user_data = match p.value("cloud-init") {
        None => None,
        Some("-") => Some(ctx.stdin.clone().unwrap_or_default()),
        Some(file) => Some(fs::read(file).map_err(|e| {
            Exit::new(1, format!("error loading cloud-init config: {file}: {e}\n"))
        })?),
    };
    let mut invalid = Vec::new();
    let memory_text = p.value("memory").unwrap_or("1G");
    let memory = parse_size(memory_text).filter(|m| *m >= 128 << 20);
    if memory.is_none() {
        invalid.push(format!(
            "Invalid memory size value supplied: {memory_text}."
        ));
    }
    let disk_text = p.value("disk").unwrap_or("5G");
    let disk = parse_size(disk_text).filter(|d| *d >= 512 << 20);
    if disk.is_none() {
        invalid.push(format!("Invalid disk size value supplied: {disk_text}."));
    }
    let image = p.pos.first().map(String::as_str);
    let Some(release) = image_release(image) else {
        return Err(Exit::new(
            2,
            format!(
                "launch failed: Unable to find an image matching \"{}\" in remote \"release\".\n",
                image.unwrap_or_default()
            ),
        ));
    };

    let store = &ctx.store;
    let result = store
        .update(|state| -> Result<String, Exit> {
            let name = match p.value("name") {
                Some(n) => n.to_string(),
                None => format!("fake-vm-{}", state.next_index + 1),
            };
            if !valid_name(&name) {
                invalid.insert(0, format!("Invalid instance name supplied: {name}"));
            }
            if !invalid.is_empty() {
                return Err(Exit::new(
                    2,
                    format!(
                        "launch failed: Invalid arguments supplied\n{}\n",
                        invalid.join("\n")
                    ),
                ));
            }
            if state.instances.contains_key(&name) {
                return Err(Exit::new(
                    2,
                    format!("launch failed: instance \"{name}\" already exists\n"),
                ));
            }
            store
                .make_instance_dirs(&name)
                .map_err(|e| io_exit(e.to_string()))?;
            store.clear_tmp(&name);
            if let Some(bytes) = &user_data {
                fs::write(store.instance_dir(&name).join("cloud-init.yaml"), bytes)
                    .map_err(|e| io_exit(e.to_string()))?;
            }
            let (uid, gid) = uid_gid();
            let mut recs = BTreeMap::new();
            for (src, dst) in &mounts {
                let target = if dst.is_empty() {
                    format!(
                        "{VM_HOME}/{}",
                        src.file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default()
                    )
                } else {
                    dst.clone()
                };
                recs.insert(
                    target,
                    MountRec {
                        source: src.to_string_lossy().into_owned(),
                        uid_mappings: vec![format!("{uid}:default")],
                        gid_mappings: vec![format!("{gid}:default")],
                        native: false,
                    },
                );
            }
            state.next_index += 1;
            state.instances.insert(
                name.clone(),
                Instance {
                    state: "Running".into(),
                    cpus,
                    memory: memory.unwrap_or_default(),
                    disk: disk.unwrap_or_default(),
                    image_release: release.clone(),
                    index: state.next_index,
                    mounts: recs,
                },
            );
            Ok(name)
        })
        .map_err(io_exit)?;
    let name = result?;
    let mut out = format!("Launched: {name}\n");
    for (src, dst) in &mounts {
        out.push_str(&format!(
            "Mounted '{}' into '{name}:{dst}'\n",
            src.display()
        ));
    }
    print!("{out}");
    Ok(0)
}

// ---------------------------------------------------------------- info / list

fn mounts_json(inst: &Instance) -> Value {
    let mut map = Map::new();
    for (target, m) in &inst.mounts {
        map.insert(
            target.clone(),
            json!({"gid_mappings": m.gid_mappings, "source_path": m.source,
                   "uid_mappings": m.uid_mappings}),
        );
    }
    Value::Object(map)
}

fn running_release(inst: &Instance) -> String {
    if inst.image_release.starts_with("24.04") {
        "Ubuntu 24.04.3 LTS".to_string()
    } else {
        format!("Ubuntu {}", inst.image_release)
    }
}

fn info_json(name: &str, inst: &Instance) -> Value {
    if inst.is_running() {
        let disk_total = inst.disk.saturating_sub(inst.disk / 25);
        let mem_total = inst.memory.saturating_sub(inst.memory / 25);
        json!({
            "cpu_count": inst.cpus.to_string(),
            "disks": {"sda1": {"total": disk_total.to_string(),
                               "used": (disk_total / 8).to_string()}},
            "image_hash": IMAGE_HASH,
            "image_release": inst.image_release,
            "ipv4": [inst.ip(name)],
            "load": [0.08, 0.03, 0.01],
            "memory": {"total": mem_total, "used": mem_total / 10},
            "mounts": mounts_json(inst),
            "release": running_release(inst),
            "snapshot_count": "0",
            "state": inst.state,
        })
    } else {
        json!({
            "cpu_count": "",
            "disks": {"sda1": {}},
            "image_hash": IMAGE_HASH,
            "image_release": inst.image_release,
            "ipv4": [],
            "load": [],
            "memory": {},
            "mounts": mounts_json(inst),
            "release": "",
            "snapshot_count": "0",
            "state": inst.state,
        })
    }
}

fn check_json_format(p: &Parsed) -> Result<(), Exit> {
    match p.value("format") {
        Some("json") => Ok(()),
        _ => Err(Exit::new(
            1,
            "fake-multipass: only `--format json` is implemented by the fake\n",
        )),
    }
}

fn info(ctx: &Ctx, args: &[String]) -> Res {
    let p = parse(
        args,
        &[
            (&["--format"], true, "format"),
            (&["--snapshots"], false, "snapshots"),
            (&["--all"], false, "all"),
            (&["--no-runtime-information"], false, "no-runtime"),
        ],
    )?;
    check_json_format(&p)?;
    let state = load_state(ctx)?;
    let names: Vec<String> = if p.pos.is_empty() {
        state.instances.keys().cloned().collect()
    } else {
        p.pos.clone()
    };
    let errors = require_existing(&state, &names);
    if !errors.is_empty() {
        return Err(following("info", &errors));
    }
    let mut info = Map::new();
    for name in names {
        if let Some(inst) = state.instances.get(&name) {
            let entry = info_json(&name, inst);
            info.insert(name, entry);
        }
    }
    print!("{}", to_qt_string(&json!({"errors": [], "info": info})));
    Ok(0)
}

fn list(ctx: &Ctx, args: &[String]) -> Res {
    let p = parse(
        args,
        &[
            (&["--format"], true, "format"),
            (&["--no-ipv4"], false, "no-ipv4"),
            (&["--snapshots"], false, "snapshots"),
        ],
    )?;
    if !p.pos.is_empty() {
        return Err(Exit::new(1, "This command takes no arguments\n"));
    }
    check_json_format(&p)?;
    let state = load_state(ctx)?;
    let list: Vec<Value> = state
        .instances
        .iter()
        .map(|(name, inst)| {
            let ipv4: Vec<String> = if inst.is_running() && !p.flag("no-ipv4") {
                vec![inst.ip(name)]
            } else {
                vec![]
            };
            json!({"ipv4": ipv4, "name": name,
                   "release": format!("Ubuntu {}", inst.image_release), "state": inst.state})
        })
        .collect();
    print!("{}", to_qt_string(&json!({ "list": list })));
    Ok(0)
}

// ---------------------------------------------------------------- lifecycle

fn start(ctx: &Ctx, args: &[String]) -> Res {
    let p = parse(
        args,
        &[
            (&["--all"], false, "all"),
            (&["--timeout"], true, "timeout"),
        ],
    )?;
    ctx.store
        .update(|state| {
            let names = targets(state, &p);
            let problems: Vec<String> = names
                .iter()
                .filter_map(|n| match state.instances.get(n) {
                    None => Some(format!("Instance '{n}' does not exist.")),
                    Some(i) if i.state == "Deleted" => Some(format!(
                        "Instance '{n}' is deleted. Use 'recover' to recover it or 'purge' to permanently delete it."
                    )),
                    _ => None,
                })
                .collect();
            if !problems.is_empty() {
                return Err(Exit::new(
                    2,
                    format!("start failed: instance(s) missing\n{}\n\n", problems.join("\n")),
                ));
            }
            for n in &names {
                if let Some(inst) = state.instances.get_mut(n) {
                    boot(ctx, n, inst);
                }
            }
            Ok(0)
        })
        .map_err(io_exit)?
}

fn stop(ctx: &Ctx, args: &[String]) -> Res {
    let p = parse(
        args,
        &[
            (&["--all"], false, "all"),
            (&["--force"], false, "force"),
            (&["-t", "--time"], true, "time"),
            (&["-c", "--cancel"], false, "cancel"),
        ],
    )?;
    ctx.store
        .update(|state| {
            let names = targets(state, &p);
            let errors = require_operative(state, &names);
            if !errors.is_empty() {
                return Err(following("stop", &errors));
            }
            if p.flag("cancel") {
                return Ok(0);
            }
            for n in &names {
                if let Some(inst) = state.instances.get_mut(n) {
                    if inst.state == "Suspended" && !p.flag("force") {
                        return Err(Exit::new(
                            2,
                            format!("stop failed: Cannot shut down suspended instance {n}.\n"),
                        ));
                    }
                    inst.state = "Stopped".to_string();
                }
            }
            Ok(0)
        })
        .map_err(io_exit)?
}

fn suspend(ctx: &Ctx, args: &[String]) -> Res {
    let p = parse(args, &[(&["--all"], false, "all")])?;
    ctx.store
        .update(|state| {
            let names = targets(state, &p);
            let errors = require_operative(state, &names);
            if !errors.is_empty() {
                return Err(following("suspend", &errors));
            }
            for n in &names {
                if let Some(inst) = state.instances.get_mut(n) {
                    if inst.is_running() {
                        inst.state = "Suspended".to_string();
                    }
                }
            }
            Ok(0)
        })
        .map_err(io_exit)?
}

fn restart(ctx: &Ctx, args: &[String]) -> Res {
    let p = parse(
        args,
        &[
            (&["--all"], false, "all"),
            (&["--timeout"], true, "timeout"),
        ],
    )?;
    ctx.store
        .update(|state| {
            let names = targets(state, &p);
            let errors = require_operative(state, &names);
            if !errors.is_empty() {
                return Err(following("restart", &errors));
            }
            for n in &names {
                if let Some(inst) = state.instances.get(n) {
                    if !inst.is_running() {
                        return Err(Exit::new(
                            2,
                            format!(
                                "restart failed: Instance '{n}' is already running, but in an unknown state.\nTry to stop and start it instead.\n"
                            ),
                        ));
                    }
                }
            }
            for n in &names {
                ctx.store.clear_tmp(n);
            }
            Ok(0)
        })
        .map_err(io_exit)?
}

fn delete(ctx: &Ctx, args: &[String]) -> Res {
    let p = parse(
        args,
        &[
            (&["--all"], false, "all"),
            (&["-p", "--purge"], false, "purge"),
        ],
    )?;
    if p.pos.is_empty() && !p.flag("all") {
        return Err(Exit::new(1, "Not enough arguments given\n"));
    }
    ctx.store
        .update(|state| {
            let names = targets(state, &p);
            let errors = require_existing(state, &names);
            if !errors.is_empty() {
                return Err(following("delete", &errors));
            }
            for n in &names {
                if p.flag("purge") {
                    state.instances.remove(n);
                    let _ = fs::remove_dir_all(ctx.store.instance_dir(n));
                } else if let Some(inst) = state.instances.get_mut(n) {
                    inst.state = "Deleted".to_string();
                }
            }
            Ok(0)
        })
        .map_err(io_exit)?
}

fn purge(ctx: &Ctx, args: &[String]) -> Res {
    let p = parse(args, &[])?;
    if !p.pos.is_empty() {
        return Err(Exit::new(1, "This command takes no arguments\n"));
    }
    ctx.store
        .update(|state| {
            let gone: Vec<String> = state
                .instances
                .iter()
                .filter(|(_, i)| i.state == "Deleted")
                .map(|(n, _)| n.clone())
                .collect();
            for n in gone {
                state.instances.remove(&n);
                let _ = fs::remove_dir_all(ctx.store.instance_dir(&n));
            }
            Ok(0)
        })
        .map_err(io_exit)?
}

fn recover(ctx: &Ctx, args: &[String]) -> Res {
    let p = parse(args, &[(&["--all"], false, "all")])?;
    ctx.store
        .update(|state| {
            let names = targets(state, &p);
            let errors = require_existing(state, &names);
            if !errors.is_empty() {
                return Err(following("recover", &errors));
            }
            for n in &names {
                if let Some(inst) = state.instances.get_mut(n) {
                    if inst.state == "Deleted" {
                        inst.state = "Stopped".to_string();
                    }
                }
            }
            Ok(0)
        })
        .map_err(io_exit)?
}

// ---------------------------------------------------------------- mounts

fn refused_target(target: &Path) -> bool {
    let t = target.to_string_lossy();
    t == "/"
        || t == "/home"
        || t == VM_HOME
        || ["/dev", "/proc", "/sys"]
            .iter()
            .any(|p| t == *p || t.starts_with(&format!("{p}/")))
}

fn valid_map(m: &str) -> bool {
    m.split_once(':').is_some_and(|(a, b)| {
        !a.is_empty()
            && !b.is_empty()
            && a.bytes().all(|c| c.is_ascii_digit())
            && b.bytes().all(|c| c.is_ascii_digit())
    })
}

fn mount(ctx: &Ctx, args: &[String]) -> Res {
    let p = parse(
        args,
        &[
            (&["-t", "--type"], true, "type"),
            (&["-u", "--uid-map"], true, "uid"),
            (&["-g", "--gid-map"], true, "gid"),
        ],
    )?;
    if p.pos.len() < 2 {
        return Err(Exit::new(1, "Not enough arguments given\n"));
    }
    let native = match p.value("type").unwrap_or("classic") {
        "classic" => false,
        "native" => true,
        other => {
            return Err(Exit::new(
                1,
                format!(
                    "error: Bad mount type '{other}' specified, please use 'classic' or 'native'\n"
                ),
            ))
        }
    };
    for m in p.all("uid") {
        if !valid_map(&m) {
            return Err(Exit::new(1, format!("Invalid UID map given: {m}\n")));
        }
    }
    for m in p.all("gid") {
        if !valid_map(&m) {
            return Err(Exit::new(1, format!("Invalid GID map given: {m}\n")));
        }
    }
    let source = absolute(&p.pos[0]);
    let shown = source.display();
    match fs::metadata(&source) {
        Err(_) => {
            return Err(Exit::new(
                1,
                format!("Source path \"{shown}\" does not exist\n"),
            ))
        }
        Ok(m) if !m.is_dir() => {
            return Err(Exit::new(
                1,
                format!("Source path \"{shown}\" is not a directory\n"),
            ))
        }
        Ok(_) if fs::read_dir(&source).is_err() => {
            return Err(Exit::new(
                1,
                format!("Source path \"{shown}\" is not readable\n"),
            ))
        }
        Ok(_) => {}
    }
    let (uid, gid) = uid_gid();
    let uid_maps = {
        let given = p.all("uid");
        if given.is_empty() {
            vec![format!("{uid}:default")]
        } else {
            given
        }
    };
    let gid_maps = {
        let given = p.all("gid");
        if given.is_empty() {
            vec![format!("{gid}:default")]
        } else {
            given
        }
    };
    let default_target = format!(
        "{VM_HOME}/{}",
        source
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    );
    let requests: Vec<(String, String)> = p.pos[1..]
        .iter()
        .map(|spec| match spec.split_once(':') {
            Some((vm, t)) if !t.is_empty() => (vm.to_string(), t.to_string()),
            Some((vm, _)) => (vm.to_string(), default_target.clone()),
            None => (spec.clone(), default_target.clone()),
        })
        .collect();
    ctx.store
        .update(|state| {
            let missing_vms: Vec<String> = requests
                .iter()
                .filter(|(vm, _)| !state.instances.contains_key(vm))
                .map(|(vm, _)| format!("instance '{vm}' does not exist"))
                .collect();
            if !missing_vms.is_empty() {
                return Err(following("mount", &missing_vms));
            }
            let mut errors = Vec::new();
            for (vm, target) in &requests {
                let Some(inst) = state.instances.get_mut(vm) else {
                    continue;
                };
                if refused_target(&vm_absolute(target)) {
                    errors.push(format!("unable to mount to \"{target}\""));
                    continue;
                }
                if inst.mounts.contains_key(target) {
                    errors.push(format!("\"{target}\" is already mounted in '{vm}'"));
                    continue;
                }
                if native && inst.is_running() {
                    return Err(Exit::new(
                        2,
                        format!(
                            "mount failed: Please stop the instance {vm} before attempting native mounts.\n"
                        ),
                    ));
                }
                inst.mounts.insert(
                    target.clone(),
                    MountRec {
                        source: source.to_string_lossy().into_owned(),
                        uid_mappings: uid_maps.clone(),
                        gid_mappings: gid_maps.clone(),
                        native,
                    },
                );
            }
            if errors.is_empty() {
                Ok(0)
            } else {
                Err(following("mount", &errors))
            }
        })
        .map_err(io_exit)?
}

fn umount(ctx: &Ctx, args: &[String]) -> Res {
    let p = parse(args, &[])?;
    if p.pos.is_empty() {
        return Err(Exit::new(1, "Not enough arguments given\n"));
    }
    ctx.store
        .update(|state| {
            let mut errors = Vec::new();
            for spec in &p.pos {
                let (vm, target) = match spec.split_once(':') {
                    Some((vm, t)) if !t.is_empty() => (vm, Some(t)),
                    Some((vm, _)) => (vm, None),
                    None => (spec.as_str(), None),
                };
                let Some(inst) = state.instances.get_mut(vm) else {
                    errors.push(format!("instance '{vm}' does not exist"));
                    continue;
                };
                match target {
                    None => inst.mounts.clear(),
                    Some(t) => {
                        if inst.mounts.remove(t).is_none() {
                            errors.push(format!("path \"{t}\" is not mounted in '{vm}'"));
                        }
                    }
                }
            }
            if errors.is_empty() {
                Ok(0)
            } else {
                Err(following("umount", &errors))
            }
        })
        .map_err(io_exit)?
}

// ---------------------------------------------------------------- exec / shell

/// Makes sure the instance exists and is operative, starting it if it is down (as the real
/// client does for `exec` and `shell`). Returns the instance as it is now. `times` is how
/// often a missing instance's error is printed (a deleted one's is printed once: the `info`
/// call that prints the first copy succeeds for it).
fn ready_instance(ctx: &Ctx, cmd: &str, name: &str, times: usize) -> Result<Instance, Exit> {
    ctx.store
        .update(|state| {
            let errors = require_operative(state, &[name.to_string()]);
            if !errors.is_empty() {
                let one = following(cmd, &errors);
                let times = if state.instances.contains_key(name) {
                    1
                } else {
                    times
                };
                return Err(Exit::new(one.code, one.stderr.repeat(times)));
            }
            let inst = state
                .instances
                .get_mut(name)
                .ok_or_else(|| following(cmd, &[missing(name)]))?;
            boot(ctx, name, inst);
            Ok(inst.clone())
        })
        .map_err(io_exit)?
}

/// With no `--working-directory`: the matching folder under a mount if the current
/// directory is inside a mount's source, else the home (as 1.16 maps it).
fn mapped_workdir(inst: &Instance) -> String {
    let Ok(cwd) = std::env::current_dir() else {
        return VM_HOME.to_string();
    };
    let cwd = cwd.canonicalize().unwrap_or(cwd);
    inst.mounts
        .iter()
        .filter_map(|(target, m)| {
            let source = Path::new(&m.source);
            let source = source
                .canonicalize()
                .unwrap_or_else(|_| source.to_path_buf());
            cwd.strip_prefix(&source)
                .ok()
                .map(|rest| (source.components().count(), vm_absolute(target).join(rest)))
        })
        .max_by_key(|(depth, _)| *depth)
        .map(|(_, p)| p.to_string_lossy().into_owned())
        .unwrap_or_else(|| VM_HOME.to_string())
}

fn run_in_sandbox(ctx: &Ctx, name: &str, inst: &Instance, workdir: &str, argv: &[String]) -> Res {
    let mut cmd = sandbox::command(&ctx.store, name, inst, workdir, argv);
    let status = cmd.status().map_err(|e| {
        Exit::new(
            2,
            format!("exec failed: fake-multipass could not start bubblewrap: {e}\n"),
        )
    })?;
    Ok(status.code().unwrap_or(255))
}

fn exec(ctx: &Ctx, args: &[String]) -> Res {
    let p = parse(
        args,
        &[
            (&["-d", "--working-directory"], true, "workdir"),
            (&["-n", "--no-map-working-directory"], false, "no-map"),
        ],
    )
    .map_err(|e| {
        if args.iter().any(|a| a == "--") {
            e
        } else {
            Exit::new(
                e.code,
                format!(
                    "{}\nOptions to the inner command should come after \"--\", like this:\nmultipass exec <instance> -- <command>\n",
                    e.stderr
                ),
            )
        }
    })?;
    let mut words = p.pos.clone();
    words.extend(p.rest.clone().unwrap_or_default());
    if words.len() < 2 {
        return Err(Exit::new(1, "Wrong number of arguments\n"));
    }
    if p.value("workdir").is_some() && p.flag("no-map") {
        return Err(Exit::new(
            1,
            "Options --working-directory and --no-map-working-directory clash\n",
        ));
    }
    let name = words[0].clone();
    // Without -d or -n the real client asks `info` first and prints the error twice.
    let times = if p.value("workdir").is_some() || p.flag("no-map") {
        1
    } else {
        2
    };
    let inst = ready_instance(ctx, "exec", &name, times)?;
    let workdir = match p.value("workdir") {
        Some(d) => d.to_string(),
        None if p.flag("no-map") => VM_HOME.to_string(),
        None => mapped_workdir(&inst),
    };
    // The real client escapes each word for the VM's shell and turns a newline into a
    // backslash and an `n` (utils::escape_for_shell); the command sees that.
    let command: Vec<String> = words[1..].iter().map(|w| w.replace('\n', "\\n")).collect();
    let code = run_in_sandbox(ctx, &name, &inst, &workdir, &command)?;
    if code == 4 {
        return Err(Exit::new(
            REMOTE_4_EXIT,
            format!(
                "fake-multipass: the command in the VM exited with 4; multipass 1.16 would re-run it forever (issue #3771). Exiting {REMOTE_4_EXIT} instead.\n"
            ),
        ));
    }
    Ok(code)
}

fn shell(ctx: &Ctx, args: &[String]) -> Res {
    let p = parse(args, &[(&["--timeout"], true, "timeout")])?;
    let name = p.pos.first().cloned().unwrap_or_else(|| "primary".into());
    let inst = ready_instance(ctx, "shell", &name, 1)?;
    run_in_sandbox(ctx, &name, &inst, VM_HOME, &["bash".to_string()])?;
    // Multipass 1.16 exits 0 whatever the shell returned (its issue #3054).
    Ok(0)
}

// ---------------------------------------------------------------- transfer

enum End {
    Stdio,
    Host(PathBuf),
    Vm { name: String, path: PathBuf },
}

fn end_of(arg: &str) -> End {
    if arg == "-" {
        return End::Stdio;
    }
    if let Some((vm, path)) = arg.split_once(':') {
        if valid_name(vm) {
            let path = if path.is_empty() { "." } else { path };
            return End::Vm {
                name: vm.to_string(),
                path: vm_absolute(path),
            };
        }
    }
    End::Host(absolute(arg))
}

fn copy_tree(from: &Path, to: &Path, recursive: bool) -> Result<(), String> {
    let meta = fs::symlink_metadata(from).map_err(|e| format!("{}: {e}", from.display()))?;
    if meta.is_dir() {
        if !recursive {
            return Err(format!("{} is a directory (use -r)", from.display()));
        }
        fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
        let entries = fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))?;
        for entry in entries.flatten() {
            copy_tree(&entry.path(), &to.join(entry.file_name()), true)?;
        }
        Ok(())
    } else if meta.file_type().is_symlink() {
        // Not followed with -r, as Multipass does.
        Ok(())
    } else {
        fs::copy(from, to)
            .map(|_| ())
            .map_err(|e| format!("{}: {e}", to.display()))
    }
}

fn transfer(ctx: &Ctx, args: &[String]) -> Res {
    let p = parse(
        args,
        &[
            (&["-r", "--recursive"], false, "recursive"),
            (&["-p", "--parents"], false, "parents"),
        ],
    )?;
    if p.pos.len() < 2 {
        return Err(Exit::new(1, "Not enough arguments given\n"));
    }
    if p.pos.iter().filter(|a| *a == "-").count() > 1 {
        return Err(Exit::new(1, "Only one '-' allowed\n"));
    }
    let ends: Vec<End> = p.pos.iter().map(|a| end_of(a)).collect();
    let (sources, dest) = ends.split_at(ends.len() - 1);
    let dest = &dest[0];
    let vm_sources = sources
        .iter()
        .filter(|e| matches!(e, End::Vm { .. }))
        .count();
    let dest_vm = matches!(dest, End::Vm { .. });
    if vm_sources == 0 && !dest_vm {
        return Err(Exit::new(
            1,
            "An instance name is needed for either source or destination\n",
        ));
    }
    if vm_sources > 0 && dest_vm {
        return Err(Exit::new(
            1,
            "Cannot specify an instance name for both source and destination\n",
        ));
    }
    let state = load_state(ctx)?;
    let mut resolved: Vec<(PathBuf, bool)> = Vec::new(); // host path, is stdio
    let resolve = |end: &End, writing: bool| -> Result<(PathBuf, bool), Exit> {
        match end {
            End::Stdio => Ok((PathBuf::new(), true)),
            End::Host(p) => Ok((p.clone(), false)),
            End::Vm { name, path } => {
                let inst = match state.instances.get(name) {
                    None => return Err(following("transfer", &[missing(name)])),
                    Some(i) if i.state == "Deleted" => {
                        return Err(following("transfer", &[deleted(name)]))
                    }
                    Some(i) if !i.is_running() => {
                        return Err(Exit::new(
                            2,
                            format!("transfer failed: instance \"{name}\" is not running\n"),
                        ))
                    }
                    Some(i) => i,
                };
                match sandbox::host_path_for(&ctx.store, name, inst, path) {
                    Some(h) => Ok((h, false)),
                    None if !writing => Ok((path.clone(), false)),
                    None => Err(Exit::new(
                        2,
                        format!(
                            "transfer failed: [sftp] cannot write {}: read-only in the fake VM\n",
                            path.display()
                        ),
                    )),
                }
            }
        }
    };
    for s in sources {
        resolved.push(resolve(s, false)?);
    }
    let (dest_path, dest_stdio) = resolve(dest, true)?;
    let recursive = p.flag("recursive");
    if dest_stdio {
        let (src, _) = &resolved[0];
        let bytes = fs::read(src).map_err(|e| {
            Exit::new(
                2,
                format!("transfer failed: [sftp] {}: {e}\n", src.display()),
            )
        })?;
        let _ = std::io::stdout().write_all(&bytes);
        return Ok(0);
    }
    if resolved.len() == 1 && resolved[0].1 {
        let mut bytes = Vec::new();
        let _ = std::io::stdin().read_to_end(&mut bytes);
        if p.flag("parents") {
            if let Some(parent) = dest_path.parent() {
                let _ = fs::create_dir_all(parent);
            }
        }
        fs::write(&dest_path, bytes).map_err(|e| {
            Exit::new(
                2,
                format!("transfer failed: [sftp] {}: {e}\n", dest_path.display()),
            )
        })?;
        return Ok(0);
    }
    if resolved.len() > 1 && !dest_path.is_dir() {
        return Err(Exit::new(
            2,
            format!(
                "transfer failed: Target \"{}\" is not a directory\n",
                p.pos[p.pos.len() - 1]
            ),
        ));
    }
    if p.flag("parents") {
        let dir = if resolved.len() > 1 {
            Some(dest_path.as_path())
        } else {
            dest_path.parent()
        };
        if let Some(d) = dir {
            let _ = fs::create_dir_all(d);
        }
    } else if dest_path.parent().is_some_and(|d| !d.exists()) {
        return Err(Exit::new(
            2,
            "transfer failed: [sftp] remote target does not exist\n",
        ));
    }
    for (src, _) in &resolved {
        let target = if dest_path.is_dir() {
            dest_path.join(src.file_name().unwrap_or_default())
        } else {
            dest_path.clone()
        };
        copy_tree(src, &target, recursive)
            .map_err(|e| Exit::new(2, format!("transfer failed: [sftp] {e}\n")))?;
    }
    Ok(0)
}

// ---------------------------------------------------------------- version

fn version(args: &[String]) -> Res {
    let p = parse(args, &[(&["--format"], true, "format")])?;
    let v = "1.16.3+fake";
    match p.value("format") {
        Some("json") => print!(
            "{}",
            to_qt_string(&json!({"multipass": v, "multipassd": v}))
        ),
        _ => println!("multipass   {v}\nmultipassd  {v}"),
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("4G"), Some(4 << 30));
        assert_eq!(parse_size("4096M"), Some(4 << 30));
        assert_eq!(parse_size("1.5GiB"), Some(3 << 29));
        assert_eq!(parse_size("100"), Some(100));
        assert_eq!(parse_size("x"), None);
    }

    #[test]
    fn names() {
        assert!(valid_name("agent-vm2"));
        assert!(!valid_name("bad_name"));
        assert!(!valid_name("1vm"));
        assert!(!valid_name("vm-"));
    }
}
