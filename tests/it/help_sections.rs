//! `--help` of every command (from the clap tree) lists `--config`, `--debug` and
//! `--non-interactive` in their own section after the command's own options, in English and
//! in Russian (issue 12, item 9).

use crate::support::Sandbox;

fn commands(cmd: &clap::Command, prefix: &[String], out: &mut Vec<Vec<String>>) {
    for sub in cmd.get_subcommands() {
        if sub.get_name() == "help" {
            continue;
        }
        let mut words = prefix.to_vec();
        words.push(sub.get_name().to_string());
        out.push(words.clone());
        commands(sub, &words, out);
    }
}

/// The lines of the section that starts with `heading` (up to the next blank line).
fn section<'a>(help: &'a str, heading: &str) -> Vec<&'a str> {
    help.lines()
        .skip_while(|l| *l != heading)
        .skip(1)
        .take_while(|l| !l.is_empty())
        .collect()
}

#[test]
fn every_help_shows_the_global_options_in_their_own_section_in_english_and_russian() {
    let sb = Sandbox::new();
    let mut all = vec![Vec::new()];
    commands(&agsekit::cli::command_for_docs(), &[], &mut all);
    assert!(all.len() > 50, "{}", all.len());
    for (lang, own, global) in [
        ("en", "Options:", "Global options:"),
        ("ru", "Параметры:", "Общие параметры:"),
    ] {
        for words in &all {
            let out = sb
                .agsekit()
                .env("AGSEKIT_LANG", lang)
                .args(words)
                .arg("--help")
                .output()
                .expect("run");
            let help = String::from_utf8_lossy(&out.stdout);
            assert_eq!(out.status.code(), Some(0), "{words:?} {lang}: {help}");
            let globals = section(&help, global);
            for flag in ["--config <FILE>", "--non-interactive", "--debug"] {
                assert!(
                    globals.iter().any(|l| l.trim_start().starts_with(flag)),
                    "{words:?} {lang}: {flag} not under {global:?}:\n{help}"
                );
                assert!(
                    !section(&help, own)
                        .iter()
                        .any(|l| l.trim_start().starts_with(flag)),
                    "{words:?} {lang}: {flag} among the command's own options:\n{help}"
                );
            }
            let own_at = help.find(&format!("\n{own}\n"));
            let global_at = help.find(&format!("\n{global}\n"));
            assert!(
                own_at.is_none() || own_at < global_at,
                "{words:?} {lang}: global options come last:\n{help}"
            );
        }
    }
}
