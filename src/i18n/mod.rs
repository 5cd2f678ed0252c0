//! Messages in English and Russian.
//!
//! Two kinds of text are translated here:
//! - **Messages** (menu, prompts, errors, reports): looked up by key with [`crate::t!`]. The
//!   catalogue is plain Rust tables of `(key, text)`, English and Russian, listed in
//!   `PARTS`. Keys are `area.name`; `{name}` in a text is a placeholder that
//!   `t!("key", name = value)` fills.
//! - **clap help texts**: English stays the source (doc comments on the derive structs);
//!   `help_ru.rs` maps each English text to its Russian text and [`localize_command`] applies
//!   the map to the whole command tree before parsing; clap's own words around them and its
//!   usage errors are handled by `clap_ru`. A unit test lists every help text of the command
//!   tree that has no Russian entry.
//!
//! **What the build checks.** `t!` with a literal key is checked by the compiler against the
//! English tables (`check.rs`, const evaluation): a key no table has, a `name = value` whose
//! `{name}` the English text lacks, or a `{name}` of the English text the call does not pass
//! fails `cargo build` with `error[E0080]: evaluation panicked: t!("key"): ...` at the call;
//! so does a key two English tables define. A key computed at run time (`t!(match kind {...})`,
//! `t!(key, ...)`) goes through [`tr_dyn`], which debug builds (every test) check when it
//! runs: the key must exist and every placeholder of its text be passed (extra values are
//! allowed there, for a call that chooses among keys). Unit tests check that Russian has
//! every English key with the same placeholders.
//! To see the build check work by hand: misspell a key in any `t!` call and run `cargo build`;
//! the `compile_fail` examples on [`crate::t!`] (run by `cargo test --doc`, part of `scripts/test`)
//! keep it from silently going away.
//!
//! **Adding messages for an area.** Create `src/i18n/AREA.rs` with both languages side by
//! side, one line per message:
//!
//! ```text
//! #[rustfmt::skip]
//! pub const EN: &[(&str, &str)] = &[("area.key", "English text with {name}"), ...];
//! #[rustfmt::skip]
//! pub const RU: &[(&str, &str)] = &[("area.key", "Русский текст с {name}"), ...];
//! ```
//!
//! then register it with `mod AREA;` below and one `(AREA::EN, AREA::RU),` line in
//! `PARTS`. Nothing else: the build-time check, the run-time index and the tests read
//! `PARTS`. Every area file has this one layout (`help_ru.rs` is not a message catalogue:
//! it maps clap's English help texts, the source in the derive doc comments, to Russian).
//!
//! The language comes from `AGSEKIT_LANG`, then `LC_ALL`, `LC_MESSAGES`, `LANG` (a value that
//! starts with `ru` means Russian), else English. A lookup never panics in a release build: a
//! key missing in Russian falls back to the English text, a key missing everywhere to the key
//! itself (and in unit tests to a failure).

mod backend;
mod backup;
#[doc(hidden)]
pub mod check;
pub mod clap_ru;
mod config;
mod config_check;
mod config_gen;
mod daemon;
mod doctor;
mod frame;
mod help_ru;
mod host;
mod i12_errors;
mod i12_first;
mod i12_menu;
mod i12_session;
mod layout;
mod lifecycle;
mod misc;
mod mounts;
mod net;
mod packaging;
mod qemu;
mod rules;
mod run;
#[cfg(test)]
mod scan;
mod status;
mod suspend;
mod tripwire;
mod vm;
mod vmerror;

/// One table of messages: `(key, text)`.
type Table = &'static [(&'static str, &'static str)];

