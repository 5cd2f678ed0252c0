//! `agsekit doctor [-y]`: prints each check with its verdict and fix, then offers the repairs
//! (`-y` applies the safe ones without asking). Exit status 1 when a check still fails.

use std::io::{BufRead, IsTerminal, Write};

use super::args::DoctorArgs;
use super::config::load_config;
use super::GlobalArgs;
use crate::doctor::{self, Check, Verdict};
use crate::process::RealRunner;
use crate::t;
use crate::UserError;

fn print_checks(checks: &[Check]) {
    for c in checks {
        println!("{:<4}  {}: {}", c.verdict.label(), c.subject, c.detail);
        if c.verdict != Verdict::Ok {
            if let Some(fix) = &c.fix {
                println!("      {}", t!("doctor.fix", fix = fix));
            }
        }
    }
}

fn ask(question: &str) -> bool {
    print!("{question} [{}] ", t!("prompt.default_yes"));
    let _ = std::io::stdout().flush();
    let mut line = String::new();
    if std::io::stdin().lock().read_line(&mut line).is_err() {
        return false;
    }
    let a = line.trim().to_ascii_lowercase();
    a.is_empty() || ["y", "yes", "д", "да"].contains(&a.as_str())
}

pub fn run(args: &DoctorArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    if args.json {
        super::json::english();
    }
    let config = load_config(global)?;
    let shims_dir = crate::config::shims_dir();
    let backend = crate::backend::open(&config);
    let host_checks = || crate::backend::host_checks(&config, &RealRunner);
    let env = doctor::Env {
        config: &config,
        backend: backend.as_ref(),
        host_checks: &host_checks,
        path_var: std::env::var_os("PATH"),
        shims_dir: shims_dir.clone(),
        shell: std::env::var("SHELL").ok(),
        home: crate::config::home_dir(),
        runner: &RealRunner,
    };
    let checks = doctor::diagnose(&env);
    if args.json {
        super::json::print(&super::json::doctor(&checks))?;
        let failed = checks.iter().any(|c| c.verdict == Verdict::Fail);
        return Ok(i32::from(failed));
    }
    print_checks(&checks);
    let repairs: Vec<&Check> = checks.iter().filter(|c| c.repair.is_some()).collect();
    if repairs.is_empty() {
        return Ok(finish(&checks));
    }
    let interactive = !global.non_interactive && std::io::stdin().is_terminal();
    println!("\n{}", t!("doctor.repairable", n = repairs.len()));
    if !args.yes && !interactive {
        println!("{}", t!("doctor.run_yes"));
        return Ok(finish(&checks));
    }
    if !args.yes && !ask(&t!("doctor.ask_apply")) {
        return Ok(finish(&checks));
    }
    let renv = doctor::RepairEnv {
        backend: backend.as_ref(),
        runner: &RealRunner,
        agsekit: std::env::current_exe()
            .map_err(|e| UserError::failed(t!("run.no_exe", error = e)))?,
        config_path: std::fs::canonicalize(&config.path).unwrap_or(config.path.clone()),
    };
    let mut queue: Vec<doctor::Repair> = repairs.iter().filter_map(|c| c.repair.clone()).collect();
    let mut i = 0;
    while i < queue.len() {
        let repair = queue[i].clone();
        i += 1;
        if !repair.is_safe() {
            if !interactive {
                println!("{}", t!("doctor.skipped", repair = repair.describe()));
                continue;
            }
            if !ask(&format!("{}?", repair.describe())) {
                continue;
            }
        }
        match doctor::apply(&repair, &renv) {
            Ok(line) => println!("{}", t!("doctor.repaired", line = line)),
            Err(err) => {
                println!(
                    "{}",
                    t!(
                        "doctor.repair_failed",
                        repair = repair.describe(),
                        error = format!("{err:#}")
                    )
                );
                // A mount that cannot be remounted: as 1.7.4, its backend's next step
                // (restarting the snap's daemon) is offered once (asked, with sudo).
                if let doctor::Repair::Remount { vm, .. } = &repair {
                    let next = crate::backend::after_failed_remount(&config, vm)
                        .map(doctor::Repair::Host)
                        .filter(|r| !queue.contains(r));
                    queue.extend(next);
                }
            }
        }
    }
    println!("\n{}", t!("doctor.again"));
    let again = doctor::diagnose(&env);
    print_checks(&again);
    Ok(finish(&again))
}

fn finish(checks: &[Check]) -> i32 {
    let failed = checks.iter().filter(|c| c.verdict == Verdict::Fail).count();
    if failed > 0 {
        println!("\n{}", t!("doctor.unrepaired", n = failed));
        1
    } else {
        println!("\n{}", t!("doctor.clean"));
        0
    }
}
