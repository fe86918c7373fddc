"""Where is the customer? Places from a post's coordinates, its text and the author's profile location.

KLM once found a passenger stranded at Schiphol from one tweet; routing needs the same: which airport,
city, region or country a post is about, resolved to coordinates and an ISO country with the offline
gazetteer in `gazetteer.py`.

Precision matters more than recall (a wrong city sends a customer to the wrong team), so a name found
in the text must earn its place:
- candidates are capitalised word runs ("New York", "São Paulo", "Frankfurt am Main"), capitalised
  three-letter airport codes, hashtags, and lower-case names straight after a location word ("flying to
  london"); each run is matched against the name index longest-first, a few dictionary look-ups per run;
- a name that is also a common word, a first name or a brand (Nice, Reading, Mobile, Victoria, Delta)
  needs a location cue: "in/at/near/via ...", "flying to ...", "..., TX", "... airport";
- small towns (under 100,000 people) need a cue too; a bigger city or a country does not;
- a name inside another proper name is not a place: "Real Madrid", "Wells Fargo", "Phoenix Suns",
  "New York Times", "Air Canada", "Kobe Bryant", "Milan v Empoli", nor a surname after a first name
  ("Miguel Sano"), nor part of a title ("Niggas In Paris", quoted Title Case words);
- a city or country standing for a team is not a place: before "fans", "match", "won", after "the
  match with", and in a post about sport (sport.py) wherever no location cue backs it;
- an airport code counts when it is not an English word or acronym (SOS, CEO, MAD) and the post is
  about air travel, or it sits in a route ("LHR-JFK") or next to "airport".
Ambiguous names take the candidate in the state or country written next to them ("Paris, TX"), else one
in a country the post already mentions, else one in the country of the brand it addresses (home.py:
"@Morrisons Perth." is in Scotland), else the most populous.

The package: finder.py (PlaceFinder, default_finder) cleans a post and runs scan.py (the rules for
names, over codes.py: airport codes, state codes, hashtags and one-name replies), reading the post
through post.py, the context words in cues.py, sport.py (is the post about sport?) and home.py (which
country its brand serves); resolution.py picks one place per name. The index is gazetteer.py, over
entry.py (Entry and its flags), folding.py (keys), names.py (variants and aliases) and vocabulary.py
(the hand-made word lists); geo.py has distance_km.
"""

from __future__ import annotations

from socialdesk.triage.places.finder import PlaceFinder, default_finder

__all__ = ["PlaceFinder", "default_finder"]
