"""Stand-ins for the RingRift daemons of warden's built-in catalog (examples/ringrift/README.md).

Each class is written the way the source documents write a daemon — `async start()`,
`async stop()`, `health_check()`, `get_metrics()` — and runs under warden's Python adapter
(`python: "ringrift.<module>:<Class>"` in warden.config.ts). They do small, real work on the
files under examples/ringrift/work/ and talk to each other through warden's bus.
"""
