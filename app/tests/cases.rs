//! Case threads on SQLite and PostgreSQL: who reads what (every role, and
//! a guessed id of another network), the anonymiser's findings blocking
//! publication until decided, pseudonyms for readers, the anonymity check,
//! phases, replies and reflections, reactions, reports, history, the
//! confidentiality statement, the audit log and the retention purge.

mod common;

use common::fixtures::{
    BASE, accept_all, actor, case_input as input, intervision, network, person, published_case,
};

use app::AppError;
use app::cases::domain::{self, CaseInput, ReplyInput, ReplyOutcome};
use app::cases::entity::{case, purge, read, reply, reply_draft, version};
use app::cases::text::{Decision, Decisions};
use app::cases::{CaseStatus, Choice, Reaction};
use app::errors::{Field, Problem};
use app::networks::NetworkRole;
use app::networks::domain as networks;
use chrono::{Duration, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, Set};

const CASE_TEXT: &str = "Mama Fatima El Amrani woont met haar zoon Jonas Peeters (9) in de Kerkstraat 12, 2400 Mol. \
Jonas zit in het derde leerjaar. Je kan mama bereiken op 0470 12 34 56. \
Het OCMW betaalt de schoolkosten niet meer sinds januari.";

fn reply_input(body: &str) -> ReplyInput {
    ReplyInput {
        body: body.into(),
        ..Default::default()
    }
}

on_both_databases!(
    publication_waits_for_decisions_and_readers_see_pseudonyms,
    |db: DatabaseConnection| async move {
        let net = network(&db, "kempen").await;
        let id = domain::create_case(
            &db,
            &net.coach,
            &net.slug,
            input("Jonas en de schoolkosten", CASE_TEXT),
        )
        .await
        .unwrap();

        // The raw draft: its author only, nobody else, not even facilitators.
        for other in [&net.facilitator, &net.expert, &net.observer] {
            assert_eq!(
                domain::editor(&db, other, id).await.err(),
                Some(AppError::NotFound)
            );
            assert_eq!(
                domain::thread(&db, other, id, false).await.err(),
                Some(AppError::NotFound)
            );
        }

        let editor = domain::editor(&db, &net.coach, id).await.unwrap();
        let kinds: Vec<&str> = editor.check.entities.iter().map(|e| e.kind.as_str()).collect();
        for kind in ["person", "address", "phone"] {
            assert!(kinds.contains(&kind), "{kind} not found in {kinds:?}");
        }
        assert!(editor.check.unresolved > 0);
        assert!(
            editor.check.marked_html.contains("<mark"),
            "{}",
            editor.check.marked_html
        );
        match domain::publish_case(&db, &net.coach, id, BASE).await {
            Err(AppError::CaseUnresolved { count }) => assert_eq!(count, editor.check.unresolved),
            other => panic!("published with open findings: {other:?}"),
        }

        // Jonas gets a chosen pseudonym; everything else its suggestion.
        let mut decisions = accept_all(&db, &net.coach, id).await;
        let jonas = editor
            .check
            .entities
            .iter()
            .find(|e| e.kind == "person" && e.mentions.iter().any(|m| m.contains("Jonas")))
            .expect("Jonas is a finding");
        decisions.set(Decision {
            key: jonas.key.clone(),
            choice: Choice::Pseudonym,
            label: "Kind A (9 j.)".into(),
        });
        domain::save_case(
            &db,
            &net.coach,
            id,
            CaseInput {
                decisions,
                ..input("Jonas en de schoolkosten", CASE_TEXT)
            },
        )
        .await
        .unwrap();
        assert_eq!(
            domain::publish_case(&db, &net.coach, id, BASE).await,
            Ok(CaseStatus::Published)
        );

        let seen = domain::thread(&db, &net.expert, id, false).await.unwrap();
        let page = format!("{} {}", seen.title, seen.body_html);
        for original in [
            "Jonas",
            "Peeters",
            "Fatima",
            "Amrani",
            "Kerkstraat",
            "0470",
            "12 34 56",
        ] {
            assert!(!page.contains(original), "{original} visible to readers: {page}");
        }
        assert!(page.contains("Kind A (9 j.)"), "{page}");
        assert_eq!(
            page.matches("Kind A (9 j.)").count(),
            3,
            "title and both mentions: {page}"
        );
        assert!(
            page.contains("OCMW") && page.contains("januari"),
            "services and months stay: {page}"
        );
        // It reads as written: the role word and the age are not repeated.
        assert!(
            page.contains("Mama woont met haar zoon Kind A (9 j.) in de"),
            "{page}"
        );
        assert!(
            !page.contains("Mama Mama") && !page.contains("(9 j.) (9)"),
            "{page}"
        );

        // A reply naming the same child gets the same pseudonym.
        let out = domain::post_reply(
            &db,
            &net.facilitator,
            id,
            reply_input("Hoe gaat het nu met Jonas op school?"),
            BASE,
        )
        .await
        .unwrap();
        assert!(matches!(out, ReplyOutcome::Posted(_)), "{out:?}");
        let seen = domain::thread(&db, &net.coach, id, false).await.unwrap();
        let last = seen.replies.last().unwrap();
        assert!(
            last.body.contains("Kind A (9 j.)") && !last.body.contains("Jonas"),
            "{}",
            last.body
        );

        // A reply with a new name waits as a draft until decided.
        let out = domain::post_reply(
            &db,
            &net.expert,
            id,
            reply_input("Ik sprak gisteren met Samira Benali, 0485 11 22 33."),
            BASE,
        )
        .await
        .unwrap();
        assert_eq!(out, ReplyOutcome::NeedsCheck);
        let draft = reply_draft::Entity::find().all(&db).await.unwrap();
        assert_eq!(draft.len(), 1);
        let mine = domain::thread(&db, &net.expert, id, false).await.unwrap();
        let check = mine.reply_check.expect("the draft's findings are shown");
        assert!(check.unresolved > 0);
        let decisions = Decisions {
            entries: check
                .entities
                .iter()
                .map(|e| Decision {
                    key: e.key.clone(),
                    choice: Choice::Pseudonym,
                    label: String::new(),
                })
                .collect(),
        };
        let out = domain::post_reply(
            &db,
            &net.expert,
            id,
            ReplyInput {
                decisions,
                ..reply_input("Ik sprak gisteren met Samira Benali, 0485 11 22 33.")
            },
            BASE,
        )
        .await
        .unwrap();
        assert!(matches!(out, ReplyOutcome::Posted(_)));
        let seen = domain::thread(&db, &net.coach, id, false).await.unwrap();
        let all: String = seen.replies.iter().map(|r| r.body_html.clone()).collect();
        assert!(!all.contains("Samira") && !all.contains("0485"), "{all}");
        assert!(
            reply_draft::Entity::find().all(&db).await.unwrap().is_empty(),
            "draft removed once posted"
        );
    }
);

