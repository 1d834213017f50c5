//! RFC 5545 calendar feeds (webcal subscriptions in Outlook, Google,
//! Apple and Thunderbird).
//!
//! Events are written with the `icalendar` crate, which escapes TEXT values
//! and folds lines at 75 octets. Around it this module adds what the crate
//! lacks: a fixed order of the calendar properties, `VTIMEZONE` components
//! (Outlook ignores a TZID without one) and clean text (the crate escapes
//! newlines but passes carriage returns and other control characters
//! through, which would break the content lines).
//!
//! Times are written as local time with a TZID (`DTSTART;TZID=Europe/Brussels:
//! 20260707T133000`), so that clients show "13:30" all year round, for the
//! zones whose rules this module can describe exactly: those on the EU
//! daylight-saving rule (see [`eu_rule`]). An event in any other zone, or at
//! an instant where the zone's real offset differs from the described rule
//! (e.g. before 1996, or after a future change of the EU rule in the time
//! zone database), is written in UTC (`...Z`), which is never wrong.

use std::borrow::Cow;
use std::fmt::{self, Write as _};

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Offset, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use icalendar::{Component, DatePerhapsTime, Event, EventLike, EventStatus, Property};

/// One meeting in a feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedEvent {
    /// Globally unique and stable across renders (e.g. `session-42@host`),
    /// so that clients update the event instead of duplicating it.
    pub uid: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// The zone the meeting was planned in; its local times are shown.
    pub zone: Tz,
    pub title: String,
    pub description: String,
    /// The place, if any.
    pub location: Option<String>,
    pub online_link: Option<String>,
    /// The meeting's page.
    pub url: String,
    pub cancelled: bool,
    /// Raised on every change, so that clients replace their copy.
    pub sequence: u32,
    pub updated_at: DateTime<Utc>,
}

/// The `Content-Type` of a feed.
pub fn content_type() -> &'static str {
    "text/calendar; charset=utf-8"
}

/// The zone named in `X-WR-TIMEZONE` when a feed has no events.
const DEFAULT_TZ: Tz = chrono_tz::Europe::Brussels;

/// A zone on the EU daylight-saving rule (since 1996): summer time from
/// 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of
/// October, one hour ahead of standard time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct EuRule {
    /// Standard time offset from UTC, in hours.
    standard_hours: i32,
    standard_name: &'static str,
    summer_name: &'static str,
}

const CENTRAL: EuRule = EuRule {
    standard_hours: 1,
    standard_name: "CET",
    summer_name: "CEST",
};
const EASTERN: EuRule = EuRule {
    standard_hours: 2,
    standard_name: "EET",
    summer_name: "EEST",
};
const WESTERN: EuRule = EuRule {
    standard_hours: 0,
    standard_name: "WET",
    summer_name: "WEST",
};
const BRITISH: EuRule = EuRule {
    standard_hours: 0,
    standard_name: "GMT",
    summer_name: "BST",
};
const IRISH: EuRule = EuRule {
    standard_hours: 0,
    standard_name: "GMT",
    summer_name: "IST",
};

/// The zones whose VTIMEZONE this module writes: the European zones on the
/// EU rule. The test `eu_rule_matches_the_time_zone_database` checks every
/// one against chrono-tz.
fn eu_rule(zone: Tz) -> Option<EuRule> {
    use Tz::*;
    match zone {
        Europe__Amsterdam | Europe__Andorra | Europe__Belgrade | Europe__Berlin | Europe__Bratislava
        | Europe__Brussels | Europe__Budapest | Europe__Busingen | Europe__Copenhagen | Europe__Gibraltar
        | Europe__Ljubljana | Europe__Luxembourg | Europe__Madrid | Europe__Malta | Europe__Monaco
        | Europe__Oslo | Europe__Paris | Europe__Podgorica | Europe__Prague | Europe__Rome
        | Europe__San_Marino | Europe__Sarajevo | Europe__Skopje | Europe__Stockholm | Europe__Tirane
        | Europe__Vaduz | Europe__Vatican | Europe__Vienna | Europe__Warsaw | Europe__Zagreb
        | Europe__Zurich | Arctic__Longyearbyen => Some(CENTRAL),
        Europe__Athens | Europe__Bucharest | Europe__Helsinki | Europe__Kyiv | Europe__Mariehamn
        | Europe__Riga | Europe__Sofia | Europe__Tallinn | Europe__Vilnius => Some(EASTERN),
        Europe__Lisbon | Atlantic__Canary | Atlantic__Faroe | Atlantic__Madeira => Some(WESTERN),
        Europe__London | Europe__Guernsey | Europe__Isle_of_Man | Europe__Jersey => Some(BRITISH),
        Europe__Dublin => Some(IRISH),
        _ => None,
    }
}

