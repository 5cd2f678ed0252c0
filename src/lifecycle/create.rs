//! `create-vm` / `create-vms`: compare existing VMs with the config, check the host has room,
//! launch the missing ones with cloud-init, then provision every VM (start, SSH key, base
//! packages, the VM-side launcher, the `install:` bundles).

use std::time::Duration;

use crate::config::{cloud_init, Config, VmConfig, VmImage};
use crate::error::UserError;
use crate::process::{Cmd, Runner};
use crate::provision::{self, BundleOptions, ResultStatus, ScriptRun};
use crate::t;
use crate::ui::human_bytes;
use crate::vm::{ExecSpec, ImageSpec, LaunchSpec, VmBackend, VmError, VmInfo, VmState};

use super::ssh::{ensure_keypair, forget_host_keys};
use super::{vm_err, Notice};

/// A difference between an existing VM and its config entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// `CPU`, `memory` or `disk`.
    pub what: &'static str,
    pub configured: String,
    pub actual: String,
}

/// Relative tolerance for memory and disk: the guest reports a little less than it was given.
const SIZE_TOLERANCE: f64 = 0.10;

/// Compares a VM's config with what the backend reports: CPU exactly, memory and disk within
/// 10%. Values the backend does not report (a stopped VM) are not compared.
pub fn compare(vm: &VmConfig, info: &VmInfo) -> Vec<Mismatch> {
    let mut out = Vec::new();
    if let Some(cpus) = info.cpu_count {
        if cpus != vm.cpu {
            out.push(Mismatch {
                what: "CPU",
                configured: vm.cpu.to_string(),
                actual: cpus.to_string(),
            });
        }
    }
    for (what, configured, text, usage) in [
        ("memory", vm.ram_bytes, &vm.ram, info.memory),
        ("disk", vm.disk_bytes, &vm.disk, info.disk),
    ] {
        if let Some(total) = usage.and_then(|u| u.total) {
            let diff = (total as f64 - configured as f64).abs();
            if configured > 0 && diff / configured as f64 > SIZE_TOLERANCE {
                out.push(Mismatch {
                    what,
                    configured: text.clone(),
                    actual: human_bytes(total),
                });
            }
        }
    }
    out
}

/// CPUs and memory of the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostResources {
    pub cpus: u32,
    pub memory: u64,
}

/// What the host has: CPUs from the scheduler, memory from `/proc/meminfo` (Linux) or
/// `sysctl -n hw.memsize` (macOS). `None` when it cannot be told.
///
/// `AGSEKIT_HOST_CPUS` (a whole number) and `AGSEKIT_HOST_MEMORY` (a size such as `8G`)
/// replace what is detected, each on its own: for containers, where `/proc/meminfo` shows the
/// machine rather than the container's limit, and for tests that play a small laptop. A value
/// that does not parse counts as unknown (the capacity check is then skipped with a notice).
pub fn host_resources(runner: &dyn Runner) -> Option<HostResources> {
    let given = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let cpus = match given("AGSEKIT_HOST_CPUS") {
        Some(v) => v.trim().parse::<u32>().ok().filter(|n| *n > 0)?,
        None => std::thread::available_parallelism().ok()?.get() as u32,
    };
    if let Some(v) = given("AGSEKIT_HOST_MEMORY") {
        let memory = crate::config::rules::parse_size(&v).ok()?;
        return Some(HostResources { cpus, memory });
    }
    let memory = match std::fs::read_to_string("/proc/meminfo") {
        Ok(text) => text.lines().find_map(|l| {
            let rest = l.strip_prefix("MemTotal:")?;
            let kb: u64 = rest.trim().trim_end_matches("kB").trim().parse().ok()?;
            Some(kb * 1024)
        })?,
        Err(_) => {
            let out = runner
                .capture(&Cmd::new("sysctl").args(["-n", "hw.memsize"]))
                .ok()?;
            out.stdout_text().trim().parse().ok()?
        }
    };
    Some(HostResources { cpus, memory })
}

const GIB: u64 = 1024 * 1024 * 1024;

/// Refuses when the VMs to create, with what running VMs already use, would leave the host
/// less than 1 CPU or 1 GiB of memory (the rule of agsekit 1.7.4).
pub fn check_capacity(
    host: HostResources,
    used: (u32, u64),
    planned: &[&VmConfig],
) -> Result<(), UserError> {
    let want_cpu: u32 = planned.iter().map(|v| v.cpu).sum();
    let want_mem: u64 = planned.iter().map(|v| v.ram_bytes).sum();
    let free_cpu = host.cpus as i64 - used.0 as i64 - want_cpu as i64;
    let free_mem = host.memory as i128 - used.1 as i128 - want_mem as i128;
    if free_cpu >= 1 && free_mem >= GIB as i128 {
        return Ok(());
    }
    let names: Vec<&str> = planned.iter().map(|v| v.name.as_str()).collect();
    Err(UserError::failed(t!(
        "lifecycle.create.no_room",
        names = names.join(", "),
        want_cpu = want_cpu,
        want_mem = human_bytes(want_mem),
        host_cpu = host.cpus,
        host_mem = human_bytes(host.memory),
        used_cpu = used.0,
        used_mem = human_bytes(used.1),
    ))
    .hint(t!("lifecycle.create.no_room_hint")))
}

