//! Shims: `agsekit shims install|list|uninstall|exec` and running a shim (argv[0] dispatch).
//! Runs that reach a VM use the FAKE multipass (tests/README.md).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{FakeMultipass, Sandbox};

fn write_exec(path: &Path, body: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    crate::support::write_executable(path, body);
}

struct Setup {
    sb: Sandbox,
    fake: FakeMultipass,
    shims: PathBuf,
    project: PathBuf,
    config: PathBuf,
    host_bin: PathBuf,
}

fn setup(outside: &str) -> Setup {
    let sb = Sandbox::new();
    let fake = FakeMultipass::new(sb.home());
    fake.launch("dev");
    let shims = sb.home().join("shims");
    let project = sb.home().join("proj");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(project.join("a.txt"), "a").unwrap();
    let config = sb.home().join(".config/agsekit/config.yaml");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(
        &config,
        format!(
            "global:\n  shims:\n    outside_mounts: {outside}\nvms:\n  dev: {{cpu: 2, ram: 4G, disk: 20G}}\nmounts:\n  - source: {}\nagents:\n  work-codex:\n    type: codex\n",
            project.display()
        ),
    )
    .unwrap();
    fake.install_agent(
        "dev",
        "codex",
        "#!/bin/sh\necho \"vm-codex $*\"\necho vm > ran-in-vm\nexit 7\n",
    );
    fake.install_agent(
        "dev",
        "sudo",
        "#!/bin/sh\n[ \"$1\" = -n ] && shift\nexec \"$@\"\n",
    );
    let host_bin = sb.home().join("host-bin");
    write_exec(
        &host_bin.join("codex"),
        "#!/bin/sh\necho \"host-codex $* marker=$AGSEKIT_SHIM_ACTIVE\"\ncase \":$PATH:\" in *shims*) echo shims-on-path ;; esac\nexit 3\n",
    );
    Setup {
        sb,
        fake,
        shims,
        project,
        config,
        host_bin,
    }
}

impl Setup {
    fn agsekit(&self) -> assert_cmd::Command {
        let mut cmd = self.sb.agsekit_with(&self.fake);
        cmd.env("AGSEKIT_SHIMS_DIR", &self.shims);
        cmd
    }

    fn install(&self) {
        self.agsekit().args(["shims", "install"]).assert().success();
    }

    /// Runs the shim `name` like a user typing it in `cwd`.
    fn shim(&self, name: &str, cwd: &Path, args: &[&str]) -> std::process::Output {
        self.shim_cmd(name, cwd, args).output().unwrap()
    }

    fn shim_cmd(&self, name: &str, cwd: &Path, args: &[&str]) -> Command {
        let path = format!(
            "{}:{}:/usr/bin:/bin",
            self.shims.display(),
            self.host_bin.display()
        );
        let mut cmd = Command::new(self.shims.join(name));
        cmd.args(args)
            .current_dir(cwd)
            .env("PWD", cwd)
            .env("HOME", self.sb.home())
            .env("PATH", path)
            .env("AGSEKIT_SHIMS_DIR", &self.shims)
            .env("AGSEKIT_MULTIPASS", &self.fake.bin)
            .env("FAKE_MULTIPASS_STATE", &self.fake.state_dir)
            .env_remove("CONFIG_PATH")
            .env_remove("AGSEKIT_SHIM_ACTIVE");
        cmd
    }
}

#[test]
fn shims_install_list_uninstall_by_difference() {
    let s = setup("refuse");
    std::fs::create_dir_all(&s.shims).unwrap();
    std::fs::write(s.shims.join("claude"), "mine").unwrap();
    let out = s.agsekit().args(["shims", "install"]).output().unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    for name in ["codex", "qwen", "work-codex"] {
        assert!(stdout.contains(&format!("created   {name}")), "{stdout}");
        let link = std::fs::read_link(s.shims.join(name)).unwrap();
        assert_eq!(link.file_name().unwrap(), "agsekit");
    }
    assert!(String::from_utf8_lossy(&out.stderr).contains("was not made by agsekit"));
    assert_eq!(
        std::fs::read_to_string(s.shims.join("claude")).unwrap(),
        "mine"
    );

    let list = s.agsekit().args(["shims", "list"]).output().unwrap();
    let list = String::from_utf8_lossy(&list.stdout);
    assert!(
        list.contains("codex") && list.contains("work-codex"),
        "{list}"
    );
    assert!(!list.contains("claude "), "{list}");

    let again = s.agsekit().args(["shims", "install"]).output().unwrap();
    assert!(String::from_utf8_lossy(&again.stdout).contains("unchanged codex"));

    s.agsekit().args(["shims", "uninstall"]).assert().success();
    assert!(!s.shims.join("codex").exists());
    assert_eq!(
        std::fs::read_to_string(s.shims.join("claude")).unwrap(),
        "mine"
    );
}

