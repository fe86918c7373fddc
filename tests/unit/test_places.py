"""Finding where a customer is: geo points, places named in posts, profile locations (offline gazetteer).

Texts are invented for these tests. The check against the hand-labelled real tweets reads them in place
from ../shared and is skipped when that folder is absent.
"""

from __future__ import annotations

import csv
import html
import json
import math
import re
import threading
from pathlib import Path

import pytest

from socialdesk.core.types import Place, PlaceKind, PlaceSource
from socialdesk.triage.places import PlaceFinder, default_finder
from socialdesk.triage.places.folding import normalize
from socialdesk.triage.places.geo import distance_km
from socialdesk.triage.places.home import addressed_home, home_country
from socialdesk.triage.places.sport import fixture_sides, is_sporty
from socialdesk.triage.places.vocabulary import CODE_STOPWORDS

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
LABELS = REPO / "socialdesk" / "triage" / "data" / "places_labels.jsonl"
FRESH = LABELS.with_name("places_labels_fresh.jsonl")

A, C, R, N = PlaceKind.AIRPORT, PlaceKind.CITY, PlaceKind.REGION, PlaceKind.COUNTRY


@pytest.fixture(scope="module")
def finder() -> PlaceFinder:
    return default_finder()


def summary(places: list[Place]) -> list[tuple[str, PlaceKind]]:
    return [(p.country, p.kind) for p in places]


def near(place: Place, lat: float, lon: float, km: float = 50.0) -> bool:
    return distance_km(place.lat, place.lon, lat, lon) <= km


