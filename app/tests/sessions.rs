//! Sessions on SQLite and PostgreSQL: series with one RSVP, overrides, the
//! waiting list under concurrent cancellations, editing one meeting or the
//! rest of a series, calendar feeds, live mode, attendance, hours, methods.

mod common;

use app::AppError;
use app::accounts::domain::{self as accounts, NewUser};
use app::accounts::entity::user;
use app::authz::Actor;
use app::errors::{Field, Problem};
use app::networks::NetworkKind;
use app::networks::NetworkRole;
use app::networks::domain::{self as networks, NewNetwork};
use app::sessions::domain::{self, LiveCommand, RawSession, Scope};
use app::sessions::entity::{rsvp, session};
use app::sessions::{Answer, PhaseView, feeds, methods, rsvp as answers};
use chrono::{Datelike, Duration, NaiveDate, Utc, Weekday};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

async fn person(db: &DatabaseConnection, email: &str) -> user::Model {
    accounts::create_user(
        db,
        NewUser {
            email,
            display_name: email.split('@').next().unwrap_or(email),
            password: "wachtwoord-1234",
            is_admin: false,
            is_demo: false,
        },
    )
    .await
    .unwrap()
}

async fn actor(db: &DatabaseConnection, who: &user::Model) -> Actor {
    networks::actor_for(db, Some(who)).await.unwrap()
}

fn base() -> url::Url {
    url::Url::parse("https://kring.example.be").unwrap()
}

/// A network with a facilitator; returns (network id, facilitator).
async fn network(db: &DatabaseConnection, slug: &str) -> (i64, user::Model) {
    let admin = accounts::create_user(
        db,
        NewUser {
            email: &format!("admin.{slug}@example.be"),
            display_name: "Admin",
            password: "wachtwoord-1234",
            is_admin: true,
            is_demo: false,
        },
    )
    .await
    .unwrap();
    let facilitator = person(db, &format!("lotte.{slug}@example.be")).await;
    let net = networks::create_network(
        db,
        &actor(db, &admin).await,
        NewNetwork {
            slug,
            name: slug,
            description: "",
            kind: NetworkKind::InterMunicipal,
            join_policy: "request",
            municipalities: Vec::new(),
            organisations: Vec::new(),
        },
        (facilitator.id, None),
    )
    .await
    .unwrap();
    (net.id, facilitator)
}

async fn member(db: &DatabaseConnection, net: i64, email: &str, role: NetworkRole) -> (user::Model, Actor) {
    let p = person(db, email).await;
    networks::add_member(db, net, p.id, role, None).await.unwrap();
    let a = actor(db, &p).await;
    (p, a)
}

/// The first Tuesday of September next year.
fn first_tuesday_of_september() -> NaiveDate {
    let year = Utc::now().year() + 1;
    let mut d = NaiveDate::from_ymd_opt(year, 9, 1).unwrap();
    while d.weekday() != Weekday::Tue {
        d = d.succ_opt().unwrap();
    }
    d
}

fn raw(title: &str, day: NaiveDate) -> RawSession {
    RawSession {
        title: title.into(),
        kind: "intervision".into(),
        day: day.to_string(),
        start: "13:30".into(),
        end: "15:30".into(),
        zone: "Europe/Brussels".into(),
        ..Default::default()
    }
}

async fn meetings(db: &DatabaseConnection, series: i64) -> Vec<session::Model> {
    session::Entity::find()
        .filter(session::Column::SeriesId.eq(series))
        .order_by_asc(session::Column::StartsAt)
        .all(db)
        .await
        .unwrap()
}

async fn answer_of(db: &DatabaseConnection, session_id: i64, user_id: i64) -> Option<rsvp::Model> {
    rsvp::Entity::find_by_id((session_id, user_id))
        .one(db)
        .await
        .unwrap()
}

