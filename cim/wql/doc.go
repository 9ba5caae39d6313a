// Package wql parses and evaluates WQL, the WMI Query Language: SELECT
// queries with WHERE conditions (comparisons, LIKE, IS [NOT] NULL, ISA,
// AND, OR, NOT), and ASSOCIATORS OF / REFERENCES OF queries. The local
// provider and the WS-Man test server evaluate queries with it; the
// client uses it to build and check the queries it sends. Comparisons
// follow WMI: strings ignore case, integers compare exactly over the
// whole uint64 and sint64 ranges, datetimes compare with DMTF or ISO 8601
// constants, and a comparison with NULL is unknown (SQL's three-valued
// logic), so it selects nothing.
package wql
