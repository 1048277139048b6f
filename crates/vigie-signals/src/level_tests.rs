use super::*;

fn obs(ratio: f64, alert: bool) -> Observation {
    Observation {
        ts_unix: 0,
        value: ratio * 10.0,
        expected: 10.0,
        ratio,
        z: 0.0,
        score: 0.0,
        alert,
        warming_up: false,
        refractory: false,
        stale: false,
        hour: 13,
        weekday: 1,
    }
}

fn calm(at: i64) -> Evidence {
    Evidence {
        at,
        volume: Some(obs(1.0, false)),
        negative: Some(obs(1.0, false)),
        mentions_1h: 20,
        negative_1h: 2,
        last_30m: 10,
        prev_30m: 10,
        ..Default::default()
    }
}

fn storm(at: i64) -> Evidence {
    Evidence {
        at,
        volume: Some(obs(5.0, true)),
        negative: Some(obs(6.0, false)),
        mentions_1h: 120,
        negative_1h: 80,
        anger_1h: 12,
        last_30m: 90,
        prev_30m: 30,
        new_voices_2h: 3,
        sensitive_words: vec!["boycott".into(), "scandale".into()],
        ..Default::default()
    }
}

#[test]
fn calm_evidence_stays_calm() {
    let mut s = LevelState::default();
    for i in 0..100 {
        assert_eq!(
            s.step(&calm(i * 300), Sensitivity::High, &Thresholds::default()),
            None
        );
    }
    assert_eq!(s.level, Level::Calm);
}

#[test]
fn a_storm_raises_straight_to_crisis_with_reasons() {
    let mut s = LevelState::default();
    let c = s
        .step(&storm(0), Sensitivity::Medium, &Thresholds::default())
        .expect("a change");
    assert_eq!((c.from, c.to), (Level::Calm, Level::Crisis));
    let fr = explain(&c.reasons, Lang::Fr, 0);
    assert!(
        fr.contains("Mentions ×5 par rapport à un mardi 13 h habituel"),
        "{fr}"
    );
    assert!(fr.contains("mentions négatives ×6"), "{fr}");
    assert!(fr.contains("3 nouveaux médias ou auteurs en 2 h"), "{fr}");
    assert!(fr.contains("mots : boycott, scandale"), "{fr}");
    let en = explain(&c.reasons, Lang::En, 3600);
    assert!(
        en.starts_with("Mentions ×5 vs a usual Tuesday 14:00"),
        "local time applied: {en}"
    );
}

/// Thresholds with a 15-minute calm-down, and a level machine a storm has just raised.
fn risen_in_a_storm() -> (Thresholds, LevelState) {
    let t = Thresholds {
        calm_down_buckets: 3,
        ..Thresholds::default()
    };
    let mut s = LevelState::default();
    s.step(&storm(0), Sensitivity::Medium, &t);
    (t, s)
}

#[test]
fn hysteresis_goes_down_one_step_after_a_calm_streak() {
    let (t, mut s) = risen_in_a_storm();
    assert_eq!(s.level, Level::Crisis);
    // Alternating calm/storm never lowers the level (no flapping).
    for i in 1..20 {
        let e = if i % 2 == 0 {
            storm(i * 300)
        } else {
            calm(i * 300)
        };
        s.step(&e, Sensitivity::Medium, &t);
        assert_eq!(s.level, Level::Crisis);
    }
    let mut changes = vec![];
    for i in 20..40 {
        if let Some(c) = s.step(&calm(i * 300), Sensitivity::Medium, &t) {
            changes.push((c.from, c.to));
        }
    }
    assert_eq!(
        changes,
        vec![
            (Level::Crisis, Level::Alert),
            (Level::Alert, Level::Watch),
            (Level::Watch, Level::Calm)
        ]
    );
}

#[test]
fn sensitivity_and_thresholds_change_the_outcome() {
    let mild = Evidence {
        at: 0,
        volume: Some(obs(2.5, false)),
        mentions_1h: 10,
        ..Default::default()
    };
    let (p_med, _) = score(&mild, Sensitivity::Medium, &Thresholds::default());
    let (p_high, r) = score(&mild, Sensitivity::High, &Thresholds::default());
    let (p_low, _) = score(&mild, Sensitivity::Low, &Thresholds::default());
    assert_eq!((p_low, p_med, p_high), (0, 1, 2));
    assert!(r.contains(&Reason::Sensitivity { high: true }));
    let strict = Thresholds {
        watch: 1,
        ..Thresholds::default()
    };
    let mut s = LevelState::default();
    assert_eq!(
        s.step(&mild, Sensitivity::Medium, &strict).map(|c| c.to),
        Some(Level::Watch)
    );
}

