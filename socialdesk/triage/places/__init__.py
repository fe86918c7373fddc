"""Where is the customer? Places from a post's coordinates, its text and the author's profile location.

KLM once found a passenger stranded at Schiphol from one tweet; routing needs the same: which airport,
city, region or country a post is about, resolved to coordinates and an ISO country with the offline
gazetteer in `gazetteer.py`.

Precision matters more than recall (a wrong city sends a customer to the wrong team), so a name found
in the text must earn its place:
- candidates are capitalised word runs ("New York", "São Paulo", "Frankfurt am Main"), capitalised
  three-letter airport codes, hashtags (#Denver, #NewYork, #USA), and lower-case names: after a
  location word ("flying to london"), or, for a country, a US state or a city of a million, wherever
  no team, company or first-name word is next to it ("chicago has gun laws"); each run is matched
  against the name index longest-first, a few dictionary look-ups per run;
- a name that is also a common word, a first name or a brand (Nice, Reading, Mobile, Victoria, Delta)
  needs a location cue: "in/at/near/via ...", "flying to ...", "..., TX", "... airport", "western ...",
  or a place listed after it ("Turkey and Russia");
- small towns (under 100,000 people) need a cue too; a bigger city or a country does not; towns under
  15,000 are not matched in running text at all, only looked up at strong cues that also say where
  they are ("Thomaston GA", "grandview mo 64030", "Henryville, Indiana", "our Haddington Superstore",
  "at Houghton Regis" in a post to a British shop);
- a name inside another proper name is not a place: "Real Madrid", "Wells Fargo", "Phoenix Suns",
  "New York Times", "Air Canada", "Kobe Bryant", "Milan v Empoli", nor a surname after a first name
  ("Miguel Sano"), nor part of a title ("Niggas In Paris", quoted Title Case words), nor a holiday
  ("Australia Day"), nor an item of a list of people ("Romero, Rojo, Blind, Memphis, Rooney"), nor a
  country's short form after an acronym ("DTN USA");
- a city or country standing for a team is not a place: before "fans", "match", "won", "player", a
  nickname ("New Orleans Saints") or a plural verb ("Sydney are"), after "the match with" or (a city)
  "against", a side of a fixture list ("United - Swansea, Roma - Juventus", "Russia-Portugal clash"),
  and in a post about sport (sport.py, hashtags and clubs' tags included) wherever no location cue
  backs it; once a name is read as a team ("Real Madrid"), every name taken without a cue in that
  post is a team too ("Barcelona and Real Madrid"); nor is a city before a newspaper's name ("Des
  Moines Register"); "US" after "OF", "LET"... in capitals is the pronoun;
- some contexts place a name whatever else the post says: a news dateline ("ATHENS (Reuters) -",
  "...: SAN FRANCISCO Apple Inc"), a big city's year ("Tokyo 2020"), a doubtful country before a
  state's word ("Snap Turkey Election"), a city before its people or an event there ("Philly
  Antifa", "Paris Terror Attacks");
- an airport code counts when it is not an English word or acronym (SOS, CEO, MAD) and the post is
  about air travel (a travel word, or a flight number: "DL 1262"), or it sits in a route ("LHR-JFK")
  or next to "airport" or a staff word ("our PDX staff"); in lower case, a big airport's code counts
  after a location word in a post about flying ("almost to lax"); outside one, a capitalised word after
  a code makes it part of a name ("at DAR Constitution Hall");
- hashtags count whole (#Denver), after a location word ("in #Sunderland"), in a run of place tags
  ("#denver #la") or as a big place joined to an event's or a visitor's word (#ParisAttacks,
  #ATLPride, #LoveLondon, and #CharlotteProtest for a name that is also a person's): hashtags.py.
Ambiguous names take the candidate in the state or country written next to them ("Paris, TX"), else one
in a country the post already mentions or that its ambiguous names share ("Preston ... Lancaster" are
both British; not a namesake a hundred times smaller than a world city: a "US lady" in Moscow is in
Russia), else one in the country of the brand it addresses (home.py: "@Morrisons Perth." is in
Scotland), else the most populous.

The package: finder.py (PlaceFinder, default_finder) cleans a post and runs scan.py (the rules for
names, over lowercase.py: names typed in lower case, hashtags.py, town_cues.py: small towns at strong
cues, neighbours.py: what the words next to a name say, and codes.py: airport codes, state codes and
one-name replies), then precision.py's learned last check on what they accept, reading the post
through post.py, the context words in cues.py, sport.py (is the post about sport?) and home.py (which
country its brand serves); resolution.py picks one place per name. The index is gazetteer.py, over
entry.py (Entry and its flags), folding.py (keys), names.py (variants and aliases), vocabulary.py (the
hand-made word lists) and towns.py (the small towns); geo.py has distance_km.
"""

from __future__ import annotations

from socialdesk.triage.places.finder import PlaceFinder, default_finder

__all__ = ["PlaceFinder", "default_finder"]