/// The catalogue in parts: `(English, Russian)` tables of one area each, both in the area's
/// file (`EN` and `RU` side by side), so a message and its translation are edited together.
const PARTS: &[(Table, Table)] = &[
    (frame::EN, frame::RU),
    (config_check::EN, config_check::RU),
    (config_gen::EN, config_gen::RU),
    (mounts::EN, mounts::RU),
    (run::EN, run::RU),
    (status::EN, status::RU),
    (doctor::EN, doctor::RU),
    (daemon::EN, daemon::RU),
    (vm::EN, vm::RU),
    (backend::EN, backend::RU),
    (backup::EN, backup::RU),
    (config::EN, config::RU),
    (layout::EN, layout::RU),
    (lifecycle::EN, lifecycle::RU),
    (misc::EN, misc::RU),
    (qemu::EN, qemu::RU),
    (net::EN, net::RU),
    (vmerror::EN, vmerror::RU),
    (suspend::EN, suspend::RU),
    (host::EN, host::RU),
    (tripwire::EN, tripwire::RU),
    (rules::EN, rules::RU),
    (i12_session::EN, i12_session::RU),
    (i12_menu::EN, i12_menu::RU),
    (i12_errors::EN, i12_errors::RU),
    (i12_first::EN, i12_first::RU),
    (packaging::EN, packaging::RU),
];

use std::sync::OnceLock;

/// A language messages can be shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Ru,
}

impl Lang {
    /// The language a locale-style value names (`ru`, `ru_RU.UTF-8`, `en_US`...), if any.
    pub fn from_locale(value: &str) -> Option<Lang> {
        let v = value.trim().to_ascii_lowercase();
        if v.is_empty() {
            return None;
        }
        if v.starts_with("ru") {
            Some(Lang::Ru)
        } else {
            Some(Lang::En)
        }
    }

    /// Every message of this language, all parts in order.
    fn catalogue(self) -> impl Iterator<Item = &'static (&'static str, &'static str)> {
        PARTS.iter().flat_map(move |(en, ru)| match self {
            Lang::En => en.iter(),
            Lang::Ru => ru.iter(),
        })
    }
}

/// The language from the variables, in order: `AGSEKIT_LANG`, `LC_ALL`, `LC_MESSAGES`, `LANG`.
/// The first one that is set and not empty decides; none set means English. `C`/`POSIX` mean
/// English.
pub fn detect(get: impl Fn(&str) -> Option<String>) -> Lang {
    for name in ["AGSEKIT_LANG", "LC_ALL", "LC_MESSAGES", "LANG"] {
        if let Some(lang) = get(name).as_deref().and_then(Lang::from_locale) {
            return lang;
        }
    }
    Lang::En
}

/// Set by [`use_english`].
static ENGLISH_ONLY: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// English from now on, whatever the environment says: what a program reads (`--json`
/// documents, and the errors of a command asked for one) is the same on every desktop.
pub fn use_english() {
    ENGLISH_ONLY.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// The language of this process (read from the environment once). Unit tests always get
/// English, whatever the developer's locale: they assert English texts, and Russian ones
/// through [`text_in`]/[`count_in`] with an explicit language.
pub fn current() -> Lang {
    if cfg!(test) || ENGLISH_ONLY.load(std::sync::atomic::Ordering::Relaxed) {
        return Lang::En;
    }
    static LANG: OnceLock<Lang> = OnceLock::new();
    *LANG.get_or_init(|| detect(|name| std::env::var(name).ok()))
}

/// The text of `key` in `lang`, from an index built on first use (the catalogue has over a
/// thousand keys per language; a linear search per message would add up in long outputs).
fn find(lang: Lang, key: &str) -> Option<&'static str> {
    use std::collections::HashMap;
    type Index = HashMap<&'static str, &'static str>;
    static EN: OnceLock<Index> = OnceLock::new();
    static RU: OnceLock<Index> = OnceLock::new();
    let cell = match lang {
        Lang::En => &EN,
        Lang::Ru => &RU,
    };
    // The first entry of a key wins, as a linear search would (duplicates fail a unit test).
    let index = cell.get_or_init(|| {
        let mut index = Index::new();
        for (k, v) in lang.catalogue() {
            index.entry(*k).or_insert(*v);
        }
        index
    });
    index.get(key).copied()
}