on_both_databases!(every_role_and_a_guessed_id, |db: DatabaseConnection| async move {
    let net = network(&db, "kempen").await;
    let other = network(&db, "westhoek").await;
    let admin = person(&db, "root@example.be", true).await;
    let admin = actor(&db, &admin).await;
    let id = published_case(
        &db,
        &net,
        "Een gezin zonder netwerk",
        "Een gezin zonder netwerk zoekt vrijetijdsaanbod.",
    )
    .await;

    // Readers: facilitator, coach, expert. Observers, other networks' members
    // (even their facilitator), and admins who are not members: not found.
    for a in [&net.facilitator, &net.coach, &net.expert] {
        assert!(domain::thread(&db, a, id, false).await.is_ok());
    }
    for a in [&net.observer, &other.facilitator, &other.coach, &admin] {
        assert_eq!(
            domain::thread(&db, a, id, false).await.err(),
            Some(AppError::NotFound)
        );
        assert_eq!(
            domain::statement_gate(&db, a, id, false).await.err(),
            Some(AppError::NotFound)
        );
        assert_eq!(
            domain::post_reply(&db, a, id, reply_input("Hallo"), BASE)
                .await
                .err(),
            Some(AppError::NotFound)
        );
        assert_eq!(
            domain::react(&db, a, id, 0, Reaction::Thanks).await.err(),
            Some(AppError::NotFound)
        );
        assert_eq!(
            domain::close_case(&db, a, id).await.err(),
            Some(AppError::NotFound)
        );
        assert_eq!(
            domain::delete_case(&db, a, id).await.err(),
            Some(AppError::NotFound)
        );
        assert_eq!(
            domain::report_post(&db, a, id, None, "x", BASE).await.err(),
            Some(AppError::NotFound)
        );
    }
    // Ids that do not exist read exactly like forbidden ones.
    assert_eq!(
        domain::thread(&db, &other.coach, id + 1000, false).await.err(),
        Some(AppError::NotFound)
    );
    // Another network's list and writing there.
    assert_eq!(
        domain::network_cases(&db, &other.coach, &net.slug, false)
            .await
            .err(),
        Some(AppError::NotFound)
    );
    assert_eq!(
        domain::create_case(&db, &other.coach, &net.slug, input("x", "y"))
            .await
            .err(),
        Some(AppError::NotFound)
    );
    assert_eq!(
        domain::network_cases(&db, &net.observer, &net.slug, false)
            .await
            .err(),
        Some(AppError::NotFound),
        "observers do not read cases"
    );
    // Experts reflect; coaches reply but do not reflect.
    let reflection = ReplyInput {
        reflection: true,
        ..reply_input("Vanuit mijn ervaring: vraag eerst wat zij wil.")
    };
    assert!(matches!(
        domain::post_reply(&db, &net.expert, id, reflection.clone(), BASE).await,
        Ok(ReplyOutcome::Posted(_))
    ));
    assert_eq!(
        domain::post_reply(&db, &net.coach, id, reflection, BASE)
            .await
            .err(),
        Some(AppError::NotFound)
    );
    let seen = domain::thread(&db, &net.coach, id, false).await.unwrap();
    assert!(seen.replies[0].reflection && seen.replies[0].role == "expert");
    // Nobody edits another's reply; its author does, with history.
    let rid = seen.replies[0].id;
    assert_eq!(
        domain::edit_reply(&db, &net.facilitator, rid, "Anders", &Decisions::default())
            .await
            .err(),
        Some(AppError::NotFound)
    );
    domain::edit_reply(
        &db,
        &net.expert,
        rid,
        "Vanuit mijn ervaring: vraag eerst wat zij zelf wil.",
        &Decisions::default(),
    )
    .await
    .unwrap();
    let history = domain::history(&db, &net.coach, id, Some(rid)).await.unwrap();
    assert_eq!(history.len(), 1);
    assert!(history[0].2.contains("vraag eerst wat zij wil"));
    // Moderation and the audit log.
    for a in [&net.coach, &net.expert, &net.observer, &other.facilitator] {
        assert_eq!(
            domain::review(&db, a, &net.slug, false).await.err(),
            Some(AppError::NotFound)
        );
        assert_eq!(
            domain::audit(&db, a, &net.slug).await.err(),
            Some(AppError::NotFound)
        );
    }
    assert!(
        domain::review(&db, &net.facilitator, &net.slug, false)
            .await
            .is_ok()
    );
    let audit = domain::audit(&db, &admin, &net.slug).await.unwrap();
    assert!(
        audit.reads.len() >= 4,
        "every read is logged: {}",
        audit.reads.len()
    );
    assert!(audit.reads.iter().all(|r| r.case_id == id));
});

