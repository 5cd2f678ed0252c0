//! `agsekit man [COMMAND]`: a manual page in roff, generated from the clap definition by
//! `clap_mangen`, so it always lists exactly the commands and options of this build (in the
//! user's language, like `--help`). One page for the tool and one per command, as git does:
//! `agsekit man | man -l -`, `agsekit man run | man -l -`, or `agsekit man > agsekit.1`.

use std::io::Write;

use clap::Args;

use crate::error::UserError;
use crate::t;

#[derive(Debug, Clone, Args)]
pub struct ManArgs {
    /// The command whose page to print (default: the page of agsekit itself)
    #[arg(value_name = "COMMAND")]
    pub command: Option<String>,
}

pub fn run(args: &ManArgs) -> anyhow::Result<i32> {
    let mut cmd = crate::i18n::localize_command(super::command_for_docs(), crate::i18n::current());
    cmd.build();
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
            let title = format!("agsekit-{}", sub.get_name());
            sub.clone().display_name(title)
        }
    };
    let mut page = Vec::new();
    clap_mangen::Man::new(page_of).render(&mut page)?;
    if crate::i18n::current() == crate::i18n::Lang::Ru {
        let text = String::from_utf8_lossy(&page);
        page = crate::i18n::clap_ru::man_sections(&text).into_bytes();
    }
    let mut out = std::io::stdout().lock();
    out.write_all(&page)?;
    Ok(0)
}
