//! The team lead's screen (队伍): the roster, one-tap duty sessions and the approval
//! of hours — all offline, saved and synced like every other record.

use chrono::{DateTime, Datelike, FixedOffset, Timelike};
use gatewatch_model::duty::{Activity, Approval, DutySession, Participation, DEFAULT_OPEN_LIMIT};
use gatewatch_model::report::hours_text;
use gatewatch_model::team::{mask_phone, valid_phone, MemberStatus, Role, Team, Volunteer};
use gatewatch_model::RecordBody;
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

use crate::components::choice::{options, Choice};
use crate::i18n::{names, tr, Msg};
use crate::routes::{Link, Page};
use crate::state::{AppState, SaveResult};
use crate::storage::StorageError;
use crate::sync::SyncHandle;
use crate::team::{local_now, SessionDraft};

/// `11-25 07:30`: formatted by hand, chrono's strftime costs kilobytes of wasm.
pub fn day_time(t: DateTime<FixedOffset>) -> String {
    format!("{:02}-{:02} {}", t.month(), t.day(), hh_mm(t))
}

pub fn hh_mm(t: DateTime<FixedOffset>) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

/// Runs a save, shows its error in `error`, and wakes sync when it worked.
fn spawn_save(
    state: AppState,
    error: RwSignal<String>,
    change: impl std::future::Future<Output = Result<SaveResult, StorageError>> + 'static,
) {
    let sync = expect_context::<SyncHandle>();
    spawn_local(async move {
        match change.await {
            Ok(_) => {
                error.try_set(String::new());
                sync.sync_now();
            }
            Err(e) => {
                error.try_set(format!("{}: {e}", state.t(Msg::SaveFailed)));
            }
        }
    });
}

/// Saves a changed session as its next version.
fn save_session(state: AppState, error: RwSignal<String>, id: Uuid, session: DutySession) {
    spawn_save(state, error, async move {
        state.revise(id, RecordBody::Duty(session)).await
    });
}

/// The team this screen (and the report) shows: the one picked, else the first.
pub fn current_team(state: AppState) -> Memo<Option<(Uuid, Team)>> {
    Memo::new(move |_| {
        let teams = state.teams();
        let picked = state.team.get();
        teams
            .iter()
            .find(|(id, _)| Some(*id) == picked)
            .or(teams.first())
            .cloned()
    })
}

/// A `<select>` of the teams on this phone, when there is more than one.
#[component]
pub fn TeamSelect(current: Memo<Option<(Uuid, Team)>>) -> impl IntoView {
    let state = AppState::expect();
    let pick = move |ev| {
        state
            .team
            .set(Uuid::parse_str(&event_target_value(&ev)).ok())
    };
    view! {
        <Show when=move || { state.teams().len() > 1 }>
            <label class="field">
                <span>{tr(Msg::NavTeam)}</span>
                <select data-testid="team-select" on:change=pick>
                    {move || {
                        let chosen = current.get().map(|(id, _)| id);
                        state
                            .teams()
                            .into_iter()
                            .map(|(id, t)| {
                                view! {
                                    <option value=id.to_string() selected=Some(id) == chosen>{t.name}</option>
                                }
                            })
                            .collect_view()
                    }}
                </select>
            </label>
        </Show>
    }
}

#[component]
pub fn TeamPage() -> impl IntoView {
    let state = AppState::expect();
    let current = current_team(state);
    let creating = RwSignal::new(false);
    view! {
        <section class="team">
            {move || match current.get() {
                None => view! {
                    <p class="empty" data-testid="team-empty">{tr(Msg::NoTeam)}</p>
                    <NewTeam/>
                }
                .into_any(),
                Some((id, team)) => view! {
                    <div class="team-head">
                        <h2 data-testid="team-name">{team.name.clone()}</h2>
                        <Link page=Page::TeamReport class="link-button" testid="team-report-link">
                            {tr(Msg::MonthlyReport)}
                        </Link>
                        <button class="link-button" data-testid="team-new" on:click=move |_| creating.update(|c| *c = !*c)>
                            {tr(Msg::NewTeam)}
                        </button>
                    </div>
                    <TeamSelect current=current/>
                    <Show when=move || creating.get()><NewTeam/></Show>
                    <SessionPanel team=id/>
                    <Roster team=id/>
                    <SessionList team=id/>
                }
                .into_any(),
            }}
        </section>
    }
}

