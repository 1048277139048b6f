//! Language detection (whatlang, offline trigram models).

use crate::Lang;
use std::sync::LazyLock;
use whatlang::Lang as W;

/// The languages a French or English brand mostly meets. Comparing a post with these few
/// profiles instead of all of whatlang's makes detection several times cheaper; a post in
/// another language still comes out as "not French or English" (the point of the call).
static COMMON: LazyLock<whatlang::Detector> = LazyLock::new(|| {
    whatlang::Detector::with_allowlist(vec![
        W::Fra,
        W::Eng,
        W::Spa,
        W::Deu,
        W::Ita,
        W::Por,
        W::Nld,
        W::Pol,
        W::Tur,
        W::Ron,
        W::Swe,
        W::Ara,
        W::Rus,
        W::Cmn,
        W::Jpn,
    ])
});

/// Detects French or English; `None` for any other language or an empty text.
///
/// Most mentions settle on their function words (`des`, `est`, `pour` against `the`, `and`,
/// `with`): when one language has at least [`DECISIVE`] of them, four times more than the
/// other, and the text has none of the words that mark a neighbouring language, that is the
/// answer, at a fraction of the cost of trigram models. Anything less clear goes to whatlang. Mentions, links and hashtag signs are ignored so that
/// "@user http://…" noise does not sway the guess.
///
/// A short post rarely gives the trigram models enough to go on ("brightwave nous a menti"
/// came out English): when whatlang hesitates between French and English (its guess is one
/// of them and it says the guess is unreliable) and the post's function words lean one way
/// only (`nous` and nothing English), the lean wins. A guess of another language stands:
/// `des`, `bien` or `et` are words in German, Spanish or Turkish too.
pub fn detect_language(text: &str) -> Option<Lang> {
    let words = FunctionWords::count(text);
    if let Some(lang) = words.decide() {
        return Some(lang);
    }
    let info = COMMON.detect(&clean(text))?;
    let guess = match info.lang() {
        W::Fra => Lang::Fr,
        W::Eng => Lang::En,
        _ => return None,
    };
    if !info.is_reliable() {
        if let Some(lang) = words.lean() {
            return Some(lang);
        }
    }
    Some(guess)
}

/// Chooses between French and English only (for bench rows, which fall back to English).
pub(crate) struct FrEnDetector(whatlang::Detector);

impl FrEnDetector {
    pub(crate) fn new() -> Self {
        FrEnDetector(whatlang::Detector::with_allowlist(vec![W::Fra, W::Eng]))
    }

    /// French or English, whichever fits better; `None` when nothing is detectable.
    pub(crate) fn detect(&self, text: &str) -> Option<Lang> {
        match self.0.detect_lang(&clean(text))? {
            W::Fra => Some(Lang::Fr),
            _ => Some(Lang::En),
        }
    }
}

/// Function words needed before [`by_function_words`] decides.
const DECISIVE: u32 = 3;

/// French or English from function words alone, `None` when the words do not settle it.
///
/// Strong words are common in one language and rare as words elsewhere (`des`, `pour`, `avec`;
/// `the`, `with`, `that`). Weak words are as common but shared with a neighbour (`le`, `je`,
/// `du`, `l'` also live in Italian, Dutch, German or Catalan; `is`, `to`, `of`, `was` in Dutch,
/// Polish, German, Tagalog): they add to the count only next to a strong word. A single marker
/// word of Spanish, Italian, Portuguese, Romanian, Catalan, German, Dutch, Polish or Tagalog
/// sends the text to the trigram models.
#[cfg(test)]
fn by_function_words(text: &str) -> Option<Lang> {
    FunctionWords::count(text).decide()
}

/// The detector as it was before short texts leant on their function words (tests compare).
#[cfg(test)]
fn detect_without_lean(text: &str) -> Option<Lang> {
    by_function_words(text).or_else(|| match COMMON.detect_lang(&clean(text))? {
        W::Fra => Some(Lang::Fr),
        W::Eng => Some(Lang::En),
        _ => None,
    })
}

