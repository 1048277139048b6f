//! Keeping the idle app small (issue 4's budget: every process, WebKit included).
//!
//! Three layers, each measured in docs/BENCHMARKS.md:
//! - the environment, read by this process's GTK and WebKit and inherited by the helper
//!   processes WebKit spawns ([`tune_environment`], first thing in `main`): software
//!   rendering without the compositing layer tree (what `WEBKIT_DISABLE_COMPOSITING_MODE`
//!   does; a light UI of lists and small charts does not need it), no JavaScript JIT (less
//!   code memory; the UI's scripts are small), two malloc arenas per helper process; and no
//!   OpenGL in this process. Under software rendering, loading Mesa's driver maps LLVM
//!   (20 – 25 MiB of PSS per process). GTK would load it to pick a GL visual at start-up
//!   (`GDK_GL=disable`), and WebKit to look the GPU up through EGL before it starts a web
//!   process (`WEBKIT_WEB_RENDER_DEVICE_FILE` names the render node instead; the one named
//!   does not exist, and with compositing and DMA-BUF off nothing opens it). WebKit's web
//!   process (2.50) still opens an EGL display of its own, whatever the settings;
//! - the webview's settings ([`tune_webview`]): no back/forward page cache, the "document
//!   viewer" cache model (no in-memory resource cache for a page that is never reloaded),
//!   no WebGL, Web Audio or media stack;
//! - this process's allocator ([`Allocator`]): two malloc arenas instead of up to eight per
//!   core, and freed memory handed back to the system once the UI has settled.
//!
//! Every variable already set by the user wins; `VIGIE_LEAN=0` turns all of it off (to
//! measure the difference, or if a machine renders badly without compositing).

/// Whether the tuning applies (`VIGIE_LEAN=0` turns it off).
pub fn enabled() -> bool {
    std::env::var("VIGIE_LEAN").map_or(true, |v| v != "0")
}

/// Sets GTK's, WebKit's, JavaScriptCore's and glibc's variables, for this process and the
/// helper processes WebKit spawns later (they inherit this environment). Call before any
/// thread starts.
pub fn tune_environment() {
    if !enabled() {
        return;
    }
    for (key, value) in TUNED {
        if std::env::var_os(key).is_none() {
            std::env::set_var(key, value);
        }
    }
}

/// The variables [`tune_environment`] sets.
const TUNED: [(&str, &str); 6] = [
    ("WEBKIT_DISABLE_COMPOSITING_MODE", "1"),
    ("WEBKIT_DISABLE_DMABUF_RENDERER", "1"),
    ("GDK_GL", "disable"),
    ("WEBKIT_WEB_RENDER_DEVICE_FILE", "/nonexistent"),
    ("JSC_useJIT", "false"),
    ("MALLOC_ARENA_MAX", "2"),
];

/// Removes the tuning from a program Vigie starts (the system browser opening a link must not
/// run without its JIT or compositing). A variable holding another value was set by the user
/// and is left alone.
pub fn untuned(cmd: &mut std::process::Command) -> &mut std::process::Command {
    for (key, value) in TUNED {
        if std::env::var(key).is_ok_and(|v| v == value) {
            cmd.env_remove(key);
        }
    }
    cmd
}

/// Applies the memory-saving settings to the main window's webview.
#[cfg(target_os = "linux")]
pub fn tune_webview(window: &tauri::WebviewWindow) {
    if !enabled() {
        return;
    }
    let _ = window.with_webview(|platform| {
        use webkit2gtk::{CacheModel, SettingsExt, WebContextExt, WebViewExt};
        let view = platform.inner();
        if let Some(context) = WebViewExt::context(&view) {
            context.set_cache_model(CacheModel::DocumentViewer);
        }
        if let Some(s) = WebViewExt::settings(&view) {
            s.set_enable_page_cache(false);
            s.set_enable_webgl(false);
            s.set_enable_webaudio(false);
            s.set_enable_media(false);
            s.set_enable_mediasource(false);
            s.set_enable_media_stream(false);
            s.set_enable_encrypted_media(false);
            s.set_enable_webrtc(false);
            s.set_enable_dns_prefetching(false);
        }
    });
}

#[cfg(not(target_os = "linux"))]
pub fn tune_webview(_window: &tauri::WebviewWindow) {}

/// This process's allocator: glibc's knobs, a no-op elsewhere.
pub struct Allocator;

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
impl Allocator {
    /// At most two malloc arenas (glibc's default is eight per core: memory freed by one
    /// thread stays reserved in its arena). Call first thing in `main`.
    pub fn limit_arenas() {
        if enabled() {
            // SAFETY: mallopt takes two integers and is safe to call at any time; this runs
            // before any other thread exists.
            unsafe {
                libc::mallopt(libc::M_ARENA_MAX, 2);
            }
        }
    }

    /// Returns the free pages of every arena to the system (after the UI's first burst of
    /// queries, and now and then while idle).
    pub fn release_free_memory() {
        // SAFETY: malloc_trim takes an integer, locks each arena itself and is thread-safe
        // in glibc.
        unsafe {
            libc::malloc_trim(0);
        }
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
impl Allocator {
    pub fn limit_arenas() {}
    pub fn release_free_memory() {}
}
