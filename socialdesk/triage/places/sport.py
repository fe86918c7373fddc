"""Is a post about sport? Then a city or country named without a location cue is a team, not a place.

"Liverpool beat Chelsea 2-1", "Tonga should start getting worried, may the best team win", "#Miami leads
#VTech 27-12": in a post about a match, a bare city or country names a team; "the game in Boston" or
"flying to Madrid for the final" still name places, since a location cue is there. A post is about sport
when it has one word only sport uses (league, striker, touchdown, a team's nickname...) or two words
that sport uses among others (team, game, win, fans, season...); a score such as "2-1" counts as one of
those. The words after a name that make it a team on their own ("Chelsea fans", "the England match")
are here too.
"""

from __future__ import annotations

import re

from socialdesk.triage.places.vocabulary import word_set

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
# Two of these (or one and a score) are needed: sport uses them, but so do other posts ("your team").
SPORT_HINTS = word_set(
    """team teams game games match matches win wins won beat beats season fans fan cup vs v play played
    plays playing player players race final finals champion champions title coach practice scouts draw
    drew score scored captain club clubs side host hosts leads goal goals penalty penalties defeat
    defeated victory trophy roster lineup slam keeper"""
)
_TOKEN = re.compile(r"[a-z0-9][a-z0-9'\-]*")
_SCORE = re.compile(r"(?<![\d/:.,\-])\d{1,3} ?[-\u2013] ?\d{1,3}(?![\d/:.\-])")

# A word right after a name that makes it a team, whatever the post is about.
TEAM_NEXT = word_set(
    """fans supporters squad striker strikers midfielder goalkeeper keeper defender match matches
    fc afc sc cf"""
)
# Verbs that only a team does, right after a name ("Toronto won", "Milwaukee has won").
TEAM_VERBS = word_set(
    """beat beats beaten defeat defeats defeated scored score scores booed drew won wins
    edged routed thrashed clinched outscored"""
)
AUXILIARIES = word_set("has have had will just")
# "the match with Rotherham", "the game against Oklahoma": the other side is a team.
MATCH_WORDS = word_set("match game clash fixture tie derby showdown")


def is_sporty(text: str) -> bool:
    """One word only sport uses, or two that sport uses among others (a score like "2-1" is one)."""
    hints: set[str] = set()
    for token in _TOKEN.findall(text.lower()):
        if token in SPORT_WORDS:
            return True
        if token in SPORT_HINTS:
            hints.add(token)
            if len(hints) >= 2:
                return True
    return bool(hints) and _SCORE.search(text) is not None