/// A text's French and English function words (listed in [`FunctionWords::count`]), or the
/// sign of another language.
#[derive(Debug, Default)]
struct FunctionWords {
    fr: u32,
    fr_weak: u32,
    en: u32,
    en_weak: u32,
    /// A marker word of a neighbouring language was seen.
    other: bool,
}

impl FunctionWords {
    fn count(text: &str) -> FunctionWords {
        let mut w = FunctionWords::default();
        for chunk in text.split_whitespace() {
            if is_noise(chunk) {
                continue;
            }
            for word in chunk.split(|c: char| !c.is_alphanumeric()) {
                // Every word below is ASCII and at most 6 bytes; lower-case it on the stack.
                if word.is_empty() || word.len() > 6 || !word.is_ascii() {
                    continue;
                }
                let mut buf = [0u8; 6];
                let lower = &mut buf[..word.len()];
                lower.copy_from_slice(word.as_bytes());
                lower.make_ascii_lowercase();
                match &*lower {
                    b"des" | b"est" | b"et" | b"une" | b"pour" | b"pas" | b"dans" | b"avec"
                    | b"sont" | b"nous" | b"vous" | b"cette" | b"aux" | b"ont" | b"ils"
                    | b"sur" | b"tout" | b"leur" | b"votre" | b"qui" | b"fait" | b"bien" => {
                        w.fr += 1
                    }
                    b"le" | b"les" | b"je" | b"du" | b"ce" | b"mais" | b"ou" | b"au" | b"mon"
                    | b"c" | b"l" | b"d" | b"n" | b"j" | b"qu" | b"on" | b"ne" => w.fr_weak += 1,
                    b"the" | b"and" | b"that" | b"with" | b"are" | b"this" | b"have" | b"from"
                    | b"you" | b"they" | b"your" | b"what" | b"about" | b"would" | b"there" => {
                        w.en += 1
                    }
                    b"is" | b"was" | b"to" | b"at" | b"by" | b"has" | b"of" | b"it" | b"its"
                    | b"be" | b"for" | b"not" | b"but" | b"my" | b"just" | b"will" | b"so" => {
                        w.en_weak += 1
                    }
                    b"el" | b"los" | b"las" | b"por" | b"para" | b"una" | b"del" | b"pero"
                    | b"muy" | b"della" | b"che" | b"sono" | b"gli" | b"uma" | b"nao" | b"voce"
                    | b"der" | b"die" | b"und" | b"das" | b"ist" | b"nicht" | b"ich" | b"auf"
                    | b"ein" | b"eine" | b"het" | b"een" | b"niet" | b"zijn" | b"ik" | b"maar"
                    | b"nu" | b"sunt" | b"si" | b"este" | b"care" | b"amb" | b"els" | b"aquest"
                    | b"nie" | b"jest" | b"jak" | b"ang" | b"ng" | b"mga" => {
                        return FunctionWords {
                            other: true,
                            ..FunctionWords::default()
                        }
                    }
                    _ => {}
                }
            }
        }
        w
    }

