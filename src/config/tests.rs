//! Tables of configs and what validation must say about them, plus the no-panic properties.

use std::path::{Path, PathBuf};

use super::*;

const FILE: &str = "/cfg/config.yaml";
const VM: &str = "vms:\n  vm1: {cpu: 1, ram: 1G, disk: 1G}\n";

fn load(yaml: &str) -> Result<Config, Invalid> {
    load_from_str(yaml, Path::new(FILE), crate::backend::minimums)
}

fn ok(yaml: &str) -> Config {
    match load(yaml) {
        Ok(c) => c,
        Err(e) => panic!("expected a valid config, got:\n{e}\n--- yaml:\n{yaml}"),
    }
}

fn problems(yaml: &str) -> Vec<String> {
    match load(yaml) {
        Ok(_) => panic!("expected problems, config was valid:\n{yaml}"),
        Err(e) => e.problems.iter().map(|p| p.to_string()).collect(),
    }
}

/// The 1.7.4 example config (reference section 2.1), comments dropped.
pub const ORIGINAL_EXAMPLE: &str = r#"
global:
  ssh_keys_folder: null
  systemd_env_folder: null
  state_file: null
  portforward_config_check_interval_sec: 10
  check_new_version: true
  check_new_version_interval_sec: 600
  http_proxy_port_pool:
    start: 48000
    end: 49000
vms:
  agent-ubuntu:
    cpu: 2
    ram: 4G
    disk: 20G
    allowed_agents: aider, qwen, forgecode, codex, opencode, claude, cline
    proxychains: ""
    http_proxy: ""
    cloud-init: {}
    port-forwarding:
      - type: remote
        host-addr: 127.0.0.1:80
        vm-addr: 127.0.0.1:8080
      - type: local
        host-addr: 0.0.0.0:15432
        vm-addr: 127.0.0.1:5432
      - type: socks5
        vm-addr: 127.0.0.1:8088
    install:
      - python
      - nodejs:20
      - rust
mounts:
  - source: /host/path/project
    target: /home/ubuntu/project
    backup: /host/backups/project
    allowed_agents: qwen, codex
    interval: 5
    max_backups: 100
    backup_clean_method: thin
    first_backup: true
    vm: agent-ubuntu
agents:
  qwen:
    type: qwen
    proxychains: ""
    http_proxy:
      upstream: socks5://127.0.0.1:8181
      listen: 127.0.0.1:8585
    env:
      OPENAI_API_KEY: "my_local_key"
      OPENAI_BASE_URL: "https://127.0.0.1:11556/v1"
      OPENAI_MODEL: "Qwen/Qwen3-Coder-30B-A3B-Instruct-FP8"
    default-args:
      - "--openai-api-key=my_local_key"
      - "--openai-base-url=https://127.0.0.1:11556/v1"
    vm: agent-ubuntu
    vms: agent-ubuntu
  aider:
    type: aider
  forgecode:
    type: forgecode
"#;

#[test]
fn original_example_loads_with_its_values() {
    let c = ok(ORIGINAL_EXAMPLE);
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    let vm = &c.vms["agent-ubuntu"];
    assert_eq!(
        (vm.cpu, vm.ram.as_str(), vm.disk.as_str()),
        (2, "4G", "20G")
    );
    assert_eq!(vm.ram_bytes, 4 << 30);
    assert_eq!(vm.proxychains, None);
    assert_eq!(vm.http_proxy, None);
    assert_eq!(vm.cloud_init, None);
    assert_eq!(
        vm.allowed_agents.as_deref().map(|l| l.len()),
        Some(7),
        "comma string split into 7 names"
    );
    assert_eq!(
        vm.port_forwarding[0],
        PortForward {
            kind: ForwardKind::Remote,
            host_addr: Some("127.0.0.1:80".into()),
            vm_addr: "127.0.0.1:8080".into()
        }
    );
    assert_eq!(vm.port_forwarding[2].host_addr, None);
    assert_eq!(
        vm.install[1],
        Bundle {
            name: "nodejs".into(),
            version: Some("20".into())
        }
    );
    let m = &c.mounts[0];
    assert_eq!(m.source, PathBuf::from("/host/path/project"));
    assert_eq!(m.backup, PathBuf::from("/host/backups/project"));
    assert_eq!(m.allowed_agents, Some(vec!["qwen".into(), "codex".into()]));
    let q = &c.agents["qwen"];
    assert_eq!(q.agent_type, AgentType::Qwen);
    assert_eq!(
        q.vms,
        vec!["agent-ubuntu".to_string()],
        "vm + vms merged, deduplicated"
    );
    assert_eq!(
        q.proxychains,
        Some(None),
        "present but empty = explicitly off"
    );
    assert_eq!(
        q.http_proxy,
        Some(Some(HttpProxy::Upstream {
            upstream: "socks5://127.0.0.1:8181".into(),
            listen: Some("127.0.0.1:8585".into())
        }))
    );
    assert_eq!(
        q.env["OPENAI_MODEL"],
        "Qwen/Qwen3-Coder-30B-A3B-Instruct-FP8"
    );
    assert_eq!(q.default_args.len(), 2);
    assert_eq!(c.agents["aider"].proxychains, None, "absent = inherit");
    assert_eq!(
        c.global.http_proxy_port_pool,
        PortRange {
            start: 48000,
            end: 49000
        }
    );
}

#[test]
fn defaults_are_filled_in() {
    let c = ok(&format!(
        "{VM}  vm2: {{cpu: 2, ram: 2G, disk: 2G}}\nmounts:\n  - source: /home/me/proj\nagents:\n  a: {{type: codex}}\n"
    ));
    let m = &c.mounts[0];
    assert_eq!(m.target, PathBuf::from("/home/ubuntu/proj"));
    assert_eq!(m.backup, PathBuf::from("/home/me/backups-proj"));
    assert_eq!(m.vm, "vm1", "first VM is the default");
    assert_eq!((m.interval, m.max_backups), (5, 100));
    assert_eq!(m.backup_clean_method, CleanMethod::Thin);
    assert!(m.first_backup);
    assert_eq!(m.allowed_agents, None);
    let a = &c.agents["a"];
    assert!(a.vms.is_empty());
    assert_eq!(a.bound_vms(&c), vec!["vm1", "vm2"]);
    assert_eq!(a.version, None);
    let g = &c.global;
    assert_eq!(g.portforward_config_check_interval_sec, 10);
    assert!(g.check_new_version);
    assert_eq!(g.check_new_version_interval_sec, 600);
    assert!(g.ssh_keys_folder.ends_with(".config/agsekit/ssh"));
    assert!(g.state_file.ends_with(".config/agsekit/state.yaml"));
    assert_eq!(c.default_vm().map(|v| v.name.as_str()), Some("vm1"));
}

#[test]
fn empty_and_null_documents_are_empty_configs() {
    for text in [
        "",
        "\n",
        "# only a comment\n",
        "~\n",
        "null\n",
        "{}\n",
        "vms:\nmounts:\nagents:\n",
    ] {
        let c = ok(text);
        assert!(
            c.vms.is_empty() && c.mounts.is_empty() && c.agents.is_empty(),
            "{text:?}"
        );
        assert!(c.default_vm().is_none());
        assert_eq!(c.vm(None).unwrap_err().kind, crate::ErrorKind::Config);
    }
}

