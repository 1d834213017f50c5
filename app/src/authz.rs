//! The one place that answers "may this actor do this action on this
//! resource?" for the whole product. Pure: the caller loads the actor's
//! memberships and the resource's facts, this module decides. Server
//! functions and HTTP handlers call [`may`] (or [`check`], which turns a
//! refusal into "not found" so ids cannot be probed); none re-implements it.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::errors::AppError;

pub type NetworkId = i64;
pub type UserId = i64;

pub use crate::networks::NetworkRole;

/// Who is asking.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Actor {
    pub user: Option<UserId>,
    pub is_admin: bool,
    pub roles: HashMap<NetworkId, NetworkRole>,
}

impl Actor {
    pub fn anonymous() -> Self {
        Actor::default()
    }

    pub fn user(id: UserId, is_admin: bool, roles: HashMap<NetworkId, NetworkRole>) -> Self {
        Actor {
            user: Some(id),
            is_admin,
            roles,
        }
    }

    pub fn role_in(&self, network: NetworkId) -> Option<NetworkRole> {
        self.roles.get(&network).copied()
    }

    fn facilitates_any(&self) -> bool {
        self.roles.values().any(|r| *r == NetworkRole::Facilitator)
    }
}

/// Who may see a library practice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Visibility {
    /// Anyone, without an account.
    Public,
    /// Members of its network only.
    Network,
}

/// The kinds of things that belong to a network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceKind {
    Session,
    Case,
    /// A reply or reflection in a case thread.
    CaseReply,
    Practice,
}

/// What the action is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The platform as a whole (reference data, creating networks).
    Platform,
    Network(NetworkId),
    Resource {
        network: NetworkId,
        kind: ResourceKind,
        visibility: Visibility,
        author: Option<UserId>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Municipalities, organisations, accounts, the audit log.
    ManagePlatform,
    CreateNetwork,
    /// The network's about page (the directory shows it to anyone signed in).
    ViewNetwork,
    ViewMembers,
    EditNetwork,
    InviteMembers,
    DecideJoinRequests,
    ChangeRoles,
    RemoveMembers,
    RequestToJoin,
    Leave,
    Read,
    Create,
    Edit,
    /// An expert-by-experience's reflection on a case, session or practice.
    Reflect,
    /// "Wie doet gezinscoaching waar?" (target: the platform).
    UseDirectory,
    /// Ask a network's facilitators about a family moving there.
    SendHandover,
    /// Agree to be listed as the network's contact in the directory.
    ListAsContact,
    /// Answer going / maybe / not going for a session or a series.
    Rsvp,
    /// Live mode, attendance and minutes of a session.
    RunSession,
    /// Copy and edit intervision methods for the network.
    EditMethods,
    /// The anonymity check of cases (review queue), reports on posts and
    /// the network's case settings.
    ModerateCases,
    /// Who read which case when (no content).
    ViewCaseAudit,
    /// Turn a closed case into a draft library practice.
    PromoteCase,
}

impl Action {
    pub const ALL: [Action; 24] = [
        Action::ManagePlatform,
        Action::CreateNetwork,
        Action::ViewNetwork,
        Action::ViewMembers,
        Action::EditNetwork,
        Action::InviteMembers,
        Action::DecideJoinRequests,
        Action::ChangeRoles,
        Action::RemoveMembers,
        Action::RequestToJoin,
        Action::Leave,
        Action::Read,
        Action::Create,
        Action::Edit,
        Action::Reflect,
        Action::UseDirectory,
        Action::SendHandover,
        Action::ListAsContact,
        Action::Rsvp,
        Action::RunSession,
        Action::EditMethods,
        Action::ModerateCases,
        Action::ViewCaseAudit,
        Action::PromoteCase,
    ];
}

