//! Function words that drive the rules, per language: negators, boosters and
//! dampeners, contrast words, and idioms. All keys are lowercase and accent-folded.
//!
//! The English lists follow VADER 3.3.2 (MIT, C.J. Hutto); the French ones are ours.

use crate::lexicon::FxMap;
use crate::Lang;

/// VADER's empirically derived booster increment.
pub(crate) const B_INCR: f32 = 0.293;
pub(crate) const B_DECR: f32 = -0.293;

/// The part a function word plays.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Role {
    /// Negates the following words ("pas", "jamais", "not", "never").
    Negator,
    /// French "ne"/"n'": negates up to its complement ("pas", "plus", "rien"…).
    Ne,
    /// Completes "ne" ("plus", "personne"), a negator only after "ne".
    NeComplement,
    /// Scales the next sentiment word: positive boosts, negative dampens.
    Booster(f32),
    /// "mais", "but": what follows weighs more than what precedes.
    Contrast,
    /// Acting against what follows: "lutte contre la pollution", "anti-gaspillage",
    /// "fight poverty" are positive. Reverses the negative words in its scope.
    Against,
}

/// English words before which "like" is the verb, not the preposition ("feels like").
pub(crate) const EN_LIKE_SUBJECTS: &[&str] = &[
    "i",
    "we",
    "you",
    "they",
    "really",
    "would",
    "d",
    "don't",
    "dont",
    "didn't",
    "didnt",
    "do",
    "does",
    "to",
    "totally",
    "definitely",
    "i'd",
    "we'd",
    "you'd",
    "they'd",
    "just",
    "also",
    "still",
    "kinda",
];

/// French negators that also negate the word *before* them when "ne" is dropped:
/// "j'adore pas", "il aime jamais".
/// Winks that carry no valence in French posts (irony: "quelle réussite ;-)").
pub(crate) const FR_IRONY_WINKS: &[&str] = &[";)", ";-)", ";d", ";p", "😉"];

pub(crate) const FR_POST_VERBAL: &[&str] = &["pas", "jamais", "point"];

const FR_NEGATORS: &[&str] = &[
    "pas",
    "jamais",
    "rien",
    "aucun",
    "aucune",
    "aucunement",
    "nullement",
    "guere",
    "point",
    "sans",
    "ni",
    "non",
];
/// Verbs that negate with a bare "ne" in written French: "il ne pourra respecter",
/// "je ne sais quoi faire", "elle n'ose répondre" (prefixes of their forms).
pub(crate) const FR_BARE_NE_VERBS: &[&str] =
    &["peu", "pourr", "puis", "sai", "sau", "sav", "os", "cess"];

const FR_NE_COMPLEMENTS: &[&str] = &["plus", "personne", "nulle"];

const FR_BOOSTERS: &[(&str, f32)] = &[
    ("absolument", B_INCR),
    ("archi", B_INCR),
    ("beaucoup", B_INCR),
    ("carrement", B_INCR),
    ("completement", B_INCR),
    ("considerablement", B_INCR),
    ("extremement", B_INCR),
    ("grave", B_INCR),
    ("grandement", B_INCR),
    ("hyper", B_INCR),
    ("incroyablement", B_INCR),
    ("infiniment", B_INCR),
    ("particulierement", B_INCR),
    ("profondement", B_INCR),
    ("sacrement", B_INCR),
    ("si", B_INCR),
    ("super", B_INCR),
    ("tellement", B_INCR),
    ("terriblement", B_INCR),
    ("totalement", B_INCR),
    ("tres", B_INCR),
    ("trop", B_INCR),
    ("ultra", B_INCR),
    ("vachement", B_INCR),
    ("vraiment", B_INCR),
    ("enormement", B_INCR),
    ("franchement", B_INCR),
    ("bien", B_INCR),
    ("assez", B_DECR),
    ("legerement", B_DECR),
    ("moins", B_DECR),
    ("peu", B_DECR),
    ("plutot", B_DECR),
    ("presque", B_DECR),
    ("quasi", B_DECR),
    ("quasiment", B_DECR),
    ("rarement", B_DECR),
    ("relativement", B_DECR),
    ("moyennement", B_DECR),
];

const FR_AGAINST: &[&str] = &[
    "anti",
    "lutte",
    "luttes",
    "lutter",
    "luttent",
    "combattre",
    "combat",
    "combats",
    "reduire",
    "reduction",
    "reduit",
    "eviter",
    "evite",
    "prevenir",
    "prevention",
    "limiter",
    "eradiquer",
    "vaincre",
    "guerir",
];

const EN_AGAINST: &[&str] = &[
    "against",
    "anti",
    "fight",
    "fights",
    "fighting",
    "combat",
    "combating",
    "reduce",
    "reduces",
    "reducing",
    "prevent",
    "prevents",
    "preventing",
    "prevention",
    "cure",
    "curing",
    "tackle",
    "tackling",
    "eradicate",
];

