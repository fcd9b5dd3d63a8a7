//! The team lead's screen (队伍): the roster, one-tap duty sessions and the approval
//! of hours — all offline, saved and synced like every other record.

use std::fmt::Write;
use std::future::Future;
use std::pin::Pin;

use chrono::{DateTime, Datelike, FixedOffset, Timelike};
use gatewatch_model::duty::{Activity, Approval, Decision, DutySession, DEFAULT_OPEN_LIMIT};
use gatewatch_model::report::Roster;
use gatewatch_model::team::{mask_phone, phone_needs_fix, MemberStatus, Role, Team, Volunteer};
use gatewatch_model::timefmt::parse_time;
use gatewatch_model::RecordBody;
use leptos::ev::MouseEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

use crate::components::choice::{options, Choice};
use crate::components::html::{self, escape};
use crate::i18n::{duration, names, Msg};
use crate::routes::{Link, Page};
use crate::state::tr;
use crate::state::{AppState, SaveResult};
use crate::sync::SyncHandle;
use crate::team::{local_now, RowAction, SessionDraft, TeamError};

/// `11-25 07:30`: formatted by hand, chrono's strftime costs kilobytes of wasm.
pub fn day_time(t: DateTime<FixedOffset>) -> String {
    format!("{:02}-{:02} {}", t.month(), t.day(), hh_mm(t))
}

pub fn hh_mm(t: DateTime<FixedOffset>) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

/// Runs a save, shows its error in `error`, and wakes sync when it worked (held in
/// memory or stored: either way it waits to be pushed). Boxed: one
/// instance of this task for every kind of save, not one per caller.
fn spawn_save(
    state: AppState,
    error: RwSignal<String>,
    change: impl Future<Output = Result<(), TeamError>> + 'static,
) {
    let change: Pin<Box<dyn Future<Output = Result<(), TeamError>>>> = Box::pin(change);
    save_task(state, error, change);
}

