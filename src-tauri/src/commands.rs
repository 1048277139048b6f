//! The IPC commands of docs/IPC.md: each one deserialises its arguments, calls one
//! [`App`] function and returns its `{code, message}` error unchanged. Store calls run on the
//! blocking pool so neither the window's main thread nor the engine's workers wait on SQLite.

use serde::Serialize;
use tauri::{AppHandle, Manager, State};
use tauri_plugin_opener::OpenerExt;
use vigie_domain::{Mention, NewWatch, Source, Triage, Watch};
use vigie_engine::app::{
    external_url, App, AppError, AppResult, DashboardRow, QueryCheck, Series, Settings, SourceRow,
    SourceSpec, StreamFilter,
};
use vigie_store::Event;

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
pub async fn watch_series(handle: AppHandle, watch_id: i64, range: String) -> AppResult<Series> {
    blocking(handle, move |a| a.watch_series(watch_id, &range)).await
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

#[derive(Debug, Serialize)]
pub struct OpmlImport {
    added: usize,
    already_present: usize,
}

#[tauri::command]
pub async fn import_opml(handle: AppHandle, text: String) -> AppResult<OpmlImport> {
    let (added, already_present) = blocking(handle, move |a| a.import_opml(&text)).await?;
    Ok(OpmlImport {
        added,
        already_present,
    })
}

#[tauri::command]
pub async fn export_opml(handle: AppHandle) -> AppResult<String> {
    blocking(handle, |a| a.export_opml()).await
}

#[tauri::command]
pub async fn alerts(handle: AppHandle, limit: usize) -> AppResult<Vec<Event>> {
    blocking(handle, move |a| a.alerts(limit)).await
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
    handle.opener().open_url(url, None::<&str>).map_err(|e| {
        AppError::new(
            "open_failed",
            format!("the browser could not be opened ({e})"),
        )
    })
}
