//! Entry point: argv[0] decides between the shim path and the CLI.

fn main() {
    let code = agsekit::cli::main_entry();
    std::process::exit(code);
}
