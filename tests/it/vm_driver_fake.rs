//! The VM driver (`agsekit::vm::Multipass` with the real process runner) against the FAKE
//! multipass (`tests/fake-multipass`), never a real one. These check that the argv the driver
//! builds is accepted by a CLI that follows the Multipass 1.16 contract, and that the
//! contract's real outputs and errors come back typed.

use std::path::{Path, PathBuf};

use agsekit::process::RealRunner;
use agsekit::vm::multipass::classify;
use agsekit::vm::{
    ExecSpec, ExecStdin, LaunchSpec, Multipass, StopMode, TransferEnd, TransferSpec, VmBackend,
    VmError, VmState,
};

use crate::support::{FakeMultipass, Sandbox};

struct Setup {
    sb: Sandbox,
    fake: FakeMultipass,
    driver: Multipass<RealRunner>,
}

fn setup() -> Setup {
    let sb = Sandbox::new();
    let fake = FakeMultipass::new(sb.home());
    let driver = Multipass::new(RealRunner, fake.wrapper());
    Setup { sb, fake, driver }
}

fn spec(name: &str) -> LaunchSpec {
    LaunchSpec {
        name: name.into(),
        cpus: 2,
        memory: "4G".into(),
        disk: "20G".into(),
        image: None,
        cloud_init: Some("#cloud-config\npackages: [git]\n".into()),
        timeout_secs: Some(600),
    }
}

fn project(sb: &Sandbox) -> PathBuf {
    let dir = sb.home().join("code/project");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn driver_with_fake_multipass_full_cycle_launch_mount_exec_umount_delete() {
    let Setup { sb, fake, driver } = setup();
    driver.create(&spec("agent-vm")).unwrap();
    // The cloud-init went over stdin.
    let launch = &fake.call_records()[0];
    assert_eq!(launch["argv"][0], "launch");
    assert_eq!(launch["stdin"], "#cloud-config\npackages: [git]\n");

    let info = driver.info("agent-vm").unwrap();
    assert_eq!(info.state, VmState::Running);
    assert_eq!(info.cpu_count, Some(2));
    assert_eq!(info.ipv4.len(), 1);
    assert!(info.mounts.is_empty());

    let src = project(&sb);
    driver
        .mount(&src, "agent-vm", "/home/ubuntu/project")
        .unwrap();
    let info = driver.info("agent-vm").unwrap();
    assert_eq!(
        info.mount_at("/home/ubuntu/project")
            .map(|m| m.source.clone()),
        Some(src.clone())
    );

    // A command in the "VM" writes through the mount into the host folder; arguments arrive
    // byte for byte and the exit code comes back.
    let result = driver
        .exec(&ExecSpec::capture(
            "agent-vm",
            "/home/ubuntu/project",
            [
                "sh",
                "-c",
                "printf '%s|%s' \"$1\" \"$2\" > from-vm.txt; pwd; exit 7",
                "sh",
                "it's $(x) `y`",
                "",
            ],
        ))
        .unwrap();
    assert_eq!(result.code, 7);
    assert_eq!(result.stdout_text(), "/home/ubuntu/project\n");
    assert_eq!(
        std::fs::read_to_string(src.join("from-vm.txt")).unwrap(),
        "it's $(x) `y`|"
    );

    driver
        .umount("agent-vm", Some("/home/ubuntu/project"))
        .unwrap();
    assert!(driver.info("agent-vm").unwrap().mounts.is_empty());

    driver.stop("agent-vm", StopMode::Graceful).unwrap();
    assert_eq!(driver.info("agent-vm").unwrap().state, VmState::Stopped);
    driver.start("agent-vm").unwrap();
    driver.restart("agent-vm").unwrap();
    driver.stop("agent-vm", StopMode::Force).unwrap();
    driver.delete("agent-vm", false).unwrap();
    assert_eq!(driver.info("agent-vm").unwrap().state, VmState::Deleted);
    driver.purge().unwrap();
    assert_eq!(
        driver.info("agent-vm").unwrap_err(),
        VmError::InstanceMissing {
            name: "agent-vm".into()
        }
    );
    // Every exec the driver made named its working directory.
    for call in fake.calls().iter().filter(|c| c[0] == "exec") {
        assert_eq!(call[2], "--working-directory", "{call:?}");
    }
}

#[test]
fn driver_with_fake_multipass_list_info_all_and_version() {
    let Setup {
        sb: _sb,
        fake,
        driver,
    } = setup();
    assert!(driver.list().unwrap().is_empty());
    fake.launch("b-vm");
    fake.launch("a-vm");
    fake.ok(&["stop", "b-vm"]);
    let mut list = driver.list().unwrap();
    list.sort_by(|x, y| x.name.cmp(&y.name));
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].state, VmState::Running);
    assert_eq!(list[1].state, VmState::Stopped);
    assert!(list[1].ipv4.is_empty());
    let all = driver.info_all().unwrap();
    assert_eq!(
        all.iter().map(|i| i.name.as_str()).collect::<Vec<_>>(),
        ["a-vm", "b-vm"]
    );
    assert_eq!(all[1].cpu_count, None);
    let version = driver.version().unwrap();
    assert_eq!(version.client, "1.16.3+fake");
    assert_eq!(version.daemon.as_deref(), Some("1.16.3+fake"));
}

