//! The Multipass backend: each operation is one `multipass` call through a
//! [`Runner`], so unit tests can give it a fake runner and check the exact argv and stdin.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::process::{Cmd, Output, Runner, SpawnError};

pub mod classify;
pub mod host;
pub mod locate;
pub mod parse;
pub mod snap;

use self::classify::{classify, is_exec_failure, is_missing_workdir};
use self::locate::{find_multipass, Lookup};
use self::parse::{parse_info, parse_list, parse_version};
use crate::vm::error::{Missing, VmError};
use crate::vm::types::{
    BackendVersion, Capabilities, ExecOutput, ExecResult, ExecSpec, ExecStdin, ImageSpec,
    LaunchSpec, StopMode, TransferEnd, TransferSpec, VmInfo, VmSummary,
};
use crate::vm::VmBackend;

/// The least memory Multipass launches a VM with (`constants.h`, 1.16): config validation
/// refuses less (handed to it by `backend::minimums`).
pub const MIN_RAM_BYTES: u64 = 128 * 1024 * 1024;
/// The smallest disk Multipass launches a VM with (`constants.h`, 1.16).
pub const MIN_DISK_BYTES: u64 = 512 * 1024 * 1024;

/// Drives the `multipass` CLI.
pub struct Multipass<R> {
    runner: R,
    /// The executable, or why there is none (reported by the first operation, so building a
    /// driver never fails).
    program: Result<PathBuf, VmError>,
}

impl<R: Runner> Multipass<R> {
    /// A driver that runs this executable.
    pub fn new(runner: R, program: impl Into<PathBuf>) -> Self {
        Multipass {
            runner,
            program: Ok(program.into()),
        }
    }

    /// A driver for the executable found from the environment (see [`locate`]).
    /// `shims_dir` (agsekit's shims, `crate::config::shims_dir`) is skipped on PATH.
    pub fn from_env(runner: R, shims_dir: &Path) -> Self {
        Multipass {
            runner,
            program: find_multipass(&Lookup::from_env(shims_dir)),
        }
    }

    /// The runner, for tests that inspect what was run.
    pub fn runner(&self) -> &R {
        &self.runner
    }

    /// True when this Multipass is the snap, which can mount only non-hidden folders under
    /// `/home` (see [`snap::is_confined`]).
    pub fn is_snap_confined(&self) -> bool {
        snap::is_confined(self.program.as_deref().ok())
    }

    /// The executable in use, or why there is none.
    pub fn program(&self) -> Result<&Path, VmError> {
        self.program.as_deref().map_err(Clone::clone)
    }

    fn cmd<I, S>(&self, args: I) -> Result<Cmd, VmError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        Ok(Cmd::new(self.program()?).args(args))
    }

    fn spawn_error(err: SpawnError) -> VmError {
        if err.not_found() {
            classify::not_installed(Missing::Program(err.program.to_string_lossy().into_owned()))
        } else {
            VmError::Spawn {
                command: err.line,
                detail: err.source.to_string(),
            }
        }
    }

    /// Runs a command to the end; a non-zero exit becomes the matching [`VmError`].
    fn run(&self, cmd: &Cmd) -> Result<Output, VmError> {
        let out = self.runner.capture(cmd).map_err(Self::spawn_error)?;
        if out.success() {
            Ok(out)
        } else {
            Err(classify(&cmd.to_string(), out.code, &out.stderr_text()))
        }
    }

    fn run_simple<I, S>(&self, args: I) -> Result<(), VmError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.run(&self.cmd(args)?).map(|_| ())
    }

    fn exec_cmd(&self, spec: &ExecSpec) -> Result<Cmd, VmError> {
        if spec.argv.is_empty() {
            return Err(VmError::BadInvocation {
                detail: crate::t!("misc.vm.no_command", vm = spec.vm),
            });
        }
        let mut cmd = self
            .cmd([
                "exec",
                spec.vm.as_str(),
                "--working-directory",
                &spec.workdir,
                "--",
            ])?
            .args(&spec.argv);
        cmd = match &spec.stdin {
            // An empty pipe: the command sees end of file at once, as with /dev/null.
            ExecStdin::Null => cmd.stdin_bytes(Vec::new()),
            ExecStdin::Inherit => cmd.stdin_inherit(),
            ExecStdin::Bytes(bytes) => cmd.stdin_bytes(bytes.clone()),
        };
        Ok(cmd)
    }
}

