//! The fake's instances, kept in `$FAKE_MULTIPASS_STATE/state.json` and changed under a lock
//! (`$FAKE_MULTIPASS_STATE/state.lock`) so parallel calls do not lose updates.
//!
//! Per instance there is a directory `$FAKE_MULTIPASS_STATE/instances/<name>/` with `home/`
//! (bound at `/home/ubuntu`), `bin/` (bound at `/usr/local/bin`), `tmp/` (bound at `/tmp`,
//! emptied at each start) and `cloud-init.yaml` (the user data given at launch, if any).

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};

/// One saved mount of an instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountRec {
    pub source: String,
    pub uid_mappings: Vec<String>,
    pub gid_mappings: Vec<String>,
    pub native: bool,
}

/// One instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    pub state: String,
    pub cpus: u32,
    pub memory: u64,
    pub disk: u64,
    pub image_release: String,
    /// Gives the instance its address, 10.97.0.<index + 1>.
    pub index: u32,
    /// Keyed by target, as given.
    pub mounts: BTreeMap<String, MountRec>,
}

impl Instance {
    pub fn is_running(&self) -> bool {
        self.state == "Running"
    }

    /// The instance's address: `10.97.0.<index + 2>`, unless `FAKE_MULTIPASS_IPV4` names
    /// one (`ADDR` for every instance, or `NAME=ADDR,NAME=ADDR`), so a test can point agsekit
    /// at a real service on the host (an sshd on loopback) as if it were the VM.
    pub fn ip(&self, name: &str) -> String {
        if let Ok(spec) = std::env::var("FAKE_MULTIPASS_IPV4") {
            for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                match item.split_once('=') {
                    Some((n, addr)) if n == name => return addr.to_string(),
                    Some(_) => {}
                    None => return item.to_string(),
                }
            }
        }
        format!("10.97.0.{}", self.index % 250 + 2)
    }
}

#[derive(Debug, Default)]
pub struct State {
    pub instances: BTreeMap<String, Instance>,
    pub next_index: u32,
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect()
        })
        .unwrap_or_default()
}

impl State {
    fn from_value(v: &Value) -> State {
        let mut state = State {
            next_index: v.get("next_index").and_then(Value::as_u64).unwrap_or(0) as u32,
            ..State::default()
        };
        if let Some(map) = v.get("instances").and_then(Value::as_object) {
            for (name, i) in map {
                let mut mounts = BTreeMap::new();
                if let Some(m) = i.get("mounts").and_then(Value::as_object) {
                    for (target, rec) in m {
                        mounts.insert(
                            target.clone(),
                            MountRec {
                                source: rec
                                    .get("source")
                                    .and_then(Value::as_str)
                                    .unwrap_or_default()
                                    .to_string(),
                                uid_mappings: strings(rec.get("uid_mappings")),
                                gid_mappings: strings(rec.get("gid_mappings")),
                                native: rec.get("native").and_then(Value::as_bool).unwrap_or(false),
                            },
                        );
                    }
                }
                let num = |k: &str| i.get(k).and_then(Value::as_u64).unwrap_or(0);
                state.instances.insert(
                    name.clone(),
                    Instance {
                        state: i
                            .get("state")
                            .and_then(Value::as_str)
                            .unwrap_or("Unknown")
                            .to_string(),
                        cpus: num("cpus") as u32,
                        memory: num("memory"),
                        disk: num("disk"),
                        image_release: i
                            .get("image_release")
                            .and_then(Value::as_str)
                            .unwrap_or("24.04 LTS")
                            .to_string(),
                        index: num("index") as u32,
                        mounts,
                    },
                );
            }
        }
        state
    }

    fn to_value(&self) -> Value {
        let mut instances = Map::new();
        for (name, i) in &self.instances {
            let mut mounts = Map::new();
            for (target, m) in &i.mounts {
                mounts.insert(
                    target.clone(),
                    json!({"source": m.source, "uid_mappings": m.uid_mappings,
                           "gid_mappings": m.gid_mappings, "native": m.native}),
                );
            }
            instances.insert(
                name.clone(),
                json!({"state": i.state, "cpus": i.cpus, "memory": i.memory, "disk": i.disk,
                       "image_release": i.image_release, "index": i.index, "mounts": mounts}),
            );
        }
        json!({"instances": instances, "next_index": self.next_index})
    }
}

