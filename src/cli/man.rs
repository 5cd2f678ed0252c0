//! `agsekit man [COMMAND]`: a manual page in roff, generated from the clap definition by
//! `clap_mangen`, so it always lists exactly the commands and options of this build (in the
//! user's language, like `--help`). One page for the tool and one per command, as git does:
//! `agsekit man | man -l -`, `agsekit man run | man -l -`, or `agsekit man > agsekit.1`.

use std::io::Write;

use super::args::ManArgs;
use super::install;
use crate::error::UserError;
use crate::i18n::Lang;
use crate::t;

/// The command tree in `lang`, built (so `help` and the generated flags exist).
fn tree(lang: Lang) -> clap::Command {
    let mut cmd = crate::i18n::localize_command(super::command_for_docs(), lang);
    cmd.build();
    cmd
}

/// The roff page of `cmd` in `lang`.
fn render(cmd: clap::Command, lang: Lang) -> anyhow::Result<Vec<u8>> {
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd).render(&mut page)?;
    if lang == Lang::Ru {
        let text = String::from_utf8_lossy(&page);
        page = crate::i18n::clap_ru::man_sections(&text).into_bytes();
    }
    Ok(page)
}

/// The page of one command, titled `agsekit-NAME` as git names its pages.
fn command_page(sub: &clap::Command) -> clap::Command {
    let title = format!("agsekit-{}", sub.get_name());
    sub.clone().display_name(title)
}

pub fn run(args: &ManArgs) -> anyhow::Result<i32> {
    if args.install {
        return install();
    }
    let lang = crate::i18n::current();
    let cmd = tree(lang);
    let page_of = match &args.command {
        None => cmd,
        Some(name) => {
            let Some(sub) = cmd.find_subcommand(name) else {
                let names: Vec<&str> = cmd
                    .get_subcommands()
                    .map(|s| s.get_name())
                    .filter(|n| *n != "help")
                    .collect();
                return Err(UserError::usage(t!(
                    "misc.man.no_command",
                    name = format!("{name:?}")
                ))
                .hint(t!("misc.man.commands", names = names.join(", ")))
                .into());
            };
            command_page(sub)
        }
    };
    let page = render(page_of, lang)?;
    let mut out = std::io::stdout().lock();
    out.write_all(&page)?;
    Ok(0)
}

/// `man --install`: every page into `$XDG_DATA_HOME/man/man1` (English) and
/// `$XDG_DATA_HOME/man/ru/man1` (Russian, which man shows under a Russian locale).
fn install() -> anyhow::Result<i32> {
    for (lang, dir) in [
        (Lang::En, install::man_dir(None)),
        (Lang::Ru, install::man_dir(Some("ru"))),
    ] {
        let cmd = tree(lang);
        let mut pages = vec![("agsekit".to_string(), render(cmd.clone(), lang)?)];
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            let page = render(command_page(sub), lang)?;
            pages.push((format!("agsekit-{}", sub.get_name()), page));
        }
        for (name, page) in &pages {
            install::write_atomic(&dir.join(format!("{name}.1")), page)?;
        }
        println!(
            "{}",
            t!(
                "i12menu.man_installed",
                n = pages.len(),
                dir = dir.display()
            )
        );
    }
    let base = install::data_home().join("man");
    println!("  {}", t!("i12menu.man_ready", dir = base.display()));
    Ok(0)
}
