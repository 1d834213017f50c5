//! Recurrence of intervision meetings: a small set of patterns (weekly,
//! monthly on the nth weekday, monthly on a day of the month), stored as an
//! RFC 5545 RRULE body, expanded into concrete meetings with their UTC
//! instants.
//!
//! Expansion is split in two steps on purpose:
//!
//! 1. *Which days* — the `rrule` crate expands the pattern over the local
//!    calendar. It runs in UTC used as a "floating" calendar (every
//!    occurrence at 00:00), so it never meets a daylight-saving transition
//!    and the RFC 5545 rules (`BYDAY=-1FR`, `BYMONTHDAY=31`, `INTERVAL`)
//!    are the crate's, not ours.
//! 2. *Which instants* — each local day plus the local start and end time is
//!    converted to UTC with `chrono-tz`, with documented rules for the
//!    spring-forward gap and the autumn overlap (see [`local_to_utc`]).
//!
//! Letting `rrule` do the time zone work itself (DTSTART;TZID) would be
//! wrong at the edges: a DTSTART inside a gap or an overlap is rejected by
//! its parser, and its per-occurrence fallback goes through local midnight,
//! which silently drops meetings in zones whose transition is at midnight.

use chrono::{
    DateTime, Datelike, LocalResult, Months, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeDelta,
    TimeZone, Utc, Weekday,
};
use rrule::{Frequency, NWeekday, RRule, RRuleSet};
use serde::{Deserialize, Serialize};

/// The zone of a meeting when none is given.
pub const DEFAULT_ZONE: &str = "Europe/Brussels";

/// A series may span at most this many calendar years (first to last day):
/// long enough for a multi-year intervision group, short enough to keep
/// the number of generated meetings (and feed sizes) bounded.
pub const MAX_YEARS: u32 = 5;

/// Why a series cannot be expanded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecurrenceError {
    /// The end time is not after the start time (meetings do not cross midnight).
    #[error("the meeting must end after it starts")]
    EndBeforeStart,
    /// The last day is before the first day.
    #[error("the last day is before the first day")]
    LastBeforeFirst,
    /// The last day is more than [`MAX_YEARS`] years after the first day.
    #[error("a series may span at most {MAX_YEARS} years")]
    TooLong,
    /// A pattern field is out of range, or the days fall outside the years
    /// 1–9999 that iCalendar can express.
    #[error("invalid recurrence pattern")]
    BadPattern,
    /// Not an IANA time zone name.
    #[error("unknown time zone")]
    UnknownTimeZone,
    /// The rule (minus its exceptions) yields no meeting at all.
    #[error("the series has no meetings")]
    Empty,
}

/// Parses an IANA time zone name such as `Europe/Brussels` (surrounding
/// white space is ignored; the name itself is case-sensitive, as in the
/// IANA database).
pub fn parse_zone(name: &str) -> Result<chrono_tz::Tz, RecurrenceError> {
    name.trim()
        .parse::<chrono_tz::Tz>()
        .map_err(|_| RecurrenceError::UnknownTimeZone)
}

/// How a series repeats. Only the patterns intervision groups use, so that
/// every stored rule can be shown and edited in a simple form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Pattern {
    /// Every `interval` weeks (1..=4) on `weekday`. Weeks are counted from
    /// the (Monday-based) week of the first day, as in RFC 5545.
    Weekly { interval: u8, weekday: Weekday },
    /// Every month on the `nth` (1..=4) `weekday`, or the last one when
    /// `nth` is -1.
    MonthlyNthWeekday { nth: i8, weekday: Weekday },
    /// Every month on day `day` (1..=31). Months without that day (e.g. the
    /// 31st in April, or the 30th in February) are skipped, not moved to
    /// the month's last day, as RFC 5545 prescribes.
    MonthlyDay { day: u8 },
}

fn weekday_code(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "MO",
        Weekday::Tue => "TU",
        Weekday::Wed => "WE",
        Weekday::Thu => "TH",
        Weekday::Fri => "FR",
        Weekday::Sat => "SA",
        Weekday::Sun => "SU",
    }
}

fn parse_weekday_code(code: &str) -> Option<Weekday> {
    Some(match code {
        "MO" => Weekday::Mon,
        "TU" => Weekday::Tue,
        "WE" => Weekday::Wed,
        "TH" => Weekday::Thu,
        "FR" => Weekday::Fri,
        "SA" => Weekday::Sat,
        "SU" => Weekday::Sun,
        _ => return None,
    })
}

/// Splits a BYDAY value like `TU`, `1TU`, `+2WE` or `-1FR` into its ordinal
/// (None when absent) and weekday.
fn parse_byday(value: &str) -> Option<(Option<i8>, Weekday)> {
    let split = value.len().checked_sub(2)?;
    if !value.is_char_boundary(split) {
        return None;
    }
    let (ordinal, code) = value.split_at(split);
    let weekday = parse_weekday_code(code)?;
    if ordinal.is_empty() {
        return Some((None, weekday));
    }
    let digits = ordinal.strip_prefix('+').unwrap_or(ordinal);
    if digits.starts_with(['+', '-']) && ordinal.starts_with('+') {
        return None;
    }
    Some((Some(digits.parse::<i8>().ok()?), weekday))
}

