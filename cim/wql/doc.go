// Package wql parses and evaluates WQL, the WMI Query Language: SELECT
// queries with WHERE conditions (comparisons, LIKE, IS [NOT] NULL, ISA,
// AND, OR, NOT), the event query clauses (WITHIN, GROUP WITHIN ... BY ...
// HAVING), and ASSOCIATORS OF / REFERENCES OF queries. The local provider
// (through memprov) and the WS-Man test server evaluate queries with it;
// the client uses it to build and check the queries it sends.
//
// Comparisons follow WMI: strings ignore case, integers compare exactly
// over the whole uint64 and sint64 ranges (no float rounding beyond
// 2^53), datetime properties compare with DMTF or ISO 8601 string
// constants, a constant converts to the property's type, and a
// comparison with NULL is unknown (SQL's three-valued logic), so neither
// it nor its negation selects an instance.
package wql