#[test]
fn shim_in_a_mounted_folder_runs_the_agent_in_the_fake_vm() {
    let s = setup("refuse");
    s.install();
    let out = s.shim("codex", &s.project, &["--help", "a b"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(7),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout, "vm-codex --help a b\n");
    assert!(s.project.join("ran-in-vm").exists());
    // The shim is quiet: only the agent's own output, nothing from agsekit on stdout.
    assert!(!stdout.contains("agsekit"));
}

#[test]
fn shim_outside_every_mount_refuses_by_default_with_a_way_out() {
    let s = setup("refuse");
    s.install();
    let elsewhere = s.sb.home().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let out = s.shim("codex", &elsewhere, &[]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("would run unprotected"), "{stderr}");
    assert!(stderr.contains("agsekit addmount"), "{stderr}");
    assert!(stderr.contains("shims exec --host codex"), "{stderr}");
    assert!(s.fake.calls().iter().all(|c| c[0] != "exec"));
}

#[test]
fn shim_outside_every_mount_refuses_in_russian_with_agsekit_lang_ru() {
    let s = setup("refuse");
    s.install();
    let elsewhere = s.sb.home().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let out = s
        .shim_cmd("codex", &elsewhere, &[])
        .env("AGSEKIT_LANG", "ru")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The prefixes stay English; the sentence and the hints are Russian.
    assert!(stderr.contains("agsekit: error: "), "{stderr}");
    assert!(stderr.contains("работал бы без защиты"), "{stderr}");
    assert!(
        stderr.contains("hint: защитите эту папку: agsekit addmount"),
        "{stderr}"
    );
    assert!(s.fake.calls().iter().all(|c| c[0] != "exec"));
}

#[test]
fn shim_outside_mounts_in_host_mode_runs_the_next_program_without_the_shims_on_path() {
    let s = setup("host");
    s.install();
    let elsewhere = s.sb.home().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let out = s.shim("codex", &elsewhere, &["x"]);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "host-codex x marker=codex\n"
    );
}

#[test]
fn a_shim_that_re_enters_itself_ends_with_a_clear_error() {
    let s = setup("host");
    s.install();
    // A host `codex` that calls `codex` again with the shims put back first on PATH.
    write_exec(
        &s.host_bin.join("codex"),
        &format!(
            "#!/bin/sh\nPATH={}:$PATH exec codex again\n",
            s.shims.display()
        ),
    );
    let elsewhere = s.sb.home().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let out = s.shim("codex", &elsewhere, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ran itself again"));
}

#[test]
fn shims_exec_host_bypasses_the_vm() {
    let s = setup("refuse");
    s.install();
    let out = s
        .agsekit()
        .args(["shims", "exec", "--host", "codex", "y"])
        .env(
            "PATH",
            format!(
                "{}:{}:/usr/bin:/bin",
                s.shims.display(),
                s.host_bin.display()
            ),
        )
        .current_dir(&s.project)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "host-codex y marker=codex\n"
    );
    let _ = &s.config;
}

#[test]
fn shim_fake_multipass_in_the_home_folder_says_to_cd_into_a_project_not_to_share_home() {
    let s = setup("refuse");
    s.install();
    let home = s.sb.home().to_path_buf();
    let out = s.shim("codex", &home, &[]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("would run unprotected"), "{stderr}");
    assert!(
        stderr.contains("cd into a project folder") && stderr.contains("agsekit addmount ."),
        "{stderr}"
    );
    assert!(
        !stderr.contains(&format!("agsekit addmount {}", home.display())),
        "never suggests sharing the home folder: {stderr}"
    );
    assert!(s.fake.calls().iter().all(|c| c[0] != "exec"));
}

#[test]
fn shim_fake_multipass_prints_a_config_warning_once() {
    let s = setup("refuse");
    // An unknown key: the config loads with one warning.
    let text = std::fs::read_to_string(&s.config).unwrap();
    std::fs::write(&s.config, text.replace("ram: 4G", "ram: 4G, colour: red")).unwrap();
    s.install();
    let out = s.shim("codex", &s.project, &["hi"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(7), "stderr: {stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "vm-codex hi\n");
    // The shim loads the config once: the warning appears exactly once.
    assert_eq!(
        stderr
            .matches("vms.dev.colour: unknown key, ignored")
            .count(),
        1,
        "stderr: {stderr}"
    );
}
