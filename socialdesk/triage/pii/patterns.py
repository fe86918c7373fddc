"""The compiled patterns, limits and cue words that decide what counts as personal data in a post.

They are the tuned part of the package (precision first, as the package docstring says): which digit
runs are worth a look, how an e-mail domain ends, how long each country's IBAN is, which words make a
number an account or a phone number. They are kept together here, apart from the code that walks the
text, so a change to what counts can be read and reviewed in one place; every other module of the
package reads them from here.
"""

from __future__ import annotations

import re
import string

from socialdesk.core.types import PiiType

# A lower number wins when two findings overlap: the more specific validation is more trustworthy.
PRIORITY = {PiiType.EMAIL: 0, PiiType.IBAN: 1, PiiType.CARD: 2, PiiType.PHONE: 3, PiiType.ACCOUNT: 4}
PLACEHOLDER = {kind: f"[{kind.value}]" for kind in PiiType}

ASCII_ALNUM = frozenset(string.ascii_letters + string.digits)
LOCAL_PART_SYMBOLS = frozenset("._%+-")
MAX_LOCAL_PART = 64

MIN_PHONE_DIGITS = 7
MAX_NUMBER_DIGITS = 19  # the longest card number; a longer run is a tracking or transaction number
CUE_WINDOW = 48  # characters before a number in which its cue ("order number:", "call me on") must be
AFTER_WINDOW = 24  # "07700900123 is my number" puts the cue after the number

# --- e-mail -----------------------------------------------------------------------------------------

# Labels start and end with a letter or digit; the last one is alphabetic, so "jane@example.com."
# stops before the full stop and "user@localhost" is not an address.
EMAIL_DOMAIN = re.compile(
    r"[^\W_](?:[\w-]{0,61}[^\W_])?(?:\.[^\W_](?:[\w-]{0,61}[^\W_])?)*\.[^\W\d_]{2,63}(?![\w@-]|\.[^\W_])"
)

# --- numbers: phones, cards and values -------------------------------------------------------------

SPACES = " \t\u00a0\u2007\u2009\u202f"  # customers' phones paste non-breaking and thin spaces
# One pass over the text finds every digit worth a look: a run of seven or more characters of digits
# with up to three separator characters between them (a phone, card, IBAN or long number), or digits
# that could belong to an account value (five in a row, or glued to letters or "-/." on either side:
# "QX7P2L", "RF-220914"). Lone times, prices and flight numbers ("10:30", "£55", "SK 1210") do not
# match at all, so the Python in detection.py runs only for the few candidates a post has. Every
# alternative starts with a digit, which lets the regex engine skip to the next digit in C; separators
# and digits are disjoint, so a long run cannot make it backtrack.
DIGITS_OF_INTEREST = re.compile(
    rf"""[0-9](?:
        (?P<run>(?:[0-9]|[{SPACES}().\-/\u2010\u2011]{{1,3}}(?=[0-9])){{6,}})
      | [0-9]{{4}}
      | [0-9]{{0,3}}[A-Za-z\-/.]
      | (?<=[A-Za-z\-/.][0-9])
    )""",
    re.VERBOSE,
)
DATE = re.compile(
    r"[0-9]{1,2}([./-])[0-9]{1,2}\1(?:19|20)?[0-9]{2}|(?:19|20)[0-9]{2}([./-])[0-9]{1,2}\2[0-9]{1,2}"
)
CHUNK = re.compile(rf"[^{SPACES}]+")
GROUP = re.compile(r"[0-9]+")
CHUNK_EDGE = ".-/\u2010\u2011"
# Before a run these make it part of something else: a flight number (BA117), a reference (RF-220914),
# a numeric @handle (@115712), a hashtag, a URL path or query, a decimal (1,299) or a price (£55).
GLUED_BEFORE = frozenset("_.,-/=@#$£€¥&")
GLUED_AFTER = frozenset("_%‰@#$£€¥")
MAX_CHUNKS = 8  # no phone or card has more groups; bounds the work on a long list of numbers
MAX_CANDIDATE_CHARS = 28  # characters of a phone or card number, not counting spaces

# --- IBAN -------------------------------------------------------------------------------------------

IBAN_START = re.compile(r"[A-Za-z]{2}[0-9]{2}")
IBAN_REACH = 12  # "GB82 WEST 1234...": how far before its long digit run an IBAN may start
IBAN = re.compile(r"[A-Za-z]{2}[0-9]{2}(?:[ \u00a0]?[A-Za-z0-9]){11,32}")
# Length of the IBAN by country (SWIFT IBAN registry): cutting the match at the right length keeps a
# following word ("... 0130 00 thanks") out of the span without guessing where the number ends.
IBAN_LENGTH = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29,
    "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29,
    "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28,
    "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20,
    "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22,
    "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25,
    "QA": 29, "RO": 24, "RS": 22, "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27,
    "ST": 25, "SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}  # fmt: skip

# --- account, customer, order and booking numbers ---------------------------------------------------

