//! Single sign-on: the accounts people have at an organisation's OpenID
//! Connect provider, linked to their Kring account. One row per (provider,
//! subject), and a person has at most one account per provider.

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
enum SsoIdentities {
    Table,
    Id,
    UserId,
    Provider,
    Subject,
    Email,
    CreatedAt,
    LastUsedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SsoIdentities::Table)
                    .col(id(SsoIdentities::Id))
                    .col(big(SsoIdentities::UserId))
                    // The provider's id in the configuration (a slug).
                    .col(string(SsoIdentities::Provider, 40))
                    // The ID token's `sub`: OpenID Connect caps it at 255 ASCII characters.
                    .col(string(SsoIdentities::Subject, 255))
                    .col(string(SsoIdentities::Email, 254))
                    .col(when(SsoIdentities::CreatedAt))
                    .col(when(SsoIdentities::LastUsedAt))
                    .foreign_key(&mut fk(
                        (SsoIdentities::Table, SsoIdentities::UserId),
                        (Users::Table, Users::Id),
                        CASCADE,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_sso_identities_subject")
                    .table(SsoIdentities::Table)
                    .col(SsoIdentities::Provider)
                    .col(SsoIdentities::Subject)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_sso_identities_user")
                    .table(SsoIdentities::Table)
                    .col(SsoIdentities::UserId)
                    .col(SsoIdentities::Provider)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SsoIdentities::Table).to_owned())
            .await
    }
}
