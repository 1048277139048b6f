//! The IPC commands of docs/IPC.md: each one deserialises its arguments, calls one
//! [`App`] function and returns its `{code, message}` error unchanged. Store calls run on the
//! blocking pool so neither the window's main thread nor the engine's workers wait on SQLite.

use serde::Serialize;
use tauri::{AppHandle, Manager, State};
use tauri_plugin_opener::OpenerExt;
use vigie_domain::approval::{Autonomy, Policy};
use vigie_domain::playbook::Playbook;
use vigie_domain::publish::{Account, Content, Profile};
use vigie_domain::{Mention, NewWatch, Source, Triage, Watch};
use vigie_engine::app::{
    external_url, AlertsSeen, App, AppError, AppResult, ComposeRequest, ConnectRequest,
    DashboardRow, DraftDetail, OpmlImport, PreApprove, ProfileSpec, PublishSettings, QueryCheck,
    Settings, SourceRow, SourceSpec, StreamFilter, UseStatement, WatchSeries,
};
use vigie_engine::approvals::signed::{Request, Target};
use vigie_engine::approvals::{ApprovalStatus, Me};
use vigie_engine::publish::ComposeCheck;
use vigie_store::{
    AuditEntry, AuditReport, Draft, Event, KillSwitch, Member, Post, StoredApproval,
};

/// Runs `f` against the managed [`App`] on Tokio's blocking pool.
async fn blocking<T, F>(handle: AppHandle, f: F) -> AppResult<T>
where
    T: Send + 'static,
    F: FnOnce(&App) -> AppResult<T> + Send + 'static,
{
    tauri::async_runtime::spawn_blocking(move || f(&handle.state::<App>()))
        .await
        .map_err(|e| {
            AppError::new(
                "internal",
                format!("the request stopped unexpectedly ({e})"),
            )
        })?
}

#[tauri::command]
pub async fn dashboard(handle: AppHandle) -> AppResult<Vec<DashboardRow>> {
    blocking(handle, |a| a.dashboard()).await
}

#[tauri::command]
pub async fn dashboard_series(handle: AppHandle, range: String) -> AppResult<Vec<WatchSeries>> {
    blocking(handle, move |a| a.dashboard_series(&range)).await
}

#[tauri::command]
pub async fn list_watches(handle: AppHandle) -> AppResult<Vec<Watch>> {
    blocking(handle, |a| a.list_watches()).await
}

#[tauri::command]
pub async fn save_watch(handle: AppHandle, id: Option<i64>, watch: NewWatch) -> AppResult<Watch> {
    blocking(handle, move |a| a.save_watch(id, &watch)).await
}

#[tauri::command]
pub async fn remove_watch(handle: AppHandle, id: i64) -> AppResult<()> {
    blocking(handle, move |a| a.remove_watch(id)).await
}

#[tauri::command]
pub fn check_query(query: String) -> AppResult<QueryCheck> {
    Ok(App::check_query(&query))
}

#[tauri::command]
pub async fn preview_query(
    handle: AppHandle,
    query: String,
    limit: usize,
) -> AppResult<Vec<Mention>> {
    blocking(handle, move |a| a.preview_query(&query, limit)).await
}

#[tauri::command]
pub async fn list_mentions(handle: AppHandle, filter: StreamFilter) -> AppResult<Vec<Mention>> {
    blocking(handle, move |a| a.list_mentions(&filter)).await
}

#[tauri::command]
pub async fn set_triage(handle: AppHandle, id: i64, triage: Triage) -> AppResult<()> {
    blocking(handle, move |a| a.set_triage(id, triage)).await
}

#[tauri::command]
pub async fn set_triage_many(handle: AppHandle, ids: Vec<i64>, triage: Triage) -> AppResult<usize> {
    blocking(handle, move |a| a.set_triage_many(&ids, triage)).await
}

#[tauri::command]
pub async fn list_sources(handle: AppHandle) -> AppResult<Vec<SourceRow>> {
    blocking(handle, |a| a.list_sources()).await
}