ACCOUNT_VALUE = re.compile(r"[A-Za-z0-9]+(?:[-/.][A-Za-z0-9]+)*")
CAPS_CODE = re.compile(r"[A-Z]{6}")
CONNECTOR_CHARS = " \t:#="
CONNECTOR_WORDS = frozenset({"is", "was", "ist", "war", "es", "est", "è", "é"})
# How every alternative of ACCOUNT_CUE ends (some loosely, e.g. "ation" for reservation and
# réservation); a word that ends otherwise cannot be a cue.
CUE_ENDINGS = (
    "account", "acct", "a/c", "customer", "client", "member", "membership", "order", "booking", "ation",
    "ence", "ref", "ref.", "policy", "loyalty", "flyer", "flier", "pnr", "locator", "localizador",
    "referencia", "riferimento", "referentie", "referenz", "buchung", "bestellung", "pedido", "reserva",
    "commande", "dossier", "prenotazione", "no", "no.", "nr", "nr.", "number", "num", "num.", "n°", "nº",
    "id", "code", "nummer", "cuenta", "cliente", "compte", "socio", "liza", "lice", "ité", "ite", "ordine",
    "conto", "polizza", "membre", "rent", "onné", "onne", "contrat", "contrato", "contratto", "conta",
    "orden", "ff",
)  # fmt: skip
DATE_OR_AMOUNT = re.compile(r"[0-9]{1,4}[-/.][0-9]{1,2}[-/.][0-9]{1,4}|[0-9]+[.,][0-9]{1,2}")
MAX_ACCOUNT_LENGTH = 34
BOOKING_CODE_LENGTH = 6
MIN_VALUE_LENGTH = 5

# The cue must end right where the value starts ("order #", "Kundennummer:", "booking ref is"), which
# is what makes a bare number an account number rather than any number. Searched only in a short
# window before each candidate value, with \Z at the window's end.
ACCOUNT_CUE = re.compile(
    r"""(?ix)
    (?<!\w)
    (?P<cue>
        (?: account | acct | a/c | customer | client | member(?:ship)? | order | booking | reservation
          | confirmation | reference | ref | policy | loyalty | frequent[ -]?fl[yi]er | pnr
          | record[ ]locator | localizador | referencia | r[ée]f[ée]rence | riferimento | referentie
          | referenz | buchung | bestellung | pedido | reserva | commande | dossier | prenotazione )
        (?:[ ]?(?:no\.? | nr\.? | number | num\.? | n[°º] | \# | id | code | ref(?:erence)?\.?))?
      | ff[ ]?(?:no\.? | number | \#)
      | (?:kunden | buchungs | bestell | auftrags | konto | mitglieds | vertrags | policen | reservierungs
          | vorgangs)-?(?:nummer | nr\.? | code | referenz | id)
      | (?:klant | bestel | order | boekings | reserverings | rekening | polis | lidmaatschaps)nummer
      | (?:n[uú]mero | num[ée]ro | numero | n[°º] | nr\.? | no\.? | num\.? | c[oó]digo | codice | code)
        [ ]?(?:de[ ]la | del | de | du | d['\u2019] | di | della | dell['\u2019] | do | da)?[ ]?
        (?:cuenta | cliente | client | pedido | reserva | r[ée]servation | commande | compte | dossier | socio
          | p[oó]liza | police | fid[ée]lit[ée] | ordine | conto | prenotazione | polizza | membre
          | adh[ée]rent | abonn[ée] | contrat | contrato | contratto | conta | localizador | orden)
    )
    [ \t]*(?:[:\#=.]|is|was|ist|war|es|est|è|é)?[ \t]*[:\#]?[ \t]*
    \Z
    """
)
# An all-letter code (ABCDEF) is accepted only after a cue that names a booking code: after "account"
# or "order" six capitals are far more often shouting ("my ACCOUNT HACKED") than a reference.
CODE_CUE = re.compile(r"(?i)pnr|locator|localizador|code|codice|c[oó]digo|ref|buchung|reserva|booking")
# Six-letter words customers shout right after naming their booking ("booking ref PLEASE").
SHOUTED_WORDS = frozenset({"PLEASE", "THANKS", "CANCEL", "CHANGE", "URGENT", "ASKING", "REFUND", "ANYONE"})

# --- phone cue words --------------------------------------------------------------------------------

# Strong words mean a phone on their own; weak ones ("number") only when no other kind of number is
# named next to them ("order number", "tracking number"); hints name those other kinds.
PHONE_CONTEXT = re.compile(
    r"""(?ix)
    (?<!\w)
    (?:
        (?P<strong>
            (?:tel | mob | ring | cell | sms | gsm)(?![a-z])
          | (?:call(?:ed|ing)? | phone | telephone | mobile | cellphone | whats[ ]?app | text(?:ed)?[ ]me
            | reach[ ]me | contact[ ]me | handy | telefon | rufnummer | anrufen | ruf[ ]mich | mobil
            | tel[eé]fono | m[oó]vil | celular | ll[aá]ma | t[eé]l[eé]phone | portable | appel
            | telefone | telem[oó]vel | ligue | telefono | cellulare | chiama | bel[ ]me | bellen
            | telefoon | mobiel)
        )
      | (?P<weak> number | nummer | num[eé]ro | n[uú]mero | no\. | nr\.?)(?!\w)
      | (?P<hint>
            (?:track | parcel | package | shipment | invoice | serial | ticket | case | flight | seat | gate
              | transaction | order | account | booking | ref | reference | customer | member | policy
              | loyalty | confirmation | reservation | imei | pedido | factura | reserva | suivi | commande
              | facture | colis | spedizione | ordine | fattura | model | item | product | room | version
              | build)(?:s|ing|es)?(?![a-z])
          | sendung | rechnung | kunden | bestell | buchung | seguimiento | auftrag | vertrag
        )
    )
    """
)
HINT_REACH = 16  # "order number": a hint this close before a weak cue word takes it over