#[test]
fn accepted_value_forms() {
    // (yaml appended after a VM section, check on the loaded config)
    type Check = fn(&Config) -> bool;
    let cases: &[(&str, Check)] = &[
        ("mounts:\n  - {source: /p, allowed_agents: [a, a, b]}\nagents: {a: {type: qwen}, b: {type: codex}}\n", |c| {
            c.mounts[0].allowed_agents == Some(vec!["a".into(), "b".into()])
        }),
        ("mounts:\n  - {source: /p, allowed_agents: \"a ,b\"}\nagents: {a: {type: qwen}, b: {type: codex}}\n", |c| {
            c.mounts[0].allowed_agents == Some(vec!["a".into(), "b".into()])
        }),
        ("mounts:\n  - {source: /p, allowed_agents: claude}\n", |c| {
            c.mounts[0].allowed_agents == Some(vec!["claude".into()])
        }),
        ("mounts:\n  - {source: /p, allowed_agents: \"\"}\n", |c| c.mounts[0].allowed_agents.is_none()),
        ("mounts:\n  - {source: /p, backup_clean_method: TAIL, first_backup: false, interval: \"7\"}\n", |c| {
            let m = &c.mounts[0];
            m.backup_clean_method == CleanMethod::Tail && !m.first_backup && m.interval == 7
        }),
        ("mounts:\n  - {source: /a/b/../p/., target: ~/work/x/..}\n", |c| {
            c.mounts[0].source == Path::new("/a/p") && c.mounts[0].target == Path::new("/home/ubuntu/work")
        }),
        ("mounts:\n  - {source: ~/proj}\n", |c| c.mounts[0].source == super::home_dir().join("proj")),
        ("agents:\n  a: {type: CODEX-GLIBC, version: v1.2.3}\n", |c| {
            let a = &c.agents["a"];
            a.agent_type == AgentType::CodexGlibc && a.version.as_deref() == Some("1.2.3")
        }),
        ("agents:\n  a: {type: gemini, version: stable}\n", |c| c.agents["a"].agent_type == AgentType::Gemini),
        ("agents:\n  a: {type: qwen, env: {N: 5, B: true, E: null, S: x}}\n", |c| {
            let e = &c.agents["a"].env;
            e["N"] == "5" && e["B"] == "true" && e["E"].is_empty() && e["S"] == "x"
        }),
        ("agents:\n  a: {type: qwen, vm: vm1, vms: [vm1]}\n", |c| c.agents["a"].vms == vec!["vm1".to_string()]),
        ("agents:\n  a: {type: qwen, http_proxy: \"\", proxychains: null}\n", |c| {
            c.agents["a"].http_proxy == Some(None) && c.agents["a"].proxychains == Some(None)
        }),
        ("agents:\n  a: {type: qwen, http_proxy: {url: \"HTTP://p:3128/\"}}\n", |c| {
            c.agents["a"].http_proxy == Some(Some(HttpProxy::Direct { url: "http://p:3128".into() }))
        }),
        ("agents:\n  a: {type: qwen, http_proxy: {upstream: socks5://h:1, listen: 8585}}\n", |c| {
            c.agents["a"].http_proxy
                == Some(Some(HttpProxy::Upstream { upstream: "socks5://h:1".into(), listen: Some("127.0.0.1:8585".into()) }))
        }),
        ("agents:\n  a: {type: qwen, http_proxy: {}}\n", |c| c.agents["a"].http_proxy == Some(None)),
        ("agents:\n  a: {type: qwen, default-args: [--x, 5]}\n", |c| c.agents["a"].default_args == vec!["--x", "5"]),
        ("agents: null\n", |c| c.agents.is_empty()),
        ("global:\n  portforward_config_check_interval_sec: \"10\"\n  http_proxy_port_pool: {start: 1000, end: 1000}\n", |c| {
            c.global.http_proxy_port_pool == PortRange { start: 1000, end: 1000 }
        }),
        ("global:\n  ssh_keys_folder: /keys/./x/\n", |c| c.global.ssh_keys_folder == Path::new("/keys/x")),
        ("global: null\n", |c| c.global.check_new_version),
    ];
    for (extra, check) in cases {
        let yaml = format!("{VM}{extra}");
        let c = ok(&yaml);
        assert!(check(&c), "check failed for:\n{yaml}\n{c:#?}");
    }
}

#[test]
fn vm_value_forms() {
    let c = ok("vms:\n  v:\n    cpu: \"4\"\n    ram: 4294967296\n    disk: 1.5G\n    cloud-init: {packages: [git]}\n    http_proxy: socks5://h:1\n    proxychains: http://p:3128\n    install: [python:3.12, nodejs, docker]\n");
    let v = &c.vms["v"];
    assert_eq!(v.cpu, 4);
    assert_eq!(v.ram, "4294967296");
    assert_eq!(v.ram_bytes, 4 << 30);
    assert_eq!(v.disk_bytes, 3 << 29);
    assert!(v
        .cloud_init
        .as_deref()
        .is_some_and(|t| t.contains("packages")));
    assert_eq!(
        v.http_proxy,
        Some(HttpProxy::Upstream {
            upstream: "socks5://h:1".into(),
            listen: None
        })
    );
    assert_eq!(v.proxychains.as_deref(), Some("http://p:3128"));
    assert_eq!(v.install.len(), 3);
}

