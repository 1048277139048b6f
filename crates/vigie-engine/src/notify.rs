//! Desktop notifications over D-Bus (notify-rust), behind a trait so the signal pass does
//! not care how a notice is shown. When there is no bus or no notification service, the
//! failure is returned in plain words; the caller records it once and keeps running.

use vigie_domain::Level;

/// What to tell the user.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub watch_id: i64,
    pub level: Level,
    pub summary: String,
    pub body: String,
}

impl Notice {
    /// The action a click triggers; the desktop shell opens this watch.
    pub fn action(&self) -> String {
        format!("open-watch:{}", self.watch_id)
    }
}

pub trait Notifier: Send + Sync {
    fn notify(&self, notice: &Notice) -> Result<(), String>;
}

/// The desktop's notification service (org.freedesktop.Notifications on Linux).
#[derive(Debug, Default, Clone)]
pub struct DesktopNotifier;

impl Notifier for DesktopNotifier {
    fn notify(&self, n: &Notice) -> Result<(), String> {
        use notify_rust::{Notification, Urgency};
        let urgency = match n.level {
            Level::Crisis | Level::Alert => Urgency::Critical,
            Level::Watch => Urgency::Normal,
            Level::Calm => Urgency::Low,
        };
        Notification::new()
            .appname("Vigie")
            .summary(&n.summary)
            .body(&n.body)
            .urgency(urgency)
            .action(&n.action(), "Ouvrir / Open")
            .hint(notify_rust::Hint::Category("im.received".into()))
            .show()
            .map(|_| ())
            .map_err(|e| {
                format!(
                    "desktop notifications are not available ({e}): Vigie keeps listening; levels and signals are still in `vigie levels` and the app"
                )
            })
    }
}

/// Notices kept in memory (headless runs and tests that only need the decisions).
#[derive(Debug, Default)]
pub struct MemoryNotifier(pub std::sync::Mutex<Vec<Notice>>);

impl Notifier for MemoryNotifier {
    fn notify(&self, n: &Notice) -> Result<(), String> {
        self.0.lock().expect("notices lock").push(n.clone());
        Ok(())
    }
}
