"""Language identification with the langid.py model that ships inside the py3langid package.

Handles, links and hashtags say nothing about the language a customer writes in (and TWCS tweets often
start with several of them), so they are removed before the text is scored. Too little text, or a
low-confidence guess, gives None: an unknown language routes to the default team, a wrong one would
send the customer to a team that cannot read them.
"""

from __future__ import annotations

import re
import threading

from socialdesk.core.types import LanguageGuess

MIN_CONFIDENCE = 0.5
MIN_LETTERS = 3
_NOISE = re.compile(r"(?:https?://\S+|www\.\S+|[@#][\w.]+|\S+@\S+\.\w+)", re.UNICODE)


def clean_for_language(text: str) -> str:
    return " ".join(_NOISE.sub(" ", text).split())


class LanguageDetector:
    """Loads the model once (about a second) and is then safe to share between threads."""

    _lock = threading.Lock()

    def __init__(self) -> None:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        self._identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)

    def detect(self, text: str) -> LanguageGuess:
        cleaned = clean_for_language(text)
        if sum(ch.isalpha() for ch in cleaned) < MIN_LETTERS:
            return LanguageGuess(None, 0.0)
        code, confidence = self._identifier.classify(cleaned)
        confidence = float(confidence)
        if confidence < MIN_CONFIDENCE:
            return LanguageGuess(None, confidence)
        return LanguageGuess(str(code), confidence)


_detector: LanguageDetector | None = None


def default_detector() -> LanguageDetector:
    global _detector
    with LanguageDetector._lock:
        if _detector is None:
            _detector = LanguageDetector()
        return _detector