impl Pattern {
    /// Checks the ranges documented on each variant.
    pub fn validate(&self) -> Result<(), RecurrenceError> {
        let ok = match *self {
            Pattern::Weekly { interval, .. } => (1..=4).contains(&interval),
            Pattern::MonthlyNthWeekday { nth, .. } => nth == -1 || (1..=4).contains(&nth),
            Pattern::MonthlyDay { day } => (1..=31).contains(&day),
        };
        if ok {
            Ok(())
        } else {
            Err(RecurrenceError::BadPattern)
        }
    }

    /// The RRULE body without UNTIL (the series' days are stored apart),
    /// e.g. `FREQ=MONTHLY;BYDAY=1TU`, `FREQ=WEEKLY;INTERVAL=2;BYDAY=TU` or
    /// `FREQ=MONTHLY;BYMONTHDAY=15`. INTERVAL=1 is left out (the default).
    pub fn to_rrule(&self) -> String {
        match *self {
            Pattern::Weekly { interval: 1, weekday } => {
                format!("FREQ=WEEKLY;BYDAY={}", weekday_code(weekday))
            }
            Pattern::Weekly { interval, weekday } => {
                format!("FREQ=WEEKLY;INTERVAL={interval};BYDAY={}", weekday_code(weekday))
            }
            Pattern::MonthlyNthWeekday { nth, weekday } => {
                format!("FREQ=MONTHLY;BYDAY={nth}{}", weekday_code(weekday))
            }
            Pattern::MonthlyDay { day } => format!("FREQ=MONTHLY;BYMONTHDAY={day}"),
        }
    }

    /// The inverse of [`Pattern::to_rrule`], for editing forms. Accepts an
    /// optional `RRULE:` prefix, any part order, lower case, `INTERVAL=1`,
    /// `WKST=MO` and a `+` on the ordinal; an UNTIL part is ignored (the
    /// last day lives in [`SeriesRule`]). Anything the patterns cannot
    /// express exactly (COUNT, several days, other frequencies, out of
    /// range values) gives `None`, so that a rule is never silently changed.
    pub fn from_rrule(s: &str) -> Option<Pattern> {
        let upper = s.trim().to_ascii_uppercase();
        let body = upper.strip_prefix("RRULE:").unwrap_or(&upper);
        let mut freq = None;
        let mut interval = None;
        let mut by_day = None;
        let mut by_month_day = None;
        for part in body.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, value) = part.split_once('=')?;
            let value = value.trim();
            let slot_taken = match key.trim() {
                "FREQ" => freq.replace(value).is_some(),
                "INTERVAL" => interval.replace(value.parse::<u8>().ok()?).is_some(),
                "BYDAY" => by_day.replace(parse_byday(value)?).is_some(),
                "BYMONTHDAY" => by_month_day.replace(value.parse::<u8>().ok()?).is_some(),
                "WKST" if value == "MO" => false,
                "UNTIL" => false,
                _ => return None,
            };
            if slot_taken {
                return None;
            }
        }
        let pattern = match (freq?, by_day, by_month_day) {
            ("WEEKLY", Some((None, weekday)), None) => Pattern::Weekly {
                interval: interval.unwrap_or(1),
                weekday,
            },
            ("MONTHLY", Some((Some(nth), weekday)), None) if interval.unwrap_or(1) == 1 => {
                Pattern::MonthlyNthWeekday { nth, weekday }
            }
            ("MONTHLY", None, Some(day)) if interval.unwrap_or(1) == 1 => Pattern::MonthlyDay { day },
            _ => return None,
        };
        pattern.validate().ok().map(|()| pattern)
    }

    fn to_unvalidated_rrule(&self) -> RRule<rrule::Unvalidated> {
        match *self {
            Pattern::Weekly { interval, weekday } => RRule::new(Frequency::Weekly)
                .interval(u16::from(interval))
                .by_weekday(vec![NWeekday::Every(weekday)]),
            Pattern::MonthlyNthWeekday { nth, weekday } => {
                RRule::new(Frequency::Monthly).by_weekday(vec![NWeekday::Nth(i16::from(nth), weekday)])
            }
            // Validated to 1..=31 first, so the cast cannot wrap.
            Pattern::MonthlyDay { day } => RRule::new(Frequency::Monthly).by_month_day(vec![day as i8]),
        }
    }
}

/// A series of meetings as the organiser describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesRule {
    pub pattern: Pattern,
    /// The first day that may hold a meeting (need not match the pattern).
    pub first_day: NaiveDate,
    /// The last day that may hold a meeting (inclusive).
    pub last_day: NaiveDate,
    /// Local start time in `zone`.
    pub start_time: NaiveTime,
    /// Local end time in `zone`, on the same day.
    pub end_time: NaiveTime,
    pub zone: chrono_tz::Tz,
    /// Days skipped, e.g. school holidays. Days that are no meeting anyway
    /// are ignored.
    pub exceptions: Vec<NaiveDate>,
}

/// One meeting of a series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrence {
    /// The local day in the series' zone.
    pub day: NaiveDate,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// The UTC instant of a local `day` and `time` in `zone`.
