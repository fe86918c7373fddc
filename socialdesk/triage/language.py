"""Language identification with the langid.py model that ships inside the py3langid package.

Handles, links and hashtags say nothing about the language a customer writes in (and TWCS tweets often
start with several of them), so they are removed before the text is scored. Text with fewer than three
letters, or a short text the model is unsure about, gives None (the network's own label, when it sent
one, is used instead).

The model knows 97 languages, many of them rare in customer service and close to common ones (it
reads English slang as Tagalog or Maltese, Indonesian as Javanese). Scores are therefore compared only
among the languages below: those of the EU, of the larger markets of the Americas, Asia and Africa, and
of the web's largest communities. A workspace that serves another language extends the list.
"""

from __future__ import annotations

import re
import threading

from socialdesk.core.types import LanguageGuess
from socialdesk.triage.features import normalise

MIN_LETTERS = 3
SHORT_TEXT_LETTERS = 12  # below this many letters a weak guess is no answer
SHORT_TEXT_CONFIDENCE = 0.2
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
_NOISE = re.compile(r"(?:https?://\S+|www\.\S+|[@#][\w.]+|\S+@\S+\.\w+)", re.UNICODE)


def clean_for_language(text: str) -> str:
    if "\\u" in text or "&" in text:
        text = normalise(text)
    return " ".join(_NOISE.sub(" ", text).split())


class LanguageDetector:
    """Loads the model once (about a second) and is then safe to share between threads."""

    _lock = threading.Lock()

    def __init__(self) -> None:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        self._identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        self._identifier.set_languages(list(SUPPORTED))

    def detect(self, text: str) -> LanguageGuess:
        cleaned = clean_for_language(text)
        if sum(ch.isalpha() for ch in cleaned) < MIN_LETTERS:
            return LanguageGuess(None, 0.0)
        code, confidence = self._identifier.classify(cleaned)
        if confidence < SHORT_TEXT_CONFIDENCE and sum(ch.isalpha() for ch in cleaned) < SHORT_TEXT_LETTERS:
            return LanguageGuess(None, float(confidence))  # "lol", "ok!!": a guess, not a language
        return LanguageGuess(str(code), float(confidence))


_detector: LanguageDetector | None = None


def default_detector() -> LanguageDetector:
    global _detector
    with LanguageDetector._lock:
        if _detector is None:
            _detector = LanguageDetector()
        return _detector
