//! How the config's backup settings become the snapshot engine's own options. The engine
//! (`crate::backup`) names no `config` type: it takes [`backup::CleanMethod`] and
//! [`backup::TripwireOptions`], and its callers in `run` and `cli` convert with these
//! `From` impls.

use crate::backup;
use crate::config;

impl From<config::CleanMethod> for backup::CleanMethod {
    fn from(method: config::CleanMethod) -> backup::CleanMethod {
        match method {
            config::CleanMethod::Tail => backup::CleanMethod::Tail,
            config::CleanMethod::Thin => backup::CleanMethod::Thin,
        }
    }
}

impl From<config::TripwireConfig> for backup::TripwireOptions {
    fn from(t: config::TripwireConfig) -> backup::TripwireOptions {
        backup::TripwireOptions {
            enabled: t.enabled,
            min_files: t.min_files,
            min_percent: t.min_percent,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_engine_defaults_are_the_configs() {
        assert_eq!(
            backup::TripwireOptions::from(config::TripwireConfig::default()),
            backup::TripwireOptions::default()
        );
        let custom = config::TripwireConfig {
            enabled: false,
            min_files: 7,
            min_percent: 90,
        };
        assert_eq!(
            backup::TripwireOptions::from(custom),
            backup::TripwireOptions {
                enabled: false,
                min_files: 7,
                min_percent: 90
            }
        );
        assert_eq!(
            backup::CleanMethod::from(config::CleanMethod::Thin),
            backup::CleanMethod::Thin
        );
        assert_eq!(
            backup::CleanMethod::from(config::CleanMethod::Tail),
            backup::CleanMethod::Tail
        );
    }
}
