//! `mount` and `umount`: configured folders into their VMs and out again.

use std::path::PathBuf;

use super::args::MountArgs;
use crate::config::MountConfig;
use crate::lifecycle::mounts::{mount_one, select_mounts, umount_one, Outcome};
use crate::t;
use crate::vm::VmBackend;

use super::GlobalArgs;

impl MountArgs {
    fn folder(&self) -> Option<PathBuf> {
        let dir = self.source_dir.as_ref().or(self.source_dir_flag.as_ref())?;
        let dir = crate::config::expand_tilde(dir);
        Some(std::path::absolute(&dir).unwrap_or(dir))
    }
}

fn describe(m: &MountConfig) -> String {
    format!("{} -> {}:{}", m.source.display(), m.vm, m.target.display())
}

type Action = fn(&dyn VmBackend, &MountConfig) -> anyhow::Result<Outcome>;

fn each(
    args: &MountArgs,
    global: &GlobalArgs,
    action: Action,
    done: &str,
    already: &str,
) -> anyhow::Result<i32> {
    let config = super::config::load_config(global)?;
    let folder = args.folder();
    let mounts = select_mounts(&config, folder.as_deref(), args.all, args.vm.as_deref())?;
    let backend = crate::backend::open(&config);
    if mounts.len() == 1 {
        let m = mounts[0];
        let word = match action(backend.as_ref(), m)? {
            Outcome::Done => done,
            Outcome::AlreadyThere => already,
        };
        println!("{}: {word}", describe(m));
        return Ok(0);
    }
    let mut failed = 0;
    let mut first_error: Option<anyhow::Error> = None;
    for m in mounts {
        match action(backend.as_ref(), m) {
            Ok(Outcome::Done) => println!("{}: {done}", describe(m)),
            Ok(Outcome::AlreadyThere) => println!("{}: {already}", describe(m)),
            Err(e) => {
                failed += 1;
                eprint!("{}", crate::error::render(&e));
                first_error.get_or_insert(e);
            }
        }
    }
    match first_error {
        None => Ok(0),
        Some(e) => Err(e.context(t!("mount.failed", n = failed))),
    }
}

pub fn run_mount(args: &MountArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    each(
        args,
        global,
        mount_one,
        &t!("mount.done"),
        &t!("mount.already"),
    )
}

pub fn run_umount(args: &MountArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    each(
        args,
        global,
        umount_one,
        &t!("umount.done"),
        &t!("umount.already"),
    )
}
