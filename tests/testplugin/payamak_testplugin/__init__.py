"""A plugin for the tests: a table, a route, a template, a menu entry, an actor, a CLI command, an event reaction."""