on_both_databases!(a_series_needs_one_rsvp, |db: DatabaseConnection| async move {
    let (net, lotte) = network(&db, "kempen").await;
    let lotte_a = actor(&db, &lotte).await;
    let (sofie, sofie_a) = member(&db, net, "sofie@example.be", NetworkRole::Coach).await;
    let (_, eva_a) = member(&db, net, "eva@example.be", NetworkRole::Observer).await;
    let (other_net, stranger) = network(&db, "elders").await;
    let stranger_a = actor(&db, &stranger).await;

    // Every first Tuesday, September to June, skipping the one in November.
    let first = first_tuesday_of_september();
    let mut form = raw("Intervisie", first);
    form.repeat = "monthly_nth".into();
    form.last_day = NaiveDate::from_ymd_opt(first.year() + 1, 6, 30)
        .unwrap()
        .to_string();
    let mut november = NaiveDate::from_ymd_opt(first.year(), 11, 1).unwrap();
    while november.weekday() != Weekday::Tue {
        november = november.succ_opt().unwrap();
    }
    form.exceptions = format!("{november}");
    let input = domain::parse_input(&form).unwrap();
    assert_eq!(
        domain::schedule(&db, &actor(&db, &sofie).await, net, input.clone())
            .await
            .unwrap_err(),
        AppError::NotFound,
        "coaches do not schedule"
    );
    let made = domain::schedule(&db, &lotte_a, net, input).await.unwrap();
    assert_eq!(made.meetings, 9, "ten first Tuesdays minus the skipped one");
    let series = made.series.unwrap();
    let all = meetings(&db, series).await;
    assert!(all.iter().all(|m| {
        let local = m.starts_at.with_timezone(&chrono_tz::Europe::Brussels);
        local.format("%H:%M").to_string() == "13:30" && local.weekday() == Weekday::Tue && local.day() <= 7
    }));
    assert!(!all.iter().any(|m| {
        m.starts_at
            .with_timezone(&chrono_tz::Europe::Brussels)
            .date_naive()
            == november
    }));

    // One answer for the series...
    assert_eq!(
        answers::answer_series(&db, &sofie_a, series, Answer::Going)
            .await
            .unwrap(),
        9
    );
    for m in &all {
        let r = answer_of(&db, m.id, sofie.id).await.unwrap();
        assert_eq!((r.answer.as_str(), r.from_series), ("going", true));
    }
    // ..."not this one" for the second meeting...
    answers::answer_session(&db, &sofie_a, all[1].id, Answer::NotGoing)
        .await
        .unwrap();
    // ...survives a later series answer...
    answers::answer_series(&db, &sofie_a, series, Answer::Maybe)
        .await
        .unwrap();
    assert_eq!(
        answer_of(&db, all[1].id, sofie.id).await.unwrap().answer,
        "not_going"
    );
    assert_eq!(answer_of(&db, all[2].id, sofie.id).await.unwrap().answer, "maybe");
    // ...until she follows the series again.
    answers::follow_series(&db, &sofie_a, all[1].id).await.unwrap();
    assert_eq!(answer_of(&db, all[1].id, sofie.id).await.unwrap().answer, "maybe");

    // Newcomers may come; strangers may not even see the series exists.
    answers::answer_series(&db, &eva_a, series, Answer::Going)
        .await
        .unwrap();
    assert_eq!(
        answers::answer_series(&db, &stranger_a, series, Answer::Going)
            .await
            .unwrap_err(),
        AppError::NotFound
    );
    assert_eq!(
        answers::answer_session(&db, &stranger_a, all[0].id, Answer::Going)
            .await
            .unwrap_err(),
        AppError::NotFound
    );
    assert_eq!(
        domain::session_view(&db, &stranger_a, all[0].id, false)
            .await
            .unwrap_err(),
        AppError::NotFound,
        "another network's session is never readable"
    );
    let view = domain::session_view(&db, &sofie_a, all[0].id, false)
        .await
        .unwrap();
    assert_eq!(
        (view.series_meetings, view.my_series_answer),
        (9, Some(Answer::Maybe))
    );
    assert!(view.attendees.is_empty(), "coaches do not see the attendee list");
    let theirs = domain::session_view(&db, &lotte_a, all[0].id, false)
        .await
        .unwrap();
    let people: Vec<&str> = theirs
        .attendees
        .iter()
        .flat_map(|g| g.people.iter().map(|p| p.name.as_str()))
        .collect();
    assert_eq!(people, vec!["eva", "sofie"], "facilitators see who comes");

    // The network page lists them; the other network's page does not.
    let list = domain::network_sessions(&db, &sofie_a, "kempen").await.unwrap();
    assert_eq!(list.upcoming.len(), 9);
    assert_eq!(list.upcoming[1].mine.map(|m| m.answer), Some(Answer::Maybe));
    assert!(!list.may_schedule);
    assert!(
        domain::network_sessions(&db, &stranger_a, "kempen")
            .await
            .is_err()
    );
    let _ = other_net;
});

