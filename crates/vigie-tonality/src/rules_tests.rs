//! Table tests for the rules. Each case is built so that it fails when its rule is
//! removed (the comment says what the score would be without it).

use crate::{Analyzer, Label, Lang};

fn analyzer() -> &'static Analyzer {
    use std::sync::OnceLock;
    static A: OnceLock<Analyzer> = OnceLock::new();
    A.get_or_init(Analyzer::new)
}

fn label(text: &str, lang: Lang) -> Label {
    analyzer().analyze(text, lang).label
}

fn score(text: &str, lang: Lang) -> f32 {
    analyzer().analyze(text, lang).score
}

#[test]
fn french_labels() {
    use Label::*;
    let cases: &[(&str, Label, &str)] = &[
        // elision: without the split, "j'adore" / "n'aime" / "l'horreur" are unknown words
        ("J'adore", Positive, "elision j'"),
        (
            "Je n'aime pas ce produit",
            Negative,
            "elision n' + ne … pas",
        ),
        ("L'horreur", Negative, "elision l'"),
        ("Qu'il est beau", Positive, "elision qu'"),
        // ne … plus: "plus" negates only after "ne"
        ("Je ne les aime plus", Negative, "ne … plus"),
        ("Ils ne proposent rien de bon", Negative, "ne … rien"),
        (
            "Je n'ai jamais été déçu",
            Positive,
            "ne … jamais over two words",
        ),
        // spoken French drops "ne": "pas" after the verb
        ("J'aime pas ce produit", Negative, "post-verbal pas"),
        (
            "J'adore pas du tout",
            Negative,
            "post-verbal pas, 'du tout' neutral",
        ),
        // written French drops "pas" after pouvoir/savoir/oser
        (
            "Le gouvernement ne pourra respecter ses engagements",
            Negative,
            "bare ne",
        ),
        ("Un film sans intérêt", Negative, "sans"),
        (
            "Livraison sans problème",
            Positive,
            "sans reverses a negative word",
        ),
        // idioms: "terrible" negated alone would turn positive
        ("C'est pas terrible", Negative, "pas terrible"),
        (
            "Pas mal de monde ce matin au magasin",
            Neutral,
            "pas mal de = quantity",
        ),
        (
            "Il n'y a pas de souci",
            Positive,
            "ne … pas reverses a negative word",
        ),
        ("Le SAV, c'est n'importe quoi", Negative, "n'importe quoi"),
        // contrast: without weighting, nul (-2.3) and adore (+2.5) nearly cancel
        (
            "Le service est nul mais j'adore le produit",
            Positive,
            "mais",
        ),
        // elongation: "nuuuuul" is not in any lexicon
        ("nuuuuul", Negative, "elongation"),
        // hashtags and emoji
        ("#honte", Negative, "hashtag"),
        ("#ServiceClientNul", Negative, "camel-case hashtag split"),
        ("Bon ben voilà 😡", Negative, "emoji"),
        ("Reçu ce matin 👍", Positive, "emoji"),
        // accents dropped: only the accented forms are in the lexicons
        ("c'est degueulasse", Negative, "accent folding"),
        (
            "tres decevant",
            Negative,
            "accent folding of booster and word",
        ),
        // "against" words reverse what they fight
        ("La lutte contre la pollution avance", Positive, "against"),
        // neutral
        (
            "Le magasin ouvre à 9h sur la place",
            Neutral,
            "no sentiment",
        ),
    ];
    for (text, expected, rule) in cases {
        assert_eq!(label(text, Lang::Fr), *expected, "{rule}: {text:?}");
    }
}

#[test]
fn french_intensity_rules() {
    let fr = |t| score(t, Lang::Fr);
    // boosters and dampeners
    assert!(fr("C'est très bon") > fr("C'est bon"), "booster très");
    assert!(
        fr("C'est vraiment nul") < fr("C'est nul"),
        "booster on a negative word"
    );
    assert!(fr("C'est assez bon") < fr("C'est bon"), "dampener assez");
    // capitals, when the rest of the post is not shouted
    assert!(
        fr("Ce truc est NUL") < fr("Ce truc est nul"),
        "ALL CAPS word"
    );
    assert!(
        fr("CE TRUC EST NUL") < fr("Ce truc est nul"),
        "whole post shouted"
    );
    // exclamation marks
    assert!(fr("C'est nul !!!") < fr("C'est nul"), "!!!");
    // idioms stronger than their parts
    assert!(
        fr("C'est trop bien") > 0.5,
        "trop bien: booster + bien alone gives ~0.36"
    );
    assert!(
        fr("trooop bien") > 0.5,
        "elongated booster still matches the idiom"
    );
    assert!(
        fr("C'est pas mal") > 0.3,
        "pas mal: negated 'mal' alone gives ~0.28"
    );
    // negation flips and dampens (VADER's -0.74)
    assert!(fr("pas génial") < 0.0 && fr("pas génial") > -fr("génial"));
}

#[test]
fn english_rules() {
    use Label::*;
    let en = |t| label(t, Lang::En);
    assert_eq!(en("I don't like it"), Negative);
    assert_eq!(en("Not bad at all"), Positive);
    assert_eq!(
        en("It looks like rain tomorrow"),
        Neutral,
        "'like' as a preposition"
    );
    assert_eq!(en("I like it"), Positive, "'like' as a verb");
    assert_eq!(
        en("The food was great but the service was horrible"),
        Negative
    );
    assert_eq!(en("sooo goooood"), Positive, "elongation");
    assert_eq!(en("Fighting poverty together"), Positive, "against");
    assert!(score("This is GREAT", Lang::En) > score("This is great", Lang::En));
}