fn save_task(
    state: AppState,
    error: RwSignal<String>,
    change: Pin<Box<dyn Future<Output = Result<(), TeamError>>>>,
) {
    let sync = expect_context::<SyncHandle>();
    spawn_local(async move {
        // `try_set`: the screen may be gone by the time the save ends; then nobody
        // reads the line, and the result (None) says only that.
        match change.await {
            Ok(_) => {
                error.try_set(String::new());
                sync.sync_now();
            }
            Err(e) => {
                error.try_set(format!(
                    "{}: {}",
                    state.t(Msg::SaveFailed),
                    e.message(state)
                ));
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
        state.revise_session(id, change).await.map(drop)
    });
}

/// Saves the lead's decision on a session's hours (the model's rule decides what it
/// changes).
fn decide(state: AppState, error: RwSignal<String>, id: Uuid, decision: Decision) {
    spawn_save(
        state,
        error,
        async move { state.decide(id, decision).await },
    );
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
        let Some(id) = RowAction::of_event(&ev)
            .filter(|(action, _)| *action == RowAction::Adopt)
            .and_then(|(_, el)| html::uuid_attr(&el, "data-id"))
        else {
            return;
        };
        spawn_local(async move {
            if let Err(e) = state.adopt_server_copy(id).await {
                adopt_error.try_set(format!(
                    "{}: {}",
                    state.t(Msg::SaveFailed),
                    e.message(state)
                ));
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
        for (id, refusal) in refused.iter() {
            let why = state.refusal_text(refusal);
            let held = map.get(&id).filter(|l| l.record.version == refusal.version);
            if held.is_some_and(|l| !l.record.body.is_patrol()) {
                let _ = write!(
                    out,
                    r#"<div class="notice warn" data-testid="team-refused" data-id="{id}"><span>{}: {}</span>"#,
                    state.t(Msg::Rejected),
                    escape(&why)
                );
                if state.server_copies.with(|c| c.contains_key(&id)) {
                    let _ = write!(
                        out,
                        r#"<button data-testid="team-adopt" data-action="{}" data-id="{id}">{}</button>"#,
                        RowAction::Adopt.as_str(),
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
            saved.map(drop)
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

/// The session now running, or the form that starts one. Keyed on the running
/// session's id alone: a tap or a sync that brings its next version redraws its list,
/// never the fields the lead is typing in. Its error line lives here.
#[component]
fn SessionPanel(team: Uuid) -> impl IntoView {
    let state = AppState::expect();
    let error = RwSignal::new(String::new());
    let running = Memo::new(move |_| {
        state
            .sessions(team)
            .into_iter()
            .find(|(_, s)| s.end.is_none())
            .map(|(id, _)| id)
    });
    view! {
        {move || match running.get() {
            Some(id) => view! { <RunningSession id=id error=error/> }.into_any(),
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
        spawn_save(state, error, async move {
            state.start_session(draft).await.map(drop)
        });
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

/// A running session: tick who is there (late arrivals and substitutes too), mark
/// early departures, correct the place and audience, end it. Each tap saves the
/// session's next version, built on the state the phone holds when the save starts;
/// the rules are the model's (`toggle_attendance`, `mark_left`, `end_now`).
#[component]
fn RunningSession(id: Uuid, error: RwSignal<String>) -> impl IntoView {
    let state = AppState::expect();
    // The fields start from the state held when the panel opened; what the lead types
    // is saved when a field is left, so a redraw never has to put it back.
    let Some(first) = state.duty(id) else {
        return ().into_any();
    };
    let session = Memo::new(move |_| {
        state.body_of(id, |b| match b {
            RecordBody::Duty(d) => Some(d),
            _ => None,
        })
    });
    let start = first.start;
    // Decided again as the clock moves: a screen left open past the limit says so.
    let auto_closed =
        Memo::new(move |_| start + DEFAULT_OPEN_LIMIT <= state.now.get().fixed_offset());
    let edit = move |change: Box<dyn FnOnce(&mut DutySession)>| {
        edit_session(state, error, id, change);
    };
    let end_now = move |_| {
        let now = local_now();
        edit(Box::new(move |d| d.end_now(now, DEFAULT_OPEN_LIMIT)));
    };
    let save_note = move |ev| {
        let text = event_target_value(&ev).trim().to_string();
        edit(Box::new(move |d| d.note = text));
    };
    let save_place = move |ev| {
        let text = event_target_value(&ev).trim().to_string();
        edit(Box::new(move |d| d.place = text));
    };
    // Empty is none; anything else must read as a count (never quietly saved as 0).
    let save_audience = move |ev| {
        let typed = event_target_value(&ev);
        let audience = match typed.trim() {
            "" => 0,
            n => match n.parse::<u32>() {
                Ok(n) => n,
                Err(_) => {
                    error.set(
                        TeamError::from(gatewatch_model::ValidationError::BadAudience)
                            .message(state),
                    );
                    return;
                }
            },
        };
        edit(Box::new(move |d| d.audience = audience));
    };
    // One handler for the whole list: the tapped checkbox or button says what and who.
    let act = move |ev: MouseEvent| {
        let Some((action, el)) = RowAction::of_event(&ev) else {
            return;
        };
        let Some(vid) = html::uuid_attr(&el, "data-id") else {
            return;
        };
        let now = local_now();
        match action {
            RowAction::Toggle => {
                let Some(team) = session.with_untracked(|s| s.as_ref().map(|s| s.team)) else {
                    return;
                };
                let on_roster = state
                    .roster(team)
                    .iter()
                    .any(|(id, v)| *id == vid && v.on_roster());
                edit(Box::new(move |d| d.toggle_attendance(vid, on_roster, now)));
            }
            RowAction::Leave => edit(Box::new(move |d| d.mark_left(vid, now))),
            _ => {}
        }
    };
    let list = move || {
        session.with(|s| {
            s.as_ref()
                .map(|s| running_html(state, s, auto_closed.get()))
                .unwrap_or_default()
        })
    };
    let talk = first.activity == Activity::AntiFraud;
    view! {
        <div class="panel session running" data-testid="session-running" data-id=id.to_string()>
            <div on:click=act inner_html=list></div>
            <label class="field">
                <span>{tr(Msg::Place)}</span>
                <input type="text" maxlength="100" data-testid="session-running-place" placeholder=tr(Msg::PlacePlaceholder) prop:value=first.place.clone() on:change=save_place/>
            </label>
            <label class="field" hidden=!talk>
                <span>{tr(Msg::Audience)}</span>
                <input type="number" min="0" max="100000" inputmode="numeric" data-testid="session-running-audience" prop:value=first.audience.to_string() on:change=save_audience/>
            </label>
            <label class="field">
                <span>{tr(Msg::Note)}</span>
                <textarea rows="2" maxlength="500" data-testid="session-note" prop:value=first.note.clone() on:change=save_note></textarea>
            </label>
            <button class="big-button" data-testid="session-end" on:click=end_now>
                {move || state.t(if auto_closed.get() { Msg::ConfirmEnd } else { Msg::EndSession })}
            </button>
        </div>
    }
    .into_any()
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
    let toggle = RowAction::Toggle.as_str();
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
            r#"<li class="check-row" data-testid="participant" data-name="{name}" data-on="{on}"><label class="flag{on_class}"><input type="checkbox" data-testid="participant-toggle" data-action="{toggle}" data-id="{vid}"{checked}><span>{name}</span></label>"#
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
                    r#"<button class="link-button" data-testid="participant-leave" data-action="{}" data-id="{vid}">{}</button>"#,
                    RowAction::Leave.as_str(),
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
    let member_ids = move || {
        state
            .roster(team)
            .into_iter()
            .map(|(id, _)| id)
            .collect::<Vec<_>>()
    };
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
            // Keyed on the member: a sync that brings a new version of the roster
            // redraws the rows' text, never an open edit form.
            <ul class="rows">
                <For each=member_ids key=|id| *id let:id>
                    <MemberRow id=id open=open/>
                </For>
            </ul>
        </div>
    }
}

/// One member of the roster: name, role, masked phone and status; tapped, the full
/// number and the edit form (opened on the state held at the tap).
#[component]
fn MemberRow(id: Uuid, open: RwSignal<Option<Uuid>>) -> impl IntoView {
    let state = AppState::expect();
    let member = Memo::new(move |_| {
        state.body_of(id, |b| match b {
            RecordBody::Volunteer(v) => Some(v),
            _ => None,
        })
    });
    let summary = move || {
        member.with(|v| {
            let Some(v) = v else {
                return String::new();
            };
            // A number stored before numbers were checked is flagged for the lead to
            // correct, not masked into something that reads like a real one.
            let phone = if phone_needs_fix(&v.phone) {
                format!(
                    r#"<span class="badge warn" data-testid="member-phone-fix">{}</span>"#,
                    state.t(Msg::PhoneNeedsFix)
                )
            } else {
                escape(&mask_phone(&v.phone))
            };
            format!(
                r#"<b>{}</b><span>{}</span><span data-testid="member-phone">{phone}</span><span>{}</span>"#,
                escape(&v.name),
                state.t(names::role(v.role)),
                state.t(names::member_status(v.status)),
            )
        })
    };
    let name = move || member.with(|v| v.as_ref().map(|v| v.name.clone()).unwrap_or_default());
    let status = move || member.with(|v| v.as_ref().map_or("", |v| v.status.as_str()));
    let detail = move || {
        let v = (open.get() == Some(id))
            .then(|| member.get_untracked())
            .flatten()?;
        Some(view! {
            <MemberForm team=v.team member=Some((id, v)) done=Callback::new(move |()| open.set(None))/>
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
            role: Role::parse(role.get_untracked()).unwrap_or(base.role),
            status: MemberStatus::parse(status.get_untracked()).unwrap_or(base.status),
            joined: gatewatch_model::timefmt::parse_date(&joined.get_untracked())
                .unwrap_or(base.joined),
            ..base.clone()
        };
        // Checked before the form closes, so what was typed stays to be corrected.
        let typed = phone.get_untracked();
        if let Err(e) = gatewatch_model::team::phone_entry(&typed, &next.phone)
            .map_err(TeamError::from)
            .and_then(|_| next.validate().map_err(TeamError::from))
        {
            error.set(e.message(state));
            return;
        }
        done.run(());
        spawn_save(state, error, async move {
            state.save_member(id, next, &typed).await.map(drop)
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
/// A keyed list: each row keeps its own state (a question asked, a form open) while
/// syncs and taps bring new versions of the records.
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
    let ids = move || ended.with(|l| l.iter().map(|(id, _)| *id).collect::<Vec<_>>());
    // Approving everything pending asks first: the second tap approves.
    let asking = RwSignal::new(false);
    let approve_pending = move |_| {
        asking.set(false);
        for (id, s) in ended.get_untracked() {
            if s.has_pending() {
                decide(state, error, id, Decision::ApprovePending);
            }
        }
    };
    view! {
        <div class="panel">
            <div class="team-head">
                <h3>{tr(Msg::Sessions)}</h3>
                <button class="link-button" data-testid="approve-all-sessions" hidden=move || asking.get() on:click=move |_| asking.set(true)>
                    {tr(Msg::ApproveAll)}
                </button>
                <button class="link-button confirm" data-testid="approve-all-confirm" hidden=move || !asking.get() on:click=approve_pending>
                    {tr(Msg::ConfirmApproveAll)}
                </button>
                <button class="link-button" data-testid="approve-all-cancel" hidden=move || !asking.get() on:click=move |_| asking.set(false)>
                    {tr(Msg::Cancel)}
                </button>
            </div>
            <p class="field-error">{move || error.get()}</p>
            <p class="empty" hidden=move || !ended.with(Vec::is_empty)>{tr(Msg::NoSessions)}</p>
            <ul class="rows">
                <For each=ids key=|id| *id let:id>
                    <SessionRow id=id ended=ended error=error/>
                </For>
            </ul>
        </div>
    }
}

/// Whose hours an approval waits to be confirmed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Asked {
    /// One volunteer's.
    One(Uuid),
    /// Every pending hour of the session.
    Session,
}

impl Asked {
    fn decision(self) -> Decision {
        match self {
            Asked::One(who) => Decision::Approve(who),
            Asked::Session => Decision::ApprovePending,
        }
    }
}

/// One ended session: its hours drawn as one HTML string (redrawn when the session
/// changes), with the row's own state beside it: the approval it asks to confirm and
/// its correction form, both kept across redraws.
#[component]
fn SessionRow(
    id: Uuid,
    ended: Memo<Vec<(Uuid, DutySession)>>,
    error: RwSignal<String>,
) -> impl IntoView {
    let state = AppState::expect();
    let session = Memo::new(move |_| {
        ended.with(|l| l.iter().find(|(sid, _)| *sid == id).map(|(_, s)| s.clone()))
    });
    let asked = RwSignal::new(None::<Asked>);
    let editing = RwSignal::new(false);
    // One handler for the row: the button's data-* say what and who.
    let on_row = move |ev: MouseEvent| {
        let Some((action, el)) = RowAction::of_event(&ev) else {
            return;
        };
        let who = html::uuid_attr(&el, "data-who");
        match action {
            RowAction::Approve => asked.set(Some(who.map_or(Asked::Session, Asked::One))),
            RowAction::Cancel => asked.set(None),
            RowAction::ConfirmApprove => {
                // What was asked, not what the button says: a redraw cannot swap it.
                if let Some(a) = asked.get_untracked() {
                    asked.set(None);
                    decide(state, error, id, a.decision());
                }
            }
            RowAction::Reject => {
                if let Some(who) = who {
                    decide(state, error, id, Decision::Reject(who));
                }
            }
            RowAction::Edit => editing.set(true),
            RowAction::Toggle | RowAction::Leave | RowAction::Adopt => {}
        }
    };
    let body = move || {
        let now = local_now();
        // Named through every roster the phone holds: substitutes from other teams and
        // members who left keep their names.
        session.with(|s| {
            let Some(s) = s else {
                return String::new();
            };
            state.records.with(|map| {
                let roster = Roster::of(map.values().map(|l| &l.record));
                let mut out = String::new();
                session_html(state, &mut out, id, s, &roster, asked.get(), now);
                out
            })
        })
    };
    let edit_form = move || {
        // Opened on the state held at the tap; later versions do not reset the form.
        let s = editing.get().then(|| session.get_untracked()).flatten()?;
        Some(
            view! { <SessionEdit id=id session=s done=Callback::new(move |()| editing.set(false))/> },
        )
    };
    view! {
        <li class="row session" data-testid="session-row" data-id=id.to_string()>
            <div class="session-body" on:click=on_row inner_html=body></div>
            {edit_form}
        </li>
    }
}

/// The team's members expected at `session` who are not on it, by name.
fn absentee_names(state: AppState, session: &DutySession) -> Vec<String> {
    let day = session.start.date_naive();
    let roster = state.roster(session.team);
    let expected = roster
        .iter()
        .filter(|(_, v)| v.expected_on(day))
        .map(|(id, _)| *id);
    session
        .absentees(expected)
        .into_iter()
        .filter_map(|who| roster.iter().find(|(id, _)| *id == who))
        .map(|(_, v)| v.name.clone())
        .collect()
}

/// The approve button of a session or of one volunteer (`who`), or, while that
/// approval is asked, the confirm and cancel buttons in its place.
fn approve_buttons(state: AppState, out: &mut String, who: Option<Uuid>, asked: Option<Asked>) {
    let t = |m| state.t(m);
    let target = who.map_or(Asked::Session, Asked::One);
    let (testid, label) = match who {
        Some(_) => ("approve-one", Msg::Approve),
        None => ("approve-session", Msg::ApproveAll),
    };
    let who_attr = who
        .map(|w| format!(r#" data-who="{w}""#))
        .unwrap_or_default();
    if asked == Some(target) {
        let _ = write!(
            out,
            r#"<button class="link-button confirm" data-testid="approve-confirm" data-action="{}"{who_attr}>{}</button><button class="link-button" data-testid="approve-cancel" data-action="{}">{}</button>"#,
            RowAction::ConfirmApprove.as_str(),
            t(Msg::ConfirmApprove),
            RowAction::Cancel.as_str(),
            t(Msg::Cancel),
        );
    } else {
        let _ = write!(
            out,
            r#"<button class="link-button" data-testid="{testid}" data-action="{}"{who_attr}>{}</button>"#,
            RowAction::Approve.as_str(),
            t(label),
        );
    }
}

/// One ended session's body: activity, times, place, absentees, and each participant's
/// hours with the decisions the lead still has.
fn session_html(
    state: AppState,
    out: &mut String,
    id: Uuid,
    session: &DutySession,
    roster: &Roster,
    asked: Option<Asked>,
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
        r#"<div class="row-main"><b>{}</b><time>{}–{}</time></div><div class="row-detail">{}"#,
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
    let absent = absentee_names(state, session);
    if !absent.is_empty() {
        let names: Vec<String> = absent.iter().map(|n| escape(n)).collect();
        let _ = write!(
            out,
            r#"<p class="absentees" data-testid="session-absentees">{}: {}</p>"#,
            t(Msg::Absentees),
            names.join("、"),
        );
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
            r#"<li class="check-row" data-testid="session-participant" data-name="{name}" data-approval="{}" data-minutes="{mins}"><span>{name}</span><span data-testid="participant-hours">{}</span><span class="badge">{}</span>"#,
            p.approval.as_str(),
            duration(state.lang(), mins),
            t(names::approval(p.approval)),
        );
        if p.approval != Approval::Approved {
            approve_buttons(state, out, Some(who), asked);
        }
        if p.approval == Approval::Pending {
            let _ = write!(
                out,
                r#"<button class="link-button danger" data-testid="reject-one" data-action="{}" data-who="{who}">{}</button>"#,
                RowAction::Reject.as_str(),
                t(Msg::Reject)
            );
        }
        out.push_str("</li>");
    }
    out.push_str("</ul>");
    if session.has_pending() {
        approve_buttons(state, out, None, asked);
    }
    // Times and people are locked once any hours are approved; before, the lead can
    // still correct them.
    if !session.has_approved() {
        let _ = write!(
            out,
            r#"<button class="link-button" data-testid="session-edit" data-action="{}" data-id="{id}">{}</button>"#,
            RowAction::Edit.as_str(),
            t(Msg::Edit)
        );
    }
}

/// Corrects an ended session whose hours are not approved yet: its times (on the
/// session's own day; the model's retime rule) and its note.
#[component]
fn SessionEdit(id: Uuid, session: DutySession, done: Callback<()>) -> impl IntoView {
    let state = AppState::expect();
    let start = RwSignal::new(hh_mm(session.start));
    let end = RwSignal::new(session.end.map(hh_mm).unwrap_or_default());
    let note = RwSignal::new(session.note.clone());
    let error = RwSignal::new(String::new());
    let save = move |_| {
        let times = parse_time(&start.get_untracked()).zip(parse_time(&end.get_untracked()));
        let text = note.get_untracked().trim().to_string();
        // Checked on the state the form opened on, to keep the form open on a refusal.
        let checked = times.ok_or(TeamError::BadTimes).and_then(|(from, to)| {
            let mut next = session
                .retimed_on_its_day(from, to)
                .ok_or(TeamError::BadTimes)?;
            next.note = text.clone();
            next.validate()?;
            Ok((from, to))
        });
        let (from, to) = match checked {
            Ok(times) => times,
            Err(e) => {
                error.set(e.message(state));
                return;
            }
        };
        done.run(());
        edit_session(
            state,
            error,
            id,
            Box::new(move |d| {
                if let Some(next) = d.retimed_on_its_day(from, to) {
                    *d = next;
                }
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