/// Each case: YAML appended after a valid VM section, the key path of the problem, and a
/// fragment of its message.
#[test]
fn every_rule_reports_its_key_path() {
    let cases: &[(&str, &str, &str)] = &[
        // root and sections
        ("mounts: {a: 1}\n", "mounts", "must be a list"),
        ("agents: [a]\n", "agents", "must be a mapping"),
        // global
        ("global: 5\n", "global", "must be a mapping"),
        ("global: {check_new_version: \"yes\"}\n", "global.check_new_version", "true or false"),
        ("global: {portforward_config_check_interval_sec: 0}\n", "global.portforward_config_check_interval_sec", "whole number"),
        ("global: {check_new_version_interval_sec: abc}\n", "global.check_new_version_interval_sec", "whole number"),
        ("global: {http_proxy_port_pool: {start: 100}}\n", "global.http_proxy_port_pool.end", "missing"),
        ("global: {http_proxy_port_pool: {start: 10, end: 5}}\n", "global.http_proxy_port_pool", "above end"),
        ("global: {http_proxy_port_pool: {start: 10, end: 70000}}\n", "global.http_proxy_port_pool.end", "1 to 65535"),
        ("global: {state_file: [a]}\n", "global.state_file", "must be a path"),
        // vms
        ("  vm2: {ram: 1G, disk: 1G}\n", "vms.vm2.cpu", "missing"),
        ("  vm2: {cpu: 1, disk: 1G}\n", "vms.vm2.ram", "missing"),
        ("  vm2: {cpu: 1, ram: 1G}\n", "vms.vm2.disk", "missing"),
        ("  vm2: {cpu: 0, ram: 1G, disk: 1G}\n", "vms.vm2.cpu", "whole number"),
        ("  vm2: {cpu: 1.5, ram: 1G, disk: 1G}\n", "vms.vm2.cpu", "whole number"),
        ("  vm2: {cpu: true, ram: 1G, disk: 1G}\n", "vms.vm2.cpu", "whole number"),
        ("  vm2: {cpu: 1, ram: 100M, disk: 1G}\n", "vms.vm2.ram", "minimum of 128M"),
        ("  vm2: {cpu: 1, ram: 1G, disk: 100M}\n", "vms.vm2.disk", "minimum of 512M"),
        ("  vm2: {cpu: 1, ram: 4P, disk: 1G}\n", "vms.vm2.ram", "cannot read size"),
        ("  vm2: {cpu: 1, ram: [1], disk: 1G}\n", "vms.vm2.ram", "must be a size"),
        ("  bad_name: {cpu: 1, ram: 1G, disk: 1G}\n", "vms.bad_name", "not a valid VM name"),
        ("  vm2: 5\n", "vms.vm2", "must be a mapping"),
        ("  vm2: {cpu: 1, ram: 1G, disk: 1G, cloud-init: text}\n", "vms.vm2.cloud-init", "must be a mapping"),
        ("  vm2: {cpu: 1, ram: 1G, disk: 1G, port-forwarding: {type: local}}\n", "vms.vm2.port-forwarding", "must be a list"),
        ("  vm2: {cpu: 1, ram: 1G, disk: 1G, port-forwarding: [{type: up, vm-addr: \"h:1\"}]}\n", "vms.vm2.port-forwarding[0].type", "local, remote or socks5"),
        ("  vm2: {cpu: 1, ram: 1G, disk: 1G, port-forwarding: [{vm-addr: \"h:1\"}]}\n", "vms.vm2.port-forwarding[0].type", "missing"),
        ("  vm2: {cpu: 1, ram: 1G, disk: 1G, port-forwarding: [{type: local, vm-addr: \"h:1\"}]}\n", "vms.vm2.port-forwarding[0].host-addr", "missing"),
        ("  vm2: {cpu: 1, ram: 1G, disk: 1G, port-forwarding: [{type: remote, host-addr: \"h:1\"}]}\n", "vms.vm2.port-forwarding[0].vm-addr", "missing"),
        ("  vm2: {cpu: 1, ram: 1G, disk: 1G, port-forwarding: [{type: socks5, vm-addr: 8080}]}\n", "vms.vm2.port-forwarding[0].vm-addr", "host:port"),
        ("  vm2: {cpu: 1, ram: 1G, disk: 1G, port-forwarding: [{type: local, host-addr: \"h:0\", vm-addr: \"h:1\"}]}\n", "vms.vm2.port-forwarding[0].host-addr", "outside 1-65535"),
        ("  vm2: {cpu: 1, ram: 1G, disk: 1G, proxychains: \"ftp://h:1\"}\n", "vms.vm2.proxychains", "not supported"),
        ("  vm2: {cpu: 1, ram: 1G, disk: 1G, proxychains: 5}\n", "vms.vm2.proxychains", "must be a proxy URL"),
        ("  vm2: {cpu: 1, ram: 1G, disk: 1G, http_proxy: {url: \"http://h:1\", upstream: \"socks5://h:2\"}}\n", "vms.vm2.http_proxy", "not both"),
        ("  vm2: {cpu: 1, ram: 1G, disk: 1G, http_proxy: {url: \"socks5://h:1\"}}\n", "vms.vm2.http_proxy.url", "not supported"),
        ("  vm2: {cpu: 1, ram: 1G, disk: 1G, http_proxy: {url: \"http://h:1\", listen: 8000}}\n", "vms.vm2.http_proxy.listen", "only applies with upstream"),
        ("  vm2: {cpu: 1, ram: 1G, disk: 1G, http_proxy: {listen: 8000}}\n", "vms.vm2.http_proxy.listen", "needs upstream"),
        ("  vm2: {cpu: 1, ram: 1G, disk: 1G, http_proxy: {upstream: \"socks5://h:1\", listen: 99999}}\n", "vms.vm2.http_proxy.listen", "outside 1-65535"),
        ("  vm2: {cpu: 1, ram: 1G, disk: 1G, allowed_agents: [nobody]}\n", "vms.vm2.allowed_agents[0]", "neither a configured agent"),
        ("  vm2: {cpu: 1, ram: 1G, disk: 1G, allowed_agents: \"qwen,,codex\"}\n", "vms.vm2.allowed_agents", "empty"),
        ("  vm2: {cpu: 1, ram: 1G, disk: 1G, allowed_agents: 5}\n", "vms.vm2.allowed_agents", ""),
        ("  vm2: {cpu: 1, ram: 1G, disk: 1G, allowed_agents: {a: 1}}\n", "vms.vm2.allowed_agents", "must be a list"),
        ("  vm2: {cpu: 1, ram: 1G, disk: 1G, install: python}\n", "vms.vm2.install", "must be a list"),
        ("  vm2: {cpu: 1, ram: 1G, disk: 1G, install: [\"\"]}\n", "vms.vm2.install[0]", "empty bundle"),
        ("  vm2: {cpu: 1, ram: 1G, disk: 1G, install: [\"nodejs:\"]}\n", "vms.vm2.install[0]", "no version"),
        ("  vm2: {cpu: 1, ram: 1G, disk: 1G, install: [\":20\"]}\n", "vms.vm2.install[0]", "no bundle name"),
        ("  vm2: {cpu: 1, ram: 1G, disk: 1G, install: [golang:1.22]}\n", "vms.vm2.install[0]", "does not take a version"),
        ("  vm2: {cpu: 1, ram: 1G, disk: 1G, install: [pyhton]}\n", "vms.vm2.install[0]", "did you mean \"python\""),
        // mounts
        ("mounts: [5]\n", "mounts[0]", "must be a mapping"),
        ("mounts: [{target: /x}]\n", "mounts[0].source", "missing"),
        ("mounts: [{source: \"\"}]\n", "mounts[0].source", "empty"),
        ("mounts: [{source: /}]\n", "mounts[0].source", "cannot be shared"),
        ("mounts: [{source: /p, target: rel/x}]\n", "mounts[0].target", "not an absolute path"),
        ("mounts: [{source: /p, target: /}]\n", "mounts[0].target", "root folder"),
        ("mounts: [{source: /p, vm: dev}]\n", "mounts[0].vm", "no VM named \"dev\"; defined VMs: vm1"),
        ("mounts: [{source: /p, vm: vm2}]\n", "mounts[0].vm", "did you mean \"vm1\""),
        ("mounts: [{source: /p, interval: 0}]\n", "mounts[0].interval", "whole number"),
        ("mounts: [{source: /p, max_backups: -3}]\n", "mounts[0].max_backups", "whole number"),
        ("mounts: [{source: /p, backup_clean_method: fifo}]\n", "mounts[0].backup_clean_method", "thin"),
        ("mounts: [{source: /p, first_backup: \"true\"}]\n", "mounts[0].first_backup", "true or false"),
        ("mounts: [{source: /p, first_backup: 1}]\n", "mounts[0].first_backup", "true or false"),
        ("mounts: [{source: /p, backup: /p/snap}]\n", "mounts[0].backup", "inside the shared folder"),
        ("mounts: [{source: /p, allowed_agents: [ghost]}]\n", "mounts[0].allowed_agents[0]", "neither a configured agent"),
        ("mounts: [{source: /p}, {source: /p/}]\n", "mounts[1].source", "already mounted"),
        ("mounts: [{source: /a/p, backup: /b}, {source: /c/q, backup: /b}]\n", "mounts[1].backup", "also the backup folder"),
        ("mounts: [{source: /a/p, target: /t}, {source: /c/q, target: /t}]\n", "mounts[1].target", "already mounted at /t"),
        // agents
        ("agents: {a: 5}\n", "agents.a", "must be a mapping"),
        ("agents: {a: {}}\n", "agents.a.type", "missing"),
        ("agents: {a: null}\n", "agents.a.type", "missing"),
        ("agents: {a: {tpye: qwen}}\n", "agents.a.type", "looks like a typo"),
        ("agents: {a: {type: qwne}}\n", "agents.a.type", "did you mean \"qwen\""),
        ("agents: {a: {type: [qwen]}}\n", "agents.a.type", "unknown agent type"),
        ("agents: {\"a b\": {type: qwen}}\n", "agents.a b", "not a valid agent name"),
        ("agents: {a: {type: qwen, version: latest}}\n", "agents.a.version", "not a version"),
        ("agents: {a: {type: qwen, version: 1.2}}\n", "agents.a.version", "quote it"),
        ("agents: {a: {type: qwen, env: [A]}}\n", "agents.a.env", "must be a mapping"),
        ("agents: {a: {type: qwen, env: {A: [1]}}}\n", "agents.a.env.A", "single value"),
        ("agents: {a: {type: qwen, env: {\"A=B\": x}}}\n", "agents.a.env.A=B", "contains '='"),
        ("agents: {a: {type: qwen, default-args: --x}}\n", "agents.a.default-args", "must be a list"),
        ("agents: {a: {type: qwen, default-args: [\"\"]}}\n", "agents.a.default-args[0]", "empty argument"),
        ("agents: {a: {type: qwen, default-args: [{x: 1}]}}\n", "agents.a.default-args[0]", "one argument"),
        ("agents: {a: {type: qwen, vm: dev}}\n", "agents.a.vm", "no VM named \"dev\""),
        ("agents: {a: {type: qwen, vms: [vm1, dev]}}\n", "agents.a.vms[1]", "no VM named \"dev\""),
        ("agents: {a: {type: qwen, vms: \"vm1, dev\"}}\n", "agents.a.vms", "no VM named \"dev\""),
        ("agents: {a: {type: qwen, proxychains: \"socks5://h\"}}\n", "agents.a.proxychains", "needs a host and a port"),
        ("agents: {a: {type: qwen, http_proxy: [x]}}\n", "agents.a.http_proxy", "must be a proxy URL or a mapping"),
    ];
    for (extra, key, fragment) in cases {
        let yaml = format!("{VM}{extra}");
        let found = problems(&yaml);
        let want_prefix = format!("{key}: ");
        assert!(
            found
                .iter()
                .any(|p| p.starts_with(&want_prefix) && p.contains(fragment)),
            "expected a problem at {key:?} containing {fragment:?}\n--- yaml:\n{yaml}--- got:\n{found:#?}"
        );
    }
}

