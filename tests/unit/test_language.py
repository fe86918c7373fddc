"""Language identification on real-world style posts (the shipped langid.py model)."""

from __future__ import annotations

import pytest

from socialdesk.triage.language import clean_for_language, default_detector


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
    ],
)
def test_languages_of_customer_posts(text: str, code: str) -> None:
    assert default_detector().detect(text).code == code


def test_handles_links_and_hashtags_are_not_language() -> None:
    assert clean_for_language("@AmazonHelp @115712 look https://t.co/x1 #fail ok") == "look ok"


@pytest.mark.parametrize("text", ["@AmazonHelp 👍", "@SkylarkAir ??", "https://t.co/abc", "ok"])
def test_too_little_text_gives_no_language_rather_than_a_guess(text: str) -> None:
    guess = default_detector().detect(text)
    assert guess.code is None