    /// The language when its function words settle it ([`DECISIVE`] of them, four times the
    /// other's).
    fn decide(&self) -> Option<Lang> {
        if self.other {
            return None;
        }
        let (fr, en) = (self.fr + self.fr_weak, self.en + self.en_weak);
        let fr_all = if self.fr > 0 { fr } else { 0 };
        let en_all = if self.en > 0 { en } else { 0 };
        if fr_all >= DECISIVE && fr_all >= 4 * en {
            Some(Lang::Fr)
        } else if en_all >= DECISIVE && en_all >= 4 * fr {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The language a few function words point to: at least one strong word of it and none
    /// of the other's, strong or weak. For short texts the trigram models cannot judge.
    fn lean(&self) -> Option<Lang> {
        if self.other {
            None
        } else if self.fr > 0 && self.en + self.en_weak == 0 {
            Some(Lang::Fr)
        } else if self.en > 0 && self.fr + self.fr_weak == 0 {
            Some(Lang::En)
        } else {
            None
        }
    }
}

/// Handles and links: not the author's language.
fn is_noise(word: &str) -> bool {
    word.starts_with('@') || word.starts_with("http") || word.starts_with("www.")
}

fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for w in text.split_whitespace() {
        if is_noise(w) {
            continue;
        }
        out.push_str(w.trim_start_matches('#'));
        out.push(' ');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_french_english_and_other() {
        assert_eq!(
            detect_language("Je ne comprends pas pourquoi le service client ne répond jamais"),
            Some(Lang::Fr)
        );
        assert_eq!(
            detect_language("I really do not understand why customer service never answers"),
            Some(Lang::En)
        );
        assert_eq!(
            detect_language("Ich verstehe nicht, warum der Kundendienst nie antwortet"),
            None
        );
        assert_eq!(detect_language(""), None);
        for (text, lang) in [
            ("Le rappel des produits est une décision de l'entreprise pour les clients", Some(Lang::Fr)),
            ("The recall of the products is a decision that the company made for its customers", Some(Lang::En)),
            ("La empresa anunció el retiro de los productos para proteger a las familias", None),
            ("L'azienda ha annunciato il richiamo dei prodotti per proteggere le famiglie che sono", None),
            ("A empresa anunciou o recolhimento dos produtos para proteger as famílias com uma nota", None),
            ("Das Unternehmen hat den Rückruf der Produkte angekündigt, um die Familien zu schützen", None),
            ("Het bedrijf heeft de terugroeping van de producten aangekondigd om de gezinnen te beschermen", None),
        ] {
            assert_eq!(detect_language(text), lang, "{text}");
        }
        // What the function words alone must not decide (a review's counter-examples): links
        // and handles, and short words other languages share with French or English.
        for text in [
            "Scandale chez Lactalis https://www.theguardian.com/world/the-recall-of-the-baby-milk-is-over-and-done",
            "@the_verge @and_this @for_you rappel",
            "Ma c'è l'Italia e l'Europa, l'ho detto",
            "Ce au spus? Nu l-am văzut, au plecat deja",
            "Les notícies d'avui: l'ajuntament tanca el parc",
            "Mais um dia, mais ou menos igual",
            "Du bist toll, weißt du? Hast du Zeit?",
            "Je bent je sleutels kwijt, je moet terug",
            "Dit is mijn telefoon, hij is stuk en was duur",
            "To nie to samo, to jasne",
            "Kumain at uminom at natulog at umalis",
        ] {
            assert_eq!(by_function_words(text), None, "{text}");
        }
        // Too short for the trigram models (whatlang said English); the function words lean.
        assert_eq!(detect_language("brightwave nous a menti"), Some(Lang::Fr));
        assert_eq!(
            detect_language("Brightwave, vous êtes nuls"),
            Some(Lang::Fr)
        );
        assert_eq!(detect_language("brightwave lied to you"), Some(Lang::En));
        // Short posts in other languages with a word French or English also uses: the lean
        // never turns them French or English where whatlang did not say so (a review's list).
        let before = detect_without_lean;
        for text in [
            "Rücktritt des Chefs",
            "Todo bien",
            "Eccomi qui",
            "takip et",
            "El are dreptate",
            "Jeg har et hus",
            "The North Face ist teuer geworden",
        ] {
            let now = detect_language(text);
            assert!(
                now.is_none() || now == before(text),
                "{text}: {now:?}, before {:?}",
                before(text)
            );
        }
        assert!(FrEnDetector::new()
            .detect("Ich verstehe nicht, warum der Kundendienst nie antwortet")
            .is_some());
    }
}

/// The function-word shortcut against the trigram models, on the labelled tweet sets in
/// `../shared/bench/tonality` (read from there, never copied; the test says so and passes
/// when they are absent, e.g. on a machine without `../shared`).
#[cfg(test)]
mod shared_sets {
    use super::*;
    use std::path::PathBuf;

    /// A labelled set's texts, or none (said on stderr) when `../shared` is not there.
    fn labelled(set: &str) -> Option<String> {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/bench/tonality");
        let rows = std::fs::read_to_string(dir.join(format!("{set}.tsv")));
        if rows.is_err() {
            eprintln!("{set}: not found in {}, skipped", dir.display());
        }
        rows.ok()
    }

    /// The text column of a set's rows (header skipped).
    fn texts(rows: &str) -> Vec<&str> {
        rows.lines()
            .skip(1)
            .filter_map(|l| l.split_once('\t').map(|(_, t)| t))
            .collect()
    }

    /// Whole-detector accuracy per labelled set: (right, wrong, undecided) for `detect`.
    fn tally(texts: &[&str], lang: Lang, detect: impl Fn(&str) -> Option<Lang>) -> [usize; 3] {
        let mut t = [0; 3];
        for text in texts {
            match detect(text) {
                Some(l) if l == lang => t[0] += 1,
                Some(_) => t[1] += 1,
                None => t[2] += 1,
            }
        }
        t
    }

    #[test]
    fn short_texts_lean_on_their_function_words_only_where_it_helps() {
        for (set, lang) in [
            ("umsab-fr-val", Lang::Fr),
            ("umsab-fr-train", Lang::Fr),
            ("umsab-en-val", Lang::En),
            ("umsab-en-train", Lang::En),
            ("tweeteval-en-val", Lang::En),
        ] {
            let Some(rows) = labelled(set) else { continue };
            let texts = texts(&rows);
            let old = tally(&texts, lang, detect_without_lean);
            let new = tally(&texts, lang, detect_language);
            eprintln!("{set}: right/wrong/undecided before {old:?}, now {new:?}");
            assert!(new[0] >= old[0], "{set}: fewer right: {old:?} -> {new:?}");
            assert!(new[1] <= old[1], "{set}: more wrong: {old:?} -> {new:?}");
        }
    }

    #[test]
    fn function_words_agree_with_the_language_of_the_labelled_sets() {
        let mut checked = 0;
        for (set, lang) in [
            ("umsab-fr-val", Lang::Fr),
            ("umsab-fr-train", Lang::Fr),
            ("umsab-en-val", Lang::En),
            ("tweeteval-en-val", Lang::En),
        ] {
            let Some(rows) = labelled(set) else { continue };
            let texts = texts(&rows);
            let (mut decided, mut right, mut models_right) = (0, 0, 0);
            for t in &texts {
                if let Some(l) = by_function_words(t) {
                    decided += 1;
                    right += usize::from(l == lang);
                    models_right += usize::from(
                        COMMON
                            .detect_lang(&clean(t))
                            .map(|w| w == if lang == Lang::Fr { W::Fra } else { W::Eng })
                            == Some(true),
                    );
                }
            }
            let share = decided as f64 / texts.len() as f64;
            let acc = right as f64 / decided.max(1) as f64;
            let models = models_right as f64 / decided.max(1) as f64;
            eprintln!("{set}: function words decide {decided}/{} ({:.1} %), right {:.2} %, trigram models on the same rows {:.2} %", texts.len(), 100.0 * share, 100.0 * acc, 100.0 * models);
            assert!(
                acc >= 0.995,
                "{set}: function words right on {:.2} % only",
                100.0 * acc
            );
            assert!(
                acc >= models,
                "{set}: function words less accurate than the models"
            );
            assert!(
                share >= 0.3,
                "{set}: the shortcut decides too rarely to matter"
            );
            checked += 1;
        }
        eprintln!("{checked} labelled sets checked");
    }
}