/// Async in the engine: it may fetch the page to find its feed.
#[tauri::command]
pub async fn add_source(app: State<'_, App>, spec: SourceSpec) -> AppResult<Source> {
    app.add_source(spec).await
}

#[tauri::command]
pub async fn remove_source(handle: AppHandle, id: i64) -> AppResult<()> {
    blocking(handle, move |a| a.remove_source(id)).await
}

#[tauri::command]
pub async fn check_source(handle: AppHandle, id: i64) -> AppResult<()> {
    blocking(handle, move |a| a.check_source(id)).await
}

#[tauri::command]
pub async fn check_all_sources(handle: AppHandle) -> AppResult<usize> {
    blocking(handle, |a| a.check_all_sources()).await
}

#[tauri::command]
pub async fn set_source_enabled(handle: AppHandle, id: i64, enabled: bool) -> AppResult<()> {
    blocking(handle, move |a| a.set_source_enabled(id, enabled)).await
}

#[tauri::command]
pub async fn import_opml(handle: AppHandle, text: String) -> AppResult<OpmlImport> {
    blocking(handle, move |a| a.import_opml(&text)).await
}

#[tauri::command]
/// Saves the feeds as an OPML file in the user's downloads folder (the home folder if there is
/// none); returns the file's path for the UI to show.
pub async fn export_opml(handle: AppHandle) -> AppResult<String> {
    let paths = handle.path();
    let dir = paths
        .download_dir()
        .or_else(|_| paths.home_dir())
        .map_err(|e| AppError::new("export_failed", format!("no folder to save into: {e}")))?;
    blocking(handle, move |a| {
        a.export_opml_into(&dir).map(|p| p.display().to_string())
    })
    .await
}

#[tauri::command]
pub async fn alerts(handle: AppHandle, limit: usize) -> AppResult<Vec<Event>> {
    blocking(handle, move |a| a.alerts(limit)).await
}

#[tauri::command]
pub async fn alerts_seen(handle: AppHandle) -> AppResult<AlertsSeen> {
    blocking(handle, move |a| a.alerts_seen()).await
}

#[tauri::command]
pub async fn mark_alerts_seen(handle: AppHandle, up_to: i64) -> AppResult<()> {
    blocking(handle, move |a| a.mark_alerts_seen(up_to)).await
}

#[tauri::command]
pub async fn get_settings(handle: AppHandle) -> AppResult<Settings> {
    blocking(handle, |a| a.settings()).await
}

#[tauri::command]
pub async fn save_settings(handle: AppHandle, settings: Settings) -> AppResult<Settings> {
    blocking(handle, move |a| a.save_settings(&settings)).await
}

/// Opens an http(s) link in the system browser; anything else is refused before the opener.
#[tauri::command]
pub async fn open_external(handle: AppHandle, url: String) -> AppResult<()> {
    let url = external_url(&url)?;
    open_in_browser(&handle, &url)
}

/// Opens a checked http(s) URL in the system browser. On Linux, through xdg-open without
/// the app's memory tuning (the browser must not run without its JIT, compositing or GL;
/// see memory.rs); through the opener plugin when xdg-open is missing, and then the browser
/// does inherit the tuning.
fn open_in_browser(handle: &AppHandle, url: &str) -> AppResult<()> {
    #[cfg(target_os = "linux")]
    if crate::memory::untuned(std::process::Command::new("xdg-open").arg(url))
        .stdin(std::process::Stdio::null())
        .spawn()
        .is_ok()
    {
        return Ok(());
    }
    handle.opener().open_url(url, None::<&str>).map_err(|e| {
        AppError::new(
            "open_failed",
            format!("the browser could not be opened ({e})"),
        )
    })
}

// ---- publishing: profiles, accounts, composer, outbox, kill switch ---------------------------
//
// Secrets travel one way: the UI sends a token or an app password in `connect_account`, the
// engine puts it in the OS keychain; no command ever returns one.

#[tauri::command]
pub async fn list_profiles(handle: AppHandle) -> AppResult<Vec<Profile>> {
    blocking(handle, |a| a.profiles()).await
}

#[tauri::command]
pub async fn create_profile(handle: AppHandle, spec: ProfileSpec) -> AppResult<Profile> {
    blocking(handle, move |a| a.create_profile(&spec)).await
}

