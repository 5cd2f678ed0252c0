//! The warnings `status` reports, as data: tables show them in the user's language, while
//! `status --json` always carries the English text (scripts may match it), so each warning
//! renders itself in a given language and serialises as its English text.

use serde::{Serialize, Serializer};

use crate::i18n::{self, Lang};
use crate::vm::VmError;

fn tr(lang: Lang, key: &str, args: &[(&str, String)]) -> String {
    i18n::fill(i18n::text_in(lang, key), args)
}

/// `42s`, `10m`, `1h02m`, `1d1h` (Russian: `42 с`, `10 мин`, `1 ч 02 мин`, `1 д 1 ч`).
pub fn human_age_in(lang: Lang, secs: u64) -> String {
    match secs {
        0..=59 => crate::t_in!(lang, "misc.age.s", s = secs),
        60..=3599 => crate::t_in!(lang, "misc.age.m", m = (secs / 60).to_string()),
        3600..=86_399 => crate::t_in!(
            lang,
            "misc.age.hm",
            h = (secs / 3600).to_string(),
            m = format!("{:02}", secs % 3600 / 60)
        ),
        _ => crate::t_in!(
            lang,
            "misc.age.dh",
            d = (secs / 86_400).to_string(),
            h = (secs % 86_400 / 3600).to_string()
        ),
    }
}

/// A resource whose configured and actual size differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    Cpus,
    Memory,
    Disk,
}

impl Resource {
    /// The name in `status --json`'s `mismatches`.
    pub fn as_str(self) -> &'static str {
        match self {
            Resource::Cpus => "cpus",
            Resource::Memory => "memory",
            Resource::Disk => "disk",
        }
    }

    fn text_in(self, lang: Lang) -> String {
        tr(lang, &format!("misc.status.res.{}", self.as_str()), &[])
    }
}

/// Something wrong with one VM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VmWarning {
    NotCreated { vm: String },
    Resized(Vec<Resource>),
    DiskNearlyFull { used: String, total: String },
}

impl VmWarning {
    pub fn text_in(&self, lang: Lang) -> String {
        match self {
            VmWarning::NotCreated { vm } => {
                crate::t_in!(lang, "misc.status.not_created", vm = vm)
            }
            VmWarning::Resized(what) => {
                let names: Vec<String> = what.iter().map(|r| r.text_in(lang)).collect();
                crate::t_in!(lang, "misc.status.resized", what = names.join(", "))
            }
            VmWarning::DiskNearlyFull { used, total } => {
                crate::t_in!(lang, "misc.status.disk_full", used = used, total = total)
            }
        }
    }
}

/// Something wrong with one mount and its backups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MountWarning {
    /// No snapshot and no check for `age_secs`, more than twice the interval.
    Stuck {
        age_secs: u64,
        interval_minutes: u32,
    },
    NoSnapshot,
    AgentWithoutLoop,
    Partials {
        dead_pid: Option<u32>,
        dirs: Vec<String>,
    },
    OtherFilesystem {
        backup: String,
        folder: String,
    },
    BackupDiskNearlyFull {
        free: String,
        total: String,
    },
    AgentButNotMounted,
}

impl MountWarning {
    pub fn text_in(&self, lang: Lang) -> String {
        match self {
            MountWarning::Stuck {
                age_secs,
                interval_minutes,
            } => crate::t_in!(
                lang,
                "misc.status.stuck",
                age = human_age_in(lang, *age_secs),
                minutes = interval_minutes
            ),
            MountWarning::NoSnapshot => crate::t_in!(lang, "misc.status.no_snapshot"),
            MountWarning::AgentWithoutLoop => crate::t_in!(lang, "misc.status.no_loop"),
            MountWarning::Partials { dead_pid, dirs } => {
                let dirs = dirs.join(", ");
                match dead_pid {
                    Some(pid) => {
                        crate::t_in!(lang, "misc.status.partials_pid", pid = pid, dirs = dirs)
                    }
                    None => crate::t_in!(lang, "misc.status.partials", dirs = dirs),
                }
            }
            MountWarning::OtherFilesystem { backup, folder } => crate::t_in!(
                lang,
                "misc.status.other_fs",
                backup = backup,
                folder = folder
            ),
            MountWarning::BackupDiskNearlyFull { free, total } => crate::t_in!(
                lang,
                "misc.status.backup_disk_full",
                free = free,
                total = total
            ),
            MountWarning::AgentButNotMounted => crate::t_in!(lang, "misc.status.not_mounted"),
        }
    }
}

/// Why a port forward is down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForwardDown {
    /// The supervisor said why (its text, as it wrote it).
    Error(String),
    /// Nothing runs it.
    Unmanaged,
    /// A supervisor runs it and retries.
    Retrying,
}

