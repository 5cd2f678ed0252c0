//! The cloud-init user data `create-vm` sends: the VM's `cloud-init:` mapping with the tool's
//! SSH public key added to `ssh_authorized_keys`.

use serde_yaml_ng::{Mapping, Value};

use crate::error::UserError;
use crate::t;

/// `#cloud-config` YAML: `user` (the VM's `cloud-init:` rendered by the config loader, or
/// `None`) plus `public_key` in the top-level `ssh_authorized_keys` list (kept once; keys the
/// user listed stay first). `vm` names the VM in errors.
pub fn with_authorized_key(
    vm: &str,
    user: Option<&str>,
    public_key: &str,
) -> Result<String, UserError> {
    let bad = |detail: String| {
        UserError::config(format!("vms.{vm}.cloud-init: {detail}"))
            .hint("agsekit config-check".to_string())
    };
    let mut map = match user {
        None => Mapping::new(),
        Some(text) => match serde_yaml_ng::from_str::<Value>(text) {
            Ok(Value::Mapping(m)) => m,
            Ok(Value::Null) => Mapping::new(),
            Ok(_) => return Err(bad(t!("config.cloud_init_not_map"))),
            Err(e) => return Err(bad(t!("config.cloud_init_reread", error = e))),
        },
    };
    let key_name = Value::String("ssh_authorized_keys".to_string());
    let key = Value::String(public_key.trim().to_string());
    let mut keys = match map.remove(&key_name) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Sequence(items)) => items,
        Some(Value::String(one)) => vec![Value::String(one)],
        Some(_) => return Err(bad(t!("config.cloud_init_keys_not_list"))),
    };
    if !keys.contains(&key) {
        keys.push(key);
    }
    map.insert(key_name, Value::Sequence(keys));
    let body = serde_yaml_ng::to_string(&Value::Mapping(map))
        .map_err(|e| bad(t!("config.cloud_init_render", error = e)))?;
    Ok(format!("#cloud-config\n{body}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_added_and_user_keys_are_kept() {
        let out = with_authorized_key("dev", None, "ssh-rsa AAA agsekit\n").unwrap();
        assert_eq!(
            out,
            "#cloud-config\nssh_authorized_keys:\n- ssh-rsa AAA agsekit\n"
        );
        let user = "packages:\n- git\nssh_authorized_keys:\n- ssh-ed25519 BBB me\n";
        let out = with_authorized_key("dev", Some(user), "ssh-rsa AAA agsekit").unwrap();
        let v: Value = serde_yaml_ng::from_str(out.trim_start_matches("#cloud-config\n")).unwrap();
        assert_eq!(v["packages"][0], Value::String("git".into()));
        assert_eq!(
            v["ssh_authorized_keys"][0],
            Value::String("ssh-ed25519 BBB me".into())
        );
        assert_eq!(
            v["ssh_authorized_keys"][1],
            Value::String("ssh-rsa AAA agsekit".into())
        );
        let twice = with_authorized_key("dev", Some(&out), "ssh-rsa AAA agsekit").unwrap();
        assert_eq!(twice.matches("ssh-rsa AAA").count(), 1);
    }

    #[test]
    fn a_bad_key_list_is_a_config_error() {
        let err =
            with_authorized_key("dev", Some("ssh_authorized_keys: {a: 1}\n"), "k").unwrap_err();
        assert!(
            err.message.starts_with("vms.dev.cloud-init:"),
            "{}",
            err.message
        );
    }
}