/// The rule set. Shared professional secrecy decides the resource rules:
/// network-only content is for members, cases for members bound to
/// discuss them (not observers) — platform admins included, who manage
/// networks but do not read what is inside them unless they are members.
pub fn may(actor: &Actor, action: Action, target: Target) -> bool {
    use Action::*;
    use NetworkRole::*;
    let signed_in = actor.user.is_some();
    match (action, target) {
        (ManagePlatform, Target::Platform) => actor.is_admin,
        (CreateNetwork, Target::Platform) => signed_in && (actor.is_admin || actor.facilitates_any()),

        (ViewNetwork, Target::Network(_)) => signed_in,
        (ViewMembers, Target::Network(n)) => actor.is_admin || actor.role_in(n).is_some(),
        (
            EditNetwork | InviteMembers | DecideJoinRequests | ChangeRoles | RemoveMembers,
            Target::Network(n),
        ) => signed_in && (actor.is_admin || actor.role_in(n) == Some(Facilitator)),
        (RequestToJoin, Target::Network(n)) => signed_in && actor.role_in(n).is_none(),
        (Leave | ListAsContact, Target::Network(n)) => actor.role_in(n).is_some(),
        (UseDirectory, Target::Platform) => signed_in,
        // Handover is between coaches: someone who coaches (or facilitates)
        // somewhere, writing to another network's facilitators.
        (SendHandover, Target::Network(_) | Target::Platform) => {
            actor.roles.values().any(|r| matches!(r, Facilitator | Coach))
        }

        (
            Read,
            Target::Resource {
                network,
                kind,
                visibility,
                ..
            },
        ) => {
            let role = actor.role_in(network);
            match (kind, visibility) {
                (ResourceKind::Practice, Visibility::Public) => true,
                (ResourceKind::Case | ResourceKind::CaseReply, _) => {
                    matches!(role, Some(Facilitator | Coach | ExpertByExperience))
                }
                _ => role.is_some(),
            }
        }
        (Create, Target::Resource { network, kind, .. }) => {
            let role = actor.role_in(network);
            match kind {
                ResourceKind::Session => role == Some(Facilitator),
                ResourceKind::Case | ResourceKind::Practice => matches!(role, Some(Facilitator | Coach)),
                // Everyone bound to discuss cases takes part in the thread.
                ResourceKind::CaseReply => matches!(role, Some(Facilitator | Coach | ExpertByExperience)),
            }
        }
        (
            Edit,
            Target::Resource {
                network,
                kind,
                author,
                ..
            },
        ) => {
            let role = actor.role_in(network);
            let own = author.is_some() && author == actor.user;
            // Nobody rewrites another's words in a thread, facilitators neither.
            (role == Some(Facilitator) && kind != ResourceKind::CaseReply)
                || (own
                    && may(
                        actor,
                        Create,
                        Target::Resource {
                            network,
                            kind,
                            visibility: Visibility::Network,
                            author,
                        },
                    ))
        }
        (Reflect, Target::Resource { network, .. }) => actor.role_in(network) == Some(ExpertByExperience),
        // Every member may come to a session, newcomers too (they learn by
        // looking on); only the network's facilitators run it.
        (
            Rsvp,
            Target::Resource {
                network,
                kind: ResourceKind::Session,
                ..
            },
        ) => actor.role_in(network).is_some(),
        (
            RunSession,
            Target::Resource {
                network,
                kind: ResourceKind::Session,
                ..
            },
        ) => actor.role_in(network) == Some(Facilitator),
        (EditMethods | ModerateCases, Target::Network(n)) => actor.role_in(n) == Some(Facilitator),
        // Admins answer for the platform: they see who read what, not the cases.
        (ViewCaseAudit, Target::Network(n)) => actor.is_admin || actor.role_in(n) == Some(Facilitator),

        // Whoever may close the case (its author, a facilitator) and write
        // practices in its network.
        (
            PromoteCase,
            Target::Resource {
                network,
                kind: ResourceKind::Case,
                ..
            },
        ) => {
            let practice = Target::Resource {
                network,
                kind: ResourceKind::Practice,
                visibility: Visibility::Network,
                author: actor.user,
            };
            may(actor, Edit, target) && may(actor, Create, practice)
        }

        // Any other pairing of action and target makes no sense: refuse.
        _ => false,
    }
}

/// [`may`] for a session that other networks are invited to (supra-local
/// meetings): their members may read it and answer; everything else stays
/// with the host network.
pub fn may_on_session(actor: &Actor, action: Action, host: NetworkId, guests: &[NetworkId]) -> bool {
    let on = |network| Target::Resource {
        network,
        kind: ResourceKind::Session,
        visibility: Visibility::Network,
        author: None,
    };
    may(actor, action, on(host))
        || (matches!(action, Action::Read | Action::Rsvp)
            && guests.iter().any(|g| may(actor, action, on(*g))))
}