/// How one provisioning script ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepReport {
    pub name: String,
    pub status: ResultStatus,
    pub version: Option<String>,
}

/// What happened to one VM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VmReport {
    pub name: String,
    /// True when this run launched it.
    pub launched: bool,
    pub mismatches: Vec<Mismatch>,
    pub steps: Vec<StepReport>,
}

/// Options from the environment: `AGSEKIT_MULTIPASS_LAUNCH_TIMEOUT_SECONDS` (1.7.4's name).
pub fn launch_timeout() -> Result<Option<u32>, UserError> {
    match std::env::var("AGSEKIT_MULTIPASS_LAUNCH_TIMEOUT_SECONDS") {
        Err(_) => Ok(None),
        Ok(v) if v.trim().is_empty() => Ok(None),
        Ok(v) => match v.trim().parse::<u32>() {
            Ok(n) if n > 0 => Ok(Some(n)),
            _ => Err(UserError::usage(t!(
                "lifecycle.create.bad_timeout",
                value = v
            ))),
        },
    }
}

/// Creates (when missing) and provisions `vms`. Existing VMs are never resized: differences
/// come back in the report.
pub fn create_vms(
    config: &Config,
    backend: &dyn VmBackend,
    runner: &dyn Runner,
    vms: &[&VmConfig],
    notice: Notice,
) -> anyhow::Result<Vec<VmReport>> {
    let keys = ensure_keypair(runner, &config.global.ssh_keys_folder)?;
    if keys.created {
        notice(&t!(
            "lifecycle.create.key_created",
            path = keys.private.display()
        ));
    }
    let timeout = launch_timeout()?;
    let mut reports = Vec::new();
    let mut absent: Vec<&VmConfig> = Vec::new();
    for vm in vms {
        match backend.info(&vm.name) {
            Ok(info) if info.state == VmState::Deleted => {
                return Err(
                    UserError::vm(t!("lifecycle.create.deleted", name = vm.name))
                        .hint(t!("lifecycle.create.deleted_hint", name = vm.name))
                        .into(),
                )
            }
            Ok(info) => {
                let mismatches = compare(vm, &info);
                notice(&t!("lifecycle.create.exists", name = vm.name));
                reports.push(VmReport {
                    name: vm.name.clone(),
                    launched: false,
                    mismatches,
                    steps: Vec::new(),
                });
            }
            Err(VmError::InstanceMissing { .. }) => {
                absent.push(vm);
                reports.push(VmReport {
                    name: vm.name.clone(),
                    launched: true,
                    mismatches: Vec::new(),
                    steps: Vec::new(),
                });
            }
            Err(e) => return Err(vm_err(e)),
        }
    }
    if !absent.is_empty() {
        let used = running_allocations(backend)?;
        match host_resources(runner) {
            Some(host) => check_capacity(host, used, &absent)?,
            None => notice(&t!("lifecycle.create.no_host_facts")),
        }
        for vm in &absent {
            let user_data =
                cloud_init::with_authorized_key(&vm.name, vm.cloud_init.as_deref(), &keys.public)?;
            let spec = LaunchSpec {
                name: vm.name.clone(),
                cpus: vm.cpu,
                memory: vm.ram.clone(),
                disk: vm.disk.clone(),
                image: launch_image(vm),
                cloud_init: Some(user_data),
                timeout_secs: timeout,
            };
            notice(&t!(
                "lifecycle.create.launching",
                name = vm.name,
                cpu = vm.cpu,
                ram = vm.ram,
                disk = vm.disk
            ));
            launch_with_retry(backend, &spec, notice)?;
            // agsekit's own known_hosts is only used to reach this endpoint: forget what an
            // older VM at the same address left there.
            if let Ok(endpoint) = backend.ssh_endpoint(&vm.name) {
                forget_host_keys(
                    runner,
                    &config.global.ssh_keys_folder,
                    &[endpoint.known_hosts_name()],
                );
            }
        }
    }
    for (vm, report) in vms.iter().zip(reports.iter_mut()) {
        report.steps = provision_vm(backend, vm, &keys.public, notice)?;
    }
    Ok(reports)
}