on_both_databases!(
    confidentiality_statement_comes_first,
    |db: DatabaseConnection| async move {
        let net = network(&db, "kempen").await;
        let id = published_case(&db, &net, "Titel", "Een tekst zonder namen.").await;
        let late = person(&db, "laat@example.be", false).await;
        networks::add_member(&db, net.id, late.id, NetworkRole::Coach, None)
            .await
            .unwrap();
        let late_actor = actor(&db, &late).await;
        let list = domain::network_cases(&db, &late_actor, &net.slug, false)
            .await
            .unwrap();
        assert!(
            list.statement.is_some() && list.cases.is_empty(),
            "no cases before accepting"
        );
        assert!(
            domain::statement_gate(&db, &late_actor, id, false)
                .await
                .unwrap()
                .is_some()
        );
        assert_eq!(
            domain::thread(&db, &late_actor, id, false).await.err(),
            Some(AppError::ConfidentialityRequired)
        );
        assert_eq!(
            domain::create_case(&db, &late_actor, &net.slug, input("x", "y"))
                .await
                .err(),
            Some(AppError::ConfidentialityRequired)
        );
        let before = Utc::now();
        domain::accept_confidentiality(&db, &late_actor, &net.slug)
            .await
            .unwrap();
        let at = domain::accepted_at(&db, net.id, late.id)
            .await
            .unwrap()
            .expect("recorded");
        assert!(at >= before - Duration::seconds(1));
        assert!(domain::thread(&db, &late_actor, id, false).await.is_ok());
        assert_eq!(
            domain::network_cases(&db, &late_actor, &net.slug, false)
                .await
                .unwrap()
                .cases
                .len(),
            1
        );
        // The network's own statement replaces Kring's.
        domain::update_settings(
            &db,
            &net.facilitator,
            &net.slug,
            false,
            "6",
            "Ons eigen beroepsgeheim.",
        )
        .await
        .unwrap();
        let other = person(&db, "nieuw@example.be", false).await;
        networks::add_member(&db, net.id, other.id, NetworkRole::Coach, None)
            .await
            .unwrap();
        let list = domain::network_cases(&db, &actor(&db, &other).await, &net.slug, false)
            .await
            .unwrap();
        assert_eq!(list.statement.as_deref(), Some("Ons eigen beroepsgeheim."));
        assert_eq!(
            domain::update_settings(&db, &net.facilitator, &net.slug, false, "0", "")
                .await
                .err(),
            Some(AppError::invalid(Field::Retention, Problem::Malformed))
        );
    }
);