on_both_databases!(
    waiting_list_promotes_under_concurrent_cancellations,
    |db: DatabaseConnection| async move {
        let (net, lotte) = network(&db, "mol").await;
        let mut form = raw("Vorming", Utc::now().date_naive() + Duration::days(20));
        form.kind = "training".into();
        form.capacity = "2".into();
        let made = domain::schedule(
            &db,
            &actor(&db, &lotte).await,
            net,
            domain::parse_input(&form).unwrap(),
        )
        .await
        .unwrap();
        let id = made.first_session;
        let mut people = Vec::new();
        for n in 0..4 {
            let (p, a) = member(&db, net, &format!("coach{n}@example.be"), NetworkRole::Coach).await;
            answers::answer_session(&db, &a, id, Answer::Going).await.unwrap();
            people.push((p, a));
        }
        let waiting = |db: DatabaseConnection| async move {
            let rows = rsvp::Entity::find()
                .filter(rsvp::Column::SessionId.eq(id))
                .all(&db)
                .await
                .unwrap();
            let mut w: Vec<(i64, bool)> = rows
                .iter()
                .filter(|r| r.answer == "going")
                .map(|r| (r.user_id, r.waitlisted))
                .collect();
            w.sort();
            w
        };
        assert_eq!(
            waiting(db.clone()).await,
            vec![
                (people[0].0.id, false),
                (people[1].0.id, false),
                (people[2].0.id, true),
                (people[3].0.id, true)
            ],
            "first come, first in"
        );

        // The two who are in cancel at the same moment: both who wait get in.
        let (a, b) = tokio::join!(
            answers::answer_session(&db, &people[0].1, id, Answer::NotGoing),
            answers::answer_session(&db, &people[1].1, id, Answer::NotGoing),
        );
        a.unwrap();
        b.unwrap();
        assert_eq!(
            waiting(db.clone()).await,
            vec![(people[2].0.id, false), (people[3].0.id, false)]
        );
        let outbox = app::mail::entity::Entity::find().all(&db).await.unwrap();
        for promoted in [&people[2].0, &people[3].0] {
            assert!(
                outbox
                    .iter()
                    .any(|m| m.to_address == promoted.email && m.body.contains("plaats vrijgekomen")),
                "{} is told",
                promoted.email
            );
        }
        // Someone coming back queues at the end.
        answers::answer_session(&db, &people[0].1, id, Answer::Going)
            .await
            .unwrap();
        let w = waiting(db.clone()).await;
        assert!(w.contains(&(people[0].0.id, true)));
    }
);