#[test]
fn low_volume_ratios_earn_nothing() {
    // Three mentions instead of one: ×3, but below the minimum volume.
    let e = Evidence {
        at: 0,
        volume: Some(obs(3.0, false)),
        mentions_1h: 3,
        ..Default::default()
    };
    assert_eq!(score(&e, Sensitivity::High, &Thresholds::default()).0, 0);
}

#[test]
fn ratios_are_written_with_each_language_s_decimal_mark() {
    let volume = Reason::Volume {
        ratio: 5.46,
        weekday: 1,
        hour: 13,
        observed: 11.0,
        expected: 2.0,
    };
    assert!(
        volume.explain(Lang::Fr, 0).contains("×5,5 par rapport"),
        "{}",
        volume.explain(Lang::Fr, 0)
    );
    assert!(volume.explain(Lang::En, 0).contains("×5.5 vs"));
    let round = Reason::NegativeVolume {
        ratio: 12.3,
        weekday: 1,
        hour: 13,
        observed: 12.0,
        expected: 1.0,
    };
    assert!(round.explain(Lang::Fr, 0).contains("×12 par rapport"));
}

#[test]
fn a_level_that_eases_says_so_and_what_still_counts() {
    let voices = [Reason::NewVoices { count: 35 }];
    let rising = explain_change(Level::Calm, Level::Alert, &voices, Lang::Fr, 0);
    assert_eq!(rising, explain(&voices, Lang::Fr, 0));
    assert_eq!(
        explain_change(Level::Crisis, Level::Alert, &voices, Lang::Fr, 0),
        format!(
            "Les signaux retombent ; il reste : {}",
            voices[0].explain(Lang::Fr, 0)
        )
    );
    assert!(
        explain_change(Level::Crisis, Level::Alert, &voices, Lang::En, 0)
            .starts_with("Signals are easing; still: 35")
    );
    assert_eq!(
        explain_change(Level::Watch, Level::Calm, &[], Lang::Fr, 0),
        "Les signaux retombent : plus rien d'inhabituel dans le volume ni la tonalité"
    );
}

/// A launch: volume ×6, accelerating, many new voices, a weak signal; 80 % positive.
fn praise(at: i64, negative_1h: u32) -> Evidence {
    Evidence {
        at,
        volume: Some(obs(6.0, true)),
        negative: Some(obs(1.0, false)),
        mentions_1h: 100,
        positive_1h: 80,
        negative_1h,
        last_30m: 70,
        prev_30m: 30,
        new_voices_2h: 40,
        ..Default::default()
    }
}

#[test]
fn praise_stops_at_vigilance_and_says_why() {
    for sensitivity in [Sensitivity::Medium, Sensitivity::High] {
        let mut s = LevelState::default();
        let c = s
            .step(&praise(0, 2), sensitivity, &Thresholds::default())
            .expect("a surge is worth watching");
        assert_eq!(c.to, Level::Watch, "{sensitivity:?}: {:?}", c.reasons);
        let fr = explain(&c.reasons, Lang::Fr, 0);
        assert!(
            fr.contains("80 % de messages positifs et rien de négatif : vigilance, pas d'alerte"),
            "{fr}"
        );
    }
}

#[test]
fn praise_with_anything_negative_in_it_still_rises() {
    let t = Thresholds::default();
    // Sarcasm and complaints among the praise: a tenth negative.
    let (points, reasons) = score(&praise(0, 10), Sensitivity::Medium, &t);
    assert!(points >= t.alert, "{points} {reasons:?}");
    // Angry posts, or a sensitive word, lift the cap as well.
    let angry = Evidence {
        anger_1h: 3,
        ..praise(0, 2)
    };
    assert!(score(&angry, Sensitivity::Medium, &t).0 >= t.alert);
    let words = Evidence {
        sensitive_words: vec!["rappel".into()],
        ..praise(0, 2)
    };
    assert!(score(&words, Sensitivity::Medium, &t).0 >= t.alert);
    // A surge whose tone is unknown (undetected language, neutral wording) is not praise.
    let neutral = Evidence {
        positive_1h: 20,
        ..praise(0, 2)
    };
    assert!(score(&neutral, Sensitivity::Medium, &t).0 >= t.alert);
    // Negative posts flagged as a weak signal: three lift the cap; one does not (it flags a
    // series whose usual is near zero, and is not a crisis).
    let flagged = |negative_1h| Evidence {
        negative: Some(obs(8.0, true)),
        ..praise(0, negative_1h)
    };
    assert!(score(&flagged(3), Sensitivity::Medium, &t).0 >= t.alert);
    let (points, reasons) = score(&flagged(1), Sensitivity::Medium, &t);
    assert_eq!(points, t.alert - 1, "{reasons:?}");
    assert!(reasons
        .iter()
        .any(|r| matches!(r, Reason::MostlyPositive { .. })));
}

