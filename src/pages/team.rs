//! The team lead's screen (队伍): the roster, one-tap duty sessions and the approval
//! of hours — all offline, saved and synced like every other record.

use std::fmt::Write;
use std::future::Future;
use std::pin::Pin;

use chrono::{DateTime, Datelike, FixedOffset, Timelike};
use gatewatch_model::duty::{Activity, Approval, DutySession, Participation, DEFAULT_OPEN_LIMIT};
use gatewatch_model::report::{hours_text, Roster};
use gatewatch_model::team::{mask_phone, valid_phone, MemberStatus, Role, Team, Volunteer};
use gatewatch_model::RecordBody;
use leptos::ev::MouseEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

use crate::components::choice::{options, Choice};
use crate::components::html::{self, escape};
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

/// Runs a save, shows its error in `error`, and wakes sync when it worked. Boxed: one
/// instance of this task for every kind of save, not one per caller.
fn spawn_save(
    state: AppState,
    error: RwSignal<String>,
    change: impl Future<Output = Result<SaveResult, StorageError>> + 'static,
) {
    let change: Pin<Box<dyn Future<Output = Result<SaveResult, StorageError>>>> = Box::pin(change);
    save_task(state, error, change);
}

fn save_task(
    state: AppState,
    error: RwSignal<String>,
    change: Pin<Box<dyn Future<Output = Result<SaveResult, StorageError>>>>,
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

/// Saves the next version of a session: `change` applied to the state the phone
/// holds when the save starts.
fn edit_session(
    state: AppState,
    error: RwSignal<String>,
    id: Uuid,
    change: Box<dyn FnOnce(&mut DutySession)>,
) {
    spawn_save(state, error, async move {
        state.revise_session(id, change).await
    });
}

/// The lead's decision: for one volunteer (`who`) any decision but undoing an
/// approval; for the whole session, the pending hours.
fn decide(session: &mut DutySession, who: Option<Uuid>, to: Approval) {
    for p in session.participants.iter_mut() {
        let chosen = who.map_or(p.approval == Approval::Pending, |w| {
            w == p.volunteer && p.approval != Approval::Approved
        });
        if chosen {
            p.approval = to;
        }
    }
}

/// The team this screen (and the report) shows: the one picked among those this phone
/// follows, else the first of them.
pub fn current_team(state: AppState) -> Memo<Option<(Uuid, Team)>> {
    Memo::new(move |_| {
        let teams = state.followed();
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
    let choices = move || {
        let chosen = current.with(|c| c.as_ref().map(|(id, _)| id.to_string()));
        let teams: Vec<(String, String)> = state
            .followed()
            .into_iter()
            .map(|(id, t)| (id.to_string(), t.name))
            .collect();
        html::options(
            teams.iter().map(|(id, name)| (id.as_str(), name.as_str())),
            chosen.as_deref(),
        )
    };
    view! {
        <label class="field" hidden=move || state.followed().len() < 2>
            <span>{tr(Msg::NavTeam)}</span>
            <select data-testid="team-select" on:change=pick inner_html=choices></select>
        </label>
    }
}

#[component]
pub fn TeamPage() -> impl IntoView {
    let state = AppState::expect();
    let current = current_team(state);
    let creating = RwSignal::new(false);
    let adopt_error = RwSignal::new(String::new());
    let adopt = move |ev: MouseEvent| {
        let Some(id) = html::action(&ev)
            .filter(|(action, _)| action == "adopt")
            .and_then(|(_, el)| html::uuid_attr(&el, "data-id"))
        else {
            return;
        };
        spawn_local(async move {
            if let Err(e) = state.adopt_server_copy(id).await {
                adopt_error.try_set(format!("{}: {e}", state.t(Msg::SaveFailed)));
            }
        });
    };
    view! {
        <section class="team">
            <p class="field-error">{move || adopt_error.get()}</p>
            {move || match current.get() {
                None => view! {
                    <p class="empty" data-testid="team-empty">{tr(Msg::NoTeam)}</p>
                    <FollowTeam/>
                    <NewTeam/>
                }
                .into_any(),
                Some((id, team)) => view! {
                    <div class="team-head">
                        <h2 data-testid="team-name">{team.name}</h2>
                        <Link page=Page::TeamReport class="link-button" testid="team-report-link">
                            {tr(Msg::MonthlyReport)}
                        </Link>
                        <button class="link-button" data-testid="team-new" on:click=move |_| creating.update(|c| *c = !*c)>
                            {tr(Msg::NewTeam)}
                        </button>
                    </div>
                    <TeamSelect current=current/>
                    <div on:click=adopt inner_html=move || refused_html(state)></div>
                    <div hidden=move || !creating.get()><FollowTeam/><NewTeam/></div>
                    <SessionPanel team=id/>
                    <Roster team=id/>
                    <SessionList team=id/>
                }
                .into_any(),
            }}
        </section>
    }
}

/// Team records the server refused (say, an edit that lost a race with an approval
/// made on another phone): shown with the server's reason, never dropped quietly. When
/// the server sent its own state, the lead may adopt it in place of the refused edit;
/// merging both is the concurrent-edit work of accounts (issue 5).
fn refused_html(state: AppState) -> String {
    let refused = state.refusals.get();
    let mut out = String::new();
    state.records.with(|map| {
        for (id, refusal) in &refused {
            let why = state.refusal_text(refusal);
            let held = map.get(id).filter(|l| l.record.version == refusal.version);
            if held.is_some_and(|l| !l.record.body.is_patrol()) {
                let _ = write!(
                    out,
                    r#"<div class="notice warn" data-testid="team-refused" data-id="{id}"><span>{}: {}</span>"#,
                    state.t(Msg::Rejected),
                    escape(&why)
                );
                if state.server_copies.with(|c| c.contains_key(id)) {
                    let _ = write!(
                        out,
                        r#"<button data-testid="team-adopt" data-action="adopt" data-id="{id}">{}</button>"#,
                        state.t(Msg::AdoptServerCopy)
                    );
                }
                out.push_str("</div>");
            }
        }
    });
    out
}

/// Follows a team another phone created (a lead's new phone, a deputy): its roster
/// and sessions are pulled from then on. Lists the teams this phone knows of and does
/// not follow yet; hidden when there are none.
#[component]
fn FollowTeam() -> impl IntoView {
    let state = AppState::expect();
    let unfollowed = move || {
        let followed = state.followed_teams.get();
        let mut teams = state.teams();
        teams.retain(|(id, _)| !followed.contains(id));
        teams
    };
    let chosen = RwSignal::new(String::new());
    let error = RwSignal::new(String::new());
    let choices = move || {
        let teams: Vec<(String, String)> = unfollowed()
            .into_iter()
            .map(|(id, t)| (id.to_string(), t.name))
            .collect();
        html::options(teams.iter().map(|(id, n)| (id.as_str(), n.as_str())), None)
    };
    let follow = move |_| {
        let picked = Uuid::parse_str(&chosen.get_untracked())
            .ok()
            .or_else(|| unfollowed().first().map(|(id, _)| *id));
        let Some(id) = picked else {
            return;
        };
        match state.follow_team(id) {
            Ok(()) => {
                state.team.set(Some(id));
                expect_context::<SyncHandle>().sync_now();
            }
            Err(e) => error.set(format!("{}: {e}", state.t(Msg::SaveFailed))),
        }
    };
    view! {
        <div class="panel" hidden=move || unfollowed().is_empty()>
            <label class="field">
                <span>{tr(Msg::FollowTeam)}</span>
                <select data-testid="team-follow-select" on:change=move |ev| chosen.set(event_target_value(&ev)) inner_html=choices></select>
            </label>
            <button class="link-button" data-testid="team-follow" on:click=follow>{tr(Msg::Follow)}</button>
            <p class="field-error">{move || error.get()}</p>
        </div>
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
                // A team made here is followed here. Its record is saved even if
                // storing the list fails; following it again later repairs that.
                let _ = state.follow_team(id);
                state.team.set(Some(id));
            }
            saved
        });
    };
    let schools = move || {
        state.schools.with(|list| {
            school.with(|chosen| {
                html::options(
                    list.iter().map(|s| (s.id.as_str(), s.name.as_str())),
                    Some(chosen),
                )
            })
        })
    };
    view! {
        <div class="panel">
            <label class="field">
                <span>{tr(Msg::TeamName)}</span>
                <input type="text" maxlength="40" data-testid="team-name-input" bind:value=name/>
            </label>
            <label class="field">
                <span>{tr(Msg::School)}</span>
                <select data-testid="team-school" on:change=move |ev| school.set(event_target_value(&ev)) inner_html=schools></select>
            </label>
            <button class="big-button" data-testid="team-create" on:click=create>{tr(Msg::NewTeam)}</button>
            <p class="field-error">{move || error.get()}</p>
        </div>
    }
}