const EN_NEGATORS: &[&str] = &[
    "aint",
    "arent",
    "cannot",
    "cant",
    "couldnt",
    "darent",
    "didnt",
    "doesnt",
    "ain't",
    "aren't",
    "can't",
    "couldn't",
    "daren't",
    "didn't",
    "doesn't",
    "dont",
    "hadnt",
    "hasnt",
    "havent",
    "isnt",
    "mightnt",
    "mustnt",
    "neither",
    "don't",
    "hadn't",
    "hasn't",
    "haven't",
    "isn't",
    "mightn't",
    "mustn't",
    "neednt",
    "needn't",
    "never",
    "none",
    "nope",
    "nor",
    "not",
    "nothing",
    "nowhere",
    "oughtnt",
    "shant",
    "shouldnt",
    "uhuh",
    "wasnt",
    "werent",
    "oughtn't",
    "shan't",
    "shouldn't",
    "uh-uh",
    "wasn't",
    "weren't",
    "without",
    "wont",
    "wouldnt",
    "won't",
    "wouldn't",
    "rarely",
    "seldom",
    "despite",
    "no",
    "cant",
    "wont",
];

const EN_BOOSTERS: &[(&str, f32)] = &[
    ("absolutely", B_INCR),
    ("amazingly", B_INCR),
    ("awfully", B_INCR),
    ("completely", B_INCR),
    ("considerable", B_INCR),
    ("considerably", B_INCR),
    ("decidedly", B_INCR),
    ("deeply", B_INCR),
    ("effing", B_INCR),
    ("enormous", B_INCR),
    ("enormously", B_INCR),
    ("entirely", B_INCR),
    ("especially", B_INCR),
    ("exceptional", B_INCR),
    ("exceptionally", B_INCR),
    ("extreme", B_INCR),
    ("extremely", B_INCR),
    ("fabulously", B_INCR),
    ("flipping", B_INCR),
    ("flippin", B_INCR),
    ("fricking", B_INCR),
    ("frickin", B_INCR),
    ("frigging", B_INCR),
    ("friggin", B_INCR),
    ("fully", B_INCR),
    ("fuckin", B_INCR),
    ("fucking", B_INCR),
    ("greatly", B_INCR),
    ("hella", B_INCR),
    ("highly", B_INCR),
    ("hugely", B_INCR),
    ("incredible", B_INCR),
    ("incredibly", B_INCR),
    ("intensely", B_INCR),
    ("major", B_INCR),
    ("majorly", B_INCR),
    ("more", B_INCR),
    ("most", B_INCR),
    ("particularly", B_INCR),
    ("purely", B_INCR),
    ("quite", B_INCR),
    ("really", B_INCR),
    ("remarkably", B_INCR),
    ("so", B_INCR),
    ("substantially", B_INCR),
    ("thoroughly", B_INCR),
    ("total", B_INCR),
    ("totally", B_INCR),
    ("tremendous", B_INCR),
    ("tremendously", B_INCR),
    ("uber", B_INCR),
    ("unbelievably", B_INCR),
    ("unusually", B_INCR),
    ("utter", B_INCR),
    ("utterly", B_INCR),
    ("very", B_INCR),
    ("pretty", B_INCR),
    ("almost", B_DECR),
    ("barely", B_DECR),
    ("hardly", B_DECR),
    ("kinda", B_DECR),
    ("kindof", B_DECR),
    ("less", B_DECR),
    ("little", B_DECR),
    ("marginal", B_DECR),
    ("marginally", B_DECR),
    ("occasional", B_DECR),
    ("occasionally", B_DECR),
    ("partly", B_DECR),
    ("scarce", B_DECR),
    ("scarcely", B_DECR),
    ("slight", B_DECR),
    ("slightly", B_DECR),
    ("somewhat", B_DECR),
    ("sorta", B_DECR),
    ("sortof", B_DECR),
];

/// Multi-word expressions whose tonality is not the sum of their words. A valence of
/// 0 neutralises the words ("pas mal de monde" is a quantity, not praise).
const FR_IDIOMS: &[(&str, f32)] = &[
    ("pas mal de", 0.0),
    ("pas mal d'", 0.0),
    ("pas mal", 1.6),
    ("pas terrible", -1.6),
    ("pas top", -1.6),
    ("pas ouf", -1.4),
    ("pas fou", -1.2),
    ("pas genial", -1.6),
    ("pas de souci", 0.8),
    ("pas de soucis", 0.8),
    ("pas de probleme", 0.8),
    ("sans souci", 0.8),
    ("sans probleme", 0.8),
    ("trop bien", 2.8),
    ("trop bon", 2.8),
    ("trop beau", 2.8),
    ("trop fort", 2.5),
    ("trop cool", 2.8),
    ("trop mignon", 2.8),
    ("trop drole", 2.5),
    ("trop cher", -1.8),
    ("mort de rire", 2.0),
    ("n'importe quoi", -1.8),
    ("ne importe quoi", -1.8),
    ("ras le bol", -2.6),
    ("foutage de gueule", -3.0),
    ("a chier", -3.0),
    ("de merde", -2.8),
    ("la honte", -2.6),
    ("c'est de la balle", 2.5),
    ("tant mieux", 1.5),
    ("tant pis", -0.8),
    ("bien sur", 0.0),
    ("coup de coeur", 2.6),
    ("coup de gueule", -2.2),
    ("au top", 2.2),
    ("au taquet", 1.6),
    ("fais plaisir", 2.0),
    ("fait plaisir", 2.0),
    ("du tout", 0.0),
    ("aucune honte", -2.4),
    ("sans honte", -2.0),
    ("sans scrupule", -2.2),
    ("sans scrupules", -2.2),
    // "non à la réforme": opposition, not a negated noun.
    ("non a", -1.5),
    ("non au", -1.5),
    ("non aux", -1.5),
    ("c'est une blague", -2.0),
    ("tu m'etonnes", 0.0),
    ("mais bon", 0.0),
    ("feu vert", 1.5),
    ("bonne nouvelle", 2.5),
    ("bonnes nouvelles", 2.5),
    ("mauvaise nouvelle", -2.2),
];