/// `n` angry posts in the last hour on a watch that is usually quiet: every post negative,
/// angry and from a new voice, and the detectors flag both series.
fn angry_burst(at: i64, n: u32) -> Evidence {
    Evidence {
        at,
        volume: Some(obs(f64::from(n), true)),
        negative: Some(obs(f64::from(n), true)),
        mentions_1h: n,
        negative_1h: n,
        anger_1h: n,
        last_30m: n,
        prev_30m: 0,
        new_voices_2h: n,
        ..Default::default()
    }
}

#[test]
fn a_handful_of_angry_posts_stops_at_vigilance_and_says_why() {
    let t = Thresholds::default();
    let mut s = LevelState::default();
    let change = s.step(&angry_burst(0, 3), Sensitivity::Medium, &t).unwrap();
    assert_eq!(change.to, Level::Watch, "{change:?}");
    assert!(change.reasons.contains(&Reason::FewMentions {
        mentions: 3,
        needed: 6,
        cap: Level::Watch
    }));
    // What still earned points is kept in the explanation, then why it stops there.
    let fr = explain(&change.reasons, Lang::Fr, 0);
    assert!(fr.contains("3 messages en colère"), "{fr}");
    assert!(
        fr.ends_with("3 mentions en 1 h : niveau limité à la vigilance sous 6 mentions par heure"),
        "{fr}"
    );
    let en = explain(&change.reasons, Lang::En, 0);
    assert!(
        en.ends_with(
            "3 mentions in 1 h: the level goes no higher than “watch” below 6 mentions per hour"
        ),
        "{en}"
    );
    // Without the cap these posts score an alert: the reasons are all there.
    let (uncapped, _) = score(
        &angry_burst(0, 3),
        Sensitivity::Medium,
        &Thresholds {
            min_mentions_per_hour: 3,
            ..t
        },
    );
    assert!(uncapped >= t.alert, "{uncapped}");
}

#[test]
fn a_small_burst_reaches_alert_but_crisis_needs_twice_the_hourly_minimum() {
    let t = Thresholds::default();
    let mut s = LevelState::default();
    let change = s.step(&angry_burst(0, 7), Sensitivity::High, &t).unwrap();
    assert_eq!(change.to, Level::Alert, "{change:?}");
    assert_eq!(change.points, t.crisis - 1);
    assert!(change.reasons.contains(&Reason::FewMentions {
        mentions: 7,
        needed: 12,
        cap: Level::Alert
    }));
    // Twelve, the same way: a crisis, with nothing capped.
    let change = s
        .step(&angry_burst(300, 12), Sensitivity::High, &t)
        .unwrap();
    assert_eq!(change.to, Level::Crisis, "{change:?}");
    assert!(!change
        .reasons
        .iter()
        .any(|r| matches!(r, Reason::FewMentions { .. })));
    // A niche watch lowers its minimum, and seven posts are then a crisis.
    let niche = Thresholds {
        min_mentions_per_hour: 3,
        ..t
    };
    let mut s = LevelState::default();
    let change = s
        .step(&angry_burst(0, 7), Sensitivity::High, &niche)
        .unwrap();
    assert_eq!(change.to, Level::Crisis, "{change:?}");
}

#[test]
fn a_level_held_above_the_cap_is_not_said_to_be_limited() {
    let t = Thresholds::default();
    let mut s = LevelState::default();
    assert_eq!(
        s.step(&storm(0), Sensitivity::Medium, &t).map(|c| c.to),
        Some(Level::Crisis)
    );
    // A handful of angry posts while the crisis eases: the level is held (hysteresis), and
    // what is shown beside "crisis" does not say the level is limited to vigilance.
    let few = |r: &Reason| matches!(r, Reason::FewMentions { .. });
    let mut changes = Vec::new();
    for i in 1..=3 * i64::from(t.calm_down_buckets) {
        if let Some(c) = s.step(&angry_burst(i * 300, 3), Sensitivity::Medium, &t) {
            changes.push(c);
        }
        if s.level > Level::Watch {
            assert!(!s.last_reasons.iter().any(few), "{:?}", s.last_reasons);
        }
    }
    assert_eq!(
        changes.iter().map(|c| c.to).collect::<Vec<_>>(),
        [Level::Alert, Level::Watch]
    );
    assert!(!changes[0].reasons.iter().any(few), "{:?}", changes[0]);
    // Down at the cap, the reason is given again.
    assert!(changes[1].reasons.iter().any(few), "{:?}", changes[1]);
    assert!(s.last_reasons.iter().any(few));
}

