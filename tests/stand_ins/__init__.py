"""Local stand-ins for the networks' APIs: real HTTP servers on 127.0.0.1 that the connectors' real code
talks to. Each network's stand-in is a Starlette app in a module here; `serve` runs one in a thread.

A stand-in records every request it gets (`requests`) and can be told to answer the next calls to a
path with a given status and headers (`fail_next`), for the 429-with-reset, 5xx and 4xx paths.
"""
