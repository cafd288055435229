//! One request budget per API identity and project, shared by every worker of a run: the
//! gateway throttles per user and project, so every request of that pair waits its turn here.
//!
//! The rate adapts (AIMD, as TCP's congestion control): it starts at 10 requests a second and
//! doubles every second until the gateway first throttles; from then on it grows by one
//! request a second per second while requests succeed, and a throttled answer cuts it to 85 %
//! — or, when that is still above it, to 95 % of what the gateway let through in the last
//! second — at most once a second (the requests already in flight are answered by the same
//! full bucket), and pauses every worker of the pair for one request's time, or for
//! `Retry-After` when the server sends it. A gentle cut keeps the average near the gateway's limit (the
//! sawtooth between 85 % and 100 % averages about 92 %); `max_rps` caps it for users who know
//! their limit. Throttled requests are retried until `throttle_timeout`, never counted as
//! failures before that.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// How a run treats the gateway's rate limit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateSettings {
    /// A cap on the rate, requests per second (`max_rps`, `--max-rps`).
    pub max_rps: Option<f64>,
    /// How long one request may keep being throttled before the run gives up on it.
    pub throttle_timeout: Duration,
}

impl Default for RateSettings {
    fn default() -> Self {
        RateSettings {
            max_rps: None,
            throttle_timeout: Duration::from_secs(15 * 60),
        }
    }
}

/// The rate a budget starts at, requests per second.
const START: f64 = 10.0;
/// The most a budget grows to without a cap, requests per second.
const CEILING: f64 = 1000.0;
/// The lowest a budget is cut to.
const FLOOR: f64 = 0.5;
/// What a throttled answer leaves of the rate.
const CUT: f64 = 0.85;

struct State {
    rate: f64,
    tokens: f64,
    last: Instant,
    paused_until: Instant,
    last_cut: Option<Instant>,
    slow_start: bool,
    /// When the requests of the last second were let through: what the gateway admits.
    admitted: std::collections::VecDeque<Instant>,
}

/// What a budget has seen, for the apply summary and the `--json` events.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Traffic {
    pub requests: u64,
    pub throttled: u64,
    /// The rate now, requests per second.
    pub rate: f64,
}

pub struct Budget {
    state: Mutex<State>,
    settings: RateSettings,
    requests: AtomicU64,
    throttled: AtomicU64,
}

impl Budget {
    pub fn new(settings: RateSettings) -> Self {
        let cap = settings.max_rps.unwrap_or(CEILING).max(FLOOR);
        let now = Instant::now();
        Budget {
            state: Mutex::new(State {
                rate: START.min(cap),
                tokens: 1.0,
                last: now,
                paused_until: now,
                last_cut: None,
                slow_start: true,
                admitted: std::collections::VecDeque::new(),
            }),
            settings,
            requests: AtomicU64::new(0),
            throttled: AtomicU64::new(0),
        }
    }

    /// The budget of `key` (an identity and a project), shared by everything of this process
    /// that sends as it.
    pub fn shared(key: &str, settings: RateSettings) -> Arc<Budget> {
        static BUDGETS: OnceLock<Mutex<HashMap<String, Arc<Budget>>>> = OnceLock::new();
        let mut budgets = BUDGETS
            .get_or_init(Mutex::default)
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        budgets
            .entry(key.to_owned())
            .or_insert_with(|| Arc::new(Budget::new(settings)))
            .clone()
    }

