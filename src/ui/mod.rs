//! Rendering for people: tables, progress, prompts, colours.