# (text, expected [(country, kind, lat, lon)] in order)
FOUND = [
    ("Stranded at Schiphol since this morning, please help", [("NL", A, 52.31, 4.76)]),
    ("Flight to LHR delayed again @SomeAirline", [("GB", A, 51.47, -0.45)]),
    (
        "My bag went to JFK instead of my flight to Boston",
        [("US", A, 40.64, -73.78), ("US", C, 42.36, -71.06)],
    ),
    ("stuck in Madrid after a cancelled flight", [("ES", C, 40.42, -3.70)]),
    ("Landing in Frankfurt in an hour", [("DE", C, 50.11, 8.68)]),
    ("flying to Japan next week", [("JP", N, 35.68, 139.69)]),
    ("We got rebooked via Charles de Gaulle", [("FR", A, 49.01, 2.55)]),
    ("Waiting at the aeropuerto de Barajas, vuelo cancelado", [("ES", A, 40.47, -3.56)]),
    ("Wir sitzen am Flughafen Frankfurt fest", [("DE", A, 50.03, 8.56)]),
    ("Zürich Flughafen ist voll", [("CH", A, 47.46, 8.55)]),
    ("Vamos a São Paulo amanhã", [("BR", C, -23.55, -46.63)]),
    ("Mein Flug nach München wurde gestrichen", [("DE", C, 48.14, 11.58)]),
    ("Nos vemos en Londres", [("GB", C, 51.51, -0.13)]),
    ("Our hotel in New York lost the booking", [("US", C, 40.71, -74.01)]),
    ("LHR-JFK on Tuesday, seat 32A", [("GB", A, 51.47, -0.45), ("US", A, 40.64, -73.78)]),
    ("Our flight from DFW to MIA was great", [("US", A, 32.90, -97.04), ("US", A, 25.79, -80.29)]),
    ("Lexington, KY store was closed", [("US", C, 38.04, -84.50)]),
    ("Paris, TX is hot today", [("US", C, 33.66, -95.56)]),
    ("Back home in Tampa Florida", [("US", C, 27.95, -82.46)]),
    ("Heading to Reading for the weekend", [("GB", C, 51.45, -0.97)]),
    ("Customer in Mobile, AL says the app is broken", [("US", C, 30.69, -88.04)]),
    ("Visiting Texas and Ohio this month", [("US", R, 31.0, -99.0), ("US", R, 40.4, -82.8)]),
    ("Stuck in Chicago\u200d🙄", [("US", C, 41.88, -87.63)]),
    ("flying to london tomorrow", [("GB", C, 51.51, -0.13)]),
    ("My package is stuck in Louisville, KY", [("US", C, 38.25, -85.76)]),
    ("Delivery to Kyiv, Ukraine failed", [("UA", C, 50.45, 30.52)]),
    ("In Frankfurt airport, lounge is closed", [("DE", A, 50.03, 8.56)]),
    ("Toronto Pearson airport is packed", [("CA", A, 43.68, -79.63)]),
    ("Is the UK store open?", [("GB", N, 51.51, -0.13)]),
    # a cue survives a post about sport: "flying to", "I am from", "the city of"
    ("Flights to Madrid for the final were full, the league should act", [("ES", C, 40.42, -3.70)]),
    ("My Heat are going to beat the Knicks. I am from New York.", [("US", C, 40.71, -74.01)]),
    ("the city of Houston is buzzing tonight // Monday Night Football", [("US", C, 29.76, -95.36)]),
    # a site or an event named after its place, a shop chain's branch
    ("We have an appointment at the Dallas Holocaust Museum tomorrow", [("US", C, 32.78, -96.80)]),
    ("Pics from the Oregon Country Fair closing show", [("US", R, 44.0, -120.5)]),
    ("Tesco Prestwich only had 2 packets left", [("GB", C, 53.53, -2.28)]),
    ("Bayonne McDs won't answer the phone", [("US", C, 40.67, -74.11)]),
    # main railway stations stand for their city; a route carries its cue on ("Junction to Surbiton")
    (
        "My daughter is on the Euston train stuck outside Preston",
        [("GB", C, 51.51, -0.13), ("GB", C, 53.76, -2.70)],
    ),
    (
        "The 22.12 train from Clapham Junction to Surbiton left early",
        [("GB", C, 51.51, -0.13), ("GB", C, 51.39, -0.30)],
    ),
    # lower-case routes in a post about flying
    ("status of BA0257, lhr-del 7nov, flight cancelled", [("GB", A, 51.47, -0.45), ("IN", A, 28.57, 77.10)]),
    ("lost my booking, flight 12/22 taipei-manila", [("TW", C, 25.05, 121.53), ("PH", C, 14.60, 120.98)]),
    # capitals of a short alias in a route; the island, not the town in Cameroon
    (
        "Thanks for getting us from Sacramento to KC safe and sound",
        [("US", C, 38.58, -121.49), ("US", C, 39.10, -94.58)],
    ),
    ("Why are you not refunding my trip to Bali?", [("ID", R, -8.4, 115.2)]),
    # quotes around the name alone do not make a title
    ('I am in "New York" now', [("US", C, 40.71, -74.01)]),
    # "America" alone is the United States; a capitalised word that starts a clause is no first name
    ("Honestly America needs better trains", [("US", N, 38.9, -77.0)]),
    ("Why USA has the worst phone plans is beyond me", [("US", N, 38.9, -77.0)]),
    ("Old maps of Nazi Germany in the museum", [("DE", N, 52.52, 13.40)]),
    # lower case without a cue: a country, a US state, a city of a million (not "china" the plates)
    ("chicago has the best deep dish pizza", [("US", C, 41.88, -87.63)]),
    ("honestly ohio is so cold this week", [("US", R, 40.4, -82.8)]),
    # "china" alone is too often the plates, but listed after a place it is the country
    ("russia and china are talking again", [("RU", N, 55.75, 37.62), ("CN", N, 39.91, 116.40)]),
    # an article between the cue and a country; a video game's "game" and "player" are no sport
    ("Is the deal valid in the Netherlands too?", [("NL", N, 52.37, 4.89)]),
    ("The game keeps crashing and the player list is empty for the UK servers", [("GB", N, 51.51, -0.13)]),
    # hashtags in CamelCase or short aliases in capitals
    ("Sunset walk by the pier #SanDiego", [("US", C, 32.72, -117.16)]),
    ("Tacos tonight #LA", [("US", C, 34.05, -118.24)]),
    ("Proud to be here #USA", [("US", N, 38.9, -77.0)]),
    # LAX in capitals is the airport; a flight number makes a post about flying
    ("Our agent will meet you once you made it to LAX", [("US", A, 33.94, -118.41)]),
    ("My DL 1234 leaves MSP at noon, any upgrades?", [("US", A, 44.88, -93.22)]),
    # namesakes that share a country; a big city listed with a state of the same country
    (
        "Signal failure at Preston, so no trains through Lancaster this morning",
        [("GB", C, 53.76, -2.70), ("GB", C, 54.05, -2.80)],
    ),
    (
        "Protests in NYC, NJ and Philly tonight",
        [("US", C, 40.71, -74.01), ("US", R, 40.1, -74.5), ("US", C, 39.95, -75.17)],
    ),
    # a compass word before a state names part of it: the state, not the city
    ("Power is out across most of western Washington", [("US", R, 47.4, -121.5)]),
    ("Streaming is slow for me, I'm from northern NJ", [("US", R, 40.1, -74.5)]),
    # a longer name or an airport followed by a capitalised word is still the place
    ("A North Carolina Twitter account posted the list", [("US", R, 35.5, -79.0)]),
    ("Yes, that flight leaves from London Gatwick Helen", [("GB", A, 51.15, -0.19)]),
    # a doubtful name listed before a place it is listed with
    ("Tensions between Turkey and Russia keep rising", [("TR", N, 39.9, 32.85), ("RU", N, 55.75, 37.62)]),
    # a state's own body after "<state> State"
    ("Alabama State Troopers closed the highway overnight", [("US", R, 32.8, -86.8)]),
    # short forms: B'ham to a British rail company, "D. C." with spaces, a code in a route to a place
    ("@VirginTrains the 9:05 from B'ham is late again", [("GB", C, 52.48, -1.90)]),
    ("My D. C. - LHR flight was cancelled", [("US", C, 38.9, -77.04), ("GB", A, 51.47, -0.45)]),
    ("Cheapest ticket from SOU to London Zones 1-6?", [("GB", A, 50.95, -1.36), ("GB", C, 51.51, -0.13)]),
    ("all the lights are up all over Jersey already", [("US", R, 40.1, -74.5)]),
    # small towns (not matched in running text) at strong cues: a state code or a ZIP after the town,
    # a state written out, a shop word next to it, "at" in a post to a shop that serves one country
    ("Shoutout to the pharmacy in Thomaston GA for the quick refill", [("US", C, 32.89, -84.33)]),
    ("please send it to 12 oak lane, olmsted falls oh 44138", [("US", C, 41.37, -81.91)]),
    ("My grandmother was born near Henryville, Indiana in 1920", [("US", C, 38.54, -85.77)]),
    ("The manager at our Tenby store was lovely to us", [("GB", C, 51.67, -4.70)]),
    ("Is the supermarket branch in Cheetham Hill open on Sunday?", [("GB", C, 53.51, -2.24)]),
    ("@Tesco the shelves were empty again at Houghton Regis today", [("GB", C, 51.90, -0.52)]),
    ("Lobster rolls tonight in Naples Maine", [("US", R, 45.0, -69.0)]),  # a town too small: the state
    # hashtags after a location word, and a place with an event's or a visitor's word
    ("Protests reported in #Sunderland this evening", [("GB", C, 54.91, -1.38)]),
    ("Thoughts with everyone affected #PrayForParis", [("FR", C, 48.86, 2.35)]),
    ("Crowds are out for #ATLPride this weekend", [("US", A, 33.64, -84.43)]),
    # a big airport's code in lower case after a location word, or before a staff word
    ("@AmericanAir I'm almost to lax and need wheelchair help at the gate", [("US", A, 33.94, -118.41)]),
    ("Thanks for the kind words about our PDX staff", [("US", A, 45.59, -122.60)]),
    # a compass word before a doubtful state in lower case, a country's possessive, a nickname
    ("internet outage again here in central jersey", [("US", R, 40.1, -74.5)]),
    ("Passengers are stranded by Turkey's new visa rules", [("TR", N, 39.9, 32.85)]),
    ("Finally moved to the 6ix last week", [("CA", C, 43.65, -79.38)]),
    # a state's title holder, "U.S.A." in capitals, a lower-case word listed after a place, "being from"
    ("Miss Ohio gave a great answer on stage", [("US", R, 40.4, -82.8)]),
    ("In the U.S.A. they drive on the right", [("US", N, 38.9, -77.0)]),
    ("flights to budapest & milan are cheap this month", [("HU", C, 47.50, 19.04), ("IT", C, 45.46, 9.19)]),
    ("Being from Cali, the cold is hard", [("US", R, 36.8, -119.4)]),
    # a day or month after a city is no surname; a bracket after "Land" makes no title
    ("The tour visits Wichita Wednesday night", [("US", C, 37.69, -97.34)]),
    ("Heading to the Promised Land (Canada) tomorrow", [("CA", N, 45.42, -75.70)]),
    # news datelines: before an agency (with a state's abbreviation), or in capitals after a headline
    ("ATHENS (Reuters) - Ministers met again on Monday to discuss the budget", [("GR", C, 37.98, 23.73)]),
    ("BATON ROUGE, La. (AP) - Storms closed schools across the parish", [("US", C, 30.45, -91.19)]),
    (
        "Markets slip after the report: SAN FRANCISCO Shares of chip makers fell on Monday",
        [("US", C, 37.77, -122.42)],
    ),
    # a big city's games of a year, even in a post about sport; what happened in a city; its groups
    ("Tokyo 2020 unveiled a new stadium design, the league said", [("JP", C, 35.69, 139.69)]),
    ("Remembering the victims of the Paris Terror Attacks tonight", [("FR", C, 48.86, 2.35)]),
    ("Philly Antifa marched downtown again", [("US", C, 39.95, -75.17)]),
    ("Stay safe everyone #CharlotteProtest", [("US", C, 35.23, -80.84)]),
    # lower case: a nation of the UK, a state code after a cue, a part of a big city, a typed tail
    ("raining in scotland again today", [("GB", R, 56.5, -4.2)]),
    ("I'm from nj and proud of it", [("US", R, 40.1, -74.5)]),
    # namesakes in other states stay in the index: the state written after the city picks one
    ("Riding in the Rose Parade in Pasadena, California!", [("US", C, 34.15, -118.14)]),
    ("Stuck in Springfield, Illinois overnight", [("US", C, 39.80, -89.64)]),
    ("Flying to Springfield tomorrow", [("US", C, 37.22, -93.30)]),  # the biggest, without one
    # a state before a title is the state; a date before a country is no first name
    ("Texas Sen. Cruz spoke at the rally", [("US", R, 31.5, -98.5)]),
    ("In Oct Canada legalizes cannabis", [("CA", N, 56.1, -106.3)]),
    # "NY" alone is the city; after a compass word, the state
    ("Flying to NY tomorrow for the week", [("US", C, 40.71, -74.01)]),
    ("i'm from ny originally", [("US", C, 40.71, -74.01)]),
    ("Snow again in upstate NY", [("US", R, 42.9, -75.5)]),
    ("rents are crazy in south glasgow", [("GB", C, 55.86, -4.25)]),
    ("Grateful to be in San diego this week", [("US", C, 32.72, -117.16)]),
    # short forms in headlines and in capitals; a doubtful country before a state's word
    ("Elections are coming in S. Korea next month", [("KR", N, 37.57, 126.98)]),
    ("Spent a week in NZ with family", [("NZ", N, -41.29, 174.78)]),
    ("there's a kid in my class from LA & he talks a lot", [("US", C, 34.05, -118.24)]),
    ("Snap Turkey Election called for November", [("TR", N, 39.9, 32.85)]),
    # a doubtful tag in a run of place tags; Hollywood with a cue is a district of Los Angeles
    (
        "Tour stops: #chicago #denver #la",
        [("US", C, 41.88, -87.63), ("US", C, 39.74, -104.98), ("US", C, 34.05, -118.24)],
    ),
    ("Spent the afternoon in Hollywood with my cousins", [("US", C, 34.05, -118.24)]),
    # a country named elsewhere does not pull a world city to a tiny namesake (Moscow, Idaho)
    ("A US tourist was tweeting in #Moscow last night", [("US", N, 38.9, -77.0), ("RU", C, 55.75, 37.62)]),
    # a station after its city; the coast, with its article, is the state
    ("The train from London Euston was cancelled again", [("GB", C, 51.51, -0.13)]),
    ("Storm damage along the Jersey Shore is bad", [("US", R, 40.1, -74.5)]),
    ("Canada Day fireworks in Ottawa were great", [("CA", C, 45.42, -75.70)]),
]