///
/// - A time in the spring-forward gap (02:30 on the last Sunday of March in
///   Brussels) does not exist; it is read with the offset in force before
///   the gap, which moves it forward by the gap's length (to 03:30 local).
///   That is what people mean ("the clock jumped, so it is an hour later")
///   and it is what RFC 5545 prescribes for such DTSTART values.
/// - A time in the autumn overlap (02:30 on the last Sunday of October)
///   happens twice; the earlier instant (still summer time) is taken, also
///   as RFC 5545 prescribes.
pub fn local_to_utc(zone: chrono_tz::Tz, day: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let local = day.and_time(time);
    match zone.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(a, b) => a.min(b).with_timezone(&Utc),
        LocalResult::None => {
            // The offset a day earlier is the one before the gap: transitions
            // are months apart in every zone.
            let before = local.checked_sub_signed(TimeDelta::days(1)).unwrap_or(local);
            let offset = zone.offset_from_utc_datetime(&before).fix();
            let utc = local
                .checked_sub_signed(TimeDelta::seconds(i64::from(offset.local_minus_utc())))
                .unwrap_or(local);
            Utc.from_utc_datetime(&utc)
        }
    }
}

/// Midnight of `day` in UTC, used as a floating calendar for `rrule`.
fn floating(day: NaiveDate) -> DateTime<rrule::Tz> {
    rrule::Tz::UTC.from_utc_datetime(&NaiveDateTime::new(day, NaiveTime::MIN))
}

/// Checks a rule: the errors, in this order, are `BadPattern`,
/// `EndBeforeStart`, `LastBeforeFirst` and `TooLong`.
fn validate(rule: &SeriesRule) -> Result<(), RecurrenceError> {
    rule.pattern.validate()?;
    if rule.end_time <= rule.start_time {
        return Err(RecurrenceError::EndBeforeStart);
    }
    if rule.last_day < rule.first_day {
        return Err(RecurrenceError::LastBeforeFirst);
    }
    // Calendar years: 2026-09-01 may run to 2031-09-01 inclusive, and a
    // 29 February start ends on 28 February five years later.
    let limit = rule
        .first_day
        .checked_add_months(Months::new(MAX_YEARS * 12))
        .ok_or(RecurrenceError::TooLong)?;
    if rule.last_day > limit {
        return Err(RecurrenceError::TooLong);
    }
    if rule.first_day.year() < 1 || rule.last_day.year() > 9999 {
        return Err(RecurrenceError::BadPattern);
    }
    Ok(())
}