on_both_databases!(
    anonymity_check_by_a_facilitator,
    |db: DatabaseConnection| async move {
        let net = network(&db, "kempen").await;
        domain::update_settings(&db, &net.facilitator, &net.slug, true, "12", "")
            .await
            .unwrap();
        let id = domain::create_case(
            &db,
            &net.coach,
            &net.slug,
            input("Een verhuis", "Een gezin verhuist naar een andere gemeente."),
        )
        .await
        .unwrap();
        let decisions = accept_all(&db, &net.coach, id).await;
        domain::save_case(
            &db,
            &net.coach,
            id,
            CaseInput {
                decisions,
                ..input("Een verhuis", "Een gezin verhuist naar een andere gemeente.")
            },
        )
        .await
        .unwrap();
        assert_eq!(
            domain::publish_case(&db, &net.coach, id, BASE).await,
            Ok(CaseStatus::InReview)
        );
        assert_eq!(
            domain::thread(&db, &net.expert, id, false).await.err(),
            Some(AppError::NotFound)
        );
        let queue = domain::review(&db, &net.facilitator, &net.slug, false)
            .await
            .unwrap()
            .queue;
        assert_eq!(queue.len(), 1);
        // Sending back needs a comment; the author sees it.
        assert_eq!(
            domain::decide_review(&db, &net.facilitator, id, false, " ", BASE)
                .await
                .err(),
            Some(AppError::invalid(Field::Message, Problem::Empty))
        );
        domain::decide_review(
            &db,
            &net.facilitator,
            id,
            false,
            "De gemeente is te herkenbaar.",
            BASE,
        )
        .await
        .unwrap();
        let editor = domain::editor(&db, &net.coach, id).await.unwrap();
        assert_eq!(editor.status, CaseStatus::SentBack);
        assert_eq!(
            editor.review_comment.as_deref(),
            Some("De gemeente is te herkenbaar.")
        );
        assert_eq!(
            domain::publish_case(&db, &net.coach, id, BASE).await,
            Ok(CaseStatus::InReview)
        );
        assert_eq!(
            domain::decide_review(&db, &net.coach, id, true, "", BASE)
                .await
                .err(),
            Some(AppError::NotFound),
            "only facilitators check"
        );
        domain::decide_review(&db, &net.facilitator, id, true, "", BASE)
            .await
            .unwrap();
        assert_eq!(
            domain::thread(&db, &net.expert, id, false).await.unwrap().status,
            CaseStatus::Published
        );
        assert_eq!(
            domain::decide_review(&db, &net.facilitator, id, true, "", BASE)
                .await
                .err(),
            Some(AppError::NotFound),
            "no longer in the queue"
        );
    }
);

