//! Tables of the sessions area.

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

entity!(method, "methods", {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// None: shipped with Kring, offered to every network.
    pub network_id: Option<i64>,
    pub key: Option<String>,
    pub name: String,
    pub summary: String,
    pub name_en: Option<String>,
    pub summary_en: Option<String>,
    pub copied_from: Option<i64>,
    pub created_at: ChronoDateTimeUtc,
});

entity!(method_phase, "method_phases", {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub method_id: i64,
    pub position: i32,
    pub name: String,
    pub guidance: String,
    pub name_en: Option<String>,
    pub guidance_en: Option<String>,
    pub minutes: i32,
    /// Comma-separated: case_owner, participants, facilitator, expert.
    pub contributors: String,
});

entity!(series, "session_series", {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub network_id: i64,
    pub rrule: String,
    pub first_day: Date,
    pub last_day: Date,
    /// Local "HH:MM" in `zone`.
    pub start_time: String,
    pub end_time: String,
    pub zone: String,
    /// Skipped days, comma-separated ISO dates.
    pub exceptions: String,
    pub created_by: Option<i64>,
    pub created_at: ChronoDateTimeUtc,
});

entity!(session, "sessions", {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub network_id: i64,
    pub series_id: Option<i64>,
    pub title: String,
    pub kind: String,
    pub starts_at: ChronoDateTimeUtc,
    pub ends_at: ChronoDateTimeUtc,
    pub zone: String,
    pub place: String,
    pub online_link: String,
    pub capacity: Option<i32>,
    pub agenda: String,
    pub method_id: Option<i64>,
    pub detached: bool,
    pub cancelled_at: Option<ChronoDateTimeUtc>,
    pub current_phase: Option<i32>,
    pub phase_started_at: Option<ChronoDateTimeUtc>,
    pub minutes: String,
    pub attendance_recorded_at: Option<ChronoDateTimeUtc>,
    pub sequence: i32,
    pub version: i64,
    pub created_by: Option<i64>,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
});

entity!(guest_network, "session_guest_networks", {
    #[sea_orm(primary_key, auto_increment = false)]
    pub session_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub network_id: i64,
});

entity!(series_rsvp, "series_rsvps", {
    #[sea_orm(primary_key, auto_increment = false)]
    pub series_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i64,
    pub answer: String,
    pub updated_at: ChronoDateTimeUtc,
});

entity!(rsvp, "session_rsvps", {
    #[sea_orm(primary_key, auto_increment = false)]
    pub session_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i64,
    pub answer: String,
    pub from_series: bool,
    pub waitlisted: bool,
    pub queued_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
});

entity!(attendance, "attendance", {
    #[sea_orm(primary_key, auto_increment = false)]
    pub session_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i64,
});

entity!(calendar_token, "calendar_tokens", {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i64,
    pub token_hash: String,
    pub created_at: ChronoDateTimeUtc,
});
