//! Which dialect a directory's scripts are written in, read from words only
//! one database accepts (`ENGINE=InnoDB`, `AUTOINCREMENT`, `$$`, a `GO`
//! line): what `init` writes as `dialect:`, so that a MySQL project is not
//! parsed as PostgreSQL on its first run.

use super::Dialect;

/// Words that only one dialect writes, lower case.
const MARKERS: &[(Dialect, &[&str])] = &[
    (
        Dialect::Mysql,
        &[
            "engine=innodb",
            "engine = innodb",
            "engine=myisam",
            "auto_increment",
            "default charset",
            "charset=utf8",
            "@preparedstatement",
            "unsigned not null",
            "modify column",
            "bigint(20)",
            "int(11)",
            "tinyint(1)",
            "delimiter ",
        ],
    ),
    (
        Dialect::Sqlite,
        &["autoincrement", "pragma ", "without rowid"],
    ),
    (
        Dialect::Mssql,
        &[
            "nvarchar(max)",
            "identity(1,1)",
            "identity(1, 1)",
            "[dbo].",
            "getdate()",
            "\ngo\n",
            "\ngo\r\n",
        ],
    ),
    (
        Dialect::Postgres,
        &[
            "serial",
            "jsonb",
            "$$",
            "::",
            "timestamptz",
            "create extension",
            "concurrently",
            "plpgsql",
            "bytea",
        ],
    ),
];

/// Votes of scripts for a dialect.
#[derive(Debug, Default)]
pub struct Sniffer {
    votes: Vec<(Dialect, usize)>,
}

impl Sniffer {
    /// Counts one script: one vote for each dialect whose words it holds.
    pub fn add(&mut self, text: &str) {
        // Comments are prose: a backtick there (`users.email`) says nothing.
        let comments = super::split::split(text, Dialect::Generic, &[]).comments;
        let mut lower = String::with_capacity(text.len());
        let mut at = 0;
        for c in comments {
            lower.push_str(text.get(at..c.start).unwrap_or(""));
            lower.push(' ');
            at = c.end.max(at);
        }
        lower.push_str(text.get(at..).unwrap_or(""));
        lower.make_ascii_lowercase();
        let mut shown: Vec<Dialect> = MARKERS
            .iter()
            // `AUTO_INCREMENT` also holds no `autoincrement`.
            .filter(|(_, words)| words.iter().any(|w| lower.contains(w)))
            .map(|(dialect, _)| *dialect)
            .collect();
        // Backticks quote names in MySQL, but SQLite takes them too (Atlas
        // and GORM write them): they count for MySQL only in a script that
        // no dialect's own words show.
        if shown.is_empty() && lower.contains('`') {
            shown.push(Dialect::Mysql);
        }
        for dialect in shown {
            match self.votes.iter_mut().find(|(d, _)| *d == dialect) {
                Some((_, n)) => *n += 1,
                None => self.votes.push((dialect, 1)),
            }
        }
    }

    /// The dialect most scripts show, with how many did; PostgreSQL wins a
    /// tie. `None` when no script showed any.
    pub fn dialect(&self) -> Option<(Dialect, usize)> {
        let votes = |d: Dialect| {
            self.votes
                .iter()
                .find(|(x, _)| *x == d)
                .map_or(0, |(_, n)| *n)
        };
        [
            Dialect::Postgres,
            Dialect::Mysql,
            Dialect::Sqlite,
            Dialect::Mssql,
        ]
        .into_iter()
        .map(|d| (d, votes(d)))
        .filter(|(_, n)| *n > 0)
        .fold(None, |best: Option<(Dialect, usize)>, (d, n)| match best {
            Some((_, m)) if m >= n => best,
            _ => Some((d, n)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sniff(scripts: &[&str]) -> Option<Dialect> {
        let mut s = Sniffer::default();
        for t in scripts {
            s.add(t);
        }
        s.dialect().map(|(d, _)| d)
    }

    #[test]
    fn scripts_show_their_dialect() {
        assert_eq!(
            sniff(&[
                "CREATE TABLE Channels (Id varchar(26)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;"
            ]),
            Some(Dialect::Mysql)
        );
        assert_eq!(
            sniff(&["CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT);"]),
            Some(Dialect::Sqlite)
        );
        assert_eq!(
            sniff(&["CREATE TABLE [dbo].[Users] (Id int IDENTITY(1,1))\nGO\n"]),
            Some(Dialect::Mssql)
        );
        assert_eq!(
            sniff(&[
                "CREATE TABLE users (id bigserial, props jsonb);",
                "ALTER TABLE users ENGINE=InnoDB;"
            ]),
            Some(Dialect::Postgres)
        );
        assert_eq!(sniff(&["CREATE TABLE users (id int);"]), None);
        // Atlas quotes SQLite names with backticks.
        assert_eq!(
            sniff(&["PRAGMA foreign_keys = off;\nCREATE TABLE `new_t` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT);"]),
            Some(Dialect::Sqlite)
        );
        assert_eq!(
            sniff(&["CREATE TABLE `t` (`id` int NOT NULL AUTO_INCREMENT, PRIMARY KEY (`id`));"]),
            Some(Dialect::Mysql)
        );
        // Backticks in comments are prose, not MySQL quoting.
        assert_eq!(
            sniff(&[
                "-- Adds `users.nickname`, shown in the header.\nALTER TABLE users ADD COLUMN nickname text;\n/* see `profile` */\n"
            ]),
            None
        );
    }
}