#[test]
fn a_held_level_says_it_is_held_and_for_how_long() {
    let (t, mut s) = risen_in_a_storm();
    let rising = explain_level(&s, &t, 300, Lang::Fr, 0);
    assert_eq!(rising, explain(&s.last_reasons, Lang::Fr, 0));
    assert!(!rising.contains("maintenu"), "{rising}");
    // One calm bucket: still at crisis, held, two buckets (10 min) to go.
    s.step(&calm(300), Sensitivity::Medium, &t);
    assert_eq!((s.level, s.below_for), (Level::Crisis, 1));
    let fr = explain_level(&s, &t, 300, Lang::Fr, 0);
    assert!(
        fr.starts_with("Niveau maintenu : les signaux retombent, il baissera d'un cran après encore 10 min de calme ; derniers signaux relevés : "),
        "{fr}"
    );
    let en = explain_level(&s, &t, 300, Lang::En, 0);
    assert!(
        en.starts_with("Level held: signals are easing; it steps down after 10 more min of calm; last signals seen: "),
        "{en}"
    );
    s.step(&calm(600), Sensitivity::Medium, &t);
    assert!(explain_level(&s, &t, 300, Lang::En, 0).contains("after 5 more min"));
    // The third calm bucket lowers it one step; still easing, the next step is 15 min away.
    s.step(&calm(900), Sensitivity::Medium, &t);
    assert_eq!((s.level, s.below_for), (Level::Alert, 0));
    assert!(explain_level(&s, &t, 300, Lang::En, 0).contains("after 15 more min"));
    // The storm again: rising, not held.
    s.step(&storm(1200), Sensitivity::Medium, &t);
    assert!(!explain_level(&s, &t, 300, Lang::En, 0).contains("held"));
}

/// The same storm an hour on: as many angry posts, but the detectors have learnt them as
/// the new usual, so the ratios read ×1.
fn flat_storm(at: i64, mentions_1h: u32) -> Evidence {
    Evidence {
        at,
        volume: Some(obs(1.0, false)),
        negative: Some(obs(1.0, false)),
        mentions_1h,
        negative_1h: mentions_1h * 2 / 3,
        anger_1h: 12,
        last_30m: mentions_1h / 2,
        prev_30m: mentions_1h / 2,
        ..Default::default()
    }
}

#[test]
fn a_storm_that_goes_on_holds_its_level_and_says_so() {
    let (t, mut s) = risen_in_a_storm();
    assert_eq!((s.level, s.peak_1h), (Level::Crisis, 120));
    // Flat at its peak for two hours: fewer points than a crisis needs, but held.
    for i in 1..=24 {
        let e = flat_storm(i * 300, 110);
        assert!(score(&e, Sensitivity::Medium, &t).0 < t.crisis);
        assert_eq!(s.step(&e, Sensitivity::Medium, &t), None, "bucket {i}");
        assert!(s.sustained && s.below_for == 0);
    }
    let en = explain_level(&s, &t, 300, Lang::En, 0);
    assert!(en.starts_with("Level held: the storm goes on"), "{en}");
    assert!(!en.contains("easing"), "{en}");
    let fr = explain_level(&s, &t, 300, Lang::Fr, 0);
    assert!(
        fr.starts_with("Niveau maintenu : la vague continue"),
        "{fr}"
    );
    // It subsides (under three quarters of its peak): it eases, one step per calm streak.
    let mut changes = vec![];
    for i in 25..40 {
        if let Some(c) = s.step(&flat_storm(i * 300, 80), Sensitivity::Medium, &t) {
            changes.push(c.to);
        }
        assert!(!s.sustained);
    }
    assert_eq!(changes.first(), Some(&Level::Alert), "{changes:?}");
    // Mostly positive or neutral traffic at the peak's volume does not hold a level.
    let mut s = LevelState::default();
    s.step(&storm(0), Sensitivity::Medium, &t);
    let calm_but_busy = Evidence {
        negative_1h: 10,
        ..flat_storm(300, 120)
    };
    for i in 1..=3 {
        s.step(
            &Evidence {
                at: i * 300,
                ..calm_but_busy.clone()
            },
            Sensitivity::Medium,
            &t,
        );
    }
    assert_eq!(s.level, Level::Alert);
}