#[tauri::command]
pub async fn set_allowed_handles(
    handle: AppHandle,
    profile_id: i64,
    handles: Vec<String>,
) -> AppResult<Profile> {
    blocking(handle, move |a| a.set_allowed_handles(profile_id, &handles)).await
}

#[tauri::command]
pub async fn active_profile(handle: AppHandle) -> AppResult<Option<Profile>> {
    blocking(handle, |a| a.active_profile()).await
}

#[tauri::command]
pub async fn set_active_profile(handle: AppHandle, profile_id: i64) -> AppResult<Profile> {
    blocking(handle, move |a| a.set_active_profile(profile_id)).await
}

/// The accounts of one profile only.
#[tauri::command]
pub async fn list_accounts(handle: AppHandle, profile_id: i64) -> AppResult<Vec<Account>> {
    blocking(handle, move |a| a.accounts(profile_id)).await
}

/// Mastodon with a pasted token, or Bluesky with an app password (async: it asks the server
/// who the credential belongs to before anything is saved).
#[tauri::command]
pub async fn connect_account(app: State<'_, App>, request: ConnectRequest) -> AppResult<Account> {
    app.connect_account(request).await
}

/// What `begin_mastodon_sign_in` returns: the flow to finish, and the address opened in the
/// browser (shown to the user when no browser could be opened).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignIn {
    flow: String,
    url: String,
    opened: bool,
}

/// Starts a Mastodon sign-in and opens the instance's authorisation page in the system browser
/// (the way `open_external` does).
#[tauri::command]
pub async fn begin_mastodon_sign_in(handle: AppHandle, server: String) -> AppResult<SignIn> {
    let (flow, url) = handle
        .state::<App>()
        .begin_mastodon_sign_in(&server)
        .await?;
    let opened = match external_url(&url) {
        Ok(u) => open_in_browser(&handle, &u).is_ok(),
        Err(_) => false,
    };
    Ok(SignIn { flow, url, opened })
}

/// "Stop waiting": the sign-in connects nothing, even if the browser comes back later.
#[tauri::command]
pub async fn cancel_mastodon_sign_in(app: State<'_, App>, flow: String) -> AppResult<bool> {
    Ok(app.cancel_mastodon_sign_in(&flow).await)
}

/// Waits (up to 5 minutes) for the browser to come back, then connects the account.
#[tauri::command]
pub async fn finish_mastodon_sign_in(
    app: State<'_, App>,
    flow: String,
    profile_id: i64,
    expected_handle: Option<String>,
) -> AppResult<Account> {
    app.finish_mastodon_sign_in(&flow, profile_id, expected_handle.as_deref())
        .await
}

#[tauri::command]
pub async fn disconnect_account(
    app: State<'_, App>,
    account_id: i64,
) -> AppResult<vigie_engine::publish::Disconnected> {
    app.disconnect_account(account_id).await
}

/// Is a credential stored for this account? Never the credential itself.
#[tauri::command]
pub async fn credential_is_set(handle: AppHandle, account_id: i64) -> AppResult<bool> {
    blocking(handle, move |a| a.credential_is_set(account_id)).await
}

#[tauri::command]
pub async fn compose_check(handle: AppHandle, request: ComposeRequest) -> AppResult<ComposeCheck> {
    blocking(handle, move |a| a.compose_check(&request)).await
}

/// The publish gate: the engine checks everything again and queues the post for the undo window.
#[tauri::command]
pub async fn queue_post(handle: AppHandle, request: ComposeRequest) -> AppResult<Post> {
    let post = blocking(handle.clone(), move |a| a.queue_post(&request)).await?;
    crate::events::outbox_changed(&handle, &[post.id]);
    Ok(post)
}

#[tauri::command]
pub async fn outbox(handle: AppHandle, limit: usize) -> AppResult<Vec<Post>> {
    blocking(handle, move |a| a.outbox(limit)).await
}