@pytest.mark.parametrize(("text", "expected"), FOUND)
def test_places_named_in_posts(
    finder: PlaceFinder, text: str, expected: list[tuple[str, PlaceKind, float, float]]
) -> None:
    places = finder.find(text)
    assert summary(places) == [(country, kind) for country, kind, _, _ in expected], places
    for place, (_, kind, lat, lon) in zip(places, expected, strict=True):
        # a country or region is one point for a large area: the country is what counts
        assert kind in (N, R) or near(place, lat, lon), place
        assert place.source is PlaceSource.TEXT


NOTHING = [
    "Nice job on the new update!",
    "Reading a book while the app reloads",
    "The Mobile app keeps crashing",
    "Bath time for the kids, then bed",
    "Orange has the worst customer service",
    "Phoenix was a great film",
    "Lost my Jersey in the locker room",
    "Victoria said she would call me back",
    "Sale ends Friday!",
    "Deal of the day: 50% off",
    "Police said the road is closed",
    "SOS my order never arrived ASAP please",
    "LOL OMG WTF is going on with my account",
    "The CEO should read this. ETA for the API fix? FYI the DM went nowhere",
    "I'm so MAD at this service",
    "Flight BA117 and SK 1560 both delayed",
    "Booking code QX7P2L does not work",
    "Thanks @Delta and @AmericanAir and @British_Airways and @JetBlue",
    "Love #Orange and #Phoenix",
    "Wells Fargo charged me twice",
    "Real Madrid lost again",
    "Kobe Bryant was the best",
    "Delta lost my bag and nobody cares",
    "Alaska Airlines gave me a voucher",
    "",
    "🔥🔥🔥 ✈️✈️ 💯",
    "\uff2c\uff2f\uff2e\uff24\uff2f\uff2e is great",  # full-width letters are not read as a name
    "مرحبا بكم في المطار",
    "\u200b\u200b\u200b",
    # a city or country standing for its team in a post about sport
    "Time is ticking down... Tonga should start getting worried. May the best team win!",
    "Messi just scored a sick goal for Argentina. All live now.",
    "Ryan homered as the #Brewers won 2-1 on Friday. Milwaukee has won 5 of their last 7 games.",
    "#Miami leads #VTech 27-12 in the 4th",
    "Ahead of the crunch match with Rotherham tomorrow, read my blog",
    "Iowa vs. Indiana game tonight, tickets are free",
    "We met the Leeds fans at the pub",
    "Toronto won again last night",
    # a place name that is a surname after a first name, even where a sentence starts
    "Q1 1:45. Trent Richardson rushed right for 1 yard.",
    "What a night. Eddie Rosario hit a grand slam",
    "Late in the game. Miguel Sano hit a homer today",
    # titles of works
    "I just remembered \u2019Niggas In Paris\u2019 is a song",
    "Katy Perry - Sleepless In Seattle (Cover): wow I didn't think she had it in her",
    "listening to Springsteen's Nebraska album while driving",
    # "for" names an employer: a brand after it stays a brand
    "Alonso may also consider driving for Mercedes next year",
    # a long name in a Title Case headline that is no big place
    "Video Throwback Sunday: Prince George And Princess Charlotte After Her Christening At The Church Of "
    "St Mary Magdalene",
    # a one-word reply that is no place
    "@Tesco Thanks.",
    "@Delta Hello",
    # a continent, a comic hero, an idiom: their "America" is not the United States
    "Backpacking around South America next spring",
    "Captain America was the best film this year",
    "Corporate America wants your data",
    # lower-case words, shows and teams that are also the names of places
    "we got fine china and silver for the wedding",
    "watching jersey shore reruns all night",
    "real madrid signed another kid",
    # a team's nickname or a newspaper after a city, a cup tie in a post about sport
    "New Orleans Saints lost again on Sunday",
    "I read it in the Des Moines Register this morning",
    "Leeds should cut the prices for that cup tie",
    # a support agent's initials, a state code that is a city's short name, an apostrophe in "U's"
    "Thanks for your patience, we will look into it ^UK",
    "Glad we could help with the booking *TMB",
    "Worst terminal ever at SD airport",
    "Which U's are embracing open data?",
    # a team named anywhere in the post makes its bare cities teams; so do sport's hashtags
    "Barcelona and Real Madrid play on Sunday, can't wait",
    "Counting on you, Queensland #Broncos #NRL",
    # the pronoun in capitals, an event, a code inside a hall's name, a company in lower case
    "Why have I seen a spoiler? SOME OF US HAVENT SEEN IT YET",
    "Tickets for the U.S. Open final are sold out",
    "I'm going to a concert at DAR Constitution Hall tonight",
    "They transferred my bag to kuwait airways yesterday",
    "The Gulf states are rich",
    # a shop word after a person's name, acronyms in hashtags, possessives that are no country's
    "Shop the official George Harrison Store online",
    "Proud to #MAGA every day",
    "Great game in #ACC tonight",
    "Turkey's in the oven already",
    "Chad's car broke down again",
    # teams: a city's plural verb, "against" a city, its players, a fixture list or a match's pair
    "Sydney are too quick for everyone this season",
    "Another start tonight against Calgary for the backup goalie",
    "Joey slagged off every England player in his book",
    "Saturday picks: Bristol - Cardiff, Norwich - Leeds and a big one later",
    "The Russia-Portugal clash is on tonight",
    "Romero, Rojo, Blind, Memphis, Rooney should all start",  # a list of people
    "Going to watch Sheffield Wednesday tomorrow",
    # a holiday, a show without its article, an industry, a feed's name, a parliament
    "Happy Australia Day to all our customers",
    "Watching Jersey Shore reruns with my sister",
    "Hollywood loves a remake",
    "DTN USA: markets rally after the jobs report",
    "Talks with the Duma broke down",
    # a title in the data sets' doubled quotes
    'my remix of ""Niggas In Paris"" drops tonight',
]


