//! Driving the real binary in a tmux pane: one tmux server per test on its own socket
//! (killed when dropped), keys sent with send-keys, the screen read with capture-pane.

use std::process::Command as Std;
use std::time::{Duration, Instant};

use crate::support::Sandbox;

/// One tmux server on its own socket, killed when dropped.
pub struct Tmux {
    socket: String,
}

impl Tmux {
    pub fn available() -> bool {
        Std::new("tmux")
            .arg("-V")
            .output()
            .is_ok_and(|o| o.status.success())
    }

    pub fn start(command: &str) -> Tmux {
        Tmux::start_sized(command, 250, 60)
    }

    /// A pane of `columns` x `rows` (the window follows it: `window-size manual`).
    pub fn start_sized(command: &str, columns: u16, rows: u16) -> Tmux {
        let socket = format!("agsekit-test-{}-{}", std::process::id(), rand_suffix());
        let t = Tmux { socket };
        let status = t
            .cmd()
            .args([
                "new-session",
                "-d",
                "-s",
                "gen",
                "-x",
                &columns.to_string(),
                "-y",
                &rows.to_string(),
                command,
            ])
            .status()
            .expect("tmux new-session");
        assert!(status.success(), "tmux new-session failed");
        t
    }

    fn cmd(&self) -> Std {
        let mut c = Std::new("tmux");
        // -u: UTF-8 whatever the test's locale, so Russian text survives capture-pane.
        c.args(["-u", "-L", &self.socket]);
        c
    }

    /// The screen with colour escape sequences kept (`capture-pane -e`).
    pub fn screen_with_escapes(&self) -> String {
        let out = self
            .cmd()
            .args(["capture-pane", "-p", "-e", "-J", "-S", "-200", "-t", "gen"])
            .output()
            .expect("capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// How many lines scrolled off the top of the pane into its history.
    pub fn history_size(&self) -> usize {
        let out = self
            .cmd()
            .args(["display-message", "-p", "-t", "gen", "#{history_size}"])
            .output()
            .expect("display-message");
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .expect("a number of lines")
    }

    /// Only what the pane shows now (no history), lines as the terminal shows them.
    pub fn visible(&self) -> String {
        let out = self
            .cmd()
            .args(["capture-pane", "-p", "-t", "gen"])
            .output()
            .expect("capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn screen(&self) -> String {
        let out = self
            .cmd()
            .args(["capture-pane", "-p", "-J", "-S", "-200", "-t", "gen"])
            .output()
            .expect("capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits until the last non-empty line contains `text` (the question being asked).
    pub fn wait_for(&self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let screen = self.screen();
            let last = screen
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("");
            if last.contains(text) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "never saw {text:?}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn answer(&self, prompt: &str, keys: &str) {
        self.wait_for(prompt);
        if !keys.is_empty() {
            let ok = self
                .cmd()
                .args(["send-keys", "-t", "gen", "-l", keys])
                .status()
                .expect("send-keys");
            assert!(ok.success());
        }
        let ok = self
            .cmd()
            .args(["send-keys", "-t", "gen", "Enter"])
            .status()
            .expect("send-keys");
        assert!(ok.success());
    }
}

impl Tmux {
    /// Answers config-gen's questions with the shortest valid config: one VM named `vm`
    /// with the offered sizes, no proxy, no agent, no shared folder, default globals, saved
    /// where it offers. Returns after the "Save the config to" answer.
    pub fn answer_minimal_config_gen(&self, vm: &str) {
        self.answer("VM name [agent-ubuntu]:", vm);
        // The offered size depends on the host (half its CPUs and memory): take it as offered.
        self.answer("Virtual CPUs [", "");
        self.answer("4096M) [", "");
        self.answer("[20G]:", "");
        self.answer("empty for none):", "");
        self.answer("through a proxy? [y/N]:", "");
        self.answer("Add another VM? [y/N]:", "");
        self.answer("Add an agent? [Y/n]:", "n");
        self.answer("Share a host folder with a VM now? [y/N]:", "");
        self.answer("proxy port pool)? [y/N]:", "");
        self.answer("Save the config to", "");
    }

    /// Waits for the menu's confirmation, checks the command line it shows, says yes and
    /// waits for `EXIT:<code>`; returns the screen.
    pub fn confirm_command(&self, confirm: &str, command_line: &str, code: i32) -> String {
        self.wait_for(confirm);
        let screen = self.screen();
        assert!(
            screen.contains(command_line),
            "missing {command_line:?}:\n{screen}"
        );
        self.answer(confirm, "");
        self.wait_for(&format!("EXIT:{code}"));
        self.screen()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd().arg("kill-server").status();
    }
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

/// `env` + the agsekit binary + `args` as one shell line, with the sandbox HOME, followed by
/// `EXIT:<code>` and a long sleep so the pane stays readable. `extra_env` is `NAME=value`.
pub fn command_line(sb: &Sandbox, extra_env: &[String], args: &[&str]) -> String {
    let bin = assert_cmd::cargo::cargo_bin("agsekit");
    let mut words = vec![
        "env".to_string(),
        "-u".into(),
        "CONFIG_PATH".into(),
        "-u".into(),
        "AGSEKIT_LANG".into(),
        "-u".into(),
        "LC_ALL".into(),
        "-u".into(),
        "LC_MESSAGES".into(),
        "-u".into(),
        "LANG".into(),
        format!("HOME={}", sb.home().display()),
        "NO_COLOR=1".into(),
    ];
    words.extend(extra_env.iter().cloned());
    words.push(bin.display().to_string());
    words.extend(args.iter().map(|a| a.to_string()));
    // Run by sh whatever the user's shell is (fish has no `$?`).
    let inner = format!("{}; echo \"EXIT:$?\"; sleep 600", shell_words::join(words));
    shell_words::join(["sh", "-c", inner.as_str()])
}
