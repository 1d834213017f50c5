//! Intervision sessions: methods with phases (shipped ones loaded from
//! `data/methods.json`), series and their meetings, guest networks, RSVPs
//! (per series and per meeting, with the waiting list), attendance, and the
//! secret calendar-feed tokens.

use sea_orm_migration::prelude::*;

use crate::columns::*;

use crate::methods;

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
pub(crate) enum Methods {
    Table,
    Id,
    NetworkId,
    Key,
    Name,
    Summary,
    NameEn,
    SummaryEn,
    CopiedFrom,
    CreatedAt,
}

#[derive(DeriveIden)]
pub(crate) enum MethodPhases {
    Table,
    Id,
    MethodId,
    Position,
    Name,
    Guidance,
    NameEn,
    GuidanceEn,
    Minutes,
    Contributors,
}

#[derive(DeriveIden)]
enum SessionSeries {
    Table,
    Id,
    NetworkId,
    Rrule,
    FirstDay,
    LastDay,
    StartTime,
    EndTime,
    Zone,
    Exceptions,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    NetworkId,
    SeriesId,
    Title,
    Kind,
    StartsAt,
    EndsAt,
    Zone,
    Place,
    OnlineLink,
    Capacity,
    Agenda,
    MethodId,
    Detached,
    CancelledAt,
    CurrentPhase,
    PhaseStartedAt,
    Minutes,
    AttendanceRecordedAt,
    Sequence,
    Version,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SessionGuestNetworks {
    Table,
    SessionId,
    NetworkId,
}

#[derive(DeriveIden)]
enum SeriesRsvps {
    Table,
    SeriesId,
    UserId,
    Answer,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SessionRsvps {
    Table,
    SessionId,
    UserId,
    Answer,
    FromSeries,
    Waitlisted,
    QueuedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Attendance {
    Table,
    SessionId,
    UserId,
}

#[derive(DeriveIden)]
enum CalendarTokens {
    Table,
    UserId,
    TokenHash,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Methods::Table)
                    .col(id(Methods::Id))
                    // NULL: shipped with Kring, for every network.
                    .col(ColumnDef::new(Methods::NetworkId).big_integer().null())
                    .col(ColumnDef::new(Methods::Key).string_len(40).null().unique_key())
                    .col(ColumnDef::new(Methods::Name).string_len(200).not_null())
                    .col(ColumnDef::new(Methods::Summary).text().not_null())
                    .col(ColumnDef::new(Methods::NameEn).string_len(200).null())
                    .col(ColumnDef::new(Methods::SummaryEn).text().null())
                    .col(ColumnDef::new(Methods::CopiedFrom).big_integer().null())
                    .col(when(Methods::CreatedAt))
                    .foreign_key(&mut fk(
                        (Methods::Table, Methods::NetworkId),
                        (Networks::Table, Networks::Id),
                        CASCADE,
                    ))
                    .foreign_key(&mut fk(
                        (Methods::Table, Methods::CopiedFrom),
                        (Methods::Table, Methods::Id),
                        SET_NULL,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MethodPhases::Table)
                    .col(id(MethodPhases::Id))
                    .col(big(MethodPhases::MethodId))
                    .col(ColumnDef::new(MethodPhases::Position).integer().not_null())
                    .col(ColumnDef::new(MethodPhases::Name).string_len(200).not_null())
                    .col(ColumnDef::new(MethodPhases::Guidance).text().not_null())
                    .col(ColumnDef::new(MethodPhases::NameEn).string_len(200).null())
                    .col(ColumnDef::new(MethodPhases::GuidanceEn).text().null())
                    .col(ColumnDef::new(MethodPhases::Minutes).integer().not_null())
                    .col(
                        ColumnDef::new(MethodPhases::Contributors)
                            .string_len(100)
                            .not_null(),
                    )
                    .foreign_key(&mut fk(
                        (MethodPhases::Table, MethodPhases::MethodId),
                        (Methods::Table, Methods::Id),
                        CASCADE,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ux_method_phases_position",
            MethodPhases::Table,
            &["method_id", "position"],
        )
        .await?;
        methods::load(manager.get_connection()).await?;

        manager
            .create_table(
                Table::create()
                    .table(SessionSeries::Table)
                    .col(id(SessionSeries::Id))
                    .col(big(SessionSeries::NetworkId))
                    .col(ColumnDef::new(SessionSeries::Rrule).string_len(200).not_null())
                    .col(ColumnDef::new(SessionSeries::FirstDay).date().not_null())
                    .col(ColumnDef::new(SessionSeries::LastDay).date().not_null())
                    .col(ColumnDef::new(SessionSeries::StartTime).string_len(5).not_null())
                    .col(ColumnDef::new(SessionSeries::EndTime).string_len(5).not_null())
                    .col(ColumnDef::new(SessionSeries::Zone).string_len(64).not_null())
                    .col(ColumnDef::new(SessionSeries::Exceptions).text().not_null())
                    .col(ColumnDef::new(SessionSeries::CreatedBy).big_integer().null())
                    .col(when(SessionSeries::CreatedAt))
                    .foreign_key(&mut fk(
                        (SessionSeries::Table, SessionSeries::NetworkId),
                        (Networks::Table, Networks::Id),
                        CASCADE,
                    ))
                    .foreign_key(&mut fk(
                        (SessionSeries::Table, SessionSeries::CreatedBy),
                        (Users::Table, Users::Id),
                        SET_NULL,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    .col(id(Sessions::Id))
                    .col(big(Sessions::NetworkId))
                    .col(ColumnDef::new(Sessions::SeriesId).big_integer().null())
                    .col(ColumnDef::new(Sessions::Title).string_len(200).not_null())
                    .col(ColumnDef::new(Sessions::Kind).string_len(24).not_null())
                    .col(when(Sessions::StartsAt))
                    .col(when(Sessions::EndsAt))
                    .col(ColumnDef::new(Sessions::Zone).string_len(64).not_null())
                    .col(
                        ColumnDef::new(Sessions::Place)
                            .string_len(300)
                            .not_null()
                            .default(""),
                    )
                    .col(
                        ColumnDef::new(Sessions::OnlineLink)
                            .string_len(500)
                            .not_null()
                            .default(""),
                    )
                    .col(ColumnDef::new(Sessions::Capacity).integer().null())
                    .col(ColumnDef::new(Sessions::Agenda).text().not_null().default(""))
                    .col(ColumnDef::new(Sessions::MethodId).big_integer().null())
                    // Edited on its own: series edits leave it alone.
                    .col(
                        ColumnDef::new(Sessions::Detached)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .col(maybe_when(Sessions::CancelledAt))
                    .col(ColumnDef::new(Sessions::CurrentPhase).integer().null())
                    .col(maybe_when(Sessions::PhaseStartedAt))
                    .col(ColumnDef::new(Sessions::Minutes).text().not_null().default(""))
                    .col(maybe_when(Sessions::AttendanceRecordedAt))
                    // iCalendar SEQUENCE: calendars apply a change only when it grows.
                    .col(ColumnDef::new(Sessions::Sequence).integer().not_null().default(0))
                    // Touched first in every RSVP transaction: serialises the waiting list.
                    .col(
                        ColumnDef::new(Sessions::Version)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .col(ColumnDef::new(Sessions::CreatedBy).big_integer().null())
                    .col(when(Sessions::CreatedAt))
                    .col(when(Sessions::UpdatedAt))
                    .foreign_key(&mut fk(
                        (Sessions::Table, Sessions::NetworkId),
                        (Networks::Table, Networks::Id),
                        CASCADE,
                    ))
                    .foreign_key(&mut fk(
                        (Sessions::Table, Sessions::SeriesId),
                        (SessionSeries::Table, SessionSeries::Id),
                        SET_NULL,
                    ))
                    .foreign_key(&mut fk(
                        (Sessions::Table, Sessions::MethodId),
                        (Methods::Table, Methods::Id),
                        SET_NULL,
                    ))
                    .foreign_key(&mut fk(
                        (Sessions::Table, Sessions::CreatedBy),
                        (Users::Table, Users::Id),
                        SET_NULL,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_sessions_network_start",
            Sessions::Table,
            &["network_id", "starts_at"],
        )
        .await?;
        index(
            manager,
            "idx_sessions_series",
            Sessions::Table,
            &["series_id", "starts_at"],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(SessionGuestNetworks::Table)
                    .col(big(SessionGuestNetworks::SessionId))
                    .col(big(SessionGuestNetworks::NetworkId))
                    .primary_key(
                        Index::create()
                            .col(SessionGuestNetworks::SessionId)
                            .col(SessionGuestNetworks::NetworkId),
                    )
                    .foreign_key(&mut fk(
                        (SessionGuestNetworks::Table, SessionGuestNetworks::SessionId),
                        (Sessions::Table, Sessions::Id),
                        CASCADE,
                    ))
                    .foreign_key(&mut fk(
                        (SessionGuestNetworks::Table, SessionGuestNetworks::NetworkId),
                        (Networks::Table, Networks::Id),
                        CASCADE,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_session_guests_network",
            SessionGuestNetworks::Table,
            &["network_id"],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(SeriesRsvps::Table)
                    .col(big(SeriesRsvps::SeriesId))
                    .col(big(SeriesRsvps::UserId))
                    .col(ColumnDef::new(SeriesRsvps::Answer).string_len(12).not_null())
                    .col(when(SeriesRsvps::UpdatedAt))
                    .primary_key(
                        Index::create()
                            .col(SeriesRsvps::SeriesId)
                            .col(SeriesRsvps::UserId),
                    )
                    .foreign_key(&mut fk(
                        (SeriesRsvps::Table, SeriesRsvps::SeriesId),
                        (SessionSeries::Table, SessionSeries::Id),
                        CASCADE,
                    ))
                    .foreign_key(&mut fk(
                        (SeriesRsvps::Table, SeriesRsvps::UserId),
                        (Users::Table, Users::Id),
                        CASCADE,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(SessionRsvps::Table)
                    .col(big(SessionRsvps::SessionId))
                    .col(big(SessionRsvps::UserId))
                    .col(ColumnDef::new(SessionRsvps::Answer).string_len(12).not_null())
                    // Set from the series answer (true) or by the person for this meeting.
                    .col(ColumnDef::new(SessionRsvps::FromSeries).boolean().not_null())
                    .col(
                        ColumnDef::new(SessionRsvps::Waitlisted)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    // The place in the queue: when the person said "going".
                    .col(when(SessionRsvps::QueuedAt))
                    .col(when(SessionRsvps::UpdatedAt))
                    .primary_key(
                        Index::create()
                            .col(SessionRsvps::SessionId)
                            .col(SessionRsvps::UserId),
                    )
                    .foreign_key(&mut fk(
                        (SessionRsvps::Table, SessionRsvps::SessionId),
                        (Sessions::Table, Sessions::Id),
                        CASCADE,
                    ))
                    .foreign_key(&mut fk(
                        (SessionRsvps::Table, SessionRsvps::UserId),
                        (Users::Table, Users::Id),
                        CASCADE,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_session_rsvps_user",
            SessionRsvps::Table,
            &["user_id"],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Attendance::Table)
                    .col(big(Attendance::SessionId))
                    .col(big(Attendance::UserId))
                    .primary_key(Index::create().col(Attendance::SessionId).col(Attendance::UserId))
                    .foreign_key(&mut fk(
                        (Attendance::Table, Attendance::SessionId),
                        (Sessions::Table, Sessions::Id),
                        CASCADE,
                    ))
                    .foreign_key(&mut fk(
                        (Attendance::Table, Attendance::UserId),
                        (Users::Table, Users::Id),
                        CASCADE,
                    ))
                    .to_owned(),
            )
            .await?;
        index(manager, "idx_attendance_user", Attendance::Table, &["user_id"]).await?;

        manager
            .create_table(
                Table::create()
                    .table(CalendarTokens::Table)
                    .col(
                        ColumnDef::new(CalendarTokens::UserId)
                            .big_integer()
                            .not_null()
                            .primary_key(),
                    )
                    // SHA-256 of the secret in the feed URL; the URL itself is never stored.
                    .col(
                        ColumnDef::new(CalendarTokens::TokenHash)
                            .string_len(64)
                            .not_null()
                            .unique_key(),
                    )
                    .col(when(CalendarTokens::CreatedAt))
                    .foreign_key(&mut fk(
                        (CalendarTokens::Table, CalendarTokens::UserId),
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
            CalendarTokens::Table.into_iden(),
            Attendance::Table.into_iden(),
            SessionRsvps::Table.into_iden(),
            SeriesRsvps::Table.into_iden(),
            SessionGuestNetworks::Table.into_iden(),
            Sessions::Table.into_iden(),
            SessionSeries::Table.into_iden(),
            MethodPhases::Table.into_iden(),
            Methods::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