/// One line of the warnings section: what it is about and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Warning {
    BackendMissing,
    BackendDown(VmError),
    Vm {
        vm: String,
        warning: VmWarning,
    },
    Mount {
        source: String,
        warning: MountWarning,
    },
    ForwardDown {
        forward: String,
        vm: String,
        why: ForwardDown,
    },
    /// The daemon runs an older build (`None`: its version is unknown).
    DaemonOld {
        version: Option<String>,
    },
}

impl Warning {
    pub fn text_in(&self, lang: Lang) -> String {
        match self {
            Warning::BackendMissing => crate::t_in!(lang, "misc.status.backend_missing"),
            Warning::BackendDown(err) => crate::t_in!(
                lang,
                "misc.status.backend_down",
                error = err.message_in(lang)
            ),
            Warning::Vm { vm, warning } => crate::t_in!(
                lang,
                "misc.status.vm",
                vm = vm,
                warning = warning.text_in(lang)
            ),
            Warning::Mount { source, warning } => crate::t_in!(
                lang,
                "misc.status.mount",
                source = source,
                warning = warning.text_in(lang)
            ),
            Warning::ForwardDown { forward, vm, why } => {
                let mut args = vec![("forward", forward.clone()), ("vm", vm.clone())];
                let key = match why {
                    ForwardDown::Error(e) => {
                        args.push(("error", e.clone()));
                        crate::msg_key!("misc.status.forward_down_error", forward, vm, error)
                    }
                    ForwardDown::Unmanaged => {
                        crate::msg_key!("misc.status.forward_down_unmanaged", forward, vm)
                    }
                    ForwardDown::Retrying => {
                        crate::msg_key!("misc.status.forward_down", forward, vm)
                    }
                };
                tr(lang, key, &args)
            }
            Warning::DaemonOld { version } => crate::t_in!(
                lang,
                "misc.status.daemon_old",
                version = version
                    .clone()
                    .unwrap_or_else(|| crate::t_in!(lang, "misc.status.unknown"))
            ),
        }
    }

    /// The text in the current language, for tables.
    pub fn text(&self) -> String {
        self.text_in(i18n::current())
    }
}

/// English, as `status --json` shows every warning.
macro_rules! english_json {
    ($($t:ty),+) => {$(
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.text_in(Lang::En))
            }
        }
        impl std::fmt::Display for $t {
            /// The English text (logs, tests); tables use `text_in`.
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.text_in(Lang::En))
            }
        }
    )+};
}
english_json!(Warning, VmWarning, MountWarning);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_well_in_both_languages() {
        let en = |s| human_age_in(Lang::En, s);
        let ru = |s| human_age_in(Lang::Ru, s);
        assert_eq!(en(42), "42s");
        assert_eq!(en(600), "10m");
        assert_eq!(en(3720), "1h02m");
        assert_eq!(en(90_000), "1d1h");
        assert_eq!(ru(42), "42 с");
        assert_eq!(ru(3720), "1 ч 02 мин");
        assert_eq!(ru(90_000), "1 д 1 ч");
    }

    /// The JSON text is English whatever the language; the table text follows the language.
    #[test]
    fn warnings_serialise_in_english_and_render_in_russian() {
        let w = Warning::Mount {
            source: "/p".into(),
            warning: MountWarning::Partials {
                dead_pid: Some(42),
                dirs: vec!["a-partial".into()],
            },
        };
        assert_eq!(
            serde_json::to_string(&w).unwrap(),
            "\"mount /p: unfinished snapshot folders left behind by PID 42, which is gone: a-partial (`agsekit doctor -y` removes them)\""
        );
        assert_eq!(
            w.text_in(Lang::Ru),
            "общая папка /p: остались незавершённые папки снимков от процесса 42, которого уже нет: a-partial (`agsekit doctor -y` удалит их)"
        );
        let resized = VmWarning::Resized(vec![Resource::Cpus, Resource::Disk]);
        assert_eq!(
            resized.to_string(),
            "cpus, disk differ from the config (agsekit does not resize VMs)"
        );
        assert_eq!(
            resized.text_in(Lang::Ru),
            "не совпадает с конфигурацией: число ЦП, диск (agsekit не меняет размеры ВМ)"
        );
        let down = Warning::ForwardDown {
            forward: "-L 1:2".into(),
            vm: "v".into(),
            why: ForwardDown::Unmanaged,
        };
        assert_eq!(
            down.to_string(),
            "port forward -L 1:2 of VM v is down (start it with `agsekit portforward` or `agsekit daemon start`)"
        );
        let stuck = MountWarning::Stuck {
            age_secs: 3720,
            interval_minutes: 5,
        };
        assert_eq!(
            stuck.to_string(),
            "no backup for 1h02m (interval 5 min): is the backup loop stuck?"
        );
        assert!(stuck.text_in(Lang::Ru).contains("1 ч 02 мин"));
    }
}