/// Creates a team for one of the schools this phone knows.
#[component]
fn NewTeam() -> impl IntoView {
    let state = AppState::expect();
    let name = RwSignal::new(String::new());
    let school = RwSignal::new(
        state
            .schools
            .with_untracked(|s| s.first().map(|s| s.id.clone()))
            .unwrap_or_default(),
    );
    let error = RwSignal::new(String::new());
    let create = move |_| {
        let team = Team {
            school_id: school.get_untracked(),
            name: name.get_untracked().trim().to_string(),
            device_time: local_now(),
        };
        if team.validate().is_err() {
            error.set(state.t(Msg::NameRequired).into());
            return;
        }
        name.set(String::new());
        spawn_save(state, error, async move {
            let saved = state.create(RecordBody::Team(team)).await;
            if let Ok(SaveResult::Saved(id) | SaveResult::HeldInMemory(id)) = saved {
                state.team.set(Some(id));
            }
            saved
        });
    };
    view! {
        <div class="panel">
            <label class="field">
                <span>{tr(Msg::TeamName)}</span>
                <input type="text" maxlength="40" data-testid="team-name-input" bind:value=name/>
            </label>
            <label class="field">
                <span>{tr(Msg::School)}</span>
                <select data-testid="team-school" on:change=move |ev| school.set(event_target_value(&ev))>
                    {move || state.schools.get().into_iter().map(|s| {
                        let id = s.id.clone();
                        view! { <option value=s.id selected=move || school.get() == id>{s.name}</option> }
                    }).collect_view()}
                </select>
            </label>
            <button class="big-button" data-testid="team-create" on:click=create>{tr(Msg::NewTeam)}</button>
            <p class="field-error">{move || error.get()}</p>
        </div>
    }
}

/// The session now running, or the form that starts one.
#[component]
fn SessionPanel(team: Uuid) -> impl IntoView {
    let state = AppState::expect();
    let running = Memo::new(move |_| {
        state
            .sessions(team)
            .into_iter()
            .find(|(_, s)| s.end.is_none())
    });
    move || match running.get() {
        Some((id, session)) => view! { <RunningSession id=id session=session/> }.into_any(),
        None => view! { <StartSession team=team/> }.into_any(),
    }
}

#[component]
fn StartSession(team: Uuid) -> impl IntoView {
    let state = AppState::expect();
    let activity = RwSignal::new(Activity::Patrol.as_str());
    let post = RwSignal::new(String::new());
    let place = RwSignal::new(String::new());
    let audience = RwSignal::new(String::new());
    let error = RwSignal::new(String::new());
    let start = move |_| {
        let draft = SessionDraft {
            team,
            activity: Activity::parse(activity.get_untracked()).unwrap_or(Activity::Patrol),
            post_id: post.get_untracked(),
            place: place.get_untracked(),
            audience: audience.get_untracked().trim().parse().unwrap_or(0),
        };
        spawn_save(
            state,
            error,
            async move { state.start_session(draft).await },
        );
    };
    view! {
        <div class="panel">
            <Choice label=Msg::ActivityLabel options=options!(Activity, names::activity) value=activity testid="session-activity"/>
            <label class="field">
                <span>{tr(Msg::Post)}</span>
                <select data-testid="session-post" on:change=move |ev| post.set(event_target_value(&ev))>
                    <option value="">{tr(Msg::NoPost)}</option>
                    {move || state.posts.get().into_iter().map(|p| view! {
                        <option value=p.id.clone()>{p.label()}</option>
                    }).collect_view()}
                </select>
            </label>
            <label class="field">
                <span>{tr(Msg::Place)}</span>
                <input type="text" maxlength="100" data-testid="session-place" placeholder=tr(Msg::PlacePlaceholder) bind:value=place/>
            </label>
            <Show when=move || activity.get() == Activity::AntiFraud.as_str()>
                <label class="field">
                    <span>{tr(Msg::Audience)}</span>
                    <input type="number" min="0" max="100000" inputmode="numeric" data-testid="session-audience" bind:value=audience/>
                </label>
            </Show>
            <button class="big-button" data-testid="session-start" on:click=start>{tr(Msg::StartSession)}</button>
            <p class="field-error">{move || error.get()}</p>
        </div>
    }
}