/// The text of `key` in `lang`; English when the language lacks it; the key itself when
/// nothing has it (a failure in unit tests).
pub fn text_in(lang: Lang, key: &str) -> &str {
    match find(lang, key).or_else(|| find(Lang::En, key)) {
        Some(text) => text,
        None => {
            #[cfg(test)]
            panic!("message key {key:?} is in no catalogue");
            #[cfg(not(test))]
            key
        }
    }
}

/// Fills `{name}` placeholders with the given values in one pass over the template;
/// unknown placeholders stay as they are. A value is never read again: a file name that
/// contains `{command}` (the agent chooses file names) stays that text, whatever argument
/// comes after it.
pub fn fill(template: &str, args: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let name = &after[..close];
            args.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (v, close))
        });
        match value {
            Some((v, close)) => {
                out.push_str(v);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The text of `key` in the current language with its placeholders filled.
pub fn tr(key: &str, args: &[(&str, String)]) -> String {
    fill(text_in(current(), key), args)
}

/// `{n} thing(s)` in the current language: `key.one`, `key.few` or `key.many` by the plural
/// rules of the language (English: `one` for 1, else `many`; Russian: 1, 21... `one`; 2-4,
/// 22-24... `few`; the rest `many`), with `{n}` filled. All three keys exist in both
/// catalogues (English `few` = `many`).
pub fn count(key: &str, n: usize) -> String {
    count_in(current(), key, n)
}

/// [`count`] in a given language.
pub fn count_in(lang: Lang, key: &str, n: usize) -> String {
    let form = match lang {
        Lang::En if n == 1 => "one",
        Lang::En => "many",
        Lang::Ru if n % 10 == 1 && n % 100 != 11 => "one",
        Lang::Ru if (2..=4).contains(&(n % 10)) && !(12..=14).contains(&(n % 100)) => "few",
        Lang::Ru => "many",
    };
    fill(
        text_in(lang, &format!("{key}.{form}")),
        &[("n", n.to_string())],
    )
}

/// The text of a key chosen at run time (`t!(match kind { ... })`, a key in a variable), with
/// its placeholders filled: what [`crate::t!`] calls when its key is not a literal. The build
/// cannot check such a key, so debug builds (unit and integration tests) check it here and
/// panic on a key no English table has or on a `{placeholder}` of the English text the call
/// does not pass; a release build shows the key itself or leaves the `{placeholder}` as it
/// is. Extra values are allowed: a call that chooses among keys passes what any of them uses
/// (`backup.created_stats` and `backup.created_stats_link_limit` share one call).
pub fn tr_dyn(key: &str, args: &[(&str, String)]) -> String {
    #[cfg(debug_assertions)]
    {
        let Some(english) = find(Lang::En, key) else {
            panic!("t!({key:?}): no such message key in the English tables of src/i18n/");
        };
        for name in placeholder_names(english) {
            assert!(
                args.iter().any(|(passed, _)| *passed == name),
                "t!({key:?}): its English text {english:?} has {{{name}}}, but the call does not pass `{name} = ...`"
            );
        }
    }
    tr(key, args)
}

/// The `{name}` placeholders of `text` (names of ASCII letters, digits and `_`), sorted, once
/// each: the names [`fill`] replaces.
pub fn placeholder_names(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        if len > 0 && after[len..].starts_with('}') {
            out.push(&after[..len]);
        }
        rest = after;
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// `t!("key")` or `t!("key", name = value, ...)`: the message in the current language, with
/// each `{name}` replaced by the value's `Display`.
///
/// With a literal key the build checks the call against the English catalogue
/// (`check::call`, evaluated by the compiler): a key no table has, a `name = value` whose
/// `{name}` the English text lacks, or a `{name}` of the text the call does not pass fails
/// `cargo build` with "evaluation panicked: t!(\"key\"): ..." at the call. A key computed at
/// run time (`t!(match kind { ... })`, `t!(key, ...)`) goes through [`i18n::tr_dyn`], checked
/// when it runs in debug builds.
///
/// ```
/// let text = agsekit::t!("cli.version", version = "2.0.0");
/// assert!(text.contains("2.0.0"));
/// ```
///
/// A misspelled key does not build:
///
/// ```compile_fail,E0080
/// let text = agsekit::t!("cli.versoin", version = "2.0.0");
/// ```
///
/// Nor does a placeholder the English text does not have (`{version}` is its only one):
///
/// ```compile_fail,E0080
/// let text = agsekit::t!("cli.version", release = "2.0.0");
/// ```
///
/// Nor one it has that the call leaves out:
///
/// ```compile_fail,E0080
/// let text = agsekit::t!("cli.version");
/// ```
///
/// [`i18n::tr_dyn`]: crate::i18n::tr_dyn
#[macro_export]
macro_rules! t {
    ($key:literal $(,)?) => {{
        const _: () = $crate::i18n::check::call($key, &[]);
        $crate::i18n::tr($key, &[])
    }};
    ($key:literal, $($name:ident = $value:expr),+ $(,)?) => {{
        const _: () = $crate::i18n::check::call($key, &[$(stringify!($name)),+]);
        $crate::i18n::tr($key, &[$((stringify!($name), ($value).to_string())),+])
    }};
    ($key:expr $(,)?) => {
        $crate::i18n::tr_dyn($key, &[])
    };
    ($key:expr, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::i18n::tr_dyn($key, &[$((stringify!($name), ($value).to_string())),+])
    };
}

/// `t_in!(lang, "key", name = value, ...)`: like [`crate::t!`] with a literal key, in the
/// language `lang` instead of the current one (`status --json` keeps English text). The key
/// and placeholders are checked by the build as for `t!`.
///
/// ```
/// use agsekit::i18n::Lang;
/// assert_eq!(agsekit::t_in!(Lang::En, "cli.version", version = "2.0.0"), agsekit::t!("cli.version", version = "2.0.0"));
/// ```
///
/// ```compile_fail,E0080
/// let text = agsekit::t_in!(agsekit::i18n::Lang::Ru, "cli.versoin", version = "2.0.0");
/// ```
#[macro_export]
macro_rules! t_in {
    ($lang:expr, $key:literal $(,)?) => {{
        const _: () = $crate::i18n::check::check("t_in!", $key, &[], false);
        $crate::i18n::fill($crate::i18n::text_in($lang, $key), &[])
    }};
    ($lang:expr, $key:literal, $($name:ident = $value:expr),+ $(,)?) => {{
        const _: () =
            $crate::i18n::check::check("t_in!", $key, &[$(stringify!($name)),+], false);
        $crate::i18n::fill(
            $crate::i18n::text_in($lang, $key),
            &[$((stringify!($name), ($value).to_string())),+],
        )
    }};
}

/// `count!("key", n)`: [`count`] (`3 VMs`, `3 ВМ`) with a literal key, checked by the build:
/// `key.one`, `key.few` and `key.many` must each exist with `{n}` as their only placeholder.
/// `count!(lang, "key", n)` is [`count_in`].
///
/// ```
/// assert_eq!(agsekit::count!(agsekit::i18n::Lang::En, "count.vm", 2), "2 VMs");
/// ```
///
/// ```compile_fail,E0080
/// let text = agsekit::count!("count.virtual_machine", 2);
/// ```
#[macro_export]
macro_rules! count {
    ($key:literal, $n:expr $(,)?) => {{
        const _: () = $crate::i18n::check::count(
            concat!($key, ".one"),
            concat!($key, ".few"),
            concat!($key, ".many"),
        );
        $crate::i18n::count($key, $n)
    }};
    ($lang:expr, $key:literal, $n:expr $(,)?) => {{
        const _: () = $crate::i18n::check::count(
            concat!($key, ".one"),
            concat!($key, ".few"),
            concat!($key, ".many"),
        );
        $crate::i18n::count_in($lang, $key, $n)
    }};
}

/// `msg_key!("key", name, ...)`: the literal key itself, checked by the build to exist and to
/// need no placeholder beyond the names listed (names it does not use are allowed). For
/// a key chosen among several at run time (`let key = match status { ... =>
/// msg_key!("a.installed", agent, vm), ... }`) and then filled by `t!(key, ...)`.
///
/// ```
/// let key = agsekit::msg_key!("cli.version", version, unused);
/// assert_eq!(key, "cli.version");
/// ```
///
/// ```compile_fail,E0080
/// let key = agsekit::msg_key!("cli.version");
/// ```
#[macro_export]
macro_rules! msg_key {
    ($key:literal $(, $name:ident)* $(,)?) => {{
        const _: () = $crate::i18n::check::check("msg_key!", $key, &[$(stringify!($name)),*], true);
        $key
    }};
}

/// Translates the help texts of `cmd` and every subcommand and argument into `lang`
/// (English: unchanged). Texts without a translation stay English.
pub fn localize_command(cmd: clap::Command, lang: Lang) -> clap::Command {
    if lang == Lang::En {
        return cmd;
    }
    let mut cmd = cmd;
    // Build first so that clap's own `--help`, `--version` and `help` exist to translate.
    cmd.build();
    localize_tree(cmd)
}

fn help_ru(english: &str) -> Option<&'static str> {
    help_ru::HELP
        .iter()
        .find(|(en, _)| *en == english)
        .map(|(_, ru)| *ru)
}

fn localize_tree(cmd: clap::Command) -> clap::Command {
    let mut cmd = cmd;
    if cmd.has_subcommands() {
        cmd = cmd.subcommand_value_name(clap_ru::SUBCOMMAND_VALUE_NAME);
    }
    if let Some(ru) = cmd.get_about().and_then(|a| help_ru(&a.to_string())) {
        cmd = cmd.about(ru);
    }
    if let Some(ru) = cmd.get_long_about().and_then(|a| help_ru(&a.to_string())) {
        cmd = cmd.long_about(ru);
    }
    let ids: Vec<String> = cmd
        .get_arguments()
        .map(|a| a.get_id().to_string())
        .collect();
    for id in ids {
        cmd = cmd.mut_arg(id, |arg| {
            let mut arg = arg;
            if let Some(ru) = arg.get_help().and_then(|h| help_ru(&h.to_string())) {
                arg = arg.help(ru);
            }
            if let Some(ru) = arg.get_long_help().and_then(|h| help_ru(&h.to_string())) {
                arg = arg.long_help(ru);
            }
            if let Some(ru) = arg.get_help_heading().and_then(help_ru) {
                arg = arg.help_heading(ru);
            }
            arg
        });
    }
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in names {
        cmd = cmd.mut_subcommand(name, localize_tree);
    }
    cmd
}

/// Every help text in the command tree (about, long about, argument help), for the
/// completeness test and for listing what is not translated yet.
pub fn help_texts(cmd: &clap::Command) -> Vec<(String, String)> {
    let mut out = Vec::new();
    collect(cmd, cmd.get_name().to_string(), &mut out);
    out
}

fn collect(cmd: &clap::Command, path: String, out: &mut Vec<(String, String)>) {
    for about in [cmd.get_about(), cmd.get_long_about()]
        .into_iter()
        .flatten()
    {
        out.push((path.clone(), about.to_string()));
    }
    for arg in cmd.get_arguments() {
        for help in [arg.get_help(), arg.get_long_help()].into_iter().flatten() {
            out.push((format!("{path} {}", arg.get_id()), help.to_string()));
        }
        if let Some(heading) = arg.get_help_heading() {
            out.push((
                format!("{path} {} (heading)", arg.get_id()),
                heading.to_string(),
            ));
        }
    }
    for sub in cmd.get_subcommands() {
        collect(sub, format!("{path} {}", sub.get_name()), out);
    }
}

/// English help texts with no Russian entry yet.
pub fn untranslated_help(cmd: &clap::Command) -> Vec<(String, String)> {
    help_texts(cmd)
        .into_iter()
        .filter(|(_, text)| help_ru(text).is_none())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn placeholders_are_filled_in_one_pass_and_values_are_never_read_again() {
        let args = |path: &str| {
            vec![
                ("path", path.to_string()),
                ("command", "agsekit restore x".to_string()),
            ]
        };
        assert_eq!(
            fill("{path} changed; undo: {command}", &args("src/a.rs")),
            "src/a.rs changed; undo: agsekit restore x"
        );
        // A file name the agent chose, holding a placeholder of a later argument.
        assert_eq!(
            fill("{path} changed; undo: {command}", &args("{command}")),
            "{command} changed; undo: agsekit restore x"
        );
        assert_eq!(fill("{unknown} {path}", &args("a")), "{unknown} a");
        assert_eq!(fill("a { b } {path", &args("x")), "a { b } {path");
        assert_eq!(fill("{{path}}", &args("p")), "{p}");
        assert_eq!(fill("{path}{path}", &args("p")), "pp");
        assert_eq!(fill("тест {path} ё", &args("п")), "тест п ё");
    }

    #[test]
    fn language_comes_from_agsekit_lang_then_the_locale() {
        assert_eq!(detect(env(&[])), Lang::En);
        assert_eq!(detect(env(&[("LANG", "ru_RU.UTF-8")])), Lang::Ru);
        assert_eq!(detect(env(&[("LC_MESSAGES", "ru_RU")])), Lang::Ru);
        assert_eq!(
            detect(env(&[("LC_ALL", "en_US.UTF-8"), ("LANG", "ru_RU.UTF-8")])),
            Lang::En
        );
        assert_eq!(
            detect(env(&[("AGSEKIT_LANG", "ru"), ("LC_ALL", "C")])),
            Lang::Ru
        );
        assert_eq!(
            detect(env(&[("AGSEKIT_LANG", "en"), ("LANG", "ru_RU.UTF-8")])),
            Lang::En
        );
        // Empty values do not count.
        assert_eq!(
            detect(env(&[("AGSEKIT_LANG", ""), ("LANG", "ru_UA.UTF-8")])),
            Lang::Ru
        );
        assert_eq!(detect(env(&[("LANG", "de_DE.UTF-8")])), Lang::En);
    }

    fn placeholders(text: &str) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let mut rest = text;
        while let Some(start) = rest.find('{') {
            let after = &rest[start + 1..];
            match after.find('}') {
                Some(end) => {
                    let name = &after[..end];
                    if !name.is_empty()
                        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    {
                        out.insert(name.to_string());
                    }
                    rest = &after[end + 1..];
                }
                None => break,
            }
        }
        out
    }

    #[test]
    fn both_catalogues_have_the_same_keys_and_placeholders() {
        let mut problems = Vec::new();
        for (lang, other) in [(Lang::En, Lang::Ru), (Lang::Ru, Lang::En)] {
            let mut seen = BTreeSet::new();
            for (key, text) in lang.catalogue() {
                if !seen.insert(*key) {
                    problems.push(format!("{lang:?}: {key:?} appears twice"));
                }
                match find(other, key) {
                    None => problems.push(format!("{key:?} is missing in {other:?}")),
                    Some(theirs) if placeholders(theirs) != placeholders(text) => {
                        problems.push(format!(
                            "{key:?}: placeholders differ: {:?} in {lang:?}, {:?} in {other:?}",
                            placeholders(text),
                            placeholders(theirs)
                        ))
                    }
                    Some(_) => {}
                }
                if text.trim().is_empty() {
                    problems.push(format!("{lang:?}: {key:?} is empty"));
                }
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    /// Every `t!("...")` key written in the sources exists in the English catalogue.
    #[test]
    fn every_key_used_in_the_sources_exists() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut missing = Vec::new();
        let mut stack = vec![root];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).expect("src dir") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    // The catalogue module itself shows `t!("key")` in its docs.
                    if !path.ends_with("i18n") {
                        stack.push(path);
                    }
                    continue;
                }
                if path.extension().and_then(|e| e.to_str()) != Some("rs") {
                    continue;
                }
                let text = std::fs::read_to_string(&path).expect("source");
                for (at, _) in text.match_indices("t!(\"") {
                    // `t!(` itself, not the end of `format!(` or `print!(`.
                    let before = text[..at].chars().next_back().unwrap_or(' ');
                    if before.is_alphanumeric() || before == '_' {
                        continue;
                    }
                    let piece = &text[at + 4..];
                    let Some(end) = piece.find('"') else { continue };
                    let key = &piece[..end];
                    if find(Lang::En, key).is_none() {
                        missing.push(format!("{}: {key}", path.display()));
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "keys with no message:\n{}",
            missing.join("\n")
        );
    }

    /// A key chosen at run time: filled like a literal one, extra values allowed (a call that
    /// chooses among keys passes what any of them uses).
    #[test]
    fn a_computed_key_is_filled_and_may_carry_extra_values() {
        let key = if std::hint::black_box(true) {
            "cli.version"
        } else {
            "prompt.number"
        };
        assert_eq!(
            crate::t!(key, version = "9.9", unused = 1),
            "Installed version: 9.9"
        );
        assert_eq!(placeholder_names("{b} {a} {b} {x y} {} {c"), ["a", "b"]);
    }

    #[test]
    #[should_panic(expected = "does not pass `version = ...`")]
    fn a_computed_key_whose_placeholder_is_not_passed_fails_in_debug_builds() {
        let key = std::hint::black_box("cli.version");
        let _ = crate::t!(key, release = "9.9");
    }

    #[test]
    #[should_panic(expected = "no such message key")]
    fn a_computed_key_no_table_has_fails_in_debug_builds() {
        let key = std::hint::black_box("cli.versoin");
        let _ = crate::t!(key);
    }

    #[test]
    fn counts_follow_each_language_s_plural_rules() {
        let ru = |n| count_in(Lang::Ru, "count.vm", n);
        assert_eq!(count_in(Lang::En, "count.mount", 1), "1 mount");
        assert_eq!(count_in(Lang::En, "count.mount", 2), "2 mounts");
        assert_eq!(count_in(Lang::Ru, "count.mount", 1), "1 общая папка");
        assert_eq!(count_in(Lang::Ru, "count.mount", 3), "3 общие папки");
        assert_eq!(count_in(Lang::Ru, "count.mount", 11), "11 общих папок");
        assert_eq!(count_in(Lang::Ru, "count.mount", 22), "22 общие папки");
        assert_eq!(ru(5), "5 ВМ");
    }

    #[test]
    fn lookups_fall_back_and_fill_placeholders() {
        assert_eq!(
            fill(
                "{a} and {b} and {c}",
                &[("a", "1".into()), ("b", "2".into())]
            ),
            "1 and 2 and {c}"
        );
        let en = text_in(Lang::En, "prompt.number");
        let ru = text_in(Lang::Ru, "prompt.number");
        assert_ne!(en, ru);
    }

    #[test]
    fn russian_help_entries_have_the_same_placeholders_and_are_used() {
        let mut cmd = crate::cli::command_for_docs();
        cmd.build(); // clap's own --help/--version texts exist only once built
        let texts: BTreeSet<String> = help_texts(&cmd).into_iter().map(|(_, t)| t).collect();
        let mut unused = Vec::new();
        for (en, ru) in help_ru::HELP {
            if placeholders(en) != placeholders(ru) {
                unused.push(format!("placeholders differ: {en:?}"));
            }
            // Entries for commands not merged yet are allowed; typos in English are not
            // detectable here, so only report.
            if !texts.contains(*en) {
                eprintln!("help_ru entry not used by the command tree: {en:?}");
            }
        }
        assert!(unused.is_empty(), "{}", unused.join("\n"));
    }

    /// Every help text of every command has a Russian entry.
    #[test]
    fn every_help_text_is_translated() {
        let cmd = crate::cli::command_for_docs();
        let missing: Vec<String> = untranslated_help(&cmd)
            .into_iter()
            .map(|(path, text)| format!("{path}: {text:?}"))
            .collect();
        assert!(
            missing.is_empty(),
            "help texts with no Russian entry in src/i18n/help_ru.rs:\n{}",
            missing.join("\n")
        );
    }
}
