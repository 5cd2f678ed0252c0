//! `list-bundles`: the bundles a VM's `install:` list may name.

use super::args::ListBundlesArgs;
use crate::provision::BUNDLES;

/// The lines `list-bundles` prints, sorted by name.
pub fn lines() -> Vec<String> {
    let mut lines: Vec<String> = BUNDLES.iter().map(|b| b.list_line()).collect();
    lines.sort();
    lines
}

pub fn run(args: &ListBundlesArgs) -> anyhow::Result<i32> {
    if args.json {
        super::json::english();
        super::json::print(&super::json::bundles())?;
        return Ok(0);
    }
    for line in lines() {
        println!("{line}");
    }
    Ok(0)
}
