//! Messages of an agent session's quieter paths (issue 12): the calm line of an expected
//! mount repair and the launcher's reason when a repair did not help.

#[rustfmt::skip]
pub const EN: &[(&str, &str)] = &[
    ("session.mounting", "mounting {source} in VM `{vm}`"),
    ("session.launcher_reason", "the launcher in VM `{vm}` could not start the agent (exit {code}): {reason}"),
];

#[rustfmt::skip]
pub const RU: &[(&str, &str)] = &[
    ("session.mounting", "монтирую {source} в ВМ `{vm}`"),
    ("session.launcher_reason", "запускатель в ВМ `{vm}` не смог запустить агента (код {code}): {reason}"),
];
