"""Tool families: one module each, holding its tools' schemas, rules, routes, handlers and
shaping hints together. Adding a tool = an entry in one of them (or a new module listed here)
plus its wire and invalid-argument test cases."""

from worker.tools import access, crawls, descriptions, details, explorer, knowledge, lineage

FAMILIES = (explorer, details, lineage, crawls, access, knowledge, descriptions)
