"""Words around a name that decide whether it is a place: location cues, travel verbs, team and brand words.

A name found in a post is judged by its neighbours: "in Reading" is a town and "Reading a book" is
not, "Alaska Airlines" is a company, "Milan v Empoli" a match and "London Road" a street. These are
the lists the scanning rules read, kept apart from the rules so that each list, with the comment that
says why it exists, can be changed and reviewed on its own.
"""

from __future__ import annotations

from socialdesk.triage.places.vocabulary import word_set

# Words right before a name that make it a location ("in Reading", "to Madrid", "aeropuerto de").
CUES = word_set(
    """in at from to for into via near around round outside through thru visiting visit visits visited
    leaving leave towards toward reach reached reaching arrived arrive arriving landed land left back
    across throughout within inside downtown upstate en à au aux desde hacia para nach aus bei naar uit
    di da dans vers"""
)
# Cues that also precede names of things ("switch to Delta", "email from Jordan"): for names that are
# also words or people, and for small towns, they count only after a verb of travel ("flying to
# Phoenix") or another place ("Seattle to Austin").
WEAK_CUES = word_set("to from for into back")
# Weak cues that are strong after these words: "I am from Houston" (origin), "the city of Houston".
STRONG_AFTER = {
    "from": word_set("am im i'm are is was were be being originally born raised live lives living based"),
    "of": word_set("city town village state province county capital streets outskirts suburbs heart"),
}
# A compass word in lower case before a state or country names a part of it ("western Washington",
# "from northern NJ"): as good as a location cue, and it means the area rather than a city.
COMPASS = word_set(
    """north south east west northern southern eastern western central upstate downstate northeast
    northwest southeast southwest northeastern northwestern southeastern southwestern"""
)
# "Over" is a location only after these ("all over Jersey", "flying over Denver"); else it is a win or a
# preference ("a win over England", "I'll take tea over coffee").
OVER_AFTER = word_set("all fly flying flew flight flights sunset sunrise sun")
BRAND_CUES = word_set("in near around outside visiting downtown")  # "at Toyota" is the company
MOTION = word_set(
    """fly flies flying flew flight flights trip travel travelling traveling go going went heading head headed
    move moving moved drive driving drove train trains bus buses ride way road return returning back
    coming come came welcome get got getting gone leave leaves leaving left bound off arrive arrived
    route direct nonstop"""
)
ROUTE_SEPS = frozenset(  # hyphens, arrows, dashes, slash, plane
    {"-", "--", "->", "\u2192", "\u27a1\ufe0f", "\u27a1", ">", "\u2013", "\u2014", "/", "=>", "\u2194\ufe0f"}
    | {"\u2708\ufe0f", "\u2708"}
)
AIRPORT_AFTER = word_set(
    "airport airports airpt intl international terminal flughafen aeropuerto aeroporto aéroport"
)
# Words after an airport's code that make it an airline's station there: "our PDX staff", "the lax team".
STAFF_AFTER = word_set("staff team agent agents crew employee employees station ops counter")
# Location words before a lower-case code ("almost to lax", "stuck at sfo").
LOWER_CODE_CUES = word_set("to at from in into via near leaving")
AIRPORT_BEFORE = word_set(
    "airport aeropuerto aeroporto aeroport aéroport flughafen luchthaven lufthavn flygplats"
)
# Shop chains: a town right before or after one is its branch ("Tesco Prestwich", "Bayonne McDs").
STORE_CHAINS = word_set(
    """tesco asda morrisons sainsburys sainsbury's waitrose aldi lidl argos primark currys walmart
    costco kroger starbucks mcdonalds mcdonald's mcds chipotle westfield"""
)
# A capitalised word after a city that keeps it a place: a site in it, a time, an authority.
SITE_NEXT = word_set(
    """airport station stn terminal junction central park gardens
    centre center arena stadium museum zoo bridge harbour harbor port docks mall market store branch
    office fair festival fest rodeo marathon pride area region metro downtown uptown town county zone
    zones line underground tube overground airpt intl international shop location restaurant
    neighborhood neighbourhood suburb suburbs
    gov governor senator sen rep mayor police government council parliament court"""
)
TIME_NEXT = word_set("today tomorrow tonight yesterday this next last morning evening night weekend")
# A city's people and groups: "DC Republicans", "Philly Antifa", "a Pittsburgh Nazi", "Chicago lawmakers".
GROUP_NEXT = word_set(
    """republicans democrats liberals conservatives antifa nazi nazis lawmakers officials residents
    voters activists protesters protestors"""
)
PLACE_NEXT = SITE_NEXT | TIME_NEXT | STORE_CHAINS | GROUP_NEXT  # "Bayonne McDs": the branch in Bayonne
# Days and months, in full or short, and times: "head to CLE Friday", "live in DFW Sat night".
DATE_WORDS = TIME_NEXT | word_set(
    """monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat
    sun january february march april may june july august september october november december jan feb
    mar apr jun jul aug sep sept oct nov dec"""
)
FUNCTION_CODES = word_set(
    "THE AND FOR BUT NOT ALL ANY ARE CAN WAS HAS HAD HER HIM HIS ITS OUR OUT YOU WHO HOW NOW NEW YES GET GOT"
)
WORK_VERBS = word_set(
    "work works working worked job jobs employed intern interning shift shopping shop bought ordered"
)
# Capitalised words after a name that do not make it part of a longer name ("Preston Now from Euston"),
# days and months written out among them ("visits Wichita Wednesday", "in Seattle December 8").
NOT_NAME_NEXT = word_set(
    """now any will is are was were and but so the this that these thanks thank please pls why what how
    when who where can could should would i it we you he she they my our your just still again too also
    not no yes hope if as or for to at in on"""
) | word_set(
    """monday tuesday wednesday thursday friday saturday sunday january february march april june july
    august september october november december"""
)
# A street named after a place is not that place ("Davenport Ave", "London Road", "Leicester Square").
STREET_NEXT = word_set(
    "street st road rd avenue ave lane ln drive dr boulevard blvd way square sq place pl terrace"
)
# Plural verbs right after a city without a cue make it a team, in British usage: "Sydney are too tough".
PLURAL_VERBS = word_set("are were have aren't weren't haven't")
# Words around a name that make it a team, a company or a title ("Milan v Empoli", "Wells Fargo").
VERSUS_PREV = word_set("v vs versus beat beats defeat defeats defeated play plays playing face faces facing")
VERSUS_NEXT = word_set("v vs versus beat beats defeat defeats defeated scored score scores booed drew")
BRAND_NEXT = word_set(
    """airlines airways air airline express telecom times post tribune herald bank united utd fc city
    tech state university college club team racing rangers power energy motors mobile tv radio news
    daily magazine records music live group inc ltd corp company co holdings jones hold roadhouse
    instruments open cup league prix series games"""
)
# Newspapers named after their city, capitalised: "Des Moines Register", "Vancouver Sun", "Boston Globe".
PRESS_NEXT = word_set(
    """register sun star journal gazette chronicle observer examiner globe inquirer bee dispatch courier
    telegraph standard mirror echo"""
)
# Words after "<state> State" that make it the state's own body, not a university or its team: "Alabama
# State Troopers", "Maryland State Advisory Council", "the Iowa State Fair".
STATE_BODIES = word_set(
    """police troopers trooper patrol senate house assembly capitol legislature department dept board
    fair park parks highway route prison representative senator attorney treasurer advisory
    election elections government agency library archives"""
)
# Events named after the big city that holds them, capitalised: "Melbourne Cup", "Miami Open".
EVENT_NEXT = word_set("cup open marathon games")
BRAND_PREV = word_set(
    "air real ac inter atletico atlético sporting wells virgin boost club dynamo fc miss bank"
)
ORG_OF = word_set("times bank banque")  # "Times of India", "Bank of America", "Banque de France"
# A capitalised word before a name that does not make it part of a person's or company's name.
OK_PREV = (
    CUES
    | word_set(
        """the greater old sunny beautiful lovely rainy snowy good hello hi hey welcome goodbye bye greetings
    love loving miss missing proud dear visiting arrived landed heading flying leaving going back thanks
    thank and or of new st saint north south east west northern southern eastern western central
    town downtown uptown former"""
    )
    # "In Oct Canada legalizes...", "On Monday Canada said": a date is no first name (but Jan, May,
    # April, June and August may be)
    | word_set(
        """monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri
        january february march july september october november december feb sep sept oct nov dec today
        tonight yesterday tomorrow"""
    )
    | STORE_CHAINS  # "Tesco Prestwich": the branch in Prestwich, not a person
    # words that start a question or a clause are no part of a name: "Why USA has...", "All of Texas"
    | word_set(
        """why what how when where who which whose if but so because is are was were do does did can
        could should would has have had all every hey yo omg maybe even only yes no not"""
    )
    # a regime's or an era's adjective before a country: "Nazi Germany", "Soviet Russia", "Ancient Rome"
    | word_set("nazi soviet communist imperial ancient medieval")
    | word_set("fm")  # a radio station's city: "WWOZ 90.7 FM New Orleans"
)
# Words in capitals before "US" that make it the pronoun: "SOME OF US", "LET US KNOW", "JOIN US".
PRONOUN_BEFORE = word_set(
    """of for with let give gives help helps tell tells join contact about behind all both make makes
    call send show told gave take took keep leave beat against among between like love hate see saw
    hear heard ask asked thank thanks"""
)
# US state codes that are safe alone after a cue ("welcome to MN"); IN, OR, ME, OK, HI... are words.
SAFE_STATE_CODES = word_set(
    """AK AZ AR CA CT DC FL IA IL KS KY MI MN MT NC ND NH NJ NM NV NY RI SD TN TX UT VA VT WA WI WV WY"""
)


