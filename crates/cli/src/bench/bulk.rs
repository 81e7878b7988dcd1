//! Rows written as fast as each database takes them, with no application checks: prepared
//! inserts in one transaction on SQLite, COPY on PostgreSQL. The import benchmark's floor and
//! the loader of the funnel benchmark's history.

use anyhow::Result;
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use sea_orm::{DatabaseConnection, sqlx};
use uuid::Uuid;

/// One value, bound as the ORM binds it so that the application reads the rows back.
pub enum Cell {
    Id(Uuid),
    Text(String),
    Int(i64),
    Bool(bool),
    At(DateTime<Utc>),
    Day(NaiveDate),
    Null,
}

impl Cell {
    pub fn text(value: impl Into<String>) -> Cell {
        Cell::Text(value.into())
    }

    pub fn text_or_null(value: Option<impl Into<String>>) -> Cell {
        value.map_or(Cell::Null, Cell::text)
    }

    pub fn id_or_null(value: Option<Uuid>) -> Cell {
        value.map_or(Cell::Null, Cell::Id)
    }

    pub fn at_or_null(value: Option<DateTime<Utc>>) -> Cell {
        value.map_or(Cell::Null, Cell::At)
    }

    /// The value in PostgreSQL's CSV COPY format: an empty unquoted cell is NULL.
    fn push_csv(&self, line: &mut String) {
        match self {
            Cell::Id(id) => line.push_str(&id.to_string()),
            Cell::Text(text) => {
                line.push('"');
                line.push_str(&text.replace('"', "\"\""));
                line.push('"');
            }
            Cell::Int(n) => line.push_str(&n.to_string()),
            Cell::Bool(b) => line.push_str(if *b { "true" } else { "false" }),
            Cell::At(at) => line.push_str(&at.to_rfc3339_opts(SecondsFormat::Micros, true)),
            Cell::Day(day) => line.push_str(&day.format("%Y-%m-%d").to_string()),
            Cell::Null => {}
        }
    }
}

/// A table and the columns its rows fill, in order.
pub struct Table {
    pub name: &'static str,
    pub columns: &'static [&'static str],
}

impl Table {
    fn insert_sql(&self) -> String {
        let marks = vec!["?"; self.columns.len()].join(", ");
        format!(
            "INSERT INTO {} ({}) VALUES ({marks})",
            self.name,
            self.columns.join(", ")
        )
    }

    fn copy_sql(&self) -> String {
        format!(
            "COPY {} ({}) FROM STDIN (FORMAT csv)",
            self.name,
            self.columns.join(", ")
        )
    }
}

/// COPY buffers are sent once they hold this many bytes in all.
const COPY_BATCH_BYTES: usize = 16 << 20;

/// Where rows go. `tables` lists every table the sink will see, parents before children:
/// buffered PostgreSQL rows are sent in that order so that foreign keys hold.
pub enum BulkSink {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres {
        conn: sqlx::pool::PoolConnection<sqlx::Postgres>,
        tables: &'static [&'static Table],
        buffers: Vec<String>,
    },
}

impl BulkSink {
    pub async fn open(db: &DatabaseConnection, tables: &'static [&'static Table]) -> Result<Self> {
        if db.get_database_backend() == sea_orm::DbBackend::Sqlite {
            return Ok(BulkSink::Sqlite(
                db.get_sqlite_connection_pool().begin().await?,
            ));
        }
        Ok(BulkSink::Postgres {
            conn: db.get_postgres_connection_pool().acquire().await?,
            tables,
            buffers: vec![String::new(); tables.len()],
        })
    }

    pub fn is_sqlite(&self) -> bool {
        matches!(self, BulkSink::Sqlite(_))
    }

    pub async fn row(&mut self, table: &'static Table, cells: Vec<Cell>) -> Result<()> {
        debug_assert_eq!(cells.len(), table.columns.len(), "{}", table.name);
        match self {
            BulkSink::Sqlite(txn) => {
                let mut query = sqlx::query(sqlx::AssertSqlSafe(table.insert_sql()));
                for cell in cells {
                    query = match cell {
                        Cell::Id(id) => query.bind(id),
                        Cell::Text(text) => query.bind(text),
                        Cell::Int(n) => query.bind(n),
                        Cell::Bool(b) => query.bind(b),
                        Cell::At(at) => query.bind(at),
                        Cell::Day(day) => query.bind(day),
                        Cell::Null => query.bind(None::<String>),
                    };
                }
                query.execute(&mut **txn).await?;
            }
            BulkSink::Postgres {
                tables, buffers, ..
            } => {
                let index = tables
                    .iter()
                    .position(|t| std::ptr::eq(*t, table))
                    .ok_or_else(|| anyhow::anyhow!("{} was not declared", table.name))?;
                let line = &mut buffers[index];
                for (i, cell) in cells.iter().enumerate() {
                    if i > 0 {
                        line.push(',');
                    }
                    cell.push_csv(line);
                }
                line.push('\n');
                if buffers.iter().map(String::len).sum::<usize>() > COPY_BATCH_BYTES {
                    self.send().await?;
                }
            }
        }
        Ok(())
    }

    /// Sends the buffered PostgreSQL rows, parents first.
    async fn send(&mut self) -> Result<()> {
        if let BulkSink::Postgres {
            conn,
            tables,
            buffers,
        } = self
        {
            for (table, buffer) in tables.iter().zip(buffers.iter_mut()) {
                if buffer.is_empty() {
                    continue;
                }
                let mut copy = conn.copy_in_raw(&table.copy_sql()).await?;
                copy.send(std::mem::take(buffer).into_bytes()).await?;
                copy.finish().await?;
            }
        }
        Ok(())
    }

    pub async fn finish(mut self) -> Result<()> {
        self.send().await?;
        if let BulkSink::Sqlite(txn) = self {
            txn.commit().await?;
        }
        Ok(())
    }
}