on_both_databases!(
    replies_follow_the_session_phases,
    |db: DatabaseConnection| async move {
        use app::sessions::domain::{self as sessions, LiveCommand};
        let net = network(&db, "kempen").await;
        let sid = intervision(&db, &net, "incident").await;
        let id = domain::create_case(
            &db,
            &net.coach,
            &net.slug,
            CaseInput {
                session_id: Some(sid),
                ..input("Casus voor de intervisie", "Een vraag over budgetbeheer.")
            },
        )
        .await
        .unwrap();
        domain::publish_case(&db, &net.coach, id, BASE).await.unwrap();
        let seen = domain::thread(&db, &net.expert, id, false).await.unwrap();
        assert!(seen.phases.len() >= 4 && seen.phases.iter().all(|p| !p.open));
        assert_eq!(
            domain::post_reply(&db, &net.expert, id, reply_input("Vraag"), BASE)
                .await
                .err(),
            Some(AppError::PhaseNotOpen)
        );
        sessions::live(&db, &net.facilitator, sid, LiveCommand::Start)
            .await
            .unwrap();
        let p0 = ReplyInput {
            phase: Some(0),
            ..reply_input("Een verhelderende vraag")
        };
        assert!(matches!(
            domain::post_reply(&db, &net.expert, id, p0, BASE).await,
            Ok(ReplyOutcome::Posted(_))
        ));
        let p2 = ReplyInput {
            phase: Some(2),
            ..reply_input("Te vroeg")
        };
        assert_eq!(
            domain::post_reply(&db, &net.expert, id, p2.clone(), BASE)
                .await
                .err(),
            Some(AppError::PhaseNotOpen)
        );
        sessions::live(&db, &net.facilitator, sid, LiveCommand::Next)
            .await
            .unwrap();
        sessions::live(&db, &net.facilitator, sid, LiveCommand::Next)
            .await
            .unwrap();
        assert!(matches!(
            domain::post_reply(&db, &net.expert, id, p2, BASE).await,
            Ok(ReplyOutcome::Posted(_))
        ));
        let seen = domain::thread(&db, &net.coach, id, false).await.unwrap();
        assert_eq!(seen.current_phase, Some(2));
        let tags: Vec<Option<String>> = seen.replies.iter().map(|r| r.phase.clone()).collect();
        assert_eq!(
            tags,
            vec![
                Some(seen.phases[0].name.clone()),
                Some(seen.phases[2].name.clone())
            ]
        );
    }
);