on_both_databases!(
    editing_one_meeting_or_the_rest_of_a_series,
    |db: DatabaseConnection| async move {
        let (net, lotte) = network(&db, "leuven").await;
        let lotte_a = actor(&db, &lotte).await;
        let first = Utc::now().date_naive() + Duration::days(10);
        let mut form = raw("Lerend netwerk", first);
        form.repeat = "weekly".into();
        form.last_day = (first + Duration::days(35)).to_string();
        let made = domain::schedule(&db, &lotte_a, net, domain::parse_input(&form).unwrap())
            .await
            .unwrap();
        let series = made.series.unwrap();
        let all = meetings(&db, series).await;
        assert_eq!(all.len(), 6);

        // The third moves to 14:00 on its own.
        let mut own = raw("Apart", first + Duration::days(14));
        own.start = "14:00".into();
        own.end = "16:00".into();
        domain::edit(
            &db,
            &lotte_a,
            all[2].id,
            domain::parse_input(&own).unwrap(),
            Scope::This,
        )
        .await
        .unwrap();
        // From the second on, a new title for the rest of the series.
        let rest = raw("Nieuw", first + Duration::days(7));
        assert_eq!(
            domain::edit(
                &db,
                &lotte_a,
                all[1].id,
                domain::parse_input(&rest).unwrap(),
                Scope::ThisAndFollowing
            )
            .await
            .unwrap(),
            5 - 1,
            "the second, fourth, fifth and sixth"
        );
        let after = meetings(&db, series).await;
        let titles: Vec<&str> = after.iter().map(|m| m.title.as_str()).collect();
        assert_eq!(
            titles,
            vec!["Lerend netwerk", "Nieuw", "Apart", "Nieuw", "Nieuw", "Nieuw"]
        );
        let third = &after[2];
        assert!(third.detached);
        assert_eq!(
            third
                .starts_at
                .with_timezone(&chrono_tz::Europe::Brussels)
                .format("%H:%M")
                .to_string(),
            "14:00"
        );
        assert!(after[1].sequence > all[1].sequence, "calendars see the change");

        // Cancelling the rest of the series.
        assert_eq!(
            domain::cancel(&db, &lotte_a, after[4].id, Scope::ThisAndFollowing)
                .await
                .unwrap(),
            2
        );
        let cancelled: Vec<bool> = meetings(&db, series)
            .await
            .iter()
            .map(|m| m.cancelled_at.is_some())
            .collect();
        assert_eq!(cancelled, vec![false, false, false, false, true, true]);
        let (_, coach_a) = member(&db, net, "coach@example.be", NetworkRole::Coach).await;
        assert_eq!(
            answers::answer_session(&db, &coach_a, after[5].id, Answer::Going)
                .await
                .unwrap_err(),
            AppError::SessionCancelled
        );
        assert_eq!(
            domain::cancel(&db, &coach_a, after[0].id, Scope::This)
                .await
                .unwrap_err(),
            AppError::NotFound,
            "coaches do not cancel"
        );
    }
);

#[test]
fn bad_input_gets_clear_errors() {
    let day = NaiveDate::from_ymd_opt(2027, 3, 2).unwrap();
    let check = |change: &dyn Fn(&mut RawSession), expected: AppError| {
        let mut form = raw("Intervisie", day);
        change(&mut form);
        assert_eq!(domain::parse_input(&form).unwrap_err(), expected, "{form:?}");
    };
    check(&|f| f.end = "13:00".into(), AppError::EndBeforeStart);
    check(&|f| f.end = "13:30".into(), AppError::EndBeforeStart);
    check(
        &|f| f.capacity = "0".into(),
        AppError::CapacityOutOfRange { max: 500 },
    );
    check(
        &|f| f.capacity = "-3".into(),
        AppError::CapacityOutOfRange { max: 500 },
    );
    check(
        &|f| f.capacity = "veel".into(),
        AppError::invalid(Field::Capacity, Problem::Malformed),
    );
    check(
        &|f| f.zone = "Europe/Brussel".into(),
        AppError::UnknownTimeZone("Europe/Brussel".into()),
    );
    check(
        &|f| f.online_link = "javascript:alert(1)".into(),
        AppError::NotHttpLink,
    );
    check(
        &|f| f.online_link = "ftp://example.be/x".into(),
        AppError::NotHttpLink,
    );
    check(
        &|f| f.title = "  ".into(),
        AppError::invalid(Field::Title, Problem::Empty),
    );
    check(
        &|f| f.day = "31/02/2027".into(),
        AppError::invalid(Field::Day, Problem::Malformed),
    );
    check(
        &|f| f.repeat = "weekly".into(),
        AppError::invalid(Field::LastDay, Problem::Empty),
    );
    check(
        &|f| f.kind = "feest".into(),
        AppError::invalid(Field::SessionKind, Problem::Malformed),
    );
    // A series of five years is allowed; one day more is not.
    let mut ok = raw("Intervisie", day);
    ok.repeat = "weekly".into();
    ok.last_day = "2032-03-02".into();
    assert!(domain::parse_input(&ok).is_ok());
    ok.online_link = "https://meet.example.be/intervisie".into();
    assert!(domain::parse_input(&ok).is_ok());
}