/// Customers with the columns a generated customer fills.
pub static CUSTOMERS: Table = Table {
    name: "customers",
    columns: &[
        "tenant_id",
        "id",
        "store_id",
        "name",
        "gender",
        "mobile",
        "birthday",
        "address",
        "kind",
        "name_pinyin",
        "name_initials",
        "other_phones",
        "marketing_consent",
        "tags",
        "class",
        "created_at",
        "updated_at",
    ],
};

/// Vehicles with the columns a generated car fills.
pub static VEHICLES: Table = Table {
    name: "vehicles",
    columns: &[
        "tenant_id",
        "id",
        "store_id",
        "owner_id",
        "vin",
        "vin_tail",
        "plate",
        "brand",
        "delivery_date",
        "next_service_on",
        "warnings",
        "created_at",
        "updated_at",
    ],
};

/// A customer row: the generated values, then the defaults a new person gets.
pub struct CustomerRow {
    pub tenant_id: Uuid,
    pub id: Uuid,
    pub store_id: Uuid,
    pub name: String,
    pub gender: Option<String>,
    pub mobile: String,
    pub birthday: Option<NaiveDate>,
    pub address: Option<String>,
    pub class: &'static str,
    pub created_at: DateTime<Utc>,
}

impl CustomerRow {
    pub fn cells(self) -> Vec<Cell> {
        vec![
            Cell::Id(self.tenant_id),
            Cell::Id(self.id),
            Cell::Id(self.store_id),
            Cell::Text(self.name),
            Cell::text_or_null(self.gender),
            Cell::Text(self.mobile),
            self.birthday.map_or(Cell::Null, Cell::Day),
            Cell::text_or_null(self.address),
            Cell::text("person"),
            Cell::text(""),
            Cell::text(""),
            Cell::text("[]"),
            Cell::Bool(false),
            Cell::text("[]"),
            Cell::text(self.class),
            Cell::At(self.created_at),
            Cell::At(self.created_at),
        ]
    }
}

/// A vehicle row: the VIN's tail is derived; no warnings.
pub struct VehicleRow {
    pub tenant_id: Uuid,
    pub id: Uuid,
    pub store_id: Uuid,
    pub owner_id: Uuid,
    pub vin: String,
    pub plate: Option<String>,
    pub brand: Option<String>,
    pub delivery_date: Option<NaiveDate>,
    pub next_service_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
}

impl VehicleRow {
    pub fn cells(self) -> Vec<Cell> {
        let tail = self.vin[self.vin.len().saturating_sub(6)..].to_owned();
        vec![
            Cell::Id(self.tenant_id),
            Cell::Id(self.id),
            Cell::Id(self.store_id),
            Cell::Id(self.owner_id),
            Cell::Text(self.vin),
            Cell::Text(tail),
            Cell::text_or_null(self.plate),
            Cell::text_or_null(self.brand),
            self.delivery_date.map_or(Cell::Null, Cell::Day),
            self.next_service_on.map_or(Cell::Null, Cell::Day),
            Cell::text("[]"),
            Cell::At(self.created_at),
            Cell::At(self.created_at),
        ]
    }
}