on_both_databases!(
    reactions_reports_and_bad_input,
    |db: DatabaseConnection| async move {
        let net = network(&db, "kempen").await;
        // Bad input: an empty case, a megabyte, a script.
        let id = domain::create_case(&db, &net.coach, &net.slug, input("Leeg", ""))
            .await
            .unwrap();
        assert_eq!(
            domain::publish_case(&db, &net.coach, id, BASE).await.err(),
            Some(AppError::invalid(Field::CaseText, Problem::Empty))
        );
        let megabyte = "a".repeat(1_000_000);
        assert_eq!(
            domain::create_case(&db, &net.coach, &net.slug, input("Groot", &megabyte))
                .await
                .err(),
            Some(AppError::invalid(
                Field::CaseText,
                Problem::TooLong {
                    max: domain::BODY_MAX as u32
                }
            ))
        );
        assert_eq!(
            domain::save_case(&db, &net.coach, id, input("Groot", &megabyte))
                .await
                .err(),
            Some(AppError::invalid(
                Field::CaseText,
                Problem::TooLong {
                    max: domain::BODY_MAX as u32
                }
            ))
        );
        let id = published_case(
        &db,
        &net,
        "Script",
        "Tekst <script>alert(1)</script> met <img src=x onerror=alert(1)> en [link](javascript:alert(1)).",
    )
    .await;
        let seen = domain::thread(&db, &net.expert, id, false).await.unwrap();
        assert!(
            !seen.body_html.contains("<script")
                && !seen.body_html.contains("onerror")
                && !seen.body_html.contains("javascript:"),
            "{}",
            seen.body_html
        );
        // Reactions toggle; reports reach the facilitators.
        domain::react(&db, &net.expert, id, 0, Reaction::Recognise)
            .await
            .unwrap();
        domain::react(&db, &net.facilitator, id, 0, Reaction::Recognise)
            .await
            .unwrap();
        let seen = domain::thread(&db, &net.expert, id, false).await.unwrap();
        assert_eq!(seen.reactions.len(), 1);
        assert_eq!((seen.reactions[0].count, seen.reactions[0].mine), (2, true));
        domain::react(&db, &net.expert, id, 0, Reaction::Recognise)
            .await
            .unwrap();
        let seen = domain::thread(&db, &net.expert, id, false).await.unwrap();
        assert_eq!((seen.reactions[0].count, seen.reactions[0].mine), (1, false));
        assert_eq!(
            domain::report_post(&db, &net.expert, id, None, "  ", BASE)
                .await
                .err(),
            Some(AppError::invalid(Field::Message, Problem::Empty))
        );
        domain::report_post(&db, &net.expert, id, None, "Ik herken het gezin.", BASE)
            .await
            .unwrap();
        let review = domain::review(&db, &net.facilitator, &net.slug, false)
            .await
            .unwrap();
        assert_eq!(review.reports.len(), 1);
        domain::resolve_report(&db, &net.facilitator, review.reports[0].id)
            .await
            .unwrap();
        assert!(
            domain::review(&db, &net.facilitator, &net.slug, false)
                .await
                .unwrap()
                .reports
                .is_empty()
        );
        // Mentions of members are not findings, and they get a mail.
        let outbox_before = app::mail::entity::Entity::find().count(&db).await.unwrap();
        let out = domain::post_reply(
            &db,
            &net.coach,
            id,
            reply_input("@lotte.kempen wat denk jij?"),
            BASE,
        )
        .await
        .unwrap();
        assert!(matches!(out, ReplyOutcome::Posted(_)), "{out:?}");
        assert_eq!(
            app::mail::entity::Entity::find().count(&db).await.unwrap(),
            outbox_before + 1
        );
        // Closed: readable, no more replies; an empty reply is refused.
        assert_eq!(
            domain::post_reply(&db, &net.coach, id, reply_input(" "), BASE)
                .await
                .err(),
            Some(AppError::invalid(Field::Message, Problem::Empty))
        );
        domain::close_case(&db, &net.coach, id).await.unwrap();
        assert!(domain::thread(&db, &net.expert, id, false).await.is_ok());
        assert_eq!(
            domain::post_reply(&db, &net.expert, id, reply_input("Nog iets"), BASE)
                .await
                .err(),
            Some(AppError::CaseClosed)
        );
    }
);