on_both_databases!(
    a_series_longer_than_five_years_is_refused,
    |db: DatabaseConnection| async move {
        let (net, lotte) = network(&db, "gent").await;
        let day = Utc::now().date_naive() + Duration::days(3);
        let mut form = raw("Intervisie", day);
        form.repeat = "weekly".into();
        form.last_day =
            (day.checked_add_months(chrono::Months::new(60)).unwrap() + Duration::days(1)).to_string();
        let err = domain::schedule(
            &db,
            &actor(&db, &lotte).await,
            net,
            domain::parse_input(&form).unwrap(),
        )
        .await
        .unwrap_err();
        assert_eq!(err, AppError::SeriesTooLong { years: 5 });
        assert!(
            session::Entity::find().all(&db).await.unwrap().is_empty(),
            "nothing half-made"
        );
    }
);

on_both_databases!(
    feeds_are_personal_valid_and_stable,
    |db: DatabaseConnection| async move {
        let (net, lotte) = network(&db, "bilzen").await;
        let (other, other_lotte) = network(&db, "oostende").await;
        let (sofie, _) = member(&db, net, "sofie@example.be", NetworkRole::Coach).await;
        let mut form = raw(
            "Intervisie; met, tekens",
            Utc::now().date_naive() + Duration::days(5),
        );
        form.place = "Sociaal Huis, Kerkstraat 1".into();
        form.online_link = "https://meet.example.be/x".into();
        form.repeat = "weekly".into();
        form.last_day = (Utc::now().date_naive() + Duration::days(60)).to_string();
        domain::schedule(
            &db,
            &actor(&db, &lotte).await,
            net,
            domain::parse_input(&form).unwrap(),
        )
        .await
        .unwrap();
        domain::schedule(
            &db,
            &actor(&db, &other_lotte).await,
            other,
            domain::parse_input(&raw("Geheim elders", Utc::now().date_naive() + Duration::days(6))).unwrap(),
        )
        .await
        .unwrap();

        let token = feeds::regenerate(&db, sofie.id).await.unwrap();
        let feed = feeds::personal(&db, &token, &base()).await.unwrap();
        assert!(
            !feed.contains("Geheim elders"),
            "another network's sessions never appear"
        );
        let calendar: icalendar::Calendar = feed.parse().expect("the feed parses as iCalendar");
        let events: Vec<&icalendar::Event> =
            calendar.components.iter().filter_map(|c| c.as_event()).collect();
        // Days +5, +12, … +54: eight weeks (the ninth, +61, is after the last day).
        assert_eq!(events.len(), 8, "{feed}");
        // The VTIMEZONE's own DTSTART lines (1970 rule onsets) aside.
        for line in feed
            .lines()
            .filter(|l| l.starts_with("DTSTART") && !l.starts_with("DTSTART:1970"))
        {
            assert!(line.starts_with("DTSTART;TZID=Europe/Brussels:"), "{line}");
        }
        let uids: Vec<String> = feed
            .lines()
            .filter(|l| l.starts_with("UID:"))
            .map(str::to_owned)
            .collect();
        assert_eq!(uids.len(), 8);

        // A new secret: the old URL stops working, the UIDs stay.
        let fresh = feeds::regenerate(&db, sofie.id).await.unwrap();
        assert_eq!(
            feeds::personal(&db, &token, &base()).await.unwrap_err(),
            AppError::NotFound
        );
        let again = feeds::personal(&db, &fresh, &base()).await.unwrap();
        let uids_again: Vec<String> = again
            .lines()
            .filter(|l| l.starts_with("UID:"))
            .map(str::to_owned)
            .collect();
        assert_eq!(uids, uids_again);
        assert_eq!(
            feeds::personal(&db, "geraden", &base()).await.unwrap_err(),
            AppError::NotFound
        );

        // The network feed: for members only.
        assert!(feeds::network(&db, &fresh, "bilzen", &base()).await.is_ok());
        assert_eq!(
            feeds::network(&db, &fresh, "oostende", &base())
                .await
                .unwrap_err(),
            AppError::NotFound
        );
    }
);

