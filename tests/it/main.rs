//! Integration tests: they drive the built `agsekit` binary. Tests that need a VM use the
//! fake multipass (`tests/fake-multipass`), never a real one; their names say so.

mod support;
mod tmux;

mod cli_frame;
mod config;
mod config_edit;
mod config_gen;
mod launcher;
mod shell_init;