fn vm_path(vm: &str, path: &str) -> String {
    format!("{vm}:{path}")
}

fn transfer_arg(end: &TransferEnd) -> OsString {
    match end {
        TransferEnd::Host(path) => path.clone().into_os_string(),
        TransferEnd::Vm { vm, path } => vm_path(vm, path).into(),
    }
}

/// Multipass commands outside the backend contract, kept for the CLI contract tests.
impl<R: Runner> Multipass<R> {
    /// Removes every deleted VM for good (`multipass purge`). Not part of the backend
    /// contract: agsekit deletes with `--purge`.
    pub fn purge(&self) -> Result<(), VmError> {
        self.run_simple(["purge"])
    }

    /// Replaces this process with the command in the VM. Not part of the backend contract
    /// (agsekit runs agents through `exec_spawn`); returns only if that could not be done.
    pub fn exec_replace(&self, spec: &ExecSpec) -> VmError {
        match self.exec_cmd(spec) {
            Ok(cmd) => Self::spawn_error(self.runner.exec(&cmd)),
            Err(e) => e,
        }
    }

    /// Copies files between the host and a VM (`multipass transfer`). Not part of the
    /// backend contract: nothing in agsekit copies files this way today.
    pub fn transfer(&self, spec: &TransferSpec) -> Result<(), VmError> {
        let vm_sides = [&spec.from, &spec.to]
            .iter()
            .filter(|e| matches!(e, TransferEnd::Vm { .. }))
            .count();
        if vm_sides != 1 {
            return Err(VmError::TransferFailed {
                detail: crate::t!("misc.vm.transfer_sides"),
            });
        }
        let mut args: Vec<OsString> = vec!["transfer".into()];
        if spec.recursive {
            args.push("-r".into());
        }
        if spec.parents {
            args.push("-p".into());
        }
        args.push(transfer_arg(&spec.from));
        args.push(transfer_arg(&spec.to));
        self.run_simple(args)
    }
}

