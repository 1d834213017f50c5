//! Tables of the library area.

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

entity!(practice, "practices", {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub slug: String,
    pub network_id: Option<i64>,
    pub author_id: Option<i64>,
    pub source_case_id: Option<i64>,
    /// draft | published
    pub status: String,
    /// public | network
    pub visibility: String,
    pub title: String,
    pub summary: String,
    pub body: String,
    /// JSON array of theme names.
    pub themes: String,
    /// JSON array of municipality NIS codes.
    pub municipalities: String,
    pub organisation: String,
    pub contact: String,
    /// The number of the current revision.
    pub revision: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
});

entity!(revision, "practice_revisions", {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub practice_id: i64,
    pub number: i32,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub themes: String,
    pub municipalities: String,
    pub organisation: String,
    pub contact: String,
    pub visibility: String,
    pub author_id: Option<i64>,
    pub created_at: DateTimeUtc,
});

entity!(reflection, "practice_reflections", {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub practice_id: i64,
    pub author_id: Option<i64>,
    pub body: String,
    pub created_at: DateTimeUtc,
});