/// The session now running, or the form that starts one. Its error line lives here:
/// the running session is redrawn after every tap.
#[component]
fn SessionPanel(team: Uuid) -> impl IntoView {
    let state = AppState::expect();
    let error = RwSignal::new(String::new());
    let running = Memo::new(move |_| {
        state
            .sessions(team)
            .into_iter()
            .find(|(_, s)| s.end.is_none())
    });
    view! {
        {move || match running.get() {
            Some((id, session)) => view! { <RunningSession id=id session=session error=error/> }.into_any(),
            None => view! { <StartSession team=team/> }.into_any(),
        }}
        <p class="field-error">{move || error.get()}</p>
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
    let posts = move || {
        let none = [("", state.t(Msg::NoPost).to_string())];
        let labels: Vec<(String, String)> = state
            .posts
            .with(|posts| posts.iter().map(|p| (p.id.clone(), p.label())).collect());
        post.with(|chosen| {
            html::options(
                none.iter()
                    .map(|(id, l)| (*id, l.as_str()))
                    .chain(labels.iter().map(|(id, l)| (id.as_str(), l.as_str()))),
                Some(chosen),
            )
        })
    };
    view! {
        <div class="panel">
            <Choice label=Msg::ActivityLabel options=options!(Activity, names::activity) value=activity testid="session-activity"/>
            <label class="field">
                <span>{tr(Msg::Post)}</span>
                <select data-testid="session-post" on:change=move |ev| post.set(event_target_value(&ev)) inner_html=posts></select>
            </label>
            <label class="field">
                <span>{tr(Msg::Place)}</span>
                <input type="text" maxlength="100" data-testid="session-place" placeholder=tr(Msg::PlacePlaceholder) bind:value=place/>
            </label>
            <label class="field" hidden=move || activity.get() != Activity::AntiFraud.as_str()>
                <span>{tr(Msg::Audience)}</span>
                <input type="number" min="0" max="100000" inputmode="numeric" data-testid="session-audience" bind:value=audience/>
            </label>
            <button class="big-button" data-testid="session-start" on:click=start>{tr(Msg::StartSession)}</button>
            <p class="field-error">{move || error.get()}</p>
        </div>
    }
}

/// Someone unticked this soon after joining was absent: they leave the session.
/// Later, unticking marks an early departure, so a mis-tap never erases time served.
const ABSENT_WITHIN_MINUTES: i64 = 10;

/// A running session: tick who is there (late arrivals and substitutes too), mark
/// early departures, end it. Each tap saves the session's next version, built on the
/// state the phone holds when the save starts.
#[component]
fn RunningSession(id: Uuid, session: DutySession, error: RwSignal<String>) -> impl IntoView {
    let state = AppState::expect();
    let team = session.team;
    let start = session.start;
    let note_text = session.note.clone();
    // Decided again as the clock moves: a screen left open past the limit says so.
    let auto_closed =
        Memo::new(move |_| start + DEFAULT_OPEN_LIMIT <= state.now.get().fixed_offset());
    let edit = move |change: Box<dyn FnOnce(&mut DutySession)>| {
        edit_session(state, error, id, change);
    };
    // Ended now, or at the limit if the session was left open past it (the lead can
    // still retime it after).
    let end_now = move |_| {
        let now = local_now();
        edit(Box::new(move |d| {
            d.end = Some(now.clamp(d.start, d.start + DEFAULT_OPEN_LIMIT));
        }));
    };
    // Saved when the field is left (before a tap elsewhere is handled), so a note never
    // waits in a field that the next redraw would empty.
    let save_note = move |ev| {
        let text = event_target_value(&ev).trim().to_string();
        edit(Box::new(move |d| d.note = text));
    };
    // One handler for the whole list: the tapped checkbox or button says what and who.
    let act = move |ev: MouseEvent| {
        let Some((action, el)) = html::action(&ev) else {
            return;
        };
        let Some(vid) = html::uuid_attr(&el, "data-id") else {
            return;
        };
        let now = local_now();
        match action.as_str() {
            "toggle" => {
                let active = state
                    .roster(team)
                    .iter()
                    .any(|(id, v)| *id == vid && v.on_roster());
                edit(Box::new(move |d: &mut DutySession| {
                    let at = now.max(d.start);
                    match d.participants.iter().position(|p| p.volunteer == vid) {
                        None => d.participants.push(Participation {
                            volunteer: vid,
                            joined: at,
                            left: None,
                            substitute: !active,
                            approval: Approval::Pending,
                        }),
                        // Back after leaving, or a mis-tap undone.
                        Some(i) if d.participants[i].left.is_some() => {
                            d.participants[i].left = None;
                        }
                        Some(i) => {
                            let p = &mut d.participants[i];
                            if at - p.joined < chrono::Duration::minutes(ABSENT_WITHIN_MINUTES) {
                                d.participants.remove(i);
                            } else {
                                p.left = Some(at);
                            }
                        }
                    }
                }))
            }
            "leave" => edit(Box::new(move |d: &mut DutySession| {
                if let Some(p) = d.participants.iter_mut().find(|p| p.volunteer == vid) {
                    p.left = Some(now.max(p.joined));
                }
            })),
            _ => {}
        }
    };
    let list = move || running_html(state, &session, auto_closed.get());
    view! {
        <div class="panel session running" data-testid="session-running" data-id=id.to_string()>
            <div on:click=act inner_html=list></div>
            <label class="field">
                <span>{tr(Msg::Note)}</span>
                <textarea rows="2" maxlength="500" data-testid="session-note" prop:value=note_text on:change=save_note></textarea>
            </label>
            <button class="big-button" data-testid="session-end" on:click=end_now>
                {move || state.t(if auto_closed.get() { Msg::ConfirmEnd } else { Msg::EndSession })}
            </button>
        </div>
    }
}

/// The running session's heading and its checklist of the team's members (reactive on
/// the roster and the language).
fn running_html(state: AppState, session: &DutySession, auto_closed: bool) -> String {
    let t = |m| state.t(m);
    let mut out = format!(
        "<h3>{} · {} {}</h3>",
        t(names::activity(session.activity)),
        t(Msg::SessionRunning),
        hh_mm(session.start)
    );
    if auto_closed {
        let _ = write!(
            out,
            r#"<p class="warning" data-testid="session-auto-closed">{}</p>"#,
            t(Msg::AutoClosed)
        );
    }
    out.push_str(r#"<ul class="checklist">"#);
    for (vid, v) in state.roster(session.team) {
        if v.status == MemberStatus::Left {
            continue;
        }
        let part = session.participant(vid);
        // Ticked: here now (on the session and not gone early).
        let on = part.is_some_and(|p| p.left.is_none());
        let name = escape(&v.name);
        let (on_class, checked) = if on { (" on", " checked") } else { ("", "") };
        let _ = write!(
            out,
            r#"<li class="check-row" data-testid="participant" data-name="{name}" data-on="{on}"><label class="flag{on_class}"><input type="checkbox" data-testid="participant-toggle" data-action="toggle" data-id="{vid}"{checked}><span>{name}</span></label>"#
        );
        if part.is_some_and(|p| p.substitute) {
            let _ = write!(out, "<small>{}</small>", t(Msg::Substitute));
        }
        if part.is_some_and(|p| p.joined > session.start) {
            let _ = write!(out, "<small>{}</small>", t(Msg::Late));
        }
        match part.and_then(|p| p.left) {
            Some(at) => {
                let _ = write!(out, "<small>{} {}</small>", t(Msg::LeftEarly), hh_mm(at));
            }
            None if on => {
                let _ = write!(
                    out,
                    r#"<button class="link-button" data-testid="participant-leave" data-action="leave" data-id="{vid}">{}</button>"#,
                    t(Msg::LeftEarly)
                );
            }
            None => {}
        }
        out.push_str("</li>");
    }
    out.push_str("</ul>");
    out
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
            {move || adding.get().then(|| view! {
                <MemberForm team=team member=None done=Callback::new(move |()| adding.set(false))/>
            })}
            <ul class="rows">
                {move || state.roster(team).into_iter().map(|(id, v)| view! {
                    <MemberRow id=id member=v open=open/>
                }).collect_view()}
            </ul>
        </div>
    }
}

/// One member of the roster: name, role, masked phone and status; tapped, the full
/// number and the edit form.
#[component]
fn MemberRow(id: Uuid, member: Volunteer, open: RwSignal<Option<Uuid>>) -> impl IntoView {
    let state = AppState::expect();
    let summary = {
        let v = member.clone();
        move || {
            format!(
                r#"<b>{}</b><span>{}</span><span data-testid="member-phone">{}</span><span>{}</span>"#,
                escape(&v.name),
                state.t(names::role(v.role)),
                escape(&mask_phone(&v.phone)),
                state.t(names::member_status(v.status)),
            )
        }
    };
    let name = member.name.clone();
    let status = member.status.as_str();
    let detail = move || {
        (open.get() == Some(id)).then(|| {
            view! {
                <MemberForm team=member.team member=Some((id, member.clone())) done=Callback::new(move |()| open.set(None))/>
            }
        })
    };
    view! {
        <li class="row" data-testid="member-row" data-name=name data-status=status>
            <button class="row-main plain" data-testid="member-open" inner_html=summary
                on:click=move |_| open.update(|o| *o = if *o == Some(id) { None } else { Some(id) })>
            </button>
            {detail}
        </li>
    }
}

/// Adds a member (`member` None) or edits one (then its full phone number is shown
/// first).
#[component]
fn MemberForm(team: Uuid, member: Option<(Uuid, Volunteer)>, done: Callback<()>) -> impl IntoView {
    let state = AppState::expect();
    let id = member.as_ref().map(|(id, _)| *id);
    let base = member.map(|(_, v)| v).unwrap_or_else(|| Volunteer {
        team,
        name: String::new(),
        phone: String::new(),
        role: Role::Member,
        joined: local_now().date_naive(),
        status: MemberStatus::Active,
        device_time: local_now(),
    });
    let full_phone = id.map(|_| {
        format!(
            r#"<p data-testid="member-phone-full">{}</p>"#,
            escape(&base.phone)
        )
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
        done.run(());
        let body = RecordBody::Volunteer(next);
        spawn_save(state, error, async move {
            match id {
                Some(id) => state.revise(id, body).await,
                None => state.create(body).await,
            }
        });
    };
    view! {
        <div inner_html=full_phone.unwrap_or_default()></div>
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
    let editing = RwSignal::new(None::<Uuid>);
    let ended = Memo::new(move |_| {
        let mut list = state.sessions(team);
        list.retain(|(_, s)| s.end.is_some());
        list.truncate(30);
        list
    });
    let approve_pending = move |_| {
        for (id, s) in ended.get_untracked() {
            if s.participants
                .iter()
                .any(|p| p.approval == Approval::Pending)
            {
                edit_session(
                    state,
                    error,
                    id,
                    Box::new(|d| decide(d, None, Approval::Approved)),
                );
            }
        }
    };
    // One handler for every row: the button's data-* say which session, who and what.
    let on_row = move |ev: MouseEvent| {
        let Some((action, el)) = html::action(&ev) else {
            return;
        };
        let to = if action == "reject" {
            Approval::Rejected
        } else {
            Approval::Approved
        };
        let who = html::uuid_attr(&el, "data-who");
        let Some(id) = html::uuid_attr(&el, "data-id") else {
            return;
        };
        if action == "edit" {
            editing.set(Some(id));
            return;
        }
        edit_session(state, error, id, Box::new(move |d| decide(d, who, to)));
    };
    let rows = move || {
        let now = local_now();
        // Named through every roster the phone holds: substitutes from other teams and
        // members who left keep their names.
        state.records.with(|map| {
            let roster = Roster::of(map.values().map(|l| &l.record));
            ended.with(|list| {
                let mut out = String::new();
                for (id, s) in list {
                    session_html(state, &mut out, *id, s, &roster, now);
                }
                out
            })
        })
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
            <p class="empty" hidden=move || !ended.with(Vec::is_empty)>{tr(Msg::NoSessions)}</p>
            {move || {
                let id = editing.get()?;
                let session = ended.with(|list| list.iter().find(|(sid, _)| *sid == id).map(|(_, s)| s.clone()))?;
                Some(view! { <SessionEdit id=id session=session done=Callback::new(move |()| editing.set(None))/> })
            }}
            <ul class="rows" on:click=on_row inner_html=rows></ul>
        </div>
    }
}

/// One ended session as a row: activity, times, place, and each participant's hours
/// with the approve / reject buttons the lead still has.
fn session_html(
    state: AppState,
    out: &mut String,
    id: Uuid,
    session: &DutySession,
    roster: &Roster,
    now: DateTime<FixedOffset>,
) {
    let t = |m| state.t(m);
    let place = if session.place.is_empty() {
        &session.post_id
    } else {
        &session.place
    };
    let _ = write!(
        out,
        r#"<li class="row session" data-testid="session-row" data-id="{id}"><div class="row-main"><b>{}</b><time>{}–{}</time></div><div class="row-detail">{}"#,
        t(names::activity(session.activity)),
        day_time(session.start),
        session.end.map(hh_mm).unwrap_or_default(),
        escape(place),
    );
    if session.activity == Activity::AntiFraud {
        let _ = write!(out, " · {} {}", t(Msg::Audience), session.audience);
    }
    if !session.note.is_empty() {
        let _ = write!(out, r#"<p class="note">{}</p>"#, escape(&session.note));
    }
    out.push_str(r#"</div><ul class="checklist">"#);
    let spans = session.spans(now, DEFAULT_OPEN_LIMIT);
    for p in &session.participants {
        let who = p.volunteer;
        let name = roster
            .volunteer(who)
            .map_or_else(|| who.to_string(), |v| escape(&v.name));
        let mins = spans
            .iter()
            .find(|s| s.volunteer == who)
            .map_or(0, |s| s.minutes());
        let _ = write!(
            out,
            r#"<li class="check-row" data-testid="session-participant" data-name="{name}" data-approval="{}" data-minutes="{mins}"><span>{name}</span><span>{} h</span><span class="badge">{}</span>"#,
            p.approval.as_str(),
            hours_text(mins),
            t(names::approval(p.approval)),
        );
        if p.approval != Approval::Approved {
            let _ = write!(
                out,
                r#"<button class="link-button" data-testid="approve-one" data-action="approve" data-id="{id}" data-who="{who}">{}</button>"#,
                t(Msg::Approve)
            );
        }
        if p.approval == Approval::Pending {
            let _ = write!(
                out,
                r#"<button class="link-button danger" data-testid="reject-one" data-action="reject" data-id="{id}" data-who="{who}">{}</button>"#,
                t(Msg::Reject)
            );
        }
        out.push_str("</li>");
    }
    let _ = write!(
        out,
        r#"</ul><button class="link-button" data-testid="approve-session" data-action="approve" data-id="{id}">{}</button>"#,
        t(Msg::ApproveAll)
    );
    // Times and people are locked once any hours are approved; before, the lead can
    // still correct them.
    if !session.has_approved() {
        let _ = write!(
            out,
            r#"<button class="link-button" data-testid="session-edit" data-action="edit" data-id="{id}">{}</button>"#,
            t(Msg::Edit)
        );
    }
    out.push_str(r#"<p class="field-error"></p></li>"#);
}

/// Corrects an ended session whose hours are not approved yet: its times (on the
/// session's own day) and its note.
#[component]
fn SessionEdit(id: Uuid, session: DutySession, done: Callback<()>) -> impl IntoView {
    let state = AppState::expect();
    let start = RwSignal::new(hh_mm(session.start));
    let end = RwSignal::new(session.end.map(hh_mm).unwrap_or_default());
    let note = RwSignal::new(session.note.clone());
    let error = RwSignal::new(String::new());
    let save = move |_| {
        let day = session.start.date_naive();
        let at = |text: String| {
            let time = gatewatch_model::timefmt::parse_time(&text)?;
            day.and_time(time)
                .and_local_timezone(*session.start.offset())
                .single()
        };
        let (Some(from), Some(mut to)) = (at(start.get_untracked()), at(end.get_untracked()))
        else {
            error.set(state.t(Msg::SaveFailed).into());
            return;
        };
        // An end before the start is past midnight: evening patrols run late.
        if to < from {
            to += chrono::Duration::days(1);
        }
        let mut next = session.retimed(from, Some(to));
        next.note = note.get_untracked().trim().to_string();
        if let Err(e) = next.validate() {
            error.set(format!("{}: {e}", state.t(Msg::SaveFailed)));
            return;
        }
        done.run(());
        let text = next.note;
        edit_session(
            state,
            error,
            id,
            Box::new(move |d| {
                *d = d.retimed(from, Some(to));
                d.note = text;
            }),
        );
    };
    view! {
        <div class="panel" data-testid="session-edit-panel">
            <label class="field">
                <span>{tr(Msg::StartTime)}</span>
                <input type="time" data-testid="session-edit-start" bind:value=start/>
            </label>
            <label class="field">
                <span>{tr(Msg::EndTime)}</span>
                <input type="time" data-testid="session-edit-end" bind:value=end/>
            </label>
            <label class="field">
                <span>{tr(Msg::Note)}</span>
                <textarea rows="2" maxlength="500" data-testid="session-edit-note" bind:value=note></textarea>
            </label>
            <button class="link-button" data-testid="session-edit-save" on:click=save>{tr(Msg::SaveChanges)}</button>
            <button class="link-button" on:click=move |_| done.run(())>{tr(Msg::Cancel)}</button>
            <p class="field-error">{move || error.get()}</p>
        </div>
    }
}
