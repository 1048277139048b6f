//! Benchmark only (`bench/desktop.sh`): the smallest Tauri 2 app, one window showing an
//! empty page, started with exactly the memory settings of Vigie's desktop shell
//! (`src-tauri/src/memory.rs`, compiled in from there). Its idle memory is what any
//! Tauri 2 app costs on this machine before it shows anything: the floor under Vigie's
//! figure for issue 4.

#[path = "../../../src-tauri/src/memory.rs"]
#[allow(dead_code)] // `untuned` serves Vigie's link opener, not this app
mod memory;

use tauri::Manager;

fn main() {
    memory::Allocator::limit_arenas();
    memory::tune_environment();
    tauri::Builder::default()
        .setup(|app| {
            if let Some(window) = app.get_webview_window("main") {
                memory::tune_webview(&window);
            }
            // As Vigie does once its first screen has settled (not with VIGIE_LEAN=0).
            if memory::enabled() {
                std::thread::spawn(|| {
                    std::thread::sleep(std::time::Duration::from_secs(5));
                    memory::Allocator::release_free_memory();
                });
            }
            Ok(())
        })
        .run(tauri::generate_context!())
        .expect("the floor app runs");
}