#[test]
fn anger_flag() {
    let angry = |t, lang| analyzer().analyze(t, lang).anger;
    assert!(angry("Quelle arnaque, je boycotte cette marque", Lang::Fr));
    assert!(angry("#honte à vous", Lang::Fr));
    assert!(angry("Livraison encore en retard 😡", Lang::Fr));
    assert!(angry("Service client 🤬", Lang::Fr));
    assert!(
        angry("VOUS ÊTES DES INCAPABLES, C'EST NUL", Lang::Fr),
        "shouted negative"
    );
    assert!(angry("Ce service est nul !!!", Lang::Fr), "!!! negative");
    assert!(angry("This is a scam", Lang::En));
    assert!(angry("What a disgrace", Lang::En));
    assert!(
        !angry("Ce n'est pas une arnaque, c'est top", Lang::Fr),
        "negated outrage word"
    );
    assert!(
        !angry("Ce service est nul", Lang::Fr),
        "negative is not anger"
    );
    assert!(!angry("J'adore 😍 !!!", Lang::Fr));
    assert!(
        !angry("GREAT NEWS FOR EVERYONE", Lang::En),
        "shouted positive"
    );
}

#[test]
fn score_is_bounded_and_empty_is_neutral() {
    for text in [
        "",
        "   ",
        "@user http://x.y",
        "!!!!!!",
        "😡😡😡😡😡😡😡😡😡😡😡😡",
    ] {
        let t = analyzer().analyze(text, Lang::Fr);
        assert!((-1.0..=1.0).contains(&t.score), "{text:?}");
    }
    assert_eq!(label("", Lang::En), Label::Neutral);
    let long = "génial ".repeat(500);
    assert!(score(&long, Lang::Fr) <= 1.0);
}

#[test]
fn denied_complaints_opposition_and_irony() {
    let fr = |t| score(t, Lang::Fr);
    // a negated negative word ends mildly positive (VADER's -0.74 gives ~0.28)
    let denied = fr("Ce n'est pas un problème");
    assert!(denied > 0.0 && denied < 0.15, "softened: {denied}");
    let denied_en = score("There is no disaster here", Lang::En);
    assert!(denied_en.abs() < 0.15, "softened in English: {denied_en}");
    // "non à …" is opposition (as a bare negator, "non" made it positive)
    assert_eq!(
        label("Non à la disparition des abeilles", Lang::Fr),
        Label::Negative
    );
    // idioms ("blague" alone gives ~-0.15; "étonnes" alone ~+0.5)
    assert!(fr("C'est une blague ?") < -0.3, "c'est une blague");
    assert_eq!(label("Tu m'étonnes", Lang::Fr), Label::Neutral);
    assert!(
        fr("Bonne nouvelle") > 0.5,
        "bonne nouvelle: 'bonne' alone ~0.38"
    );
    // a French wink is irony, not joy (it added +1 before)
    assert_eq!(fr("Bon courage ;-)"), fr("Bon courage"));
    assert_eq!(fr("Quelle réussite 😉"), fr("Quelle réussite"));
    assert!(score("Nice ;-)", Lang::En) > score("Nice", Lang::En));
}

#[test]
fn one_decision_rule_with_english_calibration() {
    use crate::Thresholds;
    assert_eq!(Thresholds::for_lang(Lang::Fr), Thresholds::DEFAULT);
    assert_eq!(Thresholds::for_lang(Lang::En), Thresholds::DEFAULT);
    let en = |t| label(t, Lang::En);
    // "fine" (VADER 0.8) alone would score ~0.2: everyday words stay neutral
    assert_eq!(en("The weather is fine"), Label::Neutral);
    assert_eq!(en("I love this place"), Label::Positive);
    assert_eq!(en("This is awful"), Label::Negative);
    // "why" questions are mostly complaints, in both languages
    assert_eq!(en("Why would they do that"), Label::Negative);
    assert_eq!(label("Pourquoi faire ça", Lang::Fr), Label::Negative);
}

#[test]
fn french_news_and_complaint_words() {
    use Label::*;
    let cases: &[(&str, Label)] = &[
        ("Inauguration du nouveau pont ce matin", Positive),
        ("Les habitants applaudissent la décision", Positive),
        ("Encore un retard sur la ligne 13", Negative),
        ("Quelle galère ce matin", Negative),
        ("Quel gâchis", Negative),
        ("Le géant du web publie ses chiffres", Neutral),
    ];
    for (text, expected) in cases {
        assert_eq!(label(text, Lang::Fr), *expected, "{text:?}");
    }
}

#[test]
fn brand_crisis_vocabulary_is_bad_news() {
    assert_eq!(
        label(
            "Rappel de yaourts Danone : l'usine de Rouen à l'arrêt",
            Lang::Fr
        ),
        Label::Negative
    );
    assert_eq!(
        label("Panne géante chez l'opérateur ce matin", Lang::Fr),
        Label::Negative
    );
    assert_eq!(
        label("Acme recalls its kettles after complaints", Lang::En),
        Label::Negative
    );
    assert_eq!(
        label("Major outage hits customers across the city", Lang::En),
        Label::Negative
    );
}
