//! Rules about down scripts: whether they exist and undo their up, and
//! whether an up destroys what no down can bring back.

pub mod down_restores_schema;
pub mod empty_down;
pub mod irreversible_change;
pub mod missing_down;