/// Only a case's author writes it (and sees its raw draft), as long as they
/// may still bring cases to the network; facilitators close or delete
/// cases but never read or rewrite the author's words.
pub fn may_write_case(actor: &Actor, network: NetworkId, author: Option<UserId>) -> bool {
    author.is_some()
        && author == actor.user
        && may(
            actor,
            Action::Create,
            Target::Resource {
                network,
                kind: ResourceKind::Case,
                visibility: Visibility::Network,
                author,
            },
        )
}

/// [`may`] for a library practice, which may belong to no network (public
/// practices imported or written by platform admins): those are read by
/// anyone, written by admins and reflected on by any expert-by-experience.
pub fn may_on_practice(
    actor: &Actor,
    action: Action,
    network: Option<NetworkId>,
    visibility: Visibility,
    author: Option<UserId>,
) -> bool {
    match network {
        Some(network) => may(
            actor,
            action,
            Target::Resource {
                network,
                kind: ResourceKind::Practice,
                visibility,
                author,
            },
        ),
        None => match action {
            Action::Read => visibility == Visibility::Public,
            Action::Create | Action::Edit => actor.is_admin,
            Action::Reflect => actor
                .roles
                .values()
                .any(|r| *r == NetworkRole::ExpertByExperience),
            _ => false,
        },
    }
}

/// The networks whose `kind` resources with network visibility the actor
/// may read: what a search filters on inside the index (never after it).
pub fn readable_networks(actor: &Actor, kind: ResourceKind) -> Vec<NetworkId> {
    let mut ids: Vec<NetworkId> = actor
        .roles
        .keys()
        .copied()
        .filter(|n| {
            may(
                actor,
                Action::Read,
                Target::Resource {
                    network: *n,
                    kind,
                    visibility: Visibility::Network,
                    author: None,
                },
            )
        })
        .collect();
    ids.sort_unstable();
    ids
}