/// All meetings of a series, in order: every day from `first_day` to
/// `last_day` (inclusive) that matches the pattern and is not an
/// exception, from `start_time` to `end_time` local time in `zone`,
/// converted to UTC per [`local_to_utc`] (so 13:30 in Brussels is 11:30 UTC
/// in summer and 12:30 UTC in winter).
///
/// Should the gap rule ever put the end before the start (a meeting from
/// 02:30 to 03:15 on the spring-forward night), the end keeps the meeting's
/// nominal length after the start.
pub fn expand(rule: &SeriesRule) -> Result<Vec<Occurrence>, RecurrenceError> {
    validate(rule)?;
    let until = floating(rule.last_day);
    let set = rule
        .pattern
        .to_unvalidated_rrule()
        .until(until)
        .build(floating(rule.first_day))
        .map_err(|_| RecurrenceError::BadPattern)?;
    let set: RRuleSet = rule
        .exceptions
        .iter()
        .filter(|d| (rule.first_day..=rule.last_day).contains(*d))
        .fold(set, |set, d| set.exdate(floating(*d)));
    // At most one meeting a week for five years: far below the limit, which
    // only guards against a bug looping forever.
    let result = set.all(u16::MAX);
    if result.limited {
        return Err(RecurrenceError::BadPattern);
    }
    let length = rule.end_time - rule.start_time;
    let meetings: Vec<Occurrence> = result
        .dates
        .iter()
        .map(|date| {
            let day = date.date_naive();
            let starts_at = local_to_utc(rule.zone, day, rule.start_time);
            let mut ends_at = local_to_utc(rule.zone, day, rule.end_time);
            if ends_at <= starts_at {
                ends_at = starts_at + length;
            }
            Occurrence {
                day,
                starts_at,
                ends_at,
            }
        })
        .collect();
    if meetings.is_empty() {
        return Err(RecurrenceError::Empty);
    }
    Ok(meetings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Timelike;
    use chrono_tz::Europe::Brussels;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn utc(y: i32, m: u32, day: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, day, h, min, 0).unwrap()
    }

    fn rule(pattern: Pattern, first: NaiveDate, last: NaiveDate) -> SeriesRule {
        SeriesRule {
            pattern,
            first_day: first,
            last_day: last,
            start_time: t(13, 30),
            end_time: t(16, 0),
            zone: Brussels,
            exceptions: Vec::new(),
        }
    }

    fn days(occurrences: &[Occurrence]) -> Vec<NaiveDate> {
        occurrences.iter().map(|o| o.day).collect()
    }

    const TUESDAY_WEEKLY: Pattern = Pattern::Weekly {
        interval: 1,
        weekday: Weekday::Tue,
    };

    #[test]
    fn parse_zone_accepts_iana_names() {
        assert_eq!(parse_zone(DEFAULT_ZONE), Ok(Brussels));
        assert_eq!(parse_zone(" Europe/Amsterdam "), Ok(chrono_tz::Europe::Amsterdam));
        assert_eq!(parse_zone("UTC"), Ok(chrono_tz::UTC));
    }

    #[test]
    fn parse_zone_rejects_unknown_names() {
        for name in ["", "Europe/Brusels", "Mars/Olympus_Mons", "CEST+2"] {
            assert_eq!(parse_zone(name), Err(RecurrenceError::UnknownTimeZone), "{name}");
        }
    }

    #[test]
    fn to_rrule_examples() {
        assert_eq!(
            Pattern::MonthlyNthWeekday {
                nth: 1,
                weekday: Weekday::Tue
            }
            .to_rrule(),
            "FREQ=MONTHLY;BYDAY=1TU"
        );
        assert_eq!(
            Pattern::MonthlyNthWeekday {
                nth: -1,
                weekday: Weekday::Fri
            }
            .to_rrule(),
            "FREQ=MONTHLY;BYDAY=-1FR"
        );
        assert_eq!(
            Pattern::Weekly {
                interval: 2,
                weekday: Weekday::Tue
            }
            .to_rrule(),
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"
        );
        assert_eq!(TUESDAY_WEEKLY.to_rrule(), "FREQ=WEEKLY;BYDAY=TU");
        assert_eq!(
            Pattern::MonthlyDay { day: 15 }.to_rrule(),
            "FREQ=MONTHLY;BYMONTHDAY=15"
        );
    }

    #[test]
    fn from_rrule_is_lenient_on_form() {
        let weekly2 = Pattern::Weekly {
            interval: 2,
            weekday: Weekday::Wed,
        };
        assert_eq!(
            Pattern::from_rrule("RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=WE"),
            Some(weekly2.clone())
        );
        assert_eq!(
            Pattern::from_rrule("byday=we;freq=weekly;interval=2;wkst=mo"),
            Some(weekly2)
        );
        assert_eq!(
            Pattern::from_rrule("FREQ=WEEKLY;INTERVAL=1;BYDAY=TU;UNTIL=20270630T000000Z"),
            Some(TUESDAY_WEEKLY)
        );
        assert_eq!(
            Pattern::from_rrule("FREQ=MONTHLY;BYDAY=+3TH;"),
            Some(Pattern::MonthlyNthWeekday {
                nth: 3,
                weekday: Weekday::Thu
            })
        );
    }

    #[test]
    fn from_rrule_refuses_what_patterns_cannot_express() {
        for s in [
            "",
            "FREQ=DAILY",
            "FREQ=WEEKLY",
            "FREQ=WEEKLY;BYDAY=TU,TH",
            "FREQ=WEEKLY;BYDAY=1TU",
            "FREQ=WEEKLY;INTERVAL=5;BYDAY=TU",
            "FREQ=WEEKLY;INTERVAL=0;BYDAY=TU",
            "FREQ=WEEKLY;BYDAY=TU;COUNT=10",
            "FREQ=WEEKLY;BYDAY=TU;WKST=SU",
            "FREQ=WEEKLY;FREQ=WEEKLY;BYDAY=TU",
            "FREQ=MONTHLY;BYDAY=TU",
            "FREQ=MONTHLY;BYDAY=5TU",
            "FREQ=MONTHLY;BYDAY=-2TU",
            "FREQ=MONTHLY;BYDAY=+-1TU",
            "FREQ=MONTHLY;BYDAY=1XX",
            "FREQ=MONTHLY;INTERVAL=2;BYDAY=1TU",
            "FREQ=MONTHLY;BYMONTHDAY=0",
            "FREQ=MONTHLY;BYMONTHDAY=32",
            "FREQ=MONTHLY;BYMONTHDAY=-1",
            "FREQ=MONTHLY;BYMONTHDAY=1;BYDAY=1MO",
            "FREQ=MONTHLY;BYMONTHDAY=1,15",
            "FREQ=MONTHLY;BYDAY=1ÉTU",
            "garbage",
        ] {
            assert_eq!(Pattern::from_rrule(s), None, "{s}");
        }
    }

    #[test]
    fn validate_rejects_out_of_range_patterns() {
        let bad = [
            Pattern::Weekly {
                interval: 0,
                weekday: Weekday::Mon,
            },
            Pattern::Weekly {
                interval: 5,
                weekday: Weekday::Mon,
            },
            Pattern::MonthlyNthWeekday {
                nth: 0,
                weekday: Weekday::Mon,
            },
            Pattern::MonthlyNthWeekday {
                nth: 5,
                weekday: Weekday::Mon,
            },
            Pattern::MonthlyNthWeekday {
                nth: -2,
                weekday: Weekday::Mon,
            },
            Pattern::MonthlyDay { day: 0 },
            Pattern::MonthlyDay { day: 32 },
        ];
        for pattern in bad {
            assert_eq!(
                pattern.validate(),
                Err(RecurrenceError::BadPattern),
                "{pattern:?}"
            );
            let r = rule(pattern, d(2026, 9, 1), d(2027, 6, 30));
            assert_eq!(expand(&r), Err(RecurrenceError::BadPattern));
        }
    }

    #[test]
    fn first_tuesday_of_the_school_year() {
        let r = rule(
            Pattern::MonthlyNthWeekday {
                nth: 1,
                weekday: Weekday::Tue,
            },
            d(2026, 9, 1),
            d(2027, 6, 30),
        );
        let meetings = expand(&r).unwrap();
        assert_eq!(
            days(&meetings),
            vec![
                d(2026, 9, 1),
                d(2026, 10, 6),
                d(2026, 11, 3),
                d(2026, 12, 1),
                d(2027, 1, 5),
                d(2027, 2, 2),
                d(2027, 3, 2),
                d(2027, 4, 6),
                d(2027, 5, 4),
                d(2027, 6, 1),
            ]
        );
        // Summer time in September/October and April-June, winter time in between.
        assert_eq!(meetings[0].starts_at, utc(2026, 9, 1, 11, 30));
        assert_eq!(meetings[0].ends_at, utc(2026, 9, 1, 14, 0));
        assert_eq!(meetings[3].starts_at, utc(2026, 12, 1, 12, 30));
        assert_eq!(meetings[3].ends_at, utc(2026, 12, 1, 15, 0));
        assert_eq!(meetings[7].starts_at, utc(2027, 4, 6, 11, 30));
    }

    #[test]
    fn weekly_series_keeps_local_time_across_dst_changes() {
        // Sundays, so that the transition days themselves are meetings.
        let r = SeriesRule {
            pattern: Pattern::Weekly {
                interval: 1,
                weekday: Weekday::Sun,
            },
            ..rule(TUESDAY_WEEKLY, d(2026, 3, 1), d(2027, 11, 30))
        };
        let meetings = expand(&r).unwrap();
        for m in &meetings {
            let local = m.starts_at.with_timezone(&Brussels);
            assert_eq!(local.date_naive(), m.day);
            assert_eq!(local.time(), t(13, 30), "{m:?}");
            assert_eq!(m.ends_at.with_timezone(&Brussels).time(), t(16, 0));
            assert_eq!(m.ends_at - m.starts_at, TimeDelta::minutes(150));
            // +02:00 from the last Sunday of March up to the last Sunday of
            // October; at 13:30 both transition Sundays are on the new offset.
            let summer = (d(2026, 3, 29) <= m.day && m.day < d(2026, 10, 25))
                || (d(2027, 3, 28) <= m.day && m.day < d(2027, 10, 31));
            let offset = local.offset().fix().local_minus_utc();
            assert_eq!(offset, if summer { 7200 } else { 3600 }, "{m:?}");
        }
        let find = |day| meetings.iter().find(|m| m.day == day).unwrap();
        assert_eq!(find(d(2026, 3, 22)).starts_at, utc(2026, 3, 22, 12, 30));
        assert_eq!(find(d(2026, 3, 29)).starts_at, utc(2026, 3, 29, 11, 30));
        assert_eq!(find(d(2026, 10, 18)).starts_at, utc(2026, 10, 18, 11, 30));
        assert_eq!(find(d(2026, 10, 25)).starts_at, utc(2026, 10, 25, 12, 30));
        assert_eq!(find(d(2027, 3, 28)).starts_at, utc(2027, 3, 28, 11, 30));
        assert_eq!(find(d(2027, 10, 31)).starts_at, utc(2027, 10, 31, 12, 30));
    }

    #[test]
    fn spring_forward_gap_moves_forward() {
        // 02:30 does not exist on 2026-03-29 in Brussels: it becomes 03:30 CEST.
        let r = SeriesRule {
            start_time: t(2, 30),
            end_time: t(4, 0),
            ..rule(
                Pattern::MonthlyNthWeekday {
                    nth: -1,
                    weekday: Weekday::Sun,
                },
                d(2026, 2, 1),
                d(2026, 4, 30),
            )
        };
        let meetings = expand(&r).unwrap();
        assert_eq!(
            days(&meetings),
            vec![d(2026, 2, 22), d(2026, 3, 29), d(2026, 4, 26)]
        );
        let gap = meetings[1];
        assert_eq!(gap.starts_at, utc(2026, 3, 29, 1, 30));
        assert_eq!(gap.starts_at.with_timezone(&Brussels).time(), t(3, 30));
        assert_eq!(gap.ends_at, utc(2026, 3, 29, 2, 0));
        // The other months are unaffected.
        assert_eq!(meetings[0].starts_at, utc(2026, 2, 22, 1, 30));
        assert_eq!(meetings[2].starts_at, utc(2026, 4, 26, 0, 30));
    }

    #[test]
    fn gap_never_puts_the_end_before_the_start() {
        // 02:30-03:15 on the spring-forward night: 02:30 becomes 03:30,
        // 03:15 exists; the meeting keeps its 45 minutes.
        let r = SeriesRule {
            start_time: t(2, 30),
            end_time: t(3, 15),
            ..rule(
                Pattern::MonthlyNthWeekday {
                    nth: -1,
                    weekday: Weekday::Sun,
                },
                d(2026, 3, 1),
                d(2026, 3, 31),
            )
        };
        let meetings = expand(&r).unwrap();
        assert_eq!(meetings.len(), 1);
        assert_eq!(meetings[0].starts_at, utc(2026, 3, 29, 1, 30));
        assert_eq!(meetings[0].ends_at, utc(2026, 3, 29, 2, 15));
    }

    #[test]
    fn autumn_overlap_takes_the_earlier_instant() {
        // 02:30 happens twice on 2026-10-25 in Brussels: first at 00:30 UTC.
        assert_eq!(
            local_to_utc(Brussels, d(2026, 10, 25), t(2, 30)),
            utc(2026, 10, 25, 0, 30)
        );
        assert_eq!(
            local_to_utc(Brussels, d(2026, 10, 25), t(3, 30)),
            utc(2026, 10, 25, 2, 30)
        );
        assert_eq!(
            local_to_utc(Brussels, d(2026, 3, 29), t(2, 0)),
            utc(2026, 3, 29, 1, 0)
        );
        assert_eq!(
            local_to_utc(Brussels, d(2026, 3, 29), t(3, 0)),
            utc(2026, 3, 29, 1, 0)
        );
        // A 30-minute gap (Lord Howe Island, 2026-10-04 02:00 -> 02:30).
        let lord_howe = chrono_tz::Australia::Lord_Howe;
        let moved = local_to_utc(lord_howe, d(2026, 10, 4), t(2, 15));
        assert_eq!(moved.with_timezone(&lord_howe).time(), t(2, 45));
    }

    #[test]
    fn other_zones_use_their_own_rules() {
        // New York changes on other dates (2026-03-08, 2026-11-01).
        let r = SeriesRule {
            zone: chrono_tz::America::New_York,
            ..rule(
                Pattern::Weekly {
                    interval: 1,
                    weekday: Weekday::Sun,
                },
                d(2026, 3, 1),
                d(2026, 3, 15),
            )
        };
        let meetings = expand(&r).unwrap();
        assert_eq!(meetings[0].starts_at, utc(2026, 3, 1, 18, 30));
        assert_eq!(meetings[1].starts_at, utc(2026, 3, 8, 17, 30));
        assert_eq!(meetings[2].starts_at, utc(2026, 3, 15, 17, 30));
    }

    #[test]
    fn monthly_day_31_skips_short_months() {
        let r = rule(Pattern::MonthlyDay { day: 31 }, d(2026, 1, 1), d(2026, 12, 31));
        let meetings = expand(&r).unwrap();
        assert_eq!(
            days(&meetings),
            [1, 3, 5, 7, 8, 10, 12].map(|m| d(2026, m, 31)).to_vec()
        );
        let r = rule(Pattern::MonthlyDay { day: 30 }, d(2028, 1, 1), d(2028, 3, 31));
        assert_eq!(days(&expand(&r).unwrap()), vec![d(2028, 1, 30), d(2028, 3, 30)]);
        let r = rule(Pattern::MonthlyDay { day: 29 }, d(2028, 2, 1), d(2028, 2, 29));
        assert_eq!(days(&expand(&r).unwrap()), vec![d(2028, 2, 29)]);
    }

    #[test]
    fn last_friday_of_the_month() {
        let r = rule(
            Pattern::MonthlyNthWeekday {
                nth: -1,
                weekday: Weekday::Fri,
            },
            d(2026, 1, 1),
            d(2026, 6, 30),
        );
        assert_eq!(
            days(&expand(&r).unwrap()),
            vec![
                d(2026, 1, 30),
                d(2026, 2, 27),
                d(2026, 3, 27),
                d(2026, 4, 24),
                d(2026, 5, 29),
                d(2026, 6, 26),
            ]
        );
    }

    #[test]
    fn fourth_weekday_exists_in_every_month() {
        let r = rule(
            Pattern::MonthlyNthWeekday {
                nth: 4,
                weekday: Weekday::Mon,
            },
            d(2026, 1, 1),
            d(2026, 12, 31),
        );
        let meetings = expand(&r).unwrap();
        assert_eq!(meetings.len(), 12);
        assert!(meetings.iter().all(|m| (22..=28).contains(&m.day.day())));
    }

    #[test]
    fn exceptions_are_removed() {
        let r = SeriesRule {
            exceptions: vec![
                d(2026, 11, 3),  // autumn holiday
                d(2026, 12, 29), // not a meeting day anyway (5th Tuesday)
                d(2027, 3, 2),
                d(2027, 3, 2), // twice
                d(2030, 1, 1), // outside the series
            ],
            ..rule(
                Pattern::MonthlyNthWeekday {
                    nth: 1,
                    weekday: Weekday::Tue,
                },
                d(2026, 9, 1),
                d(2027, 6, 30),
            )
        };
        let meetings = days(&expand(&r).unwrap());
        assert_eq!(meetings.len(), 8);
        assert!(!meetings.contains(&d(2026, 11, 3)));
        assert!(!meetings.contains(&d(2027, 3, 2)));
        assert!(meetings.contains(&d(2026, 12, 1)));
    }

    #[test]
    fn all_days_excepted_is_empty() {
        let r = SeriesRule {
            exceptions: vec![d(2026, 9, 1), d(2026, 9, 8)],
            ..rule(TUESDAY_WEEKLY, d(2026, 9, 1), d(2026, 9, 10))
        };
        assert_eq!(expand(&r), Err(RecurrenceError::Empty));
    }

    #[test]
    fn no_matching_day_is_empty() {
        // 2026-09-02 (Wednesday) to 2026-09-07 (Monday): no Tuesday.
        let r = rule(TUESDAY_WEEKLY, d(2026, 9, 2), d(2026, 9, 7));
        assert_eq!(expand(&r), Err(RecurrenceError::Empty));
        let r = rule(Pattern::MonthlyDay { day: 31 }, d(2026, 4, 1), d(2026, 4, 30));
        assert_eq!(expand(&r), Err(RecurrenceError::Empty));
    }

    #[test]
    fn single_day_series() {
        let r = rule(TUESDAY_WEEKLY, d(2026, 9, 1), d(2026, 9, 1));
        assert_eq!(days(&expand(&r).unwrap()), vec![d(2026, 9, 1)]);
    }

    #[test]
    fn first_and_last_day_are_inclusive_and_need_not_match() {
        let r = rule(TUESDAY_WEEKLY, d(2026, 9, 1), d(2026, 9, 15));
        assert_eq!(
            days(&expand(&r).unwrap()),
            vec![d(2026, 9, 1), d(2026, 9, 8), d(2026, 9, 15)]
        );
        // Starting on a Thursday: the first meeting is the next Tuesday.
        let r = rule(TUESDAY_WEEKLY, d(2026, 9, 3), d(2026, 9, 14));
        assert_eq!(days(&expand(&r).unwrap()), vec![d(2026, 9, 8)]);
    }

    #[test]
    fn every_two_weeks() {
        let r = rule(
            Pattern::Weekly {
                interval: 2,
                weekday: Weekday::Tue,
            },
            d(2026, 9, 1),
            d(2026, 11, 1),
        );
        assert_eq!(
            days(&expand(&r).unwrap()),
            vec![
                d(2026, 9, 1),
                d(2026, 9, 15),
                d(2026, 9, 29),
                d(2026, 10, 13),
                d(2026, 10, 27)
            ]
        );
        let r = rule(
            Pattern::Weekly {
                interval: 3,
                weekday: Weekday::Fri,
            },
            d(2026, 9, 4),
            d(2026, 10, 31),
        );
        assert_eq!(
            days(&expand(&r).unwrap()),
            vec![d(2026, 9, 4), d(2026, 9, 25), d(2026, 10, 16)]
        );
    }

    #[test]
    fn every_two_weeks_counts_from_the_first_days_week() {
        // First day Thursday 2026-09-03: that week's Tuesday is before it, so
        // the first meeting is two weeks later (RFC 5545 semantics).
        let r = rule(
            Pattern::Weekly {
                interval: 2,
                weekday: Weekday::Tue,
            },
            d(2026, 9, 3),
            d(2026, 10, 1),
        );
        assert_eq!(days(&expand(&r).unwrap()), vec![d(2026, 9, 15), d(2026, 9, 29)]);
    }

    #[test]
    fn five_years_is_the_limit() {
        let first = d(2026, 9, 1);
        let exactly = d(2031, 9, 1);
        let r = rule(TUESDAY_WEEKLY, first, exactly);
        assert!(expand(&r).is_ok());
        let r = rule(TUESDAY_WEEKLY, first, exactly.succ_opt().unwrap());
        assert_eq!(expand(&r), Err(RecurrenceError::TooLong));
        // A leap day start may run to 28 February five years later.
        let r = rule(TUESDAY_WEEKLY, d(2028, 2, 29), d(2033, 2, 28));
        assert!(expand(&r).is_ok());
        let r = rule(TUESDAY_WEEKLY, d(2028, 2, 29), d(2033, 3, 1));
        assert_eq!(expand(&r), Err(RecurrenceError::TooLong));
    }

    #[test]
    fn five_year_weekly_series_has_about_261_meetings() {
        let r = rule(TUESDAY_WEEKLY, d(2026, 9, 1), d(2031, 9, 1));
        let meetings = expand(&r).unwrap();
        // 1826 days from Tuesday 2026-09-01 to Monday 2031-09-01: 260 weeks
        // and 6 days, so 261 Tuesdays.
        assert_eq!(meetings.len(), 261);
        assert_eq!(meetings.first().unwrap().day, d(2026, 9, 1));
        assert_eq!(meetings.last().unwrap().day, d(2031, 8, 26));
        assert!(
            meetings
                .windows(2)
                .all(|w| w[1].day - w[0].day == TimeDelta::days(7))
        );
    }

    #[test]
    fn end_before_start_is_refused() {
        let mut r = rule(TUESDAY_WEEKLY, d(2026, 9, 1), d(2026, 12, 31));
        r.end_time = r.start_time;
        assert_eq!(expand(&r), Err(RecurrenceError::EndBeforeStart));
        r.end_time = t(9, 0);
        assert_eq!(expand(&r), Err(RecurrenceError::EndBeforeStart));
    }

    #[test]
    fn last_before_first_is_refused() {
        let r = rule(TUESDAY_WEEKLY, d(2026, 9, 1), d(2026, 8, 31));
        assert_eq!(expand(&r), Err(RecurrenceError::LastBeforeFirst));
    }

    #[test]
    fn years_outside_icalendar_are_refused() {
        let r = rule(TUESDAY_WEEKLY, d(9999, 6, 1), d(10000, 1, 31));
        assert_eq!(expand(&r), Err(RecurrenceError::BadPattern));
        let r = rule(TUESDAY_WEEKLY, d(0, 6, 1), d(0, 8, 31));
        assert_eq!(expand(&r), Err(RecurrenceError::BadPattern));
        let r = rule(TUESDAY_WEEKLY, d(9999, 6, 1), d(9999, 12, 31));
        assert!(expand(&r).is_ok());
    }

    #[test]
    fn error_messages_are_readable() {
        assert_eq!(
            RecurrenceError::TooLong.to_string(),
            "a series may span at most 5 years"
        );
    }

    #[test]
    fn pattern_serde_round_trip() {
        let p = Pattern::MonthlyNthWeekday {
            nth: -1,
            weekday: Weekday::Fri,
        };
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(serde_json::from_str::<Pattern>(&json).unwrap(), p);
    }

    /// The days a pattern should give, by brute force over the calendar.
    fn reference_days(rule: &SeriesRule) -> Vec<NaiveDate> {
        let week_of = |day: NaiveDate| {
            let monday = day - TimeDelta::days(i64::from(day.weekday().num_days_from_monday()));
            monday.num_days_from_ce().div_euclid(7)
        };
        rule.first_day
            .iter_days()
            .take_while(|day| *day <= rule.last_day)
            .filter(|day| !rule.exceptions.contains(day))
            .filter(|day| match rule.pattern {
                Pattern::Weekly { interval, weekday } => {
                    day.weekday() == weekday
                        && (week_of(*day) - week_of(rule.first_day)) % i32::from(interval) == 0
                }
                Pattern::MonthlyNthWeekday { nth, weekday } => {
                    let last = (*day + TimeDelta::days(7)).month() != day.month();
                    day.weekday() == weekday
                        && if nth == -1 {
                            last
                        } else {
                            (day.day() - 1) / 7 + 1 == nth as u32
                        }
                }
                Pattern::MonthlyDay { day: wanted } => day.day() == u32::from(wanted),
            })
            .collect()
    }

    fn weekday() -> impl Strategy<Value = Weekday> {
        (0u8..7).prop_map(|n| Weekday::try_from(n).unwrap())
    }

    fn pattern() -> impl Strategy<Value = Pattern> {
        prop_oneof![
            (1u8..=4, weekday()).prop_map(|(interval, weekday)| Pattern::Weekly { interval, weekday }),
            (prop_oneof![Just(-1i8), 1i8..=4], weekday())
                .prop_map(|(nth, weekday)| Pattern::MonthlyNthWeekday { nth, weekday }),
            (1u8..=31).prop_map(|day| Pattern::MonthlyDay { day }),
        ]
    }

    proptest! {
        #[test]
        fn rrule_round_trips(p in pattern()) {
            prop_assert_eq!(Pattern::from_rrule(&p.to_rrule()), Some(p.clone()));
            prop_assert_eq!(Pattern::from_rrule(&p.to_rrule().to_lowercase()), Some(p));
        }

        #[test]
        fn expansion_matches_the_calendar(
            p in pattern(),
            first in 0i64..3_000,
            length in 0i64..800,
            start_minute in 0u32..(23 * 60),
            duration in 1u32..60,
            exceptions in proptest::collection::vec(0i64..800, 0..6),
        ) {
            let first_day = d(2024, 1, 1) + TimeDelta::days(first);
            let start_time = t(start_minute / 60, start_minute % 60);
            let r = SeriesRule {
                pattern: p,
                first_day,
                last_day: first_day + TimeDelta::days(length),
                start_time,
                end_time: start_time + TimeDelta::minutes(i64::from(duration)),
                zone: Brussels,
                exceptions: exceptions.into_iter().map(|e| first_day + TimeDelta::days(e)).collect(),
            };
            let expected = reference_days(&r);
            match expand(&r) {
                Ok(meetings) => {
                    prop_assert_eq!(days(&meetings), expected);
                    for m in &meetings {
                        prop_assert!(m.starts_at < m.ends_at);
                        prop_assert_eq!(m.starts_at, local_to_utc(Brussels, m.day, start_time));
                        let local = m.starts_at.with_timezone(&Brussels);
                        prop_assert_eq!(local.date_naive(), m.day);
                        // Only the spring-forward gap moves the time (by an hour).
                        if local.time() != start_time {
                            prop_assert_eq!(local.time(), start_time + TimeDelta::hours(1));
                            prop_assert_eq!(start_time.hour(), 2);
                        }
                    }
                }
                Err(e) => {
                    prop_assert_eq!(e, RecurrenceError::Empty);
                    prop_assert!(expected.is_empty());
                }
            }
        }
    }

    /// Run with `cargo test --release -p app --features ssr --lib
    /// recurrence::tests::timing -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn timing_five_year_weekly_expansion() {
        let r = SeriesRule {
            exceptions: vec![d(2027, 1, 5), d(2028, 1, 4)],
            ..rule(TUESDAY_WEEKLY, d(2026, 9, 1), d(2031, 9, 1))
        };
        let runs = 1_000u32;
        let started = std::time::Instant::now();
        let mut total = 0;
        for _ in 0..runs {
            total += std::hint::black_box(expand(std::hint::black_box(&r)))
                .unwrap()
                .len();
        }
        let each = started.elapsed() / runs;
        println!(
            "five-year weekly expansion ({} meetings): {each:?} each",
            total / runs as usize
        );
        assert!(each < std::time::Duration::from_millis(1));
    }
}