@pytest.mark.parametrize("text", NOTHING)
def test_look_alikes_are_not_places(finder: PlaceFinder, text: str) -> None:
    assert finder.find(text) == []


def test_same_place_twice_is_listed_once(finder: PlaceFinder) -> None:
    places = finder.find("Landed in Madrid. Madrid is hot. Flying home from Madrid tomorrow")
    assert [p.name for p in places] == ["Madrid"]


def test_qualifier_picks_the_right_namesake(finder: PlaceFinder) -> None:
    us, france = finder.find("Paris, TX"), finder.find("Paris, France")
    assert summary(us) == [("US", C)]
    assert summary(france) == [("FR", C)]  # the country only says which Paris


def test_country_in_the_post_picks_the_namesake(finder: PlaceFinder) -> None:
    places = finder.find("Driving from Edinburgh to Perth tonight")
    assert summary(places) == [("GB", C), ("GB", C)]
    assert near(places[1], 56.40, -3.43)  # Perth, Scotland, not Perth, Australia


def test_home_country_of_the_addressed_brand_picks_the_namesake(finder: PlaceFinder) -> None:
    (lancaster,) = finder.find("@nationalrailenq why are all trains at Lancaster at a standstill?")
    assert lancaster.country == "GB"
    assert near(lancaster, 54.05, -2.80)
    (perth,) = finder.find("@Morrisons Perth.")  # a reply naming the store's town
    assert perth.country == "GB"
    assert near(perth, 56.40, -3.43)
    (alfreton,) = finder.find("@ArgosHelpers Alfreton")
    assert alfreton.country == "GB"
    (tory,) = finder.find("I felt like a Tory voter somewhere in Lancaster")  # a word only Britain uses
    assert tory.country == "GB"
    places = finder.find("Pennsylvania roots: we moved to Lancaster last year")  # a state named first
    assert [p.country for p in places] == ["US", "US"]
    (bham,) = finder.find("Moving to Bham, AL next week")  # a short form takes its context's namesake
    assert bham.country == "US"
    assert near(bham, 33.52, -86.81)


