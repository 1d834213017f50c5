//! Two-step sign-in: a person's TOTP secret (RFC 6238) with the last time
//! step used (a code is accepted once), their recovery codes (hashed), and
//! the per-network rule that its facilitators must use it.

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
    RequireTwoFactor,
}

#[derive(DeriveIden)]
enum TwoFactor {
    Table,
    UserId,
    Secret,
    CreatedAt,
    EnabledAt,
    LastStep,
}

#[derive(DeriveIden)]
enum RecoveryCodes {
    Table,
    Id,
    UserId,
    CodeHash,
    UsedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TwoFactor::Table)
                    .col(
                        ColumnDef::new(TwoFactor::UserId)
                            .big_integer()
                            .not_null()
                            .primary_key(),
                    )
                    // Base32, as the authenticator app gets it.
                    .col(string(TwoFactor::Secret, 64))
                    .col(when(TwoFactor::CreatedAt))
                    // NULL: set up but not yet confirmed with a first code.
                    .col(maybe_when(TwoFactor::EnabledAt))
                    .col(
                        ColumnDef::new(TwoFactor::LastStep)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .foreign_key(&mut fk(
                        (TwoFactor::Table, TwoFactor::UserId),
                        (Users::Table, Users::Id),
                        CASCADE,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RecoveryCodes::Table)
                    .col(id(RecoveryCodes::Id))
                    .col(big(RecoveryCodes::UserId))
                    .col(string(RecoveryCodes::CodeHash, 64))
                    .col(maybe_when(RecoveryCodes::UsedAt))
                    .foreign_key(&mut fk(
                        (RecoveryCodes::Table, RecoveryCodes::UserId),
                        (Users::Table, Users::Id),
                        CASCADE,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_recovery_codes_user",
            RecoveryCodes::Table,
            &["user_id"],
        )
        .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Networks::Table)
                    .add_column(
                        ColumnDef::new(Networks::RequireTwoFactor)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Networks::Table)
                    .drop_column(Networks::RequireTwoFactor)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(RecoveryCodes::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(TwoFactor::Table).to_owned())
            .await
    }
}