/// A running session: tick who is there (late arrivals and substitutes too), mark
/// early departures, end it. Each tap saves the session's next version.
#[component]
fn RunningSession(id: Uuid, session: DutySession) -> impl IntoView {
    let state = AppState::expect();
    let error = RwSignal::new(String::new());
    let team = session.team;
    let end = session.end_at(state.now.get_untracked().fixed_offset(), DEFAULT_OPEN_LIMIT);
    let auto_closed = end.needs_confirmation();
    let cap = end.at();
    let s = StoredValue::new(session.clone());
    let change = move |edit: &dyn Fn(&mut DutySession)| {
        let mut next = s.get_value();
        edit(&mut next);
        save_session(state, error, id, next);
    };
    let end_now = move |_| {
        let at = if auto_closed {
            cap
        } else {
            local_now().max(s.with_value(|s| s.start))
        };
        change(&|d| d.end = Some(at));
    };
    let members = move || {
        state
            .roster(team)
            .into_iter()
            .filter(|(_, v)| v.status != MemberStatus::Left)
            .collect::<Vec<_>>()
    };
    view! {
        <div class="panel session running" data-testid="session-running" data-id=id.to_string()>
            <h3>
                {tr(names::activity(session.activity))} " · " {tr(Msg::SessionRunning)} " " {hh_mm(session.start)}
            </h3>
            <Show when=move || auto_closed>
                <p class="warning" data-testid="session-auto-closed">{tr(Msg::AutoClosed)}</p>
            </Show>
            <ul class="checklist">
                {move || members().into_iter().map(|(vid, v)| {
                    let part = s.with_value(|s| s.participant(vid).cloned());
                    let on = part.is_some();
                    let active = v.on_roster();
                    let toggle = move |_| {
                        change(&move |d: &mut DutySession| {
                            if d.participant(vid).is_some() {
                                d.participants.retain(|p| p.volunteer != vid);
                            } else {
                                d.participants.push(Participation {
                                    volunteer: vid,
                                    joined: local_now().max(d.start),
                                    left: None,
                                    substitute: !active,
                                    approval: Approval::Pending,
                                });
                            }
                        })
                    };
                    let leave = move |_| change(&move |d: &mut DutySession| {
                        if let Some(p) = d.participants.iter_mut().find(|p| p.volunteer == vid) {
                            p.left = Some(local_now().max(p.joined));
                        }
                    });
                    let late = part.as_ref().is_some_and(|p| p.joined > session.start);
                    let left = part.as_ref().and_then(|p| p.left);
                    let substitute = part.as_ref().is_some_and(|p| p.substitute);
                    view! {
                        <li class="check-row" data-testid="participant" data-name=v.name.clone() data-on=on.to_string()>
                            <label class="flag" class:on=on>
                                <input type="checkbox" data-testid="participant-toggle" prop:checked=on on:change=toggle/>
                                <span>{v.name.clone()}</span>
                            </label>
                            <Show when=move || substitute><small>{tr(Msg::Substitute)}</small></Show>
                            <Show when=move || late><small>{tr(Msg::Late)}</small></Show>
                            {match left {
                                Some(t) => view! { <small>{tr(Msg::LeftEarly)} " " {hh_mm(t)}</small> }.into_any(),
                                None if on => view! {
                                    <button class="link-button" data-testid="participant-leave" on:click=leave>{tr(Msg::LeftEarly)}</button>
                                }.into_any(),
                                None => ().into_any(),
                            }}
                        </li>
                    }
                }).collect_view()}
            </ul>
            <button class="big-button" data-testid="session-end" on:click=end_now>
                {move || if auto_closed { tr(Msg::ConfirmEnd)() } else { tr(Msg::EndSession)() }}
            </button>
            <p class="field-error">{move || error.get()}</p>
        </div>
    }
}

