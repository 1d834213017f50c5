//! Column, key and index helpers the migrations share: one definition of
//! "an id", "a timestamp" or "a foreign key" for every table.

use sea_orm_migration::prelude::*;

/// A big-integer primary key that counts up.
pub fn id<T: IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col)
        .big_integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .to_owned()
}

pub fn big<T: IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col).big_integer().not_null().to_owned()
}

pub fn maybe_big<T: IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col).big_integer().null().to_owned()
}

/// A moment, with its time zone (UTC in practice).
pub fn when<T: IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

pub fn maybe_when<T: IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col).timestamp_with_time_zone().null().to_owned()
}

/// Text that is never NULL (empty by default).
pub fn text<T: IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col).text().not_null().default("").to_owned()
}

/// A bounded string that is never NULL (empty by default).
pub fn string<T: IntoIden>(col: T, len: u32) -> ColumnDef {
    ColumnDef::new(col)
        .string_len(len)
        .not_null()
        .default("")
        .to_owned()
}

pub fn fk<T: IntoIden + 'static, C: IntoIden, R: IntoIden + 'static, RC: IntoIden>(
    from: (T, C),
    to: (R, RC),
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(on_delete)
        .to_owned()
}

pub const CASCADE: ForeignKeyAction = ForeignKeyAction::Cascade;
pub const SET_NULL: ForeignKeyAction = ForeignKeyAction::SetNull;

/// A plain (non-unique) index over the named columns.
pub async fn index(
    manager: &SchemaManager<'_>,
    name: &str,
    table: impl IntoIden + 'static,
    cols: &[&str],
) -> Result<(), DbErr> {
    let mut stmt = Index::create().name(name).table(table).to_owned();
    for c in cols {
        stmt.col(Alias::new(*c));
    }
    manager.create_index(stmt).await
}