#[test]
fn root_shapes() {
    for (text, fragment) in [
        ("[1, 2]\n", "must be a mapping"),
        ("hello\n", "must be a mapping"),
        ("vms: [a]\n", "must be a mapping"),
        ("? [a]\n: 1\n", "keys must be plain names"),
    ] {
        let found = problems(text);
        assert!(
            found.iter().any(|p| p.contains(fragment)),
            "{text:?}: {found:?}"
        );
    }
}

#[test]
fn vms_missing_is_only_a_problem_for_what_needs_a_vm() {
    // Agents and global alone are fine without VMs.
    let c = ok("agents: {a: {type: codex}}\n");
    assert!(c.vms.is_empty());
    assert!(c.agents["a"].bound_vms(&c).is_empty());
    // A mount needs a VM.
    let found = problems("mounts: [{source: /p}]\n");
    assert!(
        found[0].starts_with("mounts[0]: no VMs are defined"),
        "{found:?}"
    );
    // An agent that names a VM needs it defined.
    let found = problems("agents: {a: {type: codex, vm: x}}\n");
    assert!(found[0].contains("no VMs are defined"), "{found:?}");
}

#[test]
fn all_problems_are_reported_in_one_pass() {
    let yaml = "vms:\n  vm1: {cpu: 0, ram: 1G, disk: 1G}\nmounts:\n  - {source: /p, vm: dev}\n  - {source: /q, interval: x}\nagents:\n  a: {type: qwne}\n  b: {type: codex, vms: [nope]}\n";
    let found = problems(yaml);
    let keys: Vec<&str> = found
        .iter()
        .map(|p| p.split(": ").next().unwrap_or(""))
        .collect();
    assert_eq!(
        keys,
        vec![
            "vms.vm1.cpu",
            "mounts[0].vm",
            "mounts[1].interval",
            "agents.a.type",
            "agents.b.vms[0]"
        ]
    );
}

#[test]
fn unknown_keys_warn_with_suggestions_at_every_level() {
    let yaml = "vms:\n  vm1:\n    cpu: 1\n    ram: 1G\n    disk: 1G\n    cpus: 3\nglobl: 1\nglobal: {ssh_key_folder: /x}\nmounts: [{source: /p, intervall: 3}]\nagents: {a: {type: qwen, default_args: [x], bogus: 1, http_proxy: {upstream: \"socks5://h:1\", listn: 1}}}\n";
    let c = ok(yaml);
    let w = c.warnings.join("\n");
    for expected in [
        "vms.vm1.cpus: unknown key, ignored; did you mean \"cpu\"?",
        "globl: unknown key, ignored; did you mean \"global\"?",
        "global.ssh_key_folder: unknown key, ignored; did you mean \"ssh_keys_folder\"?",
        "mounts[0].intervall: unknown key, ignored; did you mean \"interval\"?",
        "agents.a.default_args: unknown key, ignored; did you mean \"default-args\"?",
        "agents.a.bogus: unknown key, ignored; known keys here:",
        "agents.a.http_proxy.listn: unknown key, ignored; did you mean \"listen\"?",
    ] {
        assert!(
            w.contains(expected),
            "missing warning {expected:?} in:\n{w}"
        );
    }
    assert_eq!(
        c.vms["vm1"].cpu, 1,
        "the near-miss key does not replace the real one"
    );
}

#[test]
fn socks5_host_addr_is_a_warning() {
    let c = ok("vms:\n  v:\n    cpu: 1\n    ram: 1G\n    disk: 1G\n    port-forwarding: [{type: socks5, host-addr: \"h:1\", vm-addr: \"h:2\"}]\n");
    assert!(c.warnings[0].contains("port-forwarding[0].host-addr: ignored for socks5"));
}

#[test]
fn relative_source_warns_and_resolves_against_the_current_folder() {
    let c = ok(&format!("{VM}mounts: [{{source: proj}}]\n"));
    let cwd = std::env::current_dir().unwrap();
    assert_eq!(c.mounts[0].source, cwd.join("proj"));
    assert!(c.warnings.iter().any(|w| w.contains("relative path")));
}

#[test]
fn syntax_errors_carry_file_line_and_column() {
    let found = problems("vms:\n  a:\n    cpu: 1\n   ram: 2\n");
    assert_eq!(found.len(), 1);
    assert!(
        found[0].starts_with("/cfg/config.yaml:4:4: YAML syntax error"),
        "{found:?}"
    );
    let found = problems("a: 1\na: 2\n");
    assert!(found[0].contains("duplicate"), "{found:?}");
    let found = problems("a: [1\n");
    assert!(found[0].starts_with("/cfg/config.yaml:"), "{found:?}");
}

#[test]
fn env_values_are_registered_as_secrets() {
    let config = ok(&format!(
        "{VM}agents: {{a: {{type: qwen, env: {{K: sekrit-value-xyz}}}}}}\n"
    ));
    // Parsing alone registers nothing; reading from disk (load/check) registers each value.
    assert_eq!(
        crate::process::mask_secrets("token sekrit-value-xyz"),
        "token sekrit-value-xyz"
    );
    super::register_env_secrets(&config);
    assert_eq!(
        crate::process::mask_secrets("token sekrit-value-xyz"),
        "token ***"
    );
}

#[test]
fn invalid_renders_every_problem_key_first() {
    let err = load(&format!(
        "{VM}mounts: [{{source: /p, vm: dev}}, {{source: /q, interval: 0}}]\n"
    ))
    .unwrap_err()
    .to_user_error();
    assert_eq!(err.kind, crate::ErrorKind::Config);
    let lines: Vec<&str> = err.message.lines().collect();
    assert_eq!(
        lines[0],
        "invalid configuration /cfg/config.yaml (2 problems):"
    );
    assert!(lines[1].starts_with("  mounts[0].vm: no VM named \"dev\"; defined VMs: vm1"));
    assert!(lines[2].starts_with("  mounts[1].interval: "));
    assert!(err.hints.iter().any(|h| h.contains("agsekit config-check")));
}

fn mounts_config(yaml_mounts: &str) -> Config {
    ok(&format!(
        "vms:\n  vm1: {{cpu: 1, ram: 1G, disk: 1G}}\n  vm2: {{cpu: 1, ram: 1G, disk: 1G}}\nmounts:\n{yaml_mounts}"
    ))
}

#[test]
fn mount_for_path_picks_the_deepest_source() {
    let c = mounts_config(
        "  - {source: /w}\n  - {source: /w/app, backup: /b/app}\n  - {source: /w/app2, backup: /b/app2}\n  - {source: /s, vm: vm1, backup: /b/s1}\n  - {source: /s, vm: vm2, backup: /b/s1}\n",
    );
    let src = |p: &str, vm: Option<&str>| {
        c.mount_for_path(Path::new(p), vm)
            .map(|m| m.map(|m| (m.source.display().to_string(), m.vm.clone())))
    };
    type Case<'a> = (&'a str, Option<&'a str>, Option<(&'a str, &'a str)>);
    let cases: &[Case] = &[
        ("/w", None, Some(("/w", "vm1"))),
        ("/w/other", None, Some(("/w", "vm1"))),
        ("/w/app", None, Some(("/w/app", "vm1"))),
        ("/w/app/src/lib", None, Some(("/w/app", "vm1"))),
        ("/w/app2", None, Some(("/w/app2", "vm1"))),
        ("/w/app22", None, Some(("/w", "vm1"))), // not a descendant of /w/app2
        ("/w/app/../app2/x", None, Some(("/w/app2", "vm1"))),
        ("/elsewhere", None, None),
        ("/", None, None),
        ("/w/app", Some("vm2"), None),
        ("/s/x", Some("vm2"), Some(("/s", "vm2"))),
        ("/s/x", Some("vm1"), Some(("/s", "vm1"))),
    ];
    for (path, vm, want) in cases {
        let got = src(path, *vm).unwrap_or_else(|e| panic!("{path}: {e}"));
        let got = got.as_ref().map(|(s, v)| (s.as_str(), v.as_str()));
        assert_eq!(got, *want, "{path} vm={vm:?}");
    }
    let err = c.mount_for_path(Path::new("/s/deep"), None).unwrap_err();
    assert!(err.message.contains("ambiguous"), "{}", err.message);
    assert!(err.hints[0].contains("--vm"));
}

