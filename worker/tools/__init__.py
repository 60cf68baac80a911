"""Tool families: one module each, holding its tools' schemas, rules, routes, handlers and
shaping hints together. Adding a tool = an entry in one of them (or a new module listed here)
plus its wire and invalid-argument test cases."""

from worker.tools import (
    access,
    crawls,
    descriptions,
    details,
    dq,
    explorer,
    glossary_create,
    governance,
    knowledge,
    lineage,
    service_desk,
    tag_create,
)

FAMILIES = (explorer, details, lineage, crawls, access, knowledge, descriptions, governance,
            glossary_create, tag_create, service_desk, dq)