/// The state directory and access to it.
pub struct Store {
    pub dir: PathBuf,
}

impl Store {
    pub fn new(dir: PathBuf) -> Store {
        Store { dir }
    }

    pub fn instance_dir(&self, name: &str) -> PathBuf {
        self.dir.join("instances").join(name)
    }

    pub fn home_dir(&self, name: &str) -> PathBuf {
        self.instance_dir(name).join("home")
    }

    pub fn bin_dir(&self, name: &str) -> PathBuf {
        self.instance_dir(name).join("bin")
    }

    pub fn tmp_dir(&self, name: &str) -> PathBuf {
        self.instance_dir(name).join("tmp")
    }

    /// Creates the per-instance directories.
    pub fn make_instance_dirs(&self, name: &str) -> std::io::Result<()> {
        for dir in [self.home_dir(name), self.bin_dir(name), self.tmp_dir(name)] {
            fs::create_dir_all(dir)?;
        }
        Ok(())
    }

    /// Empties the instance's /tmp, as a boot would.
    pub fn clear_tmp(&self, name: &str) {
        let tmp = self.tmp_dir(name);
        let _ = fs::remove_dir_all(&tmp);
        let _ = fs::create_dir_all(&tmp);
    }

    fn read(&self) -> Result<State, String> {
        let path = self.dir.join("state.json");
        match fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str::<Value>(&text)
                .map(|v| State::from_value(&v))
                .map_err(|e| format!("{}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(State::default()),
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }

    fn write(&self, state: &State) -> Result<(), String> {
        let path = self.dir.join("state.json");
        let tmp = self.dir.join("state.json.tmp");
        let text = serde_json::to_string_pretty(&state.to_value()).map_err(|e| e.to_string())?;
        fs::write(&tmp, text).map_err(|e| format!("{}: {e}", tmp.display()))?;
        fs::rename(&tmp, &path).map_err(|e| format!("{}: {e}", path.display()))
    }

    fn lock(&self) -> Result<File, String> {
        fs::create_dir_all(&self.dir).map_err(|e| format!("{}: {e}", self.dir.display()))?;
        let path = self.dir.join("state.lock");
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        file.lock()
            .map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(file)
    }

    /// Reads the state, lets `f` change it, and writes it back, all under the lock. The state
    /// is written even when `f` returns an error (a command may change some instances and
    /// fail on others, as Multipass does).
    pub fn update<T>(&self, f: impl FnOnce(&mut State) -> T) -> Result<T, String> {
        let _lock = self.lock()?;
        let mut state = self.read()?;
        let out = f(&mut state);
        self.write(&state)?;
        Ok(out)
    }

    /// A snapshot of the state.
    pub fn load(&self) -> Result<State, String> {
        let _lock = self.lock()?;
        self.read()
    }

    /// Appends one line to `calls.log`.
    pub fn log_call(&self, line: &Value) {
        let _ = fs::create_dir_all(&self.dir);
        if let Ok(mut f) = OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join("calls.log"))
        {
            let _ = f.write_all(format!("{line}\n").as_bytes());
        }
    }

    /// How many times the failure rule `key` has fired, then counts this one.
    pub fn bump_fail_count(&self, key: &str) -> Result<u64, String> {
        let _lock = self.lock()?;
        let path = self.dir.join("fail-counts.json");
        let mut counts: Map<String, Value> = fs::read_to_string(&path)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default();
        let seen = counts.get(key).and_then(Value::as_u64).unwrap_or(0);
        counts.insert(key.to_string(), json!(seen + 1));
        fs::write(&path, Value::Object(counts).to_string())
            .map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(seen)
    }
}

/// `path` made absolute against the current directory, without resolving symlinks (as
/// Qt's `QDir::absolutePath` does).
pub fn absolute(path: &str) -> PathBuf {
    let p = Path::new(path);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(p))
            .unwrap_or_else(|_| p.to_path_buf())
    }
}