#[test]
fn mount_by_source_is_exact_after_normalization() {
    let c = mounts_config("  - {source: /w/app}\n  - {source: ~/proj}\n");
    assert!(c.mount_by_source(Path::new("/w/app")).is_some());
    assert!(c.mount_by_source(Path::new("/w/app/")).is_some());
    assert!(c.mount_by_source(Path::new("/w/x/../app")).is_some());
    assert!(c.mount_by_source(Path::new("/w/app/sub")).is_none());
    assert!(c.mount_by_source(Path::new("/w")).is_none());
    assert!(c.mount_by_source(Path::new("~/proj")).is_some());
}

#[test]
fn lookups_by_name_explain_what_exists() {
    let c = ok(&format!("{VM}agents: {{codex: {{type: codex}}}}\n"));
    let err = c.vm(Some("nope")).unwrap_err();
    assert!(err.message.contains("defined VMs: vm1"));
    assert_eq!(c.vm(None).map(|v| v.name.as_str()).ok(), Some("vm1"));
    let err = c.agent("codx").unwrap_err();
    assert!(err.message.contains("configured agents: codex"));
    assert!(err.hints[0].contains("did you mean `codex`"));
}

#[test]
fn allowed_agents_resolution() {
    let c = ok("vms:\n  v: {cpu: 1, ram: 1G, disk: 1G, allowed_agents: [claude]}\nmounts: [{source: /p, allowed_agents: q}, {source: /r}]\nagents: {q: {type: qwen}, c: {type: claude}}\n");
    let vm = &c.vms["v"];
    let (q, cl) = (&c.agents["q"], &c.agents["c"]);
    let on_p = c.allowed_agents(vm, Some(&c.mounts[0]));
    let on_r = c.allowed_agents(vm, Some(&c.mounts[1]));
    assert!(
        q.is_allowed_by(on_p) && !cl.is_allowed_by(on_p),
        "mount list replaces the VM's"
    );
    assert!(
        !q.is_allowed_by(on_r) && cl.is_allowed_by(on_r),
        "type names count"
    );
    assert!(q.is_allowed_by(None));
}

mod properties {
    use super::*;
    use proptest::prelude::*;
    use serde_yaml_ng::{Mapping, Value};

    const KEYS: &[&str] = &[
        "global",
        "vms",
        "mounts",
        "agents",
        "ssh_keys_folder",
        "systemd_env_folder",
        "state_file",
        "portforward_config_check_interval_sec",
        "check_new_version",
        "check_new_version_interval_sec",
        "http_proxy_port_pool",
        "start",
        "end",
        "cpu",
        "ram",
        "disk",
        "cloud-init",
        "port-forwarding",
        "proxychains",
        "http_proxy",
        "allowed_agents",
        "install",
        "type",
        "host-addr",
        "vm-addr",
        "url",
        "upstream",
        "listen",
        "source",
        "target",
        "backup",
        "vm",
        "interval",
        "max_backups",
        "backup_clean_method",
        "first_backup",
        "version",
        "env",
        "default-args",
        "agent-ubuntu",
        "qwen",
        "a",
    ];
    const WORDS: &[&str] = &[
        "",
        "~",
        "/",
        "..",
        "4G",
        "1.5G",
        "0",
        "-1",
        "99999999999999999999",
        "qwen",
        "gemini",
        "thin",
        "socks5://127.0.0.1:8181",
        "http://h:1",
        "127.0.0.1:80",
        "python:3",
        "nodejs:",
        "stable",
        "v1.2.3",
        "agent-ubuntu",
        "a, b,",
        "/home/ubuntu/x",
        "~/p",
        "\u{0}",
        "é",
        "true",
    ];

    fn scalar() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| Value::Number(n.into())),
            any::<f64>().prop_map(|f| Value::Number(f.into())),
            prop::sample::select(WORDS).prop_map(|s| Value::String(s.to_string())),
            prop::sample::select(KEYS).prop_map(|s| Value::String(s.to_string())),
            ".{0,12}".prop_map(Value::String),
        ]
    }

    fn tree() -> impl Strategy<Value = Value> {
        scalar().prop_recursive(5, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Sequence),
                prop::collection::vec((prop::sample::select(KEYS), inner), 0..6).prop_map(
                    |pairs| {
                        let mut m = Mapping::new();
                        for (k, v) in pairs {
                            m.insert(Value::String(k.to_string()), v);
                        }
                        Value::Mapping(m)
                    }
                ),
            ]
        })
    }

    /// A document shaped like a config: the four sections with random contents.
    fn document() -> impl Strategy<Value = Value> {
        prop::collection::vec(
            (
                prop::sample::select(&["global", "vms", "mounts", "agents", "x"][..]),
                tree(),
            ),
            0..5,
        )
        .prop_map(|pairs| {
            let mut m = Mapping::new();
            for (k, v) in pairs {
                m.insert(Value::String(k.to_string()), v);
            }
            Value::Mapping(m)
        })
    }

    fn pick(options: &'static [&'static str]) -> BoxedStrategy<Value> {
        prop_oneof![
            3 => prop::sample::select(options).prop_map(|s| Value::String(s.to_string())),
            1 => scalar(),
            1 => tree(),
        ]
        .boxed()
    }

    fn section(keys: &'static [&'static str], value: BoxedStrategy<Value>) -> BoxedStrategy<Value> {
        prop::collection::vec((prop::sample::select(keys), value), 0..8)
            .prop_map(|pairs| {
                let mut m = Mapping::new();
                for (k, v) in pairs {
                    m.insert(Value::String(k.to_string()), v);
                }
                Value::Mapping(m)
            })
            .boxed()
    }

    /// Documents close to real configs: the right keys at the right levels, values drawn
    /// from plausible and implausible ones, so the deep checks run, not only the shape checks.
    fn near_config() -> impl Strategy<Value = Value> {
        const VM_KEYS: &[&str] = &[
            "cpu",
            "ram",
            "disk",
            "cloud-init",
            "port-forwarding",
            "proxychains",
            "http_proxy",
            "allowed_agents",
            "install",
            "cpus",
        ];
        const MOUNT_KEYS: &[&str] = &[
            "source",
            "target",
            "backup",
            "vm",
            "interval",
            "max_backups",
            "backup_clean_method",
            "first_backup",
            "allowed_agents",
        ];
        const AGENT_KEYS: &[&str] = &[
            "type",
            "version",
            "env",
            "default-args",
            "vm",
            "vms",
            "proxychains",
            "http_proxy",
            "tpye",
        ];
        let value = pick(WORDS);
        let vm = section(VM_KEYS, value.clone());
        let mount = section(MOUNT_KEYS, value.clone());
        let agent = section(AGENT_KEYS, value);
        (
            prop::collection::vec(
                (
                    prop::sample::select(&["agent-ubuntu", "dev", "bad_name", "a"][..]),
                    vm,
                ),
                0..3,
            ),
            prop::collection::vec(mount, 0..4),
            prop::collection::vec(
                (
                    prop::sample::select(&["qwen", "a", "codex", "-x"][..]),
                    agent,
                ),
                0..3,
            ),
        )
            .prop_map(|(vms, mounts, agents)| {
                let named = |pairs: Vec<(&str, Value)>| {
                    let mut m = Mapping::new();
                    for (k, v) in pairs {
                        m.insert(Value::String(k.to_string()), v);
                    }
                    Value::Mapping(m)
                };
                let mut root = Mapping::new();
                root.insert("vms".into(), named(vms));
                root.insert("mounts".into(), Value::Sequence(mounts));
                root.insert("agents".into(), named(agents));
                Value::Mapping(root)
            })
    }

    #[test]
    fn alias_bombs_are_refused_quickly() {
        let mut text = String::from("a0: &a0 [x,x,x,x,x,x,x,x,x,x]\n");
        for i in 1..12 {
            let refs = vec![format!("*a{}", i - 1); 10].join(",");
            text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        text.push_str("vms: *a11\n");
        let err = load(&text).unwrap_err();
        assert!(err.problems[0].message.contains("limit"), "{err}");
        let deep = format!("a: {}{}\n", "[".repeat(300), "]".repeat(300));
        assert!(load(&deep).is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 384, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
            if let Ok(text) = std::str::from_utf8(&bytes) {
                let _ = load(text);
            }
            let _ = load(&String::from_utf8_lossy(&bytes));
        }

        #[test]
        fn arbitrary_yaml_text_never_panics(text in "[ a-z:\\-\\[\\]{},'\"#&*!|>\n0-9.~/]{0,300}") {
            let _ = load(&text);
        }

        #[test]
        fn near_valid_configs_never_panic(doc in near_config()) {
            if let Ok(text) = serde_yaml_ng::to_string(&doc) {
                match load(&text) {
                    Ok(c) => {
                        for m in &c.mounts {
                            prop_assert!(c.vms.contains_key(&m.vm));
                            prop_assert!(!m.backup.starts_with(&m.source));
                        }
                        for a in c.agents.values() {
                            prop_assert!(a.vms.iter().all(|v| c.vms.contains_key(v)));
                        }
                    }
                    Err(e) => prop_assert!(!e.problems.is_empty()),
                }
            }
        }

        #[test]
        fn arbitrary_config_shaped_documents_never_panic(doc in document()) {
            if let Ok(text) = serde_yaml_ng::to_string(&doc) {
                match load(&text) {
                    Ok(c) => prop_assert!(c.mounts.iter().all(|m| m.source.is_absolute() && m.interval >= 1)),
                    Err(e) => prop_assert!(!e.problems.is_empty()),
                }
            }
        }
    }
}