def test_small_towns_are_looked_up_only_by_name(finder: PlaceFinder) -> None:
    towns = finder.gazetteer.towns.find("thomaston")
    assert [t.region for t in towns][:1] == ["GA"]  # the most populous first
    assert all(t.population < 15_000 for t in towns)  # bigger towns are in the main index
    assert finder.gazetteer.towns.find("no such town anywhere") == ()
    assert finder.find("Thomaston is lovely this time of year") == []  # no cue: not matched at all


def test_sport_and_home_words() -> None:
    assert is_sporty("Liverpool beat Chelsea 2-1 in the league")
    assert is_sporty("may the best team win the game")  # two words sport shares with other posts
    assert is_sporty("what a win, 3-1")  # one such word and a score
    assert not is_sporty("your team lost my bag on flight 212")  # one word ("lost" is everyone's)
    assert not is_sporty("my order 12-22 has not arrived")
    assert is_sporty("Leeds should cut the prices for that cup tie")  # "cup" and "tie"
    assert not is_sporty("the game will not load and my player profile is gone on the Xbox")
    assert not is_sporty("the game will not load, the player list is empty", "@XboxSupport the game...")
    assert home_country("@Tesco where is my order") == "GB"
    assert home_country("@comcastcares internet down") == "US"
    assert home_country("@Tesco @comcastcares hi") == ""  # two countries: no tie-break
    assert home_country("@Delta flight delayed") == ""  # airlines fly abroad: no home
    assert home_country("paid \u00a35 for this") == "GB"
    assert addressed_home("@117 @Tesco where is my order") == "GB"  # the handles a post starts with
    assert addressed_home("where is my order @Tesco") == ""
    assert addressed_home("@Tesco @comcastcares hi") == ""
    # the text is read without its hashtags, which count from the raw post
    assert is_sporty("Counting on you | |", "Counting on you #Broncos #NRL")
    assert not is_sporty("Vote for us | |", "Vote for us #MAGA #Patriots")  # a team's name as a slogan
    assert is_sporty("Signed for a new club | |", "Signed for a new club #LFC")  # a club's tag