#[tauri::command]
pub async fn cancel_post(handle: AppHandle, id: i64) -> AppResult<Post> {
    let post = blocking(handle.clone(), move |a| a.cancel_post(id)).await?;
    crate::events::outbox_changed(&handle, &[post.id]);
    Ok(post)
}

#[tauri::command]
pub async fn retry_post(
    handle: AppHandle,
    profile_id: i64,
    id: i64,
    typed_handle: Option<String>,
) -> AppResult<Post> {
    let post = blocking(handle.clone(), move |a| {
        a.retry_post(profile_id, id, typed_handle)
    })
    .await?;
    crate::events::outbox_changed(&handle, &[post.id]);
    Ok(post)
}

#[tauri::command]
pub async fn kill_switch(handle: AppHandle) -> AppResult<KillSwitch> {
    blocking(handle, |a| a.kill_switch()).await
}

#[tauri::command]
pub async fn set_kill_switch(handle: AppHandle, on: bool, reason: String) -> AppResult<KillSwitch> {
    let ks = blocking(handle.clone(), move |a| a.set_kill_switch(on, &reason)).await?;
    crate::events::kill_switch_changed(&handle, &ks);
    Ok(ks)
}

#[tauri::command]
pub async fn get_publish_settings(handle: AppHandle) -> AppResult<PublishSettings> {
    blocking(handle, |a| a.publish_settings()).await
}

#[tauri::command]
pub async fn save_publish_settings(
    handle: AppHandle,
    settings: PublishSettings,
) -> AppResult<PublishSettings> {
    blocking(handle, move |a| a.save_publish_settings(&settings)).await
}

// ---- teamwork: identity and roster, policy, drafts, playbooks, approvals, audit ---------------
//
// Signed requests and approvals, roster files, playbooks and the policy travel as text (blocks
// to copy and paste); the private key stays in the OS keychain and no command returns it.

#[tauri::command]
pub async fn my_identity(handle: AppHandle) -> AppResult<Option<Me>> {
    blocking(handle, |a| a.me()).await
}

#[tauri::command]
pub async fn create_identity(
    handle: AppHandle,
    name: String,
    roles: Vec<String>,
    autonomy: Autonomy,
) -> AppResult<Me> {
    blocking(handle, move |a| a.create_identity(&name, &roles, autonomy)).await
}

#[tauri::command]
pub async fn list_roster(handle: AppHandle) -> AppResult<Vec<Member>> {
    blocking(handle, |a| a.roster()).await
}

#[tauri::command]
pub async fn export_roster(handle: AppHandle) -> AppResult<String> {
    blocking(handle, |a| a.export_roster()).await
}

/// Merges a pasted roster file; returns how many members it holds.
#[tauri::command]
pub async fn import_roster(handle: AppHandle, text: String) -> AppResult<usize> {
    blocking(handle, move |a| a.import_roster(&text)).await
}

#[tauri::command]
pub async fn set_member(
    handle: AppHandle,
    who: String,
    roles: Option<Vec<String>>,
    autonomy: Option<Autonomy>,
) -> AppResult<Member> {
    blocking(handle, move |a| a.set_member(&who, roles, autonomy)).await
}

/// The approval policy as TOML.
#[tauri::command]
pub async fn get_policy(handle: AppHandle) -> AppResult<String> {
    blocking(handle, |a| a.policy()).await
}

#[tauri::command]
pub async fn save_policy(handle: AppHandle, toml: String) -> AppResult<Policy> {
    blocking(handle, move |a| a.save_policy(&toml)).await
}

#[tauri::command]
pub async fn list_drafts(handle: AppHandle) -> AppResult<Vec<Draft>> {
    blocking(handle, |a| a.drafts()).await
}

#[tauri::command]
pub async fn get_draft(handle: AppHandle, id: i64) -> AppResult<DraftDetail> {
    blocking(handle, move |a| a.draft(id)).await
}

#[tauri::command]
pub async fn create_draft(
    handle: AppHandle,
    title: String,
    watch_id: Option<i64>,
    mentions: Vec<i64>,
) -> AppResult<Draft> {
    blocking(handle, move |a| a.create_draft(&title, watch_id, &mentions)).await
}