fn last_sunday(year: i32, month: u32) -> Option<NaiveDate> {
    let last = NaiveDate::from_ymd_opt(year, month, 31)?;
    Some(last - TimeDelta::days(i64::from(last.weekday().num_days_from_sunday())))
}

impl EuRule {
    /// The UTC offset (seconds) the rule gives at `at`.
    fn offset_at(self, at: DateTime<Utc>) -> Option<i32> {
        let year = at.year();
        let change = |month| Some(last_sunday(year, month)?.and_hms_opt(1, 0, 0)?.and_utc());
        let summer = change(3)? <= at && at < change(10)?;
        Some((self.standard_hours + i32::from(summer)) * 3600)
    }

    fn write_vtimezone(self, out: &mut String, zone: Tz) -> fmt::Result {
        let standard = self.standard_hours;
        let summer = standard + 1;
        let name = zone.name();
        // The changes happen at 01:00 UTC, written in the local time before
        // the change; 1970 is the customary start of the observance.
        write!(
            out,
            "BEGIN:VTIMEZONE\r\n\
             TZID:{name}\r\n\
             X-LIC-LOCATION:{name}\r\n\
             BEGIN:STANDARD\r\n\
             TZOFFSETFROM:{summer:+03}00\r\n\
             TZOFFSETTO:{standard:+03}00\r\n\
             TZNAME:{standard_name}\r\n\
             DTSTART:19701025T{end:02}0000\r\n\
             RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n\
             END:STANDARD\r\n\
             BEGIN:DAYLIGHT\r\n\
             TZOFFSETFROM:{standard:+03}00\r\n\
             TZOFFSETTO:{summer:+03}00\r\n\
             TZNAME:{summer_name}\r\n\
             DTSTART:19700329T{begin:02}0000\r\n\
             RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n\
             END:DAYLIGHT\r\n\
             END:VTIMEZONE\r\n",
            standard_name = self.standard_name,
            summer_name = self.summer_name,
            end = 1 + summer,
            begin = 1 + standard,
        )
    }
}

/// The local time of `at` in `zone` if a client reading our VTIMEZONE gets
/// the same instant back: the zone is described, its real offset at `at`
/// is the described one, and the local time is not the second (later) pass
/// through an autumn overlap, which a TZID time cannot name (RFC 5545 takes
/// the first).
fn describable_local(at: DateTime<Utc>, zone: Tz) -> Option<NaiveDateTime> {
    let rule = eu_rule(zone)?;
    let local = at.with_timezone(&zone);
    if rule.offset_at(at)? != local.offset().fix().local_minus_utc() {
        return None;
    }
    let naive = local.naive_local();
    (zone.from_local_datetime(&naive).earliest() == Some(local)).then_some(naive)
}

