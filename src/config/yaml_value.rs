//! Reading YAML text into a generic value, like `serde_yaml_ng::Value` does, except that an
//! integer too large for 64 bits (`cpu: 99999999999999999999999`) is kept as its text instead
//! of failing the whole file: the validator then reports it at its key path, together with
//! every other problem.

use std::fmt;

use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, EnumAccess, MapAccess};
use serde::de::{SeqAccess, VariantAccess, Visitor};
use serde_yaml_ng::mapping::Entry;
use serde_yaml_ng::value::{Tag, TaggedValue};
use serde_yaml_ng::{Mapping, Value};

/// Parses `text` into a generic YAML value.
pub fn parse(text: &str) -> Result<Value, serde_yaml_ng::Error> {
    serde_yaml_ng::from_str::<Lenient>(text).map(|l| l.0)
}

struct Lenient(Value);

impl<'de> Deserialize<'de> for Lenient {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LenientVisitor).map(Lenient)
    }
}

struct LenientVisitor;

impl<'de> Visitor<'de> for LenientVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E: de::Error>(self, i: i64) -> Result<Value, E> {
        Ok(Value::Number(i.into()))
    }

    fn visit_u64<E: de::Error>(self, u: u64) -> Result<Value, E> {
        Ok(Value::Number(u.into()))
    }

    fn visit_i128<E: de::Error>(self, i: i128) -> Result<Value, E> {
        Ok(Value::String(i.to_string()))
    }

    fn visit_u128<E: de::Error>(self, u: u128) -> Result<Value, E> {
        Ok(Value::String(u.to_string()))
    }

    fn visit_f64<E: de::Error>(self, f: f64) -> Result<Value, E> {
        Ok(Value::Number(f.into()))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_owned()))
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        Lenient::deserialize(deserializer).map(|l| l.0)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(Lenient(item)) = seq.next_element()? {
            out.push(item);
        }
        Ok(Value::Sequence(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Mapping::new();
        while let Some(Lenient(key)) = map.next_key()? {
            match out.entry(key) {
                Entry::Occupied(entry) => {
                    return Err(de::Error::custom(duplicate_key(entry.key())));
                }
                Entry::Vacant(entry) => {
                    let Lenient(value) = map.next_value()?;
                    entry.insert(value);
                }
            }
        }
        Ok(Value::Mapping(out))
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Value, A::Error> {
        let (tag, contents) = data.variant_seed(TagSeed)?;
        let Lenient(value) = contents.newtype_variant()?;
        Ok(Value::Tagged(Box::new(TaggedValue { tag, value })))
    }
}

/// The same words `serde_yaml_ng` uses for a key written twice.
fn duplicate_key(key: &Value) -> String {
    match key {
        Value::Null => "duplicate entry with null key".to_string(),
        Value::Bool(b) => format!("duplicate entry with key `{b}`"),
        Value::Number(n) => format!("duplicate entry with key {n}"),
        Value::String(s) => format!("duplicate entry with key {s:?}"),
        _ => "duplicate entry in YAML map".to_string(),
    }
}

struct TagSeed;

impl<'de> DeserializeSeed<'de> for TagSeed {
    type Value = Tag;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Tag, D::Error> {
        deserializer.deserialize_string(TagSeed)
    }
}

impl<'de> Visitor<'de> for TagSeed {
    type Value = Tag;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a YAML tag string")
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Tag, E> {
        self.visit_string(s.to_owned())
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<Tag, E> {
        if s.is_empty() {
            return Err(E::custom("empty YAML tag is not allowed"));
        }
        Ok(Tag::new(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_values_as_the_yaml_crate_except_huge_integers() {
        let text = "a: 1\nb: -2\nc: 1.5\nd: [x, ~, true]\ne: !custom {k: v}\nf: 0x1f\ng: ''\n";
        let ours = parse(text).expect("parses");
        let theirs: Value = serde_yaml_ng::from_str(text).expect("parses");
        assert_eq!(ours, theirs);
        let big = parse("cpu: 99999999999999999999999\nneg: -99999999999999999999999\n")
            .expect("a huge integer is kept as text");
        assert_eq!(
            big["cpu"],
            Value::String("99999999999999999999999".to_string())
        );
        assert_eq!(
            big["neg"],
            Value::String("-99999999999999999999999".to_string())
        );
        let dup = parse("a: 1\na: 2\n").expect_err("duplicate key");
        let theirs = serde_yaml_ng::from_str::<Value>("a: 1\na: 2\n").expect_err("duplicate");
        assert_eq!(dup.to_string(), theirs.to_string());
    }
}