def test_fixture_lists() -> None:
    def sides(text: str) -> list[str]:
        return [text[a:b] for a, b in fixture_sides(text)]

    assert sides("Big day: United - Swansea, Roma - Juventus") == ["United", "Swansea", "Roma", "Juventus"]
    assert sides("Russia-Portugal Clash tonight") == ["Russia", "Portugal Clash"]  # a match word ends it
    assert sides("Paris - London trains are delayed again") == []  # one pair and no match word: a route
    assert sides("At Kirby Center, Wilkes-Barre, PA - Oct 6") == []  # a date or a state code is no side
    assert sides("In Bruxelles - Brussel, Belgium - Oct 18") == []


# ---- geo ------------------------------------------------------------------------------------------


def test_geo_point_is_named_after_the_nearest_city(finder: PlaceFinder) -> None:
    (place,) = finder.find("", geo=(52.3702, 4.8952))
    assert place.kind is PlaceKind.POINT
    assert place.source is PlaceSource.GEO
    assert (place.name, place.country) == ("Amsterdam", "NL")
    assert (place.lat, place.lon) == (52.3702, 4.8952)  # the post's own coordinates are kept


def test_geo_point_far_from_any_city_has_no_country(finder: PlaceFinder) -> None:
    (place,) = finder.find("", geo=(40.0, -30.0))  # mid-Atlantic
    assert place.country == "ZZ"
    assert place.kind is PlaceKind.POINT


