"""The country a post is at home in, from the brand it addresses or words only one country uses.

"@Morrisons Perth." is Perth in Scotland and "trains at Lancaster" to a British rail account are in
Lancashire: a post to a company that serves one country is about that country's namesake, not the most
populous one. So is a post with "£", "Tory" or "NHS" in it. This is only a tie-break: a qualifier
("Perth, WA") or a country the post names comes first, and airlines are not listed (they fly abroad).
"""

from __future__ import annotations

import re

from socialdesk.triage.places.vocabulary import word_set

# Customer-service handles of companies that serve one country (lower case, without "@").
_HANDLES = {
    "GB": """tesco morrisons sainsburys asda marksandspencer argoshelpers aldiuk lidlgb waitrose
    boots_uk virgintrains nationalrailenq gwrhelp sw_help londonmidland tfl southernrailuk
    northernassist lner tpexpresstrains greateranglia scotrail tsb o2 ee bt_uk btcare skyhelpteam
    virginmedia threeuk vodafoneuk royalmail currys_pcworld johnlewis""",
    "US": """comcastcares verizonsupport tmobilehelp sprintcare ask_spectrum coxhelp centurylinkhelp
    asktarget walmart ask_wellsfargo bofa_help chasesupport uspsHelp upshelp att atthelp
    uscellularcares dunkindonuts askpanera""",
    "IN": "airtel_care idea_cares jio_care vodafonein",
    "NG": "glocare mtnng",
    "KE": "safaricom_care",
}
BRAND_HOMES: dict[str, str] = {
    handle.lower(): country for country, handles in _HANDLES.items() for handle in handles.split()
}
# Words that only one country's posts use.
_WORD_HOMES = {"GB": word_set("tory tories nhs postcode quid brexit £")}
WORD_HOMES: dict[str, str] = {word: country for country, words in _WORD_HOMES.items() for word in words}
_HANDLE = re.compile(r"@(\w+)")
_MAX_ADDRESSEES = 12  # handles read at the start of a post
_WORD = re.compile(r"£|[a-z]+")


def home_country(text: str) -> str:
    """The one country the post's handles or words point to, or "" (none, or several)."""
    homes = {BRAND_HOMES[h] for h in _HANDLE.findall(text.lower()) if h in BRAND_HOMES}
    if not homes:
        homes = {WORD_HOMES[w] for w in _WORD.findall(text.lower()) if w in WORD_HOMES}
    return next(iter(homes)) if len(homes) == 1 else ""


def addressed_home(text: str) -> str:
    """The one country served by the companies a post starts by addressing ("@Tesco @Morrisons ..."),
    or "": a post to a shop about its branch. Only the leading handles are read, which is cheap."""
    if text[:1] not in ("@", "."):
        return ""
    homes = set()
    for word in text.split(None, _MAX_ADDRESSEES)[:_MAX_ADDRESSEES]:
        if word[:1] != "@" and word[:2] != ".@":
            break
        home = BRAND_HOMES.get(word.lstrip(".@").rstrip(",.:;!?").lower())
        if home is not None:
            homes.add(home)
    return homes.pop() if len(homes) == 1 else ""