    pub fn settings(&self) -> RateSettings {
        self.settings
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Waits for the turn of one request; returns how long it waited.
    pub fn acquire(&self) -> Duration {
        let started = Instant::now();
        loop {
            let wait = {
                let mut s = self.lock();
                let now = Instant::now();
                if now < s.paused_until {
                    s.paused_until - now
                } else {
                    // A quarter of a second's worth may go at once.
                    let room = 1.0 + s.rate / 4.0;
                    s.tokens =
                        (s.tokens + now.duration_since(s.last).as_secs_f64() * s.rate).min(room);
                    s.last = now;
                    if s.tokens >= 1.0 {
                        s.tokens -= 1.0;
                        break;
                    }
                    Duration::from_secs_f64((1.0 - s.tokens) / s.rate)
                }
            };
            std::thread::sleep(wait);
        }
        self.requests.fetch_add(1, Ordering::Relaxed);
        started.elapsed()
    }

    /// A request the gateway let through: the rate grows.
    pub fn succeeded(&self) {
        let cap = self.settings.max_rps.unwrap_or(CEILING).max(FLOOR);
        let mut s = self.lock();
        // Slow start: one request a second more per success doubles the rate each second;
        // after it, one over the rate per success adds one a second.
        let step = if s.slow_start { 1.0 } else { 1.0 / s.rate };
        s.rate = (s.rate + step).min(cap);
        let now = Instant::now();
        s.admitted.push_back(now);
        while s
            .admitted
            .front()
            .is_some_and(|t| now.duration_since(*t) > Duration::from_secs(1))
        {
            s.admitted.pop_front();
        }
    }

    /// A throttled answer: the rate is cut (once a second at most) and every request of the
    /// budget pauses; `retry_after` is the server's word when it gave one.
    pub fn throttled(&self, retry_after: Option<Duration>) {
        self.throttled.fetch_add(1, Ordering::Relaxed);
        let mut s = self.lock();
        let now = Instant::now();
        if s.last_cut
            .is_none_or(|t| now.duration_since(t) >= Duration::from_secs(1))
        {
            let before = s.rate;
            // Far above the limit (slow start overshoots), the rate the gateway admitted in
            // the last second is the better guess; near it, a gentle cut.
            while s
                .admitted
                .front()
                .is_some_and(|t| now.duration_since(*t) > Duration::from_secs(1))
            {
                s.admitted.pop_front();
            }
            #[allow(clippy::cast_precision_loss)]
            let admitted = s.admitted.len() as f64;
            let cut = if admitted >= 1.0 {
                (s.rate * CUT).min(admitted * 0.95)
            } else {
                s.rate * CUT
            };
            s.rate = cut.max(FLOOR);
            s.last_cut = Some(now);
            s.slow_start = false;
            tracing::debug!(
                from = before,
                to = s.rate,
                "throttled by the API gateway: request rate cut"
            );
        }
        s.tokens = 0.0;
        let pause = retry_after
            .unwrap_or_else(|| Duration::from_secs_f64(1.0 / s.rate))
            .min(Duration::from_secs(60));
        s.paused_until = s.paused_until.max(now + pause);
    }

    /// How long every request of the budget still pauses.
    pub fn pause_left(&self) -> Duration {
        self.lock()
            .paused_until
            .saturating_duration_since(Instant::now())
    }

    pub fn traffic(&self) -> Traffic {
        Traffic {
            requests: self.requests.load(Ordering::Relaxed),
            throttled: self.throttled.load(Ordering::Relaxed),
            rate: self.lock().rate,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rate_doubles_until_throttled_then_grows_by_one_a_second() {
        let b = Budget::new(RateSettings::default());
        for _ in 0..10 {
            b.succeeded();
        }
        assert!((b.traffic().rate - 20.0).abs() < 1e-9);
        b.throttled(Some(Duration::ZERO));
        // The smaller of 85 % of the rate (17) and 95 % of the 10 requests let through in
        // the last second: slow start overshot, and the gateway's own answer is the guess.
        let rate = b.traffic().rate;
        assert!((rate - 9.5).abs() < 1e-9, "{rate}");
        // A second throttle within the same second does not cut again.
        b.throttled(Some(Duration::ZERO));
        assert!((b.traffic().rate - 9.5).abs() < 1e-9);
        // Out of slow start: one request a second more per second's worth of successes.
        for _ in 0..19 {
            b.succeeded();
        }
        let rate = b.traffic().rate;
        assert!(rate > 11.0 && rate < 11.5, "{rate}");
        assert_eq!(b.traffic().throttled, 2);
    }

    #[test]
    fn max_rps_caps_the_rate_and_the_start() {
        let b = Budget::new(RateSettings {
            max_rps: Some(3.0),
            ..RateSettings::default()
        });
        assert!((b.traffic().rate - 3.0).abs() < 1e-9);
        for _ in 0..100 {
            b.succeeded();
        }
        assert!((b.traffic().rate - 3.0).abs() < 1e-9);
    }

    #[test]
    fn a_throttle_pauses_the_whole_budget_for_retry_after() {
        let b = Budget::new(RateSettings::default());
        assert_eq!(b.pause_left(), Duration::ZERO);
        b.throttled(Some(Duration::from_secs(30)));
        let left = b.pause_left();
        assert!(
            left > Duration::from_secs(20) && left <= Duration::from_secs(30),
            "{left:?}"
        );
        // A server's Retry-After past a minute is held to a minute.
        b.throttled(Some(Duration::from_secs(3600)));
        assert!(b.pause_left() <= Duration::from_secs(60));
    }
}