/// The roster: add members, open one for the full phone number and edits.
#[component]
fn Roster(team: Uuid) -> impl IntoView {
    let state = AppState::expect();
    let open = RwSignal::new(None::<Uuid>);
    let adding = RwSignal::new(false);
    view! {
        <div class="panel">
            <div class="team-head">
                <h3>{tr(Msg::Roster)}</h3>
                <button class="link-button" data-testid="member-add" on:click=move |_| adding.update(|a| *a = !*a)>
                    {tr(Msg::AddMember)}
                </button>
            </div>
            <Show when=move || adding.get()>
                <MemberForm team=team id=None member=None done=adding/>
            </Show>
            <ul class="rows">
                {move || state.roster(team).into_iter().map(|(id, v)| {
                    let detail = RwSignal::new(false);
                    Effect::new(move |_| detail.set(open.get() == Some(id)));
                    let member = v.clone();
                    view! {
                        <li class="row" data-testid="member-row" data-name=v.name.clone() data-status=v.status.as_str()>
                            <button class="row-main plain" data-testid="member-open"
                                on:click=move |_| open.update(|o| *o = if *o == Some(id) { None } else { Some(id) })>
                                <b>{v.name.clone()}</b>
                                <span>{tr(names::role(v.role))}</span>
                                <span data-testid="member-phone">{mask_phone(&v.phone)}</span>
                                <span>{tr(names::member_status(v.status))}</span>
                            </button>
                            <Show when=move || detail.get()>
                                <p data-testid="member-phone-full">{member.phone.clone()}</p>
                                <MemberForm team=team id=Some(id) member=Some(member.clone()) done=detail/>
                            </Show>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </div>
    }
}

/// Adds a member (`id` None) or edits one.
#[component]
fn MemberForm(
    team: Uuid,
    id: Option<Uuid>,
    member: Option<Volunteer>,
    done: RwSignal<bool>,
) -> impl IntoView {
    let state = AppState::expect();
    let base = member.unwrap_or_else(|| Volunteer {
        team,
        name: String::new(),
        phone: String::new(),
        role: Role::Member,
        joined: local_now().date_naive(),
        status: MemberStatus::Active,
        device_time: local_now(),
    });
    let name = RwSignal::new(base.name.clone());
    let phone = RwSignal::new(base.phone.clone());
    let role = RwSignal::new(base.role.as_str());
    let status = RwSignal::new(base.status.as_str());
    let joined = RwSignal::new(base.joined.to_string());
    let error = RwSignal::new(String::new());
    let save = move |_| {
        let next = Volunteer {
            name: name.get_untracked().trim().to_string(),
            phone: phone.get_untracked().trim().to_string(),
            role: Role::parse(role.get_untracked()).unwrap_or(base.role),
            status: MemberStatus::parse(status.get_untracked()).unwrap_or(base.status),
            joined: gatewatch_model::timefmt::parse_date(&joined.get_untracked())
                .unwrap_or(base.joined),
            ..base.clone()
        };
        if !valid_phone(&next.phone) {
            error.set(state.t(Msg::PhoneInvalid).into());
            return;
        }
        if next.validate().is_err() {
            error.set(state.t(Msg::NameRequired).into());
            return;
        }
        done.set(false);
        let body = RecordBody::Volunteer(next);
        spawn_save(state, error, async move {
            match id {
                Some(id) => state.revise(id, body).await,
                None => state.create(body).await,
            }
        });
    };
    view! {
        <div class="member-form">
            <label class="field">
                <span>{tr(Msg::Name)}</span>
                <input type="text" maxlength="40" data-testid="member-name" bind:value=name/>
            </label>
            <label class="field">
                <span>{tr(Msg::Phone)}</span>
                <input type="tel" maxlength="20" data-testid="member-phone-input" bind:value=phone/>
            </label>
            <Choice label=Msg::RoleLabel options=options!(Role, names::role) value=role testid="member-role"/>
            <Choice label=Msg::MemberStatusLabel options=options!(MemberStatus, names::member_status) value=status testid="member-status"/>
            <label class="field">
                <span>{tr(Msg::Joined)}</span>
                <input type="date" data-testid="member-joined" bind:value=joined/>
            </label>
            <button class="link-button" data-testid="member-save" on:click=save>{tr(Msg::Save)}</button>
            <p class="field-error">{move || error.get()}</p>
        </div>
    }
}

/// Ended sessions, newest first, with each volunteer's hours and the lead's approval.
#[component]
fn SessionList(team: Uuid) -> impl IntoView {
    let state = AppState::expect();
    let error = RwSignal::new(String::new());
    let ended = Memo::new(move |_| {
        let mut list = state.sessions(team);
        list.retain(|(_, s)| s.end.is_some());
        list.truncate(30);
        list
    });
    let approve_pending = move |_| {
        for (id, mut s) in ended.get_untracked() {
            if s.participants
                .iter()
                .any(|p| p.approval == Approval::Pending)
            {
                s.participants
                    .iter_mut()
                    .filter(|p| p.approval == Approval::Pending)
                    .for_each(|p| p.approval = Approval::Approved);
                save_session(state, error, id, s);
            }
        }
    };
    view! {
        <div class="panel">
            <div class="team-head">
                <h3>{tr(Msg::Sessions)}</h3>
                <button class="link-button" data-testid="approve-all-sessions" on:click=approve_pending>
                    {tr(Msg::ApproveAll)}
                </button>
            </div>
            <p class="field-error">{move || error.get()}</p>
            <Show when=move || ended.with(Vec::is_empty)>
                <p class="empty">{tr(Msg::NoSessions)}</p>
            </Show>
            <ul class="rows">
                {move || ended.get().into_iter().map(|(id, s)| view! { <SessionRow id=id session=s/> }).collect_view()}
            </ul>
        </div>
    }
}

#[component]
fn SessionRow(id: Uuid, session: DutySession) -> impl IntoView {
    let state = AppState::expect();
    let error = RwSignal::new(String::new());
    let now = local_now();
    let names: Vec<(Uuid, String)> = state
        .roster(session.team)
        .into_iter()
        .map(|(id, v)| (id, v.name))
        .collect();
    let name_of = move |v: Uuid| {
        names
            .iter()
            .find(|(id, _)| *id == v)
            .map_or_else(|| v.to_string(), |(_, n)| n.clone())
    };
    let minutes: Vec<(Uuid, i64)> = session
        .spans(now, DEFAULT_OPEN_LIMIT)
        .iter()
        .map(|s| (s.volunteer, s.minutes()))
        .collect();
    let s = StoredValue::new(session.clone());
    let decide = move |who: Option<Uuid>, to: Approval| {
        let mut next = s.get_value();
        for p in next.participants.iter_mut() {
            // One volunteer: any decision but undoing an approval; all: the pending ones.
            let chosen = who.map_or(p.approval == Approval::Pending, |w| {
                w == p.volunteer && p.approval != Approval::Approved
            });
            if chosen {
                p.approval = to;
            }
        }
        save_session(state, error, id, next);
    };
    let place = if session.place.is_empty() {
        session.post_id.clone()
    } else {
        session.place.clone()
    };
    let end = session.end.map(hh_mm).unwrap_or_default();
    let audience = (session.activity == Activity::AntiFraud)
        .then(|| format!(" · {} {}", state.t(Msg::Audience), session.audience));
    view! {
        <li class="row session" data-testid="session-row" data-id=id.to_string()>
            <div class="row-main">
                <b>{tr(names::activity(session.activity))}</b>
                <time>{day_time(session.start)} "–" {end}</time>
            </div>
            <div class="row-detail">{place}{audience}</div>
            <ul class="checklist">
                {session.participants.iter().map(|p| {
                    let who = p.volunteer;
                    let mins = minutes.iter().find(|(v, _)| *v == who).map_or(0, |(_, m)| *m);
                    let approval = p.approval;
                    view! {
                        <li class="check-row" data-testid="session-participant" data-name=name_of(who) data-approval=approval.as_str() data-minutes=mins.to_string()>
                            <span>{name_of(who)}</span>
                            <span>{hours_text(mins)} " h"</span>
                            <span class="badge">{tr(names::approval(approval))}</span>
                            <Show when=move || approval != Approval::Approved>
                                <button class="link-button" data-testid="approve-one" on:click=move |_| decide(Some(who), Approval::Approved)>{tr(Msg::Approve)}</button>
                                <Show when=move || approval == Approval::Pending>
                                    <button class="link-button danger" data-testid="reject-one" on:click=move |_| decide(Some(who), Approval::Rejected)>{tr(Msg::Reject)}</button>
                                </Show>
                            </Show>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <button class="link-button" data-testid="approve-session" on:click=move |_| decide(None, Approval::Approved)>{tr(Msg::ApproveAll)}</button>
            <p class="field-error">{move || error.get()}</p>
        </li>
    }
}