/// CPUs and memory that running VMs hold.
fn running_allocations(backend: &dyn VmBackend) -> anyhow::Result<(u32, u64)> {
    let all = backend.info_all().map_err(vm_err)?;
    Ok(all
        .iter()
        .filter(|i| i.state.is_running())
        .fold((0, 0), |(c, m), i| {
            (
                c + i.cpu_count.unwrap_or(0),
                m + i.memory.and_then(|u| u.total).unwrap_or(0),
            )
        }))
}

/// Launches, retrying twice when the image server is unreachable (a network blip).
fn launch_with_retry(
    backend: &dyn VmBackend,
    spec: &LaunchSpec,
    notice: Notice,
) -> anyhow::Result<()> {
    let mut attempt = 1;
    loop {
        match backend.create(spec) {
            Ok(()) => return Ok(()),
            Err(e @ VmError::ImageRemoteUnreachable { .. }) if attempt < 3 => {
                notice(&t!(
                    "lifecycle.create.retrying",
                    error = e.message_in(crate::i18n::current()),
                    attempt = attempt
                ));
                std::thread::sleep(Duration::from_secs(2 * attempt));
                attempt += 1;
            }
            Err(e) => return Err(vm_err(e)),
        }
    }
}

/// Runs one provisioning script in `vm` and reads its result line.
pub fn run_script(
    backend: &dyn VmBackend,
    vm: &str,
    run: &ScriptRun,
) -> anyhow::Result<StepReport> {
    let spec = run.exec_spec(vm);
    let out = backend.exec(&spec).map_err(vm_err)?;
    let result = provision::parse_result(&out.stdout_text());
    match result {
        Some(r) if r.status != ResultStatus::Failed && out.success() => Ok(StepReport {
            name: r.name,
            status: r.status,
            version: r.version,
        }),
        _ => {
            let tail = output_tail(&out.stderr_text(), &out.stdout_text(), TAIL_LINES);
            let message = if tail.is_empty() {
                t!(
                    "lifecycle.create.script_failed",
                    name = run.name,
                    vm = vm,
                    code = out.code
                )
            } else {
                t!(
                    "lifecycle.create.script_failed_tail",
                    name = run.name,
                    vm = vm,
                    code = out.code,
                    tail = tail.join("\n  ")
                )
            };
            Err(UserError::failed(message)
                .hint(t!("lifecycle.create.script_failed_hint", vm = vm))
                .into())
        }
    }
}

/// How many lines of a failed script's output the error shows.
const TAIL_LINES: usize = 10;

/// The last `n` lines a failed script printed, as a terminal would have shown them: the
/// scripts write their progress to stderr (stdout carries only the result line), so stderr,
/// or stdout without its result lines when stderr is empty; blank lines left out, a line
/// redrawn with `\r` (a download's progress) as its last state, and each line escaped (the
/// VM is where the agent runs: what it prints is not trusted).
pub(crate) fn output_tail(stderr: &str, stdout: &str, n: usize) -> Vec<String> {
    let shown = |text: &str| -> Vec<String> {
        text.lines()
            .map(|l| l.trim_end_matches('\r'))
            .map(|l| l.rsplit('\r').next().unwrap_or(l))
            .filter(|l| !l.trim().is_empty() && !l.starts_with("AGSEKIT-RESULT "))
            .map(crate::ui::untrusted::line)
            .collect()
    };
    let mut lines = shown(stderr);
    if lines.is_empty() {
        lines = shown(stdout);
    }
    let skip = lines.len().saturating_sub(n);
    lines.split_off(skip)
}

/// Adds `public_key` to `~/.ssh/authorized_keys` of the VM user (once).
fn authorize_key(backend: &dyn VmBackend, vm: &str, public_key: &str) -> anyhow::Result<()> {
    const SCRIPT: &str = "set -e; install -d -m 700 \"$HOME/.ssh\"; f=\"$HOME/.ssh/authorized_keys\"; touch \"$f\"; chmod 600 \"$f\"; grep -qxF \"$1\" \"$f\" || printf '%s\\n' \"$1\" >> \"$f\"";
    let spec = ExecSpec::capture(
        vm,
        provision::script::VM_WORKDIR,
        ["bash", "-c", SCRIPT, "agsekit-authorize", public_key.trim()],
    );
    let out = backend.exec(&spec).map_err(vm_err)?;
    if !out.success() {
        return Err(UserError::failed(t!(
            "lifecycle.create.authorize_failed",
            vm = vm,
            error = out.stderr_text().trim()
        ))
        .into());
    }
    Ok(())
}

