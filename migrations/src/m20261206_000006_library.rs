//! The good-practice library: practices with every saved revision and the
//! reflections of experts-by-experience, and the search outbox — the
//! journal of changes each server node applies to its own search index.

use sea_orm_migration::prelude::*;

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Networks {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Cases {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Practices {
    Table,
    Id,
    Slug,
    NetworkId,
    AuthorId,
    SourceCaseId,
    Status,
    Visibility,
    Title,
    Summary,
    Body,
    Themes,
    Municipalities,
    Organisation,
    Contact,
    Revision,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PracticeRevisions {
    Table,
    Id,
    PracticeId,
    Number,
    Title,
    Summary,
    Body,
    Themes,
    Municipalities,
    Organisation,
    Contact,
    Visibility,
    AuthorId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PracticeReflections {
    Table,
    Id,
    PracticeId,
    AuthorId,
    Body,
    CreatedAt,
}

#[derive(DeriveIden)]
enum SearchOutbox {
    Table,
    Id,
    Kind,
    EntityId,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Practices::Table)
                    .col(id(Practices::Id))
                    .col(
                        ColumnDef::new(Practices::Slug)
                            .string_len(120)
                            .not_null()
                            .unique_key(),
                    )
                    // NULL: a public practice that belongs to no network
                    // (imported, or written by an admin).
                    .col(maybe_big(Practices::NetworkId))
                    .col(maybe_big(Practices::AuthorId))
                    .col(maybe_big(Practices::SourceCaseId))
                    .col(ColumnDef::new(Practices::Status).string_len(16).not_null())
                    .col(ColumnDef::new(Practices::Visibility).string_len(16).not_null())
                    .col(string(Practices::Title, 300))
                    .col(text(Practices::Summary))
                    .col(text(Practices::Body))
                    // JSON arrays: theme names and municipality NIS codes.
                    .col(text(Practices::Themes))
                    .col(text(Practices::Municipalities))
                    .col(string(Practices::Organisation, 200))
                    .col(string(Practices::Contact, 300))
                    .col(
                        ColumnDef::new(Practices::Revision)
                            .integer()
                            .not_null()
                            .default(1),
                    )
                    .col(when(Practices::CreatedAt))
                    .col(when(Practices::UpdatedAt))
                    .foreign_key(&mut fk(
                        (Practices::Table, Practices::NetworkId),
                        (Networks::Table, Networks::Id),
                        CASCADE,
                    ))
                    .foreign_key(&mut fk(
                        (Practices::Table, Practices::AuthorId),
                        (Users::Table, Users::Id),
                        SET_NULL,
                    ))
                    .foreign_key(&mut fk(
                        (Practices::Table, Practices::SourceCaseId),
                        (Cases::Table, Cases::Id),
                        SET_NULL,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_practices_network")
                    .table(Practices::Table)
                    .col(Practices::NetworkId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(PracticeRevisions::Table)
                    .col(id(PracticeRevisions::Id))
                    .col(big(PracticeRevisions::PracticeId))
                    .col(ColumnDef::new(PracticeRevisions::Number).integer().not_null())
                    .col(string(PracticeRevisions::Title, 300))
                    .col(text(PracticeRevisions::Summary))
                    .col(text(PracticeRevisions::Body))
                    .col(text(PracticeRevisions::Themes))
                    .col(text(PracticeRevisions::Municipalities))
                    .col(string(PracticeRevisions::Organisation, 200))
                    .col(string(PracticeRevisions::Contact, 300))
                    .col(
                        ColumnDef::new(PracticeRevisions::Visibility)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(maybe_big(PracticeRevisions::AuthorId))
                    .col(when(PracticeRevisions::CreatedAt))
                    .foreign_key(&mut fk(
                        (PracticeRevisions::Table, PracticeRevisions::PracticeId),
                        (Practices::Table, Practices::Id),
                        CASCADE,
                    ))
                    .foreign_key(&mut fk(
                        (PracticeRevisions::Table, PracticeRevisions::AuthorId),
                        (Users::Table, Users::Id),
                        SET_NULL,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_practice_revisions_number")
                    .table(PracticeRevisions::Table)
                    .col(PracticeRevisions::PracticeId)
                    .col(PracticeRevisions::Number)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(PracticeReflections::Table)
                    .col(id(PracticeReflections::Id))
                    .col(big(PracticeReflections::PracticeId))
                    .col(maybe_big(PracticeReflections::AuthorId))
                    .col(text(PracticeReflections::Body))
                    .col(when(PracticeReflections::CreatedAt))
                    .foreign_key(&mut fk(
                        (PracticeReflections::Table, PracticeReflections::PracticeId),
                        (Practices::Table, Practices::Id),
                        CASCADE,
                    ))
                    .foreign_key(&mut fk(
                        (PracticeReflections::Table, PracticeReflections::AuthorId),
                        (Users::Table, Users::Id),
                        SET_NULL,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_practice_reflections_practice")
                    .table(PracticeReflections::Table)
                    .col(PracticeReflections::PracticeId)
                    .to_owned(),
            )
            .await?;

        // No foreign key: the row must outlive what it names (a deletion is
        // itself a change every index has to apply).
        manager
            .create_table(
                Table::create()
                    .table(SearchOutbox::Table)
                    .col(id(SearchOutbox::Id))
                    .col(ColumnDef::new(SearchOutbox::Kind).string_len(16).not_null())
                    .col(big(SearchOutbox::EntityId))
                    .col(when(SearchOutbox::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_search_outbox_created")
                    .table(SearchOutbox::Table)
                    .col(SearchOutbox::CreatedAt)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            SearchOutbox::Table.into_iden(),
            PracticeReflections::Table.into_iden(),
            PracticeRevisions::Table.into_iden(),
            Practices::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