@pytest.mark.parametrize("geo", [(0.0, 0.0), (91.0, 10.0), (10.0, 181.0), (math.nan, 1.0), (1.0, math.inf)])
def test_missing_or_impossible_coordinates_are_ignored(finder: PlaceFinder, geo: tuple[float, float]) -> None:
    assert finder.find("", geo=geo) == []


# ---- profile --------------------------------------------------------------------------------------

PROFILES = [
    ("Amsterdam, NL", [("NL", C, 52.37, 4.89)]),
    ("London", [("GB", C, 51.51, -0.13)]),
    ("london", [("GB", C, 51.51, -0.13)]),
    ("NYC", [("US", C, 40.71, -74.01)]),
    ("Bay Area", [("US", R, 37.8, -122.3)]),
    ("Reading, UK", [("GB", C, 51.45, -0.97)]),
    ("Austin, Texas", [("US", C, 30.27, -97.74)]),
    ("phoenix", [("US", C, 33.45, -112.07)]),
    ("Born in Texas, living in NYC", [("US", R, 31.0, -99.0), ("US", C, 40.71, -74.01)]),
    ("München 🇩🇪", [("DE", C, 48.14, 11.58)]),
    ("somewhere over the Atlantic ✈️", []),
    ("Earth", []),
    ("she/her | coffee addict", []),
    ("", []),
]


@pytest.mark.parametrize(("location", "expected"), PROFILES)
def test_profile_locations(
    finder: PlaceFinder, location: str, expected: list[tuple[str, PlaceKind, float, float]]
) -> None:
    places = finder.find("", user_location=location)
    assert summary(places) == [(country, kind) for country, kind, _, _ in expected], places
    for place, (_, kind, lat, lon) in zip(places, expected, strict=True):
        assert kind is R or near(place, lat, lon), place
        assert place.source is PlaceSource.PROFILE


def test_sources_come_in_order_geo_text_profile_without_duplicates(finder: PlaceFinder) -> None:
    places = finder.find(
        "stranded at Schiphol, flying home to London", geo=(52.31, 4.76), user_location="London"
    )
    assert [p.source for p in places] == [PlaceSource.GEO, PlaceSource.TEXT, PlaceSource.TEXT]
    assert [p.kind for p in places] == [PlaceKind.POINT, A, C]