#[test]
fn daemon_settings_default_parse_and_reject_bad_values() {
    let c = ok(VM);
    assert_eq!(c.global.daemon, DaemonConfig::default());
    assert_eq!(c.global.daemon.backups, DaemonBackups::Active);
    let c = ok(&format!(
        "global:\n  daemon: {{backups: ALL, idle_vm_stop_minutes: 30, idle_unmount_minutes: 0}}\n{VM}"
    ));
    assert_eq!(c.global.daemon.backups, DaemonBackups::All);
    assert_eq!(c.global.daemon.idle_vm_stop_minutes, 30);
    assert_eq!(c.global.daemon.idle_unmount_minutes, 0);
    assert_eq!(c.global.daemon.idle_vm_action, IdleVmAction::Stop);
    let c = ok(&format!(
        "global:\n  daemon: {{idle_vm_stop_minutes: 30, idle_vm_action: Suspend}}\n{VM}"
    ));
    assert_eq!(c.global.daemon.idle_vm_action, IdleVmAction::Suspend);
    let p = problems(&format!(
        "global:\n  daemon: {{backups: some, idle_vm_stop_minutes: -1, idle_vm_action: hibernate}}\n{VM}"
    ));
    assert!(
        p.iter()
            .any(|l| l == "global.daemon.idle_vm_action: must be stop or suspend, not text"),
        "{p:?}"
    );
    assert!(
        p.iter()
            .any(|l| l.starts_with("global.daemon.backups: must be active or all")),
        "{p:?}"
    );
    assert!(
        p.iter()
            .any(|l| l.starts_with("global.daemon.idle_vm_stop_minutes:")),
        "{p:?}"
    );
}

#[test]
fn tripwire_settings_default_parse_and_reject_bad_values() {
    let c = ok(VM);
    assert_eq!(
        c.global.tripwire,
        TripwireConfig {
            enabled: true,
            min_files: 50,
            min_percent: 30
        }
    );
    let c = ok(&format!(
        "global:\n  tripwire: {{enabled: false, min_files: 10, min_percent: 100}}\n{VM}"
    ));
    assert_eq!(
        c.global.tripwire,
        TripwireConfig {
            enabled: false,
            min_files: 10,
            min_percent: 100
        }
    );
    let p = problems(&format!(
        "global:\n  tripwire: {{enabled: maybe, min_files: 0, min_percent: 101}}\n{VM}"
    ));
    for key in [
        "global.tripwire.enabled:",
        "global.tripwire.min_files:",
        "global.tripwire.min_percent:",
    ] {
        assert!(p.iter().any(|l| l.starts_with(key)), "{key} {p:?}");
    }
    let p = problems(&format!("global:\n  tripwire: 5\n{VM}"));
    assert!(p.iter().any(|l| l.starts_with("global.tripwire:")), "{p:?}");
    // Unknown keys inside get a "did you mean"; `tripwire` itself is known.
    let c = ok(&format!("global:\n  tripwire: {{min_file: 3}}\n{VM}"));
    assert!(
        c.warnings
            .iter()
            .any(|w| w.contains("global.tripwire.min_file") && w.contains("min_files")),
        "{:?}",
        c.warnings
    );
    assert!(!c.warnings.iter().any(|w| w.contains("global.tripwire:")));
}

// Issue 11: the mount layout (config/layout.rs) and the config's own values.

/// Problems of `mounts:` items given as flow mappings, after the one-VM header.
fn mount_problems(items: &[String]) -> Vec<String> {
    let list: Vec<String> = items.iter().map(|i| format!("  - {i}\n")).collect();
    problems(&format!("{VM}mounts:\n{}", list.concat()))
}

fn has(problems: &[String], key: &str, words: &[&str]) -> bool {
    problems
        .iter()
        .any(|p| p.starts_with(&format!("{key}: ")) && words.iter().all(|w| p.contains(w)))
}

#[test]
fn a_backup_folder_inside_another_mount_is_refused_naming_both_entries() {
    // The attack: ~/code/proj backs up to ~/code/backups-proj, and ~/code is mounted too.
    let found = mount_problems(&[
        "{source: /home/me/code/proj}".into(),
        "{source: /home/me/code}".into(),
    ]);
    assert!(
        has(
            &found,
            "mounts[0].backup",
            &[
                "/home/me/code/backups-proj",
                "inside the shared folder /home/me/code",
                "mounts[1].source",
                "hardlinks",
                "mounts[0].backup:",
                FILE
            ]
        ),
        "{found:#?}"
    );
    // Any VM: the other mount being in a second VM changes nothing.
    let two_vms = problems(
        "vms:\n  a: {cpu: 1, ram: 1G, disk: 1G}\n  b: {cpu: 1, ram: 1G, disk: 1G}\nmounts:\n  - {source: /home/me/p, backup: /home/me/shared/bk, vm: a}\n  - {source: /home/me/shared, vm: b}\n",
    );
    assert!(
        has(
            &two_vms,
            "mounts[0].backup",
            &["mounts[1].source", "VM \"b\""]
        ),
        "{two_vms:#?}"
    );
    // The backup folder is another mount's source, or holds it.
    let is = mount_problems(&[
        "{source: /home/me/p, backup: /home/me/q}".into(),
        "{source: /home/me/q}".into(),
    ]);
    assert!(
        has(
            &is,
            "mounts[0].backup",
            &["is the shared folder", "mounts[1].source"]
        ),
        "{is:#?}"
    );
    let holds = mount_problems(&[
        "{source: /home/me/p, backup: /home/me/all}".into(),
        "{source: /home/me/all/q}".into(),
    ]);
    assert!(
        has(
            &holds,
            "mounts[0].backup",
            &["holds the shared folder", "mounts[1].source"]
        ),
        "{holds:#?}"
    );
    // Its own source held by its backup folder.
    let own = mount_problems(&["{source: /home/me/x/p, backup: /home/me/x}".into()]);
    assert!(
        has(&own, "mounts[0].backup", &["holds", "mounts[0].source"]),
        "{own:#?}"
    );
    // Siblings are fine (the default layout).
    ok(&format!(
        "{VM}mounts:\n  - {{source: /home/me/code/a}}\n  - {{source: /home/me/code/b}}\n"
    ));
}

#[test]
fn a_backup_folder_reached_through_a_symlink_is_seen() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = layout::resolve(dir.path());
    std::fs::create_dir_all(root.join("code/proj")).expect("mkdir");
    std::os::unix::fs::symlink(root.join("code"), root.join("link")).expect("symlink");
    // The backup folder does not exist yet; its existing ancestor is a link into a mount.
    let found = mount_problems(&[
        format!(
            "{{source: {}, backup: {}}}",
            root.join("elsewhere/p").display(),
            root.join("link/not-yet/bk").display()
        ),
        format!("{{source: {}}}", root.join("code").display()),
    ]);
    assert!(
        has(
            &found,
            "mounts[0].backup",
            &["inside the shared folder", "mounts[1].source"]
        ),
        "{found:#?}"
    );
    // A backup folder inside its own source through a link.
    let own = mount_problems(&[format!(
        "{{source: {}, backup: {}}}",
        root.join("code").display(),
        root.join("link/bk").display()
    )]);
    assert!(
        has(&own, "mounts[0].backup", &["inside the shared folder"]),
        "{own:#?}"
    );
}

