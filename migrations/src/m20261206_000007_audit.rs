//! The platform audit log: who did what, when — sign-ins, role changes,
//! case reads and purges, exports, account deletions. Ids and short
//! details only: never the text of a case.

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
enum AuditEvents {
    Table,
    Id,
    At,
    ActorId,
    Action,
    NetworkId,
    SubjectId,
    Detail,
    Ip,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuditEvents::Table)
                    .col(id(AuditEvents::Id))
                    .col(when(AuditEvents::At))
                    // NULL: nobody signed in, or an account deleted since.
                    .col(maybe_big(AuditEvents::ActorId))
                    .col(ColumnDef::new(AuditEvents::Action).string_len(40).not_null())
                    .col(maybe_big(AuditEvents::NetworkId))
                    // The case or person the event is about (no foreign key:
                    // the log outlives what it names).
                    .col(maybe_big(AuditEvents::SubjectId))
                    .col(string(AuditEvents::Detail, 200))
                    .col(string(AuditEvents::Ip, 64))
                    .foreign_key(&mut fk(
                        (AuditEvents::Table, AuditEvents::ActorId),
                        (Users::Table, Users::Id),
                        SET_NULL,
                    ))
                    .foreign_key(&mut fk(
                        (AuditEvents::Table, AuditEvents::NetworkId),
                        (Networks::Table, Networks::Id),
                        SET_NULL,
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("idx_audit_events_action", AuditEvents::Action),
            ("idx_audit_events_actor", AuditEvents::ActorId),
            ("idx_audit_events_network", AuditEvents::NetworkId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(AuditEvents::Table)
                        .col(col)
                        .col(AuditEvents::Id)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AuditEvents::Table).to_owned())
            .await
    }
}