#[tauri::command]
pub async fn save_variant(
    handle: AppHandle,
    draft_id: i64,
    account_id: i64,
    content: Content,
) -> AppResult<Draft> {
    blocking(handle, move |a| {
        a.save_variant(draft_id, account_id, &content)
    })
    .await
}

#[tauri::command]
pub async fn comment_draft(
    handle: AppHandle,
    draft_id: i64,
    text: String,
) -> AppResult<DraftDetail> {
    blocking(handle, move |a| a.comment_draft(draft_id, &text)).await
}

#[tauri::command]
pub async fn list_playbooks(handle: AppHandle) -> AppResult<Vec<Playbook>> {
    blocking(handle, |a| a.playbooks()).await
}

#[tauri::command]
pub async fn import_playbook(handle: AppHandle, toml: String) -> AppResult<Playbook> {
    blocking(handle, move |a| a.import_playbook(&toml)).await
}

/// A playbook as TOML, to copy.
#[tauri::command]
pub async fn export_playbook(handle: AppHandle, name: String) -> AppResult<String> {
    blocking(handle, move |a| a.export_playbook(&name)).await
}

/// "Use this statement": a new draft for one account with the slots filled.
#[tauri::command]
pub async fn use_statement(handle: AppHandle, request: UseStatement) -> AppResult<Draft> {
    blocking(handle, move |a| a.use_statement(&request)).await
}

/// A signed request block for a draft's variant (to copy to a validator).
#[tauri::command]
pub async fn request_approval(
    handle: AppHandle,
    draft_id: i64,
    account_id: i64,
) -> AppResult<String> {
    blocking(handle, move |a| a.request_approval(draft_id, account_id)).await
}

/// What a pasted request asks, signature checked, before signing anything.
#[tauri::command]
pub async fn review_request(handle: AppHandle, text: String) -> AppResult<Request> {
    blocking(handle, move |a| a.review_request(&text)).await
}

/// Signs an approval of a pasted request; returns the block to send back.
#[tauri::command]
pub async fn approve_request(
    handle: AppHandle,
    text: String,
    role: String,
    valid_secs: i64,
) -> AppResult<String> {
    blocking(handle, move |a| a.approve_request(&text, &role, valid_secs)).await
}

#[tauri::command]
pub async fn pre_approve(handle: AppHandle, request: PreApprove) -> AppResult<String> {
    blocking(handle, move |a| a.pre_approve(&request)).await
}

/// Verifies and files a pasted approval (or refuses it, in plain words).
#[tauri::command]
pub async fn import_approval(handle: AppHandle, text: String) -> AppResult<StoredApproval> {
    blocking(handle, move |a| a.import_approval(&text)).await
}

#[tauri::command]
pub async fn list_approvals(handle: AppHandle) -> AppResult<Vec<StoredApproval>> {
    blocking(handle, |a| a.approvals()).await
}

/// What the policy asks for this post (the composer shows it before confirming).
#[tauri::command]
pub async fn requirement(handle: AppHandle, request: ComposeRequest) -> AppResult<ApprovalStatus> {
    blocking(handle, move |a| a.requirement(&request)).await
}

#[tauri::command]
pub async fn audit_log(handle: AppHandle, limit: usize) -> AppResult<Vec<AuditEntry>> {
    blocking(handle, move |a| a.audit(limit)).await
}

#[tauri::command]
pub async fn verify_audit(handle: AppHandle) -> AppResult<AuditReport> {
    blocking(handle, |a| a.verify_audit()).await
}

/// An account's public identity (network, server, remote id, handle), for a pre-approval.
#[tauri::command]
pub async fn account_target(handle: AppHandle, account_id: i64) -> AppResult<Target> {
    blocking(handle, move |a| a.account_target(account_id)).await
}

// ---- the window ------------------------------------------------------------------------------

/// The UI's answer to `window://closed`: with nothing typed and unsaved, the closed window's
/// webview is released after a while (window.rs); otherwise the window stays hidden, intact.
#[tauri::command]
pub fn release_window(handle: AppHandle, unsaved: bool) {
    crate::window::release_when_idle(&handle, unsaved);
}
