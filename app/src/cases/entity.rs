//! Tables of the cases area.

macro_rules! entity {
    ($name:ident, $table:literal, { $($body:tt)* }) => {
        pub mod $name {
            use sea_orm::entity::prelude::*;

            #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
            #[sea_orm(table_name = $table)]
            pub struct Model {
                $($body)*
            }

            #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
            pub enum Relation {}

            impl ActiveModelBehavior for ActiveModel {}
        }
    };
}

// The case settings of a network live on the networks table; this view of
// it keeps them out of the networks area's model.
entity!(network_settings, "networks", {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub cases_need_review: bool,
    pub case_retention_months: i32,
    pub confidentiality_statement: Option<String>,
    /// Its facilitators must use two-step sign-in.
    pub require_two_factor: bool,
});

entity!(case, "cases", {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub network_id: i64,
    pub session_id: Option<i64>,
    pub author_id: Option<i64>,
    /// draft | in_review | sent_back | published | closed
    pub status: String,
    /// Pseudonymised: what readers see.
    pub title: String,
    pub body: String,
    /// The author's raw text and pseudonym decisions (author only).
    pub draft_title: String,
    pub draft_body: String,
    pub decisions: String,
    pub invites_reflection: bool,
    pub review_comment: Option<String>,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
    pub last_activity_at: ChronoDateTimeUtc,
    pub published_at: Option<ChronoDateTimeUtc>,
    pub closed_at: Option<ChronoDateTimeUtc>,
});

entity!(reply, "case_replies", {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub case_id: i64,
    pub author_id: Option<i64>,
    /// reply | reflection
    pub kind: String,
    pub phase: Option<i32>,
    pub body: String,
    pub created_at: ChronoDateTimeUtc,
    pub edited_at: Option<ChronoDateTimeUtc>,
});

entity!(version, "case_versions", {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub case_id: i64,
    pub reply_id: Option<i64>,
    pub title: String,
    pub body: String,
    pub edited_by: Option<i64>,
    pub created_at: ChronoDateTimeUtc,
});

entity!(reply_draft, "case_reply_drafts", {
    #[sea_orm(primary_key, auto_increment = false)]
    pub case_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i64,
    pub body: String,
    pub updated_at: ChronoDateTimeUtc,
});

entity!(reaction, "case_reactions", {
    #[sea_orm(primary_key, auto_increment = false)]
    pub case_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub reply_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub reaction: String,
    pub created_at: ChronoDateTimeUtc,
});

entity!(report, "case_reports", {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub case_id: i64,
    pub reply_id: Option<i64>,
    pub reporter_id: Option<i64>,
    pub reason: String,
    pub created_at: ChronoDateTimeUtc,
    pub resolved_at: Option<ChronoDateTimeUtc>,
    pub resolved_by: Option<i64>,
});

entity!(read, "case_reads", {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub case_id: i64,
    pub network_id: i64,
    pub user_id: Option<i64>,
    pub read_at: ChronoDateTimeUtc,
});

entity!(purge, "case_purges", {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub case_id: i64,
    pub network_id: i64,
    /// retention | closed | deleted
    pub reason: String,
    pub replies: i32,
    pub created_at: ChronoDateTimeUtc,
    pub purged_at: ChronoDateTimeUtc,
    pub purged_by: Option<i64>,
});

entity!(acceptance, "confidentiality_acceptances", {
    #[sea_orm(primary_key, auto_increment = false)]
    pub network_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i64,
    pub accepted_at: ChronoDateTimeUtc,
});