#[test]
fn driver_with_fake_multipass_gets_typed_errors() {
    let Setup { sb, fake, driver } = setup();
    fake.launch("vm");
    let src = project(&sb);
    assert_eq!(
        driver.create(&spec("vm")).unwrap_err(),
        VmError::AlreadyExists { name: "vm".into() }
    );
    assert_eq!(
        driver.start("nope").unwrap_err(),
        VmError::InstanceMissing {
            name: "nope".into()
        }
    );
    assert_eq!(
        driver
            .exec(&ExecSpec::capture("nope", "/", ["true"]))
            .unwrap_err(),
        VmError::InstanceMissing {
            name: "nope".into()
        }
    );
    assert_eq!(
        driver
            .exec(&ExecSpec::capture("vm", "/no/such/dir", ["true"]))
            .unwrap_err(),
        VmError::WorkdirMissing {
            vm: "vm".into(),
            dir: "/no/such/dir".into()
        }
    );
    driver.mount(&src, "vm", "/home/ubuntu/p").unwrap();
    assert_eq!(
        driver.mount(&src, "vm", "/home/ubuntu/p").unwrap_err(),
        VmError::AlreadyMounted {
            vm: "vm".into(),
            target: "/home/ubuntu/p".into()
        }
    );
    assert_eq!(
        driver.mount(&src, "vm", "/home/ubuntu").unwrap_err(),
        VmError::TargetRefused {
            target: "/home/ubuntu".into()
        }
    );
    assert_eq!(
        driver
            .mount(Path::new("/nonexistent/src"), "vm", "/x")
            .unwrap_err(),
        VmError::SourceMissing {
            path: "/nonexistent/src".into()
        }
    );
    assert_eq!(
        driver.umount("vm", Some("/home/ubuntu/q")).unwrap_err(),
        VmError::NotMounted {
            vm: "vm".into(),
            target: "/home/ubuntu/q".into()
        }
    );
    driver.stop("vm", StopMode::Graceful).unwrap();
    assert_eq!(
        driver.restart("vm").unwrap_err(),
        classify::unknown_state("vm")
    );
    let to_vm = TransferSpec {
        from: TransferEnd::Host(src.clone()),
        to: TransferEnd::Vm {
            vm: "vm".into(),
            path: ".".into(),
        },
        recursive: true,
        parents: false,
    };
    assert_eq!(
        driver.transfer(&to_vm).unwrap_err(),
        VmError::NotRunning { name: "vm".into() }
    );
    driver.delete("vm", false).unwrap();
    assert_eq!(
        driver
            .exec(&ExecSpec::capture("vm", "/", ["true"]))
            .unwrap_err(),
        VmError::InstanceDeleted { name: "vm".into() }
    );
}

