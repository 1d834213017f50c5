//! Municipalities (reference data, loaded from `data/municipalities.csv`),
//! where organisations and networks work, who belongs to which organisation,
//! invitations, join requests, handover requests, and the mail outbox.

use sea_orm_migration::prelude::*;

use crate::columns::*;

use crate::municipalities;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Organisations {
    Table,
    Id,
    MunicipalityNis,
}

#[derive(DeriveIden)]
enum Networks {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Memberships {
    Table,
    ListedContact,
}

#[derive(DeriveIden)]
pub(crate) enum Municipalities {
    Table,
    NisCode,
    Name,
    Province,
}

#[derive(DeriveIden)]
pub(crate) enum MunicipalityPostcodes {
    Table,
    Postcode,
    NisCode,
}

#[derive(DeriveIden)]
enum NetworkMunicipalities {
    Table,
    NetworkId,
    NisCode,
}

#[derive(DeriveIden)]
enum PersonOrganisations {
    Table,
    UserId,
    OrganisationId,
}

#[derive(DeriveIden)]
enum Invitations {
    Table,
    Id,
    NetworkId,
    Email,
    Role,
    TokenHash,
    InvitedBy,
    CreatedAt,
    ExpiresAt,
    AcceptedAt,
    AcceptedBy,
    RevokedAt,
}

#[derive(DeriveIden)]
enum JoinRequests {
    Table,
    Id,
    NetworkId,
    UserId,
    Message,
    Status,
    CreatedAt,
    DecidedAt,
    DecidedBy,
}

#[derive(DeriveIden)]
enum HandoverRequests {
    Table,
    Id,
    NetworkId,
    FromUserId,
    NisCode,
    Message,
    CreatedAt,
}

#[derive(DeriveIden)]
enum MailOutbox {
    Table,
    Id,
    ToAddress,
    Subject,
    Body,
    CreatedAt,
    NextAttemptAt,
    Attempts,
    SentAt,
    LastError,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Municipalities::Table)
                    .col(
                        ColumnDef::new(Municipalities::NisCode)
                            .string_len(5)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Municipalities::Name).string_len(100).not_null())
                    .col(ColumnDef::new(Municipalities::Province).string_len(40).not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MunicipalityPostcodes::Table)
                    .col(
                        ColumnDef::new(MunicipalityPostcodes::Postcode)
                            .string_len(4)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(MunicipalityPostcodes::NisCode)
                            .string_len(5)
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(MunicipalityPostcodes::Postcode)
                            .col(MunicipalityPostcodes::NisCode),
                    )
                    .foreign_key(&mut fk(
                        (MunicipalityPostcodes::Table, MunicipalityPostcodes::NisCode),
                        (Municipalities::Table, Municipalities::NisCode),
                        CASCADE,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_municipality_postcodes_nis")
                    .table(MunicipalityPostcodes::Table)
                    .col(MunicipalityPostcodes::NisCode)
                    .to_owned(),
            )
            .await?;
        municipalities::load(manager.get_connection()).await?;

        // SQLite adds one column per ALTER and without a foreign key; the
        // domain checks the code against the municipalities table.
        manager
            .alter_table(
                Table::alter()
                    .table(Organisations::Table)
                    .add_column(
                        ColumnDef::new(Organisations::MunicipalityNis)
                            .string_len(5)
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Memberships::Table)
                    .add_column(
                        ColumnDef::new(Memberships::ListedContact)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(NetworkMunicipalities::Table)
                    .col(
                        ColumnDef::new(NetworkMunicipalities::NetworkId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(NetworkMunicipalities::NisCode)
                            .string_len(5)
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(NetworkMunicipalities::NetworkId)
                            .col(NetworkMunicipalities::NisCode),
                    )
                    .foreign_key(&mut fk(
                        (NetworkMunicipalities::Table, NetworkMunicipalities::NetworkId),
                        (Networks::Table, Networks::Id),
                        CASCADE,
                    ))
                    .foreign_key(&mut fk(
                        (NetworkMunicipalities::Table, NetworkMunicipalities::NisCode),
                        (Municipalities::Table, Municipalities::NisCode),
                        CASCADE,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_network_municipalities_nis")
                    .table(NetworkMunicipalities::Table)
                    .col(NetworkMunicipalities::NisCode)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(PersonOrganisations::Table)
                    .col(
                        ColumnDef::new(PersonOrganisations::UserId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(PersonOrganisations::OrganisationId)
                            .big_integer()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(PersonOrganisations::UserId)
                            .col(PersonOrganisations::OrganisationId),
                    )
                    .foreign_key(&mut fk(
                        (PersonOrganisations::Table, PersonOrganisations::UserId),
                        (Users::Table, Users::Id),
                        CASCADE,
                    ))
                    .foreign_key(&mut fk(
                        (PersonOrganisations::Table, PersonOrganisations::OrganisationId),
                        (Organisations::Table, Organisations::Id),
                        CASCADE,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Invitations::Table)
                    .col(id(Invitations::Id))
                    .col(ColumnDef::new(Invitations::NetworkId).big_integer().not_null())
                    .col(ColumnDef::new(Invitations::Email).string_len(254).not_null())
                    .col(ColumnDef::new(Invitations::Role).string_len(24).not_null())
                    .col(
                        ColumnDef::new(Invitations::TokenHash)
                            .string_len(64)
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(Invitations::InvitedBy).big_integer().null())
                    .col(when(Invitations::CreatedAt))
                    .col(when(Invitations::ExpiresAt))
                    .col(maybe_when(Invitations::AcceptedAt))
                    .col(ColumnDef::new(Invitations::AcceptedBy).big_integer().null())
                    .col(maybe_when(Invitations::RevokedAt))
                    .foreign_key(&mut fk(
                        (Invitations::Table, Invitations::NetworkId),
                        (Networks::Table, Networks::Id),
                        CASCADE,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Invitations::Table, Invitations::InvitedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Invitations::Table, Invitations::AcceptedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_invitations_network")
                    .table(Invitations::Table)
                    .col(Invitations::NetworkId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(JoinRequests::Table)
                    .col(id(JoinRequests::Id))
                    .col(ColumnDef::new(JoinRequests::NetworkId).big_integer().not_null())
                    .col(ColumnDef::new(JoinRequests::UserId).big_integer().not_null())
                    .col(ColumnDef::new(JoinRequests::Message).text().not_null())
                    .col(ColumnDef::new(JoinRequests::Status).string_len(12).not_null())
                    .col(when(JoinRequests::CreatedAt))
                    .col(maybe_when(JoinRequests::DecidedAt))
                    .col(ColumnDef::new(JoinRequests::DecidedBy).big_integer().null())
                    .foreign_key(&mut fk(
                        (JoinRequests::Table, JoinRequests::NetworkId),
                        (Networks::Table, Networks::Id),
                        CASCADE,
                    ))
                    .foreign_key(&mut fk(
                        (JoinRequests::Table, JoinRequests::UserId),
                        (Users::Table, Users::Id),
                        CASCADE,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(JoinRequests::Table, JoinRequests::DecidedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        // One request per person and network; asking again reopens it.
        manager
            .create_index(
                Index::create()
                    .name("ux_join_requests_network_user")
                    .table(JoinRequests::Table)
                    .col(JoinRequests::NetworkId)
                    .col(JoinRequests::UserId)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(HandoverRequests::Table)
                    .col(id(HandoverRequests::Id))
                    .col(
                        ColumnDef::new(HandoverRequests::NetworkId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(HandoverRequests::FromUserId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(HandoverRequests::NisCode).string_len(5).null())
                    .col(ColumnDef::new(HandoverRequests::Message).text().not_null())
                    .col(when(HandoverRequests::CreatedAt))
                    .foreign_key(&mut fk(
                        (HandoverRequests::Table, HandoverRequests::NetworkId),
                        (Networks::Table, Networks::Id),
                        CASCADE,
                    ))
                    .foreign_key(&mut fk(
                        (HandoverRequests::Table, HandoverRequests::FromUserId),
                        (Users::Table, Users::Id),
                        CASCADE,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_handover_requests_network")
                    .table(HandoverRequests::Table)
                    .col(HandoverRequests::NetworkId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(MailOutbox::Table)
                    .col(id(MailOutbox::Id))
                    .col(ColumnDef::new(MailOutbox::ToAddress).string_len(254).not_null())
                    .col(ColumnDef::new(MailOutbox::Subject).string_len(200).not_null())
                    .col(ColumnDef::new(MailOutbox::Body).text().not_null())
                    .col(when(MailOutbox::CreatedAt))
                    .col(when(MailOutbox::NextAttemptAt))
                    .col(
                        ColumnDef::new(MailOutbox::Attempts)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(maybe_when(MailOutbox::SentAt))
                    .col(ColumnDef::new(MailOutbox::LastError).text().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_mail_outbox_due")
                    .table(MailOutbox::Table)
                    .col(MailOutbox::SentAt)
                    .col(MailOutbox::NextAttemptAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            MailOutbox::Table.into_iden(),
            HandoverRequests::Table.into_iden(),
            JoinRequests::Table.into_iden(),
            Invitations::Table.into_iden(),
            PersonOrganisations::Table.into_iden(),
            NetworkMunicipalities::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Memberships::Table)
                    .drop_column(Memberships::ListedContact)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Organisations::Table)
                    .drop_column(Organisations::MunicipalityNis)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(MunicipalityPostcodes::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Municipalities::Table).to_owned())
            .await
    }
}
