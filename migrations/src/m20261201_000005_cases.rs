//! Anonymised case threads: cases (the author's raw draft beside the
//! pseudonymised text others read), replies and reflections, edit history,
//! reactions, reports to facilitators, reply drafts, the confidentiality
//! statement's acceptances, the read audit log and the purge log. Per
//! network: whether cases need an anonymity check, and how long they live.

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
    CasesNeedReview,
    CaseRetentionMonths,
    ConfidentialityStatement,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Cases {
    Table,
    Id,
    NetworkId,
    SessionId,
    AuthorId,
    Status,
    Title,
    Body,
    DraftTitle,
    DraftBody,
    Decisions,
    InvitesReflection,
    ReviewComment,
    CreatedAt,
    UpdatedAt,
    LastActivityAt,
    PublishedAt,
    ClosedAt,
}

#[derive(DeriveIden)]
enum CaseReplies {
    Table,
    Id,
    CaseId,
    AuthorId,
    Kind,
    Phase,
    Body,
    CreatedAt,
    EditedAt,
}

#[derive(DeriveIden)]
enum CaseVersions {
    Table,
    Id,
    CaseId,
    ReplyId,
    Title,
    Body,
    EditedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum CaseReplyDrafts {
    Table,
    CaseId,
    UserId,
    Body,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CaseReactions {
    Table,
    CaseId,
    ReplyId,
    UserId,
    Reaction,
    CreatedAt,
}

#[derive(DeriveIden)]
enum CaseReports {
    Table,
    Id,
    CaseId,
    ReplyId,
    ReporterId,
    Reason,
    CreatedAt,
    ResolvedAt,
    ResolvedBy,
}

#[derive(DeriveIden)]
enum CaseReads {
    Table,
    Id,
    CaseId,
    NetworkId,
    UserId,
    ReadAt,
}

#[derive(DeriveIden)]
enum CasePurges {
    Table,
    Id,
    CaseId,
    NetworkId,
    Reason,
    Replies,
    CreatedAt,
    PurgedAt,
    PurgedBy,
}

#[derive(DeriveIden)]
enum ConfidentialityAcceptances {
    Table,
    NetworkId,
    UserId,
    AcceptedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER.
        for col in [
            ColumnDef::new(Networks::CasesNeedReview)
                .boolean()
                .not_null()
                .default(false)
                .to_owned(),
            ColumnDef::new(Networks::CaseRetentionMonths)
                .integer()
                .not_null()
                .default(12)
                .to_owned(),
            // NULL: the statement Kring ships (translated).
            ColumnDef::new(Networks::ConfidentialityStatement)
                .text()
                .null()
                .to_owned(),
        ] {
            let mut col = col;
            manager
                .alter_table(
                    Table::alter()
                        .table(Networks::Table)
                        .add_column(&mut col)
                        .to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(Cases::Table)
                    .col(id(Cases::Id))
                    .col(big(Cases::NetworkId))
                    .col(maybe_big(Cases::SessionId))
                    .col(maybe_big(Cases::AuthorId))
                    .col(ColumnDef::new(Cases::Status).string_len(16).not_null())
                    // What readers see: pseudonymised at publication.
                    .col(
                        ColumnDef::new(Cases::Title)
                            .string_len(300)
                            .not_null()
                            .default(""),
                    )
                    .col(text(Cases::Body))
                    // The author's own raw text and decisions: never shown to others.
                    .col(
                        ColumnDef::new(Cases::DraftTitle)
                            .string_len(300)
                            .not_null()
                            .default(""),
                    )
                    .col(text(Cases::DraftBody))
                    .col(text(Cases::Decisions))
                    .col(
                        ColumnDef::new(Cases::InvitesReflection)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .col(ColumnDef::new(Cases::ReviewComment).text().null())
                    .col(when(Cases::CreatedAt))
                    .col(when(Cases::UpdatedAt))
                    .col(when(Cases::LastActivityAt))
                    .col(maybe_when(Cases::PublishedAt))
                    .col(maybe_when(Cases::ClosedAt))
                    .foreign_key(&mut fk(
                        (Cases::Table, Cases::NetworkId),
                        (Networks::Table, Networks::Id),
                        CASCADE,
                    ))
                    .foreign_key(&mut fk(
                        (Cases::Table, Cases::SessionId),
                        (Sessions::Table, Sessions::Id),
                        SET_NULL,
                    ))
                    .foreign_key(&mut fk(
                        (Cases::Table, Cases::AuthorId),
                        (Users::Table, Users::Id),
                        SET_NULL,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_cases_network_status",
            Cases::Table,
            &["network_id", "status"],
        )
        .await?;
        index(
            manager,
            "idx_cases_last_activity",
            Cases::Table,
            &["last_activity_at"],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(CaseReplies::Table)
                    .col(id(CaseReplies::Id))
                    .col(big(CaseReplies::CaseId))
                    .col(maybe_big(CaseReplies::AuthorId))
                    .col(ColumnDef::new(CaseReplies::Kind).string_len(16).not_null())
                    .col(ColumnDef::new(CaseReplies::Phase).integer().null())
                    .col(text(CaseReplies::Body))
                    .col(when(CaseReplies::CreatedAt))
                    .col(maybe_when(CaseReplies::EditedAt))
                    .foreign_key(&mut fk(
                        (CaseReplies::Table, CaseReplies::CaseId),
                        (Cases::Table, Cases::Id),
                        CASCADE,
                    ))
                    .foreign_key(&mut fk(
                        (CaseReplies::Table, CaseReplies::AuthorId),
                        (Users::Table, Users::Id),
                        SET_NULL,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_case_replies_case",
            CaseReplies::Table,
            &["case_id", "id"],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(CaseVersions::Table)
                    .col(id(CaseVersions::Id))
                    .col(big(CaseVersions::CaseId))
                    .col(maybe_big(CaseVersions::ReplyId))
                    .col(
                        ColumnDef::new(CaseVersions::Title)
                            .string_len(300)
                            .not_null()
                            .default(""),
                    )
                    .col(text(CaseVersions::Body))
                    .col(maybe_big(CaseVersions::EditedBy))
                    .col(when(CaseVersions::CreatedAt))
                    .foreign_key(&mut fk(
                        (CaseVersions::Table, CaseVersions::CaseId),
                        (Cases::Table, Cases::Id),
                        CASCADE,
                    ))
                    .foreign_key(&mut fk(
                        (CaseVersions::Table, CaseVersions::ReplyId),
                        (CaseReplies::Table, CaseReplies::Id),
                        CASCADE,
                    ))
                    .foreign_key(&mut fk(
                        (CaseVersions::Table, CaseVersions::EditedBy),
                        (Users::Table, Users::Id),
                        SET_NULL,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_case_versions_case",
            CaseVersions::Table,
            &["case_id"],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(CaseReplyDrafts::Table)
                    .col(big(CaseReplyDrafts::CaseId))
                    .col(big(CaseReplyDrafts::UserId))
                    .col(text(CaseReplyDrafts::Body))
                    .col(when(CaseReplyDrafts::UpdatedAt))
                    .primary_key(
                        Index::create()
                            .col(CaseReplyDrafts::CaseId)
                            .col(CaseReplyDrafts::UserId),
                    )
                    .foreign_key(&mut fk(
                        (CaseReplyDrafts::Table, CaseReplyDrafts::CaseId),
                        (Cases::Table, Cases::Id),
                        CASCADE,
                    ))
                    .foreign_key(&mut fk(
                        (CaseReplyDrafts::Table, CaseReplyDrafts::UserId),
                        (Users::Table, Users::Id),
                        CASCADE,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CaseReactions::Table)
                    .col(big(CaseReactions::CaseId))
                    // 0: the case itself (a primary key column cannot be NULL).
                    .col(big(CaseReactions::ReplyId))
                    .col(big(CaseReactions::UserId))
                    .col(ColumnDef::new(CaseReactions::Reaction).string_len(16).not_null())
                    .col(when(CaseReactions::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(CaseReactions::CaseId)
                            .col(CaseReactions::ReplyId)
                            .col(CaseReactions::UserId)
                            .col(CaseReactions::Reaction),
                    )
                    .foreign_key(&mut fk(
                        (CaseReactions::Table, CaseReactions::CaseId),
                        (Cases::Table, Cases::Id),
                        CASCADE,
                    ))
                    .foreign_key(&mut fk(
                        (CaseReactions::Table, CaseReactions::UserId),
                        (Users::Table, Users::Id),
                        CASCADE,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CaseReports::Table)
                    .col(id(CaseReports::Id))
                    .col(big(CaseReports::CaseId))
                    .col(maybe_big(CaseReports::ReplyId))
                    .col(maybe_big(CaseReports::ReporterId))
                    .col(text(CaseReports::Reason))
                    .col(when(CaseReports::CreatedAt))
                    .col(maybe_when(CaseReports::ResolvedAt))
                    .col(maybe_big(CaseReports::ResolvedBy))
                    .foreign_key(&mut fk(
                        (CaseReports::Table, CaseReports::CaseId),
                        (Cases::Table, Cases::Id),
                        CASCADE,
                    ))
                    .foreign_key(&mut fk(
                        (CaseReports::Table, CaseReports::ReplyId),
                        (CaseReplies::Table, CaseReplies::Id),
                        CASCADE,
                    ))
                    .foreign_key(&mut fk(
                        (CaseReports::Table, CaseReports::ReporterId),
                        (Users::Table, Users::Id),
                        SET_NULL,
                    ))
                    .foreign_key(&mut fk(
                        (CaseReports::Table, CaseReports::ResolvedBy),
                        (Users::Table, Users::Id),
                        SET_NULL,
                    ))
                    .to_owned(),
            )
            .await?;

        // The audit log outlives the case it names (no foreign key to
        // cases): it holds who read which case number when, never content.
        manager
            .create_table(
                Table::create()
                    .table(CaseReads::Table)
                    .col(id(CaseReads::Id))
                    .col(big(CaseReads::CaseId))
                    .col(big(CaseReads::NetworkId))
                    .col(maybe_big(CaseReads::UserId))
                    .col(when(CaseReads::ReadAt))
                    .foreign_key(&mut fk(
                        (CaseReads::Table, CaseReads::NetworkId),
                        (Networks::Table, Networks::Id),
                        CASCADE,
                    ))
                    .foreign_key(&mut fk(
                        (CaseReads::Table, CaseReads::UserId),
                        (Users::Table, Users::Id),
                        SET_NULL,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_case_reads_network",
            CaseReads::Table,
            &["network_id", "read_at"],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(CasePurges::Table)
                    .col(id(CasePurges::Id))
                    .col(big(CasePurges::CaseId))
                    .col(big(CasePurges::NetworkId))
                    .col(ColumnDef::new(CasePurges::Reason).string_len(16).not_null())
                    .col(ColumnDef::new(CasePurges::Replies).integer().not_null())
                    .col(when(CasePurges::CreatedAt))
                    .col(when(CasePurges::PurgedAt))
                    .col(maybe_big(CasePurges::PurgedBy))
                    .foreign_key(&mut fk(
                        (CasePurges::Table, CasePurges::NetworkId),
                        (Networks::Table, Networks::Id),
                        CASCADE,
                    ))
                    .foreign_key(&mut fk(
                        (CasePurges::Table, CasePurges::PurgedBy),
                        (Users::Table, Users::Id),
                        SET_NULL,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ConfidentialityAcceptances::Table)
                    .col(big(ConfidentialityAcceptances::NetworkId))
                    .col(big(ConfidentialityAcceptances::UserId))
                    .col(when(ConfidentialityAcceptances::AcceptedAt))
                    .primary_key(
                        Index::create()
                            .col(ConfidentialityAcceptances::NetworkId)
                            .col(ConfidentialityAcceptances::UserId),
                    )
                    .foreign_key(&mut fk(
                        (
                            ConfidentialityAcceptances::Table,
                            ConfidentialityAcceptances::NetworkId,
                        ),
                        (Networks::Table, Networks::Id),
                        CASCADE,
                    ))
                    .foreign_key(&mut fk(
                        (
                            ConfidentialityAcceptances::Table,
                            ConfidentialityAcceptances::UserId,
                        ),
                        (Users::Table, Users::Id),
                        CASCADE,
                    ))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ConfidentialityAcceptances::Table.into_iden(),
            CasePurges::Table.into_iden(),
            CaseReads::Table.into_iden(),
            CaseReports::Table.into_iden(),
            CaseReactions::Table.into_iden(),
            CaseReplyDrafts::Table.into_iden(),
            CaseVersions::Table.into_iden(),
            CaseReplies::Table.into_iden(),
            Cases::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        for col in [
            Networks::ConfidentialityStatement.into_iden(),
            Networks::CaseRetentionMonths.into_iden(),
            Networks::CasesNeedReview.into_iden(),
        ] {
            manager
                .alter_table(Table::alter().table(Networks::Table).drop_column(col).to_owned())
                .await?;
        }
        Ok(())
    }
}