on_both_databases!(
    cached_feeds_follow_every_change,
    |db: DatabaseConnection| async move {
        let cache = feeds::FeedCache::default();
        let (net, lotte) = network(&db, "mechelen").await;
        let (other, other_lotte) = network(&db, "retie").await;
        let lotte_a = actor(&db, &lotte).await;
        let (sofie, sofie_a) = member(&db, net, "sofie@example.be", NetworkRole::Coach).await;
        let mut form = raw("Intervisie", Utc::now().date_naive() + Duration::days(4));
        form.repeat = "weekly".into();
        form.last_day = (Utc::now().date_naive() + Duration::days(40)).to_string();
        let series = domain::schedule(&db, &lotte_a, net, domain::parse_input(&form).unwrap())
            .await
            .unwrap()
            .series
            .unwrap();
        let all = meetings(&db, series).await;
        let token = feeds::regenerate(&db, sofie.id).await.unwrap();
        let feed = || async {
            feeds::personal_cached(&db, &cache, &token, &base())
                .await
                .unwrap()
        };
        let events = |f: &feeds::Feed| f.body.matches("BEGIN:VEVENT").count();

        // Unchanged data: the same rendering, the same ETag, and it equals
        // what the uncached path renders.
        let first = feed().await;
        let second = feed().await;
        assert!(std::sync::Arc::ptr_eq(&first, &second), "served from the cache");
        assert_eq!(first.body, feeds::personal(&db, &token, &base()).await.unwrap());
        assert_eq!(events(&first), all.len());

        // Every change shows in the next response, with a new ETag.
        let mut etags = vec![first.etag.clone()];
        let own = raw("Intervisie met gast", all[1].starts_at.date_naive());
        domain::edit(
            &db,
            &lotte_a,
            all[1].id,
            domain::parse_input(&own).unwrap(),
            Scope::This,
        )
        .await
        .unwrap();
        let edited = feed().await;
        assert!(edited.body.contains("Intervisie met gast"), "an edit");
        etags.push(edited.etag.clone());

        answers::answer_session(&db, &sofie_a, all[2].id, Answer::NotGoing)
            .await
            .unwrap();
        let declined = feed().await;
        assert_eq!(events(&declined), all.len() - 1, "a declined meeting leaves");
        etags.push(declined.etag.clone());

        answers::follow_series(&db, &sofie_a, all[2].id).await.unwrap();
        let back = feed().await;
        assert_eq!(events(&back), all.len(), "and comes back");
        assert_eq!(
            (&back.body, &back.etag),
            (&edited.body, &edited.etag),
            "the same feed as before, the same ETag"
        );

        domain::cancel(&db, &lotte_a, all[3].id, Scope::This)
            .await
            .unwrap();
        let cancelled = feed().await;
        assert!(cancelled.body.contains("STATUS:CANCELLED"), "a cancellation");
        etags.push(cancelled.etag.clone());

        domain::schedule(
            &db,
            &actor(&db, &other_lotte).await,
            other,
            domain::parse_input(&raw("Elders", Utc::now().date_naive() + Duration::days(9))).unwrap(),
        )
        .await
        .unwrap();
        let unrelated = feed().await;
        assert!(!unrelated.body.contains("Elders"));
        networks::add_member(&db, other, sofie.id, NetworkRole::Coach, None)
            .await
            .unwrap();
        let joined = feed().await;
        assert!(joined.body.contains("Elders"), "a new membership");
        etags.push(joined.etag.clone());

        app::networks::members::remove_member(&db, &lotte_a, net, sofie.id)
            .await
            .unwrap();
        let left = feed().await;
        assert!(!left.body.contains("Intervisie"), "a membership ended");
        assert_eq!(events(&left), 1);
        etags.push(left.etag.clone());

        let unique: std::collections::HashSet<&String> = etags.iter().collect();
        assert_eq!(
            unique.len(),
            etags.len(),
            "each change has its own ETag: {etags:?}"
        );

        // A retired secret is refused even though its feed is cached.
        let fresh = feeds::regenerate(&db, sofie.id).await.unwrap();
        assert_eq!(
            feeds::personal_cached(&db, &cache, &token, &base())
                .await
                .unwrap_err(),
            AppError::NotFound
        );
        assert_eq!(
            feeds::personal_cached(&db, &cache, &fresh, &base())
                .await
                .unwrap()
                .body,
            left.body
        );

        // The network feed: cached, for members only, and current.
        let net_feed = feeds::network_cached(&db, &cache, &fresh, "retie", &base())
            .await
            .unwrap();
        assert!(net_feed.body.contains("Elders"));
        assert_eq!(
            feeds::network_cached(&db, &cache, &fresh, "mechelen", &base())
                .await
                .unwrap_err(),
            AppError::NotFound,
            "no longer a member"
        );
    }
);