#[test]
fn driver_with_fake_multipass_maps_injected_daemon_and_mount_failures() {
    let Setup {
        sb,
        fake,
        driver: _,
    } = setup();
    fake.launch("vm");
    let wrapper = fake.wrapper_with_env(&[(
        "FAKE_MULTIPASS_FAIL",
        "mount:2:mount failed: Mounts are disabled on this installation of Multipass.\\n\\nSee https://canonical.com/multipass/docs/set-command#local.privileged-mounts for information\\non how to enable them.\nlist:2:list failed: cannot connect to the multipass socket\ninfo:2:info failed: multipass socket access denied",
    )]);
    let driver = Multipass::new(RealRunner, wrapper);
    assert_eq!(
        driver
            .mount(&project(&sb), "vm", "/home/ubuntu/p")
            .unwrap_err(),
        classify::mounts_disabled()
    );
    assert_eq!(driver.list().unwrap_err(), classify::daemon_unreachable());
    assert_eq!(driver.info("vm").unwrap_err(), classify::socket_denied());
    // Multipass's own failures carry its words and its ways out.
    let err = classify::mounts_disabled();
    assert!(
        matches!(
            err,
            VmError::Backend {
                backend: "multipass",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "mounts are disabled on this installation of Multipass"
    );
    assert_eq!(err.hints(), ["multipass set local.privileged-mounts=true"]);
}

#[test]
fn driver_with_fake_multipass_exec_stdin_and_transfer() {
    let Setup { sb, fake, driver } = setup();
    fake.launch("vm");
    let result = driver
        .exec(
            &ExecSpec::capture(
                "vm",
                "/home/ubuntu",
                ["sh", "-c", "cat > in.txt; wc -c < in.txt"],
            )
            .with_stdin(ExecStdin::Bytes(b"12345".to_vec())),
        )
        .unwrap();
    assert_eq!(result.stdout_text().trim(), "5");
    assert_eq!(
        std::fs::read_to_string(fake.home_dir("vm").join("in.txt")).unwrap(),
        "12345"
    );
    // No stdin means end of file at once, never a wait for the terminal.
    let result = driver.exec(&ExecSpec::capture("vm", "/", ["cat"])).unwrap();
    assert_eq!((result.code, result.stdout.len()), (0, 0));

    let back = sb.home().join("back.txt");
    driver
        .transfer(&TransferSpec {
            from: TransferEnd::Vm {
                vm: "vm".into(),
                path: "in.txt".into(),
            },
            to: TransferEnd::Host(back.clone()),
            recursive: false,
            parents: false,
        })
        .unwrap();
    assert_eq!(std::fs::read_to_string(&back).unwrap(), "12345");
    let local = sb.home().join("up.txt");
    std::fs::write(&local, "up").unwrap();
    driver
        .transfer(&TransferSpec {
            from: TransferEnd::Host(local),
            to: TransferEnd::Vm {
                vm: "vm".into(),
                path: "/home/ubuntu/deep/up.txt".into(),
            },
            recursive: false,
            parents: true,
        })
        .unwrap();
    assert_eq!(
        std::fs::read_to_string(fake.home_dir("vm").join("deep/up.txt")).unwrap(),
        "up"
    );
}

#[test]
fn driver_with_fake_multipass_exit_code_4_needs_the_launcher_mapping() {
    let Setup {
        sb: _sb,
        fake,
        driver,
    } = setup();
    fake.launch("vm");
    // Unmapped, 4 would make multipass 1.16 loop; the fake reports that with 199.
    let raw = driver
        .exec(&ExecSpec::capture("vm", "/", ["sh", "-c", "exit 4"]))
        .unwrap();
    assert_eq!(raw.code, 199);
    // Through the real launcher (installed where create-vm puts it), 4 leaves the VM as 254
    // and the real code is kept in the session's status record.
    let launcher =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("agent_scripts/agsekit-launch");
    crate::support::copy_executable(&launcher, &fake.bin_dir("vm").join("agsekit-launch"));
    fake.install_agent("vm", "exits4", "#!/bin/sh\nexit 4\n");
    let mapped = driver
        .exec(&ExecSpec::capture(
            "vm",
            "/",
            [
                "/usr/local/bin/agsekit-launch",
                "--session",
                "t1",
                "--no-mount",
                "--workdir",
                "/tmp",
                "--binary",
                "exits4",
                "--",
                "exits4",
            ],
        ))
        .unwrap();
    assert_eq!(
        mapped.code,
        254,
        "{}",
        String::from_utf8_lossy(&mapped.stderr)
    );
    let status = driver
        .exec(&ExecSpec::capture(
            "vm",
            "/",
            ["/usr/local/bin/agsekit-launch", "--read-status", "t1"],
        ))
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&status.stdout), "agent 4\n");
}

#[test]
fn driver_with_a_missing_multipass_is_not_installed() {
    let driver = Multipass::new(RealRunner, "/nonexistent/bin/multipass");
    let err = driver.list().unwrap_err();
    assert!(matches!(err, VmError::NotInstalled { .. }), "{err:?}");
    let user = agsekit::UserError::from(err);
    assert_eq!(user.kind, agsekit::ErrorKind::Vm);
    assert!(user.hints.iter().any(|h| h.contains("agsekit prepare")));
}
