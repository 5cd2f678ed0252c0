//! `agsekit completions SHELL`: prints a completion script generated from the CLI definition.

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::Cli;

#[derive(Debug, Clone, Args)]
pub struct CompletionsArgs {
    /// The shell to generate completions for
    #[arg(value_enum)]
    pub shell: Shell,
}

pub fn run(args: &CompletionsArgs) -> anyhow::Result<i32> {
    let mut command = Cli::command();
    clap_complete::generate(args.shell, &mut command, "agsekit", &mut std::io::stdout());
    Ok(0)
}