#[test]
fn one_backup_folder_spelled_two_ways_is_one_folder() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = layout::resolve(dir.path());
    std::fs::create_dir_all(root.join("bk")).expect("mkdir");
    std::os::unix::fs::symlink(root.join("bk"), root.join("bk-link")).expect("symlink");
    for other in ["bk-link/", "x/../bk", "bk/."] {
        let found = mount_problems(&[
            format!(
                "{{source: {}, backup: {}}}",
                root.join("a").display(),
                root.join("bk").display()
            ),
            format!(
                "{{source: {}, backup: \"{}/{other}\"}}",
                root.join("b").display(),
                root.display()
            ),
        ]);
        assert!(
            has(
                &found,
                "mounts[1].backup",
                &["also the backup folder of mounts[0]"]
            ),
            "{other}: {found:#?}"
        );
    }
    // One source spelled two ways into one VM is a duplicate too.
    std::fs::create_dir_all(root.join("src")).expect("mkdir");
    std::os::unix::fs::symlink(root.join("src"), root.join("src-link")).expect("symlink");
    let dup = mount_problems(&[
        format!("{{source: {}}}", root.join("src").display()),
        format!(
            "{{source: {}, target: /home/ubuntu/other, backup: {}}}",
            root.join("src-link").display(),
            root.join("bk2").display()
        ),
    ]);
    assert!(has(&dup, "mounts[1].source", &["mounts[0]"]), "{dup:#?}");
}

#[test]
fn home_system_and_credential_folders_are_never_shared() {
    let home = home_dir();
    let dir = tempfile::tempdir().expect("tmp");
    let root = layout::resolve(dir.path());
    std::os::unix::fs::symlink("/", root.join("to-root")).expect("symlink");
    std::os::unix::fs::symlink(home.join(".ssh"), root.join("ssh-link")).expect("symlink");
    let cases: Vec<(String, &str)> = vec![
        ("\"~\"".into(), "home folder"),
        ("\"~/\"".into(), "home folder"),
        (home.display().to_string(), "home folder"),
        ("/etc".into(), "system folder"),
        ("/usr/local/src/app".into(), "system folder"),
        ("/var/lib".into(), "system folder"),
        ("/proc".into(), "system folder"),
        ("/boot".into(), "system folder"),
        ("~/.ssh".into(), ".ssh"),
        ("~/.config".into(), ".config/agsekit"),
        ("~/.config/agsekit/ssh".into(), ".config/agsekit"),
        ("~/.gnupg/sub".into(), ".gnupg"),
        ("~/.aws".into(), ".aws"),
        (
            root.join("to-root/etc").display().to_string(),
            "system folder",
        ),
        (
            root.join("to-root/home").display().to_string(),
            "system folder",
        ),
        (root.join("ssh-link").display().to_string(), ".ssh"),
    ];
    for (source, words) in &cases {
        let found = mount_problems(&[format!(
            "{{source: {source}, target: /home/ubuntu/p, backup: /home/nobody/bk}}"
        )]);
        assert!(
            has(
                &found,
                "mounts[0].source",
                &[words, "project folder", "agsekit addmount ."]
            ),
            "{source}: {found:#?}"
        );
    }
    // A symlink to / is resolved first.
    let found = mount_problems(&[format!(
        "{{source: {}, target: /home/ubuntu/p, backup: /home/nobody/bk}}",
        root.join("to-root").display()
    )]);
    assert!(
        has(&found, "mounts[0].source", &["resolves to /"]),
        "{found:#?}"
    );
    // agsekit's own key folder, wherever it is configured.
    let keys = problems(&format!(
        "global:\n  ssh_keys_folder: /data/agsekit-keys\n{VM}mounts:\n  - {{source: /data}}\n"
    ));
    assert!(
        has(&keys, "mounts[0].source", &["/data/agsekit-keys"]),
        "{keys:#?}"
    );
    // The config file itself.
    let own = problems(&format!("{VM}mounts:\n  - {{source: /cfg}}\n"));
    assert!(has(&own, "mounts[0].source", &[FILE]), "{own:#?}");
    // Project folders, temp folders and folders outside /home stay fine.
    for source in [
        "/home/me/code/app",
        "/tmp/x/proj",
        "/srv/app",
        "/opt/work/app",
        "/var/tmp/p",
    ] {
        ok(&format!("{VM}mounts:\n  - {{source: {source}}}\n"));
    }
    ok(&format!(
        "{VM}mounts:\n  - {{source: {}}}\n",
        home.join("projects/app").display()
    ));
    // An agsekit folder configured as the home folder itself guards only the home folder.
    ok(&format!(
        "global:\n  systemd_env_folder: \"~\"\n{VM}mounts:\n  - {{source: {}}}\n",
        home.join("projects/app").display()
    ));
}

#[test]
fn vm_targets_over_system_folders_are_refused_after_dot_dot() {
    for target in [
        "/etc",
        "/proc",
        "/home/ubuntu/../../etc",
        "/home/ubuntu/./../ubuntu",
        "/home/ubuntu",
        "\"~\"",
        "/usr/local/bin",
        "/home/ubuntu/.ssh",
        "/home",
        "/var/lib/x",
    ] {
        let found = mount_problems(&[format!("{{source: /home/me/p, target: {target}}}")]);
        assert!(
            has(
                &found,
                "mounts[0].target",
                &["system folder of the VM", "below /home/ubuntu"]
            ),
            "{target}: {found:#?}"
        );
    }
    // A default target is checked too (a hidden source folder's name).
    let hidden = mount_problems(&["{source: /home/me/x/.ssh}".into()]);
    assert!(
        has(&hidden, "mounts[0].target", &["/home/ubuntu/.ssh"]),
        "{hidden:#?}"
    );
    for target in [
        "/home/ubuntu/app",
        "/srv/app",
        "/home/ubuntu/a/../b",
        "/work",
    ] {
        ok(&format!(
            "{VM}mounts:\n  - {{source: /home/me/p, target: {target}}}\n"
        ));
    }
}

#[test]
fn env_names_the_launcher_refuses_are_problems_at_their_key() {
    let found = problems(
        "agents:\n  q:\n    type: qwen\n    env:\n      \"BAD NAME; x\": 1\n      9LIVES: 2\n      \"\": 3\n      \"A=B\": 4\n      GOOD_1: 5\n",
    );
    assert!(
        has(&found, "agents.q.env.BAD NAME; x", &["launcher"]),
        "{found:#?}"
    );
    assert!(
        has(&found, "agents.q.env.9LIVES", &["launcher"]),
        "{found:#?}"
    );
    assert!(has(&found, "agents.q.env.A=B", &["'='"]), "{found:#?}");
    assert!(
        found.iter().any(|p| p.contains("empty variable name")),
        "{found:#?}"
    );
    assert!(!found.iter().any(|p| p.contains("GOOD_1")), "{found:#?}");
}

#[test]
fn an_integer_beyond_64_bits_is_a_problem_at_its_key_among_the_others() {
    let found = problems(
        "vms:\n  v: {cpu: 99999999999999999999999, ram: lots, disk: 1G}\nmounts:\n  - {source: /home/me/p, interval: -99999999999999999999999}\n",
    );
    assert!(
        !found.iter().any(|p| p.contains("YAML syntax")),
        "{found:#?}"
    );
    assert!(
        has(&found, "vms.v.cpu", &["99999999999999999999999"]),
        "{found:#?}"
    );
    assert!(has(&found, "vms.v.ram", &["lots"]), "{found:#?}");
    assert!(has(&found, "mounts[0].interval", &[]), "{found:#?}");
}

#[test]
fn only_layout_problems_keep_the_config_for_removemount() {
    let layout = load(&format!(
        "{VM}mounts:\n  - {{source: /home/me/code/proj}}\n  - {{source: /home/me/code}}\n"
    ))
    .expect_err("unsafe layout");
    let kept = layout.layout_only.as_ref().expect("config kept");
    assert_eq!(kept.mounts.len(), 2);
    assert!(layout
        .to_user_error()
        .hints
        .iter()
        .any(|h| h.contains("agsekit removemount")));
    let home = load(&format!("{VM}mounts:\n  - {{source: \"~\"}}\n")).expect_err("home");
    assert_eq!(
        home.layout_only.as_ref().map(|c| c.mounts.len()),
        Some(1),
        "the refused entry stays, so it can be removed"
    );
    let mixed = load(&format!(
        "{VM}mounts:\n  - {{source: \"~\"}}\n  - {{source: /home/me/p, interval: x}}\n"
    ))
    .expect_err("mixed");
    assert!(mixed.layout_only.is_none());
}

