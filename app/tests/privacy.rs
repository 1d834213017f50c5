//! "Download my data" and "delete my account" (GDPR), on SQLite and
//! PostgreSQL: the export holds the person's data and nobody else's;
//! deletion removes the person and their raw text, keeps what others build
//! on as "former member", and warns a network's last facilitator.

mod common;

use std::collections::HashMap;
use std::io::Read;

use app::AppError;
use app::accounts::domain as accounts;
use app::accounts::domain::Proof;
use app::accounts::privacy::{self, Deletion};
use app::accounts::session_store::DbSessionStore;
use app::cases::domain::{self as cases, ReplyInput, ReplyOutcome};
use app::cases::entity::{case, reply};
use app::errors::{Field, Problem};
use app::networks::NetworkRole;
use app::networks::domain as networks;
use app::networks::entity::membership;
use app::sessions::entity::rsvp;
use app::sessions::{Answer, rsvp as answers};
use common::fixtures::{BASE, Net, case_input, intervision, network, person, published_case};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use tower_sessions::SessionStore;
use tower_sessions::session::{Id, Record};

const PASSWORD: &str = "wachtwoord-1234";

fn unzip(bytes: &[u8]) -> HashMap<String, String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    let mut files = HashMap::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let mut text = String::new();
        file.read_to_string(&mut text).unwrap();
        files.insert(file.name().unwrap().to_string(), text);
    }
    files
}

fn json(files: &HashMap<String, String>, name: &str) -> serde_json::Value {
    serde_json::from_str(files.get(name).unwrap_or_else(|| panic!("{name} in the zip"))).unwrap()
}

async fn reply_by(db: &DatabaseConnection, who: &app::authz::Actor, case_id: i64, body: &str) {
    let outcome = cases::post_reply(
        db,
        who,
        case_id,
        ReplyInput {
            body: body.into(),
            ..Default::default()
        },
        BASE,
    )
    .await
    .unwrap();
    assert!(matches!(outcome, ReplyOutcome::Posted(_)), "{outcome:?}");
}

/// The coach of `net` with a published case (naming a child, pseudonymised),
/// a draft case, a reply of their own and one of the expert, and an answer
/// to an intervision; the case's id and the session's.
async fn a_coachs_traces(db: &DatabaseConnection, net: &Net) -> (i64, i64) {
    let case_id = published_case(
        db,
        net,
        "Schulden en een verhuis",
        "Jasper (8) en zijn mama wonen sinds kort in Geel.",
    )
    .await;
    cases::create_case(
        db,
        &net.coach,
        &net.slug,
        case_input("Half af", "Nog een concept."),
    )
    .await
    .unwrap();
    reply_by(db, &net.coach, case_id, "Dank voor de vragen, ik neem ze mee.").await;
    reply_by(
        db,
        &net.expert,
        case_id,
        "Wat hielp bij ons was een vaste contactpersoon.",
    )
    .await;
    let session = intervision(db, net, "incident").await;
    answers::answer_session(db, &net.coach, session, Answer::Going)
        .await
        .unwrap();
    (case_id, session)
}

async fn signed_in_session(db: &DatabaseConnection, user_id: i64) -> Id {
    let store = DbSessionStore::new(db.clone());
    let mut data = HashMap::new();
    data.insert("uid".to_owned(), serde_json::json!(user_id));
    let mut record = Record {
        id: Id::default(),
        data,
        expiry_date: time::OffsetDateTime::now_utc() + time::Duration::minutes(30),
    };
    store.create(&mut record).await.unwrap();
    record.id
}

