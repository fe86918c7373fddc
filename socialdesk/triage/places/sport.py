"""Is a post about sport? Then a city or country named without a location cue is a team, not a place.

"Liverpool beat Chelsea 2-1", "Tonga should start getting worried, may the best team win", "#Miami leads
#VTech 27-12": in a post about a match, a bare city or country names a team; "the game in Boston" or
"flying to Madrid for the final" still name places, since a location cue is there. A post is about sport
when it has one word only sport uses (league, striker, touchdown, a team's nickname...) or two words
that sport uses among others (team, game, win, fans, season...); a score such as "2-1" counts as one of
those, and a post about video games ("the game won't load on my Xbox") needs the first kind. The words
after a name that make it a team on their own ("Chelsea fans", "the England match", "New Orleans
Saints") are here too, and so are fixture lists: names paired by dashes ("United - Swansea, Roma -
Juventus", "Russia-Portugal Clash") are teams.
"""

from __future__ import annotations

import itertools
import re

from socialdesk.triage.places.vocabulary import word_set

# Teams' names that are political slogans as hashtags ("#MAGA #Patriots").
POLITICAL_TAGS = word_set("patriots patriot")
# One of these is enough: words that hardly appear outside sport.
SPORT_WORDS = word_set(
    """league leagues scorer striker strikers midfielder midfield goalkeeper defender quarterback qb
    touchdown touchdowns inning innings homered homerun rbi pitcher playoff playoffs postseason preseason
    semifinal semifinals semi-final quarterfinal quarter-final championship fixture fixtures kickoff
    kick-off referee halftime half-time hat-trick hattrick premiership serie liga bundesliga uefa fifa nfl
    nba mlb nhl mls ncaa epl olympics olympic odi t20 wicket wickets bowler rugby soccer football
    baseball basketball hockey cricket tennis nascar f1 squad squads tournament standings relegation
    rookie offside rebounds assists sportsnation gameday
    eagles broncos cowboys patriots packers steelers ravens raiders chiefs chargers seahawks 49ers
    niners falcons buccaneers bucs vikings bengals colts titans jaguars redskins lakers celtics knicks
    bulls spurs warriors clippers rockets mavericks mavs cavs cavaliers pistons pacers hornets grizzlies
    pelicans raptors timberwolves nuggets sixers 76ers yankees mets sox cubs dodgers brewers astros
    mariners orioles phillies braves marlins padres rockies diamondbacks dbacks bruins canadiens habs
    leafs blackhawks oilers canucks sabres islanders gunners hammers toffees magpies springboks boks
    wallabies socceroos gators buckeyes wolverines seminoles longhorns sooners aggies hokies huskers
    hoosiers hawkeyes razorbacks"""
)
# Football clubs' tags and chants, age groups, and clubs whose name is no place's ("#LFC", "#COYS", "U21s",
# "Juventus"): as sure a sign of sport as "striker" (Arsenal is left out, an arsenal is also weapons).
SPORT_WORDS |= word_set(
    """coys ynwa lfc mufc thfc cfc avfc nufc efc mcfc whufc lufc utd u21 u21s u23 u23s juventus juve lazio
    chievo benfica bayern psg barca"""
)
# Two of these (or one and a score) are needed: sport uses them, but so do other posts ("your team").
SPORT_HINTS = word_set(
    """team teams game games match matches win wins won beat beats season fans fan cup vs v play played
    plays playing player players race final finals champion champions title coach practice scouts draw
    drew score scored captain club clubs side host hosts leads goal goals penalty penalties defeat
    defeated victory trophy roster lineup slam keeper offense tie"""
)
# Words of video games, whose players and games are no team's ("the game won't load on my Xbox").
GAMING_WORDS = word_set(
    """xbox playstation ps3 ps4 ps5 psn nintendo console consoles gamertag gamer gamers dlc steam
    pre-order preorder download patch server servers multiplayer"""
)
_GAMING_STEMS = ("xbox", "playstation", "nintendo")  # in handles too: @XboxSupport, @AskPlayStation
_TOKEN = re.compile(r"[a-z0-9][a-z0-9'\-]*")
_TAG = re.compile(r"#(\w+)")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")  # where a CamelCase hashtag's words meet
_SCORE = re.compile(r"(?<![\d/:.,\-])\d{1,3} ?[-\u2013] ?\d{1,3}(?![\d/:.\-])")