on_both_databases!(
    retention_purges_content_and_logs_it,
    |db: DatabaseConnection| async move {
        let net = network(&db, "kempen").await;
        let old = published_case(&db, &net, "Oude casus met Jonas", CASE_TEXT).await;
        let fresh = published_case(&db, &net, "Nieuwe casus", "Een gewone vraag.").await;
        domain::post_reply(&db, &net.expert, old, reply_input("Een reactie"), BASE)
            .await
            .unwrap();
        domain::react(&db, &net.expert, old, 0, Reaction::Thanks)
            .await
            .unwrap();
        domain::report_post(&db, &net.expert, old, None, "Melding", BASE)
            .await
            .unwrap();
        domain::autosave_reply(&db, &net.facilitator, old, "Een klad van een reactie")
            .await
            .unwrap();
        domain::thread(&db, &net.facilitator, old, false).await.unwrap();
        // Thirteen months without activity.
        case::Entity::update(case::ActiveModel {
            id: Set(old),
            last_activity_at: Set(Utc::now() - Duration::days(400)),
            ..Default::default()
        })
        .exec(&db)
        .await
        .unwrap();
        assert_eq!(domain::purge_expired(&db, Utc::now()).await.unwrap(), 1);
        assert!(case::Entity::find_by_id(old).one(&db).await.unwrap().is_none());
        assert!(case::Entity::find_by_id(fresh).one(&db).await.unwrap().is_some());
        assert_eq!(
            reply::Entity::find()
                .filter(reply::Column::CaseId.eq(old))
                .count(&db)
                .await
                .unwrap(),
            0
        );
        assert_eq!(
            version::Entity::find()
                .filter(version::Column::CaseId.eq(old))
                .count(&db)
                .await
                .unwrap(),
            0
        );
        assert_eq!(reply_draft::Entity::find().count(&db).await.unwrap(), 0);
        assert_eq!(
            app::cases::entity::reaction::Entity::find()
                .count(&db)
                .await
                .unwrap(),
            0
        );
        assert_eq!(
            app::cases::entity::report::Entity::find()
                .count(&db)
                .await
                .unwrap(),
            0
        );
        // No row anywhere still holds the text (the reads log holds ids only).
        for table in [
            "cases",
            "case_replies",
            "case_versions",
            "case_reply_drafts",
            "case_reports",
        ] {
            use sea_orm::ConnectionTrait;
            let rows = db
                .query_all(sea_orm::Statement::from_string(
                    db.get_database_backend(),
                    format!("SELECT * FROM {table}"),
                ))
                .await
                .unwrap();
            let dump = format!("{rows:?}");
            assert!(
                !dump.contains("Jonas") && !dump.contains("Kerkstraat"),
                "{table}: {dump}"
            );
        }
        let log = purge::Entity::find().all(&db).await.unwrap();
        assert_eq!(log.len(), 1);
        assert_eq!(
            (log[0].case_id, log[0].reason.as_str(), log[0].replies),
            (old, "retention", 1)
        );
        assert!(
            read::Entity::find()
                .filter(read::Column::CaseId.eq(old))
                .count(&db)
                .await
                .unwrap()
                > 0
        );
        // A purged case is gone for everyone, replies included.
        assert_eq!(
            domain::thread(&db, &net.coach, old, false).await.err(),
            Some(AppError::NotFound)
        );
        assert_eq!(
            domain::post_reply(&db, &net.expert, old, reply_input("Hallo?"), BASE)
                .await
                .err(),
            Some(AppError::NotFound)
        );
        // Closed cases go after the grace period; deleting is at once, logged.
        domain::close_case(&db, &net.facilitator, fresh).await.unwrap();
        assert_eq!(domain::purge_expired(&db, Utc::now()).await.unwrap(), 0);
        assert_eq!(
            domain::purge_expired(&db, Utc::now() + Duration::days(domain::CLOSED_GRACE_DAYS + 1))
                .await
                .unwrap(),
            1
        );
        let draft = domain::create_case(&db, &net.coach, &net.slug, input("Klad", "Tekst"))
            .await
            .unwrap();
        assert_eq!(
            domain::delete_case(&db, &net.facilitator, draft).await.err(),
            Some(AppError::NotFound),
            "a draft is its author's"
        );
        domain::delete_case(&db, &net.coach, draft).await.unwrap();
        let reasons: Vec<String> = purge::Entity::find()
            .all(&db)
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.reason)
            .collect();
        assert_eq!(reasons, vec!["retention", "closed", "deleted"]);
    }
);

on_both_databases!(
    editing_keeps_history_and_autosaves,
    |db: DatabaseConnection| async move {
        let net = network(&db, "kempen").await;
        let id = published_case(&db, &net, "Eerste titel", "Eerste versie van de vraag.").await;
        domain::autosave(&db, &net.coach, id, "Tweede titel", "Tweede versie van de vraag.")
            .await
            .unwrap();
        let editor = domain::editor(&db, &net.coach, id).await.unwrap();
        assert_eq!(
            (editor.title.as_str(), editor.body.as_str()),
            ("Tweede titel", "Tweede versie van de vraag.")
        );
        // Readers still see the published text until it is published again.
        assert_eq!(
            domain::thread(&db, &net.expert, id, false).await.unwrap().title,
            "Eerste titel"
        );
        domain::publish_case(&db, &net.coach, id, BASE).await.unwrap();
        let seen = domain::thread(&db, &net.expert, id, false).await.unwrap();
        assert_eq!((seen.title.as_str(), seen.versions), ("Tweede titel", 1));
        let history = domain::history(&db, &net.expert, id, None).await.unwrap();
        assert_eq!(history[0].1, "Eerste titel");
        assert_eq!(
            domain::autosave(&db, &net.expert, id, "x", "y").await.err(),
            Some(AppError::NotFound)
        );
    }
);