on_both_databases!(
    the_export_holds_the_persons_data_and_nobody_elses,
    |db: DatabaseConnection| async move {
        let net = network(&db, "kempen").await;
        let (case_id, session) = a_coachs_traces(&db, &net).await;
        let coach = net.coach.user.unwrap();

        let files = unzip(&privacy::export(&db, coach).await.unwrap());
        for name in [
            "README.txt",
            "profile.json",
            "memberships.json",
            "sessions.json",
            "cases.json",
            "case_replies.json",
            "practices.json",
            "practice_revisions.json",
            "practice_reflections.json",
            "case_reads.json",
        ] {
            assert!(files.contains_key(name), "{name} missing");
        }
        assert_eq!(json(&files, "profile.json")["email"], "sofie.kempen@example.be");
        let memberships = json(&files, "memberships.json");
        assert_eq!(memberships["memberships"][0]["network"], "kempen");
        assert_eq!(memberships["memberships"][0]["role"], "coach");
        let sessions = json(&files, "sessions.json");
        assert_eq!(sessions["answers"][0]["session_id"], session);
        assert_eq!(sessions["answers"][0]["answer"], "going");
        let cases_file = json(&files, "cases.json");
        let cases_list = cases_file.as_array().unwrap();
        assert_eq!(cases_list.len(), 2, "the published case and the draft");
        let published = cases_list.iter().find(|c| c["id"] == case_id).unwrap();
        assert!(
            published["draft_body"].as_str().unwrap().contains("Jasper"),
            "their own words are theirs to see"
        );
        assert!(!published["body"].as_str().unwrap().contains("Jasper"));
        let replies = json(&files, "case_replies.json");
        assert_eq!(replies.as_array().unwrap().len(), 1);
        assert_eq!(replies[0]["body"], "Dank voor de vragen, ik neem ze mee.");

        let everything: String = files.values().cloned().collect();
        for others in [
            "vaste contactpersoon",
            "lotte.kempen@example.be",
            "mohamed.kempen@example.be",
        ] {
            assert!(!everything.contains(others), "{others} is not the coach's");
        }

        // The expert's export has their reply and none of the coach's cases.
        let files = unzip(&privacy::export(&db, net.expert.user.unwrap()).await.unwrap());
        assert_eq!(json(&files, "cases.json").as_array().unwrap().len(), 0);
        let everything: String = files.values().cloned().collect();
        assert!(everything.contains("vaste contactpersoon"));
        assert!(!everything.contains("Jasper") && !everything.contains("Dank voor de vragen"));
    }
);

on_both_databases!(
    a_deleted_account_leaves_posts_as_former_member_and_no_raw_text,
    |db: DatabaseConnection| async move {
        let net = network(&db, "kempen").await;
        let (case_id, _) = a_coachs_traces(&db, &net).await;
        let coach = net.coach.user.unwrap();
        let theirs = signed_in_session(&db, coach).await;
        let others = signed_in_session(&db, net.expert.user.unwrap()).await;

        let wrong = privacy::delete_account(
            &db,
            coach,
            Deletion {
                proof: Proof::Password("niet mijn wachtwoord"),
                ..Default::default()
            },
        )
        .await;
        assert_eq!(wrong, Err(AppError::WrongCredentials));
        let empty = privacy::delete_account(&db, coach, Deletion::default()).await;
        assert_eq!(empty, Err(AppError::invalid(Field::Password, Problem::Empty)));
        assert!(
            accounts::find_by_id(&db, coach).await.unwrap().is_some(),
            "nothing happened yet"
        );

        let preview = privacy::deletion_preview(&db, coach).await.unwrap();
        assert_eq!((preview.cases, preview.replies, preview.reflections), (1, 1, 0));
        assert!(preview.sole_facilitator_of.is_empty());

        privacy::delete_account(
            &db,
            coach,
            Deletion {
                proof: Proof::Password(PASSWORD),
                ..Default::default()
            },
        )
        .await
        .unwrap();

        assert!(accounts::find_by_id(&db, coach).await.unwrap().is_none());
        let memberships = membership::Entity::find()
            .filter(membership::Column::UserId.eq(coach))
            .count(&db)
            .await
            .unwrap();
        let answers = rsvp::Entity::find()
            .filter(rsvp::Column::UserId.eq(coach))
            .count(&db)
            .await
            .unwrap();
        assert_eq!((memberships, answers), (0, 0));

        let store = DbSessionStore::new(db.clone());
        assert!(
            store.load(&theirs).await.unwrap().is_none(),
            "signed out everywhere"
        );
        assert!(store.load(&others).await.unwrap().is_some(), "nobody else is");

        let left: Vec<case::Model> = case::Entity::find().all(&db).await.unwrap();
        assert_eq!(left.len(), 1, "the draft went, the published case stayed");
        let kept = &left[0];
        assert_eq!((kept.id, kept.author_id), (case_id, None));
        assert!(
            !format!("{}{}{}", kept.draft_title, kept.draft_body, kept.decisions).contains("Jasper"),
            "the raw text naming the child is gone"
        );
        assert_eq!(kept.draft_body, kept.body);

        // Their reply stays, shown as by a former member.
        let thread = cases::thread(&db, &net.expert, case_id, false).await.unwrap();
        assert_eq!(thread.author, "(voormalig lid)");
        let theirs = thread
            .replies
            .iter()
            .find(|r| r.body == "Dank voor de vragen, ik neem ze mee.")
            .expect("the reply stays");
        assert_eq!(theirs.author, "(voormalig lid)");
        assert_eq!(thread.replies.len(), 2);
    }
);