// Issue 12: `global.review.summary` (the one line after every session).

#[test]
fn review_summary_defaults_on_parses_and_rejects_non_booleans() {
    // A 1.7.4 config has no `review:` at all: the one-liner is on.
    let c = ok(ORIGINAL_EXAMPLE);
    assert!(c.global.review.enabled && c.global.review.summary);
    let c = ok(&format!("global:\n  review:\n    enabled: true\n{VM}"));
    assert!(c.global.review.summary);
    let c = ok(&format!("global:\n  review: {{summary: false}}\n{VM}"));
    assert!(c.global.review.enabled);
    assert!(!c.global.review.summary);
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    let p = problems(&format!("global:\n  review: {{summary: sometimes}}\n{VM}"));
    assert!(
        p.iter().any(|l| l.starts_with("global.review.summary:")),
        "{p:?}"
    );
}

/// `backend:` and `image:` (issue 13): absent, they leave a 1.7.4 config as it was; present,
/// they are checked and reported at their key path.
#[test]
fn backend_and_image_keys() {
    let plain = ok(ORIGINAL_EXAMPLE);
    assert_eq!(plain.global.backend, BackendKind::Multipass);
    for vm in plain.vms.values() {
        assert_eq!(vm.backend, BackendKind::Multipass);
        assert_eq!(vm.image, None);
    }

    let c = ok("global: {backend: multipass}\nvms:\n  a: {cpu: 1, ram: 1G, disk: 1G, image: '24.04'}\n  b: {cpu: 1, ram: 1G, disk: 1G, backend: multipass, image: ./disks/b.img}\n  c: {cpu: 1, ram: 1G, disk: 1G, image: 'https://example.test/x.img'}\n");
    assert_eq!(c.vms["a"].image, Some(VmImage::Named("24.04".into())));
    assert_eq!(
        c.vms["b"].image,
        Some(VmImage::Named("/cfg/disks/b.img".into()))
    );
    assert_eq!(
        c.vms["c"].image,
        Some(VmImage::Named("https://example.test/x.img".into()))
    );

    let p = problems("global: {backend: vmware}\n");
    assert!(
        p.iter().any(|m| m.contains("global.backend")
            && m.contains("\"vmware\"")
            && m.contains("multipass, qemu")),
        "{p:?}"
    );
    let p = problems("vms:\n  a: {cpu: 1, ram: 1G, disk: 1G, backend: [x]}\n");
    assert!(
        p.iter()
            .any(|m| m.contains("vms.a.backend") && m.contains("multipass, qemu")),
        "{p:?}"
    );
    let c = ok("vms:\n  a: {cpu: 1, ram: 1G, disk: 1G, backend: qemu}\n");
    assert_eq!(c.vms["a"].backend, BackendKind::Qemu);

    // Multipass cannot boot a disk with its own kernel.
    let kernel = "vms:\n  a:\n    cpu: 1\n    ram: 1G\n    disk: 1G\n    image: {disk: d.qcow2, kernel: ~/k/vmlinuz, initrd: /boot/initrd, cmdline: 'console=ttyS0'}\n";
    let p = problems(kernel);
    assert!(
        p.iter()
            .any(|m| m.contains("vms.a.image") && m.contains("Multipass cannot boot")),
        "{p:?}"
    );

    // The mapping: disk and kernel required, unknown keys named.
    let p = problems(
        "vms:\n  a: {cpu: 1, ram: 1G, disk: 1G, image: {kernel: k, append: x, root: y}}\n",
    );
    assert!(
        p.iter().any(|m| m.contains("vms.a.image")
            && m.contains("append, root")
            && m.contains("disk, kernel, initrd, cmdline")),
        "{p:?}"
    );
    let p = problems("vms:\n  a: {cpu: 1, ram: 1G, disk: 1G, image: {kernel: k}}\n");
    assert!(
        p.iter()
            .any(|m| m.contains("vms.a.image.disk") && m.contains("disk: and kernel:")),
        "{p:?}"
    );
    let p = problems("vms:\n  a: {cpu: 1, ram: 1G, disk: 1G, image: [x]}\n");
    assert!(p.iter().any(|m| m.contains("vms.a.image")), "{p:?}");
}

/// The kernel mapping's paths: `~` expanded, relative ones against the config's folder.
#[test]
fn kernel_image_paths_are_made_absolute() {
    let v: serde_yaml_ng::Value =
        serde_yaml_ng::from_str("{disk: d.qcow2, kernel: ~/k/vmlinuz, cmdline: 'console=ttyS0'}")
            .unwrap();
    let image = validate::tests_vm_image(&v, Path::new("/cfg"));
    assert_eq!(
        image,
        Some(VmImage::Kernel {
            disk: PathBuf::from("/cfg/d.qcow2"),
            kernel: home_dir().join("k/vmlinuz"),
            initrd: None,
            cmdline: Some("console=ttyS0".into()),
        })
    );
}

/// One shims folder for everyone (the shims and the multipass lookup once disagreed on
/// `XDG_DATA_HOME`).
#[test]
fn the_shims_folder_follows_the_override_then_xdg_data_then_home() {
    use std::ffi::OsStr;
    let home = Path::new("/h");
    assert_eq!(
        shims_dir_from(Some(OsStr::new("/s")), Some(OsStr::new("/d")), home),
        PathBuf::from("/s")
    );
    assert_eq!(
        shims_dir_from(Some(OsStr::new("")), Some(OsStr::new("/d")), home),
        PathBuf::from("/d/agsekit/shims")
    );
    assert_eq!(
        shims_dir_from(None, Some(OsStr::new("")), home),
        PathBuf::from("/h/.local/share/agsekit/shims")
    );
    assert_eq!(
        shims_dir_from(None, None, home),
        PathBuf::from("/h/.local/share/agsekit/shims")
    );
}

/// Each VM's `ram:`/`disk:` is checked against the minimums of the backend it uses: QEMU's
/// (1M of memory, any disk) for a QEMU VM, Multipass's (128M, 512M) for the others.
#[test]
fn sizes_are_checked_against_the_backend_each_vm_uses() {
    let small = "{cpu: 1, ram: 64M, disk: 100M";
    // Per VM: the QEMU VM loads, the Multipass one (the default) is refused on both keys.
    let yaml = format!("vms:\n  q: {small}, backend: qemu}}\n  m: {small}}}\n");
    assert_eq!(
        problems(&yaml),
        [
            "vms.m.ram: 64M is below the Multipass minimum of 128M; use at least 128M, like 4G",
            "vms.m.disk: 100M is below the Multipass minimum of 512M; use at least 512M, like 20G",
        ]
    );
    // `global.backend: qemu` makes QEMU the default; a VM may still ask for Multipass.
    let yaml = format!(
        "global: {{backend: qemu}}\nvms:\n  q: {small}}}\n  m: {small}, backend: multipass}}\n"
    );
    let found = problems(&yaml);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found.iter().all(|p| p.starts_with("vms.m.")), "{found:?}");
    // QEMU's own floor: less than 1M of memory is refused, with QEMU named.
    let yaml = "vms:\n  q: {cpu: 1, ram: 512K, disk: 0, backend: qemu}\n";
    assert_eq!(
        problems(yaml),
        ["vms.q.ram: 512K is below the QEMU minimum of 1M; use at least 1M, like 4G"]
    );
    let c = ok("vms:\n  q: {cpu: 1, ram: 1M, disk: 0, backend: qemu}\n");
    assert_eq!((c.vms["q"].ram_bytes, c.vms["q"].disk_bytes), (1 << 20, 0));
}

/// A `backend:` that names no backend is reported once; the sizes are checked meanwhile
/// against the default backend's minimums.
#[test]
fn an_unknown_backend_checks_sizes_against_the_default() {
    let found = problems("vms:\n  v: {cpu: 1, ram: 64M, disk: 1G, backend: lima}\n");
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].starts_with("vms.v.ram: 64M is below the Multipass minimum"));
    assert!(found[1].starts_with("vms.v.backend: "), "{found:?}");
}