# A word right after a name that makes it a team, whatever the post is about.
TEAM_NEXT = word_set(
    """fans supporters squad striker strikers midfielder goalkeeper keeper defender match matches
    fc afc sc cf player players captain skipper coach manager boss internationals"""
)
# Verbs that only a team does, right after a name ("Toronto won", "Milwaukee has won").
TEAM_VERBS = word_set(
    """beat beats beaten defeat defeats defeated scored score scores booed drew won wins
    edged routed thrashed clinched outscored"""
)
# Teams' nicknames that are everyday words, so not SPORT_WORDS: right after a name and written in the
# same case ("New Orleans Saints", "dallas stars"), they make it the team ("the Houston heat" is the
# weather).
TEAM_NAMES = word_set(
    """giants jets saints dolphins bears lions texans rams cardinals bills browns commanders kings nets
    heat magic jazz suns thunder blazers hawks blues sharks flyers penguins capitals stars wild devils
    predators lightning panthers hurricanes ducks coyotes flames senators avalanche kraken jays rays
    twins reds royals angels athletics pirates nationals tigers galaxy sounders timbers albion
    wanderers rovers athletic hotspur villa argonauts alouettes roughriders bulldogs wildcats huskies
    trojans cougars mountaineers jayhawks cornhuskers badgers spartans terrapins gamecocks rebels
    commodores knights owls mustangs aztecs bearcats cyclones volunteers"""
)
AUXILIARIES = word_set("has have had will just")
# Words before or after a name that make it a team's for sure ("Real Madrid", "Leeds United"): once one
# is seen, the post is about sport, and a bare city or country elsewhere in it is a team too.
TEAM_PREV = word_set("real atletico atlético inter ac sporting dynamo fc")
TEAM_BRAND_NEXT = word_set("fc afc united utd rangers club team")
# Words before a name that make it a team for sure (a band "plays Calgary", a country is "facing" issues).
SURE_VERSUS = word_set("v vs versus beat beats defeat defeats defeated")
# "the match with Rotherham", "the game against Oklahoma": the other side is a team.
MATCH_WORDS = word_set("match game clash fixture tie derby showdown")
# Two names joined by a dash: "United - Swansea", "Russia-Portugal", "Newcastle-Man Utd"; a side starts
# with a capital and a small letter, so codes and dates in capitals ("PA - Oct 6") are none.
_NAME = r"[A-Z][a-z][\w'\u2019.]*(?: [A-Z][\w'\u2019.]*[^\W_])?"
_PAIR = re.compile(rf"(?<![\w-])({_NAME}) ?[-\u2013] ?({_NAME})(?![\w-])")
_LIST_GAP = re.compile(r"\s*(?:[,;|&]|and)\s*$")
_NOT_SIDES = word_set(
    """monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun
    january february march april may june july august september october november december jan feb mar apr
    jun jul aug sep sept oct nov dec today tomorrow tonight"""
)


def fixture_sides(text: str) -> list[tuple[int, int]]:
    """The spans of the sides of a fixture list: two pairs of names joined by a dash, listed one after
    the other ("United - Swansea, Roma - Juventus"), or one pair before a match word ("Russia-Portugal
    Clash"). A route ("Paris - London flights") is one pair without a match word."""
    pairs = [
        m
        for m in _PAIR.finditer(text)
        if m.group(1).split(" ", 1)[0].lower() not in _NOT_SIDES
        and m.group(2).split(" ", 1)[0].lower() not in _NOT_SIDES
    ]
    if not pairs:
        return []
    listed = any(_LIST_GAP.match(text, a.end(), b.start()) for a, b in itertools.pairwise(pairs))
    if not listed and not any(_before_match_word(text, m) for m in pairs):
        return []
    return [m.span(group) for m in pairs for group in (1, 2)]


def _before_match_word(text: str, pair: re.Match[str]) -> bool:
    """Is a match word right after the pair, or the last word of its second side ("Russia-Portugal
    Clash", whose capitalised "Clash" the side's pattern takes in)?"""
    words = pair.group(2).split(" ")[1:] + text[pair.end() : pair.end() + 12].split(None, 1)[:1]
    return any(word.strip(".,!?:;").lower() in MATCH_WORDS for word in words)


def is_sporty(text: str, raw: str = "") -> bool:
    """One word only sport uses, or two that sport uses among others (a score like "2-1" is one);
    in a post about video games ("the game", "player", "Xbox", to @XboxSupport: `raw` is the post
    with its handles) only the first kind counts."""
    hints: set[str] = set()
    tokens = _TOKEN.findall(text.lower())
    if "#" in raw:  # hashtags are cut from `text`, but "#Broncos", "#NFL" say sport as well
        tags = _TOKEN.findall(_CAMEL.sub(" ", " ".join(_TAG.findall(raw))).lower())
        tokens += [tag for tag in tags if tag not in POLITICAL_TAGS]
    for token in tokens:
        if token in SPORT_WORDS:
            return True
        if token in SPORT_HINTS:
            hints.add(token)
    if not hints or not GAMING_WORDS.isdisjoint(tokens):
        return False
    low = raw.lower()
    if any(stem in low for stem in _GAMING_STEMS):
        return False
    return len(hints) >= 2 or _SCORE.search(text) is not None
