//! `agsekit run [OPTIONS] AGENT [ARGS]...`: runs an agent in its VM with backups on.
//! Options go before the agent name; everything after it reaches the agent unchanged.

use std::path::Path;

use super::args::RunArgs;
use crate::backup::Event;
use crate::config::rules::{parse_proxy_url, PROXY_SCHEMES};
use crate::config::{Config, HttpProxy};
use crate::error::UserError;
use crate::process::RealRunner;
use crate::run::review::{restore_command, Review};
use crate::run::session::{run_session, run_session_in, Folder, SessionRequest, SessionUi};
use crate::t;

use super::backup::ProgressBar;
use super::GlobalArgs;
use crate::ui::prompt::Prompter;

// Every `eprintln!` of this file (notices, the review) is the session's own stderr: when its
// reader went away the line is dropped instead of panicking, so the session still stops its
// snapshot loop and returns the agent's exit code (src/cli/pipe.rs).
macro_rules! eprintln {
    ($($arg:tt)*) => {
        super::pipe::err_text(&format!("{}\n", format_args!($($arg)*)))
    };
}

/// Answers questions on the terminal; quiet mode (shims) shows only what needs the user.
pub(crate) struct TerminalUi {
    pub interactive: bool,
    pub quiet: bool,
    pub bar: ProgressBar,
}

impl TerminalUi {
    pub(crate) fn new(non_interactive: bool, quiet: bool) -> TerminalUi {
        TerminalUi {
            interactive: crate::ui::prompt::can_prompt(non_interactive),
            quiet,
            bar: ProgressBar::new(),
        }
    }
}

impl SessionUi for TerminalUi {
    fn notice(&self, text: &str) {
        if !self.quiet {
            eprintln!("agsekit: {text}");
        }
    }

    fn confirm(&self, question: &str, default: bool) -> Option<bool> {
        if !self.interactive {
            return None;
        }
        Prompter::terminal().confirm(question, default).ok()
    }

    fn backup_event(&self, event: &Event) {
        if !self.quiet || self.interactive {
            self.bar.on_event(event);
        }
    }

    fn backup_finished(&self) {
        self.bar.finish();
    }

    fn review(&self, review: &Review, summary: bool) {
        print_review(review, summary);
    }
}

/// The end-of-session review on stderr, the same for `run` and the shims: the detailed block
/// when something needs attention, else one line ("no changes" included) unless `summary` is
/// off (`global.review.summary: false`).
fn print_review(r: &Review, summary: bool) {
    if !summary && !r.needs_attention() {
        return;
    }
    if r.is_empty() && r.protected.is_empty() {
        eprintln!(
            "agsekit: {}",
            t!("review.no_changes", source = r.source.display())
        );
        // A pin the loop made during the session is still news (the files may be back).
        print_mass_deletions(r);
        print_pending_rules(r);
        return;
    }
    eprintln!(
        "agsekit: {}",
        t!(
            "review.summary",
            source = r.source.display(),
            added = r.added,
            modified = r.modified,
            deleted = r.deleted,
            snapshot = r.snapshot
        )
    );
    if !r.largest_deletions.is_empty() {
        let list: Vec<String> = r
            .largest_deletions
            .iter()
            .map(|(p, size)| {
                format!(
                    "{} ({})",
                    crate::ui::untrusted::path(p),
                    crate::ui::human_bytes(*size)
                )
            })
            .collect();
        eprintln!(
            "  {}",
            t!("review.largest_deletions", list = list.join(", "))
        );
    }
    if !r.protected.is_empty() {
        eprintln!("agsekit: {}", t!("review.protected"));
        for (path, kind) in &r.protected {
            // Names the agent chose: escaped, so none can rewrite the lines around it.
            eprintln!("  {} {}", kind.letter(), crate::ui::untrusted::path(path));
        }
    }
    if let Some(cmd) = restore_command(r) {
        let key = if r.protected.is_empty() {
            crate::msg_key!("review.restore_all", command)
        } else {
            crate::msg_key!("review.restore_protected", command)
        };
        eprintln!("  {}", t!(key, command = cmd));
    }
    print_mass_deletions(r);
    print_pending_rules(r);
}

/// The `.backupignore` files whose text is not accepted (their rules were not applied).
fn print_pending_rules(r: &Review) {
    let flags = crate::backup::chain::command_flags(&r.source, Path::new(""), true);
    for line in super::backup::pending_rules_lines(&r.pending_rules, &r.source, &flags) {
        eprintln!("agsekit: warning: {line}");
    }
}