on_both_databases!(
    live_phases_attendance_and_hours,
    |db: DatabaseConnection| async move {
        let (net, lotte) = network(&db, "herenthout").await;
        let lotte_a = actor(&db, &lotte).await;
        let (sofie, sofie_a) = member(&db, net, "sofie@example.be", NetworkRole::Coach).await;
        let shipped = methods::for_network(&db, &lotte_a, net, false).await.unwrap();
        assert!(shipped.len() >= 3 && shipped.iter().all(|m| m.shipped));
        let incident = shipped
            .iter()
            .find(|m| m.phases.len() >= 5)
            .expect("the incident method");
        let day = Utc::now().date_naive() - Duration::days(2);
        let mut form = raw("Intervisie", day);
        form.method = incident.id.to_string();
        let id = domain::schedule(&db, &lotte_a, net, domain::parse_input(&form).unwrap())
            .await
            .unwrap()
            .first_session;

        assert_eq!(
            domain::live(&db, &sofie_a, id, LiveCommand::Start)
                .await
                .unwrap_err(),
            AppError::NotFound
        );
        assert_eq!(
            domain::live(&db, &lotte_a, id, LiveCommand::Start).await.unwrap(),
            Some(0)
        );
        assert_eq!(
            domain::live(&db, &lotte_a, id, LiveCommand::Next).await.unwrap(),
            Some(1)
        );
        let state = domain::live_state(&db, &sofie_a, id).await.unwrap();
        assert_eq!(
            (state.phase, state.phase_count),
            (Some(1), incident.phases.len() as u32)
        );
        assert_eq!(
            domain::live(&db, &lotte_a, id, LiveCommand::Finish)
                .await
                .unwrap(),
            None
        );
        assert!(domain::live_state(&db, &sofie_a, id).await.unwrap().finished);

        domain::record_attendance(&db, &lotte_a, id, &[sofie.id], "# Verslag\n\nGoed gesprek.")
            .await
            .unwrap();
        let (stranger_net, stranger) = network(&db, "elders").await;
        let _ = stranger_net;
        assert_eq!(
            domain::record_attendance(&db, &lotte_a, id, &[stranger.id], "")
                .await
                .unwrap_err(),
            AppError::NotFound,
            "only people who may come are recorded"
        );
        let view = domain::session_view(&db, &sofie_a, id, false).await.unwrap();
        assert!(view.minutes_html.contains("<h1>Verslag</h1>"));
        let hours = domain::hours(&db, &sofie, Some(day.year())).await.unwrap();
        assert_eq!(hours.rows.len(), 1);
        assert_eq!(hours.total_minutes, 120);
        let csv = domain::hours_csv(
            &hours,
            |_| "Intervisie".into(),
            ["Datum", "Titel", "Soort", "Netwerk", "Uren"],
        );
        assert!(csv.contains("\"2,00\""), "{csv}");
        assert!(
            domain::hours(&db, &lotte, Some(day.year()))
                .await
                .unwrap()
                .rows
                .is_empty()
        );
    }
);

