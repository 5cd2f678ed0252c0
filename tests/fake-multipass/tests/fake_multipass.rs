//! Tests of the fake multipass itself (it is a fake: no VM is involved). Each runs the built
//! `fake-multipass` binary with its own state directory. `exec` and `shell` need bubblewrap.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_fake-multipass");

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/multipass")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[derive(Debug)]
struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

struct Fake {
    state: tempfile::TempDir,
    /// A scratch folder on the host (mount sources live here).
    host: tempfile::TempDir,
    env: Vec<(String, String)>,
}

impl Fake {
    fn new() -> Fake {
        Fake {
            state: tempfile::tempdir().unwrap(),
            host: tempfile::tempdir().unwrap(),
            env: Vec::new(),
        }
    }

    fn with_env(mut self, key: &str, value: &str) -> Fake {
        self.env.push((key.into(), value.into()));
        self
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.args(args)
            .env("FAKE_MULTIPASS_STATE", self.state.path())
            .env_remove("FAKE_MULTIPASS_FAIL")
            .env_remove("FAKE_MULTIPASS_LATENCY_MS")
            .current_dir(self.host.path());
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    fn run_with_stdin(&self, args: &[&str], stdin: &[u8]) -> Out {
        let mut child = self
            .cmd(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut pipe = child.stdin.take().unwrap();
        let _ = pipe.write_all(stdin);
        drop(pipe);
        let out = child.wait_with_output().unwrap();
        Out {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    fn run(&self, args: &[&str]) -> Out {
        self.run_with_stdin(args, b"")
    }

    fn ok(&self, args: &[&str]) -> Out {
        let out = self.run(args);
        assert_eq!(out.code, 0, "{args:?}: {out:?}");
        out
    }

    fn launch(&self, name: &str) {
        self.ok(&[
            "launch", "--name", name, "--cpus", "2", "--memory", "4G", "--disk", "20G",
        ]);
    }

    fn host_dir(&self, name: &str) -> PathBuf {
        let dir = self.host.path().join(name);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn info(&self, name: &str) -> Value {
        let out = self.ok(&["info", name, "--format", "json"]);
        let doc: Value = serde_json::from_str(&out.stdout).unwrap();
        doc["info"][name].clone()
    }

    fn calls(&self) -> Vec<Value> {
        std::fs::read_to_string(self.state.path().join("calls.log"))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

fn expect(out: &Out, code: i32, stderr: &str) {
    assert_eq!((out.code, out.stderr.as_str()), (code, stderr), "{out:?}");
}

// ------------------------------------------------------------------ launch, info, list

#[test]
fn launch_reads_cloud_init_from_stdin_stores_it_and_logs_the_call() {
    let fake = Fake::new();
    let user_data = "#cloud-config\npackages: [git]\n";
    let out = fake.run_with_stdin(
        &[
            "launch",
            "--name",
            "vm",
            "--cloud-init",
            "-",
            "--memory",
            "2G",
        ],
        user_data.as_bytes(),
    );
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "Launched: vm\n"),
        "{out:?}"
    );
    let stored =
        std::fs::read_to_string(fake.state.path().join("instances/vm/cloud-init.yaml")).unwrap();
    assert_eq!(stored, user_data);
    let calls = fake.calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(
        calls[0]["argv"],
        serde_json::json!([
            "launch",
            "--name",
            "vm",
            "--cloud-init",
            "-",
            "--memory",
            "2G"
        ])
    );
    assert_eq!(calls[0]["stdin"], user_data);
    assert_eq!(fake.info("vm")["state"], "Running");
}

#[test]
fn info_of_a_stopped_vm_is_laid_out_exactly_like_the_1_16_sample() {
    let fake = Fake::new();
    fake.launch("agent-vm");
    let src = fake.host_dir("myproject");
    fake.ok(&[
        "mount",
        src.to_str().unwrap(),
        "agent-vm:/home/alice/code/myproject",
    ]);
    fake.ok(&["stop", "agent-vm"]);
    let out = fake.ok(&["info", "agent-vm", "--format", "json"]);
    let uid = out
        .stdout
        .lines()
        .find(|l| l.contains(":default"))
        .and_then(|l| l.trim().trim_matches('"').split(':').next())
        .unwrap()
        .to_string();
    let ours = out
        .stdout
        .replace(src.to_str().unwrap(), "/home/alice/code/myproject")
        .replace(&format!("\"{uid}:default\""), "\"1000:default\"");
    assert_eq!(ours, fixture("info_stopped.json"));
}

#[test]
fn info_of_a_running_vm_has_the_sample_keys_and_types() {
    let fake = Fake::new();
    fake.launch("agent-vm");
    let src = fake.host_dir("myproject");
    fake.ok(&[
        "mount",
        src.to_str().unwrap(),
        "agent-vm:/home/alice/code/myproject",
    ]);
    let ours = fake.info("agent-vm");
    let sample: Value = serde_json::from_str(&fixture("info.json")).unwrap();
    let sample = &sample["info"]["agent-vm"];
    fn shape(v: &Value) -> Value {
        match v {
            Value::Object(m) => {
                Value::Object(m.iter().map(|(k, v)| (k.clone(), shape(v))).collect())
            }
            Value::Array(a) => Value::Array(a.iter().take(1).map(shape).collect()),
            Value::String(_) => "string".into(),
            Value::Number(_) => "number".into(),
            other => other.clone(),
        }
    }
    let mut ours_shape = shape(&ours);
    // The mount target is the same; the source differs only in value.
    ours_shape["mounts"] = shape(&sample["mounts"]);
    assert_eq!(ours_shape, shape(sample));
    assert_eq!(ours["cpu_count"], "2");
    assert_eq!(ours["state"], "Running");
    assert_eq!(
        ours["mounts"]["/home/alice/code/myproject"]["source_path"],
        src.to_str().unwrap()
    );
}

#[test]
fn list_is_laid_out_exactly_like_the_sample_and_an_empty_list_like_qt() {
    let fake = Fake::new();
    let empty = fake.ok(&["list", "--format", "json"]);
    assert_eq!(empty.stdout, "{\n    \"list\": [\n    ]\n}\n");
    fake.launch("agent-vm");
    fake.launch("scratch-vm");
    fake.ok(&["stop", "scratch-vm"]);
    let out = fake.ok(&["list", "--format", "json"]);
    let ip = fake.info("agent-vm")["ipv4"][0]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(out.stdout.replace(&ip, "10.97.0.76"), fixture("list.json"));
    expect(
        &fake.run(&["list", "extra"]),
        1,
        "This command takes no arguments\n",
    );
}

#[test]
fn info_without_a_name_lists_every_instance_including_deleted_ones() {
    let fake = Fake::new();
    fake.launch("a");
    fake.launch("b");
    fake.ok(&["delete", "b"]);
    let out = fake.ok(&["info", "--format", "json"]);
    let doc: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(doc["errors"], serde_json::json!([]));
    assert_eq!(doc["info"]["a"]["state"], "Running");
    assert_eq!(doc["info"]["b"]["state"], "Deleted");
    assert_eq!(doc["info"]["b"]["ipv4"], serde_json::json!([]));
}

#[test]
fn launch_errors_match_the_contract() {
    let fake = Fake::new();
    fake.launch("vm");
    expect(
        &fake.run(&["launch", "--name", "vm"]),
        2,
        "launch failed: instance \"vm\" already exists\n",
    );
    expect(
        &fake.run(&["launch", "--name", "bad_name"]),
        2,
        "launch failed: Invalid arguments supplied\nInvalid instance name supplied: bad_name\n",
    );
    expect(
        &fake.run(&["launch", "--name", "x", "--memory", "100M"]),
        2,
        "launch failed: Invalid arguments supplied\nInvalid memory size value supplied: 100M.\n",
    );
    expect(
        &fake.run(&["launch", "--name", "x", "--disk", "100M"]),
        2,
        "launch failed: Invalid arguments supplied\nInvalid disk size value supplied: 100M.\n",
    );
    expect(
        &fake.run(&["launch", "--cpus", "0"]),
        1,
        "Error: invalid CPU count '0', need a positive integer value.\n",
    );
    expect(
        &fake.run(&["launch", "doesnotexist"]),
        2,
        "launch failed: Unable to find an image matching \"doesnotexist\" in remote \"release\".\n",
    );
    expect(
        &fake.run(&["launch", "--mount", "/nonexistent:/x"]),
        1,
        "Mount source path \"/nonexistent\" does not exist\n",
    );
    // Nothing was created by the failed launches.
    let list = fake.ok(&["list", "--format", "json"]);
    assert_eq!(list.stdout.matches("\"name\"").count(), 1);
}

// ------------------------------------------------------------------ missing instances

#[test]
fn a_missing_instance_gives_each_command_its_exact_error() {
    let fake = Fake::new();
    let dq = |cmd: &str| {
        format!("{cmd} failed: The following errors occurred:\ninstance \"nope\" does not exist\n")
    };
    let sq = |cmd: &str| {
        format!("{cmd} failed: The following errors occurred:\ninstance 'nope' does not exist\n")
    };
    let src = fake.host_dir("proj");
    let src = src.to_str().unwrap();
    let cases: Vec<(Vec<&str>, String)> = vec![
        (vec!["info", "nope", "--format", "json"], dq("info")),
        (vec!["exec", "nope", "-d", "/", "--", "true"], dq("exec")),
        (vec!["exec", "nope", "--", "true"], dq("exec").repeat(2)),
        (vec!["shell", "nope"], dq("shell")),
        (
            vec!["start", "nope"],
            "start failed: instance(s) missing\nInstance 'nope' does not exist.\n\n".to_string(),
        ),
        (vec!["stop", "nope"], dq("stop")),
        (vec!["restart", "nope"], dq("restart")),
        (vec!["delete", "nope"], dq("delete")),
        (vec!["mount", src, "nope:/home/ubuntu/proj"], sq("mount")),
        (vec!["umount", "nope"], sq("umount")),
        (vec!["transfer", src, "nope:."], dq("transfer")),
    ];
    for (args, stderr) in cases {
        let out = fake.run(&args);
        assert_eq!(
            (out.code, out.stderr.as_str()),
            (2, stderr.as_str()),
            "{args:?}"
        );
        assert_eq!(out.stdout, "", "{args:?}");
    }
}

// ------------------------------------------------------------------ lifecycle

#[test]
fn stop_start_restart_suspend_follow_the_contract() {
    let fake = Fake::new();
    fake.launch("vm");
    fake.ok(&["stop", "vm"]);
    assert_eq!(fake.info("vm")["state"], "Stopped");
    // Stopping a stopped instance is fine.
    fake.ok(&["stop", "vm"]);
    expect(
        &fake.run(&["restart", "vm"]),
        2,
        "restart failed: Instance 'vm' is already running, but in an unknown state.\nTry to stop and start it instead.\n",
    );
    fake.ok(&["start", "vm"]);
    assert_eq!(fake.info("vm")["state"], "Running");
    fake.ok(&["start", "vm"]);
    fake.ok(&["restart", "vm"]);
    fake.ok(&["suspend", "vm"]);
    assert_eq!(fake.info("vm")["state"], "Suspended");
    expect(
        &fake.run(&["stop", "vm"]),
        2,
        "stop failed: Cannot shut down suspended instance vm.\n",
    );
    fake.ok(&["stop", "--force", "vm"]);
    assert_eq!(fake.info("vm")["state"], "Stopped");
}

#[test]
fn delete_recover_and_purge() {
    let fake = Fake::new();
    fake.launch("gone");
    fake.launch("keep");
    fake.ok(&["delete", "gone"]);
    assert_eq!(fake.info("gone")["state"], "Deleted");
    expect(
        &fake.run(&["exec", "gone", "--", "true"]),
        2,
        "exec failed: The following errors occurred:\ninstance \"gone\" is deleted\n",
    );
    expect(
        &fake.run(&["start", "gone"]),
        2,
        "start failed: instance(s) missing\nInstance 'gone' is deleted. Use 'recover' to recover it or 'purge' to permanently delete it.\n\n",
    );
    fake.ok(&["recover", "gone"]);
    assert_eq!(fake.info("gone")["state"], "Stopped");
    fake.ok(&["delete", "gone"]);
    let purge = fake.ok(&["purge"]);
    assert_eq!(purge.stdout, "");
    assert_eq!(fake.run(&["info", "gone", "--format", "json"]).code, 2);
    assert!(!fake.state.path().join("instances/gone").exists());
    fake.ok(&["delete", "--purge", "keep"]);
    assert_eq!(
        fake.ok(&["list", "--format", "json"]).stdout,
        "{\n    \"list\": [\n    ]\n}\n"
    );
}

// ------------------------------------------------------------------ mounts

#[test]
fn mount_and_umount_follow_the_contract() {
    let fake = Fake::new();
    fake.launch("vm");
    let src = fake.host_dir("proj");
    let s = src.to_str().unwrap();
    // Default target: /home/ubuntu/<basename>.
    fake.ok(&["mount", s, "vm"]);
    assert_eq!(
        fake.info("vm")["mounts"]["/home/ubuntu/proj"]["source_path"],
        s
    );
    expect(
        &fake.run(&["mount", s, "vm:/home/ubuntu/proj"]),
        2,
        "mount failed: The following errors occurred:\n\"/home/ubuntu/proj\" is already mounted in 'vm'\n",
    );
    expect(
        &fake.run(&["mount", s, "vm:/home/ubuntu"]),
        2,
        "mount failed: The following errors occurred:\nunable to mount to \"/home/ubuntu\"\n",
    );
    expect(
        &fake.run(&["mount", "/nonexistent/p", "vm:/x"]),
        1,
        "Source path \"/nonexistent/p\" does not exist\n",
    );
    let file = src.join("f.txt");
    std::fs::write(&file, "x").unwrap();
    expect(
        &fake.run(&["mount", file.to_str().unwrap(), "vm:/x"]),
        1,
        &format!("Source path \"{}\" is not a directory\n", file.display()),
    );
    expect(&fake.run(&["mount", s]), 1, "Not enough arguments given\n");
    expect(
        &fake.run(&["mount", "-t", "x", s, "vm:/y"]),
        1,
        "error: Bad mount type 'x' specified, please use 'classic' or 'native'\n",
    );
    expect(
        &fake.run(&["mount", "-u", "1000", s, "vm:/y"]),
        1,
        "Invalid UID map given: 1000\n",
    );
    expect(
        &fake.run(&["mount", "-t", "native", s, "vm:/y"]),
        2,
        "mount failed: Please stop the instance vm before attempting native mounts.\n",
    );
    // A relative source is made absolute against the current directory.
    fake.ok(&["mount", "proj", "vm:/srv/p2"]);
    assert_eq!(fake.info("vm")["mounts"]["/srv/p2"]["source_path"], s);
    // Mounting a stopped instance is fine; mounts stay listed while stopped.
    fake.ok(&["stop", "vm"]);
    fake.ok(&["mount", s, "vm:/home/ubuntu/other"]);
    assert_eq!(fake.info("vm")["mounts"].as_object().unwrap().len(), 3);
    expect(
        &fake.run(&["umount", "vm:/home/ubuntu/nothing"]),
        2,
        "umount failed: The following errors occurred:\npath \"/home/ubuntu/nothing\" is not mounted in 'vm'\n",
    );
    fake.ok(&["umount", "vm:/srv/p2"]);
    assert_eq!(fake.info("vm")["mounts"].as_object().unwrap().len(), 2);
    fake.ok(&["umount", "vm"]);
    assert_eq!(fake.info("vm")["mounts"], serde_json::json!({}));
}

// ------------------------------------------------------------------ exec

#[test]
fn exec_writes_through_a_mount_into_the_host_folder_and_passes_the_exit_code_back() {
    let fake = Fake::new();
    fake.launch("vm");
    let src = fake.host_dir("project");
    fake.ok(&["mount", src.to_str().unwrap(), "vm:/home/ubuntu/project"]);
    let out = fake.run(&[
        "exec",
        "vm",
        "--working-directory",
        "/home/ubuntu/project",
        "--",
        "sh",
        "-c",
        "printf '%s' \"$1\" > written.txt; pwd; exit 42",
        "sh",
        "a b $(not run)",
    ]);
    assert_eq!(out.code, 42, "{out:?}");
    assert_eq!(out.stdout, "/home/ubuntu/project\n");
    assert_eq!(
        std::fs::read_to_string(src.join("written.txt")).unwrap(),
        "a b $(not run)"
    );
}

#[test]
fn exec_passes_stdin_and_stderr_through_and_clears_the_environment() {
    let fake = Fake::new().with_env("AGSEKIT_HOST_ONLY", "leak");
    fake.launch("vm");
    let out = fake.run_with_stdin(
        &[
            "exec",
            "vm",
            "-d",
            "/tmp",
            "--",
            "sh",
            "-c",
            "cat; echo \"home=$HOME user=$USER leak=${AGSEKIT_HOST_ONLY:-none}\" >&2",
        ],
        b"from stdin\n",
    );
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout, "from stdin\n");
    assert_eq!(out.stderr, "home=/home/ubuntu user=ubuntu leak=none\n");
}

#[test]
fn exec_sees_a_private_home_tmp_and_bin_per_instance() {
    let fake = Fake::new();
    fake.launch("one");
    fake.launch("two");
    // A fake agent installed into the instance's /usr/local/bin runs by name.
    let bin = fake.state.path().join("instances/one/bin/hello-agent");
    std::fs::write(&bin, "#!/bin/sh\necho \"agent in $(pwd) with $#: $*\"\n").unwrap();
    std::process::Command::new("chmod")
        .args(["755", bin.to_str().unwrap()])
        .status()
        .unwrap();
    let out = fake.ok(&[
        "exec",
        "one",
        "-d",
        "/home/ubuntu",
        "--",
        "hello-agent",
        "x y",
        "z",
    ]);
    assert_eq!(out.stdout, "agent in /home/ubuntu with 2: x y z\n");
    expect(
        &fake.run(&["exec", "two", "-d", "/", "--", "hello-agent"]),
        127,
        "bash: line 1: hello-agent: command not found\n",
    );
    // /tmp and the home belong to the instance and persist between calls.
    fake.ok(&[
        "exec",
        "one",
        "-d",
        "/",
        "--",
        "sh",
        "-c",
        "echo 1 > /tmp/t; echo 2 > ~/h",
    ]);
    let out = fake.ok(&["exec", "one", "-d", "/", "--", "sh", "-c", "cat /tmp/t ~/h"]);
    assert_eq!(out.stdout, "1\n2\n");
    assert_eq!(
        std::fs::read_to_string(fake.state.path().join("instances/one/home/h")).unwrap(),
        "2\n"
    );
    let out = fake.run(&["exec", "two", "-d", "/", "--", "sh", "-c", "cat /tmp/t ~/h"]);
    assert_eq!(out.code, 1, "{out:?}");
    // The host's files are there but read-only.
    let out = fake.run(&[
        "exec",
        "one",
        "-d",
        "/",
        "--",
        "sh",
        "-c",
        "touch /etc/fake-multipass-test",
    ]);
    assert_ne!(out.code, 0);
    assert!(!Path::new("/etc/fake-multipass-test").exists());
}

#[test]
fn exec_in_a_missing_folder_fails_like_the_vm_shell() {
    let fake = Fake::new();
    fake.launch("vm");
    expect(
        &fake.run(&["exec", "vm", "-d", "/nope", "--", "true"]),
        1,
        "bash: line 1: cd: /nope: No such file or directory\n",
    );
}

#[test]
fn exec_exit_4_is_reported_instead_of_looping() {
    let fake = Fake::new();
    fake.launch("vm");
    let out = fake.run(&["exec", "vm", "-d", "/", "--", "sh", "-c", "exit 4"]);
    assert_eq!(out.code, 199, "{out:?}");
    assert!(out.stderr.contains("would re-run it forever"), "{out:?}");
    // Every other code passes through, including 1, 2 and 3.
    for code in ["1", "2", "3", "5", "254"] {
        let out = fake.run(&[
            "exec",
            "vm",
            "-d",
            "/",
            "--",
            "sh",
            "-c",
            &format!("exit {code}"),
        ]);
        assert_eq!(out.code.to_string(), code);
    }
}

#[test]
fn exec_on_a_stopped_instance_starts_it() {
    let fake = Fake::new();
    fake.launch("vm");
    fake.ok(&["stop", "vm"]);
    let out = fake.ok(&["exec", "vm", "-d", "/", "--", "echo", "up"]);
    assert_eq!(out.stdout, "up\n");
    assert_eq!(fake.info("vm")["state"], "Running");
}

#[test]
fn exec_without_a_working_directory_maps_the_current_folder_through_mounts() {
    let fake = Fake::new();
    fake.launch("vm");
    let src = fake.host_dir("proj");
    std::fs::create_dir_all(src.join("sub")).unwrap();
    fake.ok(&["mount", src.to_str().unwrap(), "vm:/home/ubuntu/p"]);
    let mut cmd = fake.cmd(&["exec", "vm", "--", "pwd"]);
    let out = cmd.current_dir(src.join("sub")).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "/home/ubuntu/p/sub\n");
    // Outside every mount: the home.
    assert_eq!(
        fake.ok(&["exec", "vm", "--", "pwd"]).stdout,
        "/home/ubuntu\n"
    );
    assert_eq!(
        fake.ok(&["exec", "vm", "-n", "--", "pwd"]).stdout,
        "/home/ubuntu\n"
    );
}

#[test]
fn exec_command_line_errors() {
    let fake = Fake::new();
    fake.launch("vm");
    expect(&fake.run(&["exec", "vm"]), 1, "Wrong number of arguments\n");
    expect(
        &fake.run(&["exec", "vm", "-d", "/", "-n", "--", "true"]),
        1,
        "Options --working-directory and --no-map-working-directory clash\n",
    );
    expect(
        &fake.run(&["exec", "vm", "ls", "-la"]),
        1,
        "Unknown option 'la'.\n\nOptions to the inner command should come after \"--\", like this:\nmultipass exec <instance> -- <command>\n",
    );
}

#[test]
fn shell_exits_0_whatever_the_inner_shell_returns_like_1_16() {
    let fake = Fake::new();
    fake.launch("vm");
    let out = fake.run_with_stdin(&["shell", "vm"], b"pwd; exit 7\n");
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "/home/ubuntu\n"),
        "{out:?}"
    );
}

// ------------------------------------------------------------------ transfer, version

#[test]
fn transfer_to_and_from_the_vm() {
    let fake = Fake::new();
    fake.launch("vm");
    let host_file = fake.host.path().join("in.txt");
    std::fs::write(&host_file, "payload").unwrap();
    fake.ok(&["transfer", host_file.to_str().unwrap(), "vm:in.txt"]);
    assert_eq!(
        fake.ok(&["exec", "vm", "-d", "/", "--", "cat", "/home/ubuntu/in.txt"])
            .stdout,
        "payload"
    );
    fake.ok(&[
        "exec",
        "vm",
        "-d",
        "/",
        "--",
        "sh",
        "-c",
        "echo back > /tmp/out.txt",
    ]);
    let back = fake.host.path().join("back.txt");
    fake.ok(&["transfer", "vm:/tmp/out.txt", back.to_str().unwrap()]);
    assert_eq!(std::fs::read_to_string(&back).unwrap(), "back\n");
    // stdin and stdout.
    let out = fake.run_with_stdin(
        &["transfer", "-p", "-", "vm:/home/ubuntu/d/e.txt"],
        b"piped",
    );
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(fake.ok(&["transfer", "vm:d/e.txt", "-"]).stdout, "piped");
    // Errors.
    expect(
        &fake.run(&["transfer", "-", "-"]),
        1,
        "Only one '-' allowed\n",
    );
    expect(
        &fake.run(&["transfer", "a", "b"]),
        1,
        "An instance name is needed for either source or destination\n",
    );
    expect(
        &fake.run(&["transfer", "vm:a", "vm:b"]),
        1,
        "Cannot specify an instance name for both source and destination\n",
    );
    fake.ok(&["stop", "vm"]);
    expect(
        &fake.run(&["transfer", host_file.to_str().unwrap(), "vm:."]),
        2,
        "transfer failed: instance \"vm\" is not running\n",
    );
}

#[test]
fn version_as_text_and_json() {
    let fake = Fake::new();
    assert_eq!(
        fake.ok(&["version"]).stdout,
        "multipass   1.16.3+fake\nmultipassd  1.16.3+fake\n"
    );
    let json: Value =
        serde_json::from_str(&fake.ok(&["version", "--format", "json"]).stdout).unwrap();
    assert_eq!(json["multipass"], "1.16.3+fake");
}

// ------------------------------------------------------------------ harness features

#[test]
fn injected_failures_always_or_for_the_first_n_calls() {
    let fake = Fake::new()
        .with_env(
            "FAKE_MULTIPASS_FAIL",
            "mount:2:mount failed: Mounts are disabled on this installation of Multipass.\\n\\nSee the docs.\nstart#2:2:start failed: cannot connect to the multipass socket",
        );
    fake.launch("vm");
    let src = fake.host_dir("p");
    for _ in 0..2 {
        expect(
            &fake.run(&["mount", src.to_str().unwrap(), "vm:/home/ubuntu/p"]),
            2,
            "mount failed: Mounts are disabled on this installation of Multipass.\n\nSee the docs.\n",
        );
    }
    assert_eq!(fake.info("vm")["mounts"], serde_json::json!({}));
    for _ in 0..2 {
        expect(
            &fake.run(&["start", "vm"]),
            2,
            "start failed: cannot connect to the multipass socket\n",
        );
    }
    fake.ok(&["start", "vm"]);
    // Failed calls are logged too.
    assert_eq!(
        fake.calls()
            .iter()
            .filter(|c| c["argv"][0] == "start")
            .count(),
        3
    );
}

#[test]
fn latency_delays_every_call() {
    let fake = Fake::new().with_env("FAKE_MULTIPASS_LATENCY_MS", "300");
    let started = std::time::Instant::now();
    fake.ok(&["version"]);
    // A lower bound only: sleeping can take longer on a busy machine, never shorter.
    assert!(started.elapsed() >= std::time::Duration::from_millis(300));
}

#[test]
fn the_state_directory_is_required() {
    let out = Command::new(BIN)
        .arg("list")
        .env_remove("FAKE_MULTIPASS_STATE")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(70));
    assert!(String::from_utf8_lossy(&out.stderr).contains("FAKE_MULTIPASS_STATE"));
}

#[test]
fn parallel_launches_lose_no_instance() {
    let fake = Fake::new();
    let children: Vec<_> = (0..6)
        .map(|i| {
            fake.cmd(&["launch", "--name", &format!("vm{i}")])
                .stdout(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    let list: Value = serde_json::from_str(&fake.ok(&["list", "--format", "json"]).stdout).unwrap();
    assert_eq!(list["list"].as_array().unwrap().len(), 6);
}