/// Start, SSH key, base packages, launcher, bundles. Each step is idempotent.
pub fn provision_vm(
    backend: &dyn VmBackend,
    vm: &VmConfig,
    public_key: &str,
    notice: Notice,
) -> anyhow::Result<Vec<StepReport>> {
    let name = vm.name.as_str();
    notice(&t!("lifecycle.create.step_starting", name = name));
    backend.start(name).map_err(vm_err)?;
    notice(&t!("lifecycle.create.step_key", name = name));
    authorize_key(backend, name, public_key)?;
    let mut steps = Vec::new();
    notice(&t!("lifecycle.create.step_base", name = name));
    steps.push(run_script(backend, name, &provision::base_run(false))?);
    notice(&t!("lifecycle.create.step_launcher", name = name));
    crate::launcher::install(backend, name)?;
    let options = BundleOptions {
        force: false,
        proxychains: vm.proxychains.clone(),
    };
    for run in provision::bundle_runs(&vm.install, &options)? {
        notice(&t!(
            "lifecycle.create.step_bundle",
            name = name,
            bundle = run.name
        ));
        steps.push(run_script(backend, name, &run)?);
    }
    Ok(steps)
}

/// The VM's `image:` as the backend takes it (`None`: the backend's default).
pub fn launch_image(vm: &VmConfig) -> Option<ImageSpec> {
    vm.image.as_ref().map(|image| match image {
        VmImage::Named(word) => ImageSpec::Named(word.clone()),
        VmImage::Kernel {
            disk,
            kernel,
            initrd,
            cmdline,
        } => ImageSpec::Kernel {
            disk: disk.clone(),
            kernel: kernel.clone(),
            initrd: initrd.clone(),
            cmdline: cmdline.clone(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::testutil::config;
    use crate::vm::Usage;

    fn info(cpus: Option<u32>, mem: Option<u64>, disk: Option<u64>) -> VmInfo {
        VmInfo {
            name: "a".into(),
            state: VmState::Running,
            cpu_count: cpus,
            memory: mem.map(|t| Usage {
                used: None,
                total: Some(t),
            }),
            disk: disk.map(|t| Usage {
                used: None,
                total: Some(t),
            }),
            load: vec![],
            ipv4: vec![],
            release: None,
            image_release: None,
            image_hash: None,
            snapshot_count: None,
            mounts: vec![],
        }
    }

    #[test]
    fn a_failed_scripts_tail_is_its_last_lines_as_shown_and_escaped() {
        let stderr: String = (1..=14).map(|i| format!("step {i}\n")).collect();
        let tail = output_tail(&stderr, "AGSEKIT-RESULT codex failed -\n", 10);
        assert_eq!(tail.first().map(String::as_str), Some("step 5"));
        assert_eq!(tail.last().map(String::as_str), Some("step 14"));
        assert_eq!(tail.len(), 10);
        // A progress line redrawn with \r shows its last state; blank lines are left out;
        // a terminal control is shown escaped.
        let tail = output_tail(
            "  0%\r 50%\r100%\n\n\x1b[2Kcodex: download failed\n",
            "",
            10,
        );
        assert_eq!(tail, ["100%", "\\x1b[2Kcodex: download failed"]);
        // Nothing on stderr: stdout without the result line.
        let tail = output_tail("", "npm ERR! 404\nAGSEKIT-RESULT codex failed -\n", 10);
        assert_eq!(tail, ["npm ERR! 404"]);
        assert!(output_tail("", "AGSEKIT-RESULT codex failed -\n", 10).is_empty());
    }

    #[test]
    fn cpu_is_exact_and_sizes_have_ten_percent_slack() {
        let c = config("vms:\n  a:\n    cpu: 2\n    ram: 4G\n    disk: 20G\n");
        let vm = &c.vms["a"];
        let g = 1024 * 1024 * 1024u64;
        assert!(compare(vm, &info(Some(2), Some(4 * g * 95 / 100), Some(19 * g))).is_empty());
        assert!(compare(vm, &info(None, None, None)).is_empty());
        let diff = compare(vm, &info(Some(4), Some(2 * g), Some(40 * g)));
        let what: Vec<_> = diff.iter().map(|m| m.what).collect();
        assert_eq!(what, ["CPU", "memory", "disk"]);
        assert_eq!(diff[0].actual, "4");
        assert_eq!(diff[1].actual, "2.0 GiB");
    }

    #[test]
    fn capacity_leaves_one_cpu_and_one_gib() {
        let c = config("vms:\n  a:\n    cpu: 2\n    ram: 4G\n    disk: 10G\n  b:\n    cpu: 2\n    ram: 2G\n    disk: 10G\n");
        let planned: Vec<&VmConfig> = c.vms.values().collect();
        let host = HostResources {
            cpus: 5,
            memory: 7 * GIB,
        };
        assert!(check_capacity(host, (0, 0), &planned).is_ok());
        let err = check_capacity(host, (1, 0), &planned).unwrap_err();
        assert!(
            err.message.contains("not enough resources to create a, b"),
            "{}",
            err.message
        );
        assert!(check_capacity(host, (0, GIB / 2), &planned).is_err());
    }
}
