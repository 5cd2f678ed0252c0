//! Integration tests: they drive the built `agsekit` binary. Tests that need a VM use the
//! fake multipass (`tests/fake-multipass`), never a real one; their names say so.

mod support;
mod tmux;

mod backup;
mod backup_hostile;
mod cli_frame;
mod closed_pipe;
mod config;
mod config_edit;
mod config_gen;
mod daemon;
mod doctor;
mod errors_point_right;
mod first_session;
mod help_sections;
mod host_fake_qemu;
mod i12_session;
mod i18n_backup;
mod i18n_config;
mod i18n_lifecycle;
mod i18n_misc;
mod ignore_rules;
mod interactive;
mod json_install;
mod launcher;
mod layers;
mod neutral;
mod packaging;
mod portforward;
mod provision;
mod qemu_lock;
mod quick_check;
mod restore;
mod run_fake;
mod shell_init;
mod shims;
mod status;
mod suspend;
mod tripwire;
mod vm_commands;
mod vm_driver_fake;
