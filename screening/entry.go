package screening

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"
)

// Entry is one record of a denied-party list, in one model for every source.
// Parsers in package sources map each list format onto it.
type Entry struct {
	Source      string       `json:"source"`    // list code, e.g. "meti_eul", "us_csl", "ofac_sdn"
	SourceID    string       `json:"source_id"` // the list's own id for the record
	Kind        EntryKind    `json:"kind"`
	Names       []EntryName  `json:"names"`               // Names[0] is the primary name
	Countries   []string     `json:"countries,omitempty"` // ISO 3166-1 alpha-2, upper case
	Addresses   []Address    `json:"addresses,omitempty"`
	Identifiers []Identifier `json:"identifiers,omitempty"`
	Programs    []string     `json:"programs,omitempty"`
	ListedOn    string       `json:"listed_on,omitempty"` // YYYY-MM-DD when the list says
	SourceURL   string       `json:"source_url,omitempty"`
	Remarks     string       `json:"remarks,omitempty"`
	// Attributes holds list-specific facts worth showing (METI 懸念区分, OFAC call sign, ...).
	Attributes map[string]string `json:"attributes,omitempty"`
}

// EntryKind says what an entry names.
type EntryKind string

const (
	KindPerson       EntryKind = "person"
	KindOrganisation EntryKind = "organisation"
	KindVessel       EntryKind = "vessel"
	KindAircraft     EntryKind = "aircraft"
	KindUnknown      EntryKind = "unknown"
)

// NameStrength says how much an alias can be trusted for matching. Lists mark
// some aliases as weak ("low quality" in UN, "weak" in OFAC): a weak alias alone
// never makes a strong match.
type NameStrength string

const (
	NamePrimary NameStrength = "primary"
	NameStrong  NameStrength = "strong"
	NameWeak    NameStrength = "weak"
)

// EntryName is one name or alias of an entry, as the list writes it.
type EntryName struct {
	Value    string       `json:"value"`
	Strength NameStrength `json:"strength"`
	Script   string       `json:"script,omitempty"` // "Latn", "Jpan", "Cyrl", ... when known
	// From is the listed name this one was read out of, when the list writes
	// several spellings in one name: "Sergey Petrov" from "Sergei (Sergey)
	// Petrov". Such names are matched like the others; From lets a reviewer
	// find the name in the list as it stands.
	From string `json:"from,omitempty"`
}

// Address is a postal address of an entry; Full keeps the text when the list
// does not split it into parts.
type Address struct {
	Street  string `json:"street,omitempty"`
	City    string `json:"city,omitempty"`
	Region  string `json:"region,omitempty"`
	Postal  string `json:"postal,omitempty"`
	Country string `json:"country,omitempty"` // ISO alpha-2 when known
	Full    string `json:"full,omitempty"`
}

// Identifier is a document or registration number (passport, IMO, tax id, ...).
type Identifier struct {
	Type    string `json:"type"`
	Value   string `json:"value"`
	Country string `json:"country,omitempty"`
}

// Key is the entry's identity across snapshots: source and source id.
func (e *Entry) Key() string { return e.Source + ":" + e.SourceID }

// ContentHash changes whenever anything the list says about the entry changes.
// A reviewer's "false positive" suppression is bound to it, so a changed entry
// brings a suppressed hit back.
func (e *Entry) ContentHash() string {
	b, err := json.Marshal(e) // struct field order is fixed; maps are sorted by encoding/json
	if err != nil {
		// Marshal of this plain struct cannot fail; keep the hash stable anyway.
		return ""
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// NameFrom returns the listed name that the entry's name value was read out
// of (EntryName.From), or "" when value is a name as the list writes it.
func (e *Entry) NameFrom(value string) string {
	for _, n := range e.Names {
		if n.Value == value {
			return n.From
		}
	}
	return ""
}

// PrimaryName is the first name of the entry, or "" for an empty entry.
func (e *Entry) PrimaryName() string {
	if len(e.Names) == 0 {
		return ""
	}
	return e.Names[0].Value
}

// ListSnapshot is one imported version of one source.
type ListSnapshot struct {
	Source     string    `json:"source"`
	Version    string    `json:"version"` // content hash of the entries
	ImportedAt time.Time `json:"imported_at"`
	Files      []string  `json:"files,omitempty"`
	Count      int       `json:"count"`
	Entries    []Entry   `json:"entries,omitempty"`
}
