//! Rules about down scripts: whether they exist and undo their up.

pub mod missing_down;
