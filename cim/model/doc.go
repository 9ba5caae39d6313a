// Package model holds the CIM data model shared by every cim package:
// values and their types, instances, references, classes, faults, and the
// Provider interface that both the WS-Management client and the local
// provider implement. It imports nothing else from cimsh, so every other
// package can depend on it without an import cycle.
package model
