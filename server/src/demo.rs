//! Demo data for the pilot sites. Idempotent: what exists is left alone.
//! These are the sign-ins the networks release gives their roles in the
//! pilot networks (it adds the networks, organisations and memberships).

use kring_app::AppError;
use kring_app::accounts::domain::{self, NewUser};
use sea_orm::DatabaseConnection;

pub struct DemoAccount {
    pub email: &'static str,
    pub name: &'static str,
    pub admin: bool,
}

pub const ACCOUNTS: &[DemoAccount] = &[
    DemoAccount {
        email: "admin@kring.demo",
        name: "Beheerder Demo",
        admin: true,
    },
    DemoAccount {
        email: "facilitator@kring.demo",
        name: "Lotte Procesbegeleider (demo)",
        admin: false,
    },
    DemoAccount {
        email: "coach@kring.demo",
        name: "Sofie Coach (demo)",
        admin: false,
    },
    DemoAccount {
        email: "ervaringsdeskundige@kring.demo",
        name: "Mohamed Ervaringsdeskundige (demo)",
        admin: false,
    },
    DemoAccount {
        email: "nieuwkomer@kring.demo",
        name: "Eva Nieuwkomer (demo)",
        admin: false,
    },
];

/// Creates the demo accounts that are missing; returns how many it made.
pub async fn load(db: &DatabaseConnection, password: &str) -> Result<usize, AppError> {
    let mut created = 0;
    for acc in ACCOUNTS {
        if domain::find_by_email(db, acc.email).await?.is_some() {
            continue;
        }
        domain::create_user(
            db,
            NewUser {
                email: acc.email,
                display_name: acc.name,
                password,
                is_admin: acc.admin,
                is_demo: true,
            },
        )
        .await?;
        created += 1;
    }
    Ok(created)
}

pub fn print_sign_ins(password: &str) {
    println!("Demo sign-ins (password: {password}):");
    for acc in ACCOUNTS {
        let role = match acc.email {
            "admin@kring.demo" => "platform admin",
            "facilitator@kring.demo" => "facilitator",
            "coach@kring.demo" => "coach",
            "ervaringsdeskundige@kring.demo" => "expert-by-experience",
            _ => "newcomer",
        };
        println!("  {:<32} {role}", acc.email);
    }
}