LOWER_CUES = word_set("in to from at into via near visiting leaving")
# State codes that are no word in lower case either, so count after a lower-case cue ("from nj").
LOWER_STATE_CODES = word_set("nj ny nc fl tx az nv ky ct wv nh nm")
# Words after a doubtful country that make it the polity: "Snap Turkey Election", "the Chad government".
POLITY_NEXT = word_set(
    """election elections government govt president presidential parliament parliamentary minister
    ministry pm army military troops embassy ambassador border borders coup referendum regime"""
)
# Lower-case names of countries, US states and cities of a million that are also everyday words ("fine
# china", "lima beans", "queens", "to go" typed "togo"; French "chili", "suede", "grenade"), first names
# ("sofia said", "hannah montana"), a TV show ("jersey shore") or a phrase ("get the states to ratify"):
# in lower case they are places only after a location word.
LOWER_WORDS = word_set(
    """china chine cina lima chili reunion queens pest suede grenade gana togo kota teni panama bermuda
    samoa colorado norfolk sofia sydney milan montana indiana virginia santiago salvador valencia
    adelaide alexandria vienna samara holland maurice dominique guadalupe kenya"""
) | {"jersey shore", "the states"}

# First names: a place name right after one is a surname ("Miguel Sano", "Eddie Rosario", "Trent
# Richardson"), even at the start of a sentence or in a headline. Names that are also big places
# (Austin, Florence, Sydney...) are left out, so that "Austin Texas" stays a city and its state.
FIRST_NAMES = word_set(
    """aaron adrian alan albert alex alexander alfred ali alicia allison amanda amber amy andre andrea andrew
    andy angela anthony antonio ashley barbara ben benjamin bernie beth betty bill billy bob bobby brad
    brandon brian bruce carl carlos carol chad chris christian christina christopher cindy colin connor craig
    dan daniel danny darren dave david dean deborah dennis derek diana diego don donald doug dwayne ed
    eddie edward emily emma eric erica erik ethan evan frank fred gabriel gareth gavin gerald gina greg
    gregory harry heather helen henry ian isaac jack jacob jake james jamie jane janet jason javier jeff
    jeffrey jennifer jenny jeremy jerry jesse jessica jim jimmy joe joel john johnny jon jonathan jordan jorge
    jose joseph josh joshua juan julia julian julie justin karen kate katie katy keith kelly ken kevin
    kim kyle larry laura lauren lee leo lewis lisa luis luke marc marco maria mario mark matt matthew
    megan melissa michael michelle miguel mike nathan neil nick nicole noah oliver omar oscar pablo
    patrick paul pedro pete peter phil philip rachel rafael ralph randy ray rebecca ricardo richard rick
    rob robert robin rodrigo ron ronald rory ross russell ryan sam samuel sandra sara sarah scott sean
    sergio seth simon stephen steve steven stuart susan tim timothy todd tom tommy tony trent troy vince
    wes william zach zack"""
)

# A word after an artist's name and a place name that makes the place a work's title: "Springsteen's
# Nebraska album" (not "the UK album charts", "a Lafayette movie theater").
WORK_NEXT = word_set("album song single ep lp novel soundtrack")
# Capitalised words that start a sentence-like clause, not a title: "I'm In London".
SELF_WORDS = word_set("I I'm I\u2019m Im We We're Now Still Just Currently")
# The last of a few capitalised words after a name that make them a site or event in it: "Dallas
# Holocaust Museum", "Oregon Country Fair", "Paris Fashion Week".
SITE_RUN_END = (
    SITE_NEXT
    | STATE_BODIES
    | word_set("week expo show festival fair hospital library university college walk parade")
    # what happened there: "Paris Terror Attacks", "the Boston Marathon Bombing", "the London Grand Prix"
    | word_set("attack attacks bombing bombings shooting shootings riots protest protests massacre siege")
    | word_set("prix cup marathon")
)