on_both_databases!(
    deleting_posts_too_removes_replies_but_not_others,
    |db: DatabaseConnection| async move {
        let net = network(&db, "kempen").await;
        let (case_id, _) = a_coachs_traces(&db, &net).await;
        privacy::delete_account(
            &db,
            net.coach.user.unwrap(),
            Deletion {
                proof: Proof::Password(PASSWORD),
                delete_posts: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let left: Vec<String> = reply::Entity::find()
            .filter(reply::Column::CaseId.eq(case_id))
            .all(&db)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.body)
            .collect();
        assert_eq!(
            left,
            vec!["Wat hielp bij ons was een vaste contactpersoon.".to_owned()]
        );
    }
);

on_both_databases!(
    the_last_facilitator_is_warned_before_deleting,
    |db: DatabaseConnection| async move {
        let net = network(&db, "kempen").await;
        let lotte = net.facilitator.user.unwrap();
        let preview = privacy::deletion_preview(&db, lotte).await.unwrap();
        assert_eq!(preview.sole_facilitator_of, vec!["kempen".to_owned()]);
        let unconfirmed = privacy::delete_account(
            &db,
            lotte,
            Deletion {
                proof: Proof::Password(PASSWORD),
                ..Default::default()
            },
        )
        .await;
        assert_eq!(unconfirmed, Err(AppError::SoleFacilitator));
        assert!(accounts::find_by_id(&db, lotte).await.unwrap().is_some());

        // With a second facilitator there is nothing to warn about.
        let anna = person(&db, "anna.kempen@example.be", false).await;
        networks::add_member(&db, net.id, anna.id, NetworkRole::Facilitator, None)
            .await
            .unwrap();
        assert!(
            privacy::deletion_preview(&db, lotte)
                .await
                .unwrap()
                .sole_facilitator_of
                .is_empty()
        );
        // Lotte goes without confirming anything: Anna facilitates on.
        privacy::delete_account(
            &db,
            lotte,
            Deletion {
                proof: Proof::Password(PASSWORD),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(
            privacy::deletion_preview(&db, anna.id)
                .await
                .unwrap()
                .sole_facilitator_of,
            vec!["kempen".to_owned()]
        );
        privacy::delete_account(
            &db,
            anna.id,
            Deletion {
                proof: Proof::Password(PASSWORD),
                leave_networks_without_facilitator: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert!(accounts::find_by_id(&db, anna.id).await.unwrap().is_none());
    }
);
