//! The background loop: owned, stoppable, woken by a tick or by "check now".

use crate::app::AppError;
use crate::notify::Notifier;
use crate::poller::{PollReport, Poller};
use crate::signals::{update_signals, SignalConfig, SignalReport};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, Notify};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use vigie_domain::Timestamp;

/// Time is an input: the engine asks a clock, tests give it a fixed one.
pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
}

#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        chrono::Utc::now().timestamp()
    }
}

/// What one cycle did: the poll, then the signal pass.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct CycleReport {
    pub poll: PollReport,
    pub signals: Option<SignalReport>,
}

/// The signal pass run after each poll cycle, and where its notifications go.
#[derive(Clone)]
pub struct SignalPass {
    pub notifier: Arc<dyn Notifier>,
    pub config: SignalConfig,
}

impl SignalPass {
    /// Polls once, then runs the signal pass over the same store.
    pub async fn cycle(
        pass: Option<&SignalPass>,
        poller: &Arc<Poller>,
        now: Timestamp,
    ) -> Result<CycleReport, AppError> {
        let poll = poller.poll_once(now).await?;
        Self::then_signals(pass, poller, now, poll).await
    }

    /// One source polled now, due or not (the CLI's `source check`), then the signal pass.
    pub async fn check_source(
        pass: Option<&SignalPass>,
        poller: &Arc<Poller>,
        id: i64,
        now: Timestamp,
    ) -> Result<CycleReport, AppError> {
        let poll = poller.poll_source(id, now).await?;
        Self::then_signals(pass, poller, now, poll).await
    }

    async fn then_signals(
        pass: Option<&SignalPass>,
        poller: &Arc<Poller>,
        now: Timestamp,
        poll: PollReport,
    ) -> Result<CycleReport, AppError> {
        let signals = match pass {
            None => None,
            Some(p) => {
                let (store, p) = (Arc::clone(poller.store()), p.clone());
                let r = tokio::task::spawn_blocking(move || {
                    let mut s = store.lock().unwrap_or_else(|e| e.into_inner());
                    update_signals(&mut s, p.notifier.as_ref(), now, &p.config)
                })
                .await
                .map_err(|e| {
                    AppError::new("internal", format!("the signal pass stopped: {e}"))
                })??;
                Some(r)
            }
        };
        Ok(CycleReport { poll, signals })
    }
}

/// A running poller. Dropping it without [`Engine::stop`] cancels the loop too.
pub struct Engine {
    token: CancellationToken,
    wake: Arc<Notify>,
    task: Option<JoinHandle<()>>,
}

impl Engine {
    /// Starts the loop. Each cycle's report (or error, in plain words) goes to `reports`.
    pub fn start(
        poller: Arc<Poller>,
        signals: Option<SignalPass>,
        clock: Arc<dyn Clock>,
        tick: Duration,
        reports: mpsc::UnboundedSender<Result<CycleReport, AppError>>,
    ) -> Engine {
        let token = CancellationToken::new();
        let wake = Arc::new(Notify::new());
        let (t, w) = (token.clone(), Arc::clone(&wake));
        let task = tokio::spawn(async move {
            let mut interval = tokio::time::interval(tick);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            loop {
                tokio::select! {
                    _ = t.cancelled() => break,
                    _ = interval.tick() => {}
                    _ = w.notified() => {}
                }
                // A cycle in progress is abandoned on stop: fetches are dropped, and each
                // source's writes are one transaction, so nothing is half-stored.
                let cycle = tokio::select! {
                    _ = t.cancelled() => break,
                    r = SignalPass::cycle(signals.as_ref(), &poller, clock.now()) => r,
                };
                if reports.send(cycle).is_err() {
                    break;
                }
            }
        });
        Engine {
            token,
            wake,
            task: Some(task),
        }
    }

    /// Runs a cycle now (the sources made due by "check now" are picked up by it).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Stops the loop and waits for it.
    pub async fn stop(mut self) {
        self.token.cancel();
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        self.token.cancel();
    }
}
