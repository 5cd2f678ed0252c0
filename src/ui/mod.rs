//! Rendering for people: tables, progress, prompts, colours.

pub mod spinner;
pub mod style;