const EN_IDIOMS: &[(&str, f32)] = &[
    ("the shit", 3.0),
    ("the bomb", 3.0),
    ("bad ass", 1.5),
    ("badass", 1.5),
    ("yeah right", -2.0),
    ("kiss of death", -1.5),
    ("to die for", 3.0),
    ("cut the mustard", 2.0),
    ("hand to mouth", -2.0),
    ("back handed", -2.0),
    ("blow smoke", -2.0),
    ("blowing smoke", -2.0),
    ("upper hand", 1.0),
    ("break a leg", 2.0),
    ("cooking with gas", 2.0),
    ("in the black", 2.0),
    ("in the red", -2.0),
    ("on the ball", 2.0),
    ("under the weather", -2.0),
    ("no problem", 0.8),
    ("no worries", 0.8),
    ("rip off", -2.5),
    ("never again", -2.2),
    ("not bad", 1.5),
    ("can't wait", 2.0),
    ("cant wait", 2.0),
    ("cannot wait", 2.0),
    ("kind of", 0.0),
    ("sort of", 0.0),
];

/// An idiom: its words and valence.
#[derive(Debug)]
pub(crate) struct Idiom {
    pub words: Vec<String>,
    pub valence: f32,
}

/// The function words and idioms of one language, ready for lookups.
#[derive(Debug)]
pub(crate) struct LangWords {
    pub roles: FxMap<&'static str, Role>,
    /// Idioms indexed by their first word, longest first.
    pub idioms: FxMap<String, Vec<Idiom>>,
}

impl LangWords {
    pub(crate) fn new(lang: Lang) -> Self {
        let mut roles = FxMap::default();
        let (negators, complements, boosters, contrast, against, idioms): (
            _,
            &[&str],
            _,
            &[&str],
            _,
            _,
        ) = match lang {
            Lang::Fr => (
                FR_NEGATORS,
                FR_NE_COMPLEMENTS,
                FR_BOOSTERS,
                &["mais", "cependant", "pourtant", "toutefois"][..],
                FR_AGAINST,
                FR_IDIOMS,
            ),
            Lang::En => (
                EN_NEGATORS,
                &[],
                EN_BOOSTERS,
                &["but", "however"][..],
                EN_AGAINST,
                EN_IDIOMS,
            ),
        };
        for w in against {
            roles.insert(*w, Role::Against);
        }
        for (w, b) in boosters {
            roles.insert(*w, Role::Booster(*b));
        }
        for w in negators {
            roles.insert(*w, Role::Negator);
        }
        for w in complements {
            roles.insert(*w, Role::NeComplement);
        }
        for w in contrast {
            roles.insert(*w, Role::Contrast);
        }
        if lang == Lang::Fr {
            roles.insert("ne", Role::Ne);
        }
        let mut map: FxMap<String, Vec<Idiom>> = FxMap::default();
        for (phrase, valence) in idioms {
            // "n'importe" is tokenized as "ne" + "importe"; "d'" stays "d'".
            let words: Vec<String> = phrase
                .split(' ')
                .flat_map(|w| match w.split_once('\'').filter(|_| lang == Lang::Fr) {
                    Some(("n", rest)) => vec!["ne".to_string(), rest.to_string()],
                    Some((pre, rest)) if !rest.is_empty() => {
                        vec![format!("{pre}'"), rest.to_string()]
                    }
                    _ => vec![w.to_string()],
                })
                .collect();
            map.entry(words[0].clone()).or_default().push(Idiom {
                words,
                valence: *valence,
            });
        }
        for list in map.values_mut() {
            list.sort_by_key(|idiom| std::cmp::Reverse(idiom.words.len()));
        }
        LangWords { roles, idioms: map }
    }

    pub(crate) fn role(&self, key: &str) -> Option<Role> {
        self.roles.get(key).copied()
    }
}