# ---- the shared finder and the word lists ----------------------------------------------------------


def test_default_finder_is_built_once_across_threads() -> None:
    seen: list[PlaceFinder] = []
    threads = [threading.Thread(target=lambda: seen.append(default_finder())) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(f) for f in seen}) == 1
    assert seen[0] is default_finder()


def test_normalize_folds_accents_and_punctuation() -> None:
    assert normalize("São Paulo") == normalize("SAO  PAULO") == "sao paulo"
    assert normalize("Stoke-on-Trent") == "stoke on trent"


def test_code_stopwords_are_capital_three_letter_words_or_acronyms() -> None:
    assert {"SOS", "CEO", "ETA", "API", "LOL", "OMG", "WTF", "MAD"} <= CODE_STOPWORDS
    assert not {"LHR", "AMS", "JFK", "ATL", "SFO"} & CODE_STOPWORDS


# ---- the labelled real tweets -------------------------------------------------------------------


def test_labels_are_well_formed() -> None:
    records = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(records) >= 300
    assert {r["source"] for r in records} == {"twcs", "semeval"}
    assert sum(1 for r in records if not r["places"]) >= 100  # traps and tweets without places
    for record in records:
        assert set(record) <= {"source", "file", "id", "places", "note"}  # no tweet text in the repo
        for place in record["places"]:
            assert re.fullmatch(r"[A-Z]{2}", place["country"])
            assert place["kind"] in {"airport", "city", "region", "country"}
            assert -90 <= place["lat"] <= 90
            assert -180 <= place["lon"] <= 180


def test_fresh_labels_are_well_formed_and_new() -> None:
    fresh = [json.loads(line) for line in FRESH.read_text(encoding="utf-8").splitlines() if line.strip()]
    old = {(r["source"], r["id"]) for r in map(json.loads, LABELS.read_text(encoding="utf-8").splitlines())}
    assert len(fresh) >= 300
    assert {r["source"] for r in fresh} == {"twcs", "tweeteval"}
    assert len({(r["source"], r["file"], r["id"]) for r in fresh}) == len(fresh)  # no tweet twice
    assert not {(r["source"], r["id"]) for r in fresh if r["source"] == "twcs"} & old  # none of the old set
    for record in fresh:
        assert set(record) <= {"source", "file", "id", "places", "note"}  # no tweet text in the repo
        assert record["id"].isdigit()
        for place in record["places"]:
            assert re.fullmatch(r"[A-Z]{2}", place["country"])
            assert place["kind"] in {"airport", "city", "region", "country"}


def _shared_texts() -> dict[tuple[str, str, str], str]:
    texts: dict[tuple[str, str, str], str] = {}
    twcs = SHARED / "data" / "twcs-sample" / "twcs_first5000.csv"
    with twcs.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            texts[("twcs", twcs.name, row["tweet_id"])] = html.unescape(row["text"])
    for path in sorted((SHARED / "data" / "semeval-sentiment").glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) >= 3:
                text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), parts[2])
                texts.setdefault(("semeval", path.name, parts[0]), html.unescape(text))
    return texts


@pytest.mark.skipif(not (SHARED / "data").is_dir(), reason=f"the shared data folder {SHARED} is absent")
def test_precision_and_recall_on_the_labelled_tweets(finder: PlaceFinder) -> None:
    """A guard against regressions; benchmarks/places_eval.py prints the full numbers."""
    texts = _shared_texts()
    records = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines() if line.strip()]
    found_ok = found_all = label_ok = label_all = 0
    for record in records:
        labels = record["places"]
        found = finder.find(texts[(record["source"], record["file"], record["id"])])

        def match(place: Place, label: dict[str, object]) -> bool:
            if label["kind"] in ("country", "region") and place.country == label["country"]:
                return True
            return near(place, float(label["lat"]), float(label["lon"]))  # type: ignore[arg-type]

        found_all += len(found)
        found_ok += sum(1 for f in found if any(match(f, lab) for lab in labels))
        label_all += len(labels)
        label_ok += sum(1 for lab in labels if any(match(f, lab) for f in found))
    assert found_ok / found_all >= 0.88
    assert label_ok / label_all >= 0.78
