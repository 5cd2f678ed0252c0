//! VM state names as agsekit shows them (`running`, `delayed-shutdown`, `absent`,
//! `unknown (Odd)`), in the user's language: one vocabulary for status, doctor, the port-forward
//! supervisor, `stop-vm` and the run session.

use crate::i18n::{self, Lang};
use crate::vm::VmState;

fn tr(lang: Lang, key: &str) -> String {
    i18n::fill(i18n::text_in(lang, key), &[])
}

/// State names as status prints them (lower case; `absent` for a VM the backend lacks).
pub fn state_name(state: &VmState) -> String {
    match state {
        VmState::DelayedShutdown => "delayed-shutdown".to_string(),
        VmState::Unknown(raw) => format!("unknown ({raw})"),
        other => other.as_str().to_ascii_lowercase(),
    }
}

/// A VM state as `status` names it (`running`, `delayed-shutdown`, `absent`, `unknown`,
/// `unknown (Odd)`) in `lang`; a name with no translation is shown as it is.
pub fn state_label_in(lang: Lang, state: &str) -> String {
    const KNOWN: &[&str] = &[
        "running",
        "stopped",
        "suspended",
        "starting",
        "restarting",
        "suspending",
        "delayed-shutdown",
        "deleted",
        "unavailable",
        "absent",
        "unknown",
    ];
    if KNOWN.contains(&state) {
        return tr(lang, &format!("misc.state.{state}"));
    }
    match state
        .strip_prefix("unknown (")
        .and_then(|r| r.strip_suffix(')'))
    {
        Some(raw) => format!("{} ({raw})", crate::t_in!(lang, "misc.state.unknown")),
        None => state.to_string(),
    }
}

/// [`state_label_in`] in the current language.
pub fn state_label(state: &str) -> String {
    state_label_in(i18n::current(), state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_names_are_lower_case() {
        assert_eq!(state_name(&VmState::Running), "running");
        assert_eq!(state_name(&VmState::DelayedShutdown), "delayed-shutdown");
        assert_eq!(state_name(&VmState::Unknown("Odd".into())), "unknown (Odd)");
    }

    #[test]
    fn states_are_named_in_the_language_and_odd_ones_kept() {
        assert_eq!(
            state_label_in(Lang::En, "delayed-shutdown"),
            "delayed-shutdown"
        );
        assert_eq!(state_label_in(Lang::Ru, "stopped"), "остановлена");
        assert_eq!(state_label_in(Lang::Ru, "absent"), "не создана");
        assert_eq!(
            state_label_in(Lang::Ru, "unknown (Odd)"),
            "неизвестно (Odd)"
        );
        assert_eq!(state_label_in(Lang::Ru, "weird"), "weird");
    }
}
