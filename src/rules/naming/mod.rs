//! Rules about names: of migration files and of database objects.

pub mod migration_filename;