on_both_databases!(
    methods_are_copied_and_edited_per_network,
    |db: DatabaseConnection| async move {
        let (net, lotte) = network(&db, "mechelen").await;
        let lotte_a = actor(&db, &lotte).await;
        let (other, other_lotte) = network(&db, "brugge").await;
        let other_a = actor(&db, &other_lotte).await;
        let shipped = methods::for_network(&db, &lotte_a, net, true).await.unwrap();
        let source = &shipped[0];
        let copy = methods::copy(&db, &lotte_a, net, source.id, false).await.unwrap();
        let phases = vec![
            PhaseView {
                name: "Inbreng".into(),
                guidance: "De inbrenger vertelt.".into(),
                minutes: 10,
                contributors: vec!["case_owner".into()],
            },
            PhaseView {
                name: "Advies".into(),
                guidance: "Iedereen geeft advies.".into(),
                minutes: 20,
                contributors: vec!["participants".into(), "expert".into()],
            },
        ];
        methods::update(&db, &lotte_a, copy, "Onze methode", "Kort", phases.clone())
            .await
            .unwrap();
        let ours = methods::for_network(&db, &lotte_a, net, false).await.unwrap();
        let mine = ours.iter().find(|m| m.id == copy).unwrap();
        assert_eq!(
            (mine.name.as_str(), mine.phases.len(), mine.shipped),
            ("Onze methode", 2, false)
        );
        assert!(
            !methods::for_network(&db, &other_a, other, false)
                .await
                .unwrap()
                .iter()
                .any(|m| m.id == copy)
        );
        assert_eq!(
            methods::update(&db, &other_a, copy, "Overgenomen", "", phases.clone())
                .await
                .unwrap_err(),
            AppError::NotFound
        );
        assert_eq!(
            methods::copy(&db, &other_a, other, copy, false)
                .await
                .unwrap_err(),
            AppError::NotFound
        );
        assert_eq!(
            methods::update(&db, &lotte_a, source.id, "Gewijzigd", "", phases)
                .await
                .unwrap_err(),
            AppError::NotFound,
            "shipped methods are copied, never changed"
        );
        // Another network's method cannot be used for a session either.
        let mut form = raw("Intervisie", Utc::now().date_naive() + Duration::days(3));
        form.method = copy.to_string();
        assert_eq!(
            domain::schedule(&db, &other_a, other, domain::parse_input(&form).unwrap())
                .await
                .unwrap_err(),
            AppError::invalid(Field::Method, Problem::Malformed)
        );
    }
);

on_both_databases!(
    guest_networks_see_and_answer_others_do_not,
    |db: DatabaseConnection| async move {
        let (host, lotte) = network(&db, "kempen").await;
        let (guest, _) = network(&db, "mol").await;
        let (outside, _) = network(&db, "oostende").await;
        let (_, guest_coach) = member(&db, guest, "jan@example.be", NetworkRole::Coach).await;
        let (_, outsider) = member(&db, outside, "els@example.be", NetworkRole::Coach).await;
        let mut form = raw("Supralokaal lerend netwerk", first_tuesday_of_september());
        form.kind = "learning_network".into();
        // The host itself among the guests is ignored.
        form.guests = vec![guest, host];
        let done = domain::schedule(
            &db,
            &actor(&db, &lotte).await,
            host,
            domain::parse_input(&form).unwrap(),
        )
        .await
        .unwrap();
        let id = done.first_session;

        let seen = domain::session_view(&db, &guest_coach, id, false).await.unwrap();
        assert_eq!(seen.guests, vec!["mol".to_owned()]);
        assert!(seen.may_rsvp, "a guest network's coach may answer");
        answers::answer_session(&db, &guest_coach, id, Answer::Going)
            .await
            .unwrap();
        let upcoming = domain::my_upcoming(&db, &guest_coach).await.unwrap();
        assert!(upcoming.iter().any(|(_, s)| s.id == id));

        // A third network: not readable, not answerable, not listed — as if missing.
        assert_eq!(
            domain::session_view(&db, &outsider, id, false).await.unwrap_err(),
            AppError::NotFound
        );
        assert_eq!(
            answers::answer_session(&db, &outsider, id, Answer::Going)
                .await
                .unwrap_err(),
            AppError::NotFound
        );
        let upcoming = domain::my_upcoming(&db, &outsider).await.unwrap();
        assert!(upcoming.iter().all(|(_, s)| s.id != id));

        // Guests that do not exist are refused, with nothing scheduled.
        let mut bad = raw("Nog een", first_tuesday_of_september());
        bad.guests = vec![guest, 999_999];
        assert_eq!(
            domain::schedule(
                &db,
                &actor(&db, &lotte).await,
                host,
                domain::parse_input(&bad).unwrap(),
            )
            .await
            .unwrap_err(),
            AppError::NotFound
        );
    }
);