/// [`may`] for request handlers: a refusal reads exactly like a missing
/// resource, so nobody learns that an id exists.
pub fn check(actor: &Actor, action: Action, target: Target) -> Result<(), AppError> {
    if may(actor, action, target) {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action::*;

    const NET: NetworkId = 7;
    const OTHER: NetworkId = 8;
    const ME: UserId = 100;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Who {
        Admin,
        Facilitator,
        Coach,
        Expert,
        Observer,
        NonMember,
        Anonymous,
    }

    fn actor(who: Who) -> Actor {
        let member = |role| {
            Actor::user(
                ME,
                false,
                HashMap::from([(NET, role), (OTHER + 1, NetworkRole::Coach)]),
            )
        };
        match who {
            Who::Admin => Actor::user(ME, true, HashMap::new()),
            Who::Facilitator => member(NetworkRole::Facilitator),
            Who::Coach => member(NetworkRole::Coach),
            Who::Expert => member(NetworkRole::ExpertByExperience),
            Who::Observer => member(NetworkRole::Observer),
            // A facilitator elsewhere is still a stranger here.
            Who::NonMember => Actor::user(ME, false, HashMap::from([(OTHER, NetworkRole::Facilitator)])),
            Who::Anonymous => Actor::anonymous(),
        }
    }

    fn res(kind: ResourceKind, visibility: Visibility, author: Option<UserId>) -> Target {
        Target::Resource {
            network: NET,
            kind,
            visibility,
            author,
        }
    }

    /// Every role × every action, with the target each action is about.
    /// Columns: Admin, Facilitator, Coach, Expert, Observer, NonMember, Anonymous.
    #[test]
    fn role_action_table() {
        use ResourceKind::*;
        use Visibility::*;
        let someone_else = Some(ME + 1);
        let rows: Vec<(&str, Action, Target, [bool; 7])> = vec![
            (
                "manage platform",
                ManagePlatform,
                Target::Platform,
                [true, false, false, false, false, false, false],
            ),
            (
                "create network",
                CreateNetwork,
                Target::Platform,
                [true, true, false, false, false, true, false],
            ),
            (
                "view network",
                ViewNetwork,
                Target::Network(NET),
                [true, true, true, true, true, true, false],
            ),
            (
                "view members",
                ViewMembers,
                Target::Network(NET),
                [true, true, true, true, true, false, false],
            ),
            (
                "edit network",
                EditNetwork,
                Target::Network(NET),
                [true, true, false, false, false, false, false],
            ),
            (
                "invite",
                InviteMembers,
                Target::Network(NET),
                [true, true, false, false, false, false, false],
            ),
            (
                "decide joins",
                DecideJoinRequests,
                Target::Network(NET),
                [true, true, false, false, false, false, false],
            ),
            (
                "change roles",
                ChangeRoles,
                Target::Network(NET),
                [true, true, false, false, false, false, false],
            ),
            (
                "remove members",
                RemoveMembers,
                Target::Network(NET),
                [true, true, false, false, false, false, false],
            ),
            (
                "request to join",
                RequestToJoin,
                Target::Network(NET),
                [true, false, false, false, false, true, false],
            ),
            (
                "leave",
                Leave,
                Target::Network(NET),
                [false, true, true, true, true, false, false],
            ),
            (
                "read case",
                Read,
                res(Case, Network, someone_else),
                [false, true, true, true, false, false, false],
            ),
            (
                "read session",
                Read,
                res(Session, Network, None),
                [false, true, true, true, true, false, false],
            ),
            (
                "read network practice",
                Read,
                res(Practice, Network, someone_else),
                [false, true, true, true, true, false, false],
            ),
            (
                "read public practice",
                Read,
                res(Practice, Public, someone_else),
                [true, true, true, true, true, true, true],
            ),
            (
                "create case",
                Create,
                res(Case, Network, None),
                [false, true, true, false, false, false, false],
            ),
            (
                "create practice",
                Create,
                res(Practice, Network, None),
                [false, true, true, false, false, false, false],
            ),
            (
                "schedule session",
                Create,
                res(Session, Network, None),
                [false, true, false, false, false, false, false],
            ),
            (
                "rsvp to a session",
                Rsvp,
                res(Session, Network, None),
                [false, true, true, true, true, false, false],
            ),
            (
                "run a session (live, attendance, minutes)",
                RunSession,
                res(Session, Network, None),
                [false, true, false, false, false, false, false],
            ),
            (
                "edit methods",
                EditMethods,
                Target::Network(NET),
                [false, true, false, false, false, false, false],
            ),
            (
                "edit own case",
                Edit,
                res(Case, Network, Some(ME)),
                [false, true, true, false, false, false, false],
            ),
            (
                "edit another's case",
                Edit,
                res(Case, Network, someone_else),
                [false, true, false, false, false, false, false],
            ),
            (
                "edit own practice",
                Edit,
                res(Practice, Public, Some(ME)),
                [false, true, true, false, false, false, false],
            ),
            (
                "edit own reply",
                Edit,
                res(CaseReply, Network, Some(ME)),
                [false, true, true, true, false, false, false],
            ),
            (
                "edit another's reply",
                Edit,
                res(CaseReply, Network, someone_else),
                [false; 7],
            ),
            (
                "read a reply",
                Read,
                res(CaseReply, Network, someone_else),
                [false, true, true, true, false, false, false],
            ),
            (
                "reply in a case thread",
                Create,
                res(CaseReply, Network, None),
                [false, true, true, true, false, false, false],
            ),
            (
                "moderate cases",
                ModerateCases,
                Target::Network(NET),
                [false, true, false, false, false, false, false],
            ),
            (
                "see who read cases",
                ViewCaseAudit,
                Target::Network(NET),
                [true, true, false, false, false, false, false],
            ),
            (
                "promote own closed case to a practice",
                PromoteCase,
                res(Case, Network, Some(ME)),
                [false, true, true, false, false, false, false],
            ),
            (
                "promote another's case",
                PromoteCase,
                res(Case, Network, someone_else),
                [false, true, false, false, false, false, false],
            ),
            (
                "promote a practice",
                PromoteCase,
                res(Practice, Public, Some(ME)),
                [false; 7],
            ),
            (
                "reflect on case",
                Reflect,
                res(Case, Network, someone_else),
                [false, false, false, true, false, false, false],
            ),
            (
                "reflect on practice",
                Reflect,
                res(Practice, Public, someone_else),
                [false, false, false, true, false, false, false],
            ),
            (
                "use the directory",
                UseDirectory,
                Target::Platform,
                [true, true, true, true, true, true, false],
            ),
            (
                "list me as contact",
                ListAsContact,
                Target::Network(NET),
                [false, true, true, true, true, false, false],
            ),
            // Every fixture member also coaches in another network.
            (
                "send handover",
                SendHandover,
                Target::Network(NET),
                [false, true, true, true, true, true, false],
            ),
            // Nonsense pairings are refused for everyone.
            ("read the platform", Read, Target::Platform, [false; 7]),
            ("reflect on a network", Reflect, Target::Network(NET), [false; 7]),
            (
                "directory of a network",
                UseDirectory,
                Target::Network(NET),
                [false; 7],
            ),
        ];
        let whos = [
            Who::Admin,
            Who::Facilitator,
            Who::Coach,
            Who::Expert,
            Who::Observer,
            Who::NonMember,
            Who::Anonymous,
        ];
        // Every action appears in the table at least once.
        for action in Action::ALL {
            assert!(rows.iter().any(|r| r.1 == action), "{action:?} has no row");
        }
        for (label, action, target, expected) in rows {
            for (who, want) in whos.iter().zip(expected) {
                assert_eq!(may(&actor(*who), action, target), want, "{label}: {who:?}");
            }
        }
    }

    #[test]
    fn a_refusal_looks_like_not_found() {
        let target = res(ResourceKind::Case, Visibility::Network, None);
        assert_eq!(
            check(&actor(Who::NonMember), Read, target),
            Err(AppError::NotFound)
        );
        assert_eq!(check(&actor(Who::Coach), Read, target), Ok(()));
    }

    #[test]
    fn guest_networks_read_and_answer_but_never_run_a_session() {
        let guest = Actor::user(ME, false, HashMap::from([(OTHER, NetworkRole::Facilitator)]));
        assert!(may_on_session(&guest, Read, NET, &[OTHER]));
        assert!(may_on_session(&guest, Rsvp, NET, &[OTHER]));
        assert!(!may_on_session(&guest, Edit, NET, &[OTHER]));
        assert!(!may_on_session(&guest, RunSession, NET, &[OTHER]));
        assert!(
            !may_on_session(&guest, Read, NET, &[]),
            "not invited: not readable"
        );
        assert!(!may_on_session(&Actor::anonymous(), Read, NET, &[OTHER]));
    }

    #[test]
    fn handover_needs_someone_who_coaches() {
        let newcomer = Actor::user(ME, false, HashMap::new());
        assert!(!may(&newcomer, SendHandover, Target::Network(NET)));
        let expert_only = Actor::user(
            ME,
            false,
            HashMap::from([(OTHER, NetworkRole::ExpertByExperience)]),
        );
        assert!(!may(&expert_only, SendHandover, Target::Network(NET)));
        let coach = Actor::user(ME, false, HashMap::from([(OTHER, NetworkRole::Coach)]));
        assert!(may(&coach, SendHandover, Target::Network(NET)));
        // The same rule asked platform-wide (the directory's forms).
        assert!(may(&coach, SendHandover, Target::Platform));
        assert!(!may(&newcomer, SendHandover, Target::Platform));
    }

    mod property {
        use super::*;
        use proptest::prelude::*;

        fn role() -> impl Strategy<Value = NetworkRole> {
            prop::sample::select(NetworkRole::ALL.to_vec())
        }

        fn any_actor() -> impl Strategy<Value = Actor> {
            (
                prop::option::of(0i64..50),
                any::<bool>(),
                prop::collection::hash_map(0i64..20, role(), 0..6),
            )
                .prop_map(|(user, is_admin, roles)| Actor {
                    user,
                    is_admin: is_admin && user.is_some(),
                    roles,
                })
        }

        fn kind() -> impl Strategy<Value = ResourceKind> {
            prop::sample::select(vec![
                ResourceKind::Session,
                ResourceKind::Case,
                ResourceKind::CaseReply,
                ResourceKind::Practice,
            ])
        }

        proptest! {
            /// For random networks, memberships and resources: no
            /// non-member ever reads a network-only resource.
            #[test]
            fn non_members_never_read_network_only_resources(
                actor in any_actor(),
                network in 0i64..20,
                kind in kind(),
                author in prop::option::of(0i64..50),
            ) {
                let target = Target::Resource { network, kind, visibility: Visibility::Network, author };
                if actor.role_in(network).is_none() {
                    prop_assert!(!may(&actor, Action::Read, target));
                    prop_assert!(!may(&actor, Action::Edit, target));
                    prop_assert!(!may(&actor, Action::Reflect, target));
                }
            }

            /// Cases are network-only whatever the flag says.
            #[test]
            fn cases_are_never_public(actor in any_actor(), network in 0i64..20) {
                let target = Target::Resource { network, kind: ResourceKind::Case, visibility: Visibility::Public, author: None };
                if actor.role_in(network).is_none() {
                    prop_assert!(!may(&actor, Action::Read, target));
                }
            }
        }
    }
}