/// Text safe for a content line. The crate escapes `\`, `,`, `;` and LF in
/// TEXT values but not CR or other control characters. With `multiline`,
/// CRLF and lone CR become LF (escaped as `\n` later) and tabs stay; without
/// it (names, URIs), line breaks and tabs become spaces. Other control
/// characters are dropped. Borrows when there is nothing to change.
fn clean(text: &str, multiline: bool) -> Cow<'_, str> {
    let unsafe_char = |c: char| c.is_control() && !(multiline && (c == '\n' || c == '\t'));
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut after_cr = false;
    for c in text.chars() {
        let was_cr = after_cr;
        after_cr = c == '\r';
        match c {
            '\n' if was_cr => {}
            '\r' | '\n' if multiline => out.push('\n'),
            '\t' if multiline => out.push('\t'),
            '\r' | '\n' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn non_blank(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

/// The description, then (after a blank line) the online link and the
/// page, each on its own line: clients that do not show URL or LOCATION
/// still show where to go.
fn description(event: &FeedEvent) -> String {
    let body = clean(event.description.trim_end(), true);
    let online = non_blank(event.online_link.as_deref()).map(|l| clean(l, false));
    let url = non_blank(Some(&event.url)).map(|u| clean(u, false));
    let links = [online, url];
    let links_len: usize = links.iter().flatten().map(|l| l.len() + 1).sum();
    let mut text = String::with_capacity(body.len() + 2 + links_len);
    text.push_str(&body);
    let mut separator = if body.is_empty() { "" } else { "\n\n" };
    for link in links.iter().flatten() {
        text.push_str(separator);
        text.push_str(link);
        separator = "\n";
    }
    text
}

fn push_property(out: &mut String, property: Property) -> fmt::Result {
    let line: String = property.try_into()?;
    out.push_str(&line);
    Ok(())
}

fn write_event(
    out: &mut String,
    event: &FeedEvent,
    local: Option<(NaiveDateTime, NaiveDateTime)>,
) -> fmt::Result {
    let (starts, ends): (DatePerhapsTime, DatePerhapsTime) = match local {
        Some((starts, ends)) => ((starts, event.zone).into(), (ends, event.zone).into()),
        None => (event.starts_at.into(), event.ends_at.into()),
    };
    let mut vevent = Event::new();
    vevent
        .uid(&clean(&event.uid, false))
        .timestamp(event.updated_at)
        .last_modified(event.updated_at)
        .sequence(event.sequence)
        .starts(starts)
        .summary(&clean(&event.title, false))
        .description(&description(event))
        .status(if event.cancelled {
            EventStatus::Cancelled
        } else {
            EventStatus::Confirmed
        });
    // A DTEND not after DTSTART is invalid; without it the event is a
    // moment (RFC 5545 3.6.1), which clients still show.
    if event.ends_at > event.starts_at {
        vevent.ends(ends);
    }
    if let Some(url) = non_blank(Some(&event.url)) {
        vevent.url(&clean(url, false));
    }
    if let Some(location) =
        non_blank(event.location.as_deref()).or_else(|| non_blank(event.online_link.as_deref()))
    {
        vevent.location(&clean(location, false));
    }
    vevent.fmt_write(out)
}

fn write_feed(out: &mut String, calendar_name: &str, events: &[FeedEvent]) -> fmt::Result {
    // Local times per event (both ends, or UTC for both), decided first
    // because the VTIMEZONEs come before the events.
    let local: Vec<Option<(NaiveDateTime, NaiveDateTime)>> = events
        .iter()
        .map(|e| {
            Some((
                describable_local(e.starts_at, e.zone)?,
                describable_local(e.ends_at, e.zone)?,
            ))
        })
        .collect();
    let primary = events.first().map_or(DEFAULT_TZ, |e| e.zone);
    let mut zones: Vec<Tz> = Vec::new();
    if eu_rule(primary).is_some() {
        zones.push(primary);
    }
    for (event, local) in events.iter().zip(&local) {
        if local.is_some() && !zones.contains(&event.zone) {
            zones.push(event.zone);
        }
    }

    out.push_str(
        "BEGIN:VCALENDAR\r\n\
         VERSION:2.0\r\n\
         PRODID:-//Kring//Kring//NL\r\n\
         CALSCALE:GREGORIAN\r\n\
         METHOD:PUBLISH\r\n",
    );
    push_property(out, Property::new("X-WR-CALNAME", clean(calendar_name, false)))?;
    push_property(out, Property::new("X-WR-TIMEZONE", primary.name()))?;
    // Subscribed calendars are polled; an hour keeps changes visible the
    // same day without hammering the server.
    out.push_str(
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n\
         X-PUBLISHED-TTL:PT1H\r\n",
    );
    for zone in zones {
        if let Some(rule) = eu_rule(zone) {
            rule.write_vtimezone(out, zone)?;
        }
    }
    for (event, local) in events.iter().zip(local) {
        write_event(out, event, local)?;
    }
    out.push_str("END:VCALENDAR\r\n");
    Ok(())
}

/// The feed: a VCALENDAR (METHOD:PUBLISH) named `calendar_name` with a
/// VTIMEZONE per zone used and a VEVENT per event, CRLF line endings.
///
/// A feed without events still holds the VTIMEZONE of Europe/Brussels,
/// which keeps it valid (RFC 5545 requires at least one component) and
/// lets clients subscribe before the first meeting is planned.
///
/// DTSTAMP is the event's `updated_at`, not the time of the request, so
/// that the same data always renders to the same bytes (cache-friendly).
pub fn render(calendar_name: &str, events: &[FeedEvent]) -> String {
    let mut out = String::with_capacity(1_024 + events.len() * 1_024);
    let written = write_feed(&mut out, calendar_name, events);
    // Writing into a String cannot fail; the crate's API only says fmt::Result.
    debug_assert!(written.is_ok());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sessions::recurrence;
    use chrono::NaiveTime;
    use icalendar::parser::{read_calendar, unfold};
    use std::str::FromStr;

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    fn event(id: u32, starts_at: DateTime<Utc>) -> FeedEvent {
        FeedEvent {
            uid: format!("session-{id}@kring.example"),
            starts_at,
            ends_at: starts_at + TimeDelta::minutes(150),
            zone: chrono_tz::Europe::Brussels,
            title: format!("Intervisie {id}"),
            description: "Netwerk Gent".to_owned(),
            location: Some("Lokaal 1.02".to_owned()),
            online_link: None,
            url: format!("https://kring.example/sessions/{id}"),
            cancelled: false,
            sequence: 0,
            updated_at: utc(2026, 6, 1, 8, 0),
        }
    }

    /// The VEVENTs of a feed, parsed back by the crate.
    fn parsed_events(feed: &str) -> Vec<Event> {
        icalendar::Calendar::from_str(feed)
            .unwrap()
            .events()
            .cloned()
            .collect()
    }

    fn param<'a>(prop: &'a icalendar::parser::Property<'a>, key: &str) -> Option<&'a str> {
        prop.params
            .iter()
            .find(|p| p.key.as_str() == key)
            .and_then(|p| p.val.as_ref())
            .map(|v| v.as_str())
    }

    #[test]
    fn content_type_is_calendar_utf8() {
        assert_eq!(content_type(), "text/calendar; charset=utf-8");
    }

    #[test]
    fn default_zone_is_the_recurrence_default() {
        assert_eq!(DEFAULT_TZ.name(), recurrence::DEFAULT_ZONE);
    }

    #[test]
    fn calendar_header() {
        let feed = render("Kring: Netwerk Gent", &[event(1, utc(2026, 7, 7, 11, 30))]);
        assert!(feed.starts_with(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Kring//Kring//NL\r\nCALSCALE:GREGORIAN\r\n\
             METHOD:PUBLISH\r\nX-WR-CALNAME:Kring: Netwerk Gent\r\nX-WR-TIMEZONE:Europe/Brussels\r\n\
             REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\nX-PUBLISHED-TTL:PT1H\r\nBEGIN:VTIMEZONE\r\n"
        ));
        assert!(feed.ends_with("END:VEVENT\r\nEND:VCALENDAR\r\n"));
    }

    #[test]
    fn every_event_has_the_required_properties() {
        let events: Vec<FeedEvent> = (0..20)
            .map(|i| event(i, utc(2026, 1, 6, 12, 30) + TimeDelta::weeks(i64::from(i))))
            .collect();
        let feed = render("Feed", &events);
        let unfolded = unfold(&feed);
        let calendar = read_calendar(&unfolded).unwrap();
        let vevents: Vec<_> = calendar
            .components
            .iter()
            .filter(|c| c.name.as_str() == "VEVENT")
            .collect();
        assert_eq!(vevents.len(), 20);
        for (vevent, source) in vevents.iter().zip(&events) {
            for key in ["DTSTART", "DTEND"] {
                let prop = vevent.find_prop(key).unwrap();
                assert_eq!(param(prop, "TZID"), Some("Europe/Brussels"), "{key}");
                assert!(!prop.val.as_str().ends_with('Z'));
            }
            assert_eq!(vevent.find_prop("UID").unwrap().val.as_str(), source.uid);
            assert_eq!(
                vevent.find_prop("DTSTAMP").unwrap().val.as_str(),
                "20260601T080000Z"
            );
            assert_eq!(
                vevent.find_prop("LAST-MODIFIED").unwrap().val.as_str(),
                "20260601T080000Z"
            );
            assert_eq!(vevent.find_prop("SEQUENCE").unwrap().val.as_str(), "0");
            assert_eq!(vevent.find_prop("STATUS").unwrap().val.as_str(), "CONFIRMED");
            assert_eq!(vevent.find_prop("URL").unwrap().val.as_str(), source.url);
        }
        // High-level view: the crate turns the local times back into the instants.
        for (parsed, source) in parsed_events(&feed).iter().zip(&events) {
            let start = parsed.get_start().unwrap();
            let icalendar::DatePerhapsTime::DateTime(start) = start else {
                panic!("not a date-time")
            };
            assert_eq!(start.try_into_utc(), Some(source.starts_at));
            assert_eq!(parsed.get_summary(), Some(source.title.as_str()));
        }
    }

    #[test]
    fn local_times_in_summer_and_winter() {
        let feed = render(
            "Feed",
            &[
                event(1, utc(2026, 7, 7, 11, 30)),
                event(2, utc(2026, 12, 1, 12, 30)),
            ],
        );
        assert!(feed.contains("DTSTART;TZID=Europe/Brussels:20260707T133000\r\n"));
        assert!(feed.contains("DTEND;TZID=Europe/Brussels:20260707T160000\r\n"));
        assert!(feed.contains("DTSTART;TZID=Europe/Brussels:20261201T133000\r\n"));
        assert!(feed.contains("DTEND;TZID=Europe/Brussels:20261201T160000\r\n"));
    }

    #[test]
    fn series_from_recurrence_shows_the_same_local_time() {
        let meetings = recurrence::expand(&recurrence::SeriesRule {
            pattern: recurrence::Pattern::MonthlyNthWeekday {
                nth: 1,
                weekday: chrono::Weekday::Tue,
            },
            first_day: NaiveDate::from_ymd_opt(2026, 9, 1).unwrap(),
            last_day: NaiveDate::from_ymd_opt(2027, 6, 30).unwrap(),
            start_time: NaiveTime::from_hms_opt(13, 30, 0).unwrap(),
            end_time: NaiveTime::from_hms_opt(16, 0, 0).unwrap(),
            zone: chrono_tz::Europe::Brussels,
            exceptions: Vec::new(),
        })
        .unwrap();
        let events: Vec<FeedEvent> = meetings
            .iter()
            .zip(1..)
            .map(|(m, i)| event(i, m.starts_at))
            .collect();
        let feed = render("Feed", &events);
        for m in &meetings {
            let line = format!(
                "DTSTART;TZID=Europe/Brussels:{}T133000\r\n",
                m.day.format("%Y%m%d")
            );
            assert!(feed.contains(&line), "{line}");
        }
    }

    #[test]
    fn vtimezone_is_present_once_and_describes_cet() {
        let events: Vec<FeedEvent> = (0..5)
            .map(|i| event(i, utc(2026, 3, 1, 12, 30) + TimeDelta::weeks(i64::from(i))))
            .collect();
        let feed = render("Feed", &events);
        assert_eq!(feed.matches("BEGIN:VTIMEZONE\r\n").count(), 1);
        let expected = "BEGIN:VTIMEZONE\r\nTZID:Europe/Brussels\r\nX-LIC-LOCATION:Europe/Brussels\r\n\
            BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\n\
            DTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n\
            BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\n\
            DTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n\
            END:VTIMEZONE\r\n";
        assert!(feed.contains(expected), "{feed}");
        // Before the first event, and parsed as a component with two children.
        assert!(feed.find("BEGIN:VTIMEZONE").unwrap() < feed.find("BEGIN:VEVENT").unwrap());
        let unfolded = unfold(&feed);
        let calendar = read_calendar(&unfolded).unwrap();
        let vtimezones: Vec<_> = calendar
            .components
            .iter()
            .filter(|c| c.name.as_str() == "VTIMEZONE")
            .collect();
        assert_eq!(vtimezones.len(), 1);
        assert_eq!(vtimezones[0].components.len(), 2);
        assert!(vtimezones[0].find_prop("DTSTAMP").is_none());
    }

    #[test]
    fn other_eu_zones_get_their_own_vtimezone() {
        let mut london = event(2, utc(2026, 7, 7, 12, 30));
        london.zone = chrono_tz::Europe::London;
        let mut helsinki = event(3, utc(2026, 1, 7, 12, 30));
        helsinki.zone = chrono_tz::Europe::Helsinki;
        let feed = render("Feed", &[event(1, utc(2026, 7, 7, 11, 30)), london, helsinki]);
        assert_eq!(feed.matches("BEGIN:VTIMEZONE\r\n").count(), 3);
        assert!(feed.contains("TZID:Europe/London\r\n"));
        assert!(feed.contains("TZNAME:BST\r\n"));
        assert!(feed.contains("DTSTART;TZID=Europe/London:20260707T133000\r\n"));
        // London changes at 01:00 local (GMT) in March, 02:00 local (BST) in October.
        assert!(feed.contains("DTSTART:19700329T010000\r\n"));
        assert!(feed.contains("DTSTART:19701025T020000\r\n"));
        assert!(feed.contains("TZOFFSETFROM:+0000\r\n"));
        assert!(feed.contains("DTSTART;TZID=Europe/Helsinki:20260107T143000\r\n"));
        assert!(feed.contains("TZOFFSETTO:+0300\r\n"));
    }

    #[test]
    fn zones_without_a_description_fall_back_to_utc() {
        let mut new_york = event(1, utc(2026, 7, 7, 17, 30));
        new_york.zone = chrono_tz::America::New_York;
        let feed = render("Feed", &[event(2, utc(2026, 7, 7, 11, 30)), new_york]);
        assert_eq!(feed.matches("BEGIN:VTIMEZONE\r\n").count(), 1);
        assert!(!feed.contains("America/New_York"));
        assert!(feed.contains("DTSTART:20260707T173000Z\r\n"));
        assert!(feed.contains("DTEND:20260707T200000Z\r\n"));
        // A New York first event names its zone in X-WR-TIMEZONE, without VTIMEZONE.
        let mut only = event(1, utc(2026, 7, 7, 17, 30));
        only.zone = chrono_tz::America::New_York;
        let feed = render("Feed", &[only]);
        assert!(feed.contains("X-WR-TIMEZONE:America/New_York\r\n"));
        assert!(!feed.contains("BEGIN:VTIMEZONE"));
        assert!(feed.contains("DTSTART:20260707T173000Z\r\n"));
    }

    #[test]
    fn instants_the_rule_cannot_name_fall_back_to_utc() {
        // 1980: Belgium changed on other dates than today's EU rule.
        let feed = render("Feed", &[event(1, utc(1980, 9, 30, 11, 30))]);
        assert!(feed.contains("DTSTART:19800930T113000Z\r\n"), "{feed}");
        // The second 02:30 of 2026-10-25 (00:30 UTC is the first).
        let first = event(1, utc(2026, 10, 25, 0, 30));
        let second = event(2, utc(2026, 10, 25, 1, 30));
        let feed = render("Feed", &[first, second]);
        assert!(feed.contains("DTSTART;TZID=Europe/Brussels:20261025T023000\r\n"));
        assert!(feed.contains("DTSTART:20261025T013000Z\r\n"));
        let starts: Vec<_> = parsed_events(&feed)
            .iter()
            .map(|e| e.get_start().unwrap())
            .collect();
        let local = NaiveDate::from_ymd_opt(2026, 10, 25)
            .unwrap()
            .and_hms_opt(2, 30, 0)
            .unwrap();
        assert_eq!(
            starts,
            vec![
                icalendar::DatePerhapsTime::DateTime(icalendar::CalendarDateTime::WithTimezone {
                    date_time: local,
                    tzid: "Europe/Brussels".to_owned(),
                }),
                icalendar::DatePerhapsTime::DateTime(icalendar::CalendarDateTime::Utc(utc(
                    2026, 10, 25, 1, 30
                ))),
            ]
        );
    }

    #[test]
    fn eu_rule_matches_the_time_zone_database() {
        let zones = chrono_tz::TZ_VARIANTS.iter().filter(|z| eu_rule(**z).is_some());
        let mut checked = 0;
        for zone in zones {
            let Some(rule) = eu_rule(*zone) else { continue };
            checked += 1;
            for year in 2003..=2037 {
                let mut instants = vec![utc(year, 1, 15, 12, 0), utc(year, 7, 15, 12, 0)];
                for month in [3, 10] {
                    let change = last_sunday(year, month)
                        .unwrap()
                        .and_hms_opt(1, 0, 0)
                        .unwrap()
                        .and_utc();
                    instants.extend([
                        change - TimeDelta::minutes(1),
                        change,
                        change + TimeDelta::minutes(1),
                    ]);
                }
                for at in instants {
                    let real = at.with_timezone(zone).offset().fix().local_minus_utc();
                    assert_eq!(rule.offset_at(at), Some(real), "{zone} at {at}");
                }
            }
        }
        assert!(checked >= 40, "{checked}");
    }

    #[test]
    fn text_is_escaped_and_round_trips() {
        let mut e = event(1, utc(2026, 7, 7, 11, 30));
        e.title = "Intervisie; casus, \"moeilijk\" gesprek\\ deel 2".to_owned();
        e.description =
            "Agenda:\r\n1. Inleiding, kennismaking; verwachtingen\n2. Casus\\bespreking\r3. Afsluiting\u{7}"
                .to_owned();
        e.location = Some("Zaal Één, 2de verdieping; ingang Kerkstraat".to_owned());
        e.online_link = Some("https://meet.example/abc?x=1,2;y".to_owned());
        let feed = render("Netwerk \"Gent\", Oost; West\r\nnieuw", &[e.clone()]);
        assert!(feed.contains("SUMMARY:Intervisie\\; casus\\, \"moeilijk\" gesprek\\\\ deel 2\r\n"));
        assert!(feed.contains("X-WR-CALNAME:Netwerk \"Gent\"\\, Oost\\; West nieuw\r\n"));
        assert!(!feed.contains('\u{7}'));
        let parsed = parsed_events(&feed);
        assert_eq!(parsed[0].get_summary(), Some(e.title.as_str()));
        assert_eq!(
            parsed[0].get_description(),
            Some(
                "Agenda:\n1. Inleiding, kennismaking; verwachtingen\n2. Casus\\bespreking\n3. Afsluiting\n\n\
                 https://meet.example/abc?x=1,2;y\nhttps://kring.example/sessions/1"
            )
        );
        assert_eq!(parsed[0].get_location(), e.location.as_deref());
        let calendar = icalendar::Calendar::from_str(&feed).unwrap();
        assert_eq!(calendar.get_name(), Some("Netwerk \"Gent\", Oost; West nieuw"));
    }

    #[test]
    fn long_dutch_text_is_folded_at_75_octets() {
        let mut e = event(1, utc(2026, 7, 7, 11, 30));
        e.title = "Intervisie voor zorgverleners: één casus, vele perspectieven — reflectie op ethische \
                   dilemma's in de thuiszorg en de eerstelijnszorg"
            .to_owned();
        e.description = "Wij bespreken een casus uit de praktijk. Breng gerust een eigen situatie mee; \
            vertrouwelijkheid is gegarandeerd. Denk aan: ‘Hoe ga ik om met een cliënt die zorg weigert?’, \
            of aan het overleg met collega’s over een moeilijke beslissing. Café, thee en koffiekoeken \
            voorzien. À bientôt — tot dan!\n\nPraktisch: parkeren kan achter het gebouw (ingang via de \
            Sint-Pietersnieuwstraat), fietsenstalling naast de inkom."
            .repeat(3);
        let feed = render("Feed", &[e.clone()]);
        assert!(feed.ends_with("\r\n"));
        for line in feed.split("\r\n") {
            assert!(line.len() <= 75, "{} octets: {line}", line.len());
            assert!(!line.contains('\n') && !line.contains('\r'));
        }
        assert!(feed.contains("\r\n "), "nothing was folded");
        let parsed = parsed_events(&feed);
        assert_eq!(parsed[0].get_summary(), Some(e.title.as_str()));
        assert!(
            parsed[0]
                .get_description()
                .unwrap()
                .starts_with(e.description.as_str())
        );
    }

    #[test]
    fn location_falls_back_to_the_online_link() {
        let mut e = event(1, utc(2026, 7, 7, 11, 30));
        e.location = Some("  ".to_owned());
        e.online_link = Some("https://meet.example/abc".to_owned());
        e.description = String::new();
        let parsed = parsed_events(&render("Feed", &[e]));
        assert_eq!(parsed[0].get_location(), Some("https://meet.example/abc"));
        assert_eq!(
            parsed[0].get_description(),
            Some("https://meet.example/abc\nhttps://kring.example/sessions/1")
        );
        let mut e = event(2, utc(2026, 7, 7, 11, 30));
        e.location = None;
        let parsed = parsed_events(&render("Feed", &[e]));
        assert_eq!(parsed[0].get_location(), None);
        assert_eq!(
            parsed[0].get_description(),
            Some("Netwerk Gent\n\nhttps://kring.example/sessions/2")
        );
    }

    #[test]
    fn degenerate_events_stay_valid() {
        let mut e = event(1, utc(2026, 7, 7, 11, 30));
        e.ends_at = e.starts_at;
        e.url = String::new();
        e.description = "  \n".to_owned();
        let feed = render("Feed", &[e]);
        assert!(!feed.contains("DTEND"));
        assert!(!feed.contains("URL"));
        let parsed = parsed_events(&feed);
        assert!(parsed[0].get_start().is_some());
        assert_eq!(parsed[0].get_description(), Some(""));
    }

    #[test]
    fn cancelled_events_say_so() {
        let mut e = event(1, utc(2026, 7, 7, 11, 30));
        e.cancelled = true;
        e.sequence = 3;
        let parsed = parsed_events(&render("Feed", &[e]));
        assert_eq!(parsed[0].get_status(), Some(EventStatus::Cancelled));
        assert_eq!(parsed[0].get_sequence(), Some(3));
    }

    #[test]
    fn empty_feed_is_a_valid_calendar() {
        let feed = render("Leeg", &[]);
        assert!(feed.starts_with("BEGIN:VCALENDAR\r\n"));
        assert!(feed.ends_with("END:VTIMEZONE\r\nEND:VCALENDAR\r\n"));
        assert!(feed.contains("X-WR-TIMEZONE:Europe/Brussels\r\n"));
        let unfolded = unfold(&feed);
        let calendar = read_calendar(&unfolded).unwrap();
        // RFC 5545 wants at least one component: the VTIMEZONE.
        assert_eq!(calendar.components.len(), 1);
        assert!(calendar.properties.iter().any(|p| p.name.as_str() == "VERSION"));
        let calendar = icalendar::Calendar::from_str(&feed).unwrap();
        assert_eq!(calendar.events().count(), 0);
        assert_eq!(calendar.get_name(), Some("Leeg"));
    }

    #[test]
    fn crlf_line_endings_only() {
        let feed = render("Feed", &[event(1, utc(2026, 7, 7, 11, 30))]);
        assert!(!feed.replace("\r\n", "").contains(['\r', '\n']));
    }

    #[test]
    fn rendering_is_deterministic() {
        let events = [
            event(1, utc(2026, 7, 7, 11, 30)),
            event(2, utc(2026, 12, 1, 12, 30)),
        ];
        assert_eq!(render("Feed", &events), render("Feed", &events));
    }

    #[test]
    fn clean_borrows_clean_text() {
        assert!(matches!(clean("gewone tekst", false), Cow::Borrowed(_)));
        assert!(matches!(clean("twee\nregels\tmet tab", true), Cow::Borrowed(_)));
        assert_eq!(clean("a\r\nb\rc\nd\te\u{0}f", true), "a\nb\nc\nd\tef");
        assert_eq!(clean("a\r\nb\rc\nd\te\u{0}f", false), "a b c d ef");
    }

    /// Run with `cargo test --release -p app --features ssr --lib
    /// ical::tests::timing -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn timing_500_event_feed() {
        let agenda =
            "Wij bespreken een casus uit de praktijk; breng gerust een eigen situatie mee. ".repeat(4);
        let long =
            "Wij bespreken een casus uit de praktijk; breng gerust een eigen situatie mee. ".repeat(26);
        for (label, text) in [("typical (300 chars)", agenda), ("long (2000 chars)", long)] {
            let events: Vec<FeedEvent> = (0..500)
                .map(|i| {
                    let mut e = event(i, utc(2026, 1, 6, 12, 30) + TimeDelta::days(i64::from(i)));
                    e.description = text.clone();
                    e.online_link = Some("https://meet.example/abc-def-ghi".to_owned());
                    e
                })
                .collect();
            let runs = 20u32;
            let started = std::time::Instant::now();
            let mut bytes = 0;
            for _ in 0..runs {
                bytes = std::hint::black_box(render("Feed", std::hint::black_box(&events))).len();
            }
            let each = started.elapsed() / runs;
            println!("500 events, {label}: {each:?} per render, {bytes} bytes");
        }
    }
}
