//! The snapshot engine: scan, plan, apply, retention, restore, lock.