/// The tripwire's alerts of a session (each names the pinned snapshot and the restore).
fn print_mass_deletions(r: &Review) {
    for m in &r.mass_deletions {
        eprintln!(
            "agsekit: warning: {}",
            t!(
                "tripwire.review",
                gone = m.gone,
                files = crate::count!("tripwire.count.of_files", m.of as usize),
                percent = crate::backup::tripwire::percent(m.gone, m.of),
                previous = m.previous,
                command = crate::backup::tripwire::restore_command(
                    &r.source,
                    Path::new(""),
                    &m.previous,
                    true
                )
            )
        );
    }
}

/// `--proxychains URL`: `""` disables proxychains for this run.
fn proxychains_override(value: Option<&str>) -> Result<Option<Option<String>>, UserError> {
    match value {
        None => Ok(None),
        Some("") => Ok(Some(None)),
        Some(url) => parse_proxy_url(url, &PROXY_SCHEMES)
            .map(|u| Some(Some(u)))
            .map_err(|e| UserError::usage(format!("--proxychains: {e}"))),
    }
}

/// `--http-proxy URL`: the upstream of a VM-local privoxy (as the config's string form);
/// `""` disables the HTTP proxy for this run.
fn http_proxy_override(value: Option<&str>) -> Result<Option<Option<HttpProxy>>, UserError> {
    match value {
        None => Ok(None),
        Some("") => Ok(Some(None)),
        Some(url) => parse_proxy_url(url, &PROXY_SCHEMES)
            .map(|upstream| {
                Some(Some(HttpProxy::Upstream {
                    upstream,
                    listen: None,
                }))
            })
            .map_err(|e| UserError::usage(format!("--http-proxy: {e}"))),
    }
}

pub fn run(args: &RunArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    run_agent(args, global, false)
}

/// `agsekit run`: loads the config, turns the flags into a request and runs the session.
pub(crate) fn run_agent(args: &RunArgs, global: &GlobalArgs, quiet: bool) -> anyhow::Result<i32> {
    let config = super::config::load_config(global)?;
    let request = session_request(args)?;
    start_session(&config, &request, None, global.non_interactive, quiet)
}

/// The session request of `agsekit run`'s flags (the folder: `--workdir`, else the current one).
fn session_request(args: &RunArgs) -> anyhow::Result<SessionRequest> {
    let proxychains = proxychains_override(args.proxychains.as_deref())?;
    let http_proxy = http_proxy_override(args.http_proxy.as_deref())?;
    let workdir = match &args.workdir {
        Some(dir) => dir.clone(),
        None => super::init::current_folder()
            .ok_or_else(|| UserError::failed(t!("run.no_cwd")).hint(t!("run.no_cwd_hint")))?,
    };
    Ok(SessionRequest {
        agent: args.agent.clone(),
        args: args.args.clone(),
        workdir,
        vm: args.vm.clone(),
        auto_mount: args.auto_mount,
        disable_backups: args.disable_backups,
        first_backup: if args.first_backup {
            Some(true)
        } else if args.no_first_backup {
            Some(false)
        } else {
            None
        },
        proxychains,
        http_proxy,
        skip_default_args: args.skip_default_args,
    })
}

/// Runs a session over a loaded config, shared by `agsekit run` and the shims (`quiet`: no
/// notices unless the user is needed). `folder`: the request's folder already resolved to its
/// mount (the shims do that once); `None` resolves `request.workdir`.
pub(crate) fn start_session(
    config: &Config,
    request: &SessionRequest,
    folder: Option<&Folder<'_>>,
    non_interactive: bool,
    quiet: bool,
) -> anyhow::Result<i32> {
    let backend = crate::backend::open(config);
    let agsekit =
        std::env::current_exe().map_err(|e| UserError::failed(t!("run.no_exe", error = e)))?;
    let ui = TerminalUi::new(non_interactive, quiet);
    match folder {
        Some(folder) => run_session_in(
            config,
            backend.as_ref(),
            &RealRunner,
            &agsekit,
            request,
            folder,
            &ui,
        ),
        None => run_session(
            config,
            backend.as_ref(),
            &RealRunner,
            &agsekit,
            request,
            &ui,
        ),
    }
}