impl<R: Runner> VmBackend for Multipass<R> {
    fn name(&self) -> &'static str {
        "multipass"
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            shares_any_path: !self.is_snap_confined(),
            can_suspend: true,
            mounts_on_stopped: true,
            host_owned_files: false,
        }
    }

    fn suspend(&self, name: &str) -> Result<(), VmError> {
        self.run_simple(["suspend", name])
    }

    fn list(&self) -> Result<Vec<VmSummary>, VmError> {
        let cmd = self.cmd(["list", "--format", "json"])?;
        let out = self.run(&cmd)?;
        parse_list(&out.stdout_text()).map_err(|e| VmError::BadOutput {
            command: cmd.to_string(),
            detail: e.0,
        })
    }

    fn info(&self, name: &str) -> Result<VmInfo, VmError> {
        let cmd = self.cmd(["info", name, "--format", "json"])?;
        let out = self.run(&cmd)?;
        let all = parse_info(&out.stdout_text()).map_err(|e| VmError::BadOutput {
            command: cmd.to_string(),
            detail: e.0,
        })?;
        all.into_iter()
            .find(|i| i.name == name)
            .ok_or_else(|| VmError::BadOutput {
                command: cmd.to_string(),
                detail: crate::t!("misc.vm.no_info_entry", name = name),
            })
    }

    fn info_all(&self) -> Result<Vec<VmInfo>, VmError> {
        let cmd = self.cmd(["info", "--format", "json"])?;
        let out = self.run(&cmd)?;
        parse_info(&out.stdout_text()).map_err(|e| VmError::BadOutput {
            command: cmd.to_string(),
            detail: e.0,
        })
    }

    fn create(&self, spec: &LaunchSpec) -> Result<(), VmError> {
        let mut args: Vec<String> = vec![
            "launch".into(),
            "--name".into(),
            spec.name.clone(),
            "--cpus".into(),
            spec.cpus.to_string(),
            "--memory".into(),
            spec.memory.clone(),
            "--disk".into(),
            spec.disk.clone(),
        ];
        if let Some(secs) = spec.timeout_secs {
            args.extend(["--timeout".into(), secs.to_string()]);
        }
        if spec.cloud_init.is_some() {
            args.extend(["--cloud-init".into(), "-".into()]);
        }
        match &spec.image {
            None => {}
            // Multipass takes a local disk image as a `file://` URL.
            Some(ImageSpec::Named(image)) if image.starts_with('/') => {
                args.push(format!("file://{image}"))
            }
            Some(ImageSpec::Named(image)) => args.push(image.clone()),
            Some(ImageSpec::Kernel { .. }) => {
                return Err(VmError::InvalidLaunch {
                    detail: crate::t!("misc.vm.multipass_kernel_image"),
                })
            }
        }
        let mut cmd = self.cmd(&args)?;
        if let Some(user_data) = &spec.cloud_init {
            cmd = cmd.stdin_bytes(user_data.as_bytes().to_vec());
        }
        self.run(&cmd).map(|_| ())
    }

    fn start(&self, name: &str) -> Result<(), VmError> {
        self.run_simple(["start", name])
    }

    fn stop(&self, name: &str, mode: StopMode) -> Result<(), VmError> {
        match mode {
            StopMode::Graceful => self.run_simple(["stop", name]),
            StopMode::Force => self.run_simple(["stop", "--force", name]),
        }
    }

    fn restart(&self, name: &str) -> Result<(), VmError> {
        self.run_simple(["restart", name])
    }

    fn delete(&self, name: &str, purge: bool) -> Result<(), VmError> {
        if purge {
            self.run_simple(["delete", "--purge", name])
        } else {
            self.run_simple(["delete", name])
        }
    }

    fn mount(&self, source: &Path, vm: &str, target: &str) -> Result<(), VmError> {
        let cmd = self.cmd(["mount"])?.arg(source).arg(vm_path(vm, target));
        self.run(&cmd).map(|_| ())
    }

    fn umount(&self, vm: &str, target: Option<&str>) -> Result<(), VmError> {
        match target {
            Some(t) => self.run_simple(["umount".to_string(), vm_path(vm, t)]),
            None => self.run_simple(["umount", vm]),
        }
    }

    fn exec(&self, spec: &ExecSpec) -> Result<ExecResult, VmError> {
        let cmd = self.exec_cmd(spec)?;
        match spec.output {
            ExecOutput::Inherit => {
                let code = self.runner.inherit(&cmd).map_err(Self::spawn_error)?;
                Ok(ExecResult {
                    code,
                    ..ExecResult::default()
                })
            }
            ExecOutput::Capture => {
                let out = self.runner.capture(&cmd).map_err(Self::spawn_error)?;
                let stderr = out.stderr_text();
                if is_exec_failure(out.code, &stderr) {
                    return Err(classify(&cmd.to_string(), out.code, &stderr));
                }
                if is_missing_workdir(out.code, &stderr, &spec.workdir) {
                    return Err(VmError::WorkdirMissing {
                        vm: spec.vm.clone(),
                        dir: spec.workdir.clone(),
                    });
                }
                Ok(ExecResult {
                    code: out.code,
                    stdout: out.stdout,
                    stderr: out.stderr,
                })
            }
        }
    }

    fn exec_spawn(&self, spec: &ExecSpec) -> Result<crate::process::Child, VmError> {
        let cmd = self.exec_cmd(spec)?;
        self.runner
            .spawn(&cmd, crate::process::SpawnIo::default())
            .map_err(Self::spawn_error)
    }

    fn shell(&self, name: &str) -> Result<i32, VmError> {
        let cmd = self.cmd(["shell", name])?.stdin_inherit();
        self.runner.inherit(&cmd).map_err(Self::spawn_error)
    }

    fn version(&self) -> Result<BackendVersion, VmError> {
        let cmd = self.cmd(["version"])?;
        let out = self.run(&cmd)?;
        let (client, daemon) =
            parse_version(&out.stdout_text()).ok_or_else(|| VmError::BadOutput {
                command: cmd.to_string(),
                detail: crate::t!("misc.vm.no_version_line"),
            })?;
        Ok(BackendVersion { client, daemon })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::process::{FakeRunner, Stdin};
    use crate::vm::types::{Usage, VmState};

    const INFO: &str = include_str!("../../../tests/fixtures/multipass/info.json");
    const INFO_STOPPED: &str = include_str!("../../../tests/fixtures/multipass/info_stopped.json");
    const INFO_MAIN: &str =
        include_str!("../../../tests/fixtures/multipass/info_main_1.17dev.json");
    const LIST: &str = include_str!("../../../tests/fixtures/multipass/list.json");

    fn driver(fake: FakeRunner) -> Multipass<FakeRunner> {
        Multipass::new(fake, "/usr/bin/multipass")
    }

    fn ok() -> Multipass<FakeRunner> {
        driver(FakeRunner::always_ok())
    }

    fn replying(stdout: &'static str) -> Multipass<FakeRunner> {
        driver(FakeRunner::new(move |_| Ok(Output::ok(stdout))))
    }

    fn failing(code: i32, stderr: &'static str) -> Multipass<FakeRunner> {
        driver(FakeRunner::new(move |_| Ok(Output::failed(code, stderr))))
    }

    fn argv(mp: &Multipass<FakeRunner>) -> Vec<String> {
        let calls = mp.runner().argvs();
        assert_eq!(calls.len(), 1, "{calls:?}");
        calls[0].clone()
    }

    fn words(line: &str) -> Vec<String> {
        line.split(' ').map(String::from).collect()
    }

    #[test]
    fn list_runs_list_json_and_parses_the_sample() {
        let mp = replying(LIST);
        let list = mp.list().unwrap();
        assert_eq!(argv(&mp), words("/usr/bin/multipass list --format json"));
        assert_eq!(list.len(), 2);
        assert_eq!(list[1].name, "scratch-vm");
        assert_eq!(list[1].state, VmState::Stopped);
    }

    #[test]
    fn info_of_each_sample() {
        for (sample, state, cpus) in [
            (INFO, VmState::Running, Some(2)),
            (INFO_STOPPED, VmState::Stopped, None),
            (INFO_MAIN, VmState::Running, Some(2)),
        ] {
            let mp = replying(sample);
            let info = mp.info("agent-vm").unwrap();
            assert_eq!(
                argv(&mp),
                words("/usr/bin/multipass info agent-vm --format json")
            );
            assert_eq!(info.state, state);
            assert_eq!(info.cpu_count, cpus);
            assert_eq!(info.mounts.len(), 1);
        }
        let mp = replying(INFO);
        let all = mp.info_all().unwrap();
        assert_eq!(argv(&mp), words("/usr/bin/multipass info --format json"));
        assert_eq!(
            all[0].memory,
            Some(Usage {
                used: Some(398_450_688),
                total: Some(4_102_787_072)
            })
        );
    }

    #[test]
    fn info_of_a_missing_vm_is_instance_missing() {
        let mp = failing(
            2,
            "info failed: The following errors occurred:\ninstance \"nope\" does not exist\n",
        );
        assert_eq!(
            mp.info("nope").unwrap_err(),
            VmError::InstanceMissing {
                name: "nope".into()
            }
        );
    }

    #[test]
    fn info_output_that_is_not_json_is_bad_output_naming_the_command() {
        let mp = replying("Name: agent-vm\nState: Running\n");
        match mp.info("agent-vm").unwrap_err() {
            VmError::BadOutput { command, .. } => {
                assert_eq!(command, "/usr/bin/multipass info agent-vm --format json")
            }
            other => panic!("unexpected {other:?}"),
        }
        // Valid JSON without the asked-for VM is also bad output.
        let mp = replying(INFO);
        assert!(matches!(
            mp.info("other").unwrap_err(),
            VmError::BadOutput { .. }
        ));
    }

    #[test]
    fn launch_passes_resources_and_cloud_init_on_stdin() {
        let mp = ok();
        let spec = LaunchSpec {
            name: "agent-vm".into(),
            cpus: 2,
            memory: "4G".into(),
            disk: "20G".into(),
            image: Some(ImageSpec::Named("24.04".into())),
            cloud_init: Some("#cloud-config\npackages: [git]\n".into()),
            timeout_secs: Some(600),
        };
        mp.create(&spec).unwrap();
        assert_eq!(
            argv(&mp),
            words("/usr/bin/multipass launch --name agent-vm --cpus 2 --memory 4G --disk 20G --timeout 600 --cloud-init - 24.04")
        );
        assert_eq!(
            mp.runner().calls()[0].get_stdin(),
            &Stdin::Bytes(b"#cloud-config\npackages: [git]\n".to_vec())
        );

        let mp = ok();
        mp.create(&LaunchSpec {
            image: None,
            cloud_init: None,
            timeout_secs: None,
            ..spec
        })
        .unwrap();
        assert_eq!(
            argv(&mp),
            words("/usr/bin/multipass launch --name agent-vm --cpus 2 --memory 4G --disk 20G")
        );
        assert_eq!(mp.runner().calls()[0].get_stdin(), &Stdin::Null);
    }

    /// The config makes a local image path absolute; Multipass wants it as a `file://` URL.
    #[test]
    fn launch_of_a_local_image_passes_a_file_url() {
        let mp = ok();
        let spec = LaunchSpec {
            name: "vm".into(),
            cpus: 1,
            memory: "1G".into(),
            disk: "5G".into(),
            image: Some(ImageSpec::Named("/img/noble.img".into())),
            cloud_init: None,
            timeout_secs: None,
        };
        mp.create(&spec).unwrap();
        assert_eq!(
            argv(&mp),
            words("/usr/bin/multipass launch --name vm --cpus 1 --memory 1G --disk 5G file:///img/noble.img")
        );
    }

    #[test]
    fn launch_timeout_and_name_clash() {
        let spec = LaunchSpec {
            name: "vm".into(),
            cpus: 1,
            memory: "1G".into(),
            disk: "5G".into(),
            image: None,
            cloud_init: None,
            timeout_secs: Some(1),
        };
        assert_eq!(
            failing(5, "Timed out waiting for instance launch.\n")
                .create(&spec)
                .unwrap_err(),
            VmError::Timeout {
                what: "launch".into()
            }
        );
        assert_eq!(
            failing(2, "launch failed: instance \"vm\" already exists\n")
                .create(&spec)
                .unwrap_err(),
            VmError::AlreadyExists { name: "vm".into() }
        );
    }

    #[test]
    fn lifecycle_commands_have_exact_argv() {
        type Op<'a> = &'a dyn Fn(&Multipass<FakeRunner>) -> Result<(), VmError>;
        let cases: Vec<(Op, &str)> = vec![
            (&|m| m.start("vm"), "start vm"),
            (&|m| m.stop("vm", StopMode::Graceful), "stop vm"),
            (&|m| m.stop("vm", StopMode::Force), "stop --force vm"),
            (&|m| m.restart("vm"), "restart vm"),
            (&|m| m.delete("vm", false), "delete vm"),
            (&|m| m.delete("vm", true), "delete --purge vm"),
            (&|m| m.purge(), "purge"),
            (
                &|m| m.mount(Path::new("/home/a/my proj"), "vm", "/home/ubuntu/my proj"),
                "mount|/home/a/my proj|vm:/home/ubuntu/my proj",
            ),
            (
                &|m| m.umount("vm", Some("/home/ubuntu/p")),
                "umount vm:/home/ubuntu/p",
            ),
            (&|m| m.umount("vm", None), "umount vm"),
        ];
        for (op, expected) in cases {
            let mp = ok();
            op(&mp).unwrap();
            let sep = if expected.contains('|') { '|' } else { ' ' };
            let mut want = vec!["/usr/bin/multipass".to_string()];
            want.extend(expected.split(sep).map(String::from));
            assert_eq!(argv(&mp), want);
            assert_eq!(mp.runner().calls()[0].get_stdin(), &Stdin::Null);
        }
    }

    #[test]
    fn lifecycle_errors_are_typed() {
        assert_eq!(
            failing(
                2,
                "start failed: instance(s) missing\nInstance 'nope' does not exist.\n\n"
            )
            .start("nope")
            .unwrap_err(),
            VmError::InstanceMissing {
                name: "nope".into()
            }
        );
        assert_eq!(
            failing(
                2,
                "mount failed: The following errors occurred:\n\"/home/ubuntu/p\" is already mounted in 'vm'\n"
            )
            .mount(Path::new("/h/p"), "vm", "/home/ubuntu/p")
            .unwrap_err(),
            VmError::AlreadyMounted {
                vm: "vm".into(),
                target: "/home/ubuntu/p".into()
            }
        );
        assert_eq!(
            failing(
                2,
                "umount failed: The following errors occurred:\npath \"/home/ubuntu/p\" is not mounted in 'vm'\n"
            )
            .umount("vm", Some("/home/ubuntu/p"))
            .unwrap_err(),
            VmError::NotMounted {
                vm: "vm".into(),
                target: "/home/ubuntu/p".into()
            }
        );
    }

    #[test]
    fn exec_always_passes_the_working_directory_and_separate_arguments() {
        let mp = driver(FakeRunner::new(|_| {
            Ok(Output {
                code: 3,
                stdout: b"out".to_vec(),
                stderr: b"err".to_vec(),
            })
        }));
        let spec = ExecSpec::capture(
            "vm",
            "/home/ubuntu/my proj",
            ["printf", "%s\n", "a b", "$(rm -rf /)", "it's", ""],
        );
        let result = mp.exec(&spec).unwrap();
        assert_eq!(
            result,
            ExecResult {
                code: 3,
                stdout: b"out".to_vec(),
                stderr: b"err".to_vec()
            }
        );
        let want: Vec<String> = [
            "/usr/bin/multipass",
            "exec",
            "vm",
            "--working-directory",
            "/home/ubuntu/my proj",
            "--",
            "printf",
            "%s\n",
            "a b",
            "$(rm -rf /)",
            "it's",
            "",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(argv(&mp), want);
        // No input: an empty stdin, never the terminal.
        assert_eq!(mp.runner().calls()[0].get_stdin(), &Stdin::Bytes(vec![]));
    }

    #[test]
    fn exec_stdin_modes_and_inherited_output() {
        let mp = driver(FakeRunner::new(|_| Ok(Output::failed(42, ""))));
        let spec = ExecSpec::interactive("vm", "/w", ["codex"]);
        assert_eq!(mp.exec(&spec).unwrap().code, 42);
        let spec =
            ExecSpec::capture("vm", "/w", ["cat"]).with_stdin(ExecStdin::Bytes(b"in".to_vec()));
        assert_eq!(mp.exec(&spec).unwrap().code, 42);
        let calls = mp.runner().calls();
        assert_eq!(calls[0].get_stdin(), &Stdin::Inherit);
        assert_eq!(calls[1].get_stdin(), &Stdin::Bytes(b"in".to_vec()));
    }

    #[test]
    fn exec_errors_before_the_vm_are_typed_and_remote_failures_are_not() {
        let mp = failing(
            2,
            "exec failed: The following errors occurred:\ninstance \"gone\" is deleted\n",
        );
        assert_eq!(
            mp.exec(&ExecSpec::capture("gone", "/", ["true"]))
                .unwrap_err(),
            VmError::InstanceDeleted {
                name: "gone".into()
            }
        );
        let mp = failing(1, "bash: line 1: cd: /nope: No such file or directory\n");
        assert_eq!(
            mp.exec(&ExecSpec::capture("vm", "/nope", ["true"]))
                .unwrap_err(),
            VmError::WorkdirMissing {
                vm: "vm".into(),
                dir: "/nope".into()
            }
        );
        // A remote command that fails on its own is a result, not an error.
        let mp = failing(2, "grep: nothing: No such file or directory\n");
        assert_eq!(
            mp.exec(&ExecSpec::capture("vm", "/", ["grep", "x", "nothing"]))
                .unwrap()
                .code,
            2
        );
        let mp = ok();
        assert!(matches!(
            mp.exec(&ExecSpec::capture("vm", "/", Vec::<String>::new())),
            Err(VmError::BadInvocation { .. })
        ));
        assert!(mp.runner().calls().is_empty());
    }

    #[test]
    fn exec_replace_hands_the_command_to_the_runner() {
        let mp = ok();
        let err = mp.exec_replace(&ExecSpec::interactive("vm", "/w", ["codex", "--yolo"]));
        assert!(matches!(err, VmError::Spawn { .. }));
        assert_eq!(
            argv(&mp),
            words("/usr/bin/multipass exec vm --working-directory /w -- codex --yolo")
        );
    }

    #[test]
    fn shell_inherits_and_returns_the_code() {
        let mp = driver(FakeRunner::new(|_| Ok(Output::failed(0, ""))));
        assert_eq!(mp.shell("vm").unwrap(), 0);
        assert_eq!(argv(&mp), words("/usr/bin/multipass shell vm"));
        assert_eq!(mp.runner().calls()[0].get_stdin(), &Stdin::Inherit);
    }

    #[test]
    fn transfer_both_ways() {
        let mp = ok();
        mp.transfer(&TransferSpec {
            from: TransferEnd::Host(PathBuf::from("/tmp/a b.txt")),
            to: TransferEnd::Vm {
                vm: "vm".into(),
                path: "/home/ubuntu/a.txt".into(),
            },
            recursive: false,
            parents: true,
        })
        .unwrap();
        mp.transfer(&TransferSpec {
            from: TransferEnd::Vm {
                vm: "vm".into(),
                path: "logs".into(),
            },
            to: TransferEnd::Host(PathBuf::from("/tmp/logs")),
            recursive: true,
            parents: false,
        })
        .unwrap();
        let both = TransferSpec {
            from: TransferEnd::Host("/a".into()),
            to: TransferEnd::Host("/b".into()),
            recursive: false,
            parents: false,
        };
        assert!(matches!(
            mp.transfer(&both),
            Err(VmError::TransferFailed { .. })
        ));
        let calls = mp.runner().argvs();
        assert_eq!(
            calls,
            vec![
                vec![
                    "/usr/bin/multipass",
                    "transfer",
                    "-p",
                    "/tmp/a b.txt",
                    "vm:/home/ubuntu/a.txt"
                ],
                vec![
                    "/usr/bin/multipass",
                    "transfer",
                    "-r",
                    "vm:logs",
                    "/tmp/logs"
                ],
            ]
        );
        assert_eq!(
            failing(2, "transfer failed: instance \"vm\" is not running\n")
                .transfer(&TransferSpec {
                    from: TransferEnd::Host("/a".into()),
                    to: TransferEnd::Vm {
                        vm: "vm".into(),
                        path: ".".into()
                    },
                    recursive: false,
                    parents: false
                })
                .unwrap_err(),
            VmError::NotRunning { name: "vm".into() }
        );
    }

    #[test]
    fn version_parses_client_and_daemon() {
        let mp = replying("multipass   1.16.3\nmultipassd  1.16.3\n");
        assert_eq!(
            mp.version().unwrap(),
            BackendVersion {
                client: "1.16.3".into(),
                daemon: Some("1.16.3".into())
            }
        );
        assert_eq!(argv(&mp), words("/usr/bin/multipass version"));
    }

    #[test]
    fn a_missing_executable_is_not_installed() {
        let mp = driver(FakeRunner::new(|_| Err(std::io::ErrorKind::NotFound)));
        let err = mp.list().unwrap_err();
        assert!(matches!(err, VmError::NotInstalled { .. }), "{err:?}");
        let err = mp
            .exec(&ExecSpec::interactive("vm", "/", ["x"]))
            .unwrap_err();
        assert!(matches!(err, VmError::NotInstalled { .. }));
        let mp = driver(FakeRunner::new(|_| {
            Err(std::io::ErrorKind::PermissionDenied)
        }));
        assert!(matches!(mp.start("vm"), Err(VmError::Spawn { .. })));
    }

    #[test]
    fn a_driver_without_an_executable_reports_it_on_first_use_and_runs_nothing() {
        let mp = Multipass {
            runner: FakeRunner::always_ok(),
            program: Err(classify::not_installed(Missing::NotOnPath(
                "multipass".into(),
            ))),
        };
        assert!(matches!(mp.list(), Err(VmError::NotInstalled { .. })));
        assert!(matches!(
            mp.exec_replace(&ExecSpec::interactive("vm", "/", ["x"])),
            VmError::NotInstalled { .. }
        ));
        assert!(mp.runner().calls().is_empty());
    }

    #[test]
    fn daemon_problems_are_typed() {
        assert_eq!(
            failing(2, "list failed: cannot connect to the multipass socket\n")
                .list()
                .unwrap_err(),
            classify::daemon_unreachable()
        );
        assert_eq!(
            failing(2, "list failed: multipass socket access denied\n")
                .list()
                .unwrap_err(),
            classify::socket_denied()
        );
    }

    #[test]
    fn snap_installs_are_recognised_by_path_or_link_target() {
        assert!(snap::is_snap_path(Path::new("/snap/bin/multipass")));
        assert!(!snap::is_snap_path(Path::new(
            "/usr/local/bin/multipass-missing"
        )));
        let dir = tempfile::tempdir().unwrap();
        let launcher = dir.path().join("snap");
        std::fs::write(&launcher, "").unwrap();
        let link = dir.path().join("multipass");
        std::os::unix::fs::symlink(&launcher, &link).unwrap();
        assert!(snap::is_snap_path(&link));
        let plain = dir.path().join("plain-multipass");
        std::fs::write(&plain, "").unwrap();
        assert!(!snap::is_snap_path(&plain));
    }
}
